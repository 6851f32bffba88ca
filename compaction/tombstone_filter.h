// The tiered tombstone filter: a CompactionFilterFactory that, in
// compactions (never flushes), drops logically deleted records whose
// retention has passed and records whose expiry has passed.
//
// What RocksDB 7.8 really tells a filter (db/compaction/compaction_iterator.cc,
// include/rocksdb/compaction_filter.h), and what this filter builds on:
// - The factory is asked only for table files created by compaction
//   (ShouldFilterTableFileCreation defaults to kCompaction), so flushes keep
//   everything.
// - The `level` argument is the compaction's *input* start level, not the
//   output level, and Context carries no output level. Every leveled
//   compaction writes to L1 or deeper except intra-L0 compactions; dropping
//   there is equally safe, so the filter does not depend on the level.
// - The filter sees only the newest committed version of each key in the
//   compaction input. A removed record becomes a deletion marker with the
//   same sequence number, which RocksDB keeps while older versions may lie
//   below; so dropping a tombstone never resurrects an older version.
// - The filter runs even on records visible to open snapshots, so the time
//   it purges at is min(now, time of the oldest open snapshot): a record a
//   snapshot can still see is never expired at that time.
//
// - Records hidden by a removal (compaction/removals.h) whose purge time has
//   come are dropped too; if nothing was written under the removal since,
//   with kRemoveAndSkipUntil to the end of its range: every record there is
//   hidden, so RocksDB drops the rest of the range without asking and, unlike
//   kRemove, without writing a deletion marker for each (the markers would
//   make scans of the range crawl, the problem bulk removal avoids). Older
//   versions below may then show again to RocksDB, but the removal still
//   hides them, and it stays pending until a scan finds none left.
//
// Thread-safety: the factory is shared by concurrent compactions and is
// thread-safe; each filter is used by one compaction thread.
#ifndef METAKV_COMPACTION_TOMBSTONE_FILTER_H_
#define METAKV_COMPACTION_TOMBSTONE_FILTER_H_

#include <rocksdb/compaction_filter.h>

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

namespace metakv {

struct DomainCounters;
class RemovalSet;

// The logical removals in force now (null or empty: none), thread-safe.
using RemovalSource = std::function<std::shared_ptr<const RemovalSet>()>;

class TombstoneFilterFactory : public rocksdb::CompactionFilterFactory {
 public:
  // purge_time returns the time (seconds) at which retention and expiry are
  // judged; it must be thread-safe. retention_seconds is the domain's
  // tombstone retention. counters receives purged records and bytes.
  // removals (optional) gives the logical removals, of which the domain's
  // entries are those at domain_index.
  TombstoneFilterFactory(uint64_t retention_seconds, std::function<uint64_t()> purge_time,
                         DomainCounters* counters, RemovalSource removals = nullptr,
                         size_t domain_index = 0);

  std::unique_ptr<rocksdb::CompactionFilter> CreateCompactionFilter(
      const rocksdb::CompactionFilter::Context& context) override;
  const char* Name() const override { return "metakv.TombstoneFilterFactory"; }

 private:
  const uint64_t retention_seconds_;
  const std::function<uint64_t()> purge_time_;
  DomainCounters* const counters_;
  const RemovalSource removals_;
  const size_t domain_index_;
};

// The decision for one stored record, judged at purge_time. Exposed for
// tests. True means drop. Records that do not decode are kept (and
// *corrupt set), so the filter never drops what it cannot read.
// removals (optional): also true for a record a removal there hides and
// whose purge time has come; then, if nothing was written under that
// removal since, *skip_until (if not null) is set to the end of its range:
// every record up to there is purgeable too.
bool ShouldPurge(std::string_view encoded_key, std::string_view value, uint64_t retention_seconds,
                 uint64_t purge_time, bool* corrupt, const RemovalSet* removals = nullptr,
                 size_t domain_index = 0, std::string* skip_until = nullptr);

}  // namespace metakv

#endif  // METAKV_COMPACTION_TOMBSTONE_FILTER_H_
