-- s2s-existing: POST /s2s/session for a random user among the seeded ones
-- (user ids <cfg.prefix><0 .. cfg.users-1>, created by the seed step).
local prefix, users

function scenario_init(cfg)
   prefix = cfg.prefix
   users = tonumber(cfg.users)
end

function scenario_request()
   local id = prefix .. math.random(0, users - 1)
   return wrk.format("POST", "/s2s/session", nil, '{"user_id":"' .. id .. '"}')
end

function scenario_response(status, headers, body)
   return string.find(body, '"is_new_user":false', 1, true) ~= nil
end
