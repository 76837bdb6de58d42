-- Builds SendGrid-shaped webhook bodies from events.template.jsonl, cheaply
-- enough to give every request distinct events inside wrk.
--
-- The template holds one compact event per line with placeholders:
--   @P@  per-request unique prefix (goes into sg_event_id, sg_message_id, smtp-id)
--   @N@  event index inside the batch (1..batch)
--   @M@  message index inside the batch: events come in groups of 4 per email
--        (a lifecycle such as processed/delivered/open/click), so partition
--        keys vary within and across requests
--   @T@  event time, unix seconds (fixed at start, a few minutes in the past)
-- A batch cycles through the template lines. @N@, @M@ and @T@ are filled in
-- once; the body is then split at every @P@ so a request costs one
-- table.concat with the prefix slots overwritten. Framing is SendGrid's:
-- "[" .. e1 .. ",\r\n" .. e2 .. ... .. "]\r\n" (i.e. "},\r\n{" between events).
--
-- bench/ingest/sign-bodies.mjs reads the same template, so signed and
-- unsigned runs post the same events.
local M = {}

local function script_dir()
  local src = debug.getinfo(1, "S").source
  return (src:match("^@(.*/)") or "./")
end

function M.read_template(path)
  path = path or (os.getenv("BENCH_TEMPLATE") or (script_dir() .. "events.template.jsonl"))
  local f = assert(io.open(path, "rb"), "cannot open event template " .. path)
  local lines = {}
  for line in f:lines() do
    line = line:gsub("\r$", "")
    if line:match("%S") then lines[#lines + 1] = line end
  end
  f:close()
  assert(#lines > 0, "empty event template " .. path)
  return lines
end

-- Returns a builder for `batch` events: builder(prefix) -> string. With
-- `head_for` (a function of the body length returning the request head),
-- the builder returns head .. body in one concat: the caller then keeps
-- every prefix the same length so Content-Length never changes (wrk.format
-- per request would copy the whole body a second time).
function M.batch_builder(batch, timestamp, lines, head_for, prefix_len)
  lines = lines or M.read_template()
  local events = {}
  for n = 1, batch do
    local line = lines[(n - 1) % #lines + 1]
    line = line:gsub("@N@", tostring(n))
    line = line:gsub("@M@", tostring(math.floor((n - 1) / 4)))
    line = line:gsub("@T@", tostring(timestamp))
    events[n] = line
  end
  local whole = "[" .. table.concat(events, ",\r\n") .. "]\r\n"

  -- Split at @P@: parts[odd] are static text, parts[even] are prefix slots.
  local parts, slots = {}, {}
  local pos = 1
  while true do
    local s, e = whole:find("@P@", pos, true)
    if not s then break end
    parts[#parts + 1] = whole:sub(pos, s - 1)
    parts[#parts + 1] = ""
    slots[#slots + 1] = #parts
    pos = e + 1
  end
  parts[#parts + 1] = whole:sub(pos)

  local nslots = #slots
  if head_for then
    local body_len = #whole - 3 * nslots + prefix_len * nslots
    table.insert(parts, 1, head_for(body_len))
    for i = 1, nslots do slots[i] = slots[i] + 1 end
  end
  return function(prefix)
    for i = 1, nslots do parts[slots[i]] = prefix end
    return table.concat(parts)
  end
end

-- Base-36 text of a non-negative integer: short, URL-safe prefixes;
-- left-padded with zeros to `width` when given.
function M.base36(n, width)
  local digits = "0123456789abcdefghijklmnopqrstuvwxyz"
  local out = {}
  repeat
    local d = n % 36
    table.insert(out, 1, digits:sub(d + 1, d + 1))
    n = math.floor(n / 36)
  until n == 0
  local s = table.concat(out)
  if width and #s < width then s = string.rep("0", width - #s) .. s end
  return s
end

return M
