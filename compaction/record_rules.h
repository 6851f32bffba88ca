// The rules that judge one stored record at a time, written once for every
// part that needs them: what a read may show (reads, iterators, the write
// path's read-modify-write), what the recycle bin holds (Undelete, the
// recycle-bin listing), and from when a record may be purged (the
// compaction filter, the file statistics, metakv-sst-dump's stats).
//
// Pure functions: thread-safe.
#ifndef METAKV_COMPACTION_RECORD_RULES_H_
#define METAKV_COMPACTION_RECORD_RULES_H_

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "codecs/record_codec.h"
#include "compaction/removals.h"

namespace metakv {

// What a read at a time makes of a stored record.
enum class Visibility : unsigned char {
  kVisible,  // live, not expired, not under a logical removal
  kRemoved,  // hidden by a removal (RemoveTree, RemoveTenant)
  kDeleted,  // a tombstone (logically deleted), whatever its expiry
  kExpired,  // live, but its expiry is at or before the time
};

// The visibility of record, stored under encoded_key in the domain with
// index `domain`, to a read at now that applies removals (null: none).
// *hiding (if not null) gets the removal entry that hides it, or null.
Visibility VisibilityOf(const codecs::Record& record, uint64_t now, const RemovalSet* removals,
                        size_t domain, std::string_view encoded_key,
                        const RemovalSet::Entry** hiding = nullptr);

// Why a record is or is not in the recycle bin at now.
enum class Restorable : unsigned char {
  kYes,                  // a tombstone Undelete restores
  kNotDeleted,           // not a tombstone
  kRetentionPassed,      // deleted at least retention_seconds ago
  kExpiredWhileDeleted,  // its own expiry passed while it was deleted
};

// Whether a tombstone visible to a read (not hidden by a removal) is still
// in the recycle bin at now: deleted less than retention_seconds ago (at
// exactly delete time + retention it has left) and not past its expiry.
Restorable RestorableAt(const codecs::Record& record, uint64_t now, uint64_t retention_seconds);

// The first time at which record, judged alone (removals aside), may be
// purged: its expiry, or for a tombstone its delete time plus the retention,
// whichever comes first. kNeverPurgeable if neither applies.
inline constexpr uint64_t kNeverPurgeable = ~uint64_t{0};
uint64_t PurgeableFrom(const codecs::Record& record, uint64_t retention_seconds);

// True if record, judged alone, may be purged at time.
inline bool PurgeableAt(const codecs::Record& record, uint64_t retention_seconds, uint64_t time) {
  return time >= PurgeableFrom(record, retention_seconds);
}

}  // namespace metakv

#endif  // METAKV_COMPACTION_RECORD_RULES_H_
