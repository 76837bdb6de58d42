#!/usr/bin/env bash
# Runs every libFuzzer target briefly (seconds each) from its seed corpus.
# Longer runs: see docs/fuzzing.md.
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${1:-build-fuzz}
SECONDS_EACH=${2:-20}
found=0
for bin in "$BUILD"/*_fuzzer; do
  [ -x "$bin" ] || continue
  found=1
  name=$(basename "$bin")
  corpus=$(mktemp -d)
  seeds="fuzz/corpus/${name%_fuzzer}"
  [ -d "$seeds" ] && cp -r "$seeds"/. "$corpus"/ 2>/dev/null || true
  echo "fuzz: $name for ${SECONDS_EACH}s"
  "$bin" -max_total_time="$SECONDS_EACH" -max_len=65536 -print_final_stats=0 "$corpus" >"$corpus.log" 2>&1 || {
    echo "fuzz: $name FAILED"; tail -50 "$corpus.log"; exit 1; }
  grep -E '^#[0-9]+.*DONE' "$corpus.log" | tail -1 || true
  rm -rf "$corpus" "$corpus.log"
done
[ "$found" = 1 ] || { echo "fuzz: no fuzzer binaries in $BUILD"; exit 1; }
