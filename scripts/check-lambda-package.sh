#!/usr/bin/env bash
# Checks a Lambda deployment package for provided.al2023 (x86_64):
#  - it has an executable `bootstrap` at the top;
#  - every ELF in it is x86-64 and requires no glibc symbol version newer
#    than GLIBC_2.34 (AL2023's glibc; readelf -V, .gnu.version_r). The one
#    exception: a newer version marked weak, all of whose symbols the
#    package's executable (MAIN, default bin/mailpulse) defines and exports
#    (deploy/aws/bootstrap/glibc_compat.cc): on glibc 2.34 the loader then
#    binds them to the executable's definitions;
#  - every library an ELF NEEDs is either bundled under lib/ or in the
#    allow-list of AL2023's glibc libraries (scripts/lambda-allowlist.sh).
# Usage: scripts/check-lambda-package.sh dist/mailpulse-lambda.zip
# Exit 0 when the package passes, 1 with the reasons otherwise.
set -euo pipefail
cd "$(dirname "$0")/.."
zip=${1:?usage: check-lambda-package.sh PACKAGE.zip [MAIN]}
main_rel=${2:-bin/mailpulse}
source scripts/lambda-allowlist.sh

dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
unzip -q "$zip" -d "$dir"

failures=0
weak_notes=()
fail() { echo "check-lambda-package: $*" >&2; failures=$((failures + 1)); }

[[ -f "$dir/bootstrap" ]] || fail "no bootstrap at the top of the package"
[[ -f "$dir/bootstrap" && ! -x "$dir/bootstrap" ]] && fail "bootstrap is not executable"

elfs=0
while IFS= read -r -d '' f; do
  [[ "$(head -c 4 "$f" | od -An -c | tr -d ' ')" == '177ELF' ]] || continue
  elfs=$((elfs + 1))
  rel=${f#"$dir"/}
  header=$(readelf -h -W "$f")
  grep -q 'Class:[[:space:]]*ELF64' <<<"$header" || fail "$rel: not a 64-bit ELF"
  grep -q 'Machine:[[:space:]]*Advanced Micro Devices X86-64' <<<"$header" || fail "$rel: not x86-64"

  # Required symbol versions (.gnu.version_r), GLIBC_ only: "VERSION FLAGS".
  while read -r version flags; do
    if [[ ! "$version" =~ ^[0-9.]+$ ]]; then
      fail "$rel: requires GLIBC_$version, which glibc $LAMBDA_MAX_GLIBC does not define"
      continue
    fi
    newest=$(printf '%s\n%s\n' "$LAMBDA_MAX_GLIBC" "$version" | sort -V | tail -1)
    [[ "$newest" == "$LAMBDA_MAX_GLIBC" ]] && continue
    symbols=$(objdump -T "$f" | awk -v v="(GLIBC_$version)" '$0 ~ /\*UND\*/ && index($0, v) {print $NF}' | sort -u)
    if [[ "$flags" != WEAK ]]; then
      fail "$rel: requires GLIBC_$version > GLIBC_$LAMBDA_MAX_GLIBC ($(echo $symbols))"
      continue
    fi
    for sym in $symbols; do
      if ! objdump -T "$dir/$main_rel" 2>/dev/null | awk -v s="$sym" '$NF == s && $0 !~ /\*UND\*/ && / g / {found=1} END {exit !found}'; then
        fail "$rel: needs $sym (weak GLIBC_$version > GLIBC_$LAMBDA_MAX_GLIBC) and $main_rel does not define it"
      fi
    done
    weak_notes+=("$rel: GLIBC_$version is weak; $(echo $symbols) from $main_rel")
  done < <(readelf -V -W "$f" | sed -n '/\.gnu\.version_r/,$p' | sed -n 's/.*Name: GLIBC_\([^ ]*\)[[:space:]]*Flags: \([A-Za-z|]*\).*/\1 \2/p' | sort -u)

  # NEEDED libraries: bundled or allowed.
  while read -r needed; do
    if lambda_allowed "$needed"; then continue; fi
    [[ -f "$dir/lib/$needed" ]] || fail "$rel: needs $needed, neither bundled in lib/ nor an AL2023 glibc library"
  done < <(readelf -d -W "$f" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p')
done < <(find "$dir" -type f -print0)

((elfs > 0)) || fail "no ELF file in the package"
if ((failures > 0)); then
  echo "check-lambda-package: $zip FAILED ($failures problems in $elfs ELF files)" >&2
  exit 1
fi
for note in "${weak_notes[@]}"; do echo "check-lambda-package: note: $note"; done
echo "check-lambda-package: $zip OK ($elfs ELF files; glibc <= $LAMBDA_MAX_GLIBC; NEEDED bundled or in the AL2023 glibc allow-list)"
