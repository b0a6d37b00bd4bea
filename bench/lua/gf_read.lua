-- gf-read: GameFuse GET /api/v3/users/{id} (the caller's own full data: user, attributes,
-- store items) with the user's authentication-token header, for a random one of the seeded
-- users (cfg.users: lines "<id> <authentication_token>", from their sign-up). A 200 must
-- carry the user's "authentication_token" (only the caller's own view has it).
local reqs = {}

function scenario_init(cfg)
   for _, line in ipairs(read_lines(cfg.users)) do
      local id, token = string.match(line, "^(%S+)%s+(%S+)$")
      table.insert(reqs, wrk.format("GET", "/api/v3/users/" .. id, {["authentication-token"] = token}, nil))
   end
end

function scenario_request()
   return reqs[math.random(1, #reqs)]
end

function scenario_response(status, headers, body)
   return string.find(body, '"authentication_token":"', 1, true) ~= nil
end
