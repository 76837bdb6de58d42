// Lake encodings: registry, round trips, determinism, and that the gzip
// output is a standard gzip member (magic, no name, mtime 0).
#include "delivery/encoder.h"

#include <gtest/gtest.h>
#include <isa-l/igzip_lib.h>
#include <libdeflate.h>
#include <zstd.h>

#include <vector>

namespace mailpulse {
namespace {

std::string Lines(int n) {
  std::string s;
  for (int i = 0; i < n; ++i) s += R"({"event":"open","n":)" + std::to_string(i) + "}\n";
  return s;
}

Result<std::string> Encode(const Encoding& e, int n) {
  auto enc = e.make(0);
  for (int i = 0; i < n; ++i) enc->AddLine(R"({"event":"open","n":)" + std::to_string(i) + "}");
  EXPECT_EQ(enc->lines(), static_cast<size_t>(n));
  EXPECT_EQ(enc->raw_bytes(), Lines(n).size());
  return enc->Finish();
}

TEST(EncoderTest, RegistryKnowsThreeEncodings) {
  ASSERT_EQ(Encodings().size(), 3u);
  EXPECT_STREQ((*FindEncoding("jsonl.gz"))->extension, ".json.gz");
  EXPECT_STREQ((*FindEncoding("jsonl.zst"))->extension, ".json.zst");
  EXPECT_STREQ((*FindEncoding("jsonl"))->extension, ".json");
  auto bad = FindEncoding("parquet");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().kind(), ErrorKind::kInvalid);
  EXPECT_NE(bad.status().message().find("jsonl.gz, jsonl.zst, jsonl"), std::string::npos);
}

TEST(EncoderTest, RoundTripEveryEncoding) {
  for (const Encoding& e : Encodings()) {
    for (int n : {0, 1, 1000, 50000}) {
      auto bytes = Encode(e, n);
      ASSERT_TRUE(bytes.ok()) << e.name;
      auto back = e.decode(*bytes);
      ASSERT_TRUE(back.ok()) << e.name << " " << back.status().ToString();
      EXPECT_EQ(*back, Lines(n)) << e.name << " n=" << n;
    }
  }
}

TEST(EncoderTest, OutputIsDeterministic) {
  for (const Encoding& e : Encodings()) EXPECT_EQ(*Encode(e, 2000), *Encode(e, 2000)) << e.name;
}

TEST(EncoderTest, GzipIsAPlainGzipMember) {
  std::string gz = *Encode(**FindEncoding("jsonl.gz"), 10);
  ASSERT_GE(gz.size(), 18u);
  EXPECT_EQ(static_cast<unsigned char>(gz[0]), 0x1f);
  EXPECT_EQ(static_cast<unsigned char>(gz[1]), 0x8b);
  EXPECT_EQ(gz[2], 8);                               // deflate
  EXPECT_EQ(gz[3], 0);                               // no name, comment or extra
  EXPECT_EQ(gz.substr(4, 4), std::string(4, '\0'));  // mtime 0
}

TEST(EncoderTest, EncoderIsReusableAfterFinish) {
  auto enc = (*FindEncoding("jsonl.zst"))->make(3);
  enc->AddLine("a");
  ASSERT_TRUE(enc->Finish().ok());
  EXPECT_EQ(enc->raw_bytes(), 0u);
  enc->AddLine("b");
  EXPECT_EQ(*(*FindEncoding("jsonl.zst"))->decode(*enc->Finish()), "b\n");
}

// A fresh igzip (ISA-L) gzip member of `raw` at `level` (1-3).
std::string FreshIgzip(const std::string& raw, int level) {
  static constexpr uint32_t kSizes[] = {0, ISAL_DEF_LVL1_DEFAULT, ISAL_DEF_LVL2_DEFAULT,
                                        ISAL_DEF_LVL3_DEFAULT};
  std::vector<uint8_t> level_buf(kSizes[level]);
  std::string out(raw.size() * 2 + 1024, '\0');
  isal_zstream z;
  isal_deflate_stateless_init(&z);
  z.level = static_cast<uint32_t>(level);
  z.level_buf = level_buf.data();
  z.level_buf_size = kSizes[level];
  z.gzip_flag = IGZIP_GZIP;
  z.next_in = reinterpret_cast<uint8_t*>(const_cast<char*>(raw.data()));
  z.avail_in = static_cast<uint32_t>(raw.size());
  z.end_of_stream = 1;
  z.next_out = reinterpret_cast<uint8_t*>(out.data());
  z.avail_out = static_cast<uint32_t>(out.size());
  EXPECT_EQ(isal_deflate_stateless(&z), COMP_OK);
  out.resize(z.total_out);
  return out;
}

// Compressor state is kept per thread and reused across objects: the bytes
// must be what a fresh compressor makes, whatever was compressed before and
// at whichever level (gzip: igzip for levels 1-3, libdeflate above).
TEST(EncoderTest, ReusedCompressorStateMakesTheBytesOfAFreshOne) {
  for (int level : {1, 3, 6, 1, 2}) {
    for (int n : {1000, 3, 50000, 0, 200}) {
      std::string raw = Lines(n);
      std::string gz;
      if (level <= 3) {
        gz = FreshIgzip(raw, level);
      } else {
        libdeflate_compressor* c = libdeflate_alloc_compressor(level);
        gz.assign(libdeflate_gzip_compress_bound(c, raw.size()), '\0');
        gz.resize(libdeflate_gzip_compress(c, raw.data(), raw.size(), gz.data(), gz.size()));
        libdeflate_free_compressor(c);
      }
      std::string zst(ZSTD_compressBound(raw.size()), '\0');
      zst.resize(ZSTD_compress(zst.data(), zst.size(), raw.data(), raw.size(), level));
      for (const char* name : {"jsonl.gz", "jsonl.zst"}) {
        auto enc = (*FindEncoding(name))->make(level);
        for (int i = 0; i < n; ++i)
          enc->AddLine(R"({"event":"open","n":)" + std::to_string(i) + "}");
        auto bytes = enc->Finish();
        ASSERT_TRUE(bytes.ok()) << name;
        EXPECT_EQ(*bytes, std::string_view(name) == "jsonl.gz" ? gz : zst)
            << name << " level " << level << " lines " << n;
        // And every one is a gzip/zstd a standard decoder reads back.
        EXPECT_EQ(*(*FindEncoding(name))->decode(*bytes), raw) << name << " level " << level;
      }
    }
  }
}

TEST(EncoderTest, CorruptInputIsCorruption) {
  EXPECT_EQ((*FindEncoding("jsonl.gz"))->decode("not gzip at all, not at all").status().kind(),
            ErrorKind::kCorruption);
  EXPECT_EQ((*FindEncoding("jsonl.zst"))->decode("not zstd").status().kind(),
            ErrorKind::kCorruption);
  std::string gz = *Encode(**FindEncoding("jsonl.gz"), 100);
  EXPECT_FALSE((*FindEncoding("jsonl.gz"))->decode(gz.substr(0, gz.size() - 5)).ok());
  std::string zs = *Encode(**FindEncoding("jsonl.zst"), 100);
  EXPECT_FALSE((*FindEncoding("jsonl.zst"))->decode(zs.substr(0, zs.size() - 5)).ok());
}

}  // namespace
}  // namespace mailpulse
