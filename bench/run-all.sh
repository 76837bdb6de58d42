#!/usr/bin/env bash
# `make bench`: the ingest benchmark end to end. Builds nothing; needs
# build/mailpulse (MAILPULSE_BIN overrides), wrk, nginx, node and curl.
#
# 1. records the machine (cores, CPU model, load) and the disk's synced-write
#    limits with dd (they bound durable ingest: a mailpulse 200 means fsync'd),
#    on the filesystem that holds the benchmark's data directory (TMPDIR);
# 2. runs bench/ingest/run.sh (nginx, the Node peer and mailpulse, all in one
#    run; see that script for the knobs, e.g. BENCH_DURATION, BENCH_CONNS);
# 3. prints everything as Markdown and keeps it in bench/results/<utc time>/.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export MAILPULSE_BIN="${MAILPULSE_BIN:-$ROOT/build/mailpulse}"
export BENCH_OUT="${BENCH_OUT:-$ROOT/bench/results/$(date -u +%Y%m%dT%H%M%SZ)}"

die() { echo "bench: $*" >&2; exit 1; }
[[ -x "$MAILPULSE_BIN" ]] || die "no mailpulse binary at $MAILPULSE_BIN (run 'make build' or set MAILPULSE_BIN)"
for tool in wrk nginx node curl dd; do
  command -v "$tool" >/dev/null || die "$tool is not installed (Debian: apt-get install $tool)"
done
mkdir -p "$BENCH_OUT"

DDDIR="$(mktemp -d "${TMPDIR:-/tmp}/mailpulse-dd.XXXXXX")"
trap 'rm -rf "$DDDIR"' EXIT

# dd_synced BYTES COUNT: "<MB/s> <writes/s>" for COUNT synced writes of BYTES each.
dd_synced() {
  local out secs
  out="$(LC_ALL=C timeout 300 dd if=/dev/zero of="$DDDIR/f" bs="$1" count="$2" oflag=dsync 2>&1 | tail -1)"
  rm -f "$DDDIR/f"
  # "N bytes (...) copied, S s, R MB/s"
  secs="$(sed -E 's/.* copied, ([0-9.e+-]+) s.*/\1/' <<<"$out")"
  awk -v b="$1" -v c="$2" -v s="$secs" 'BEGIN { if (s > 0) printf "%.1f %.0f", b * c / s / 1e6, c / s; else print "n/a n/a" }'
}

{
  echo "# mailpulse ingest benchmark"
  echo
  echo "- date: $(date -u '+%Y-%m-%d %H:%M UTC')"
  echo "- commit: $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)"
  echo "- machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//'), $(awk '/MemTotal/ {printf "%.0f GiB RAM", $2 / 1048576}' /proc/meminfo), kernel $(uname -r)"
  echo "- filesystem of the data dir: $(findmnt -n -o FSTYPE,SOURCE -T "$DDDIR" 2>/dev/null | tr -s ' ' || echo unknown)"
  echo "- tools: $(wrk -v 2>&1 | head -1 | cut -d' ' -f1-2), nginx $(nginx -v 2>&1 | sed 's/.*nginx\///'), node $(node --version)"
  echo "- load average before the run: $(cut -d' ' -f1-3 /proc/loadavg)"
  read -r mb64 iops64 <<<"$(dd_synced 65536 2000)"
  read -r _ iops512 <<<"$(dd_synced 512 2000)"
  read -r mb1m iops1m <<<"$(dd_synced 1048576 200)"
  echo "- disk, synced writes (dd oflag=dsync, one write+sync at a time):"
  echo "  512 B x 2000: ${iops512} writes/s; 64 KiB x 2000: ${mb64} MB/s (${iops64} writes/s);" \
    "1 MiB x 200: ${mb1m} MB/s (${iops1m} writes/s)"
  echo
} | tee "$BENCH_OUT/machine.md"

"$ROOT/bench/ingest/run.sh"

echo
echo "- load average after the run: $(cut -d' ' -f1-3 /proc/loadavg)" | tee -a "$BENCH_OUT/machine.md"
echo "Results kept in $BENCH_OUT"
