-- s2s-verify: POST /s2s/session/verify with a random access token among the seeded
-- sessions' (cfg.data: one access token per line). Only {"valid":true,...} counts as a
-- success: an invalid token is answered 200 {"valid":false,...}.
random_request_scenario("data", function(token)
   return wrk.format("POST", "/s2s/session/verify", nil, '{"access_token":"' .. token .. '"}')
end, '"valid":true')
