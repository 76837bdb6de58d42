// Delivery's fast path to an event's partition values (delivery/event_scan.h)
// against the full parser: for any payload, a LakeLineFormatter with the fast
// path and one without format the same record identically — same line, same
// error routing, same partition values. A difference aborts.
//
// Inputs are stream record payloads; seeds are enveloped events, since that
// is where the fast path runs.
#include <cstdint>
#include <cstdlib>
#include <string>

#include "delivery/lake_line.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace mailpulse;
  static LakeLineFormatter fast(true), full(false);
  StreamRecord r;
  r.seq = SequenceNumber(1);
  r.arrival_ms = 1767312000000;  // within 7 days of the seeds' event times
  r.payload.assign(reinterpret_cast<const char*>(data), size);
  FormattedRecord a, b;
  fast.FormatEvent(r, &a);
  full.FormatEvent(r, &b);
  if (a.error != b.error || a.line != b.line || a.values.event_ms != b.values.event_ms ||
      a.values.arrival_ms != b.values.arrival_ms ||
      a.values.error_output_type != b.values.error_output_type) {
    std::abort();
  }
  for (size_t k = 0; k < kPartitionKeyCount; ++k) {
    if (a.values.keys[k] != b.values.keys[k]) std::abort();
  }
  return 0;
}
