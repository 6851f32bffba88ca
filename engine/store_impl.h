// StoreImpl: the engine behind metakv::Store.
//
// One class, its methods in one file per concern: engine/open.cc (open and
// close), write_path.cc, read_path.cc, cold_ingest.cc, removal_registry.cc
// (bulk removals), purge_scheduler.cc (the purge deadline, whole-file
// drops), maintenance.cc, stats.cc and store_time.cc (the store's clock).
//
// Routing: each domain is a column family; keys are encoded by
// codecs/key_codec.h and values by codecs/record_codec.h. Logical delete is
// a read-modify-write (the tombstone carries the deleted value), so every
// write to a key takes that key's lock stripe; reads take no lock.
#ifndef METAKV_ENGINE_STORE_IMPL_H_
#define METAKV_ENGINE_STORE_IMPL_H_

#include <rocksdb/cache.h>
#include <rocksdb/db.h>
#include <rocksdb/statistics.h>
#include <rocksdb/write_buffer_manager.h>

#include <array>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <shared_mutex>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "codecs/record_codec.h"
#include "compaction/accounting.h"
#include "compaction/deadline_policy.h"
#include "compaction/flush_controller.h"
#include "compaction/flush_observer.h"
#include "compaction/marker_times.h"
#include "compaction/record_properties.h"
#include "compaction/record_rules.h"
#include "compaction/removals.h"
#include "compaction/tenant_partitioner.h"
#include "engine/catalogue.h"
#include "engine/latency.h"
#include "engine/periodic_thread.h"
#include "engine/removal_registry.h"
#include "engine/snapshots.h"
#include "engine/store_clock.h"
#include "metakv/store.h"

namespace metakv {

// One column family of a domain: the domain itself, or one of its tenant
// shards (DomainOptions::tenant_shards). The background work (flushes,
// compactions, the purge, maintenance, the flush controller) goes shard by
// shard; the API's calls name a domain and reach the shards through
// FindShard (a tenant's) and ShardsOf (all).
struct Domain {
  DomainOptions options;  // options.name: the column family's name
  rocksdb::ColumnFamilyHandle* cf = nullptr;              // owned by StoreImpl
  DomainCounters* counters = nullptr;                     // owned by the listener
  std::shared_ptr<TenantPartitionerFactory> partitioner;  // null if off
  // Cold domains only (null for hot ones): writers hold it shared, a cold
  // ingest exclusively while it ingests, so no logical delete's
  // read-modify-write interleaves with an ingest of the same keys.
  std::shared_ptr<std::shared_mutex> ingest_gate;
  std::string domain_name;  // the domain's name (options.name for shard 0)
  uint32_t shard = 0;
  uint32_t shards = 1;

  // A cold domain whose files are one time-ordered pile (ColdLayout).
  bool TimeOrdered() const {
    return options.temperature == Temperature::kCold &&
           options.cold_layout == ColdLayout::kTimeOrdered;
  }
};

// The live SST files of a domain with their table properties, as the
// maintenance work reads them (StoreImpl::ReadDomainFiles).
struct DomainFiles {
  rocksdb::ColumnFamilyMetaData meta;
  rocksdb::TablePropertiesCollection props;
  int last_level = -1;    // the deepest level holding files; -1 if none
  std::string oldest_l0;  // path of the oldest level-0 file; empty if none

  // The file's metakv record stats; false if it has none that decode.
  bool StatsOf(const rocksdb::SstFileMetaData& f, FileRecordStats* out) const;
  // True if deletion markers in f (at level) may shadow older versions in
  // other files: above the last level; in a time-ordered domain, in any
  // file but the oldest.
  bool MarkersMayShadow(const Domain& d, int level, const rocksdb::SstFileMetaData& f) const;
};

// Shared holds of the ingest gates of some domains, taken in domain order.
using GateLocks = std::vector<std::shared_lock<std::shared_mutex>>;

class DbLock;  // engine/open.cc

class StoreImpl final : public Store {
 public:
  StoreImpl() = default;
  ~StoreImpl() override;

  Status Open(const Options& options, const std::string& path);
  Status Close() override;

  Status Put(const WriteOptions& wo, std::string_view domain, std::string_view tenant,
             std::string_view key, std::string_view value, uint64_t ttl_seconds) override;
  Status Get(const ReadOptions& ro, std::string_view domain, std::string_view tenant,
             std::string_view key, std::string* value) override;
  Status MultiGet(const ReadOptions& ro, const std::vector<KeyRef>& keys,
                  std::vector<std::string>* values, std::vector<Status>* statuses) override;
  Status Delete(const WriteOptions& wo, std::string_view domain, std::string_view tenant,
                std::string_view key) override;
  Status Undelete(const WriteOptions& wo, std::string_view domain, std::string_view tenant,
                  std::string_view key) override;
  Status HardDelete(const WriteOptions& wo, std::string_view domain, std::string_view tenant,
                    std::string_view key) override;
  Status Write(const WriteOptions& wo, const WriteBatch& batch) override;
  Status IngestCold(std::string_view domain, std::string_view tenant,
                    const std::vector<ColdRecord>& records) override;
  Status RemoveTree(const WriteOptions& wo, std::string_view tenant,
                    const std::vector<PrefixRef>& prefixes, RemoveMode mode,
                    uint64_t* removal_id) override;
  Status RestoreTree(const WriteOptions& wo, uint64_t removal_id) override;
  Status RemoveTenant(const WriteOptions& wo, std::string_view tenant) override;
  Status RunMaintenance(const MaintenanceOptions& options, MaintenanceResult* result) override;
  Status NewIterator(const ReadOptions& ro, std::string_view domain, const ScanSpec& spec,
                     std::unique_ptr<Iterator>* out) override;
  const Snapshot* GetSnapshot() override;
  void ReleaseSnapshot(const Snapshot* snapshot) override;
  Status Flush(std::string_view domain) override;
  Status Resume() override;
  Status CreateCheckpoint(std::string_view dir) override;
  Status CompactRange(std::string_view domain, std::string_view tenant) override;
  Status WaitForBackgroundWork(uint64_t timeout_ms) override;
  Status GetStats(Stats* stats) override;
  Status GetIntProperty(std::string_view domain, std::string_view name, uint64_t* value) override;
  Status GetApproximateSize(std::string_view domain, std::string_view tenant,
                            std::string_view prefix, uint64_t* bytes) override;
  std::vector<std::string> DomainNames() const override;
  Status GetAppliedIndex(AppliedIndex* out) override;
  Status ExportTenant(std::string_view tenant, std::string_view dir, TenantFiles* info) override;
  Status ImportTenant(std::string_view dir, const ImportOptions& options,
                      TenantFiles* info) override;
  Status ListRemovals(std::vector<RemovalInfo>* out) override;
  Status TryCatchUpWithPrimary() override;

  // The parts of a maintenance pass (RunMaintenance); PurgeExpiredFilesOf
  // below drops one domain's purgeable files.
  // Flushes memtables and compacts (to the last level) the files and
  // removals that have held purgeable records for at least
  // min_age_seconds, then forgets removals whose bytes are gone.
  Status EnforcePurgeDeadline(uint64_t min_age_seconds, uint64_t* compactions);
  // Entries in the column family's memtables, active and immutable.
  uint64_t MemtableEntries(rocksdb::ColumnFamilyHandle* cf);

  // engine/inspect.h: the stored value at encoded_key, no rule applied.
  Status ReadStored(std::string_view domain, std::string_view encoded_key, std::string* value);

  // Test hooks.
  rocksdb::DB* TEST_db() { return db_.get(); }
  rocksdb::ColumnFamilyHandle* TEST_cf(std::string_view domain);
  FlushController* TEST_flush_controller() { return flush_controller_.get(); }
  rocksdb::Statistics* TEST_statistics() { return statistics_.get(); }
  // The steps of a removal's purge (engine/purge_scheduler.cc), for crash
  // tests: a file the removal covers deleted whole (DB::DeleteFile), a file
  // compacted for the purge (in place, or the range down to the last level
  // when a hidden record is left), and the removal's record deleted once
  // its ranges are clear ("forgotten").
  enum class PurgeStep { kDropFile, kPurgeCompaction, kForgetRemoval };
  // Called on the purging thread as each step begins (begin true) and once
  // it has returned (begin false). Null: none (default).
  using PurgeStepHook = std::function<void(PurgeStep step, bool begin)>;
  void TEST_SetPurgeStepHook(PurgeStepHook hook) {
    std::lock_guard<std::mutex> lock(deadline_mu_);
    purge_step_hook_ = std::move(hook);
  }

  // Called by iterators on destruction.
  void IteratorClosed() { open_iterators_.fetch_sub(1, std::memory_order_relaxed); }

 private:
  static constexpr size_t kLockStripes = 1024;

  // A read of a single key's current record, for read-modify-write.
  struct Current {
    // Found and not hidden by a removal.
    bool exists = false;
    std::string value;                             // the stored encoding (backs record.payload)
    codecs::Record record;                         // valid if exists
    Visibility visibility = Visibility::kVisible;  // valid if exists
  };

  // ---- The write path (engine/write_path.cc) ----
  // One operation of a write, as the write path applies it: Put, Delete,
  // HardDelete, Undelete, each operation of a Write, and the records of a
  // small cold ingest.
  enum class OpKind : unsigned char { kPut, kDelete, kHardDelete, kUndelete };
  struct WriteOp {
    OpKind kind = OpKind::kPut;
    Domain* domain = nullptr;
    std::string_view tenant;
    std::string_view key;
    std::string_view value;    // kPut only
    uint64_t ttl_seconds = 0;  // kPut: 0 = the domain's default TTL
    // kPut: the record's write time, 0 = now (an import gives its own);
    // moved past any pending removal covering the key, as for every write.
    uint64_t write_time = 0;
    uint64_t expiry = 0;  // kPut: absolute; 0 = from ttl_seconds and the write time
    std::string encoded;  // the encoded key (set by Apply)
  };
  // Earlier operations' effect on a key within one write, by (domain
  // index, encoded key), so a Delete after a Put of the same batch sees it.
  using PendingWrites = std::map<std::pair<size_t, std::string>, Current>;
  // Applies one operation on a key without a value (kDelete, kHardDelete,
  // kUndelete).
  Status ApplyKey(const WriteOptions& wo, OpKind kind, std::string_view domain,
                  std::string_view tenant, std::string_view key);
  // Resolves the domain of op, then applies it.
  Status ApplyOne(const WriteOptions& wo, std::string_view domain, WriteOp* op);
  // Checks the operations (their domains set), then applies them
  // atomically, in order, as one RocksDB write, and counts them.
  Status Apply(const WriteOptions& wo, WriteOp* ops, size_t n);
  // Adds one operation to *wb. pending: null for a write of one operation.
  Status AddToBatch(const WriteOp& op, uint64_t now, PendingWrites* pending,
                    rocksdb::WriteBatch* wb, uint64_t* latest_time);
  // The key's record before op: from pending, or read (into *single when
  // pending is null).
  Status CurrentFor(const WriteOp& op, uint64_t now, PendingWrites* pending, Current* single,
                    Current** cur);
  // The live record a kPut writes: the record builder of every write.
  codecs::Record LiveRecord(const WriteOp& op, uint64_t now) const;
  // OK if Undelete may restore cur; otherwise the error it returns.
  Status CheckRestorable(const Current& cur, uint64_t retention, uint64_t now) const;
  // ---- The cold write path (engine/cold_ingest.cc) ----
  // The put a cold record makes (IngestCold).
  WriteOp ColdOp(Domain* d, std::string_view tenant, const ColdRecord& r);
  // Checks the records of one IngestCold and appends their puts to *ops in
  // key order; *user_bytes gets their bytes.
  Status ColdOps(Domain* d, std::string_view tenant, const std::vector<ColdRecord>& records,
                 std::vector<WriteOp>* ops, uint64_t* user_bytes);
  // Writes ops as the SST file `file` and ingests it into the domain;
  // *file_bytes gets its size.
  Status IngestColdFile(Domain* d, std::vector<WriteOp>* ops, const std::string& file,
                        uint64_t* file_bytes);
  // Writes ops (encoded keys set) as an SST file; *latest_time gets the
  // latest write time given.
  Status WriteColdFile(Domain* d, const std::vector<WriteOp>& ops, const std::string& file,
                       uint64_t* file_bytes, uint64_t* latest_time);
  // The counters of one applied operation.
  void CountWrite(const WriteOp& op);

  // ---- Replication (engine/tenant_transfer.cc) ----
  // Adds wo's applied index (if any) to wb, in the default column family.
  rocksdb::Status AddAppliedIndex(const WriteOptions& wo, rocksdb::WriteBatch* wb);
  // *shows if a read or a restore could show something of tenant: a
  // visible record, one in the recycle bin, a logical removal in retention.
  Status TenantShows(const std::string& tenant, bool* shows);
  // Writes into file (if *written) the records of the exported file (none
  // if empty) and a deletion marker for every other key of tenant stored
  // in d: d's part of an import.
  Status MergeForImport(Domain* d, const std::string& tenant, const std::string& exported,
                        const std::string& file, bool* written);

  Status CheckOpen() const;
  // True if no flush or compaction is running or pending.
  bool Idle();
  Status CheckWritable() const;
  // Resolves a domain name to its first shard (the domain itself when it
  // has no shards); InvalidArgument if unknown.
  Status FindDomain(std::string_view name, Domain** domain);
  // The shard of a domain that holds a tenant.
  Status FindShard(std::string_view name, std::string_view tenant, Domain** domain);
  // Every shard of the named domain, or of every domain if name is empty.
  Status DomainsNamed(std::string_view name, std::vector<Domain*>* out);
  // Checks tenant, key and (if given) value against the limits.
  Status CheckKey(std::string_view tenant, std::string_view key) const;
  Status CheckValue(std::string_view value) const;
  // Translates read options; *now is the time reads are evaluated at.
  // *removals (if not null) gets the logical removals reads must apply.
  Status ToRocksRead(const ReadOptions& ro, rocksdb::ReadOptions* out, uint64_t* now,
                     std::shared_ptr<const RemovalSet>* removals = nullptr) const;
  // Reads the key's current record, judged at now.
  Status ReadCurrent(Domain* d, const std::string& encoded_key, uint64_t now, Current* out);
  size_t StripeOf(const Domain* d, std::string_view encoded_key) const;
  uint64_t ExpiryFor(const Domain* d, uint64_t now, uint64_t ttl_seconds) const;
  rocksdb::WriteOptions ToRocksWrite(const WriteOptions& wo) const;
  // lock: the database lock of a writable open, released just before
  // RocksDB's own open takes it.
  Status OpenExisting(const std::string& path, rocksdb::DBOptions db_options, DbLock* lock);
  // Writes the domain settings (engine/catalogue.h) if the recorded ones
  // differ from the declared domains'. REQUIRES: open for writing.
  Status RecordDomainSettings();
  // Writes the catalogue (if not null) and the declared domains' settings
  // (if settings) in one synced batch, and flushes them.
  Status WriteMetadata(const Catalogue* catalogue, bool settings);
  bool Secondary() const { return !options_.secondary_path.empty(); }
  // A secondary's reads hold it shared, so a catch-up (which takes it
  // exclusively) never moves the view under one; empty on other stores.
  std::shared_lock<std::shared_mutex> HoldSecondaryView();
  Status OpenReadOnly(const std::string& path, const rocksdb::DBOptions& db_options,
                      const std::vector<std::string>& cf_names);
  // At Open: the domains, their counters and partitioners, the cache and
  // the memtable budget, from options_.
  void SetUpDomains();
  // domains_ and domain_index_ from options_.domains: one entry per shard.
  void BuildDomainEntries();
  // The RocksDB options of the database (listeners included).
  rocksdb::DBOptions DbOptions();
  // Finishes a creation a crash interrupted after RocksDB made the database
  // but before the catalogue was written (the creation marker is present).
  Status ResumeCreation(const std::string& path, const rocksdb::DBOptions& db_options);
  Status OpenNew(const std::string& path, rocksdb::DBOptions db_options);
  Status OpenWithColumnFamilies(const std::string& path, const rocksdb::DBOptions& db_options,
                                const std::vector<std::string>& cf_names);
  Status CreateMissingDomains();
  // The descriptors to open cf_names with: a domain's options, or RocksDB's
  // defaults for a column family that is no domain (the default one).
  std::vector<rocksdb::ColumnFamilyDescriptor> DescriptorsFor(
      const std::vector<std::string>& cf_names) const;
  // Puts back into level 0 the files of time-ordered domains that RocksDB
  // compacted into lower levels (a plain RocksDB open with automatic
  // compactions on did): one open with room for every level, a compaction
  // of each such domain into one file moved to level 0, no purging.
  Status PutTimeOrderedFilesBack(const std::string& path, const rocksdb::DBOptions& db_options,
                                 const std::vector<std::string>& cf_names);
  // The column family options of a domain, with metakv's filter and
  // partitioner attached.
  rocksdb::ColumnFamilyOptions ColumnFamilyOptionsFor(const Domain& d) const;
  // The time compaction purges at: min(the latest time a call has used
  // (StoreClock::floor_seconds), time of the oldest open snapshot), so
  // nothing a snapshot or a read can still see is purged.
  uint64_t PurgeTime();
  Status WriteCatalogue(const Catalogue& catalogue);

  // ---- Bulk removals (compaction/removals.h) ----
  size_t IndexOf(const Domain* d) const { return static_cast<size_t>(d - domains_.data()); }
  // The logical removals in force now; null if there are none.
  std::shared_ptr<const RemovalSet> CurrentRemovals() const;
  // Reads the pending removals at Open and publishes the logical ones.
  Status LoadRemovals();
  // Rebuilds the published set from the registry's pending removals.
  // REQUIRES: the registry's lock held exclusively.
  void PublishRemovals();
  // Writes the removal record atomically and makes it pending.
  // REQUIRES: the registry's lock held exclusively.
  Status CommitRemoval(const WriteOptions& wo, Removal removal);
  // Takes the registry's lock exclusively, ahead of writers arriving meanwhile.
  std::unique_lock<std::shared_mutex> LockRemovalsExclusive();
  // Takes the registry's lock shared into *lock for a write of the given keys,
  // first marking written-under (durably) every logical removal covering one
  // of them that is not yet, so that a record written under a removed prefix
  // is always known to iterators. REQUIRES: no gate or stripe lock held.
  Status LockRemovalsForWrite(const std::vector<std::pair<Domain*, std::string_view>>& keys,
                              std::shared_lock<std::shared_mutex>* lock);
  // The write time of a record written now under encoded_key: now, or one
  // second after the newest logical removal covering the key.
  // REQUIRES: the registry's lock held (shared) since LockRemovalsForWrite.
  uint64_t WriteTimeFor(const Domain* d, std::string_view encoded_key, uint64_t now) const;
  // ---- Time (engine/store_clock.h) ----
  // The store's time, seconds. Extends the persisted time bound first if
  // the clock is about to reach it; if that write fails,
  // time stands still at the bound until a later call succeeds.
  uint64_t Now() const;
  // Makes sure the persisted bound covers `seconds` (a time about to be
  // stamped) and the clock's current time, extending it with one durable
  // write of its file if not.
  Status ExtendTimeBound(uint64_t seconds) const;
  // At Open: the floor from the persisted bound (or, for a store written
  // before the bound existed, from the newest time stored), then a bound
  // one lease ahead, persisted.
  Status LoadTimeBound();
  // At Close: persists the exact floor, so a reopen does not start ahead.
  void PersistExactTimeBound();
  // Raises max_write_time_ to time; called once a write with that time is
  // acknowledged, still under the registry's lock.
  void NoteWriteTime(uint64_t time);
  // Compacts the ranges of the due removals and forgets those whose bytes
  // are gone.
  Status PurgeDueRemovals(uint64_t min_age_seconds, uint64_t* compactions);
  // The pending removals purgeable for at least min_age_seconds that no
  // open snapshot can still see the records of.
  std::vector<Removal> DueRemovals(uint64_t min_age_seconds);
  // Forgets the removal (deletes its record) once no record it hides is
  // left in its ranges, compacting a range down the levels first if its
  // domain's in-place compactions were not skipped.
  Status ForgetIfPurged(const Removal& r, const std::vector<bool>& skipped, uint64_t* compactions);
  // Compacts the files of the domain that have held purgeable records for
  // at least min_age_seconds, down to the last level.
  Status CompactDueFiles(Domain* d, uint64_t min_age_seconds, uint64_t* compactions);
  // ---- Stats (engine/stats.cc) ----
  // The domain's counters, write amplification and top tenants.
  // Folds the per-shard entries GetStats gathers (one per domains_ entry,
  // in its order) into one entry per domain.
  void MergeShards(std::vector<DomainStats>* per_shard) const;
  void CountersInto(const Domain& d, DomainStats* ds) const;
  // The domain's LSM shape, memtable and current options.
  void ShapeInto(const Domain& d, DomainStats* ds) const;
  // The flush controller's latest reasons and recent decisions.
  void FlushDecisionsInto(Stats* out) const;
  // Fills the purge figures of a domain's stats: oldest purgeable time,
  // pending tree removals and purges.
  Status PurgeStatsOf(Domain* d, DomainStats* ds);
  // Compacts files of the domain (one, or in a time-ordered domain a file
  // and the oldest one, which takes in every file between) into
  // output_level (RocksDB adds the files it must), counted as a deadline
  // compaction in *compactions and the domain's counters. *raced: RocksDB
  // had compacted one meanwhile (or is compacting it); nothing was done and
  // the status is OK.
  Status CompactFileForPurge(Domain* d, const std::vector<std::string>& files, int output_level,
                             std::vector<std::string>* outputs, bool* raced, uint64_t* compactions);
  // Compacts [begin, end) of the domain down to the last level, the last
  // level's files there rewritten too (so the filter sees every record).
  Status CompactToBottom(Domain* d, const std::string& begin, const std::string& end);
  // Compacts each file holding keys of some [begin, end) of ranges once, on
  // its own, into its own level (the filter drops what removals hide);
  // files busy in other compactions are skipped (*skipped set).
  Status CompactFilesInPlace(Domain* d,
                             const std::vector<std::pair<std::string, std::string>>& ranges,
                             uint64_t* compactions, bool* skipped);
  // Deletes, without rewriting, the last-level files of the domain that lie
  // inside [begin, end) and hold only records at or below sequence number
  // max_seq and written at or before removal_time (all hidden by a
  // removal), by their record properties.
  Status DropCoveredFiles(Domain* d, const std::string& begin, const std::string& end,
                          uint64_t max_seq, uint64_t removal_time);
  // True if a raw read of [begin, end) finds no record written at or before
  // time (a logical removal's records are all gone).
  Status RangeClearOf(Domain* d, const std::string& begin, const std::string& end, uint64_t time,
                      bool* clear);

  // Locks the given stripes, in order.
  std::vector<std::unique_lock<std::mutex>> LockStripes(std::vector<size_t> stripes) const;
  // Holds the ingest gates of the given domains shared (hot domains have
  // none), in domain order. REQUIRES: taken before any stripe lock.
  GateLocks HoldGates(std::vector<Domain*> domains) const;
  // Removes files a crash left in the ingest staging directory.
  void CleanIngestStaging();
  std::string IngestStagingDir() const { return path_ + "/metakv-ingest"; }
  // Compacts, each on its own, the domain's files whose records are all
  // purgeable now. Sets *files to the files compacted.
  Status PurgeExpiredFilesOf(Domain* d, uint64_t* files);
  Status ReadDomainFiles(Domain* d, DomainFiles* out);
  // Cold domains: once a domain holds more than its small_file_budget small
  // files, merges runs of neighbouring small files of one tenant at a
  // level above L0 (each below target_file_size_bytes / kSmallColdFileDivisor, as small
  // cold ingests make) into files of up to the target size, size-tiered: a
  // run merges once it holds at least kColdMergeGrowth files and
  // kColdMergeGrowth times its largest file. At most kMaxColdMergesPerPass
  // compactions a pass. Every manifest write (ingest, flush, compaction)
  // costs time in proportion to the files of the column family, so
  // thousands of tiny files would slow every later write. Sets *files to
  // the files merged.
  Status MergeSmallColdFiles(Domain* d, uint64_t* files);
  // The state of one domain's MergeSmallColdFiles.
  struct ColdMerges {
    // Neighbouring small files of one tenant (above level 0), a merge's
    // candidate.
    struct Run {
      std::vector<std::string> files;
      uint64_t bytes = 0;
      uint64_t largest = 0;
      std::string tenant;  // encoded tenant prefix of the run's files
    };
    uint64_t small = 0;         // files below this size are small
    uint64_t small_files = 0;   // small files left
    int merges = 0;             // merges run in this pass
    uint64_t merged_files = 0;  // files merged, not yet reported
    bool Done(const Domain& d) const {
      return merges >= kMaxColdMergesPerPass || small_files <= d.options.small_file_budget;
    }
  };
  Status MergeSmallFilesOfLevel(Domain* d, const rocksdb::LevelMetaData& level, ColdMerges* merges);
  // Merges the run if it is large enough (size-tiered), then empties it.
  Status MergeRun(Domain* d, int level, ColdMerges::Run* run, ColdMerges* merges);
  static constexpr uint64_t kSmallColdFileDivisor = 16;
  static constexpr uint64_t kColdMergeGrowth = 16;
  static constexpr int kMaxColdMergesPerPass = 8;
  // The maintenance thread: every maintenance_interval_seconds (of the
  // store's clock or of real time, whichever passes first), one pass of
  // periodic work. Stopped (and joined) by Close.
  void StartMaintenance();
  void StartFlushController();
  void StopMaintenance();
  void MaintenancePass();
  // Sums each tenant's bytes over the domain's files and gives the tenants
  // at or above the large-tenant threshold to the partitioner.
  Status RefreshLargeTenants(Domain* d);

  // Constant after Open.
  Options options_;
  std::string path_;
  // The file system of the store's Env: metakv's own file I/O goes through
  // it, as RocksDB's does.
  std::shared_ptr<rocksdb::FileSystem> file_system_;
  // The store's time (engine/store_clock.h): the injected clock, never
  // running backwards.
  std::shared_ptr<StoreClock> clock_;
  std::shared_ptr<rocksdb::Cache> cache_;
  std::shared_ptr<rocksdb::WriteBufferManager> write_buffer_manager_;
  std::shared_ptr<rocksdb::Statistics> statistics_;
  // Latencies of the calls; null unless options_.enable_statistics.
  std::unique_ptr<LatencyHistograms> latency_;
  LatencyHistogram* LatencyOf(LatencyOp op) {
    return latency_ ? &(*latency_)[static_cast<size_t>(op)] : nullptr;
  }
  std::shared_ptr<AccountingListener> accounting_;
  std::shared_ptr<FlushObserver> flush_observer_;
  std::unique_ptr<FlushController> flush_controller_;  // null if disabled
  std::vector<Domain> domains_;                        // declaration order
  std::unordered_map<std::string, size_t> domain_index_;
  rocksdb::ColumnFamilyHandle* default_cf_ = nullptr;
  std::vector<rocksdb::ColumnFamilyHandle*> other_cfs_;  // opened, not domains

  // Null once closed.
  std::unique_ptr<rocksdb::DB> db_;

  std::atomic<int> open_iterators_{0};
  std::atomic<uint64_t> ingest_sequence_{0};
  mutable std::array<std::mutex, kLockStripes> key_locks_;

  PeriodicThread maintenance_;
  PeriodicThread stats_dump_;  // Options::stats_dump_period_seconds
  // Writes one block of GetStats' figures to the info log.
  void DumpStats();
  std::atomic<uint64_t> maintenance_errors_{0};
  std::atomic<uint64_t> maintenance_passes_{0};
  // When the maintenance passes started (the purge deadline's due age).
  std::mutex pass_mu_;
  PassGaps pass_gaps_;  // GUARDED_BY(pass_mu_)

  // The pending removals and the published set (engine/removal_registry.h).
  RemovalRegistry removals_;
  // The latest write time given ahead of the clock (under a removal made in
  // the same second); a later logical removal is made no older.
  std::atomic<uint64_t> max_write_time_{0};
  // Serializes extensions of the persisted time bound.
  mutable std::mutex time_mu_;
  // Serializes EnforcePurgeDeadline; guards the memtable observations.
  std::mutex deadline_mu_;
  struct MemtableWatch {
    uint64_t flushes = 0;  // the domain's flush count when first seen
    uint64_t since = 0;    // when first seen non-empty, seconds; 0: empty
  };
  // The time since which each file's deletion markers count as purgeable
  // (compaction/marker_times.h); a RocksDB listener too.
  std::shared_ptr<MarkerTimes> marker_times_;
  uint64_t MarkerTime(const Domain* d, const rocksdb::SstFileMetaData& f);
  void NoteMarkerFiles(const Domain* d, const std::vector<std::string>& files, uint64_t time);
  // One per domain, then the default column family.
  std::vector<MemtableWatch> memtable_watch_;  // GUARDED_BY(deadline_mu_)
  PurgeStepHook purge_step_hook_;              // GUARDED_BY(deadline_mu_)
  // Reports a purge step to the hook, if any. REQUIRES: deadline_mu_ held.
  void MarkPurgeStep(PurgeStep step, bool begin) {
    if (purge_step_hook_) purge_step_hook_(step, begin);
  }

  SnapshotList snapshots_;
  std::shared_mutex secondary_view_mu_;  // HoldSecondaryView
  // The domain settings the database holds, as read at Open or last
  // written (empty if none).
  DomainSettings recorded_settings_;
};

// The implementation behind a Store from Store::Open, for tests and tools
// that reach into the engine.
inline StoreImpl* ImplOf(Store* store) { return static_cast<StoreImpl*>(store); }
inline StoreImpl* ImplOf(const std::unique_ptr<Store>& store) { return ImplOf(store.get()); }

}  // namespace metakv

#endif  // METAKV_ENGINE_STORE_IMPL_H_
