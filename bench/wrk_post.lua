-- wrk script: POST the JSON body in $BENCH_BODY with the headers the gateway needs. With
-- $BENCH_DELAY_MS each connection pauses between requests, so the offered rate is fixed
-- (connections / delay) and latency is measured below saturation instead of as queueing.
wrk.method = "POST"
wrk.body = os.getenv("BENCH_BODY")
wrk.headers["Content-Type"] = "application/json"
local token = os.getenv("BENCH_TOKEN")
if token and #token > 0 then wrk.headers["Authorization"] = "Bearer " .. token end
local pause = tonumber(os.getenv("BENCH_DELAY_MS") or "0")
if pause > 0 then
  function delay() return pause end
end
