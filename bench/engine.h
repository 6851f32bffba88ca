// The storage engines metakv-bench drives, behind one interface so every
// workload runs unchanged on each.
//
// An engine stores (tenant, key) -> value records in one database directory
// it owns while open. User bytes are counted by the driver; an engine
// reports only what it wrote to the device (EngineStats). Put, Get, Delete
// and Scan may be called from several threads at once (--threads), and so
// may WriteHistoryGroup and the metadata operations, each thread on tenants
// of its own (metamix); every other call from one thread, with no other
// call running.
#ifndef METAKV_BENCH_ENGINE_H_
#define METAKV_BENCH_ENGINE_H_

#include <cstdint>
#include <functional>
#include <map>
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
  // Engines that tell (metakv): level-1 bytes rewritten by compactions from
  // level 0, and the part rewritten for other tenants' writes
  // (DomainStats::l0_l1_for_others_bytes). Part of compaction_bytes_written.
  uint64_t l0_l1_rewritten_bytes = 0;
  uint64_t l0_l1_for_others_bytes = 0;
  uint64_t wal_bytes_written = 0;     // not part of device_bytes()
  // Current state, not counters: bytes of the live SST files, and the
  // writers' total stall time since the engine was opened (RocksDB's
  // STALL_MICROS).
  uint64_t live_sst_bytes = 0;
  uint64_t stall_micros = 0;
  // Engines with a purge deadline (metakv): per domain, how long the oldest
  // purgeable record still in the files has been purgeable, seconds of the
  // engine's clock (0: none). Empty for engines without one.
  std::map<std::string, uint64_t> purgeable_age_seconds;

  uint64_t device_bytes() const {
    return flush_bytes_written + compaction_bytes_written + ingest_bytes_written;
  }
};

// One record of a version-history group.
struct HistoryRecord {
  std::string key;
  std::string value;
};

// The metadata domains of the metamix workload (workloads/meta_mix.cc).
// metakv keeps each in its own domain ("inode", "dentry" hot; "history"
// cold, written only by WriteHistoryGroup); stock RocksDB keeps all in its
// one column family, the domain as a key prefix byte.
enum class MetaDomain : unsigned char { kInode, kDentry, kHistory };

// One write of a metadata batch (Engine::MetaWrite).
struct MetaOp {
  enum class Kind : unsigned char {
    kPut,     // write a live record, replacing any earlier one
    kDelete,  // logical delete into the recycle bin: invisible at once,
              // physically purged once --retention_seconds have passed
    kRemove,  // delete at once, no recycle bin (a rename's old name)
  };
  Kind kind = Kind::kPut;
  MetaDomain domain = MetaDomain::kInode;
  std::string key;
  std::string value;  // kPut only
};

// One key prefix of one domain: with the others of a tree removal, every
// record of a directory tree (its inodes and dentries keyed by the tree's
// inode-number prefix, see workloads/bulk_delete.cc).
struct TreePrefix {
  MetaDomain domain = MetaDomain::kInode;
  std::string prefix;
};

// How Engine::RemoveTree removes.
enum class TreeRemoveMode : unsigned char {
  // Into the recycle bin as one unit: invisible at once, restorable by
  // RestoreTree until --retention_seconds have passed, then purged.
  kLogical,
  // At once, not restorable.
  kHard,
};

// Receives one record of a scan; returns false to stop the scan.
using ScanVisitor = std::function<bool(std::string_view key, std::string_view value)>;

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
  // visible when the call returns, and expires --history_ttl_seconds later
  // (0: never). metakv: one cold ingest into its "history" domain, expired
  // by the engine; stock RocksDB: one synced write batch, and a batch of
  // deletes of the same keys once the TTL has passed, as a stock user must.
  virtual Status WriteHistoryGroup(std::string_view tenant,
                                   const std::vector<HistoryRecord>& records) = 0;

  // --- The metadata operations of metamix (several threads at once, each
  // on tenants no other thread touches). ---

  // Applies ops, all of one tenant, as one atomic batch (WAL on, unsynced).
  // InvalidArgument for a kHistory op (history is written in groups).
  // A kDelete of a key that is not live is NotFound and nothing is written.
  // Stock RocksDB does what a stock user must for a recycle bin: it reads
  // the record and writes a marker holding the deletion time and the old
  // value (restorable), then deletes the marker once retention has passed.
  virtual Status MetaWrite(std::string_view tenant, const std::vector<MetaOp>& ops) = 0;

  // Reads a live record; NotFound if absent or deleted (in the recycle bin).
  virtual Status MetaGet(MetaDomain domain, std::string_view tenant, std::string_view key,
                         std::string* value) = 0;

  // Visits the live records of (domain, tenant) whose keys start with prefix,
  // in key order, until visit returns false. Records in the recycle bin are
  // not visited.
  virtual Status MetaScan(MetaDomain domain, std::string_view tenant, std::string_view prefix,
                          const ScanVisitor& visit) = 0;

  // Visits the live records of (domain, tenant) whose keys are >= start_key,
  // in key order, until visit returns false or the tenant's records end:
  // a seek and a few nexts. Records in the recycle bin are not visited.
  virtual Status MetaSeek(MetaDomain domain, std::string_view tenant, std::string_view start_key,
                          const ScanVisitor& visit) = 0;

  // --- Bulk deletes (rmtree, rmtenant; one thread at a time). ---

  // Removes every record of tenant whose key starts with one of prefixes,
  // each in its domain (at most one prefix per domain; not kHistory).
  // kLogical sets *removal_id for RestoreTree. metakv: one
  // Store::RemoveTree. Stock RocksDB, as a stock user must: kLogical reads
  // every record under the prefixes and writes a recycle-bin marker in its
  // place (as MetaWrite's kDelete does), in batches, and its purge job
  // deletes the markers once retention has passed; kHard deletes every
  // record (point deletes, or one DeleteRange per prefix with
  // --stock_delete=range).
  virtual Status RemoveTree(std::string_view tenant, const std::vector<TreePrefix>& prefixes,
                            TreeRemoveMode mode, uint64_t* removal_id) = 0;

  // Brings back every record a kLogical RemoveTree hid. NotFound if no such
  // removal is pending; Expired once its retention has passed. Stock
  // RocksDB: takes the removal's markers off its purge queue and writes
  // their old values back.
  virtual Status RestoreTree(uint64_t removal_id) = 0;

  // Removes every record of tenant in every domain, not restorable. metakv:
  // one Store::RemoveTenant. Stock RocksDB: a point delete of every record
  // it finds under the tenant (or one DeleteRange per domain with
  // --stock_delete=range).
  virtual Status RemoveTenant(std::string_view tenant) = 0;

  // What the engine offers to drop, now, the bytes of records that became
  // purgeable: metakv: Store::RunMaintenance(MaintenanceOptions::PurgeDeadlineOnly(0)); stock RocksDB has no
  // such thing (OK, nothing done: its purge job runs by the clock and
  // compactions by their triggers).
  virtual Status DropPurgeable() = 0;

  // The bytes the engine stores now (SST files and memtables, RocksDB's
  // GetApproximateSizes) for the key ranges of tenant under prefixes, or of
  // the whole tenant in every domain if prefixes is empty: what is
  // physically left of a removed tree or tenant.
  virtual Status StoredBytes(std::string_view tenant, const std::vector<TreePrefix>& prefixes,
                             uint64_t* bytes) = 0;

  // A short name of how RemoveTree (tenant = false) or RemoveTenant
  // removes, for the report.
  virtual std::string RemovalMethod(bool tenant, TreeRemoveMode mode) const = 0;

  // Sets the engine's clock (microseconds since the epoch), by which
  // retention and TTL are judged; it starts at the real time of the open.
  // Time never goes back (an earlier time is ignored). The driver advances
  // it by operation count (--ops_per_sim_second), so both engines purge the
  // same records whatever their speed. Thread-safe.
  virtual void SetTime(uint64_t micros) = 0;

  // Flushes every memtable to SST files and waits for it.
  virtual Status Flush() = 0;

  // Waits until no flush or compaction is running or pending (stock
  // RocksDB: and no delete whose time has come is left undone).
  virtual Status WaitForCompactions() = 0;

  // The device figures now.
  virtual Status GetStats(EngineStats* stats) = 0;

  // The engine's own account of where its bytes went, for the report: a
  // few lines of text, or empty. metakv: per domain, user bytes, flush,
  // compaction and ingest bytes, purged records, files per level.
  virtual std::string Details() { return {}; }
  // The engine's metrics in the Prometheus text format; empty if it has
  // none (stock RocksDB here).
  virtual std::string PrometheusMetrics() { return {}; }

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
