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

namespace metakv::bench {

// Which engines a run drives.
enum class EngineChoice : unsigned char { kMetakv, kRocksdb, kBoth };

// Compression of every level, the same for both engines.
enum class CompressionChoice : unsigned char { kNone, kSnappy, kZstd };

// "metakv", "rocksdb", "both".
std::string_view EngineChoiceName(EngineChoice e);
// "none", "snappy", "zstd".
std::string_view CompressionChoiceName(CompressionChoice c);
// The engines a choice stands for, in run order: {"metakv"}, {"rocksdb"} or
// {"metakv", "rocksdb"}.
std::vector<std::string> EngineNames(EngineChoice choice);

// One run of metakv-bench. The in-class defaults are the flags' defaults.
struct BenchConfig {
  // Workload names, run in this order on one database per engine.
  // Flag: --benchmarks (comma-separated). Default: fillrandom,overwrite,readrandom.
  std::vector<std::string> benchmarks = {"fillrandom", "overwrite", "readrandom"};
  // Flag: --engine. Default: kBoth (metakv first, then rocksdb).
  EngineChoice engine = EngineChoice::kBoth;
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
  // end. Otherwise the engines use <db>/metakv and <db>/rocksdb, which must
  // be absent or empty, and nothing is removed. Flag: --db. Default: empty.
  std::string db;
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
  // k % tenants). Flag: --tenants. Default: 16.
  uint64_t tenants = 16;
  // metakv's write-amplification mechanisms, each 1 (on) or 0 (off), so
  // their effect can be measured one at a time. Flags: --purge (tombstone
  // filter), --partition (tenant partitioner), --adaptive_flush (flush
  // controller). Default: 1 each.
  uint64_t purge = 1;
  uint64_t partition = 1;
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
  // Where to write the JSON report (json_report.h), written whole or not
  // at all. Empty: none. Flag: --json. Default: empty.
  std::string json;
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

// Bytes as a short human figure: "64MiB", "4KiB", "1000B".
std::string FormatBytes(uint64_t bytes);

}  // namespace metakv::bench

#endif  // METAKV_BENCH_FLAGS_H_
