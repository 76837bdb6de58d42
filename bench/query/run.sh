#!/usr/bin/env bash
# Query benchmark (docs/benchmarks.md, "Query"): builds a lake the way users
# get one — the simulator's SendGrid traffic into `mailpulse serve`, delivered
# as gzip JSON lines in the default Hive-style layout — then asks the same
# questions of `mailpulse query` and of DuckDB (bench/query/compare.mjs).
#
# Environment: MAILPULSE_BIN [build/mailpulse], QUERY_EVENTS [1000000],
#   QUERY_THREADS [2], QUERY_REPEATS [3], QUERY_LAKE (reuse a lake: skips the build),
#   QUERY_KEEP_LAKE (move the built lake there and keep it)
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
BIN="${MAILPULSE_BIN:-$ROOT/build/mailpulse}"
EVENTS="${QUERY_EVENTS:-1000000}"
TMP="$(mktemp -d "${TMPDIR:-/tmp}/mailpulse-qbench.XXXXXX")"
PID=""
cleanup() { [[ -n "$PID" ]] && kill "$PID" 2>/dev/null; wait 2>/dev/null; rm -rf "$TMP"; }
trap cleanup EXIT

LAKE="${QUERY_LAKE:-}"
[[ -n "$LAKE" ]] && LAKE="$(cd "$LAKE" && pwd)"  # relative to where the script was called
if [[ -z "$LAKE" ]]; then
  PORT="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
  "$BIN" serve --listen "127.0.0.1:$PORT" --data-dir "$TMP/data" --allow-unsigned --log-level warn \
    --roles ingest,deliver --flush-interval 5 --buffer-size 64MiB >"$TMP/server.log" 2>&1 &
  PID=$!
  for _ in $(seq 100); do curl -sf "http://127.0.0.1:$PORT/readyz" >/dev/null && break; sleep 0.1; done
  "$BIN" simulate --url "http://127.0.0.1:$PORT/v1/webhooks/sendgrid" --unsigned --rate 0 \
    --total-events "$EVENTS" --campaigns 20 --batch-size 1000 --connections 4 --duplicates 0 \
    --missing-ids 0 >"$TMP/sim.log" 2>&1
  accepted() { curl -s "http://127.0.0.1:$PORT/metrics" | awk '$1 ~ /^mailpulse_events_total/ && /outcome="accepted"/ {s+=$2} END {printf "%d", s}'; }
  delivered() { curl -s "http://127.0.0.1:$PORT/metrics" | awk '$1 ~ /^mailpulse_delivery_records_total/ && /source="events"/ {s+=$2} END {printf "%d", s}'; }
  for _ in $(seq 600); do (( $(delivered) >= $(accepted) )) && break; sleep 0.5; done
  echo "lake built: $(accepted) events accepted, $(delivered) delivered" >&2
  kill "$PID"; wait "$PID" 2>/dev/null || true; PID=""
  LAKE="$TMP/data/lake"
  if [[ -n "${QUERY_KEEP_LAKE:-}" ]]; then
    mkdir -p "$(dirname "$QUERY_KEEP_LAKE")"; mv "$TMP/data/lake" "$QUERY_KEEP_LAKE"
    LAKE="$(cd "$QUERY_KEEP_LAKE" && pwd)"
  fi
fi
cd "$ROOT"
MAILPULSE_BIN="$BIN" node bench/query/compare.mjs "$LAKE" "${QUERY_THREADS:-2}" "${QUERY_REPEATS:-3}"
