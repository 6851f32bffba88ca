#include "tools/entry_decoder.h"

#include "codecs/coding.h"
#include "codecs/key_codec.h"
#include "compaction/removals.h"

namespace metakv::tools {

Status DecodeEntry(KeyMode mode, std::string_view key, std::string_view value, DecodedEntry* out) {
  out->key = key;
  out->value = value;
  out->tenant_prefix = {};
  out->user_key = key;
  if (mode == KeyMode::kTenant) {
    size_t prefix_bytes = 0;
    Status s = codecs::TenantPrefixLength(key, &prefix_bytes);
    if (!s.ok()) return s;
    out->tenant_prefix = key.substr(0, prefix_bytes);
    out->user_key = key.substr(prefix_bytes);
  }
  if (mode == KeyMode::kPlain && key == kNextRemovalIdKey) {
    // The one metadata entry that is not a record: two varints.
    uint64_t next_id = 0, last_time = 0;
    if (!DecodeNextRemovalId(value, &next_id, &last_time)) {
      return Status::Corruption("next removal id at key " + std::string(key) +
                                ": not two varints");
    }
    out->record = codecs::Record();
    out->record.payload = value;
    return Status::OK();
  }
  return codecs::DecodeRecord(key, value, &out->record);
}

Status ProbeFile(rocksdb::Iterator* it, FileFlavor* flavor, std::string* reason) {
  int seen = 0;
  bool any_tenant = false;
  bool any_plain = false;
  std::string first_failure;
  DecodedEntry entry;
  for (it->SeekToFirst(); it->Valid() && seen < kProbeEntries; it->Next(), ++seen) {
    const std::string_view key(it->key().data(), it->key().size());
    const std::string_view value(it->value().data(), it->value().size());
    Status s = DecodeEntry(KeyMode::kTenant, key, value, &entry);
    if (s.ok()) {
      any_tenant = true;
      break;
    }
    if (first_failure.empty()) first_failure = s.message();
    if (DecodeEntry(KeyMode::kPlain, key, value, &entry).ok()) any_plain = true;
  }
  if (!it->status().ok()) {
    const rocksdb::Status rs = it->status();
    return rs.IsCorruption() ? Status::Corruption(rs.ToString()) : Status::IOError(rs.ToString());
  }
  if (any_tenant) {
    *flavor = FileFlavor::kTenantRecords;
  } else if (any_plain) {
    *flavor = FileFlavor::kPlainRecords;
  } else if (seen == 0) {
    *flavor = FileFlavor::kEmpty;
  } else {
    *flavor = FileFlavor::kForeign;
    *reason = "none of the first " + std::to_string(seen) +
              " entries decodes as a metakv record (first entry: " + first_failure + ")";
  }
  return Status::OK();
}

bool TenantTracker::Update(std::string_view tenant_prefix) {
  if (valid_ && tenant_prefix == prefix_) return false;
  valid_ = true;
  prefix_.assign(tenant_prefix.data(), tenant_prefix.size());
  tenant_.clear();
  // The prefix was validated by DecodeEntry: unescape 0x00 0xFF and drop the
  // 0x00 0x01 terminator.
  for (size_t i = 0; i + 2 < tenant_prefix.size(); ++i) {
    tenant_.push_back(tenant_prefix[i]);
    if (tenant_prefix[i] == '\0') ++i;
  }
  printable_.clear();
  codecs::AppendPrintable(tenant_, &printable_);
  return true;
}

}  // namespace metakv::tools
