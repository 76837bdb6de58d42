#!/usr/bin/env bash
# Installs every Debian and npm package mailpulse's build, tests and benches need.
# Idempotent and quiet when everything is already there.
set -euo pipefail
cd "$(dirname "$0")/.."

DEBIAN_PACKAGES=(
  build-essential cmake ninja-build pkg-config git curl ca-certificates
  libboost-dev libsimdjson-dev libzstd-dev libdeflate-dev libtomlplusplus-dev libcli11-dev
  libspdlog-dev libfmt-dev libssl-dev libgtest-dev libgmock-dev libcurl4-openssl-dev
  librocksdb-dev librdkafka-dev libisal-dev
  clang libclang-rt-14-dev
  nodejs npm nginx wrk
  zip unzip binutils
  chromium
)

missing=()
for p in "${DEBIAN_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
# node and npm may come from outside Debian's packages on some machines: accept working commands.
if command -v node >/dev/null && command -v npm >/dev/null; then
  filtered=()
  for p in "${missing[@]}"; do [[ "$p" == nodejs || "$p" == npm ]] || filtered+=("$p"); done
  missing=("${filtered[@]}")
fi
if ((${#missing[@]})); then
  echo "deps: installing Debian packages: ${missing[*]}"
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO=sudo
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# npm packages: tests and benches only (the binary needs none at run time).
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "deps: installing npm packages"
  npm ci --no-audit --no-fund --loglevel=error >/dev/null
fi
