#!/usr/bin/env bash
# Builds the Lambda deployment package (docs/aws.md, "The package"):
#   bootstrap      static launcher (deploy/aws/bootstrap/launcher.cc)
#   bin/mailpulse  the release build's mailpulse_lambda target (mailpulse plus
#                  deploy/aws/bootstrap/glibc_compat.cc), debug info stripped
#   lib/*.so*      every shared library it needs (transitively, per ldd)
#                  except the glibc libraries AL2023 provides (the allow-list
#                  shared with scripts/check-lambda-package.sh); glibc versions
#                  newer than 2.34 that they need only for the functions
#                  glibc_compat.cc provides are marked weak
#                  (deploy/aws/bootstrap/weaken_glibc_versions.cc)
# Usage: scripts/lambda-package.sh BUILD/mailpulse_lambda dist/mailpulse-lambda.zip
# The zip is written with zip(1) (scripts/deps.sh installs it); entries are
# stored without timestamps' extra fields (-X) and in a fixed order.
set -euo pipefail
cd "$(dirname "$0")/.."
bin=${1:?usage: lambda-package.sh MAILPULSE_BINARY OUT.zip}
out=${2:?usage: lambda-package.sh MAILPULSE_BINARY OUT.zip}
source scripts/lambda-allowlist.sh

stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
mkdir -p "$stage/bin" "$stage/lib" "$(dirname "$out")"

"${CXX:-c++}" -std=c++20 -O2 -Wall -Wextra -Werror -static -o "$stage/bootstrap" \
  deploy/aws/bootstrap/launcher.cc
strip "$stage/bootstrap"
"${CXX:-c++}" -std=c++20 -O2 -Wall -Wextra -Werror -o "$stage.weaken" \
  deploy/aws/bootstrap/weaken_glibc_versions.cc
trap 'rm -rf "$stage" "$stage.weaken"' EXIT
objcopy --strip-debug "$bin" "$stage/bin/mailpulse"

# ldd lists the whole closure: "libfoo.so.1 => /path/libfoo.so.1 (0x...)".
while read -r name arrow path _; do
  [[ "$arrow" == "=>" && -f "$path" ]] || continue
  if lambda_allowed "$name"; then continue; fi
  cp -L "$path" "$stage/lib/$name"
  chmod 644 "$stage/lib/$name"
  strip --strip-debug "$stage/lib/$name"
  "$stage.weaken" "$LAMBDA_MAX_GLIBC" "$LAMBDA_COMPAT_SYMBOLS" "$stage/lib/$name"
done < <(ldd "$bin")

chmod 755 "$stage/bootstrap" "$stage/bin/mailpulse"
rm -f "$out"
out_abs=$(cd "$(dirname "$out")" && pwd)/$(basename "$out")
(cd "$stage" && find bootstrap bin lib -type f | LC_ALL=C sort | zip -q -X -@ "$out_abs")
echo "lambda-package: $out ($(du -h "$out" | cut -f1); $(ls "$stage/lib" | wc -l) bundled libraries)"
