-- s2s-new: POST /s2s/session, every user_id new. The id is
-- <run-unique prefix>-<thread>-<counter>, so every request body of the run is unique
-- (cfg.prefix differs between the warm-up and the measured pass, and between runs).
local prefix
local n = 0

function scenario_init(cfg)
   prefix = cfg.prefix .. "-" .. cfg.tid .. "-"
end

function scenario_request()
   n = n + 1
   return wrk.format("POST", "/s2s/session", nil, '{"user_id":"' .. prefix .. n .. '"}')
end

function scenario_response(status, headers, body)
   return string.find(body, '"is_new_user":true', 1, true) ~= nil
end
