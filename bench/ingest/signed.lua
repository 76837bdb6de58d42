-- wrk script: cycle through bodies pre-signed by sign-bodies.mjs, sending
-- SendGrid's signature headers, to measure the cost of verification.
-- Bodies repeat once the set is exhausted (the server then answers them as
-- duplicates); report.lua counts accepted vs duplicates so the run says
-- which case it measured.
--
-- Environment: BENCH_SIGNED_FILE (required), BENCH_BATCH (events per body,
-- for the events/s figure), BENCH_UNSIGNED=1 sends the same bodies without
-- the signature headers (the baseline for the same bytes).
local dir = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
package.path = dir .. "?.lua;" .. package.path
local report = require("report")

local batch = tonumber(os.getenv("BENCH_BATCH") or "100")
local file = assert(os.getenv("BENCH_SIGNED_FILE"), "BENCH_SIGNED_FILE is not set")
local unsigned = os.getenv("BENCH_UNSIGNED") == "1"

report.install(batch)

local requests_, index

function init(_)
  local f = assert(io.open(file, "rb"))
  requests_ = {}
  while true do
    local head = f:read("*l")
    if not head or head == "" then break end
    local ts, sig, len = head:match("^(%d+) (%S+) (%d+)$")
    assert(ts, "bad record header in " .. file)
    local body = f:read(tonumber(len))
    f:read(1)  -- the "\n" after the body
    local headers = {["Content-Type"] = "application/json", ["User-Agent"] = "SendGrid Event API"}
    if not unsigned then
      headers["X-Twilio-Email-Event-Webhook-Signature"] = sig
      headers["X-Twilio-Email-Event-Webhook-Timestamp"] = ts
    end
    requests_[#requests_ + 1] = wrk.format("POST", nil, headers, body)
  end
  f:close()
  assert(#requests_ > 0, "no signed bodies in " .. file)
  -- Threads start at different offsets so they do not send the same body together.
  index = ((thread_id or 1) - 1) * math.floor(#requests_ / 4)
end

function request()
  index = index % #requests_ + 1
  return requests_[index]
end
