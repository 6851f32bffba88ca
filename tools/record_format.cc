#include "tools/record_format.h"

#include "codecs/coding.h"
#include "codecs/key_codec.h"
#include "common/format.h"

namespace metakv::tools {

void AppendPrintableHead(std::string_view s, size_t max, std::string* out) {
  if (max == 0 || s.size() <= max) {
    codecs::AppendPrintable(s, out);
    return;
  }
  codecs::AppendPrintable(s.substr(0, max), out);
  out->append("...");
}

std::string_view KindLabel(const codecs::Record& record, uint64_t now) {
  if (record.IsTombstone()) return "tombstone";
  if (record.expiry == 0) return "live";
  return record.IsExpiredAt(now) ? "expired" : "expiring";
}

void TimeCache::Append(uint64_t seconds, std::string* out) {
  if (seconds != last_) {
    last_ = seconds;
    text_.clear();
    common::AppendIsoTime(seconds, &text_);
  }
  out->append(text_);
}

bool DescribeKey(KeyMode mode, std::string_view key, std::string* tenant, std::string* user_key) {
  tenant->clear();
  user_key->clear();
  if (mode == KeyMode::kTenant) {
    std::string decoded;
    std::string_view rest;
    if (codecs::DecodeKey(key, &decoded, &rest).ok()) {
      codecs::AppendPrintable(decoded, tenant);
      codecs::AppendPrintable(rest, user_key);
      return true;
    }
    codecs::AppendPrintable(key, user_key);
    return false;
  }
  codecs::AppendPrintable(key, user_key);
  return true;
}

}  // namespace metakv::tools
