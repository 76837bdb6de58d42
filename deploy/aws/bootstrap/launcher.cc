// The package's `bootstrap`, the program Lambda starts (with no arguments)
// for a provided.al2023 function: puts the package's lib/ first on
// LD_LIBRARY_PATH and execs `bin/mailpulse lambda`.
//
// Why a launcher: Lambda's default LD_LIBRARY_PATH lists /lib64 and
// /usr/lib64 before $LAMBDA_TASK_ROOT/lib, so a system copy of a library the
// package bundles (OpenSSL, zlib, ...) would otherwise be loaded instead of
// the one mailpulse was built against. Linked statically (see
// scripts/lambda-package.sh), so it needs no shared library and no glibc
// symbol version itself, and it does not depend on a shell in the image.
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

int main() {
  const char* root = std::getenv("LAMBDA_TASK_ROOT");
  if (root == nullptr || root[0] == '\0') root = "/var/task";
  std::string lib = std::string(root) + "/lib";
  const char* old = std::getenv("LD_LIBRARY_PATH");
  std::string path = (old != nullptr && old[0] != '\0') ? lib + ":" + old : lib;
  setenv("LD_LIBRARY_PATH", path.c_str(), 1);
  std::string exe = std::string(root) + "/bin/mailpulse";
  char lambda[] = "lambda";
  char* argv[] = {exe.data(), lambda, nullptr};
  execv(exe.c_str(), argv);
  std::fprintf(stderr, "bootstrap: cannot run %s: %s\n", exe.c_str(), std::strerror(errno));
  return 127;
}
