#!/usr/bin/env bash
# The ingest benchmark: wrk posts SendGrid-shaped batches over loopback to
#   nginx      (reads and discards the body: the HTTP ceiling),
#   node       (bench/peers/node-receiver.mjs: parse + append, NO fsync),
#   mailpulse  (`serve --allow-unsigned`: a 200 means fsync'd),
# at each batch size and connection count, then for mailpulse: p99 at about
# half its peak rate, and the cost of signature verification.
#
# Writes OUT/results.txt (one key=value line per run), OUT/raw/* (wrk output,
# server logs, /metrics dumps) and OUT/results.md, which is also printed.
# Every process it starts is killed on exit; only 127.0.0.1 is used.
#
# Environment (defaults in brackets):
#   MAILPULSE_BIN   [build/mailpulse]     BENCH_OUT      [bench/results/<utc time>]
#   BENCH_DURATION  [12] s per run         BENCH_WARMUP   [3] s warm-up per server+batch
#   BENCH_CONNS     ["16 32 64"]           BENCH_BATCHES  ["100 1000"]
#   BENCH_SERVERS   ["nginx node mailpulse"]
#   BENCH_HALF_CONNS ["1 2 4 8"] tried in order until the rate reaches half the peak
#   BENCH_HALF_SERVERS ["mailpulse"] servers that get the half-peak runs
#   BENCH_ROLES     [ingest] mailpulse's --roles: issue #2's figures are the
#                   ingest stage alone; "ingest,deliver,analytics" runs the whole
#                   pipeline in the server (see bench/e2e/run.sh for that)
#   BENCH_SIGNED_BODIES [5000] distinct pre-signed bodies of BENCH_SIGNED_BATCH [100] events,
#   sent for BENCH_SIGNED_DURATION [6] s (short, so that few bodies repeat)
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
MAILPULSE_BIN="${MAILPULSE_BIN:-$ROOT/build/mailpulse}"
DURATION="${BENCH_DURATION:-12}"
WARMUP="${BENCH_WARMUP:-3}"
CONNS="${BENCH_CONNS:-16 32 64}"
BATCHES="${BENCH_BATCHES:-100 1000}"
SERVERS="${BENCH_SERVERS:-nginx node mailpulse}"
HALF_CONNS="${BENCH_HALF_CONNS:-1 2 4 8}"
HALF_SERVERS="${BENCH_HALF_SERVERS:-mailpulse}"
SIGNED_BODIES="${BENCH_SIGNED_BODIES:-5000}"
SIGNED_DURATION="${BENCH_SIGNED_DURATION:-6}"
SIGNED_BATCH="${BENCH_SIGNED_BATCH:-100}"
OUT="${BENCH_OUT:-$ROOT/bench/results/$(date -u +%Y%m%dT%H%M%SZ)}"
PATH_WEBHOOK=/v1/webhooks/sendgrid

mkdir -p "$OUT/raw"
RESULTS="$OUT/results.txt"
: >"$RESULTS"
TMP="$(mktemp -d "${TMPDIR:-/tmp}/mailpulse-bench.XXXXXX")"

# --- process bookkeeping: everything started here is stopped on exit --------
SERVER_PID=""
cleanup() {
  stop_server
  rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

log() { echo "[bench] $*" >&2; }

stop_server() {
  [[ -n "$SERVER_PID" ]] || return 0
  kill -TERM "$SERVER_PID" 2>/dev/null || true
  for _ in $(seq 50); do kill -0 "$SERVER_PID" 2>/dev/null || break; sleep 0.1; done
  kill -KILL "$SERVER_PID" 2>/dev/null || true
  wait "$SERVER_PID" 2>/dev/null || true
  SERVER_PID=""
}

free_port() {
  node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'
}

# wait_http URL: until it answers anything, or 20 s; fails if the server died.
wait_http() {
  for _ in $(seq 200); do
    if curl -s -o /dev/null --max-time 1 "$1"; then return 0; fi
    kill -0 "$SERVER_PID" 2>/dev/null || { log "server exited before listening"; return 1; }
    sleep 0.1
  done
  log "server did not answer $1 within 20 s"
  return 1
}

# --- the three servers; each sets SERVER_PID and URL ------------------------
start_nginx() {
  local port dir
  port="$(free_port)"
  dir="$TMP/nginx"
  mkdir -p "$dir"
  sed "s#@PREFIX@#$dir#g; s#@PORT@#$port#g" "$ROOT/bench/peers/nginx.conf.template" >"$dir/nginx.conf"
  nginx -p "$dir" -c "$dir/nginx.conf" -e "$dir/error.log" >"$OUT/raw/nginx.log" 2>&1 &
  SERVER_PID=$!
  URL="http://127.0.0.1:$port$PATH_WEBHOOK"
  wait_http "http://127.0.0.1:$port/"
}

start_node() {
  local port
  port="$(free_port)"
  rm -f "$TMP/node-events.jsonl"
  node "$ROOT/bench/peers/node-receiver.mjs" "$port" "$TMP/node-events.jsonl" >"$OUT/raw/node.log" 2>&1 &
  SERVER_PID=$!
  URL="http://127.0.0.1:$port$PATH_WEBHOOK"
  wait_http "http://127.0.0.1:$port/"
}

# start_mailpulse NAME [extra serve flags...]: a fresh data dir each time.
start_mailpulse() {
  local name="$1" port
  shift
  port="$(free_port)"
  rm -rf "$TMP/data"
  mkdir -p "$TMP/data"
  "$MAILPULSE_BIN" serve --listen "127.0.0.1:$port" --data-dir "$TMP/data" --log-level warn \
    --roles "${BENCH_ROLES:-ingest}" "$@" \
    >"$OUT/raw/mailpulse-$name.log" 2>&1 &
  SERVER_PID=$!
  BASE="http://127.0.0.1:$port"
  URL="$BASE$PATH_WEBHOOK"
  wait_http "$BASE/healthz"
}

# Peak resident set of the running server (kB), before it is stopped.
peak_rss_kb() { awk '/^VmHWM:/ {print $2}' "/proc/$SERVER_PID/status" 2>/dev/null || echo 0; }

# --- one wrk run --------------------------------------------------------------
# run_wrk TAG SERVER BATCH CONNS SECONDS SCRIPT [VAR=VALUE...]
# Appends "tag=.. server=.. conns=.. <BENCH_RESULT fields>" to results.txt
# (unless TAG is "warmup") and echoes that line.
NONCE_SEQ=0
run_wrk() {
  local tag="$1" server="$2" batch="$3" conns="$4" secs="$5" script="$6"
  shift 6
  NONCE_SEQ=$((NONCE_SEQ + 1))
  local nonce raw line
  nonce="$(printf 'r%x%x' "$(date +%s)" "$NONCE_SEQ")"
  raw="$OUT/raw/wrk-$server-$tag-b$batch-c$conns.txt"
  log "$server $tag batch=$batch conns=$conns ${secs}s"
  env BENCH_BATCH="$batch" BENCH_NONCE="$nonce" "$@" \
    timeout $((secs + 60)) wrk -t1 -c"$conns" -d"${secs}s" --timeout 10s --latency \
    -s "$HERE/$script" "$URL" >"$raw" 2>&1 || log "wrk exited with $? (see $raw)"
  line="$(grep '^BENCH_RESULT ' "$raw" | tail -1 | sed 's/^BENCH_RESULT //')"
  if [[ -z "$line" ]]; then
    log "no result from wrk; output:"
    tail -5 "$raw" >&2
    line="requests=0 ok=0 bad=0 rps=0 eps=0 p50_ms=0 p99_ms=0"
  fi
  # 1-minute load average at the end of the run: other work on the machine shows here.
  line="tag=$tag server=$server conns=$conns load1=$(cut -d' ' -f1 /proc/loadavg) $line"
  [[ "$tag" == warmup ]] || echo "$line" >>"$RESULTS"
  echo "$line"
}

field() { tr ' ' '\n' <<<"$2" | awk -F= -v k="$1" '$1 == k { print $2; exit }'; }
fgt() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a > b) }'; }

# --- the runs -------------------------------------------------------------------
# sweep SERVER BATCH: warm-up, then every connection count; sets PEAK_RPS, PEAK_CONNS.
sweep() {
  local server="$1" batch="$2" max_c line rps
  max_c="$(tr ' ' '\n' <<<"$CONNS" | sort -n | tail -1)"
  run_wrk warmup "$server" "$batch" "$max_c" "$WARMUP" webhook.lua >/dev/null
  PEAK_RPS=0
  PEAK_CONNS=0
  for c in $CONNS; do
    line="$(run_wrk peak "$server" "$batch" "$c" "$DURATION" webhook.lua)"
    rps="$(field rps "$line")"
    if fgt "$rps" "$PEAK_RPS"; then PEAK_RPS="$rps"; PEAK_CONNS="$c"; fi
  done
}

# half_rate SERVER BATCH: fewer connections (closed loop) until the rate reaches
# half of PEAK_RPS; every try is recorded, the closest to half is marked.
# (Debian has no wrk2, so there is no open-loop constant-rate run.)
half_rate() {
  local server="$1" batch="$2" target line rps best="" best_diff=1e18 diff
  local -A half=()
  target="$(awk -v p="$PEAK_RPS" 'BEGIN { printf "%.1f", p / 2 }')"
  for c in $HALF_CONNS; do
    [[ "$c" -lt "$PEAK_CONNS" ]] || break
    line="$(run_wrk "half-try" "$server" "$batch" "$c" "$DURATION" webhook.lua)"
    half[$c]="$line"
    rps="$(field rps "$line")"
    diff="$(awk -v a="$rps" -v b="$target" 'BEGIN { d = a - b; print (d < 0 ? -d : d) }')"
    if fgt "$best_diff" "$diff"; then best_diff="$diff"; best="$c"; fi
    fgt "$rps" "$target" && break
  done
  [[ -n "$best" ]] || return 0
  echo "half server=$server batch=$batch conns=$best target_rps=$target peak_rps=$PEAK_RPS" >>"$OUT/half.txt"

  # Second way: the peak's connection count, each connection pausing with
  # wrk's delay() so that conns / (latency + delay) is about the target. Still
  # a closed loop (a slow answer delays the next request), so it is a check on
  # the first figure, not a constant-rate (wrk2-style) measurement.
  local p50 delay
  p50="$(field p50_ms "${half[$best]}")"
  delay="$(awk -v c="$PEAK_CONNS" -v t="$target" -v l="$p50" 'BEGIN { d = 1000 * c / t - l; printf "%d", (d < 1 ? 1 : d + 0.5) }')"
  line="$(run_wrk half-paced "$server" "$batch" "$PEAK_CONNS" "$DURATION" webhook.lua BENCH_DELAY_MS="$delay")"
  echo "paced server=$server batch=$batch conns=$PEAK_CONNS delay_ms=$delay target_rps=$target" >>"$OUT/half.txt"
}

dump_metrics() { curl -s --max-time 5 "$BASE/metrics" >"$OUT/raw/metrics-$1.txt" || true; }

for server in $SERVERS; do
  for batch in $BATCHES; do
    case "$server" in
      nginx) start_nginx ;;
      node) start_node ;;
      mailpulse) start_mailpulse "b$batch" --allow-unsigned ;;
      *) log "unknown server $server"; exit 2 ;;
    esac
    sweep "$server" "$batch"
    if [[ " $HALF_SERVERS " == *" $server "* ]]; then half_rate "$server" "$batch"; fi
    if [[ "$server" == mailpulse ]]; then
      dump_metrics "b$batch"
      du -sk "$TMP/data" | awk '{print $1}' >"$OUT/raw/mailpulse-b$batch.data_kb"
    fi
    echo "rss server=$server batch=$batch vmhwm_kb=$(peak_rss_kb)" >>"$OUT/rss.txt"
    stop_server
  done
done

# Signature verification: the same pre-signed bodies, once signed against a
# server holding the key, once unsigned against an --allow-unsigned server.
if [[ " $SERVERS " == *" mailpulse "* && "$SIGNED_BODIES" -gt 0 ]]; then
  log "signing $SIGNED_BODIES bodies of $SIGNED_BATCH events"
  node "$HERE/sign-bodies.mjs" "$SIGNED_BATCH" "$SIGNED_BODIES" "$TMP/signed.txt"
  sig_c="$(tr ' ' '\n' <<<"$CONNS" | sort -n | head -1)"
  start_mailpulse signed --sendgrid-public-key "$(cat "$TMP/signed.txt.pub")"
  run_wrk signed mailpulse "$SIGNED_BATCH" "$sig_c" "$SIGNED_DURATION" signed.lua BENCH_SIGNED_FILE="$TMP/signed.txt" >/dev/null
  dump_metrics signed
  echo "rss server=mailpulse-signed batch=$SIGNED_BATCH vmhwm_kb=$(peak_rss_kb)" >>"$OUT/rss.txt"
  stop_server
  start_mailpulse signed-baseline --allow-unsigned
  run_wrk same-bodies-unsigned mailpulse "$SIGNED_BATCH" "$sig_c" "$SIGNED_DURATION" signed.lua \
    BENCH_SIGNED_FILE="$TMP/signed.txt" BENCH_UNSIGNED=1 >/dev/null
  dump_metrics signed-baseline
  stop_server
fi

"$HERE/report.sh" "$OUT" | tee "$OUT/results.md"
