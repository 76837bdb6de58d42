// SetThreadName: names the calling thread (as `top -H`, `perf` and gdb show
// it), so an operator can tell the HTTP workers from the log writers and the
// consumers. Linux keeps 15 bytes; longer names are cut. Best effort: a
// failure is ignored, a name is a diagnostic, never a correctness matter.
#pragma once

#include <string>

namespace mailpulse {

void SetThreadName(const std::string& name);

}  // namespace mailpulse
