#!/usr/bin/env bash
# `make run`: mailpulse on its embedded defaults (data under ./data), a demo
# key pair, and the simulator feeding it gently, so events flow at once.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${MAILPULSE_BIN:-build/mailpulse}
DATA=${MAILPULSE_DATA_DIR:-./data}
LISTEN=${MAILPULSE_LISTEN:-127.0.0.1:8080}
mkdir -p "$DATA/demo-keys"
if [ ! -f "$DATA/demo-keys/private.pem" ]; then
  "$BIN" keygen --out-dir "$DATA/demo-keys" >/dev/null
fi
PUB=$(cat "$DATA/demo-keys/public.b64")

"$BIN" serve --listen "$LISTEN" --data-dir "$DATA" --sendgrid-public-key "$PUB" &
SERVER=$!
SIM=""
cleanup() { [ -n "$SIM" ] && kill "$SIM" 2>/dev/null; kill "$SERVER" 2>/dev/null; wait 2>/dev/null; }
trap cleanup EXIT INT TERM
for _ in $(seq 1 100); do curl -fs "http://$LISTEN/healthz" >/dev/null 2>&1 && break; sleep 0.1; done

cat <<MSG

  mailpulse is running (data in $DATA).
    dashboard http://$LISTEN/   (campaign KPIs, live)
    webhook   POST http://$LISTEN/v1/webhooks/sendgrid   (public key: $DATA/demo-keys/public.b64)
    KPI API   http://$LISTEN/v1/campaigns   (OpenAPI: /v1/openapi.json)
    query     $BIN query --data-dir $DATA "SELECT s.event, COUNT(*) AS n FROM S3Object s GROUP BY s.event"
              (the lake fills as delivery flushes, every 60 s; also POST http://$LISTEN/v1/query)
    metrics   http://$LISTEN/metrics
    health    http://$LISTEN/healthz
    look      $BIN stream describe --data-dir $DATA
              $BIN stream read --data-dir $DATA --shard 0 --from latest
  The simulator is posting signed demo traffic (50 events/s). Ctrl-C stops both.

MSG
"$BIN" simulate --url "http://$LISTEN/v1/webhooks/sendgrid" --private-key "$DATA/demo-keys/private.pem" \
  --rate 50 --duration 86400 --campaigns 5 --batch-size 25 >/dev/null &
SIM=$!
wait "$SERVER"
