#include "common/format.h"

#include <cstdio>

namespace metakv::common {

namespace {

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}
}  // namespace

void AppendIsoTime(uint64_t seconds, std::string* out) {
  if (seconds == 0) {
    out->push_back('-');
    return;
  }
  // Beyond year 9999 the fixed format does not fit.
  if (seconds > 253402300799ull) {
    out->append(std::to_string(seconds));
    return;
  }
  // Civil date from days since the epoch (proleptic Gregorian calendar;
  // H. Hinnant's days-to-civil algorithm).
  const int64_t days = static_cast<int64_t>(seconds / 86400);
  const uint64_t secs = seconds % 86400;
  const int64_t z = days + 719468;
  const int64_t era = z / 146097;
  const int64_t doe = z - era * 146097;
  const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const int64_t mp = (5 * doy + 2) / 153;
  const int64_t day = doy - (153 * mp + 2) / 5 + 1;
  const int64_t month = mp < 10 ? mp + 3 : mp - 9;
  const int64_t year = yoe + era * 400 + (month <= 2 ? 1 : 0);
  char buf[20] = {0, 0, 0, 0, '-', 0, 0, '-', 0, 0, 'T', 0, 0, ':', 0, 0, ':', 0, 0, 'Z'};
  auto put = [&buf](int at, int64_t v, int width) {
    for (int i = width - 1; i >= 0; --i) {
      buf[at + i] = static_cast<char>('0' + v % 10);
      v /= 10;
    }
  };
  put(0, year, 4);
  put(5, month, 2);
  put(8, day, 2);
  put(11, static_cast<int64_t>(secs / 3600), 2);
  put(14, static_cast<int64_t>(secs / 60 % 60), 2);
  put(17, static_cast<int64_t>(secs % 60), 2);
  out->append(buf, sizeof(buf));
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

std::string CountOf(uint64_t n, std::string_view one, std::string_view many) {
  std::string out = std::to_string(n);
  out.push_back(' ');
  out.append(n == 1 ? one : many);
  return out;
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

FlagArg SplitFlag(std::string_view arg) {
  FlagArg flag;
  flag.name = arg.substr(2);
  if (const size_t eq = flag.name.find('='); eq != std::string_view::npos) {
    flag.value = flag.name.substr(eq + 1);
    flag.name = flag.name.substr(0, eq);
    flag.has_value = true;
  }
  return flag;
}

}  // namespace metakv::common
