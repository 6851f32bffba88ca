// Figures a Store reports through Store::GetStats: bytes written by users
// and by the engine, write amplification, and the shape of each domain's
// LSM tree. A Stats object is a plain value, a copy taken at one moment.
#ifndef METAKV_STATS_H_
#define METAKV_STATS_H_

#include <cstdint>
#include <string>
#include <vector>

#include "metakv/options.h"

namespace metakv {

struct LevelStats {
  int level = 0;
  uint64_t files = 0;
  uint64_t bytes = 0;
};

// Bytes written for one tenant of a domain, since the store was opened.
struct TenantStats {
  std::string tenant;  // empty: tenants beyond the tracked limit, together
  uint64_t user_bytes_written = 0;
  uint64_t flush_bytes_written = 0;
  uint64_t compaction_bytes_written = 0;
  uint64_t ingest_bytes_written = 0;
};

struct DomainStats {
  std::string name;
  Temperature temperature = Temperature::kHot;

  // Since this Store was opened:
  // Bytes of tenant, key and value that callers wrote (Put and batch puts;
  // Delete and HardDelete count the bytes of tenant and key).
  uint64_t user_bytes_written = 0;
  uint64_t puts = 0;
  uint64_t deletes = 0;  // logical deletes
  uint64_t undeletes = 0;
  uint64_t hard_deletes = 0;
  uint64_t ingested_records = 0;  // through IngestCold
  // IngestCold groups below DomainOptions::ingest_min_bytes, written through
  // the WAL and memtable (their records also count in puts and
  // user_bytes_written as a Write's do).
  uint64_t buffered_ingests = 0;
  // SST bytes written by flushes, compactions and cold ingest of this domain.
  uint64_t flush_bytes_written = 0;
  uint64_t compaction_bytes_written = 0;
  uint64_t compaction_bytes_read = 0;
  uint64_t ingest_bytes_written = 0;
  uint64_t flushes = 0;
  // Of those, flushes another domain's writes forced on this one: by the
  // store's WAL limit (the oldest WAL file holds some of this domain's
  // unflushed writes and the WAL has outgrown the limit, see
  // Options::memtable_budget_fraction), and by the memtable budget (RocksDB's
  // WriteBufferManager flushing the domain with the oldest memtable).
  uint64_t wal_limit_flushes = 0;
  uint64_t memory_budget_flushes = 0;
  uint64_t compactions = 0;    // rewriting compactions
  uint64_t trivial_moves = 0;  // files moved down a level without a rewrite
  uint64_t trivial_move_bytes = 0;
  // Compactions from level 0 into level 1, the level-1 bytes they read (and
  // so rewrote), and the part of those rewritten for other tenants' writes:
  // each such compaction is charged to the tenants whose level-0 bytes it
  // merged, in proportion, so a tenant's level-1 bytes count for others by
  // the share of the level-0 bytes that were not its own. What isolating
  // level 0 by tenant could at most save of these rewrites
  // (docs/write-amplification.md).
  uint64_t l0_compactions = 0;
  uint64_t l0_l1_rewritten_bytes = 0;
  uint64_t l0_l1_for_others_bytes = 0;
  // Records (and their key + value bytes) the tombstone filter dropped:
  // tombstones past retention, records past expiry, and the first record
  // of each run a removal's purge dropped (the rest of the run goes with it
  // uncounted, see compaction/tombstone_filter.h).
  uint64_t purged_records = 0;
  uint64_t purged_bytes = 0;
  // Tree and tenant removals of this domain (Store::RemoveTree, RemoveTenant)
  // and logical tree removals restored.
  uint64_t tree_removals = 0;
  uint64_t tenant_removals = 0;
  uint64_t tree_restores = 0;
  // Compactions the purge deadline and removals' purges ran, and the SST
  // bytes they wrote (exact for the per-file compactions of a purge; for a
  // range compacted down the levels, the domain's compaction bytes while it
  // ran, other compactions meanwhile included).
  uint64_t deadline_compactions = 0;
  uint64_t deadline_compaction_bytes_written = 0;
  // SST files (and their bytes) a removal's purge deleted whole, without a
  // rewrite: they held only records the removal covered.
  uint64_t purge_dropped_files = 0;
  uint64_t purge_dropped_bytes = 0;
  // (flush + compaction + ingest bytes written) / user bytes written; 0 if
  // no user bytes.
  double write_amplification = 0;
  // The tenants with most engine bytes written (Options::stats_top_tenants).
  std::vector<TenantStats> top_tenants;

  // Current state:
  uint64_t live_sst_bytes = 0;
  uint64_t memtable_bytes = 0;
  uint64_t estimated_records = 0;         // RocksDB's estimate, all versions
  uint64_t pending_compaction_bytes = 0;  // RocksDB's estimate
  uint64_t write_buffer_bytes = 0;
  int level0_compaction_trigger = 0;
  std::vector<LevelStats> levels;  // one entry per level, L0 first
  // The time (seconds, the store's clock) since which the oldest purgeable
  // record still present in this domain's SST files has been purgeable,
  // from the files' record properties (tombstones past retention, expired
  // records) and the pending removals; 0 if none is known. Hard deletes are
  // not counted here (their time is not recorded).
  uint64_t oldest_purgeable_time = 0;
  // Logical tree removals waiting for their retention, and removals (tree
  // or tenant) whose bytes are not yet purged.
  uint64_t pending_tree_removals = 0;
  uint64_t pending_purges = 0;
  // The flush controller's latest reasoning for this domain, changed or
  // not; empty if the controller is off or has not decided yet.
  std::string flush_controller_reason;
  // The changes it made since open: memtable size grown or shrunk, L0
  // trigger raised or lowered (one decision may do one of each).
  uint64_t write_buffer_grows = 0;
  uint64_t write_buffer_shrinks = 0;
  uint64_t level0_trigger_raises = 0;
  uint64_t level0_trigger_lowers = 0;
  // Tenant shards (DomainOptions::tenant_shards): how many column families
  // the domain's tenants are spread over. Each figure above is the sum of
  // the shards' (the L0 trigger: the largest; the oldest purgeable time:
  // the oldest); the flush controller decides per shard, and its reasons
  // are joined as "shard N: reason". Files in level 0 of each shard, shard
  // 0 first.
  uint64_t tenant_shards = 1;
  std::vector<uint64_t> shard_level0_files;
};

// How long one kind of call took, since the store was opened (kept when
// Options::enable_statistics is on).
struct LatencyStats {
  // "get", "multi_get", "put", "delete", "undelete", "hard_delete",
  // "write", "ingest_cold", or "scan_seek" (an iterator's SeekToFirst,
  // SeekToLast, Seek or SeekForPrev).
  std::string operation;
  // The buckets' upper bounds (inclusive), microseconds, ascending.
  std::vector<uint64_t> bucket_bounds_micros;
  // Calls per bucket, not cumulative; one more than the bounds: the last
  // holds the calls above the largest bound.
  std::vector<uint64_t> bucket_counts;
  uint64_t count = 0;      // the sum of bucket_counts
  uint64_t sum_nanos = 0;  // total time of the calls
};

// One decision of the adaptive flush controller.
struct FlushDecisionStats {
  uint64_t time_micros = 0;
  std::string domain;
  uint64_t old_write_buffer_bytes = 0;
  uint64_t new_write_buffer_bytes = 0;
  int old_level0_trigger = 0;
  int new_level0_trigger = 0;
  bool applied = false;  // SetOptions succeeded
  std::string reason;
  std::string inputs;  // the observed figures it was made from
};

struct Stats {
  std::vector<DomainStats> domains;
  // Totals over all domains, since this Store was opened.
  uint64_t user_bytes_written = 0;
  uint64_t flush_bytes_written = 0;
  uint64_t compaction_bytes_written = 0;
  uint64_t ingest_bytes_written = 0;
  double write_amplification = 0;
  // From RocksDB's statistics (0 if Options::enable_statistics is false):
  uint64_t wal_bytes_written = 0;
  uint64_t stall_micros = 0;
  // Block cache usage, memtable charge included (always reported).
  uint64_t block_cache_bytes = 0;
  // Passes of the maintenance thread since open, and the steps of them that
  // failed (each failure is retried by the next pass).
  uint64_t maintenance_passes = 0;
  uint64_t maintenance_errors = 0;
  // The flush controller's recent changes, oldest first (bounded).
  std::vector<FlushDecisionStats> flush_decisions;
  // Latencies of the store's calls, one entry per operation (empty if
  // Options::enable_statistics is off).
  std::vector<LatencyStats> latencies;
  // The store's time when the figures were taken (seconds since the
  // epoch), and Options::purge_deadline_seconds, against which
  // DomainStats::oldest_purgeable_time is judged.
  uint64_t time_seconds = 0;
  uint64_t purge_deadline_seconds = 0;
};

// stats as one JSON object, each member named as in these structs
// (temperature as "hot" or "cold"); compact, valid UTF-8. For callers that
// read figures as text: the C API, exporters, operators' tools.
std::string StatsToJson(const Stats& stats);

// stats as lines of text for people: one for the store ("time ..."), one
// per domain ("domain <name>: ..."), and one per domain with a flush
// controller decision ("domain <name>: flush controller: ..."); each line
// ends in a newline. The periodic stats dump (Options::
// stats_dump_period_seconds) writes these lines to the LOG.
std::string StatsToText(const Stats& stats);

// stats in the Prometheus text exposition format (version 0.0.4), for a
// monitoring system to scrape: names metakv_*, with _bytes, _seconds and
// _total suffixes; labels domain, level, reason, tenant (the top tenants
// only) and op (the latency histograms, buckets from 1 µs to 5 s).
// docs/operations.md lists the metrics.
std::string StatsToPrometheus(const Stats& stats);

}  // namespace metakv

#endif  // METAKV_STATS_H_
