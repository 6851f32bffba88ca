// Bulk removals (Store::RemoveTree, Store::RemoveTenant): the pending ones,
// persisted in the default column family, and the set of logical ones that
// reads consult.
//
// A removal covers key ranges: (domain, tenant, key prefix); an empty
// prefix is the whole tenant. It writes only its record: reads hide every
// record under its ranges whose write time is at or before the removal time
// (records written under a removed range later get a later write time, so
// they stay visible). A logical removal does so until RestoreTree drops the
// record or its retention passes; a hard one (RemoveTree kHard,
// RemoveTenant) cannot be restored and is purgeable from the next second. From its
// purge_time the tombstone filter drops the hidden records in compaction;
// the removal stays pending until the purge (engine/purge_scheduler.cc) has
// dropped every one of them, then its record goes. No RocksDB range
// deletion is written: one would be flushed into an L0 file spanning every
// tenant removed in that memtable, and compacting it down rewrites every
// file in between.
//
// Stored under kRemovalKeyPrefix + 8-byte big-endian id, as a record
// (codecs/record_codec.h, checksummed) whose payload is:
//   u8 flags (bit 0 logical, bit 1 written under), varint purge_time,
//   varint seq_before, varint tenant length, tenant, varint range count, then per range:
//   varint domain name length, name, varint prefix length, prefix.
// The record's time is the removal time. kNextRemovalIdKey holds the next
// id (varint), written with every removal, so ids are never reused, and the
// latest removal time (varint). (The latest write time given ahead of the
// clock, see StoreImpl::WriteTimeFor, is kept by engine/store_clock.h.)
//
// Thread-safety: Removal is a plain value; a RemovalSet is immutable once
// built and may be read from any thread.
#ifndef METAKV_ENGINE_REMOVALS_H_
#define METAKV_ENGINE_REMOVALS_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "metakv/status.h"

namespace metakv {

inline constexpr std::string_view kRemovalKeyPrefix = "metakv.removal.";
// The next removal id and the latest logical removal time (varints).
inline constexpr std::string_view kNextRemovalIdKey = "metakv.removal-next";

// The value stored under kNextRemovalIdKey, and back: false if value is
// not exactly two varints.
std::string EncodeNextRemovalId(uint64_t next_id, uint64_t last_time);
bool DecodeNextRemovalId(std::string_view value, uint64_t* next_id, uint64_t* last_time);

struct Removal {
  uint64_t id = 0;
  bool logical = false;
  // Logical: some record was written under one of its prefixes after the
  // removal, so an iterator cannot skip a prefix's range whole.
  bool written_under = false;
  uint64_t time = 0;        // removal time, seconds (the store's clock)
  uint64_t purge_time = 0;  // from when its records may be purged, seconds
  // The last sequence number before the removal's write: a file whose
  // records are all at or below it and inside a range holds only records
  // the removal covers.
  uint64_t seq_before = 0;
  std::string tenant;
  // (domain name, key prefix); an empty prefix is the whole tenant.
  std::vector<std::pair<std::string, std::string>> ranges;
  // In memory only: a sequence number at or after the removal's write
  // (snapshots older than it still see its records); 0 after a reopen.
  uint64_t seq = 0;

  std::string Key() const;
  std::string Encode() const;
  // Corruption naming the fault if key or value does not decode.
  static Status Decode(std::string_view key, std::string_view value, Removal* out);
};

// The encoded key range [begin, end) of a (tenant, prefix) range.
void RemovalRangeBounds(std::string_view tenant, std::string_view prefix, std::string* begin,
                        std::string* end);

// The logical removals in force, indexed for the per-record checks of reads
// and of the compaction filter.
class RemovalSet {
 public:
  struct Entry {
    std::string begin;  // encoded keys: the range [begin, end)
    std::string end;
    uint64_t id = 0;
    uint64_t time = 0;
    uint64_t purge_time = 0;
    bool written_under = false;
  };

  // domain_index maps a domain name to its index (false if unknown: that
  // range is left out).
  RemovalSet(const std::vector<Removal>& removals, size_t domains,
             const std::function<bool(std::string_view, size_t*)>& domain_index);

  bool empty() const { return count_ == 0; }
  bool Empty(size_t domain) const {
    return domain >= by_domain_.size() || by_domain_[domain].empty();
  }

  // The entry hiding a record stored under encoded_key in the domain and
  // written at record_time (the newest such removal); null if none.
  const Entry* Hiding(size_t domain, std::string_view encoded_key, uint64_t record_time) const;
  // The newest entry whose range holds encoded_key, whatever the time; null
  // if none.
  const Entry* Covering(size_t domain, std::string_view encoded_key) const;
  // The ids of every entry whose range holds encoded_key and that nothing
  // was written under yet, appended to *ids. A write must mark them all,
  // not only the newest: removals overlap (a tenant's and its trees', a
  // tree removed twice), and an older one whose range holds a newer record
  // must not let a compaction skip to its end or a scan seek past it.
  void UnmarkedCovering(size_t domain, std::string_view encoded_key,
                        std::vector<uint64_t>* ids) const;
  // A hiding entry whose purge time is at or before purge_time (the one
  // nothing was written under since, if any); null if none.
  const Entry* Purgeable(size_t domain, std::string_view encoded_key, uint64_t record_time,
                         uint64_t purge_time) const;

 private:
  // Per domain: encoded tenant prefix -> its entries.
  std::vector<std::unordered_map<std::string, std::vector<Entry>>> by_domain_;
  size_t count_ = 0;

  const std::vector<Entry>* EntriesOf(size_t domain, std::string_view encoded_key) const;
};

}  // namespace metakv

#endif  // METAKV_ENGINE_REMOVALS_H_
