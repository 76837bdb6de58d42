#!/usr/bin/env bash
# Runs the unpacked package on this machine (cheap; no AWS): the launcher
# finds bin/mailpulse and the loader resolves every library from lib/
# (`mailpulse lambda` then stops: no AWS_LAMBDA_RUNTIME_API), and a thrown and
# caught exception (`--help`) unwinds with libgcc_s bound to the package's own
# _dl_find_object (glibc_compat.cc). It cannot show the package runs on glibc
# 2.34: that needs Amazon Linux 2023 (docs/aws.md, "The package").
# Usage: scripts/smoke-lambda-package.sh dist/mailpulse-lambda.zip
set -euo pipefail
zip=${1:?usage: smoke-lambda-package.sh PACKAGE.zip}
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
unzip -q "$zip" -d "$dir"

set +e
out=$(env -i LAMBDA_TASK_ROOT="$dir" "$dir/bootstrap" 2>&1)
code=$?
set -e
if [[ $code -ne 2 || "$out" != *"AWS_LAMBDA_RUNTIME_API is not set"* ]]; then
  echo "smoke-lambda-package: bootstrap did not reach mailpulse lambda (exit $code): $out" >&2
  exit 1
fi
bindings=$(LD_DEBUG=bindings LD_LIBRARY_PATH="$dir/lib" "$dir/bin/mailpulse" --help 2>&1 >/dev/null)
if ! grep -q "libgcc_s.so.1 .*to $dir/bin/mailpulse .*_dl_find_object" <<<"$bindings"; then
  echo "smoke-lambda-package: libgcc_s.so.1 is not bound to bin/mailpulse's _dl_find_object" >&2
  exit 1
fi
echo "smoke-lambda-package: $zip starts from bootstrap; exceptions unwind through the package's _dl_find_object"
