#include "codecs/coding.h"

namespace metakv::codecs {

void AppendPrintable(std::string_view s, std::string* out) {
  static constexpr char kHex[] = "0123456789abcdef";
  size_t run = 0;  // start of the current run of bytes shown as they are
  for (size_t i = 0; i < s.size(); ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c >= 0x20 && c < 0x7f && c != '\\') continue;
    out->append(s.data() + run, i - run);
    const char escaped[4] = {'\\', 'x', kHex[c >> 4], kHex[c & 15]};
    out->append(escaped, 4);
    run = i + 1;
  }
  out->append(s.data() + run, s.size() - run);
}

std::string Printable(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  AppendPrintable(s, &out);
  return out;
}

std::string PrintableHead(std::string_view s, size_t max) {
  if (s.size() <= max) return Printable(s);
  return Printable(s.substr(0, max)) + "...";
}

}  // namespace metakv::codecs
