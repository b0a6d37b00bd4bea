-- common.lua: the part every scenario shares. bench/run concatenates this file and one
-- scenario file (lua/<name>.lua) into the script it hands to wrk, so a scenario file only
-- defines:
--
--   scenario_init(cfg)        optional; runs once per wrk thread. cfg holds the k=v
--                             arguments bench/run passes after `--` (all strings) plus
--                             cfg.tid (0-based thread number) and cfg.nthreads.
--   scenario_request()        required; returns one request (use wrk.format).
--   scenario_response(status, headers, body)
--                             optional; called for every response. Return false when a
--                             2xx response is not what the scenario expects (it is then
--                             counted as "unexpected_body"). Default: every 2xx is fine.
--
-- Per thread it counts responses by status, and scenario counters (count(name)); done()
-- sums them over all threads and prints one line "BENCH_JSON {...}" that bench/run reads.
--
-- Scenarios that mix request kinds (i3d-login: a login, then a logout) time the kind they
-- measure themselves: now_us() (CLOCK_MONOTONIC through LuaJIT's ffi) when the request is
-- built and record_latency(kind, now_us() - t0) in scenario_response(); done() reports
-- count and percentiles per kind under "kinds". This is the time from building the request
-- to its response, on a connection that has nothing else in flight (such scenarios run one
-- connection per wrk thread), so it matches wrk's own figure within a few microseconds.

local threads = {}

function setup(thread)
   thread:set("tid", #threads)
   table.insert(threads, thread)
end

-- Per-thread state (each wrk thread has its own Lua state).
statuses = {}     -- "200" -> n
counters = {}     -- scenario counters, name -> n
cfg = {}

-- record_latency(kind, us) keeps the list of microseconds in the global "lat_<kind>" and
-- the kind's name in latency_kinds: done() copies them out of each thread with thread:get,
-- which copies flat tables only (Debian's wrk 4.1.0 crashes copying nested ones).
latency_kinds = {}  -- kind -> true

function count(name, n)
   counters[name] = (counters[name] or 0) + (n or 1)
end

local ffi_ok, ffi = pcall(require, "ffi")
local clock_ts
if ffi_ok then
   ffi.cdef[[
      typedef struct { long tv_sec; long tv_nsec; } bench_timespec;
      int clock_gettime(int clk_id, bench_timespec *tp);
   ]]
   clock_ts = ffi.new("bench_timespec")
end

-- Monotonic clock in microseconds (nil without LuaJIT's ffi).
function now_us()
   if not clock_ts then return nil end
   ffi.C.clock_gettime(1, clock_ts) -- CLOCK_MONOTONIC
   return tonumber(clock_ts.tv_sec) * 1000000 + tonumber(clock_ts.tv_nsec) / 1000
end

function record_latency(kind, us)
   if not us then return end
   local name = "lat_" .. kind
   local l = _G[name]
   if not l then
      l = {}
      _G[name] = l
      latency_kinds[kind] = true
   end
   l[#l + 1] = us
end

function init(args)
   for _, a in pairs(args) do
      local k, v = string.match(a, "^([%w_]+)=(.*)$")
      if k then cfg[k] = v end
   end
   cfg.tid = tid
   cfg.nthreads = tonumber(cfg.nthreads or "1")
   if cfg.client_id then wrk.headers["x-client-id"] = cfg.client_id end
   if cfg.client_secret then wrk.headers["x-client-secret"] = cfg.client_secret end
   wrk.headers["content-type"] = "application/json"
   math.randomseed(os.time() * 1000 + tid * 7919 + (tonumber(cfg.seed or "0") or 0))
   for _ = 1, 10 do math.random() end
   if scenario_init then scenario_init(cfg) end
end

function request()
   return scenario_request()
end

function response(status, headers, body)
   local key = tostring(status)
   statuses[key] = (statuses[key] or 0) + 1
   if scenario_response then
      local ok = scenario_response(status, headers, body)
      if ok == false and status >= 200 and status < 300 then
         count("unexpected_body")
      end
   end
end

-- Reads a text file into a list of lines (used by scenarios with seeded data).
function read_lines(path)
   local lines = {}
   local f = assert(io.open(path, "r"))
   for line in f:lines() do
      if line ~= "" then table.insert(lines, line) end
   end
   f:close()
   return lines
end

-- Load shedding met as a well-behaved client meets it: a 429 or 503 is counted "shed" (and
-- "shed_retry_after" with a Retry-After header), and this connection then waits that long
-- (plus up to 0.5 s of jitter) before its next request, unless cfg.retry is "immediate" (a
-- flood that ignores Retry-After). Defines wrk's delay() (called before every request, so
-- only scenarios that call this have it) and returns the function to give each response.
function obey_retry_after()
   local next_delay_ms = 0
   function delay()
      local d = next_delay_ms
      next_delay_ms = 0
      return d
   end
   return function(status, headers)
      if status == 429 or status == 503 then
         count("shed")
         local ra = headers["Retry-After"] or headers["retry-after"]
         if ra then count("shed_retry_after") end
         if cfg.retry ~= "immediate" then
            next_delay_ms = (tonumber(ra or "1") or 1) * 1000 + math.random(0, 500)
         end
      end
   end
end

-- Defines the hooks of a read scenario: each request is a random one of those built, by
-- build(line), from the lines of the seed file cfg[file], and a response counts as a
-- success when its body contains `needle`.
function random_request_scenario(file, build, needle)
   local reqs = {}
   function scenario_init(cfg)
      for _, line in ipairs(read_lines(cfg[file])) do
         table.insert(reqs, build(line))
      end
   end
   function scenario_request()
      return reqs[math.random(1, #reqs)]
   end
   function scenario_response(status, headers, body)
      return string.find(body, needle, 1, true) ~= nil
   end
end

-- The lines of a seed file this thread owns (line i goes to thread i % nthreads), so
-- threads never share a row (refresh tokens must not be used by two threads).
function my_lines(path)
   local mine, i = {}, 0
   for _, line in ipairs(read_lines(path)) do
      if i % cfg.nthreads == cfg.tid then table.insert(mine, line) end
      i = i + 1
   end
   return mine
end

local function json(v)
   local t = type(v)
   if t == "table" then
      local parts = {}
      for k, x in pairs(v) do
         table.insert(parts, string.format("%q", tostring(k)) .. ":" .. json(x))
      end
      table.sort(parts)
      return "{" .. table.concat(parts, ",") .. "}"
   elseif t == "number" then
      if v ~= v or v == math.huge or v == -math.huge then return "null" end
      return string.format("%.17g", v)
   elseif t == "boolean" then
      return tostring(v)
   elseif t == "nil" then
      return "null"
   end
   return string.format("%q", tostring(v))
end

function done(summary, latency, requests)
   local all_statuses, all_counters = {}, {}
   for _, t in ipairs(threads) do
      for k, n in pairs(t:get("statuses") or {}) do
         all_statuses[k] = (all_statuses[k] or 0) + n
      end
      for k, n in pairs(t:get("counters") or {}) do
         all_counters[k] = (all_counters[k] or 0) + n
      end
   end
   local pct = {}
   for _, p in ipairs({50, 75, 90, 99, 99.9, 99.99}) do
      pct[tostring(p)] = latency:percentile(p)
   end
   local merged = {}
   for _, t in ipairs(threads) do
      for kind, _ in pairs(t:get("latency_kinds") or {}) do
         local m = merged[kind] or {}
         merged[kind] = m
         for _, us in ipairs(t:get("lat_" .. kind) or {}) do m[#m + 1] = us end
      end
   end
   local kinds = {}
   for kind, m in pairs(merged) do
      table.sort(m)
      local sum = 0
      for _, us in ipairs(m) do sum = sum + us end
      local kp = {}
      for _, p in ipairs({50, 75, 90, 99, 99.9, 99.99}) do
         -- nearest rank
         local i = math.max(1, math.min(#m, math.ceil(p / 100 * #m)))
         kp[tostring(p)] = m[i]
      end
      kinds[kind] = {count = #m, min = m[1], max = m[#m], mean = sum / #m, percentiles = kp}
   end
   local out = {
      duration_us = summary.duration,
      requests = summary.requests,
      bytes = summary.bytes,
      errors = summary.errors,
      latency_us = {
         min = latency.min, max = latency.max, mean = latency.mean, stdev = latency.stdev,
         percentiles = pct,
      },
      statuses = all_statuses,
      counters = all_counters,
      kinds = kinds,
      threads = #threads,
   }
   io.write("BENCH_JSON " .. json(out) .. "\n")
end
