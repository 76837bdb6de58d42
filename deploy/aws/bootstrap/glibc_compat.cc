// Linked only into the Lambda package's binary (CMake target
// mailpulse_lambda; docs/aws.md, "The package"). Debian 12's C++ runtime,
// which the package bundles, calls two glibc functions newer than Amazon
// Linux 2023's glibc 2.34:
//   libstdc++.so.6  arc4random       GLIBC_2.36  (std::random_device)
//   libgcc_s.so.1   _dl_find_object  GLIBC_2.35  (finding unwind tables)
// This file defines both on interfaces glibc 2.34 has (getrandom,
// dl_iterate_phdr, dladdr1). The executable exports them, and the package
// script marks those two version needs of the bundled libraries weak
// (deploy/aws/bootstrap/weaken_glibc_versions.cc), so on glibc 2.34 the
// loader binds the libraries to these definitions; on a newer glibc they
// interpose glibc's own. scripts/check-lambda-package.sh accepts a newer
// version only when it is weak and every symbol of it is defined here.
#include <dlfcn.h>
#include <link.h>
#include <sys/random.h>

#include <cerrno>
#include <cstdint>
#include <cstdlib>

extern "C" {

// Same contract as glibc's: 32 random bits from the kernel CSPRNG; never fails.
uint32_t arc4random() noexcept {
  uint32_t value = 0;
  size_t got = 0;
  auto* bytes = reinterpret_cast<unsigned char*>(&value);
  while (got < sizeof(value)) {
    ssize_t n = getrandom(bytes + got, sizeof(value) - got, 0);
    if (n > 0) {
      got += static_cast<size_t>(n);
    } else if (n < 0 && errno != EINTR) {
      std::abort();  // as glibc: no fallback that could return weak randomness
    }
  }
  return value;
}

}  // extern "C"

namespace {

struct FindState {
  uintptr_t pc = 0;
  dl_find_object* result = nullptr;
  bool found = false;
};

// The object whose PT_LOAD segments contain the pc: its mapping bounds and
// its PT_GNU_EH_FRAME segment (.eh_frame_hdr), as glibc 2.35 reports them.
int FindCallback(dl_phdr_info* info, size_t, void* data) {
  auto* state = static_cast<FindState*>(data);
  uintptr_t low = UINTPTR_MAX, high = 0;
  bool contains = false;
  void* eh_frame = nullptr;
  for (ElfW(Half) i = 0; i < info->dlpi_phnum; ++i) {
    const ElfW(Phdr)& ph = info->dlpi_phdr[i];
    if (ph.p_type == PT_LOAD) {
      uintptr_t start = info->dlpi_addr + ph.p_vaddr;
      uintptr_t end = start + ph.p_memsz;
      if (start < low) low = start;
      if (end > high) high = end;
      if (state->pc >= start && state->pc < end) contains = true;
    } else if (ph.p_type == PT_GNU_EH_FRAME) {
      eh_frame = reinterpret_cast<void*>(info->dlpi_addr + ph.p_vaddr);
    }
  }
  if (!contains) return 0;
  state->result->dlfo_flags = 0;
  state->result->dlfo_map_start = reinterpret_cast<void*>(low);
  state->result->dlfo_map_end = reinterpret_cast<void*>(high);
  state->result->dlfo_link_map = nullptr;
  state->result->dlfo_eh_frame = eh_frame;
  state->found = true;
  return 1;
}

}  // namespace

extern "C" int _dl_find_object(void* address, dl_find_object* result) noexcept {
  FindState state;
  state.pc = reinterpret_cast<uintptr_t>(address);
  state.result = result;
  dl_iterate_phdr(FindCallback, &state);
  if (!state.found) return -1;
  Dl_info info;
  link_map* map = nullptr;
  if (dladdr1(address, &info, reinterpret_cast<void**>(&map), RTLD_DL_LINKMAP) != 0) {
    result->dlfo_link_map = map;
  }
  return 0;
}
