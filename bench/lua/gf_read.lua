-- gf-read: GameFuse GET /api/v3/users/{id} (the caller's own full data: user, attributes,
-- store items) with the user's authentication-token header, for a random one of the seeded
-- users (cfg.users: lines "<id> <authentication_token>", from their sign-up). A 200 must
-- carry the user's "authentication_token" (only the caller's own view has it).
random_request_scenario("users", function(line)
   local id, token = string.match(line, "^(%S+)%s+(%S+)$")
   return wrk.format("GET", "/api/v3/users/" .. id, {["authentication-token"] = token}, nil)
end, '"authentication_token":"')
