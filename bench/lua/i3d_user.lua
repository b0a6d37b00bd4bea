-- i3d-user: GET /v3/session/user with a random one of the seeded API keys, each logged
-- in once by the seed step (cfg.keys: one key per line). Only a 200 carrying "userName"
-- counts as a success.
local reqs = {}

function scenario_init(cfg)
   for _, k in ipairs(read_lines(cfg.keys)) do
      table.insert(reqs, wrk.format("GET", "/v3/session/user", {["PRIVATE-TOKEN"] = k}, nil))
   end
end

function scenario_request()
   return reqs[math.random(1, #reqs)]
end

function scenario_response(status, headers, body)
   return string.find(body, '"userName":', 1, true) ~= nil
end
