// The storage engines metakv-bench drives, behind one interface so every
// workload runs unchanged on each.
//
// An engine stores (tenant, key) -> value records in one database directory
// it owns while open. User bytes are counted by the driver; an engine
// reports only what it wrote to the device (EngineStats). Put, Get, Delete
// and Scan may be called from several threads at once (--threads); every
// other call from one thread, with no other call running.
#ifndef METAKV_BENCH_ENGINE_H_
#define METAKV_BENCH_ENGINE_H_

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "bench/flags.h"
#include "metakv/status.h"

namespace metakv::bench {

// Bytes an engine wrote since it was opened: SST files (device_bytes) and,
// apart, the write-ahead log.
struct EngineStats {
  uint64_t flush_bytes_written = 0;
  uint64_t compaction_bytes_written = 0;
  uint64_t ingest_bytes_written = 0;  // SST files ingested (metakv's cold path)
  uint64_t wal_bytes_written = 0;     // not part of device_bytes()

  uint64_t device_bytes() const {
    return flush_bytes_written + compaction_bytes_written + ingest_bytes_written;
  }
};

// One record of a version-history group.
struct HistoryRecord {
  std::string key;
  std::string value;
};

class Engine {
 public:
  virtual ~Engine() = default;
  Engine() = default;
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  // "metakv" or "rocksdb": the engine's column in the report.
  virtual std::string_view name() const = 0;

  // Writes (tenant, key) -> value, replacing any earlier value. Unsynced
  // (WAL on, no fsync), as db_bench writes by default.
  virtual Status Put(std::string_view tenant, std::string_view key, std::string_view value) = 0;

  // Reads (tenant, key) into *value. NotFound if absent; any other non-OK
  // status is an engine failure.
  virtual Status Get(std::string_view tenant, std::string_view key, std::string* value) = 0;

  // Deletes (tenant, key). OK if a record was deleted. NotFound if the
  // engine knows there was none (metakv: a logical Store::Delete of a key
  // that is not live); stock RocksDB cannot tell and returns OK. Any other
  // non-OK status is an engine failure.
  virtual Status Delete(std::string_view tenant, std::string_view key) = 0;

  // Reads up to limit records of tenant in key order, starting at the first
  // key >= start_key, and sets *count to the number read (fewer at the
  // tenant's end). Records of other tenants are never counted, so both
  // engines return the same records. Any non-OK status is an engine failure.
  // REQUIRES: keys written through the bench key layout (keys.h).
  virtual Status Scan(std::string_view tenant, std::string_view start_key, uint64_t limit,
                      uint64_t* count) = 0;

  // Writes a group of write-once version-history records of one tenant, as a
  // versioning service would: the group is acknowledged, durable and
  // visible when the call returns. metakv: one cold ingest into its
  // "history" domain; stock RocksDB: one synced write batch.
  virtual Status WriteHistoryGroup(std::string_view tenant,
                                   const std::vector<HistoryRecord>& records) = 0;

  // Flushes every memtable to SST files and waits for it.
  virtual Status Flush() = 0;

  // Waits until no flush or compaction is running or pending.
  virtual Status WaitForCompactions() = 0;

  // The device figures now.
  virtual Status GetStats(EngineStats* stats) = 0;

  // Closes the database, reporting any error. Afterwards only the
  // destructor may be called. Idempotent.
  virtual Status Close() = 0;
};

// Opens (creating) the named engine's database in dir, configured from
// config. InvalidArgument for an unknown name; the engine's error otherwise.
Status OpenEngine(std::string_view name, const BenchConfig& config, const std::string& dir,
                  std::unique_ptr<Engine>* out);

}  // namespace metakv::bench

#endif  // METAKV_BENCH_ENGINE_H_
