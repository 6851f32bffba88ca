#include "capi/packed.h"

#include <cstring>

namespace metakv::capi {

Status PackedReader::Need(size_t n, const char* what) {
  if (size_ - pos_ < n) {
    return Status::InvalidArgument("packed buffer ends inside a " + std::string(what) +
                                   " at byte " + std::to_string(pos_) + " of " +
                                   std::to_string(size_));
  }
  return Status::OK();
}

uint32_t PackedReader::ReadU32() {
  uint32_t v = 0;
  for (int i = 3; i >= 0; --i) v = (v << 8) | static_cast<uint8_t>(data_[pos_ + i]);
  pos_ += 4;
  return v;
}

Status PackedReader::U8(uint8_t* v) {
  Status s = Need(1, "byte");
  if (!s.ok()) return s;
  *v = static_cast<uint8_t>(data_[pos_++]);
  return Status::OK();
}

Status PackedReader::U64(uint64_t* v) {
  Status s = Need(8, "u64");
  if (!s.ok()) return s;
  const uint64_t low = ReadU32();
  const uint64_t high = ReadU32();
  *v = (high << 32) | low;
  return Status::OK();
}

Status PackedReader::String(std::string_view* v) {
  Status s = Need(4, "string length");
  if (!s.ok()) return s;
  const uint32_t n = ReadU32();
  s = Need(n, "string");
  if (!s.ok()) return s;
  *v = std::string_view(data_ + pos_, n);
  pos_ += n;
  return Status::OK();
}

void PutU8(std::string* out, uint8_t v) { out->push_back(static_cast<char>(v)); }

void PutU32At(char* out, uint32_t v) {
  for (int i = 0; i < 4; ++i) out[i] = static_cast<char>((v >> (8 * i)) & 0xff);
}

void PutU64At(char* out, uint64_t v) {
  PutU32At(out, static_cast<uint32_t>(v));
  PutU32At(out + 4, static_cast<uint32_t>(v >> 32));
}

void PutU32(std::string* out, uint32_t v) {
  char buf[4];
  PutU32At(buf, v);
  out->append(buf, 4);
}

void PutU64(std::string* out, uint64_t v) {
  char buf[8];
  PutU64At(buf, v);
  out->append(buf, 8);
}

void PutString(std::string* out, std::string_view s) {
  PutU32(out, static_cast<uint32_t>(s.size()));
  out->append(s.data(), s.size());
}

}  // namespace metakv::capi
