// Write accounting per domain and per tenant: bytes callers wrote (counted
// by the write path) and bytes the engine wrote for them (flush, compaction
// and ingest output, counted from RocksDB's EventListener callbacks and the
// per-file tenant figures of compaction/record_properties.h).
//
// Thread-safety: counters are atomics; the tenant ledger has its own lock;
// the domain map is filled before the database opens and constant
// afterwards, so callbacks from RocksDB's background threads and reads from
// GetStats need no further lock.
#ifndef METAKV_COMPACTION_ACCOUNTING_H_
#define METAKV_COMPACTION_ACCOUNTING_H_

#include <rocksdb/listener.h>

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

namespace metakv {

struct FileRecordStats;

struct TenantBytes {
  uint64_t user = 0;
  uint64_t flush = 0;
  uint64_t compaction = 0;
  uint64_t ingest = 0;
};

// Bytes per tenant, bounded: past kMaxTenants distinct tenants, new ones are
// summed under the empty tenant "" ("others"). Thread-safe.
class TenantLedger {
 public:
  static constexpr size_t kMaxTenants = 65536;

  void AddUser(std::string_view tenant, uint64_t bytes);
  // Charges a new file of file_size bytes to its tenants, in proportion to
  // their key + value bytes in it (tenant names are encoded prefixes; the
  // file's "other" bytes go to ""). reason: what wrote it.
  enum class Reason { kFlush, kCompaction, kIngest };
  void AddFile(const FileRecordStats& file, Reason reason, uint64_t file_size);
  // Charges bytes the engine wrote for one (decoded) tenant.
  void AddEngineBytes(std::string_view tenant, Reason reason, uint64_t bytes);
  // The n tenants with most engine bytes (flush + compaction + ingest),
  // then user bytes.
  std::vector<std::pair<std::string, TenantBytes>> Top(size_t n) const;

 private:
  TenantBytes* Slot(std::string_view tenant);  // REQUIRES: mu_ held
  static void Charge(TenantBytes* t, Reason reason, uint64_t bytes);

  mutable std::mutex mu_;
  std::map<std::string, TenantBytes, std::less<>> tenants_;  // GUARDED_BY(mu_)
};

// What one compaction from level 0 into level 1 rewrote of level 1, and how
// much of that it rewrote for other tenants' writes. The compaction is
// charged to the tenants whose level-0 bytes it merged, in proportion to
// them, so tenant T's level-1 bytes count as rewritten for others by the
// share of the level-0 bytes that are not T's: 0 when one tenant wrote
// everything, and what level-0 isolation per tenant (or per group of
// tenants) could at most save of these rewrites. Tenants are those the
// files' record stats name (a file's untracked rest counts as one).
struct LevelZeroRewrite {
  uint64_t l1_bytes = 0;    // level-1 input bytes
  uint64_t for_others = 0;  // the part rewritten for other tenants
};
// Each input file as (its record stats, its bytes).
using FileBytes = std::pair<FileRecordStats, uint64_t>;
LevelZeroRewrite LevelZeroRewriteOf(const std::vector<FileBytes>& l0,
                                    const std::vector<FileBytes>& l1);

struct DomainCounters {
  std::atomic<uint64_t> user_bytes{0};
  std::atomic<uint64_t> puts{0};
  std::atomic<uint64_t> deletes{0};
  std::atomic<uint64_t> undeletes{0};
  std::atomic<uint64_t> hard_deletes{0};
  std::atomic<uint64_t> ingested_records{0};
  std::atomic<uint64_t> buffered_ingests{0};   // IngestCold groups written as a batch
  std::atomic<uint64_t> ingest_user_bytes{0};  // part of user_bytes that bypassed the memtable
  std::atomic<uint64_t> flush_bytes{0};
  std::atomic<uint64_t> compaction_bytes_written{0};
  std::atomic<uint64_t> compaction_bytes_read{0};
  std::atomic<uint64_t> ingest_bytes{0};
  std::atomic<uint64_t> flushes{0};
  // Flushes of this column family it did not ask for itself, by RocksDB's
  // reason: the WAL limit (FlushReason::kWalFull) and the memtable budget
  // (kWriteBufferManager).
  std::atomic<uint64_t> wal_limit_flushes{0};
  std::atomic<uint64_t> memory_budget_flushes{0};
  std::atomic<uint64_t> compactions{0};
  std::atomic<uint64_t> trivial_moves{0};  // files moved down without rewriting
  std::atomic<uint64_t> trivial_move_bytes{0};
  // Compactions from level 0 into level 1 (LevelZeroRewriteOf).
  std::atomic<uint64_t> l0_compactions{0};
  std::atomic<uint64_t> l0_l1_rewritten_bytes{0};
  std::atomic<uint64_t> l0_l1_for_others_bytes{0};
  // Written by the tombstone filter (compaction/tombstone_filter.h).
  std::atomic<uint64_t> purged_records{0};
  std::atomic<uint64_t> purged_bytes{0};
  std::atomic<uint64_t> filter_corrupt_records{0};
  // Bulk removals and the purge deadline (engine/purge_scheduler.cc).
  std::atomic<uint64_t> tree_removals{0};
  std::atomic<uint64_t> tenant_removals{0};
  std::atomic<uint64_t> tree_restores{0};
  std::atomic<uint64_t> deadline_compactions{0};
  std::atomic<uint64_t> deadline_compaction_bytes{0};
  std::atomic<uint64_t> purge_dropped_files{0};  // dropped whole by removals' purge
  std::atomic<uint64_t> purge_dropped_bytes{0};
  TenantLedger tenants;
};

class AccountingListener : public rocksdb::EventListener {
 public:
  // Creates the counters of a column family. REQUIRES: called before the
  // listener is given to RocksDB.
  DomainCounters* Register(const std::string& cf_name);
  // The counters of a registered column family, or nullptr.
  DomainCounters* Find(const std::string& cf_name) const;

  void OnTableFileCreated(const rocksdb::TableFileCreationInfo& info) override;
  void OnFlushCompleted(rocksdb::DB* db, const rocksdb::FlushJobInfo& info) override;
  void OnCompactionCompleted(rocksdb::DB* db, const rocksdb::CompactionJobInfo& info) override;

 private:
  // Constant once the database is open.
  std::map<std::string, std::unique_ptr<DomainCounters>> counters_;
};

}  // namespace metakv

#endif  // METAKV_COMPACTION_ACCOUNTING_H_
