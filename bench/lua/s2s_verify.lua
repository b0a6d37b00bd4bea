-- s2s-verify: POST /s2s/session/verify with a random access token among the seeded
-- sessions' (cfg.data: one access token per line). Only {"valid":true,...} counts as a
-- success: an invalid token is answered 200 {"valid":false,...}.
local reqs = {}

function scenario_init(cfg)
   for _, token in ipairs(read_lines(cfg.data)) do
      table.insert(reqs, wrk.format("POST", "/s2s/session/verify", nil,
                                    '{"access_token":"' .. token .. '"}'))
   end
end

function scenario_request()
   return reqs[math.random(1, #reqs)]
end

function scenario_response(status, headers, body)
   return string.find(body, '"valid":true', 1, true) ~= nil
end
