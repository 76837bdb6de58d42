#!/usr/bin/env bash
# Kinesis backend benchmark (docs/benchmarks.md, "Kinesis stream backend"):
# `mailpulse serve --roles ingest --stream kinesis://...` against kinesalite
# (npm; a TEST server written in JavaScript, in memory: the figures measure
# mailpulse's batching against that server on this machine, not what real
# Kinesis would sustain), under wrk posting distinct 100-event batches.
#
# Reports events/s acknowledged (2xx), PutRecords requests and records sent,
# records per request, failed records, and the load average at the end.
# After the load every record is counted back with the AWS SDK: acknowledged
# events must all be in the stream.
#
# Environment: MAILPULSE_BIN [build/mailpulse], KB_DURATION [15],
#   KB_CONNS ["4 16"], KB_SHARDS [2], KB_SENDERS [4], KB_BATCH [100]
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
BIN="${MAILPULSE_BIN:-$ROOT/build/mailpulse}"
DURATION="${KB_DURATION:-15}"
CONNS="${KB_CONNS:-4 16}"
SHARDS="${KB_SHARDS:-2}"
SENDERS="${KB_SENDERS:-4}"
BATCH="${KB_BATCH:-100}"
TMP="$(mktemp -d "${TMPDIR:-/tmp}/mailpulse-kinesis-bench.XXXXXX")"
PID=""; KPID=""
cleanup() {
  [[ -n "$PID" ]] && kill "$PID" 2>/dev/null
  [[ -n "$KPID" ]] && kill "$KPID" 2>/dev/null
  wait 2>/dev/null; rm -rf "$TMP"
}
trap cleanup EXIT
export AWS_ACCESS_KEY_ID=AKIDKINESALITE AWS_SECRET_ACCESS_KEY=kinesalite-secret AWS_REGION=us-east-1
export NODE_NO_WARNINGS=1

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
metric() {  # NAME [LABEL_FILTER]: sum over series
  curl -s "http://127.0.0.1:$PORT/metrics" | awk -v n="$1" -v f="${2:-}" '
    $1 ~ "^"n"({|$)" && index($1, f) { s += $2 } END { printf "%.0f", s }'
}

echo "| conns | shards | senders | events/s acked | PutRecords req/s | records/request | failed records | acked = in stream | load avg (1 min) |"
echo "|---:|---:|---:|---:|---:|---:|---:|---|---:|"
for c in $CONNS; do
  KPORT="$(free_port)"
  node "$HERE/start-kinesalite.mjs" "$KPORT" >"$TMP/kinesalite.log" 2>&1 &
  KPID=$!
  for _ in $(seq 100); do grep -q "kinesalite at" "$TMP/kinesalite.log" && break; sleep 0.1; done
  EP="http://127.0.0.1:$KPORT"
  node "$HERE/create-stream.mjs" "$EP" events "$SHARDS"
  rm -rf "$TMP/data"; PORT="$(free_port)"
  "$BIN" serve --listen "127.0.0.1:$PORT" --data-dir "$TMP/data" --allow-unsigned --log-level warn \
    --roles ingest --stream "kinesis://events?region=us-east-1&endpoint=$EP&senders=$SENDERS" \
    >"$TMP/server.log" 2>&1 &
  PID=$!
  for _ in $(seq 100); do curl -sf "http://127.0.0.1:$PORT/readyz" >/dev/null && break; sleep 0.1; done
  BENCH_BATCH="$BATCH" BENCH_NONCE="k$c$(date +%s)" wrk -t1 -c"$c" -d"${DURATION}s" --timeout 30s \
    -s "$ROOT/bench/ingest/webhook.lua" "http://127.0.0.1:$PORT/v1/webhooks/sendgrid" >"$TMP/wrk.txt" 2>&1
  load="$(cut -d' ' -f1 /proc/loadavg)"
  accepted=$(metric mailpulse_events_total 'outcome="accepted"')
  reqs=$(metric mailpulse_kinesis_put_records_requests_total 'stream="events"')
  sent=$(metric mailpulse_kinesis_records_sent_total 'stream="events"')
  failed=$(metric mailpulse_kinesis_failed_records_total 'stream="events"')
  non2xx=$(grep -Eo 'Non-2xx or 3xx responses: [0-9]+' "$TMP/wrk.txt" | grep -Eo '[0-9]+$' || echo 0)
  kill "$PID"; wait "$PID" 2>/dev/null || true; PID=""
  in_stream=$(node "$HERE/create-stream.mjs" "$EP" events --count)
  kill "$KPID"; wait "$KPID" 2>/dev/null || true; KPID=""
  eps=$(awk -v a="$accepted" -v d="$DURATION" 'BEGIN { printf "%.0f", a / d }')
  rps=$(awk -v r="$reqs" -v d="$DURATION" 'BEGIN { printf "%.1f", r / d }')
  per=$(awk -v s="$sent" -v r="$reqs" 'BEGIN { printf "%.1f", r ? s / r : 0 }')
  check="$([[ "$in_stream" -ge "$accepted" ]] && echo "yes ($in_stream >= $accepted)" || echo "NO ($in_stream < $accepted)")"
  echo "| $c | $SHARDS | $SENDERS | $eps | $rps | $per | $failed | $check; non-2xx $non2xx | $load |"
done
