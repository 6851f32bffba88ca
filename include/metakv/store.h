// metakv::Store: an embedded metadata store over RocksDB.
//
// A Store is one database directory holding named domains (each a RocksDB
// column family); every record lives at (domain, tenant, key). Tenant ids are
// 1 to 255 arbitrary bytes; user keys are 1 to Options::max_key_bytes bytes.
//
// Deletes are logical by default: Delete turns a live record into a
// tombstone that keeps its value for the domain's retention, during which
// Undelete restores it; reads never show tombstones or expired records.
// HardDelete removes a record at once.
//
// Thread-safety: like rocksdb::DB, every method may be called concurrently
// from several threads without external synchronization, except that Close
// and the destructor must not race with other calls. Every Iterator and
// Snapshot must be released before the Store is closed.
#ifndef METAKV_STORE_H_
#define METAKV_STORE_H_

#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "metakv/iterator.h"
#include "metakv/options.h"
#include "metakv/stats.h"
#include "metakv/status.h"
#include "metakv/write_batch.h"

namespace metakv {

// A point-in-time view, from Store::GetSnapshot. Opaque.
class Snapshot {
 public:
  virtual ~Snapshot() = default;
  // The time (seconds since the epoch) at which expiry and retention are
  // evaluated for reads through this snapshot.
  virtual uint64_t time_seconds() const = 0;
};

// What an iterator covers. Bounds and prefix are user keys of the tenant.
struct ScanSpec {
  // Empty: every tenant of the domain (then prefix and bounds must be empty).
  std::string tenant;
  // Only keys that start with this. Default: empty (all keys).
  std::string prefix;
  // Only keys >= lower_bound (inclusive). Empty: no lower bound.
  std::string lower_bound;
  // Only keys < upper_bound (exclusive). Empty: no upper bound.
  std::string upper_bound;
  // false: the visible records. true: the recycle bin, the logically
  // deleted records still restorable at the read's time (deleted less than
  // the domain's tombstone_retention_seconds ago, not past their own
  // expiry, not under a removed tree), each with its deleted value and
  // Iterator::delete_time(). As any scan, it reads one consistent view (a
  // snapshot's, with the snapshot's time). Default: false.
  bool deleted = false;
};

// One record of a cold ingest (Store::IngestCold).
struct ColdRecord {
  std::string key;
  std::string value;
  // Time to live, counted from the record's write time; 0: the domain's
  // default TTL (DomainOptions::default_ttl_seconds). Ignored if
  // expiry_seconds is set.
  uint64_t ttl_seconds = 0;
  // The record's write time, seconds since the epoch, as Iterator::
  // write_time() shows it: history imported from elsewhere keeps the time
  // it was written. At most the store's time now. 0: now. A pending
  // removal (RemoveTenant, RemoveTree) that covers the key moves it to the
  // second after the removal, as for any write under a removed range.
  uint64_t write_time_seconds = 0;
  // An absolute expiry, seconds since the epoch; may be in the past (the
  // record is then expired at once, as it would be by now). 0: from
  // ttl_seconds.
  uint64_t expiry_seconds = 0;
};

// One key prefix of one domain, part of a tree removal (Store::RemoveTree).
struct PrefixRef {
  std::string_view domain;
  // 1 to Options::max_key_bytes bytes.
  std::string_view prefix;
};

// How Store::RemoveTree removes.
enum class RemoveMode : unsigned char {
  // Into the recycle bin: invisible at once, restorable as one unit by
  // Store::RestoreTree until the retention of its domains has passed, then
  // purged.
  kLogical,
  // At once: not restorable; the bytes are purged by compaction.
  kHard,
};

// One key of a MultiGet.
struct KeyRef {
  std::string_view domain;
  std::string_view tenant;
  std::string_view key;
};

// What Store::RunMaintenance does. The defaults are one pass of the
// maintenance thread (Options::maintenance_interval_seconds); a service or
// a test that drives its own clock runs passes with them.
struct MaintenanceOptions {
  // Drops, each by a compaction that writes next to nothing, the SST files
  // whose records are all purgeable now (tombstones past retention, records
  // past expiry). Default: true.
  bool drop_purgeable_files = true;
  // Enforces Options::purge_deadline_seconds: flushes memtables and
  // compacts (to the last level) the files and removals that have held
  // purgeable records for at least purge_min_age_seconds, then forgets
  // removals whose bytes are gone. Default: true.
  bool enforce_purge_deadline = true;
  // The age at which purgeable records are due. kDeadlineDueAge: the age
  // the maintenance thread uses, which leaves two gaps between passes
  // before the deadline (nothing is due if purge_deadline_seconds is 0);
  // 0: every purgeable record found now, whatever the deadline.
  static constexpr uint64_t kDeadlineDueAge = ~uint64_t{0};
  uint64_t purge_min_age_seconds = kDeadlineDueAge;
  // Cold domains: merges small neighbouring files (DomainOptions::
  // small_file_budget). Default: true.
  bool merge_small_cold_files = true;
  // Hands the tenants at or above the large-tenant threshold to the
  // tenant partitioner (DomainOptions::partition_by_tenant). Default: true.
  bool refresh_large_tenants = true;
  // Only this domain; empty: every domain (the purge deadline and removals
  // always cover every domain). Default: empty.
  std::string domain;

  // Only the purge deadline, at min_age_seconds.
  static MaintenanceOptions PurgeDeadlineOnly(uint64_t min_age_seconds) {
    MaintenanceOptions o;
    o.drop_purgeable_files = o.merge_small_cold_files = o.refresh_large_tenants = false;
    o.purge_min_age_seconds = min_age_seconds;
    return o;
  }
  // Only the drop of purgeable files, of one domain (every domain if empty).
  static MaintenanceOptions DropPurgeableFilesOnly(std::string_view domain = {}) {
    MaintenanceOptions o;
    o.enforce_purge_deadline = o.merge_small_cold_files = o.refresh_large_tenants = false;
    o.domain = std::string(domain);
    return o;
  }
};

// What a Store::RunMaintenance call did.
struct MaintenanceResult {
  uint64_t purgeable_files_dropped = 0;  // files compacted away whole
  uint64_t deadline_compactions = 0;     // compactions run for the deadline
  uint64_t cold_files_merged = 0;        // small cold files merged
};

// A pending bulk removal (Store::RemoveTree, Store::RemoveTenant), as
// Store::ListRemovals lists it.
struct RemovalInfo {
  uint64_t id = 0;
  std::string tenant;
  // Logical (restorable by RestoreTree until purge_time_seconds) or hard.
  RemoveMode mode = RemoveMode::kLogical;
  // When it was made, and from when its records may be purged (the store's
  // clock, seconds since the epoch).
  uint64_t time_seconds = 0;
  uint64_t purge_time_seconds = 0;
  // What it removes: (domain, key prefix) pairs; an empty prefix is the
  // whole tenant in that domain.
  std::vector<std::pair<std::string, std::string>> prefixes;
};

// A tenant's records as files (Store::ExportTenant, Store::ImportTenant).
struct TenantFiles {
  std::string tenant;
  uint64_t files = 0;     // SST files, one per domain holding records of it
  uint64_t records = 0;   // stored records: live, in the recycle bin, or hidden
  uint64_t bytes = 0;     // the SST files' bytes
  uint64_t removals = 0;  // pending logical removals carried along
};

// How Store::ImportTenant imports.
struct ImportOptions {
  // false: FailedPrecondition if the tenant has anything in this store that
  // a read or a restore could show (a visible record, one in the recycle
  // bin, a logical removal in retention). true: whatever it has here is
  // replaced, in the same atomic ingest. (Records of it that nothing shows,
  // and its pending removals, are replaced either way.) Default: false.
  bool replace = false;
  // Stored in the same atomic ingest as the records (WriteOptions::
  // applied_index). Default: none.
  AppliedIndex applied_index;
};

// A Store: the interface. Store::Open gives the implementation.
class Store {
 public:
  // Opens (or with create_if_missing, creates) the store at path.
  // On success *out holds the store; on failure *out is reset and the status
  // says why: InvalidArgument for bad options, an undeclared or conflicting
  // domain, or a directory that is not a metakv database; IOError for I/O
  // problems and a directory locked by another open Store. A missing
  // directory without create_if_missing, a path that is not a directory,
  // and an existing database with error_if_exists are InvalidArgument.
  static Status Open(const Options& options, std::string_view path, std::unique_ptr<Store>* out);

  // The domains of the store at path, as its catalogue holds them (name,
  // temperature, layout), with the tombstone retention the store was last
  // opened for writing with; every other option at its default. For tools
  // that open a store they did not create (metakv-ctl): pass them as
  // Options::domains. Opens nothing for writing; with options.secondary_path
  // set, reads beside a running writer. Only the environment settings of
  // options are used (rocksdb_env, info_log_level). *no_retention (if not
  // null) gets the names of the domains whose retention is not recorded (a
  // store not opened for writing since metakv began recording it); they get
  // the default retention. InvalidArgument if path holds no metakv store.
  static Status StoredDomains(const Options& options, std::string_view path,
                              std::vector<DomainOptions>* domains,
                              std::vector<std::string>* no_retention = nullptr);

  Store() = default;
  Store(const Store&) = delete;
  Store& operator=(const Store&) = delete;
  // Closes the store if still open (ignoring errors; call Close to see them).
  virtual ~Store();

  // Waits for running background work, syncs and closes the database.
  // Afterwards every call returns an error. Idempotent.
  virtual Status Close() = 0;

  // ---- Writes ----

  // Writes a live record, replacing any version (live or deleted).
  // ttl_seconds = 0 gives the domain's default TTL.
  virtual Status Put(const WriteOptions& options, std::string_view domain, std::string_view tenant,
                     std::string_view key, std::string_view value, uint64_t ttl_seconds = 0) = 0;

  // Logical delete: replaces the live record with a tombstone carrying its
  // value and the delete time. NotFound if no live record exists.
  virtual Status Delete(const WriteOptions& options, std::string_view domain,
                        std::string_view tenant, std::string_view key) = 0;

  // Restores a logically deleted record as it was, with a new write time.
  // FailedPrecondition if the record is live; Expired if the domain's
  // retention has passed since the delete (at exactly delete time +
  // retention it has passed), or if the record's own TTL ran out while it
  // was deleted; NotFound if there is no record (never written, hard
  // deleted, purged, or live but past its TTL).
  virtual Status Undelete(const WriteOptions& options, std::string_view domain,
                          std::string_view tenant, std::string_view key) = 0;

  // Removes the record (live or deleted) at once; not restorable. OK also if
  // there was no record.
  virtual Status HardDelete(const WriteOptions& options, std::string_view domain,
                            std::string_view tenant, std::string_view key) = 0;

  // Applies every operation of the batch atomically, in order: a later
  // operation on a key sees the earlier ones (a Put then a Delete of one key
  // leaves a tombstone). Any bad argument or a Delete of a record that is
  // not live fails the whole batch; nothing is applied then.
  virtual Status Write(const WriteOptions& options, const WriteBatch& batch) = 0;

  // The cold write path: writes the records of one tenant of a cold domain
  // as an SST file and ingests it (no WAL, no memtable, no flush); a group
  // smaller than DomainOptions::ingest_min_bytes goes through the WAL and
  // the memtable as one synced batch instead. Records may come in any
  // order; they are sorted. Each record keeps its own write time and expiry
  // if it gives them (ColdRecord), so existing history is imported as it
  // was. All or nothing: on any error the store is unchanged. Durable once
  // it returns. A record replaces an existing one with the same key, as Put
  // would. InvalidArgument for a hot domain, an empty list, duplicate keys,
  // a bad tenant, key or value, or a write time ahead of the store's time.
  virtual Status IngestCold(std::string_view domain, std::string_view tenant,
                            const std::vector<ColdRecord>& records) = 0;

  // ---- Reads ----

  // Reads a visible record into *value. NotFound if there is none (never
  // written, logically deleted, hard deleted, expired, or under a removed
  // tree). *value is changed only when the status is OK.
  virtual Status Get(const ReadOptions& options, std::string_view domain, std::string_view tenant,
                     std::string_view key, std::string* value) = 0;

  // Reads several keys, possibly from several domains, from one consistent
  // view. (*values)[i] and (*statuses)[i] answer keys[i], as Get would. The
  // returned status is not OK only if the call as a whole failed (then the
  // vectors are unspecified).
  virtual Status MultiGet(const ReadOptions& options, const std::vector<KeyRef>& keys,
                          std::vector<std::string>* values, std::vector<Status>* statuses) = 0;

  // Creates an iterator over the records of the domain that spec selects:
  // the visible ones, or with spec.deleted the recycle bin. The iterator is
  // unpositioned: call a Seek first.
  virtual Status NewIterator(const ReadOptions& options, std::string_view domain,
                             const ScanSpec& spec, std::unique_ptr<Iterator>* out) = 0;

  // A consistent view of the whole store (all domains) and of time. Release
  // it with ReleaseSnapshot before closing. Returns nullptr after Close.
  virtual const Snapshot* GetSnapshot() = 0;
  virtual void ReleaseSnapshot(const Snapshot* snapshot) = 0;

  // ---- Bulk deletes ----
  //
  // Neither call rewrites the records it removes: it writes one small
  // record, whatever the number of records, so its cost does not grow with
  // the tree. The bytes are dropped later by compaction, within Options::
  // purge_deadline_seconds of becoming purgeable (the maintenance pass
  // schedules the compactions), mostly by dropping whole files.

  // Removes, as one atomic unit, every record of tenant whose key starts
  // with one of the prefixes, each in its domain: a directory tree is the
  // dentries and inodes of a file-system model that keys both by a tree
  // prefix (for example inode numbers allocated per subtree). Records
  // written under a prefix after the removal are not affected. kLogical:
  // sets *removal_id (if not null) to the id RestoreTree takes; the unit is
  // restorable until the shortest tombstone_retention_seconds of its domains
  // has passed, and purged from then on. InvalidArgument for no prefixes, an
  // unknown domain, an empty or too long prefix, two prefixes of one domain
  // where one contains the other, or a cold domain with kLogical (cold
  // domains expire by TTL; use kHard).
  virtual Status RemoveTree(const WriteOptions& options, std::string_view tenant,
                            const std::vector<PrefixRef>& prefixes, RemoveMode mode,
                            uint64_t* removal_id = nullptr) = 0;

  // Brings back every record a logical RemoveTree hid, as it was (records
  // deleted one by one before the removal stay deleted). NotFound if no such
  // removal is pending (unknown id, hard, already restored or purged);
  // Expired once its retention has passed.
  virtual Status RestoreTree(const WriteOptions& options, uint64_t removal_id) = 0;

  // Removes every record of tenant in every domain, at once and atomically
  // (one removal record, as for RemoveTree): after a crash the tenant
  // is either whole or gone. Not restorable. The tenant may be written again
  // afterwards, starting empty.
  virtual Status RemoveTenant(const WriteOptions& options, std::string_view tenant) = 0;

  // Lists the pending removals, in id order: logical ones in retention,
  // and removals whose bytes the purge has not yet dropped.
  virtual Status ListRemovals(std::vector<RemovalInfo>* out) = 0;

  // ---- Replication (docs/scale-out.md) ----

  // The applied index the latest write that carried one stored
  // (WriteOptions::applied_index); {0, 0} if none ever did. Survives
  // crashes with the data it was written with.
  virtual Status GetAppliedIndex(AppliedIndex* out) = 0;

  // Writes every record of tenant, in every domain, into dir (which must not
  // exist; its parent must), consistent at one moment: SST files in metakv's
  // record format, one per domain holding records of the tenant, and a
  // checksummed manifest. Records in the recycle bin keep their delete
  // times, every record its write time and expiry, and the pending logical
  // removals that cover the tenant come along (restorable in the importing
  // store until the same time). Records a hard removal (RemoveTenant,
  // RemoveTree kHard) or an expired logical one hides are left out: they
  // are gone. No other tenant's record is written. *info (if not null)
  // says what was written. To move a tenant: export, ImportTenant in the
  // other store, then RemoveTenant here.
  virtual Status ExportTenant(std::string_view tenant, std::string_view dir,
                              TenantFiles* info = nullptr) = 0;

  // Ingests a tenant ExportTenant wrote into dir, atomically: one RocksDB
  // ingest across column families, so after a crash the tenant is either as
  // it was here or as exported, never a mix, and options.applied_index with
  // it. The tenant's records here (if any, see ImportOptions::replace) and
  // its pending removals are replaced: every domain's part is the exported
  // records plus a deletion marker for each other key of the tenant. The
  // files are copied: dir stays as it was. Every domain of the export must
  // be declared here, with the same temperature; shard counts may differ.
  // The store's time moves up to the newest time in the export if it is
  // behind. Writes wait while it ingests (it flushes the tenant's domains
  // and pauses background work for the ingest itself); don't read or
  // write the tenant meanwhile. InvalidArgument for a dir that holds no
  // export, an unknown domain, or times more than an hour ahead of this
  // store's clock; Corruption for a damaged export (nothing is changed);
  // FailedPrecondition if the tenant is here and options.replace is false.
  virtual Status ImportTenant(std::string_view dir, const ImportOptions& options,
                              TenantFiles* info = nullptr) = 0;

  // ---- Background work ----

  // Runs one maintenance pass now, or the parts of it options select, on
  // the calling thread; *result (if not null) says what it did. Passes the
  // store runs itself (Options::maintenance_interval_seconds) are the same
  // call with default options. Runs every selected part even if one fails;
  // returns the first error.
  virtual Status RunMaintenance(const MaintenanceOptions& options,
                                MaintenanceResult* result = nullptr) = 0;

  // Flushes the memtable of one domain (all domains if empty) to SST files
  // and waits for it.
  virtual Status Flush(std::string_view domain = {}) = 0;

  // Compacts one domain (all if empty), or only one tenant of it, down to
  // the bottommost level, and waits for it. A tenant needs a domain
  // (InvalidArgument otherwise).
  virtual Status CompactRange(std::string_view domain = {}, std::string_view tenant = {}) = 0;

  // After a failed write to disk (a full disk, ENOSPC, during a flush, a
  // compaction's manifest write or a WAL write), RocksDB stops writes:
  // every write returns that IOError ("No space left on device") while
  // reads go on. Once there is room again (free space at least the largest
  // memtable), the store resumes on its own: RocksDB checks the free space
  // every 5 seconds. Resume tries at once: it flushes the memtables and
  // lets writes in again. OK if writes were not stopped (or are running
  // again); Busy while RocksDB's own recovery is under way (it ends on its
  // own); the error again if the disk is still full. A failed write was
  // not applied and may be retried (a write whose WAL record reached the
  // disk before its sync failed may still appear after a crash).
  virtual Status Resume() = 0;

  // Waits until no flush or compaction is running or pending in any domain
  // (checked twice in a row, 10 ms apart). timeout_ms = 0 waits without a
  // limit; otherwise Busy when the limit passes first.
  virtual Status WaitForBackgroundWork(uint64_t timeout_ms = 0) = 0;

  // Writes a consistent, openable copy of the store, as of one moment, into
  // dir (which must not exist; its parent must): RocksDB's Checkpoint, hard
  // links to the SST files where dir is on the same file system, copies
  // otherwise. Everything comes along: every domain's records, the recycle
  // bin, the domain catalogue, the pending removals (a tree removal in
  // retention stays restorable in the copy) and the store's time. Open the
  // copy with Store::Open and the same domains; it shares no state with the
  // store. A backup: checkpoint, then copy dir elsewhere. InvalidArgument if
  // dir exists or is empty; NotSupported on a read-only store.
  virtual Status CreateCheckpoint(std::string_view dir) = 0;

  // A secondary (Options::secondary_path): moves the view to the primary's
  // current state, its pending removals included. Busy while an iterator
  // or a snapshot of this store is open (their view must not move);
  // NotSupported on a store not opened as a secondary.
  virtual Status TryCatchUpWithPrimary() = 0;

  // ---- Figures ----

  // Sets *bytes to RocksDB's estimate of the bytes stored (SST files and
  // memtables, old versions and deletion markers included) for the keys of
  // the domain under (tenant, prefix): the whole tenant if prefix is empty,
  // the whole domain if tenant is empty too (then prefix must be). An
  // estimate, interpolated within files; for example to watch a removed
  // tree's bytes go.
  virtual Status GetApproximateSize(std::string_view domain, std::string_view tenant,
                                    std::string_view prefix, uint64_t* bytes) = 0;

  // Copies the current figures into *stats.
  virtual Status GetStats(Stats* stats) = 0;

  // One integer figure of GetStats by name, as RocksDB's GetIntProperty:
  // a surface that grows by adding names, never by changing a layout, for
  // callers across a language boundary (a C API, metrics exporters). With
  // an empty domain, a store-wide figure; otherwise the domain's.
  // InvalidArgument for an unknown domain or name (IntPropertyNames lists
  // them). Costs one GetStats.
  virtual Status GetIntProperty(std::string_view domain, std::string_view name,
                                uint64_t* value) = 0;
  // The names GetIntProperty takes: store-wide (domain empty) or per domain.
  static std::vector<std::string> IntPropertyNames(bool per_domain);

  // The declared domains, in declaration order.
  virtual std::vector<std::string> DomainNames() const = 0;
};

}  // namespace metakv

#endif  // METAKV_STORE_H_
