#include "delivery/encoder.h"

#include <isa-l/igzip_lib.h>
#include <libdeflate.h>
#include <zstd.h>

#include <vector>

namespace mailpulse {
namespace {

class PlainEncoder final : public ObjectEncoder {
 public:
  Result<std::string> Finish() override {
    std::string out = std::move(raw_);
    raw_.clear();
    lines_ = 0;
    return out;
  }
};

// Compressor state is large (zstd's workspace, libdeflate's hash tables) and
// an encoder lives for one object — one per partition per batch, often only
// a few KB — so allocating it per encoder (and faulting its pages in) cost
// more than compressing. One per thread is kept instead; the output depends
// only on the input and the level, never on what the state compressed before.
libdeflate_compressor* ThreadGzipCompressor(int level) {
  struct Cached {
    int level = 0;
    libdeflate_compressor* c = nullptr;
    ~Cached() {
      if (c != nullptr) libdeflate_free_compressor(c);
    }
  };
  thread_local Cached cached;
  if (cached.c == nullptr || cached.level != level) {
    if (cached.c != nullptr) libdeflate_free_compressor(cached.c);
    cached.c = libdeflate_alloc_compressor(level);
    cached.level = level;
  }
  return cached.c;
}

ZSTD_CCtx* ThreadZstdContext() {
  struct Cached {
    ZSTD_CCtx* cctx = ZSTD_createCCtx();
    ~Cached() { ZSTD_freeCCtx(cctx); }
  };
  thread_local Cached cached;
  return cached.cctx;
}

// Levels 1-3 (and 0, the default: 1) use ISA-L's igzip, levels 4-12
// libdeflate. igzip level 1 compresses these NDJSON objects 1.3x (6 KB
// objects) to 2.7x (1 MB) faster than libdeflate level 1 on this machine at
// the same or a better ratio (docs/benchmarks.md, "Delivery"), and gzip is
// most of delivery's CPU; libdeflate's higher levels are there for whoever
// trades CPU for smaller objects.
constexpr int kMaxIsalLevel = 3;

// ISA-L's per-level working memory, kept per thread like the others.
uint8_t* ThreadIsalLevelBuffer(int level, uint32_t* size) {
  static constexpr uint32_t kSizes[] = {0, ISAL_DEF_LVL1_DEFAULT, ISAL_DEF_LVL2_DEFAULT,
                                        ISAL_DEF_LVL3_DEFAULT};
  thread_local std::vector<uint8_t> buffer;
  *size = kSizes[level];
  if (buffer.size() < *size) buffer.resize(*size);
  return buffer.data();
}

class GzipEncoder final : public ObjectEncoder {
 public:
  explicit GzipEncoder(int level) : level_(level <= 0 ? 1 : level) {}
  Result<std::string> Finish() override {
    Result<std::string> out = level_ <= kMaxIsalLevel ? Igzip() : Libdeflate();
    raw_.clear();
    lines_ = 0;
    return out;
  }

 private:
  // One gzip member (no name, mtime 0), as libdeflate writes it.
  Result<std::string> Igzip() {
    std::string out;
    // Deflate's worst case is the input in stored blocks (5 bytes per 64 KiB)
    // plus the gzip header and trailer; this is well above it.
    out.resize(raw_.size() + raw_.size() / 16 + 1024);
    isal_zstream z;
    isal_deflate_stateless_init(&z);
    z.level = static_cast<uint32_t>(level_);
    z.level_buf = ThreadIsalLevelBuffer(level_, &z.level_buf_size);
    z.gzip_flag = IGZIP_GZIP;
    z.next_in = reinterpret_cast<uint8_t*>(raw_.data());
    z.avail_in = static_cast<uint32_t>(raw_.size());
    z.end_of_stream = 1;
    z.flush = NO_FLUSH;
    z.next_out = reinterpret_cast<uint8_t*>(out.data());
    z.avail_out = static_cast<uint32_t>(out.size());
    int r = isal_deflate_stateless(&z);
    if (r != COMP_OK) return Status::Fail("igzip: compression failed (" + std::to_string(r) + ")");
    out.resize(z.total_out);
    return out;
  }

  Result<std::string> Libdeflate() {
    libdeflate_compressor* c = ThreadGzipCompressor(level_);
    if (c == nullptr) return Status::Fail("libdeflate: cannot allocate a compressor");
    std::string out;
    out.resize(libdeflate_gzip_compress_bound(c, raw_.size()));
    size_t n = libdeflate_gzip_compress(c, raw_.data(), raw_.size(), out.data(), out.size());
    if (n == 0) return Status::Fail("libdeflate: gzip compression failed");
    out.resize(n);
    return out;
  }

  int level_;
};

class ZstdEncoder final : public ObjectEncoder {
 public:
  explicit ZstdEncoder(int level) : level_(level == 0 ? 1 : level) {}
  Result<std::string> Finish() override {
    ZSTD_CCtx* cctx = ThreadZstdContext();
    if (cctx == nullptr) return Status::Fail("zstd: cannot allocate a context");
    std::string out;
    out.resize(ZSTD_compressBound(raw_.size()));
    size_t n = ZSTD_compressCCtx(cctx, out.data(), out.size(), raw_.data(), raw_.size(), level_);
    if (ZSTD_isError(n)) return Status::Fail(std::string("zstd: ") + ZSTD_getErrorName(n));
    out.resize(n);
    raw_.clear();
    lines_ = 0;
    return out;
  }

 private:
  int level_;
};

Result<std::string> DecodePlain(std::string_view object) { return std::string(object); }

Result<std::string> DecodeGzip(std::string_view object) {
  // Concatenated members are valid gzip; decode them all.
  libdeflate_decompressor* d = libdeflate_alloc_decompressor();
  if (d == nullptr) return Status::Fail("libdeflate: cannot allocate a decompressor");
  std::string out;
  size_t pos = 0;
  Status st;
  while (pos < object.size()) {
    std::string_view rest = object.substr(pos);
    if (rest.size() < 18) {
      st = Status::Corruption("gzip: truncated member");
      break;
    }
    // ISIZE (the last 4 bytes of a member) is only known for the last member; grow until it fits.
    size_t guess = std::max<size_t>(rest.size() * 4, 1 << 16);
    for (;;) {
      std::string buf(guess, '\0');
      size_t in_used = 0, out_used = 0;
      libdeflate_result r = libdeflate_gzip_decompress_ex(d, rest.data(), rest.size(), buf.data(),
                                                          buf.size(), &in_used, &out_used);
      if (r == LIBDEFLATE_INSUFFICIENT_SPACE && guess < (size_t{1} << 34)) {
        guess *= 4;
        continue;
      }
      if (r != LIBDEFLATE_SUCCESS) {
        st = Status::Corruption("gzip: invalid data");
        break;
      }
      out.append(buf.data(), out_used);
      pos += in_used;
      break;
    }
    if (!st.ok()) break;
  }
  libdeflate_free_decompressor(d);
  if (!st.ok()) return st;
  return out;
}

Result<std::string> DecodeZstd(std::string_view object) {
  std::string out;
  ZSTD_DStream* ds = ZSTD_createDStream();
  if (ds == nullptr) return Status::Fail("zstd: cannot allocate a context");
  ZSTD_inBuffer in{object.data(), object.size(), 0};
  std::string buf(ZSTD_DStreamOutSize(), '\0');
  size_t last = 0;
  while (in.pos < in.size) {
    ZSTD_outBuffer o{buf.data(), buf.size(), 0};
    last = ZSTD_decompressStream(ds, &o, &in);
    if (ZSTD_isError(last)) {
      ZSTD_freeDStream(ds);
      return Status::Corruption(std::string("zstd: ") + ZSTD_getErrorName(last));
    }
    out.append(buf.data(), o.pos);
  }
  ZSTD_freeDStream(ds);
  if (last != 0) return Status::Corruption("zstd: truncated frame");
  return out;
}

}  // namespace

const std::vector<Encoding>& Encodings() {
  static const std::vector<Encoding> kEncodings = {
      {"jsonl.gz", ".json.gz", "application/gzip",
       "newline-delimited JSON in one gzip member (Firehose's GZIP; the default)",
       [](int level) -> std::unique_ptr<ObjectEncoder> {
         return std::make_unique<GzipEncoder>(level);
       },
       DecodeGzip},
      {"jsonl.zst", ".json.zst", "application/zstd",
       "newline-delimited JSON in one zstd frame (smaller and faster; DuckDB, Spark, Trino read "
       "it)",
       [](int level) -> std::unique_ptr<ObjectEncoder> {
         return std::make_unique<ZstdEncoder>(level);
       },
       DecodeZstd},
      {"jsonl", ".json", "application/x-ndjson", "newline-delimited JSON, uncompressed",
       [](int) -> std::unique_ptr<ObjectEncoder> { return std::make_unique<PlainEncoder>(); },
       DecodePlain},
  };
  return kEncodings;
}

Result<const Encoding*> FindEncoding(std::string_view name) {
  std::string known;
  for (const Encoding& e : Encodings()) {
    if (name == e.name) return &e;
    known += known.empty() ? "" : ", ";
    known += e.name;
  }
  return Status::Invalid("unknown lake encoding '" + std::string(name) + "' (known: " + known +
                         ")");
}

}  // namespace mailpulse
