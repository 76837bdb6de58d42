-- wrk script: POST SendGrid-shaped batches with distinct events to a webhook.
-- Every request carries new sg_event_ids and sg_message_ids (prefix =
-- run nonce + wrk thread + request counter), so a deduplicating receiver
-- has to make every event durable.
--
-- Configured by environment (wrk passes script args only to the thread
-- states, but the setup/done state needs them too):
--   BENCH_BATCH     events per request (default 100)
--   BENCH_NONCE     URL-safe text unique to this wrk run (default: time)
--   BENCH_DELAY_MS  pause in ms before each request on a connection (default 0)
-- Path and Content-Type: the URL given to wrk; application/json.
local dir = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
package.path = dir .. "?.lua;" .. package.path
local events = require("events")
local report = require("report")

local batch = tonumber(os.getenv("BENCH_BATCH") or "100")
local nonce = os.getenv("BENCH_NONCE") or events.base36(os.time())
local delay_ms = tonumber(os.getenv("BENCH_DELAY_MS") or "0")

report.install(batch)

local build, counter, thread_tag
local COUNTER_WIDTH = 6  -- base 36: 2.1e9 requests per thread before the width grows

-- Request head for a body of `len` bytes; every request has the same length
-- because the prefix width is fixed.
local function head_for(len)
  return "POST " .. wrk.path .. " HTTP/1.1\r\n" ..
         "Host: " .. wrk.host .. (wrk.port and (":" .. wrk.port) or "") .. "\r\n" ..
         "Content-Type: application/json\r\n" ..
         "User-Agent: SendGrid Event API\r\n" ..
         "Content-Length: " .. tostring(len) .. "\r\n\r\n"
end

function init(_)
  counter = 0
  thread_tag = nonce .. "t" .. events.base36(thread_id or 0, 2) .. "r"
  local prefix_len = #thread_tag + COUNTER_WIDTH + 1
  build = events.batch_builder(batch, os.time() - 300, nil, head_for, prefix_len)
end

function request()
  counter = counter + 1
  return build(thread_tag .. events.base36(counter, COUNTER_WIDTH) .. "-")
end

if delay_ms > 0 then
  function delay() return delay_ms end
end
