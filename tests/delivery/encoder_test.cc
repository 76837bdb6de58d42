// Lake encodings: registry, round trips, determinism, and that the gzip
// output is a standard gzip member (magic, no name, mtime 0).
#include "delivery/encoder.h"

#include <gtest/gtest.h>
#include <libdeflate.h>
#include <zstd.h>

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
  EXPECT_EQ(gz[2], 8);  // deflate
  EXPECT_EQ(gz[3], 0);  // no name, comment or extra
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

// Compressor state is kept per thread and reused across objects: the bytes
// must be what a fresh compressor makes, whatever was compressed before and
// at whichever level.
TEST(EncoderTest, ReusedCompressorStateMakesTheBytesOfAFreshOne) {
  for (int level : {1, 3, 1}) {
    for (int n : {1000, 3, 50000, 0, 200}) {
      std::string raw = Lines(n);
      libdeflate_compressor* c = libdeflate_alloc_compressor(level);
      std::string gz(libdeflate_gzip_compress_bound(c, raw.size()), '\0');
      gz.resize(libdeflate_gzip_compress(c, raw.data(), raw.size(), gz.data(), gz.size()));
      libdeflate_free_compressor(c);
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
      }
    }
  }
}

TEST(EncoderTest, CorruptInputIsCorruption) {
  EXPECT_EQ((*FindEncoding("jsonl.gz"))->decode("not gzip at all, not at all").status().kind(), ErrorKind::kCorruption);
  EXPECT_EQ((*FindEncoding("jsonl.zst"))->decode("not zstd").status().kind(), ErrorKind::kCorruption);
  std::string gz = *Encode(**FindEncoding("jsonl.gz"), 100);
  EXPECT_FALSE((*FindEncoding("jsonl.gz"))->decode(gz.substr(0, gz.size() - 5)).ok());
  std::string zs = *Encode(**FindEncoding("jsonl.zst"), 100);
  EXPECT_FALSE((*FindEncoding("jsonl.zst"))->decode(zs.substr(0, zs.size() - 5)).ok());
}

}  // namespace
}  // namespace mailpulse
