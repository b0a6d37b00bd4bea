-- i3d-login: POST /v3/session/login with a password (no 2FA), then POST /v3/session/logout,
-- over and over. An API key holds at most one login, so the script runs with ONE
-- CONNECTION PER WRK THREAD (bench/run sets -t = -c) and each thread owns one API key
-- (line <tid> of cfg.keys) and one account (line <tid mod n> of cfg.accounts, lines
-- "<userName> <password>"). A connection has at most one request in flight, so request()
-- and response() strictly alternate within a thread and the key's state is always known:
-- logged out -> login; logged in -> logout. Every login is therefore valid (never a 409).
--
-- What is measured is the login: it is counted ("logins"), and timed on its own with
-- record_latency("login", ...), so bench/run reports logins/s and the login latency
-- percentiles; wrk's own totals mix in the logouts (one per login, cheap).
--
-- Self-healing, for the case a response is lost (a socket error makes wrk reconnect and
-- call request() again without a response()): counted "lost_response" (not before the
-- first response: wrk 4.1 calls request() once on the last thread's state to check the
-- script, and never sends that request); a later 409 to a
-- login means the key was logged in (state flips, counted "resync_409"), a 404 ("Not
-- logged in") to a logout that it was not.
--
-- Load shedding: a 429 or 503 to a login is counted "shed" and, if it carried
-- Retry-After, "shed_retry_after"; the connection then waits Retry-After (see delay()
-- below). Logins slower than cfg.bound_ms (default 2000) are counted "login_over_bound".
local key, user, password
local logged_in = false
local pending = nil    -- "login" / "logout" while a request is in flight
local responses = 0    -- wrk calls request() once at start-up without sending it (to check
                       -- the script), so a missing response only counts after the first one
local t0
local bound_us
local login_req, logout_req

local function json_str(s)
   return '"' .. s:gsub('\\', '\\\\'):gsub('"', '\\"') .. '"'
end

function scenario_init(cfg)
   local keys = read_lines(cfg.keys)
   local accounts = read_lines(cfg.accounts)
   key = assert(keys[cfg.tid + 1], "fewer API keys than wrk threads")
   local line = accounts[(cfg.tid % #accounts) + 1]
   user, password = string.match(line, "^(%S+)%s+(%S+)$")
   bound_us = tonumber(cfg.bound_ms or "2000") * 1000
   local h = {["PRIVATE-TOKEN"] = key, ["content-type"] = "application/json"}
   login_req = wrk.format("POST", "/v3/session/login", h,
      '{"userName":' .. json_str(user) .. ',"password":' .. json_str(password) .. ',"rememberMe":0}')
   logout_req = wrk.format("POST", "/v3/session/logout", {["PRIVATE-TOKEN"] = key}, nil)
end

function scenario_request()
   if pending and responses > 0 then count("lost_response") end
   if logged_in then
      pending = "logout"
      return logout_req
   end
   pending = "login"
   t0 = now_us()
   return login_req
end

-- 429 / 503 answers: counted, and obeyed as a well-behaved client does (common.lua).
local shed = obey_retry_after()

function scenario_response(status, headers, body)
   local kind = pending
   pending = nil
   responses = responses + 1
   if kind == "login" then
      local us = t0 and (now_us() - t0)
      if status == 200 then
         logged_in = true
         count("logins")
         record_latency("login", us)
         if us and us > bound_us then count("login_over_bound") end
         return string.find(body, '"requiresOtp":false', 1, true) ~= nil
      end
      record_latency("login_refused", us)
      if status == 409 then
         logged_in = true
         count("resync_409")
      end
      shed(status, headers)
      return false
   elseif kind == "logout" then
      if status == 204 then
         count("logouts")
      elseif status == 404 then
         count("resync_404")
      end
      logged_in = false
      return status == 204
   end
   return true
end
