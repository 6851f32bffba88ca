// metakv-bench's command line: the run configuration and its parser.
//
// Flags are db_bench style, "--name=value" (only --help takes no value). A
// flag given twice takes its last value. Parsing never exits and never
// throws: ParseFlags returns an error message instead, so the caller decides
// how to report it (metakv-bench prints it and exits with code 2). Plain
// values and functions: thread-safe.
#ifndef METAKV_BENCH_FLAGS_H_
#define METAKV_BENCH_FLAGS_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "metakv/options.h"

namespace metakv::bench {

// Compression of every level, the same for every engine; or kDefault: each
// engine's own default (metakv: snappy, zstd at the bottommost level;
// RocksDB: snappy).
enum class CompressionChoice : unsigned char { kNone, kSnappy, kZstd, kDefault };

// "none", "snappy", "zstd", "default".
std::string_view CompressionChoiceName(CompressionChoice c);

// The library's Compression for c, which both engines set (the rocksdb
// engine through engine/rocksdb_util.h's ToRocks). kDefault has no one
// value: callers leave the engine's default alone; here it gives kNone.
Compression ToCompression(CompressionChoice c);

// The engines metakv-bench can drive, in the order "all" runs them:
// "metakv", "rocksdb" (stock, leveled compaction) and "rocksdb-universal"
// (stock, universal compaction).
const std::vector<std::string>& KnownEngines();

// The operations of metamix and their relative weights (--mix).
struct MixWeights {
  uint64_t stat = 80;     // get an inode
  uint64_t setattr = 40;  // overwrite an inode's attributes
  uint64_t create = 24;   // dentry + inode, one batch
  uint64_t unlink = 16;   // logical delete of dentry + inode, one batch
  uint64_t readdir = 24;  // scan a directory's entries
  uint64_t rename = 12;   // move a file to another directory, one batch
  uint64_t snapshot = 1;  // one version-history group (--snapshot_group records)

  uint64_t Total() const { return stat + setattr + create + unlink + readdir + rename + snapshot; }
};

// How rmtree removes its tree (--remove_mode): into the recycle bin then
// purged after retention, or at once.
enum class RemoveModeChoice : unsigned char { kLogical, kHard };
// "logical", "hard".
std::string_view RemoveModeName(RemoveModeChoice m);

// How the stock RocksDB engines remove a tree (hard) or a tenant
// (--stock_delete): a point delete of every record, as the issue's
// baseline, or one DeleteRange per key range.
enum class StockDeleteChoice : unsigned char { kPoint, kRange };
// "point", "range".
std::string_view StockDeleteName(StockDeleteChoice d);

// How metamix keys its version-history records (--history_key): by
// snapshot number then inode (each group's keys after every earlier
// group's), or by inode then snapshot number (a file's versions together:
// a tenant's successive groups overlap in key range).
enum class HistoryKeyChoice : unsigned char { kSnapshot, kInode };
// "snapshot", "inode".
std::string_view HistoryKeyName(HistoryKeyChoice k);

// A named set of flags (--preset): the metamix shapes the results matrix
// (scripts/results.sh) runs.
struct Preset {
  std::string name;
  std::string description;
  std::vector<std::string> flags;  // "--name=value", applied before the command line's
};
const std::vector<Preset>& Presets();

// "stat:40,setattr:20,..." in the order of MixWeights.
std::string FormatMix(const MixWeights& w);

// One run of metakv-bench. The in-class defaults are the flags' defaults.
struct BenchConfig {
  // The preset whose flags were applied first (Presets()), or empty. Flag:
  // --preset. Default: none.
  std::string preset;
  // Workload names, run in this order on one database per engine.
  // Flag: --benchmarks (comma-separated). Default: metamix.
  std::vector<std::string> benchmarks = {"metamix"};
  // Engines, each run in turn on its own database (KnownEngines). Flag:
  // --engine (comma-separated; "both" = metakv,rocksdb; "all" = every
  // known engine). Default: metakv,rocksdb.
  std::vector<std::string> engines = {"metakv", "rocksdb"};
  // Keys in the key space [0, num); writes per write workload. >= 1.
  // Flag: --num. Default: 300000.
  uint64_t num = 300000;
  // Gets done by readrandom. >= 1. Flag: --reads. Default: num (reads_set
  // says whether the flag was given).
  uint64_t reads = 300000;
  bool reads_set = false;
  // Bytes of every key, tenant included (see keys.h). Flag: --key_size.
  // Default: 16.
  uint64_t key_size = 16;
  // Bytes of every value. Flag: --value_size. Default: 100.
  uint64_t value_size = 100;
  // Seed of every key sequence and of the value bytes. Flag: --seed.
  // Default: 1.
  uint64_t seed = 1;
  // Database directory. Empty: a fresh temporary directory, removed at the
  // end. Otherwise each engine uses <db>/<engine>, which must be absent or
  // empty (unless use_existing_db), and nothing is removed. Flag: --db.
  // Default: empty.
  std::string db;
  // Where metakv's metrics go at the end of its run, in the Prometheus
  // text format (metakv::StatsToPrometheus); empty: nowhere. Flag:
  // --metrics_out. Default: empty.
  std::string metrics_out;
  // Open the databases under --db as they are, without requiring them
  // empty (db_bench's --use_existing_db): e.g. readrandom on a database an
  // earlier fillrandom run left. Requires --db. Flag: --use_existing_db.
  // Default: 0.
  uint64_t use_existing_db = 0;
  // Memtables plus block cache, per engine. Flag: --memory_budget.
  // Default: 64 MiB.
  uint64_t memory_budget = 64ull << 20;
  // Flag: --write_buffer_size. Default: 4 MiB.
  uint64_t write_buffer_size = 4ull << 20;
  // Flag: --target_file_size. Default: 4 MiB.
  uint64_t target_file_size = 4ull << 20;
  // Flag: --max_bytes_for_level_base. Default: 16 MiB.
  uint64_t max_bytes_for_level_base = 16ull << 20;
  // Flag: --compression. Default: snappy.
  CompressionChoice compression = CompressionChoice::kSnappy;
  // Tenants the key space is spread over (key k belongs to tenant
  // k % tenants; metamix: tenants with Zipf popularity). Flag: --tenants.
  // Default: 64.
  uint64_t tenants = 64;
  // metakv's write-amplification mechanisms, each 1 (on) or 0 (off), so
  // their effect can be measured one at a time. Flags: --purge (tombstone
  // filter), --partition (tenant partitioner), --adaptive_flush (flush
  // controller). Default: 1 each.
  uint64_t purge = 1;
  uint64_t partition = 1;
  // metakv: tenant shards of the hot domains (DomainOptions::
  // tenant_shards; docs/write-amplification.md). Flag: --tenant_shards.
  // Default: 8, as docs/write-amplification.md recommends for a hot domain
  // of many tenants (the library's default is 1, none).
  uint64_t tenant_shards = 8;
  uint64_t adaptive_flush = 1;
  // Seconds between the flush controller's decisions. Flag:
  // --flush_controller_interval. Default: 2 (runs here last seconds, not
  // hours).
  uint64_t flush_controller_interval = 2;
  // Records per version-history group (fillhistory). Flag: --history_group.
  // Default: 1000.
  uint64_t history_group = 1000;
  // Threads of each put, get, delete and scan workload (fillhistory runs
  // on one); they split the workload's operations evenly. Flag: --threads.
  // Default: 1.
  uint64_t threads = 1;
  // Stops each workload's loop after this many seconds, even with
  // operations left; 0: no limit. Flag: --duration. Default: 0.
  uint64_t duration_seconds = 0;
  // Records each seekrandom scan reads after the one it seeks to. Flag:
  // --seek_nexts. Default: 10 (db_bench's).
  uint64_t seek_nexts = 10;
  // --- metamix (workloads/meta_mix.cc) ---
  // Mix operations after the namespace is loaded (--num files). Flag:
  // --mix_ops. Default: 1000000.
  uint64_t mix_ops = 1000000;
  // Operation weights. Flag: --mix ("stat:40,setattr:20,..."; operations
  // left out get weight 0). Default: MixWeights's.
  MixWeights mix;
  // Zipf exponent of tenant popularity (and of tenant size at load): tenant
  // i is chosen with probability proportional to 1 / (i + 1)^theta. Flag:
  // --zipf_theta. Default: 0.99 (YCSB's).
  double zipf_theta = 0.99;
  // Files per directory at load. Flag: --files_per_dir. Default: 32.
  uint64_t files_per_dir = 32;
  // Bytes of inline attributes (extended attributes, extent map) stored
  // with every inode record after its encoded fixed fields. Flag:
  // --inode_extra_bytes. Default: 64.
  uint64_t inode_extra_bytes = 64;
  // Version-history records per snapshot (files of consecutive directories
  // of one tenant). Flag: --snapshot_group. Default: 256.
  uint64_t snapshot_group = 256;
  // Flag: --history_key. Default: snapshot.
  HistoryKeyChoice history_key = HistoryKeyChoice::kSnapshot;
  // Entries a readdir reads at most. Flag: --readdir_limit. Default: 1000.
  uint64_t readdir_limit = 1000;
  // Recycle-bin retention: seconds after a logical delete (unlink) before
  // the record may be purged. Flag: --retention_seconds. Default: 15.
  uint64_t retention_seconds = 15;
  // Seconds a version-history record lives. Flag: --history_ttl_seconds.
  // Default: 30.
  uint64_t history_ttl_seconds = 30;
  // Time is simulated: the clock both engines judge retention and TTL by
  // (and metakv's flush controller measures rates with) advances one second
  // per this many operations of the run, so the same logical work purges
  // the same records on both, whatever their speed. Flag:
  // --ops_per_sim_second. Default: 10000.
  uint64_t ops_per_sim_second = 10000;

  // --- rmtree and rmtenant (workloads/bulk_delete.cc) ---
  // Directory trees per tenant. Flag: --trees_per_tenant. Default: 4.
  uint64_t trees_per_tenant = 4;
  // rmtree: the removed tree's share of the --num files loaded. Flag:
  // --remove_share. Default: 0.3.
  double remove_share = 0.3;
  // rmtree: logical (recycle bin, purged after --retention_seconds) or hard.
  // Flag: --remove_mode. Default: logical.
  RemoveModeChoice remove_mode = RemoveModeChoice::kLogical;
  // rmtenant: tenants removed (spread over the popularity ranks). Flag:
  // --remove_tenants. Default: 4.
  uint64_t remove_tenants = 4;
  // Readdirs and seeks each read phase does (before the removal, right
  // after it, after the purge). Flag: --probe_ops. Default: 1000.
  uint64_t probe_ops = 1000;
  // Wall seconds the driver waits at most, once the removed records are
  // purgeable, for their bytes to leave the engine's files. Flag:
  // --gone_timeout. Default: 30.
  uint64_t gone_timeout_seconds = 30;
  // metakv: Options::purge_deadline_seconds (the store's clock, which runs
  // at real speed while the driver waits). Flag: --purge_deadline_seconds.
  // Default: 30.
  uint64_t purge_deadline_seconds = 30;
  // Once the removed records are purgeable the driver calls
  // Engine::DropPurgeable (metakv: Store::RunMaintenance(MaintenanceOptions::PurgeDeadlineOnly(0))) (1), or
  // leaves it to the engine's own background work (0). Flag:
  // --enforce_purge. Default: 1.
  uint64_t enforce_purge = 1;
  // Flag: --stock_delete. Default: point.
  StockDeleteChoice stock_delete = StockDeleteChoice::kPoint;

  // --- Reporting ---
  // Where to write the JSON report (json_report.h), written whole or not
  // at all. Empty: none. Flag: --json. Default: empty.
  std::string json;
  // Where to write one CSV row per engine, workload and second of the run
  // (throughput and write amplification over time). Empty: none. Flag:
  // --csv. Default: empty.
  std::string csv;
  // Where to draw write amplification and throughput over time of every
  // engine as a PNG picture (gnuplot). Empty: none. Flag: --plot. Default:
  // empty.
  std::string plot;
  // A progress line on the terminal, updated each second (1), or none (0).
  // Never written when standard error is not a terminal. Flag: --progress.
  // Default: 1.
  uint64_t progress = 1;
  // --help was given: print Usage() and run nothing.
  bool help = false;
};

// Parses args (the command line without the program name) into *config,
// which must hold the defaults (a fresh BenchConfig) on entry. Returns an
// empty string on success, otherwise one line saying what is wrong (unknown
// flag, missing or bad value, unknown workload or engine, inconsistent
// sizes); *config is then unspecified. With --help, the other flags are
// still checked.
std::string ParseFlags(const std::vector<std::string>& args, BenchConfig* config);

// The --help text: every flag, its meaning and default. Ends with a newline.
std::string Usage();

}  // namespace metakv::bench

#endif  // METAKV_BENCH_FLAGS_H_
