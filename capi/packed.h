// The packed buffers of the C API (include/metakv/c.h, "Packed buffers"):
// u32 and u64 little-endian, strings as a u32 length and the bytes. A
// reader never reads past its buffer; a truncated or malformed buffer is
// InvalidArgument naming the byte offset.
#ifndef METAKV_CAPI_PACKED_H_
#define METAKV_CAPI_PACKED_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "metakv/status.h"

namespace metakv::capi {

class PackedReader {
 public:
  PackedReader(const char* data, size_t size) : data_(data), size_(size) {}

  bool done() const { return pos_ == size_; }
  Status U8(uint8_t* v);
  Status U64(uint64_t* v);
  // A string; *v points into the buffer.
  Status String(std::string_view* v);

 private:
  Status Need(size_t n, const char* what);
  uint32_t ReadU32();

  const char* data_;
  size_t size_;
  size_t pos_ = 0;
};

void PutU8(std::string* out, uint8_t v);
void PutU32(std::string* out, uint32_t v);
void PutU64(std::string* out, uint64_t v);
void PutU32At(char* out, uint32_t v);
void PutU64At(char* out, uint64_t v);
// REQUIRES: s.size() fits in a u32.
void PutString(std::string* out, std::string_view s);

}  // namespace metakv::capi

#endif  // METAKV_CAPI_PACKED_H_
