#include "stream/local/record_batch.h"

#include <gtest/gtest.h>

#include "common/coding.h"
#include "stream/local/log_format.h"

namespace mailpulse {
namespace {

std::string EncodeOne(int level, const std::vector<std::pair<std::string, std::string>>& recs,
                      uint64_t base = 1) {
  BatchEncoder enc(level);
  enc.Begin(base);
  int64_t t = 1000;
  for (const auto& [k, p] : recs) enc.Add(k, p, t++);
  std::string out;
  EXPECT_TRUE(enc.Finish(out).ok());
  return out;
}

std::vector<RecordView> DecodeAll(const std::string& batch, Status* s,
                                  std::vector<std::string>* keep) {
  std::vector<RecordView> out;
  auto h = ParseBatchHeader(batch);
  if (!h.ok()) {
    *s = h.status();
    return out;
  }
  std::string_view body = std::string_view(batch).substr(log_format::kBatchHeaderSize);
  *s = VerifyBatchCrc(std::string_view(batch).substr(0, log_format::kBatchHeaderSize), body);
  if (!s->ok()) return out;
  BatchDecoder dec;
  *s = dec.Decode(*h, body, [&](const RecordView& r) {
    keep->push_back(std::string(r.key) + "=" + std::string(r.payload));
    out.push_back(r);
  });
  return out;
}

TEST(StreamRecordBatchTest, RoundTripUncompressedAndZstd) {
  for (int level : {0, 1, 5}) {
    std::string b = EncodeOne(level, {{"k1", "v1"}, {"", ""}, {"k3", std::string(500, 'z')}}, 7);
    Status s;
    std::vector<std::string> kv;
    auto recs = DecodeAll(b, &s, &kv);
    ASSERT_TRUE(s.ok()) << s.ToString();
    ASSERT_EQ(recs.size(), 3u);
    EXPECT_EQ(recs[0].seq.u64(), 7u);
    EXPECT_EQ(recs[2].seq.u64(), 9u);
    EXPECT_EQ(recs[1].arrival_ms, 1001);
    EXPECT_EQ(kv, (std::vector<std::string>{"k1=v1", "=", "k3=" + std::string(500, 'z')}));
  }
}

TEST(StreamRecordBatchTest, HeaderFields) {
  std::string b = EncodeOne(0, {{"a", "b"}, {"c", "d"}}, 42);
  auto h = ParseBatchHeader(b);
  ASSERT_TRUE(h.ok());
  EXPECT_EQ(DecodeFixed32(b.data()), log_format::kBatchMagic);
  EXPECT_EQ(h->version, 1);
  EXPECT_EQ(h->codec, log_format::Codec::kNone);
  EXPECT_EQ(h->record_count, 2u);
  EXPECT_EQ(h->base_seq, 42u);
  EXPECT_EQ(h->last_seq(), 43u);
  EXPECT_EQ(h->min_arrival_ms, 1000);
  EXPECT_EQ(h->max_arrival_ms, 1001);
  EXPECT_EQ(h->total_size(), b.size());
}

TEST(StreamRecordBatchTest, IncompressibleBodyIsStoredRaw) {
  std::string noise;
  uint32_t x = 12345;
  for (int i = 0; i < 200; ++i)
    noise.push_back(static_cast<char>((x = x * 1103515245 + 12345) >> 24));
  auto h = ParseBatchHeader(EncodeOne(3, {{"k", noise}}));
  ASSERT_TRUE(h.ok());
  EXPECT_EQ(h->codec, log_format::Codec::kNone);
}

TEST(StreamRecordBatchTest, ShortHeaderIsCorruption) {
  std::string b = EncodeOne(0, {{"k", "v"}});
  EXPECT_EQ(ParseBatchHeader(b.substr(0, 47)).status().kind(), ErrorKind::kCorruption);
}

TEST(StreamRecordBatchTest, ZeroBytesAreCorruption) {
  EXPECT_EQ(ParseBatchHeader(std::string(48, '\0')).status().kind(), ErrorKind::kCorruption);
}

TEST(StreamRecordBatchTest, UnknownVersionIsCorruption) {
  std::string b = EncodeOne(0, {{"k", "v"}});
  b[8] = 2;
  EXPECT_EQ(ParseBatchHeader(b).status().kind(), ErrorKind::kCorruption);
}

TEST(StreamRecordBatchTest, HugeLengthIsRefusedBeforeAllocating) {
  std::string b = EncodeOne(0, {{"k", "v"}});
  EncodeFixed32(b.data() + 16, 0xFFFFFFFF);
  EXPECT_EQ(ParseBatchHeader(b).status().kind(), ErrorKind::kCorruption);
}

TEST(StreamRecordBatchTest, FlippedBodyBitFailsCrc) {
  std::string b = EncodeOne(1, {{"k", "value value value"}});
  b.back() ^= 1;
  Status s;
  std::vector<std::string> kv;
  DecodeAll(b, &s, &kv);
  EXPECT_EQ(s.kind(), ErrorKind::kCorruption);
}

TEST(StreamRecordBatchTest, BodyLongerThanRecordsIsCorruption) {
  // A well-formed header and CRC around a body with a trailing byte.
  BatchEncoder enc(0);
  enc.Begin(1);
  enc.Add("k", "v", 5);
  std::string b;
  ASSERT_TRUE(enc.Finish(b).ok());
  auto h = ParseBatchHeader(b);
  ASSERT_TRUE(h.ok());
  BatchHeader longer = *h;
  longer.body_len = longer.raw_len = h->body_len + 1;
  BatchDecoder dec;
  std::string body = b.substr(log_format::kBatchHeaderSize) + "x";
  EXPECT_EQ(dec.Decode(longer, body, [](const RecordView&) {}).kind(), ErrorKind::kCorruption);
}

TEST(StreamRecordBatchTest, EncoderIsReusableAcrossBatches) {
  BatchEncoder enc(1);
  std::string out;
  enc.Begin(1);
  enc.Add("a", "1", 1);
  ASSERT_TRUE(enc.Finish(out).ok());
  enc.Add("b", "2", 2);  // Finish began the next batch at seq 2
  ASSERT_TRUE(enc.Finish(out).ok());
  auto h1 = ParseBatchHeader(out);
  ASSERT_TRUE(h1.ok());
  auto h2 = ParseBatchHeader(std::string_view(out).substr(h1->total_size()));
  ASSERT_TRUE(h2.ok());
  EXPECT_EQ(h2->base_seq, 2u);
}

TEST(StreamCodingTest, VarintRoundTripAndTruncation) {
  for (uint64_t v : {0ull, 1ull, 127ull, 128ull, 300ull, 1ull << 35, ~0ull}) {
    std::string s;
    PutVarint64(s, v);
    std::string_view in = s;
    uint64_t got = 0;
    ASSERT_TRUE(GetVarint64(in, got));
    EXPECT_EQ(got, v);
    EXPECT_TRUE(in.empty());
    std::string_view cut = std::string_view(s).substr(0, s.size() - 1);
    EXPECT_FALSE(GetVarint64(cut, got));
  }
  std::string big;
  PutVarint64(big, 1ull << 33);
  std::string_view in = big;
  uint32_t v32 = 0;
  EXPECT_FALSE(GetVarint32(in, v32));
}

}  // namespace
}  // namespace mailpulse
