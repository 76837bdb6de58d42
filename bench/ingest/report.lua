-- Shared wrk callbacks: count what the server answered and print one
-- machine-readable line that bench/ingest/run.sh turns into the table.
--
-- Each wrk thread has its own Lua state, so per-thread counters live in
-- globals; done() (which runs in the setup state) collects them through the
-- thread objects kept by setup().
--
-- install(batch) defines the globals setup/response/done; `batch` is the
-- number of events per request (used for events_sent).
local M = {}

function M.install(batch)
  local threads = {}
  local next_id = 0

  _G.setup = function(thread)
    next_id = next_id + 1
    thread:set("thread_id", next_id)
    threads[#threads + 1] = thread
  end

  -- Per-thread counters (globals so thread:get can read them).
  _G.ok_responses, _G.bad_responses, _G.unparsed = 0, 0, 0
  _G.accepted, _G.duplicates, _G.rejected = 0, 0, 0
  _G.first_bad = ""

  _G.response = function(status, _, body)
    if status ~= 200 then
      bad_responses = bad_responses + 1
      if first_bad == "" then first_bad = tostring(status) .. " " .. (body or ""):sub(1, 200) end
      return
    end
    ok_responses = ok_responses + 1
    local a = body:match('"accepted"%s*:%s*(%d+)')
    if not a then
      unparsed = unparsed + 1
      return
    end
    accepted = accepted + tonumber(a)
    duplicates = duplicates + tonumber(body:match('"duplicates"%s*:%s*(%d+)') or 0)
    rejected = rejected + tonumber(body:match('"rejected"%s*:%s*(%d+)') or 0)
  end

  _G.done = function(summary, latency, _)
    local t = {ok = 0, bad = 0, unparsed = 0, accepted = 0, duplicates = 0, rejected = 0}
    local first_bad = ""
    for _, th in ipairs(threads) do
      t.ok = t.ok + th:get("ok_responses")
      t.bad = t.bad + th:get("bad_responses")
      t.unparsed = t.unparsed + th:get("unparsed")
      t.accepted = t.accepted + th:get("accepted")
      t.duplicates = t.duplicates + th:get("duplicates")
      t.rejected = t.rejected + th:get("rejected")
      if first_bad == "" then first_bad = th:get("first_bad") end
    end
    local secs = summary.duration / 1e6
    local e = summary.errors
    -- Flat key=value pairs; values never contain spaces except first_bad (last).
    io.write(string.format(
      "BENCH_RESULT seconds=%.3f requests=%d ok=%d bad=%d unparsed=%d batch=%d events_sent=%d " ..
      "accepted=%d duplicates=%d rejected=%d rps=%.1f eps=%.1f p50_ms=%.3f p90_ms=%.3f " ..
      "p99_ms=%.3f max_ms=%.3f err_connect=%d err_read=%d err_write=%d err_status=%d " ..
      "err_timeout=%d first_bad=%s\n",
      secs, summary.requests, t.ok, t.bad, t.unparsed, batch, t.ok * batch,
      t.accepted, t.duplicates, t.rejected, summary.requests / secs,
      t.ok * batch / secs, latency:percentile(50) / 1000, latency:percentile(90) / 1000,
      latency:percentile(99) / 1000, latency.max / 1000, e.connect, e.read, e.write, e.status,
      e.timeout, (first_bad:gsub("%s+", "_"))))
  end
end

return M
