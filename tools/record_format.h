// How the commands show one decoded record or key: shared by scan, stats
// and verify so every command names a record the same way. Appends into
// caller buffers (no allocation once they have grown). Not thread-safe only
// in the sense that a TimeCache is used by one thread.
#ifndef METAKV_TOOLS_RECORD_FORMAT_H_
#define METAKV_TOOLS_RECORD_FORMAT_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "codecs/record_codec.h"
#include "tools/entry_decoder.h"

namespace metakv::tools {

// "live", "expiring", "expired" (an expiring record whose expiry has passed
// at now) or "tombstone".
std::string_view KindLabel(const codecs::Record& record, uint64_t now);

// Formats times as AppendIsoTime does, remembering the last one: records
// written in the same second cost one conversion.
class TimeCache {
 public:
  void Append(uint64_t seconds, std::string* out);

 private:
  uint64_t last_ = 0;
  std::string text_ = "-";
};

// codecs::AppendPrintable (printable ASCII as is, every other byte and the
// backslash as \xNN; the form common::ParseEscaped reads back) of at most
// max bytes of s, then "..." if s was longer. max == 0 means no limit.
void AppendPrintableHead(std::string_view s, size_t max, std::string* out);

// A stored key as a person reads it. For a tenant-prefixed key that
// decodes: *tenant and *user_key printable and true; otherwise *tenant
// empty, *user_key the whole key printable, and false.
bool DescribeKey(KeyMode mode, std::string_view key, std::string* tenant, std::string* user_key);

}  // namespace metakv::tools

#endif  // METAKV_TOOLS_RECORD_FORMAT_H_
