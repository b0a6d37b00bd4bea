-- healthz: GET /healthz, the HTTP stack's ceiling on this machine.
local req

function scenario_init(cfg)
   req = wrk.format("GET", "/healthz", {})
end

function scenario_request()
   return req
end

function scenario_response(status, headers, body)
   return body == "ok"
end
