// MarkerTimes: per column family, for each SST file holding deletion
// markers, the time (the store's clock, seconds) since which the records
// those markers shadow count as purgeable. The purge deadline takes a file
// when that time is old enough.
//
// Where a time comes from:
// - Noted: the purge passes note their compactions' outputs, and this
//   listener notes the outputs of every compaction RocksDB completes with
//   the earliest time among its inputs (their markers' times, and the
//   earliest purge time of their records, since the compaction filter turns
//   a purgeable record above the last level into a marker). A second note
//   of a file keeps the earlier time; kShadowNothing replaces.
// - Estimated: a file never noted (written before this open, or flushed)
//   counts from RocksDB's time for its oldest ancestor (system clock),
//   mapped onto the store's clock; a later note replaces the estimate.
//
// An output inherits its inputs' time, not its oldest ancestor's: a file
// rewritten again and again (the last level of a hot domain) keeps an
// ancestor as old as the store, which would make every compaction output
// look due at once and have the deadline rewrite it needlessly.
//
// Thread-safety: every method is thread-safe (one mutex); callbacks come
// from RocksDB's threads, without its mutex held, and only read the live
// files' metadata from the database.
#ifndef METAKV_COMPACTION_MARKER_TIMES_H_
#define METAKV_COMPACTION_MARKER_TIMES_H_

#include <rocksdb/listener.h>

#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <vector>

namespace metakv {

class MarkerTimes : public rocksdb::EventListener {
 public:
  // Noted for a file whose markers shadow nothing: never due.
  static constexpr uint64_t kShadowNothing = UINT64_MAX;

  // store_now: the store's clock, seconds; system_now: the system clock,
  // seconds since the epoch (RocksDB's file times use it).
  MarkerTimes(std::function<uint64_t()> store_now, std::function<uint64_t()> system_now);

  // Follows column family cf_name, whose tombstones are kept
  // retention_seconds. REQUIRES: called before the listener is given to
  // RocksDB.
  void Register(const std::string& cf_name, uint64_t retention_seconds);

  // The time of file (a path or a bare name) in cf_name: the noted one, or
  // else the estimate from ancestor_time (system clock seconds, 0 if
  // unknown), which is recorded.
  uint64_t TimeOf(const std::string& cf_name, const std::string& file, uint64_t ancestor_time);

  // Notes files' time (see above).
  void Note(const std::string& cf_name, const std::vector<std::string>& files, uint64_t time);

  // Forgets the files of cf_name not in live (paths or bare names).
  void Retain(const std::string& cf_name, const std::set<std::string>& live);

  // The estimate for a file whose oldest ancestor was written at
  // ancestor_time (system clock; 0: unknown, then now), on the store's
  // clock at store_now. Pure.
  static uint64_t Estimate(uint64_t store_now, uint64_t system_now, uint64_t ancestor_time);

  const char* Name() const override { return "metakv.MarkerTimes"; }
  void OnCompactionBegin(rocksdb::DB* db, const rocksdb::CompactionJobInfo& info) override;
  void OnCompactionCompleted(rocksdb::DB* db, const rocksdb::CompactionJobInfo& info) override;

 private:
  // What one input of a running compaction gives its outputs.
  struct Input {
    bool range_known = false;               // else taken to overlap every output
    std::string smallest, largest;          // user keys, inclusive
    uint64_t marker_time = kShadowNothing;  // kShadowNothing: none
    uint64_t purge_time = kShadowNothing;   // its records' earliest; kShadowNothing: never
  };
  struct Entry {
    uint64_t time;
    bool noted;  // false: an estimate, replaced by the first note
  };
  struct PerCf {
    uint64_t retention = 0;
    std::map<std::string, Entry> files;  // by bare file name
  };
  void NoteLocked(PerCf* cf, const std::string& name, uint64_t time);

  const std::function<uint64_t()> store_now_;
  const std::function<uint64_t()> system_now_;
  std::mutex mu_;
  std::map<std::string, PerCf> cfs_;           // GUARDED_BY(mu_); keys fixed before open
  std::map<int, std::vector<Input>> running_;  // GUARDED_BY(mu_); by job id
};

}  // namespace metakv

#endif  // METAKV_COMPACTION_MARKER_TIMES_H_
