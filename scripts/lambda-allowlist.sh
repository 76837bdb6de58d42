# Shared libraries a Lambda package may NEED without bundling them: the
# glibc 2.34 of Amazon Linux 2023 (provided.al2023), nothing else.
# Sourced by scripts/lambda-package.sh and scripts/check-lambda-package.sh.
LAMBDA_MAX_GLIBC=2.34
# Newer glibc functions the package's executable defines itself
# (deploy/aws/bootstrap/glibc_compat.cc); a bundled library may need a newer
# version only for these, and only weakly.
LAMBDA_COMPAT_SYMBOLS=arc4random,_dl_find_object
LAMBDA_ALLOWED_LIBS=(
  ld-linux-x86-64.so.2
  libc.so.6
  libm.so.6
  libpthread.so.0
  libdl.so.2
  librt.so.1
  libresolv.so.2
)

lambda_allowed() {
  local lib
  for lib in "${LAMBDA_ALLOWED_LIBS[@]}"; do [[ "$1" == "$lib" ]] && return 0; done
  [[ "$1" == linux-vdso.so.1 ]]
}
