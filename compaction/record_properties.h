// Per-file facts about metakv records, collected into each SST file's table
// properties as it is written (flush, compaction or ingest):
// record kinds, the times that decide when records become purgeable, and
// bytes per tenant. The write accounting reads them to charge flush and
// compaction bytes to tenants; maintenance and metakv-sst-dump read them to
// find files whose records are (all) purgeable.
//
// Thread-safety: the factory is thread-safe; each collector is used by the
// one thread writing its file. FileRecordStats is a plain value.
#ifndef METAKV_COMPACTION_RECORD_PROPERTIES_H_
#define METAKV_COMPACTION_RECORD_PROPERTIES_H_

#include <rocksdb/table_properties.h>

#include <cstdint>
#include <limits>
#include <string>
#include <utility>
#include <vector>

namespace metakv {

inline constexpr char kRecordPropertiesName[] = "metakv.RecordProperties";
// The user-collected property holding the encoded FileRecordStats.
inline constexpr char kRecordStatsProperty[] = "metakv.record_stats";
// How many tenants a file lists by name; the rest are summed as "other".
inline constexpr size_t kTopTenantsPerFile = 16;

struct FileRecordStats {
  static constexpr uint64_t kNever = std::numeric_limits<uint64_t>::max();

  uint64_t records = 0;                  // metakv records (RocksDB puts)
  uint64_t tombstones = 0;               // logically deleted records among them
  uint64_t tombstone_bytes = 0;          // key + value bytes of those
  uint64_t expiring = 0;                 // live records with an expiry
  uint64_t permanent = 0;                // live records without expiry
  uint64_t deletions = 0;                // RocksDB deletion markers (hard deletes, purges)
  uint64_t undecodable = 0;              // entries that are not metakv records
  uint64_t min_tombstone_time = kNever;  // delete times, seconds
  uint64_t max_tombstone_time = 0;
  uint64_t min_expiry = kNever;  // expiry of any record (tombstones too)
  uint64_t max_expiry = 0;
  // The newest write or delete time of any record (0 if none): a removal
  // hides every record of the file in its range if this is at or before
  // the removal's time. kNever where a file written before it was recorded
  // (format version 1) does not tell.
  uint64_t max_record_time = 0;
  // The largest tenants of the file by key + value bytes, largest first:
  // (encoded tenant prefix, bytes). other_tenant_bytes sums the rest.
  std::vector<std::pair<std::string, uint64_t>> tenant_bytes;
  uint64_t other_tenant_bytes = 0;

  // The earliest time at which some record of the file becomes purgeable
  // under a retention; kNever if none will.
  uint64_t EarliestPurgeTime(uint64_t retention_seconds) const;
  // The time at which every entry of the file is purgeable, so compacting
  // the file alone writes nothing; kNever if some never will.
  uint64_t FullPurgeTime(uint64_t retention_seconds) const;

  std::string Encode() const;
  // False if props holds no metakv record stats or they do not decode.
  static bool FromProperties(const rocksdb::UserCollectedProperties& props, FileRecordStats* out);
  static bool Decode(std::string_view encoded, FileRecordStats* out);
};

class RecordPropertiesCollectorFactory : public rocksdb::TablePropertiesCollectorFactory {
 public:
  rocksdb::TablePropertiesCollector* CreateTablePropertiesCollector(
      rocksdb::TablePropertiesCollectorFactory::Context context) override;
  const char* Name() const override { return kRecordPropertiesName; }
};

}  // namespace metakv

#endif  // METAKV_COMPACTION_RECORD_PROPERTIES_H_
