-- gf-signin: GameFuse sign-in, POST /api/v3/sessions, as the SDKs send it: a multipart
-- form with email, password, game_id and game_token. Each sign-in starts a new session and
-- ends the user's previous one, so two sign-ins of one user must not overlap: the script
-- runs with ONE CONNECTION PER WRK THREAD (bench/run sets -t = -c) and each thread signs
-- in only its own users (its share of cfg.users, lines "<email> <password>", round robin).
-- Every sign-in is timed (record_latency("signin", ...)); a 200 must carry an
-- authentication_token. 429 / 503 are counted "shed" (and "shed_retry_after" with a
-- Retry-After header); sign-ins slower than cfg.bound_ms (default 2000) "signin_over_bound".
local reqs = {}
local i = 0
local t0
local bound_us
local BOUNDARY = "----playgatebench7MA4YWxkTrZu0gW"

-- 429 / 503 answers: counted, and obeyed as a well-behaved client does (common.lua).
local shed = obey_retry_after()

local function multipart(fields)
   local parts = {}
   for _, kv in ipairs(fields) do
      parts[#parts + 1] = "--" .. BOUNDARY .. "\r\nContent-Disposition: form-data; name=\"" .. kv[1]
         .. "\"\r\n\r\n" .. kv[2] .. "\r\n"
   end
   return table.concat(parts) .. "--" .. BOUNDARY .. "--\r\n"
end

function scenario_init(cfg)
   bound_us = tonumber(cfg.bound_ms or "2000") * 1000
   local h = {["content-type"] = "multipart/form-data; boundary=" .. BOUNDARY}
   for _, line in ipairs(my_lines(cfg.users)) do
      local email, password = string.match(line, "^(%S+)%s+(%S+)$")
      local body = multipart({{"email", email}, {"password", password},
                              {"game_id", cfg.game_id}, {"game_token", cfg.game_token}})
      table.insert(reqs, wrk.format("POST", "/api/v3/sessions", h, body))
   end
   assert(#reqs > 0, "no users for this thread")
end

function scenario_request()
   i = i % #reqs + 1
   t0 = now_us()
   return reqs[i]
end

function scenario_response(status, headers, body)
   local us = t0 and (now_us() - t0)
   if status == 200 then
      count("signins")
      record_latency("signin", us)
      if us and us > bound_us then count("signin_over_bound") end
      return string.find(body, '"authentication_token":"', 1, true) ~= nil
   end
   record_latency("signin_refused", us)
   shed(status, headers)
   return false
end
