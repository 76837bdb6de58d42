#!/usr/bin/env bash
# End to end over the Kafka stream backend (docs/benchmarks.md, "Kafka
# backend"): for each connection count, a fresh `mailpulse kafka-mock`
# (librdkafka's mock cluster, 3 brokers, topic `events` with 4 partitions)
# and bench/e2e/run.sh with `--stream kafka://<mock>/events`. The mock keeps
# records in memory in one process on this machine: its figures say what
# mailpulse's Kafka path costs here, not what a Kafka cluster can do.
#
# Environment: MAILPULSE_BIN [build/mailpulse], KAFKA_CONNS ["16"],
#   KAFKA_BROKERS [3], KAFKA_PARTITIONS [4], KAFKA_URL_PARAMS [""] (appended
#   after '?'), and bench/e2e/run.sh's E2E_* (duration, flush, roles, ...).
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
BIN="${MAILPULSE_BIN:-$ROOT/build/mailpulse}"
CONNS="${KAFKA_CONNS:-16}"
TMP="$(mktemp -d "${TMPDIR:-/tmp}/mailpulse-kafka-bench.XXXXXX")"
MOCK=""
cleanup() { [[ -n "$MOCK" ]] && kill "$MOCK" 2>/dev/null; wait 2>/dev/null; rm -rf "$TMP"; }
trap cleanup EXIT

echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
for c in $CONNS; do
  mkfifo "$TMP/in" "$TMP/out"
  exec 4<>"$TMP/in"  # the mock's stdin: held open here, never written
  "$BIN" kafka-mock --brokers "${KAFKA_BROKERS:-3}" --topic events \
    --partitions "${KAFKA_PARTITIONS:-4}" <&4 >"$TMP/out" 2>"$TMP/mock.log" &
  MOCK=$!
  exec 3<"$TMP/out"
  read -r BOOT <&3
  URL="kafka://$BOOT/events"
  [[ -n "${KAFKA_URL_PARAMS:-}" ]] && URL="$URL?$KAFKA_URL_PARAMS"
  echo "conns $c: $URL"
  E2E_CONNS="$c" E2E_STREAM="$URL" MAILPULSE_BIN="$BIN" "$ROOT/bench/e2e/run.sh"
  echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
  exec 3<&- 4>&-
  kill "$MOCK" 2>/dev/null; wait "$MOCK" 2>/dev/null || true; MOCK=""
  rm -f "$TMP/in" "$TMP/out"
done
