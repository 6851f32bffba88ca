#include "tools/key_filter.h"

#include <algorithm>

#include "codecs/key_codec.h"

namespace metakv::tools {

KeyFilter KeyFilter::ForDecoded(const DumpFlags& flags) {
  KeyFilter f;
  if (flags.has_tenant) {
    f.tenant_only = true;
    f.lower = codecs::EncodeKey(flags.tenant, flags.from);
    f.upper = flags.to.empty() ? codecs::TenantUpperBound(flags.tenant)
                               : codecs::EncodeKey(flags.tenant, flags.to);
  } else if (!flags.from.empty() || !flags.to.empty()) {
    f.user_bounds = true;
    f.from = flags.from;
    f.to = flags.to;
  }
  return f;
}

KeyFilter KeyFilter::ForRaw(const DumpFlags& flags) {
  KeyFilter f;
  f.lower = flags.from;
  f.upper = flags.to;
  if (flags.has_tenant) {
    f.tenant_only = true;
    const std::string lower = codecs::EncodeKey(flags.tenant, "");
    const std::string upper = codecs::TenantUpperBound(flags.tenant);
    f.lower = std::max(f.lower, lower);
    f.upper = f.upper.empty() ? upper : std::min(f.upper, upper);
  }
  return f;
}

bool KeyFilter::MayOverlap(const InputFile& f) const {
  if (f.level < 0) return true;  // a lone file: no MANIFEST key range
  if (tenant_only && f.key_mode == KeyMode::kPlain) return false;
  if (f.smallest_key.empty() && f.largest_key.empty()) return true;
  if (!lower.empty() && f.largest_key < lower) return false;
  if (!upper.empty() && f.smallest_key >= upper) return false;
  return true;
}

EntryCursor::EntryCursor(const SstFile& file, const KeyFilter& filter)
    : file_(file), filter_(filter), it_(file.NewIterator()) {
  if (filter_.lower.empty()) {
    it_->SeekToFirst();
  } else {
    it_->Seek(filter_.lower);
  }
  Check();
}

void EntryCursor::Next() {
  it_->Next();
  Check();
}

void EntryCursor::Check() {
  valid_ = it_->Valid();
  if (valid_ && !filter_.upper.empty()) {
    valid_ = key() < std::string_view(filter_.upper);
  }
}

Status EntryCursor::status() const {
  const rocksdb::Status rs = it_->status();
  if (rs.ok()) return Status::OK();
  if (rs.IsCorruption()) return Status::Corruption(file_.path() + ": " + rs.ToString());
  return Status::IOError(file_.path() + ": " + rs.ToString());
}

}  // namespace metakv::tools
