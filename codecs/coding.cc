#include "codecs/coding.h"

namespace metakv::codecs {

std::string Printable(std::string_view s) {
  static const char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(s.size());
  for (unsigned char c : s) {
    if (c >= 0x20 && c < 0x7f && c != '\\') {
      out.push_back(static_cast<char>(c));
    } else {
      out += "\\x";
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 15]);
    }
  }
  return out;
}

std::string PrintableHead(std::string_view s, size_t max) {
  if (s.size() <= max) return Printable(s);
  return Printable(s.substr(0, max)) + "...";
}

}  // namespace metakv::codecs
