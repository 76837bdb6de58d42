// mailpulse: one binary, subcommands. The composition root lives in app/.
#include <malloc.h>

#include <cstdio>

#include "app/cli.h"

int main(int argc, char** argv) {
  // Delivery builds and frees megabytes of object buffers per batch, and the
  // stream readers allocate per record. With glibc's defaults those buffers
  // went back to the kernel (trim, munmap) and were faulted in again on the
  // next batch: page faults were ~23% of a delivery thread's profile. Keeping
  // up to 128 MiB of freed memory and serving allocations below 32 MiB from
  // the heap raised webhook throughput with all stages in one process in 4 of
  // 5 alternating A/B runs (+15% to +48%; one -2% while the load rose), for
  // ~50 MiB more peak RSS (docs/benchmarks.md, "End to end").
  mallopt(M_MMAP_THRESHOLD, 32 << 20);
  mallopt(M_TRIM_THRESHOLD, 128 << 20);
  return mailpulse::RunCli(argc, argv);
}
