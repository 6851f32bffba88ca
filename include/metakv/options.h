// Options for opening a metakv Store, declaring its domains, and for reads
// and writes.
//
// Every field has an in-class default, stated in its comment as
// "Default: ...". What a database fixes at creation, and checks on every
// open, is each domain's identity: its name, its temperature and (cold
// domains) its layout, kept in the database's domain catalogue (a stored
// layout wins over a declared one). Every other field may differ from one
// open to the next. Option structs are plain values: not thread-safe to
// mutate while another thread reads them.
#ifndef METAKV_OPTIONS_H_
#define METAKV_OPTIONS_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace rocksdb {
class Env;
}  // namespace rocksdb

namespace metakv {

class Snapshot;

// A source of wall-clock time, in microseconds since the Unix epoch.
// Record write times, delete times, retention and expiry all come from it, so
// tests can move time without sleeping. Implementations must be thread-safe.
class Clock {
 public:
  virtual ~Clock() = default;
  virtual uint64_t NowMicros() const = 0;
  uint64_t NowSeconds() const { return NowMicros() / 1000000; }
};

// The real clock (std::chrono::system_clock). Shared, never null.
std::shared_ptr<Clock> SystemClock();

enum class Compression : unsigned char { kNone, kSnappy, kZstd, kLz4 };

// Hot domains take small records overwritten often, through the WAL and a
// memtable. Cold domains hold write-once history (ingested directly as SST
// files by Store::IngestCold) and may carry a TTL.
enum class Temperature : unsigned char { kHot, kCold };

// How a cold domain's files are laid out (DomainOptions::cold_layout).
//
// kTimeOrdered: the files form one time-ordered pile (RocksDB's level 0 of
// a one-level column family) and are never compacted by size. An ingested
// group stays in its file until every record of it has expired; the
// maintenance pass then drops the file whole, oldest first, writing
// nothing. Small files are merged size-tiered with their neighbours in
// age once there are more than small_file_budget of them. Groups whose key
// ranges overlap (history keyed by inode, then version) cost nothing more
// than groups that do not. Reads consult every file whose key range holds
// the key (bloom filters skip the others), so it suits history that
// expires; the records a read finds are the same in both layouts.
//
// kLeveled: leveled compaction, as a hot domain: an ingest lands at the
// deepest level it overlaps nothing in, so overlapping groups land high
// and are compacted down again. For history that never expires and is
// read often.
enum class ColdLayout : unsigned char { kTimeOrdered, kLeveled };

// One domain: a named class of metadata with its own key space, stored in its
// own RocksDB column family with its own policy.
struct DomainOptions {
  // ---- Identity (fixed at creation, checked on every open) ----

  // 1 to 64 characters from [a-z0-9_.-], not "default". Also the name of the
  // domain's column family. Default: empty (must be set).
  std::string name;

  // Default: Temperature::kHot.
  Temperature temperature = Temperature::kHot;

  // Cold domains: the layout of the domain's files, chosen when the domain
  // is created; a domain keeps the layout it was created with (a value
  // declared for an existing domain is ignored). Domains created before
  // layouts existed are kLeveled. Ignored for hot domains.
  // Default: ColdLayout::kTimeOrdered.
  ColdLayout cold_layout = ColdLayout::kTimeOrdered;

  // Hot domains: the number of column families the domain's tenants are
  // spread over, each tenant wholly in one, chosen by a hash of its id
  // (tenant shards). Each shard has its own memtable (inside the one memory
  // budget), its own level 0 and trigger, and its own levels, so a flush
  // and a level-0 compaction caused by a busy tenant rewrite only its
  // shard's data, not every tenant's (docs/write-amplification.md has the
  // measurements). Reads of a tenant go to its shard; a scan of the whole
  // domain merges the shards. Chosen when the domain is created; a domain
  // keeps the count it was created with (a value declared for an existing
  // domain is ignored). 1 to 64; must be 1 for cold domains.
  //
  // In a store where any domain has shards, every domain's memtable
  // (write_buffer_bytes, min_write_buffer_bytes, max_write_buffer_bytes) is
  // capped at a third of the memtable budget (memory_budget_bytes *
  // memtable_budget_fraction), so a busy shard fills and flushes its own
  // memtable before the budget forces a flush of a quiet shard's tiny one.
  //
  // For a hot domain of many tenants of uneven size, 8 saves about a
  // quarter of the device bytes (docs/results.md: 64 and 512 Zipf
  // tenants). Default: 1 (none).
  uint32_t tenant_shards = 1;

  // ---- Behaviour (changeable on reopen) ----

  // How long a logically deleted record stays restorable by Undelete (the
  // recycle bin). After that Undelete fails with Expired and compaction may
  // purge the record. Default: 7 days.
  uint64_t tombstone_retention_seconds = 7 * 24 * 3600;

  // Time to live given to records written without one of their own; 0 means
  // they never expire. Expired records are invisible to reads.
  // Default: 0.
  uint64_t default_ttl_seconds = 0;

  // ---- Performance (changeable on reopen) ----

  // Memtable size of this domain at open. With adaptive_write_buffer, the
  // flush controller then moves it within [min_write_buffer_bytes,
  // max_write_buffer_bytes]. Default: 64 MiB.
  uint64_t write_buffer_bytes = 64ull << 20;
  // 0 means write_buffer_bytes. Default: 0.
  uint64_t min_write_buffer_bytes = 0;
  // 0 means 8 x write_buffer_bytes. Default: 0 (so 64 MiB to 512 MiB by
  // default).
  uint64_t max_write_buffer_bytes = 0;
  // Let the flush controller size this domain's memtable from its load
  // (compaction/flush_policy.h). Default: true.
  bool adaptive_write_buffer = true;
  // L0 file count that triggers an L0->L1 compaction of this domain; with
  // adaptive_level0_trigger, the base the flush controller raises it from
  // under pressure and returns it to. Default: 4.
  int level0_compaction_trigger = 4;
  // Default: true.
  bool adaptive_level0_trigger = true;
  // Target size of SST files written by compaction. Default: 64 MiB.
  uint64_t target_file_size_bytes = 64ull << 20;
  // Total size of L1; each deeper level is 10 times larger.
  // Default: 256 MiB.
  uint64_t max_bytes_for_level_base = 256ull << 20;
  // Compression of every level but the bottommost. Default: kSnappy.
  Compression compression = Compression::kSnappy;
  // Compression of the bottommost level. Default: kZstd.
  Compression bottommost_compression = Compression::kZstd;
  // If > 0 and the bottommost compression is zstd, a dictionary of at most
  // this many bytes is trained per file; pays for small records. Default: 0.
  uint32_t zstd_dictionary_bytes = 0;
  // Bloom filter bits per key for point reads; 0 disables. Default: 10.
  int bloom_bits_per_key = 10;
  // Uncompressed size of a data block. Default: 4096.
  uint32_t block_bytes = 4096;

  // ---- Write-amplification machinery (changeable on reopen) ----

  // Compactions drop tombstones past retention and records past expiry
  // (compaction/tombstone_filter.h). Off keeps them until HardDelete.
  // Default: true.
  bool purge_in_compaction = true;
  // Cold domains: the maintenance pass merges runs of neighbouring small
  // files (as small cold ingests make) into files of up to
  // target_file_size_bytes, rewriting those bytes once, so the number of
  // files (which every manifest write and, in a time-ordered domain, every
  // read pays for) stays bounded. Neighbours: in key order within a level
  // (kLeveled), in age (kTimeOrdered). Ignored for hot domains.
  // Default: true.
  bool merge_small_files = true;
  // Merging starts once the domain holds more than this many small files
  // (below target_file_size_bytes / 16) and stops at it: below the budget,
  // files cost little and merging would rewrite bytes a TTL may soon
  // expire. Default: 1024.
  uint64_t small_file_budget = 1024;
  // Cold domains: an IngestCold group of fewer user bytes (tenant + key +
  // value) than this is written through the WAL and the memtable as one
  // synced batch, not as a file of its own: a file per small group costs a
  // file creation, two fsyncs and a manifest write, and leaves a small file
  // to merge later, while the memtable gathers many groups into one flushed
  // file. Either way the group is durable and visible when the call
  // returns. 0: every group is ingested as a file. Default: 1 MiB.
  uint64_t ingest_min_bytes = 1ull << 20;
  // Compaction output files are cut at tenant boundaries where it pays
  // (compaction/tenant_partitioner.h). Default: true.
  bool partition_by_tenant = true;
  // A tenant boundary is cut once the current output file holds at least
  // this fraction of target_file_size_bytes. Default: 0.5.
  double partition_min_file_fraction = 0.5;
  // A tenant holding at least this many bytes in the domain is large: its
  // data is cut into files of its own whatever their size. Measured by the
  // maintenance pass from the files' tenant figures. 0 means
  // target_file_size_bytes. Default: 0.
  uint64_t large_tenant_bytes = 0;
};

// How Open replays the write-ahead log (WAL) when it finds a damaged
// record. Maps to rocksdb::WALRecoveryMode.
enum class WalRecoveryMode : unsigned char {
  // An incomplete record at the very end of the last WAL (a write cut short
  // by a crash: never acknowledged as synced) is dropped; any other damage
  // fails Open with Corruption naming the WAL file. The default: nothing
  // acknowledged is silently dropped, and a crash never blocks Open.
  kTolerateCorruptedTailRecords,
  // Any damage, even an incomplete tail record, fails Open with Corruption.
  kAbsoluteConsistency,
  // Replay stops at the first damaged record; Open succeeds with the state
  // just before it. Writes after the damage are lost, including synced
  // ones: use to get a damaged store open, knowingly.
  kPointInTime,
  // Damaged records are skipped and replay goes on. Can break the
  // atomicity of batches; for salvage only.
  kSkipAnyCorruptedRecords,
};

struct Options {
  // ---- Behaviour ----

  // Create the database if it does not exist (as in RocksDB). Default: false.
  bool create_if_missing = false;
  // Fail if the database already exists (as in RocksDB). Default: false.
  bool error_if_exists = false;
  // Open without write access: writes return NotSupported and no
  // background work runs. For a store no process has open for writing:
  // RocksDB does not define what a read-only open sees beside a writer (use
  // secondary_path for that). Cannot be combined with create_if_missing or
  // error_if_exists (InvalidArgument). Default: false.
  bool read_only = false;
  // Non-empty: open as a RocksDB secondary instance (DB::OpenAsSecondary)
  // beside a primary, a Store open for writing in this or another process,
  // without disturbing it. Implies read_only. The secondary sees the store
  // as of its open, then as of each Store::TryCatchUpWithPrimary (new
  // writes, flushes, compactions and removals of the primary). The
  // directory (created if missing) holds the secondary's own info log; it
  // must not be the store's directory. Domains the primary adds after the
  // open are not seen. Default: empty.
  std::string secondary_path;
  // The domains of this store. Every domain already in the database must be
  // declared (with the same identity), or Open fails with InvalidArgument
  // naming it. Default: empty; FileSystemDomains() (metakv/filesystem.h) gives the model's three.
  std::vector<DomainOptions> domains;
  // Whether Open may add declared domains that an existing database lacks.
  // A new database gets every declared domain regardless. Default: true.
  bool create_missing_domains = true;
  // Source of time for write, delete and expiry times, and for the pace of
  // the maintenance pass. Tests and simulations inject a ManualClock (metakv/testing.h).
  // Default: nullptr, meaning SystemClock().
  std::shared_ptr<Clock> clock;

  // Limits on input, checked on every call (InvalidArgument beyond them).
  // Tenant ids are 1 to 255 bytes (fixed). User keys: 1 to max_key_bytes.
  // Default: 4096.
  size_t max_key_bytes = 4096;
  // Default: 4 MiB.
  size_t max_value_bytes = 4u << 20;

  // ---- Performance ----

  // One memory budget for memtables and the block cache. Memtable memory is
  // charged to the block cache, so the two together stay within it.
  // Default: 1 GiB (half for memtables: room for two hot domains to grow
  // from 64 MiB and a cold one).
  uint64_t memory_budget_bytes = 1ull << 30;
  // Share of memory_budget_bytes that memtables of all domains together may
  // use before RocksDB flushes the largest (RocksDB's WriteBufferManager).
  // Default: 0.5.
  //
  // It also caps the write-ahead log: the live WAL files of the store stay
  // within 4 times this memtable budget (RocksDB's max_total_wal_size; with
  // the defaults, 2 GiB), which bounds their disk space and what Open
  // replays. A WAL file goes only once every domain's writes in it are
  // flushed, so when the WAL outgrows the cap, the domains holding writes
  // in its oldest file are flushed (DomainStats::wal_limit_flushes): a
  // quiet domain with a few unflushed writes is flushed once per 4 budgets
  // of WAL written by the others, however busy they are, and at no other
  // time because of them.
  double memtable_budget_fraction = 0.5;
  // RocksDB background flush and compaction threads. Default: 2.
  int max_background_jobs = 2;

  // ---- Advanced ----

  // Keep RocksDB's statistics (needed for GetStats' DB-wide figures: WAL
  // bytes and write-stall time; costs a little CPU per operation).
  // Default: true.
  bool enable_statistics = true;
  // Whether a writable open records the domains' tombstone retention in
  // the store, for tools that open it without the service's options
  // (Store::StoredDomains, metakv-ctl). A tool opening the store with a
  // retention of its own turns it off. Default: true.
  bool record_domain_settings = true;
  // RocksDB info log level: 0 debug ... 4 fatal. Default: 2 (warn).
  int info_log_level = 2;
  // Interval of the store's maintenance thread (Store::RunMaintenance with
  // its defaults: drops of purgeable files, the purge deadline, small
  // cold-file merges, finding large tenants); 0 disables the thread, and
  // then leveled cold domains with a default TTL get RocksDB's periodic
  // compaction (every default_ttl_seconds) instead. A pass starts
  // once this many seconds have gone by on the store's clock (Options::clock)
  // or in real time, whichever comes first: a clock that runs faster than
  // real time (a simulation) gets passes at its own pace, a stopped one
  // still gets them in real time. At most one year (31536000). Default: 60.
  uint64_t maintenance_interval_seconds = 60;
  // Interval of the adaptive flush controller's observations and decisions;
  // 0 disables the controller (memtable sizes and L0 triggers stay as
  // declared). At most one year (31536000). Default: 10.
  uint64_t flush_controller_interval_seconds = 10;
  // The purge deadline: how long a record may still lie in the store's
  // files after it became purgeable (its tombstone's retention passed, it
  // expired, it was hard deleted, or a tree or tenant removal covering it
  // became purgeable). The maintenance pass flushes memtables and compacts
  // the files holding such records, down to the last level, before the
  // deadline passes, rather than waiting for compactions the sizes would
  // trigger. Effective only with the maintenance pass on; the bound holds to
  // within one maintenance interval plus the compaction's own time, and an
  // open snapshot holds back what it can still see. Hard deletes are dated
  // by their file's oldest ancestor time (RocksDB's, from the system clock).
  // 0: no deadline. Default: 1 day.
  uint64_t purge_deadline_seconds = 24 * 3600;
  // Every this many seconds (of the store's clock or of real time,
  // whichever passes first, as the maintenance thread), the store writes
  // one block of its figures to RocksDB's info log (the LOG file in the
  // store's directory), as RocksDB's stats_dump_period_sec does: per
  // domain its bytes, write amplification, memtable size and L0 trigger,
  // files per level, purge state, and the flush controller's latest
  // reasoning. Written whatever info_log_level says (as warnings if need
  // be). 0: never. At most one year. Default: 600.
  uint64_t stats_dump_period_seconds = 600;
  // How many tenants per domain GetStats lists in top_tenants. Default: 10.
  size_t stats_top_tenants = 10;
  // What Open does with a damaged WAL record (see WalRecoveryMode).
  // Changeable on reopen. Default: kTolerateCorruptedTailRecords.
  WalRecoveryMode wal_recovery_mode = WalRecoveryMode::kTolerateCorruptedTailRecords;

  // ---- Testing and embedding hooks ----

  // The rocksdb::Env (and through it the rocksdb::FileSystem) that every
  // file RocksDB reads or writes for this store goes through: WAL,
  // MANIFEST, OPTIONS, SST files, including cold-ingest staging files.
  // Default: nullptr, meaning rocksdb::Env::Default().
  //
  // Meant for fault injection in tests (tests/fault_fs.h wraps a
  // rocksdb::FileSystemWrapper in an Env) and for embedders that already
  // run RocksDB over their own Env. It is a shared_ptr to a forward-declared
  // type so this header stays free of RocksDB: a caller that leaves it null
  // needs no RocksDB headers, and one that sets it includes
  // <rocksdb/env.h> itself and must link the same RocksDB as metakv. The
  // store keeps the Env alive until Close. The I/O metakv does itself (the
  // creation marker, directory syncs, the cold-ingest staging directory and
  // files) goes through this Env's file system too.
  std::shared_ptr<rocksdb::Env> rocksdb_env;
};

struct ReadOptions {
  // Read as of this snapshot (from Store::GetSnapshot) rather than the
  // latest state; also evaluates expiry and retention at the snapshot's time.
  // Default: nullptr.
  const Snapshot* snapshot = nullptr;
  // Verify RocksDB block checksums on read. Record checksums are always
  // verified. Default: true.
  bool verify_checksums = true;
  // Whether blocks read go into the block cache. Default: true.
  bool fill_cache = true;
};

// A replica's position in a replicated log (a Raft term and log index).
// index 0 means none.
struct AppliedIndex {
  uint64_t term = 0;
  uint64_t index = 0;

  bool operator==(const AppliedIndex& o) const { return term == o.term && index == o.index; }
  bool operator!=(const AppliedIndex& o) const { return !(*this == o); }
};

struct WriteOptions {
  // fsync the WAL before acknowledging. An acknowledged synced write survives
  // a machine crash; an unsynced one survives a process crash.
  // Default: false.
  bool sync = false;
  // For a store under a consensus log (docs/scale-out.md): if index is not
  // 0, the write also stores this as the store's applied index, in the same
  // atomic RocksDB write as its data, so after any crash the store's data
  // and Store::GetAppliedIndex agree and the log is replayed from there.
  // Every write call takes it (Put, Delete, Undelete, HardDelete, Write,
  // RemoveTree, RestoreTree, RemoveTenant); an empty WriteBatch with it set
  // stores only the index (for a log entry whose operation failed). The
  // last write wins: apply the log in order. Default: none.
  AppliedIndex applied_index;
};

}  // namespace metakv

#endif  // METAKV_OPTIONS_H_
