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

local threads = {}

function setup(thread)
   thread:set("tid", #threads)
   table.insert(threads, thread)
end

-- Per-thread state (each wrk thread has its own Lua state).
statuses = {}     -- "200" -> n
counters = {}     -- scenario counters, name -> n
cfg = {}

function count(name, n)
   counters[name] = (counters[name] or 0) + (n or 1)
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
      threads = #threads,
   }
   io.write("BENCH_JSON " .. json(out) .. "\n")
end
