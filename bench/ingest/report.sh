#!/usr/bin/env bash
# Turns a bench/ingest/run.sh output directory into the Markdown report:
# every run, then per batch size the peak of each server and the ratios
# issue #2 asks for, the half-peak latency, the signature cost, peak RSS and
# mailpulse's own histograms. Usage: report.sh OUT_DIR
set -euo pipefail
OUT="$1"

awk -v out="$OUT" '
function kv(line, arr,   n, i, parts, p) {
  delete arr
  n = split(line, parts, " ")
  for (i = 1; i <= n; i++) { p = index(parts[i], "="); if (p) arr[substr(parts[i], 1, p - 1)] = substr(parts[i], p + 1) }
}
# Batch sizes in ascending order, into sorted[1..n]; returns n.
function sort_keys(set, sorted,   n, k, i, j, t) {
  n = 0
  for (k in set) sorted[++n] = k + 0
  for (i = 2; i <= n; i++) { t = sorted[i]; for (j = i - 1; j >= 1 && sorted[j] > t; j--) sorted[j + 1] = sorted[j]; sorted[j + 1] = t }
  return n
}
function r1(x) { return sprintf("%.0f", x) }
function ms(x) { return sprintf("%.2f", x) }
function mean_of(file, name,   line, sum, cnt, a) {
  sum = ""; cnt = ""
  while ((getline line < file) > 0) {
    if (line ~ "^" name "_sum[ {]") { split(line, a, " "); sum += a[2] }
    if (line ~ "^" name "_count[ {]") { split(line, a, " "); cnt += a[2] }
  }
  close(file)
  if (cnt == "" || cnt + 0 == 0) return "n/a"
  return sprintf("%.3f ms mean over %d (sum %.3f s)", 1000 * sum / cnt, cnt, sum)
}
BEGIN {
  print "### Every run (wrk -t1, loopback)\n"
  print "| server | batch | conns | run | req/s | events/s | p50 ms | p99 ms | 200s | non-200 | accepted | duplicates | rejected | check | load1 |"
  print "|---|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|"
  while ((getline line < (out "/results.txt")) > 0) {
    kv(line, f)
    check = ""
    if (f["server"] == "mailpulse" || f["server"] == "node") {
      got = f["accepted"] + f["duplicates"]
      check = (f["accepted"] == f["events_sent"] && f["bad"] == 0) ? "all accepted" : \
              (got == f["events_sent"] ? "accepted+dup = sent" : "MISMATCH")
    }
    if (f["bad"] > 0) check = check " first non-200: " f["first_bad"]
    printf "| %s | %d | %d | %s | %s | %s | %s | %s | %d | %d | %d | %d | %d | %s | %s |\n", f["server"], f["batch"], \
      f["conns"], f["tag"], r1(f["rps"]), r1(f["eps"]), ms(f["p50_ms"]), ms(f["p99_ms"]), f["ok"], f["bad"], \
      f["accepted"], f["duplicates"], f["rejected"], check, f["load1"]
    if (f["tag"] == "peak") {
      key = f["server"] SUBSEP f["batch"]
      if (!(key in peak) || f["rps"] + 0 > peak[key]) {
        peak[key] = f["rps"] + 0; peak_eps[key] = f["eps"] + 0; peak_c[key] = f["conns"]
        peak_p50[key] = f["p50_ms"]; peak_p99[key] = f["p99_ms"]
      }
      batches[f["batch"]] = 1
    }
    if (f["tag"] == "half-try") { half[f["server"] SUBSEP f["batch"] SUBSEP f["conns"]] = line }
    if (f["tag"] == "half-paced") { pacedrun[f["server"] SUBSEP f["batch"]] = line }
    if (f["tag"] == "signed") signed = line
    if (f["tag"] == "same-bodies-unsigned") unsigned = line
  }
  close(out "/results.txt")

  print "\n### Peak per server (best connection count)\n"
  print "| batch | server | conns | req/s | events/s | p50 ms | p99 ms |"
  print "|---:|---|---:|---:|---:|---:|---:|"
  nb = sort_keys(batches, bs)
  for (i = 1; i <= nb; i++) for (s = 1; s <= 3; s++) {
    b = bs[i]
    name = (s == 1 ? "nginx" : s == 2 ? "node" : "mailpulse"); key = name SUBSEP b
    if (key in peak) printf "| %d | %s | %d | %s | %s | %s | %s |\n", b, name, peak_c[key], r1(peak[key]), \
      r1(peak_eps[key]), ms(peak_p50[key]), ms(peak_p99[key])
  }

  print "\n### Ratios (issue #2 targets)\n"
  print "| batch | mailpulse/nginx req/s (target >= 0.5) | mailpulse/node events/s (target >= 10) |"
  print "|---:|---:|---:|"
  for (i = 1; i <= nb; i++) {
    b = bs[i]
    m = "mailpulse" SUBSEP b; n = "nginx" SUBSEP b; d = "node" SUBSEP b
    r_n = ((m in peak) && (n in peak) && peak[n] > 0) ? sprintf("%.3f", peak[m] / peak[n]) : "n/a"
    r_d = ((m in peak) && (d in peak) && peak_eps[d] > 0) ? sprintf("%.2f", peak_eps[m] / peak_eps[d]) : "n/a"
    printf "| %d | %s | %s |\n", b, r_n, r_d
  }

  while ((getline line < (out "/half.txt")) > 0) {
    if (line ~ /^paced /) { paced[++npaced] = line; continue }
    if (!printed_half) {
      print "\n### At about half the peak rate (fewer connections, closed loop)\n"
      print "| server | batch | peak req/s | target req/s | conns | achieved req/s | events/s | p50 ms | p99 ms |"
      print "|---|---:|---:|---:|---:|---:|---:|---:|---:|"
      printed_half = 1
    }
    kv(line, h); kv(half[h["server"] SUBSEP h["batch"] SUBSEP h["conns"]], f)
    printf "| %s | %d | %s | %s | %d | %s | %s | %s | %s |\n", h["server"], h["batch"], r1(h["peak_rps"]), r1(h["target_rps"]), \
      h["conns"], r1(f["rps"]), r1(f["eps"]), ms(f["p50_ms"]), ms(f["p99_ms"])
  }
  close(out "/half.txt")
  if (npaced) {
    print "\n### Paced to about half the peak (peak connection count, wrk delay() per request)\n"
    print "| server | batch | target req/s | conns | delay ms | achieved req/s | events/s | p50 ms | p99 ms |"
    print "|---|---:|---:|---:|---:|---:|---:|---:|---:|"
    for (i = 1; i <= npaced; i++) {
      kv(paced[i], h); kv(pacedrun[h["server"] SUBSEP h["batch"]], f)
      printf "| %s | %d | %s | %d | %d | %s | %s | %s | %s |\n", h["server"], h["batch"], r1(h["target_rps"]), h["conns"], \
        h["delay_ms"], r1(f["rps"]), r1(f["eps"]), ms(f["p50_ms"]), ms(f["p99_ms"])
    }
  }

  if (signed != "") {
    kv(signed, f); kv(unsigned, g)
    print "\n### Signature verification (same pre-signed bodies, signed vs unsigned)\n"
    print "| run | conns | req/s | events/s | p50 ms | p99 ms | accepted | duplicates |"
    print "|---|---:|---:|---:|---:|---:|---:|---:|"
    printf "| signed (ECDSA P-256 verified) | %d | %s | %s | %s | %s | %d | %d |\n", f["conns"], r1(f["rps"]), \
      r1(f["eps"]), ms(f["p50_ms"]), ms(f["p99_ms"]), f["accepted"], f["duplicates"]
    printf "| unsigned, same bodies | %d | %s | %s | %s | %s | %d | %d |\n", g["conns"], r1(g["rps"]), \
      r1(g["eps"]), ms(g["p50_ms"]), ms(g["p99_ms"]), g["accepted"], g["duplicates"]
    print "\nmailpulse_webhook_verify_seconds: " mean_of(out "/raw/metrics-signed.txt", "mailpulse_webhook_verify_seconds")
  }

  print "\n### Peak RSS (VmHWM of the server process)\n"
  print "| server | batch | VmHWM MiB |"
  print "|---|---:|---:|"
  while ((getline line < (out "/rss.txt")) > 0) {
    kv(line, f)
    printf "| %s | %d | %.1f |\n", f["server"], f["batch"], f["vmhwm_kb"] / 1024
  }
  close(out "/rss.txt")
  print "\n(nginx: master process only; its workers are separate processes.)"
}' </dev/null

# mailpulse histograms: count and mean of every histogram per server run
# (summed over labels, e.g. over shards); *_seconds means are in ms.
shopt -s nullglob
files=("$OUT"/raw/metrics-*.txt)
if ((${#files[@]})); then
  echo
  echo "### mailpulse histograms (sum/count from /metrics at the end of each server run)"
  echo
  echo "| server run | histogram | count | mean |"
  echo "|---|---|---:|---:|"
  for f in "${files[@]}"; do
    run="$(basename "$f" .txt)"
    run="${run#metrics-}"
    awk -v run="$run" '
      /^#/ { next }
      { name = $1; sub(/\{.*/, "", name) }
      name ~ /_sum$/ { base = substr(name, 1, length(name) - 4); sum[base] += $2 }
      name ~ /_count$/ { base = substr(name, 1, length(name) - 6); cnt[base] += $2 }
      END {
        for (b in cnt) if ((b in sum) && cnt[b] > 0) {
          if (b ~ /_seconds$/) printf "| %s | %s | %d | %.3f ms |\n", run, b, cnt[b], 1000 * sum[b] / cnt[b]
          else printf "| %s | %s | %d | %.2f |\n", run, b, cnt[b], sum[b] / cnt[b]
        }
      }
    ' "$f" | sort
  done
fi
