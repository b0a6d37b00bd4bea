-- s2s-refresh: POST /s2s/session/refresh. Refresh tokens rotate on use and reusing an old
-- one ends the session, so every request must carry the latest token of its session and a
-- session must never be in flight twice. Each thread owns a pool of sessions (its share of
-- cfg.data, lines "<session_id> <refresh_token>"): request() takes the session at the head
-- of a FIFO queue, response() reads session_id and refresh_token from the 200 body, stores
-- the new token and puts the session back at the tail. A connection has at most one
-- request in flight, so a pool larger than the thread's connections never runs dry
-- unless responses fail: a non-200 answer loses its session (counted "lost_session"),
-- and a request made while the pool is empty is sent with an unusable token (counted
-- "pool_empty"; the server then answers 401).
local token = {}
local queue, head, tail = {}, 1, 0

local function push(sid)
   tail = tail + 1
   queue[tail] = sid
end

function scenario_init(cfg)
   for _, line in ipairs(my_lines(cfg.data)) do
      local sid, rt = string.match(line, "^(%S+)%s+(%S+)$")
      token[sid] = rt
      push(sid)
   end
end

function scenario_request()
   if head > tail then
      count("pool_empty")
      return wrk.format("POST", "/s2s/session/refresh", nil, '{"refresh_token":"pool-empty"}')
   end
   local sid = queue[head]
   queue[head] = nil
   head = head + 1
   return wrk.format("POST", "/s2s/session/refresh", nil,
                     '{"refresh_token":"' .. token[sid] .. '"}')
end

function scenario_response(status, headers, body)
   if status ~= 200 then
      count("lost_session")
      return false
   end
   local sid = string.match(body, '"session_id":"([^"]+)"')
   local rt = string.match(body, '"refresh_token":"([^"]+)"')
   if not (sid and rt and token[sid]) then
      count("lost_session")
      return false
   end
   token[sid] = rt
   push(sid)
   return true
end
