#include "compaction/record_rules.h"

#include <algorithm>

#include "codecs/coding.h"

namespace metakv {

Visibility VisibilityOf(const codecs::Record& record, uint64_t now, const RemovalSet* removals,
                        size_t domain, std::string_view encoded_key,
                        const RemovalSet::Entry** hiding) {
  const RemovalSet::Entry* entry =
      removals != nullptr ? removals->Hiding(domain, encoded_key, record.time) : nullptr;
  if (hiding != nullptr) *hiding = entry;
  if (entry != nullptr) return Visibility::kRemoved;
  if (record.IsTombstone()) return Visibility::kDeleted;
  if (record.IsExpiredAt(now)) return Visibility::kExpired;
  return Visibility::kVisible;
}

Restorable RestorableAt(const codecs::Record& record, uint64_t now, uint64_t retention_seconds) {
  if (!record.IsTombstone()) return Restorable::kNotDeleted;
  if (now >= codecs::SaturatingAdd(record.time, retention_seconds)) {
    return Restorable::kRetentionPassed;
  }
  if (record.IsExpiredAt(now)) return Restorable::kExpiredWhileDeleted;
  return Restorable::kYes;
}

uint64_t PurgeableFrom(const codecs::Record& record, uint64_t retention_seconds) {
  uint64_t from = record.expiry != 0 ? record.expiry : kNeverPurgeable;
  if (record.IsTombstone()) {
    from = std::min(from, codecs::SaturatingAdd(record.time, retention_seconds));
  }
  return from;
}

}  // namespace metakv
