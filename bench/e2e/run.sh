#!/usr/bin/env bash
# End-to-end benchmark (docs/benchmarks.md, "End to end"): ingest + delivery
# + analytics in one `mailpulse serve` on this machine, under wrk load, with
# delivery to the local lake. Answers issue #3's questions: the sustained
# event rate at which delivery keeps up (lag stays flat), and the
# event-to-object latency at the configured flush interval.
#
# For each connection count: a fresh data dir, wrk posts distinct
# SendGrid-shaped 100-event batches (bench/ingest/webhook.lua) for
# E2E_DURATION s while /metrics is sampled every second (delivery lag in
# records and seconds); then the load stops and the time to drain the lag to
# zero is measured. "Flat" means the lag at the end of the load is no larger
# than its maximum over the first half of the run (it did not keep growing).
#
# Environment: MAILPULSE_BIN [build/mailpulse], E2E_DURATION [20],
#   E2E_CONNS ["4 16"], E2E_FLUSH [the server default, 60], E2E_ENCODING [jsonl.gz],
#   E2E_BATCH [100], E2E_ROLES [ingest,deliver,analytics] (serve --roles),
#   E2E_STREAM [the embedded log] (serve --stream, e.g. kafka://...; bench/kafka/run.sh)
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
BIN="${MAILPULSE_BIN:-$ROOT/build/mailpulse}"
DURATION="${E2E_DURATION:-20}"
CONNS="${E2E_CONNS:-4 16}"
FLUSH="${E2E_FLUSH:-60}"
ENCODING="${E2E_ENCODING:-jsonl.gz}"
BATCH="${E2E_BATCH:-100}"
ROLES="${E2E_ROLES:-ingest,deliver,analytics}"
STREAM_ARGS=()
[[ -n "${E2E_STREAM:-}" ]] && STREAM_ARGS=(--stream "$E2E_STREAM")
TMP="$(mktemp -d "${TMPDIR:-/tmp}/mailpulse-e2e.XXXXXX")"
PID=""
cleanup() { [[ -n "$PID" ]] && kill "$PID" 2>/dev/null; wait 2>/dev/null; rm -rf "$TMP"; }
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
# metric NAME [LABEL_FILTER]: sum over series (or max with MAX=1)
metric() {
  curl -s "http://127.0.0.1:$PORT/metrics" | awk -v n="$1" -v f="${2:-}" -v mx="${MAX:-0}" '
    $1 ~ "^"n"({|$)" && index($1, f) { v = $2 + 0; if (mx) { if (v > s) s = v } else s += v }
    END { printf "%.0f", s }'
}
hist_quantile() {  # NAME LABEL Q -> upper bound of the bucket holding quantile Q
  curl -s "http://127.0.0.1:$PORT/metrics" | awk -v n="$1_bucket" -v f="$2" -v q="$3" '
    index($1, n"{") == 1 && index($1, f) { match($1, /le="[^"]+"/); le = substr($1, RSTART + 4, RLENGTH - 5);
      b[++k] = le; c[k] = $2 + 0 }
    END { t = c[k]; if (t == 0) { print "n/a"; exit } for (i = 1; i <= k; i++) if (c[i] >= q * t) { print b[i]; exit } }'
}

echo "| conns | flush s | encoding | events/s acked | events/s delivered (load) | lag max 1st half | lag at end | drain s | latency p50 s | latency p99 s | accepted = lake |"
echo "|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|---|"
for c in $CONNS; do
  rm -rf "$TMP/data"; PORT="$(free_port)"
  "$BIN" serve --listen "127.0.0.1:$PORT" --data-dir "$TMP/data" --allow-unsigned --log-level warn \
    --flush-interval "$FLUSH" --lake-encoding "$ENCODING" --roles "$ROLES" "${STREAM_ARGS[@]}" >"$TMP/server.log" 2>&1 &
  PID=$!
  for _ in $(seq 100); do curl -sf "http://127.0.0.1:$PORT/readyz" >/dev/null && break; sleep 0.1; done
  BENCH_BATCH="$BATCH" BENCH_NONCE="e$c$(date +%s)" wrk -t1 -c"$c" -d"${DURATION}s" --timeout 10s \
    -s "$ROOT/bench/ingest/webhook.lua" "http://127.0.0.1:$PORT/v1/webhooks/sendgrid" >"$TMP/wrk.txt" 2>&1 &
  WRK=$!
  t0=$(date +%s.%N); half_max=0; samples=0; d0=$(metric mailpulse_delivery_records_total 'source="events"')
  while kill -0 "$WRK" 2>/dev/null; do
    sleep 1; samples=$((samples + 1))
    lag=$(metric mailpulse_delivery_lag_records 'source="events"')
    if (( samples <= DURATION / 2 )) && (( lag > half_max )); then half_max=$lag; fi
    last_lag=$lag
  done
  wait "$WRK" || true
  t1=$(date +%s.%N)
  accepted=$(metric mailpulse_events_total 'outcome="accepted"')
  delivered=$(metric mailpulse_delivery_records_total 'source="events"')
  end_lag=$(metric mailpulse_delivery_lag_records 'source="events"')
  # drain: wait until every accepted event is in the lake
  for _ in $(seq 1200); do
    (( $(metric mailpulse_delivery_records_total 'source="events"') >= accepted )) && break; sleep 0.25
  done
  t2=$(date +%s.%N)
  final=$(metric mailpulse_delivery_records_total 'source="events"')
  p50=$(hist_quantile mailpulse_delivery_latency_seconds 'source="events"' 0.5)
  p99=$(hist_quantile mailpulse_delivery_latency_seconds 'source="events"' 0.99)
  awk -v c="$c" -v f="$FLUSH" -v e="$ENCODING" -v a="$accepted" -v d="$delivered" -v d0="$d0" -v t0="$t0" -v t1="$t1" -v t2="$t2" \
      -v hm="$half_max" -v el="$end_lag" -v p50="$p50" -v p99="$p99" -v fin="$final" 'BEGIN {
    printf "| %d | %d | %s | %.0f | %.0f | %d | %d | %.1f | %s | %s | %s |\n", c, f, e, a / (t1 - t0), (d - d0) / (t1 - t0),
      hm, el, t2 - t1, p50, p99, (fin == a ? "yes (" a ")" : "NO: " fin " of " a) }'
  kill "$PID"; wait "$PID" 2>/dev/null || true; PID=""
done
