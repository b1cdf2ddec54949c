-- wrk script: POST the JSON body in $BENCH_BODY with the headers the gateway needs. With
-- $BENCH_DELAY_MS each connection pauses between requests, so the offered rate is fixed
-- (connections / mean pause) and latency is measured below saturation instead of as queueing.
-- Each pause is drawn from an exponential distribution with that mean, as independent users
-- would arrive: equal pauses keep the connections in step, so every request would land in a
-- burst of 32 and wait for the other 31.
wrk.method = "POST"
wrk.body = os.getenv("BENCH_BODY")
wrk.headers["Content-Type"] = "application/json"
-- "{n}" in the body becomes a number no other request of any run has sent ($BENCH_RUN names the
-- run): every chat turn carries a new message, so moderation checks each one as it would a real
-- user's, instead of finding the text among those it has already passed.
local template = wrk.body
local unique = template ~= nil and template:find("{n}", 1, true) ~= nil
local run = os.getenv("BENCH_RUN") or tostring(os.time())
local sent = 0
-- $BENCH_TOKEN holds one session token, or several separated by spaces: then the requests go
-- round the users in turn, as traffic from many people does (each made once, up front).
local tokens = {}
for token in string.gmatch(os.getenv("BENCH_TOKEN") or "", "%S+") do tokens[#tokens + 1] = token end
if #tokens == 1 then wrk.headers["Authorization"] = "Bearer " .. tokens[1] end
if #tokens > 1 or unique then
  -- The same body every time: each user's request is made once, up front.
  local prepared, turn = {}, 0
  if not unique then
    function init(args)
      for i, token in ipairs(tokens) do
        wrk.headers["Authorization"] = "Bearer " .. token
        prepared[i] = wrk.format()
      end
    end
  end
  function request()
    if #tokens > 1 then
      turn = turn % #tokens + 1
      if not unique then return prepared[turn] end
      wrk.headers["Authorization"] = "Bearer " .. tokens[turn]
    end
    sent = sent + 1
    return wrk.format(nil, nil, nil, (template:gsub("{n}", run .. "-" .. sent)))
  end
end
local pause = tonumber(os.getenv("BENCH_DELAY_MS") or "0")
if pause > 0 then
  math.randomseed(os.time())
  function delay() return math.floor(-pause * math.log(1 - math.random()) + 0.5) end
end
