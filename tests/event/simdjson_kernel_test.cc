// The On-Demand parser is compiled into our code for the build's target ISA
// (CMakeLists.txt, MAILPULSE_MARCH): on an AVX2 build it must be a SIMD
// kernel, not simdjson's portable fallback, which is several times slower
// and is what a missing -mpclmul silently gave.
#include <gtest/gtest.h>
#include <simdjson.h>

#include <string>

namespace mailpulse {
namespace {

#define MP_STR2(x) #x
#define MP_STR(x) MP_STR2(x)

TEST(SimdjsonKernelTest, AvxBuildUsesASimdKernelForOnDemand) {
  const std::string builtin = MP_STR(SIMDJSON_BUILTIN_IMPLEMENTATION);
#if defined(__x86_64__) && defined(__AVX2__)
  EXPECT_TRUE(builtin == "haswell" || builtin == "icelake") << builtin;
#else
  GTEST_SKIP() << "not an AVX2 build (builtin kernel: " << builtin << ")";
#endif
}

}  // namespace
}  // namespace mailpulse
