-- i3d-user: GET /v3/session/user with a random one of the seeded API keys, each logged
-- in once by the seed step (cfg.keys: one key per line). Only a 200 carrying "userName"
-- counts as a success.
random_request_scenario("keys", function(key)
   return wrk.format("GET", "/v3/session/user", {["PRIVATE-TOKEN"] = key}, nil)
end, '"userName":')
