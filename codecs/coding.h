// Varint and fixed-width integer encoding with bounds-checked decoding.
// Pure functions: thread-safe.
#ifndef METAKV_CODECS_CODING_H_
#define METAKV_CODECS_CODING_H_

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

namespace metakv::codecs {

inline constexpr size_t kMaxVarint64Bytes = 10;

inline void PutVarint64(std::string* out, uint64_t v) {
  char buf[kMaxVarint64Bytes];
  size_t n = 0;
  while (v >= 0x80) {
    buf[n++] = static_cast<char>((v & 0x7f) | 0x80);
    v >>= 7;
  }
  buf[n++] = static_cast<char>(v);
  out->append(buf, n);
}

// Reads a varint from the front of *in and advances it. False (and *in
// unchanged) if the input ends inside the varint or the value does not fit
// in 64 bits.
inline bool GetVarint64(std::string_view* in, uint64_t* v) {
  uint64_t result = 0;
  for (size_t i = 0; i < in->size() && i < kMaxVarint64Bytes; ++i) {
    const uint64_t byte = static_cast<unsigned char>((*in)[i]);
    if (i == kMaxVarint64Bytes - 1 && byte > 1) return false;  // overflow
    result |= (byte & 0x7f) << (7 * i);
    if ((byte & 0x80) == 0) {
      *v = result;
      in->remove_prefix(i + 1);
      return true;
    }
  }
  return false;
}

// Appends a varint length, then bytes.
inline void PutLengthPrefixed(std::string* out, std::string_view bytes) {
  PutVarint64(out, bytes.size());
  out->append(bytes);
}

// Reads what PutLengthPrefixed wrote from the front of *in into *bytes
// (pointing into *in's data) and advances *in. False if the input ends
// first.
inline bool GetLengthPrefixed(std::string_view* in, std::string_view* bytes) {
  uint64_t n = 0;
  std::string_view rest = *in;
  if (!GetVarint64(&rest, &n) || n > rest.size()) return false;
  *bytes = rest.substr(0, n);
  rest.remove_prefix(n);
  *in = rest;
  return true;
}

inline uint64_t ZigZagEncode(int64_t v) {
  return (static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63);
}
inline int64_t ZigZagDecode(uint64_t v) {
  return static_cast<int64_t>(v >> 1) ^ -static_cast<int64_t>(v & 1);
}

inline void PutFixed32(std::string* out, uint32_t v) {
  char buf[4] = {static_cast<char>(v), static_cast<char>(v >> 8), static_cast<char>(v >> 16),
                 static_cast<char>(v >> 24)};
  out->append(buf, 4);
}
// REQUIRES: p points at 4 readable bytes.
inline uint32_t DecodeFixed32(const char* p) {
  const auto* u = reinterpret_cast<const unsigned char*>(p);
  return static_cast<uint32_t>(u[0]) | (static_cast<uint32_t>(u[1]) << 8) |
         (static_cast<uint32_t>(u[2]) << 16) | (static_cast<uint32_t>(u[3]) << 24);
}

// a + b, or UINT64_MAX if that overflows (for times plus durations).
inline uint64_t SaturatingAdd(uint64_t a, uint64_t b) {
  return a > UINT64_MAX - b ? UINT64_MAX : a + b;
}

// Appends the bytes of s to *out as printable text: printable ASCII as is,
// every other byte and the backslash as \xNN (a backslash as \x5c).
void AppendPrintable(std::string_view s, std::string* out);
// AppendPrintable(s) into a new string.
std::string Printable(std::string_view s);
// Printable(s) of at most max bytes of s, with "..." if s was longer: for
// naming a key in an error message.
std::string PrintableHead(std::string_view s, size_t max = 64);

}  // namespace metakv::codecs

#endif  // METAKV_CODECS_CODING_H_
