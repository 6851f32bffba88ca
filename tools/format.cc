#include "tools/format.h"

#include <cstdio>
#include <ctime>

namespace metakv::tools {

namespace {
constexpr char kHex[] = "0123456789abcdef";

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}
}  // namespace

void AppendPrintable(std::string_view s, std::string* out) {
  for (unsigned char c : s) {
    if (c >= 0x20 && c < 0x7f && c != '\\') {
      out->push_back(static_cast<char>(c));
    } else {
      const char esc[4] = {'\\', 'x', kHex[c >> 4], kHex[c & 15]};
      out->append(esc, 4);
    }
  }
}

void AppendPrintableHead(std::string_view s, size_t max, std::string* out) {
  if (max == 0 || s.size() <= max) {
    AppendPrintable(s, out);
    return;
  }
  AppendPrintable(s.substr(0, max), out);
  out->append("...");
}

std::string PrintableString(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  AppendPrintable(s, &out);
  return out;
}

void AppendIsoTime(uint64_t seconds, std::string* out) {
  if (seconds == 0) {
    out->push_back('-');
    return;
  }
  // Beyond year 9999 gmtime's output would not fit the fixed format.
  if (seconds > 253402300799ull) {
    out->append(std::to_string(seconds));
    return;
  }
  const std::time_t t = static_cast<std::time_t>(seconds);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  const int n = std::snprintf(buf, sizeof(buf), "%04d-%02d-%02dT%02d:%02d:%02dZ", tm.tm_year + 1900,
                              tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
  out->append(buf, n > 0 ? static_cast<size_t>(n) : 0);
}

std::string IsoTime(uint64_t seconds) {
  std::string out;
  AppendIsoTime(seconds, &out);
  return out;
}

void AppendPercent(double share, std::string* out) {
  char buf[32];
  const int n = std::snprintf(buf, sizeof(buf), "%.1f%%", share * 100.0);
  out->append(buf, n > 0 ? static_cast<size_t>(n) : 0);
}

double Share(uint64_t numerator, uint64_t denominator) {
  return denominator == 0 ? 0.0 : static_cast<double>(numerator) / static_cast<double>(denominator);
}

bool ParseEscaped(std::string_view in, std::string* out) {
  out->clear();
  for (size_t i = 0; i < in.size(); ++i) {
    if (in[i] != '\\') {
      out->push_back(in[i]);
      continue;
    }
    if (i + 1 < in.size() && in[i + 1] == '\\') {
      out->push_back('\\');
      ++i;
      continue;
    }
    if (in.size() - i < 4 || in[i + 1] != 'x') return false;
    const int hi = HexValue(in[i + 2]);
    const int lo = HexValue(in[i + 3]);
    if (hi < 0 || lo < 0) return false;
    out->push_back(static_cast<char>(hi * 16 + lo));
    i += 3;
  }
  return true;
}

bool ParseUint64(std::string_view in, uint64_t* out) {
  if (in.empty() || in.size() > 20) return false;
  uint64_t v = 0;
  for (char c : in) {
    if (c < '0' || c > '9') return false;
    const uint64_t digit = static_cast<uint64_t>(c - '0');
    if (v > (UINT64_MAX - digit) / 10) return false;
    v = v * 10 + digit;
  }
  *out = v;
  return true;
}

}  // namespace metakv::tools
