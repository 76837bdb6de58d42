// Encoders: how one lake object's lines become its bytes
// (docs/formats/lake-object.md, "Encodings"). One registry (encoder.cc)
// maps a name to the object's file extension, HTTP content type/encoding and
// a factory:
//
//   jsonl      newline-delimited JSON, uncompressed          .json
//   jsonl.gz   the same, one gzip member (Firehose's GZIP)   .json.gz
//   jsonl.zst  the same, one zstd frame                      .json.zst
//
// An encoder is filled line by line and finished once; the output is a pure
// function of the lines (gzip carries no name and mtime 0), so a replay
// rebuilds byte-identical objects. Compression runs in Finish over the whole
// buffer (libdeflate and zstd are fastest that way); the buffer is bounded by
// delivery's size hint.
//
// Thread-safety: an encoder belongs to one thread; the registry is immutable.
// Finish compresses with the calling thread's compressor state (kept per
// thread: allocating it per object cost more than compressing).
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace mailpulse {

class ObjectEncoder {
 public:
  virtual ~ObjectEncoder() = default;
  // Appends one line; `line` must not contain '\n'. The newline is added.
  void AddLine(std::string_view line) {
    raw_.append(line);
    raw_ += '\n';
    ++lines_;
  }
  size_t raw_bytes() const { return raw_.size(); }
  size_t lines() const { return lines_; }
  // The object's bytes. The encoder is empty afterwards and may be reused.
  virtual Result<std::string> Finish() = 0;

 protected:
  std::string raw_;
  size_t lines_ = 0;
};

struct Encoding {
  const char* name;       // "jsonl.gz"
  const char* extension;  // ".json.gz"
  // No Content-Encoding is set (as Firehose does): clients that decode it
  // transparently would hand readers of `.gz` names plain text.
  const char* content_type;  // "application/gzip"
  const char* description;
  std::unique_ptr<ObjectEncoder> (*make)(int level);
  // Inverse of the encoder: the object's lines, for tools and tests.
  Result<std::string> (*decode)(std::string_view object);
};

// kInvalid naming the known encodings when `name` is not one of them.
Result<const Encoding*> FindEncoding(std::string_view name);
const std::vector<Encoding>& Encodings();

}  // namespace mailpulse
