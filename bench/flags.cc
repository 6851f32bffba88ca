#include "bench/flags.h"

#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <sstream>

#include "bench/keys.h"
#include "bench/workloads/registry.h"
#include "compaction/flush_policy.h"

namespace metakv::bench {

namespace {

constexpr uint64_t kKiB = 1ull << 10;
constexpr uint64_t kMiB = 1ull << 20;
constexpr uint64_t kGiB = 1ull << 30;

// Parses a plain decimal integer into *out, checking [min, max]. Returns an
// error line naming the flag, or empty.
std::string ParseUint(const std::string& flag, const std::string& value, uint64_t min, uint64_t max,
                      uint64_t* out) {
  uint64_t v = 0;
  const char* first = value.data();
  const char* last = value.data() + value.size();
  const auto [ptr, ec] = std::from_chars(first, last, v);
  if (value.empty() || ec == std::errc::invalid_argument || ptr != last) {
    return "--" + flag + "=" + value + ": not a non-negative integer";
  }
  if (ec == std::errc::result_out_of_range || v > max) {
    return "--" + flag + "=" + value + ": must be at most " + std::to_string(max);
  }
  if (v < min) return "--" + flag + "=" + value + ": must be at least " + std::to_string(min);
  *out = v;
  return {};
}

std::string ParseBenchmarks(const std::string& value, std::vector<std::string>* out) {
  out->clear();
  if (value.empty()) return "--benchmarks is empty: name at least one workload";
  size_t begin = 0;
  while (true) {
    const size_t comma = value.find(',', begin);
    const std::string name =
        value.substr(begin, comma == std::string::npos ? std::string::npos : comma - begin);
    if (name.empty()) return "--benchmarks=" + value + ": empty workload name";
    if (!IsKnownWorkload(name)) {
      std::string known;
      for (const WorkloadInfo& w : AllWorkloads()) {
        if (!known.empty()) known += ", ";
        known += w.name;
      }
      return "--benchmarks: unknown workload \"" + name + "\" (known: " + known + ")";
    }
    out->push_back(name);
    if (comma == std::string::npos) break;
    begin = comma + 1;
  }
  return {};
}

// Parses a comma-separated engine list ("both", "all" allowed as the whole
// value) into *out.
std::string ParseEngines(const std::string& value, std::vector<std::string>* out) {
  out->clear();
  if (value == "both") {
    *out = {"metakv", "rocksdb"};
    return {};
  }
  if (value == "all") {
    *out = KnownEngines();
    return {};
  }
  if (value.empty()) return "--engine is empty: name at least one engine";
  size_t begin = 0;
  while (true) {
    const size_t comma = value.find(',', begin);
    const std::string name =
        value.substr(begin, comma == std::string::npos ? std::string::npos : comma - begin);
    bool known = false;
    for (const std::string& k : KnownEngines()) known = known || k == name;
    if (!known) {
      return "--engine: unknown engine \"" + name +
             "\" (expected metakv, rocksdb, rocksdb-universal, both or all)";
    }
    for (const std::string& e : *out) {
      if (e == name) return "--engine: engine \"" + name + "\" given twice";
    }
    out->push_back(name);
    if (comma == std::string::npos) break;
    begin = comma + 1;
  }
  return {};
}

// The fields of MixWeights by operation name, in FormatMix's order.
const std::vector<std::pair<const char*, uint64_t MixWeights::*>>& MixFields() {
  static const std::vector<std::pair<const char*, uint64_t MixWeights::*>> kFields = {
      {"stat", &MixWeights::stat},        {"setattr", &MixWeights::setattr},
      {"create", &MixWeights::create},    {"unlink", &MixWeights::unlink},
      {"readdir", &MixWeights::readdir},  {"rename", &MixWeights::rename},
      {"snapshot", &MixWeights::snapshot}};
  return kFields;
}

// Parses "op:weight,op:weight,..." into *out; operations left out weigh 0.
std::string ParseMix(const std::string& value, MixWeights* out) {
  MixWeights w;
  for (const auto& f : MixFields()) w.*(f.second) = 0;
  std::vector<std::string> seen;
  size_t begin = 0;
  while (true) {
    const size_t comma = value.find(',', begin);
    const std::string item =
        value.substr(begin, comma == std::string::npos ? std::string::npos : comma - begin);
    const size_t colon = item.find(':');
    if (colon == std::string::npos) {
      return "--mix=" + value + ": \"" + item + "\" is not operation:weight";
    }
    const std::string op = item.substr(0, colon);
    uint64_t MixWeights::*field = nullptr;
    for (const auto& f : MixFields()) {
      if (op == f.first) field = f.second;
    }
    if (field == nullptr) {
      return "--mix: unknown operation \"" + op +
             "\" (known: stat, setattr, create, unlink, readdir, rename, snapshot)";
    }
    for (const std::string& s : seen) {
      if (s == op) return "--mix: operation \"" + op + "\" given twice";
    }
    seen.push_back(op);
    std::string error = ParseUint("mix", item.substr(colon + 1), 0, 1000000, &(w.*field));
    if (!error.empty()) return error + " (weight of " + op + ")";
    if (comma == std::string::npos) break;
    begin = comma + 1;
  }
  if (w.Total() == 0) return "--mix=" + value + ": every weight is 0";
  *out = w;
  return {};
}

// Parses a decimal number in [min, max] into *out.
std::string ParseDouble(const std::string& flag, const std::string& value, double min, double max,
                        double* out) {
  char* end = nullptr;
  const double v = value.empty() ? 0 : std::strtod(value.c_str(), &end);
  if (value.empty() || end != value.c_str() + value.size() || !std::isfinite(v)) {
    return "--" + flag + "=" + value + ": not a number";
  }
  if (v < min || v > max) {
    return "--" + flag + "=" + value + ": must be between " + std::to_string(min) + " and " +
           std::to_string(max);
  }
  *out = v;
  return {};
}

std::function<std::string(const std::string&, BenchConfig*)> PathSetter(
    std::string name, std::string BenchConfig::*field) {
  return [name, field](const std::string& v, BenchConfig* c) -> std::string {
    if (v.empty()) return "--" + name + ": empty file name";
    c->*field = v;
    return {};
  };
}

struct FlagSpec {
  std::string name;
  std::string value_hint;  // for --help: "N", "BYTES", ...
  std::string help;
  // Default as shown by --help, read from a default BenchConfig.
  std::function<std::string(const BenchConfig&)> show_default;
  // Sets the flag from value; returns an error line or empty.
  std::function<std::string(const std::string& value, BenchConfig*)> set;
};

std::function<std::string(const std::string&, BenchConfig*)> UintSetter(
    std::string name, uint64_t min, uint64_t max, uint64_t BenchConfig::*field) {
  return [name, min, max, field](const std::string& value, BenchConfig* c) {
    return ParseUint(name, value, min, max, &(c->*field));
  };
}

std::function<std::string(const BenchConfig&)> ShowUint(uint64_t BenchConfig::*field) {
  return [field](const BenchConfig& c) { return std::to_string(c.*field); };
}

std::function<std::string(const BenchConfig&)> ShowBytes(uint64_t BenchConfig::*field) {
  return [field](const BenchConfig& c) {
    return std::to_string(c.*field) + " (" + FormatBytes(c.*field) + ")";
  };
}

// A flag whose value names one of choices (name_of gives each one's name):
// sets field, or says what is wrong ("--flag: unknown what \"v\" (expected
// ...)").
template <typename E>
std::function<std::string(const std::string&, BenchConfig*)> ChoiceSetter(
    std::string flag, std::string what, std::vector<E> choices, std::string_view (*name_of)(E),
    E BenchConfig::*field, std::string expected) {
  return [=](const std::string& v, BenchConfig* c) -> std::string {
    for (E x : choices) {
      if (v == name_of(x)) {
        c->*field = x;
        return {};
      }
    }
    return "--" + flag + ": unknown " + what + " \"" + v + "\" (expected " + expected + ")";
  };
}

template <typename E>
std::function<std::string(const BenchConfig&)> ShowChoice(std::string_view (*name_of)(E),
                                                          E BenchConfig::*field) {
  return [=](const BenchConfig& c) { return std::string(name_of(c.*field)); };
}

const std::vector<FlagSpec>& Flags() {
  static const std::vector<FlagSpec> kFlags = {
      {"benchmarks", "W1,W2,...", "workloads to run in order, on one database per engine",
       [](const BenchConfig& c) {
         std::string s;
         for (const auto& b : c.benchmarks) s += (s.empty() ? "" : ",") + b;
         return s;
       },
       [](const std::string& v, BenchConfig* c) { return ParseBenchmarks(v, &c->benchmarks); }},
      {"engine", "E1,E2,...|both|all",
       "engines to run in turn: metakv, rocksdb (stock, leveled), rocksdb-universal (stock, "
       "universal compaction); both = metakv,rocksdb; all = the three",
       [](const BenchConfig& c) {
         std::string s;
         for (const auto& e : c.engines) s += (s.empty() ? "" : ",") + e;
         return s;
       },
       [](const std::string& v, BenchConfig* c) { return ParseEngines(v, &c->engines); }},
      {"num", "N", "key space [0, N); writes per write workload; metamix: files loaded",
       ShowUint(&BenchConfig::num), UintSetter("num", 1, 1000000000000ull, &BenchConfig::num)},
      {"reads", "N", "gets done by readrandom",
       [](const BenchConfig&) { return std::string("--num"); },
       [](const std::string& v, BenchConfig* c) {
         c->reads_set = true;
         return ParseUint("reads", v, 1, 1000000000000ull, &c->reads);
       }},
      {"key_size", "BYTES", "bytes per key, tenant included", ShowUint(&BenchConfig::key_size),
       UintSetter("key_size", 1, 1024, &BenchConfig::key_size)},
      {"value_size", "BYTES", "bytes per value (compressible to about half)",
       ShowUint(&BenchConfig::value_size),
       UintSetter("value_size", 1, kMiB, &BenchConfig::value_size)},
      {"seed", "N", "seed of the key sequences and value bytes", ShowUint(&BenchConfig::seed),
       UintSetter("seed", 0, UINT64_MAX, &BenchConfig::seed)},
      {"db", "DIR", "use DIR/<engine> for each engine (new or empty) and keep them",
       [](const BenchConfig&) { return std::string("a temporary directory, removed afterwards"); },
       [](const std::string& v, BenchConfig* c) -> std::string {
         if (v.empty()) return "--db: empty directory name";
         c->db = v;
         return {};
       }},
      {"metrics_out", "FILE",
       "write metakv's metrics (Prometheus text format) to FILE at the end of its run",
       [](const BenchConfig&) { return std::string("none"); },
       [](const std::string& v, BenchConfig* c) -> std::string {
         if (v.empty()) return "--metrics_out: empty file name";
         c->metrics_out = v;
         return {};
       }},
      {"use_existing_db", "0|1", "open the databases under --db as they are (requires --db)",
       ShowUint(&BenchConfig::use_existing_db),
       UintSetter("use_existing_db", 0, 1, &BenchConfig::use_existing_db)},
      {"memory_budget", "BYTES", "memtables plus block cache, per engine",
       ShowBytes(&BenchConfig::memory_budget),
       UintSetter("memory_budget", kMiB, 1024 * kGiB, &BenchConfig::memory_budget)},
      {"write_buffer_size", "BYTES", "memtable size", ShowBytes(&BenchConfig::write_buffer_size),
       UintSetter("write_buffer_size", 64 * kKiB, 64 * kGiB, &BenchConfig::write_buffer_size)},
      {"target_file_size", "BYTES", "target size of compaction output files",
       ShowBytes(&BenchConfig::target_file_size),
       UintSetter("target_file_size", 64 * kKiB, 64 * kGiB, &BenchConfig::target_file_size)},
      {"max_bytes_for_level_base", "BYTES", "size of L1; each deeper level is 10 times larger",
       ShowBytes(&BenchConfig::max_bytes_for_level_base),
       UintSetter("max_bytes_for_level_base", 64 * kKiB, 1024 * kGiB,
                  &BenchConfig::max_bytes_for_level_base)},
      {"compression", "none|snappy|zstd|default",
       "compression of every level, every engine (default: each engine's own: metakv snappy with "
       "zstd at the bottommost level, RocksDB snappy)",
       ShowChoice(&CompressionChoiceName, &BenchConfig::compression),
       ChoiceSetter<CompressionChoice>("compression", "compression",
                                       {CompressionChoice::kNone, CompressionChoice::kSnappy,
                                        CompressionChoice::kZstd, CompressionChoice::kDefault},
                                       &CompressionChoiceName, &BenchConfig::compression,
                                       "none, snappy, zstd or default")},
      {"tenants", "N",
       "tenants the keys are spread over (key k -> tenant k % N; metamix: Zipf popularity)",
       ShowUint(&BenchConfig::tenants), UintSetter("tenants", 1, 1000000, &BenchConfig::tenants)},
      {"history_group", "N", "records per version-history group (fillhistory)",
       ShowUint(&BenchConfig::history_group),
       UintSetter("history_group", 1, 1000000, &BenchConfig::history_group)},
      {"threads", "N", "threads of each workload but fillhistory, splitting its operations evenly",
       ShowUint(&BenchConfig::threads), UintSetter("threads", 1, 1024, &BenchConfig::threads)},
      {"duration", "SECONDS", "stop each workload's loop after SECONDS (0: no limit)",
       ShowUint(&BenchConfig::duration_seconds),
       UintSetter("duration", 0, 7 * 24 * 3600, &BenchConfig::duration_seconds)},
      {"seek_nexts", "N", "records seekrandom reads after the one it seeks to",
       ShowUint(&BenchConfig::seek_nexts),
       UintSetter("seek_nexts", 0, 1000000, &BenchConfig::seek_nexts)},
      {"mix_ops", "N", "metamix: operations after loading the namespace",
       ShowUint(&BenchConfig::mix_ops),
       UintSetter("mix_ops", 0, 1000000000000ull, &BenchConfig::mix_ops)},
      {"mix", "OP:W,...", "metamix: operation weights (operations left out weigh 0)",
       [](const BenchConfig& c) { return FormatMix(c.mix); },
       [](const std::string& v, BenchConfig* c) { return ParseMix(v, &c->mix); }},
      {"zipf_theta", "X", "metamix: Zipf exponent of tenant popularity and size",
       [](const BenchConfig& c) {
         char buf[32];
         snprintf(buf, sizeof(buf), "%g", c.zipf_theta);
         return std::string(buf);
       },
       [](const std::string& v, BenchConfig* c) {
         return ParseDouble("zipf_theta", v, 0, 10, &c->zipf_theta);
       }},
      {"files_per_dir", "N", "metamix: files per directory at load",
       ShowUint(&BenchConfig::files_per_dir),
       UintSetter("files_per_dir", 1, 1000000, &BenchConfig::files_per_dir)},
      {"inode_extra_bytes", "BYTES", "metamix: inline attribute bytes of every inode record",
       ShowUint(&BenchConfig::inode_extra_bytes),
       UintSetter("inode_extra_bytes", 0, 65536, &BenchConfig::inode_extra_bytes)},
      {"snapshot_group", "N", "metamix: version-history records per snapshot",
       ShowUint(&BenchConfig::snapshot_group),
       UintSetter("snapshot_group", 1, 1000000, &BenchConfig::snapshot_group)},
      {"history_key", "snapshot|inode",
       "metamix: version-history keys, snapshot number then inode (each group after the last) "
       "or inode then snapshot number (a tenant's groups overlap)",
       ShowChoice(&HistoryKeyName, &BenchConfig::history_key),
       ChoiceSetter<HistoryKeyChoice>(
           "history_key", "key order", {HistoryKeyChoice::kSnapshot, HistoryKeyChoice::kInode},
           &HistoryKeyName, &BenchConfig::history_key, "snapshot or inode")},
      {"readdir_limit", "N", "metamix: entries a readdir reads at most",
       ShowUint(&BenchConfig::readdir_limit),
       UintSetter("readdir_limit", 1, 1000000000, &BenchConfig::readdir_limit)},
      {"retention_seconds", "SECONDS",
       "metamix: recycle-bin retention of unlinked records (simulated seconds)",
       ShowUint(&BenchConfig::retention_seconds),
       UintSetter("retention_seconds", 0, 100ull * 365 * 24 * 3600,
                  &BenchConfig::retention_seconds)},
      {"history_ttl_seconds", "SECONDS",
       "version-history TTL (simulated seconds in metamix; 0: no expiry)",
       ShowUint(&BenchConfig::history_ttl_seconds),
       UintSetter("history_ttl_seconds", 0, 100ull * 365 * 24 * 3600,
                  &BenchConfig::history_ttl_seconds)},
      {"ops_per_sim_second", "N",
       "operations per simulated second (the clock retention and TTL are judged by)",
       ShowUint(&BenchConfig::ops_per_sim_second),
       UintSetter("ops_per_sim_second", 1, 1000000000, &BenchConfig::ops_per_sim_second)},
      {"trees_per_tenant", "N", "rmtree, rmtenant: directory trees per tenant",
       ShowUint(&BenchConfig::trees_per_tenant),
       UintSetter("trees_per_tenant", 1, 1000000, &BenchConfig::trees_per_tenant)},
      {"remove_share", "X", "rmtree: the removed tree's share of the files (0 < X < 1)",
       [](const BenchConfig& c) {
         char buf[32];
         snprintf(buf, sizeof(buf), "%g", c.remove_share);
         return std::string(buf);
       },
       [](const std::string& v, BenchConfig* c) {
         std::string error = ParseDouble("remove_share", v, 0.001, 0.999, &c->remove_share);
         return error;
       }},
      {"remove_mode", "logical|hard",
       "rmtree: into the recycle bin, purged after --retention_seconds (logical), or at once",
       ShowChoice(&RemoveModeName, &BenchConfig::remove_mode),
       ChoiceSetter<RemoveModeChoice>(
           "remove_mode", "mode", {RemoveModeChoice::kLogical, RemoveModeChoice::kHard},
           &RemoveModeName, &BenchConfig::remove_mode, "logical or hard")},
      {"remove_tenants", "N", "rmtenant: tenants removed (fewer than --tenants)",
       ShowUint(&BenchConfig::remove_tenants),
       UintSetter("remove_tenants", 1, 1000000, &BenchConfig::remove_tenants)},
      {"probe_ops", "N",
       "rmtree, rmtenant: readdirs and seeks of each read phase (before, removed, purged)",
       ShowUint(&BenchConfig::probe_ops),
       UintSetter("probe_ops", 1, 1000000000, &BenchConfig::probe_ops)},
      {"gone_timeout", "SECONDS",
       "rmtree, rmtenant: wall seconds to wait for the removed bytes to leave the files",
       ShowUint(&BenchConfig::gone_timeout_seconds),
       UintSetter("gone_timeout", 0, 24 * 3600, &BenchConfig::gone_timeout_seconds)},
      {"purge_deadline_seconds", "SECONDS",
       "metakv: Options::purge_deadline_seconds (0: no deadline)",
       ShowUint(&BenchConfig::purge_deadline_seconds),
       UintSetter("purge_deadline_seconds", 0, 31536000, &BenchConfig::purge_deadline_seconds)},
      {"enforce_purge", "0|1",
       "rmtree, rmtenant: call the engine's purge now (metakv: RunMaintenance, purge deadline only) once the "
       "removed records are purgeable (0: leave it to background work)",
       ShowUint(&BenchConfig::enforce_purge),
       UintSetter("enforce_purge", 0, 1, &BenchConfig::enforce_purge)},
      {"stock_delete", "point|range",
       "stock engines' hard tree removal and tenant removal: a point delete per record, or "
       "DeleteRange",
       ShowChoice(&StockDeleteName, &BenchConfig::stock_delete),
       ChoiceSetter<StockDeleteChoice>(
           "stock_delete", "method", {StockDeleteChoice::kPoint, StockDeleteChoice::kRange},
           &StockDeleteName, &BenchConfig::stock_delete, "point or range")},
      {"json", "PATH", "also write every figure to PATH as one JSON object with a runs list",
       [](const BenchConfig&) { return std::string("none"); },
       PathSetter("json", &BenchConfig::json)},
      {"csv", "PATH", "also write throughput and WA of every second to PATH (CSV)",
       [](const BenchConfig&) { return std::string("none"); },
       PathSetter("csv", &BenchConfig::csv)},
      {"plot", "PATH.png", "draw WA and throughput over time of every engine (gnuplot)",
       [](const BenchConfig&) { return std::string("none"); },
       PathSetter("plot", &BenchConfig::plot)},
      {"progress", "0|1", "a progress line on the terminal each second",
       ShowUint(&BenchConfig::progress), UintSetter("progress", 0, 1, &BenchConfig::progress)},
      {"purge", "0|1", "metakv: tombstone filter purges in compaction",
       ShowUint(&BenchConfig::purge), UintSetter("purge", 0, 1, &BenchConfig::purge)},
      {"partition", "0|1", "metakv: tenant partitioner cuts compaction output",
       ShowUint(&BenchConfig::partition), UintSetter("partition", 0, 1, &BenchConfig::partition)},
      {"tenant_shards", "N",
       "metakv: column families each hot domain spreads its tenants over (1: none)",
       ShowUint(&BenchConfig::tenant_shards),
       UintSetter("tenant_shards", 1, 64, &BenchConfig::tenant_shards)},
      {"adaptive_flush", "0|1", "metakv: flush controller sizes memtables and L0 triggers",
       ShowUint(&BenchConfig::adaptive_flush),
       UintSetter("adaptive_flush", 0, 1, &BenchConfig::adaptive_flush)},
      {"flush_controller_interval", "SECONDS", "metakv: seconds between flush controller decisions",
       ShowUint(&BenchConfig::flush_controller_interval),
       UintSetter("flush_controller_interval", 1, 3600, &BenchConfig::flush_controller_interval)},
  };
  return kFlags;
}

}  // namespace

std::string_view CompressionChoiceName(CompressionChoice c) {
  switch (c) {
    case CompressionChoice::kNone:
      return "none";
    case CompressionChoice::kSnappy:
      return "snappy";
    case CompressionChoice::kZstd:
      return "zstd";
    case CompressionChoice::kDefault:
      return "default";
  }
  return "?";
}

Compression ToCompression(CompressionChoice c) {
  switch (c) {
    case CompressionChoice::kNone:
      return Compression::kNone;
    case CompressionChoice::kSnappy:
      return Compression::kSnappy;
    case CompressionChoice::kZstd:
      return Compression::kZstd;
    case CompressionChoice::kDefault:
      break;
  }
  return Compression::kNone;
}

std::string_view HistoryKeyName(HistoryKeyChoice k) {
  return k == HistoryKeyChoice::kInode ? "inode" : "snapshot";
}

const std::vector<Preset>& Presets() {
  // Mix weights that make history a hundredth as frequent as the default's
  // (groups 100 times larger, the same history volume).
  static const std::string kRareSnapshots =
      "--mix=stat:8000,setattr:4000,create:2400,unlink:1600,readdir:2400,rename:1200,snapshot:1";
  static const std::vector<Preset> kPresets = {
      {"default", "make run's benchmark: the flags' defaults", {}},
      {"tenants512",
       "512 tenants, Zipf 1.1: a long tail of small tenants",
       {"--tenants=512", "--zipf_theta=1.1"}},
      {"tight",
       "16 MiB of memory, 1 MiB memtables and files, a 4 MiB L1",
       {"--memory_budget=16777216", "--write_buffer_size=1048576", "--target_file_size=1048576",
        "--max_bytes_for_level_base=4194304"}},
      {"nocompress", "no compression on either engine", {"--compression=none"}},
      {"history1",
       "history keyed by inode then version, one record per group, as often as a setattr",
       {"--history_key=inode", "--snapshot_group=1",
        "--mix=stat:80,setattr:40,create:24,unlink:16,readdir:24,rename:12,snapshot:40"}},
      {"history256",
       "history keyed by inode then version, 256 records per group",
       {"--history_key=inode", "--snapshot_group=256"}},
      {"history20000",
       "history keyed by inode then version, groups of up to 20,000 records, a hundredth as often",
       {"--history_key=inode", "--snapshot_group=20000", kRareSnapshots}},
      {"service",
       "512 tenants (Zipf 1.1), a 12 MiB budget, 4 MiB files, history keyed by inode in groups "
       "of 256",
       {"--tenants=512", "--zipf_theta=1.1", "--memory_budget=12582912", "--history_key=inode",
        "--snapshot_group=256"}},
  };
  return kPresets;
}

std::string_view RemoveModeName(RemoveModeChoice m) {
  return m == RemoveModeChoice::kHard ? "hard" : "logical";
}

std::string_view StockDeleteName(StockDeleteChoice d) {
  return d == StockDeleteChoice::kRange ? "range" : "point";
}

const std::vector<std::string>& KnownEngines() {
  static const std::vector<std::string> kEngines = {"metakv", "rocksdb", "rocksdb-universal"};
  return kEngines;
}

std::string FormatMix(const MixWeights& w) {
  std::string out;
  for (const auto& f : MixFields()) {
    out += (out.empty() ? "" : ",") + std::string(f.first) + ":" + std::to_string(w.*(f.second));
  }
  return out;
}

namespace {

// Sets one "--name=value" argument (or --help) on *config.
std::string ParseOne(const std::string& arg, BenchConfig* config) {
  if (arg == "--help" || arg == "-h") {
    config->help = true;
    return {};
  }
  if (arg.size() < 3 || arg.compare(0, 2, "--") != 0) {
    return "unexpected argument \"" + arg + "\" (flags are --name=value; see --help)";
  }
  const size_t eq = arg.find('=');
  const std::string name = arg.substr(2, eq == std::string::npos ? std::string::npos : eq - 2);
  const FlagSpec* spec = nullptr;
  for (const FlagSpec& f : Flags()) {
    if (f.name == name) spec = &f;
  }
  if (spec == nullptr) return "unknown flag --" + name + " (see --help)";
  if (eq == std::string::npos)
    return "--" + name + " needs a value: --" + name + "=" + spec->value_hint;
  return spec->set(arg.substr(eq + 1), config);
}

constexpr std::string_view kPresetFlag = "--preset=";

}  // namespace

std::string ParseFlags(const std::vector<std::string>& args, BenchConfig* config) {
  // A preset's flags first, so the command line's own flags override them
  // wherever they stand.
  for (const std::string& arg : args) {
    if (arg.compare(0, kPresetFlag.size(), kPresetFlag) != 0) continue;
    const std::string name = arg.substr(kPresetFlag.size());
    if (!config->preset.empty()) return "--preset given twice";
    const Preset* preset = nullptr;
    std::string known;
    for (const Preset& p : Presets()) {
      if (p.name == name) preset = &p;
      known += (known.empty() ? "" : ", ") + p.name;
    }
    if (preset == nullptr)
      return "--preset: unknown preset \"" + name + "\" (known: " + known + ")";
    config->preset = name;
    for (const std::string& f : preset->flags) {
      std::string error = ParseOne(f, config);
      if (!error.empty()) return "--preset=" + name + ": " + error;
    }
  }
  for (const std::string& arg : args) {
    if (arg.compare(0, kPresetFlag.size(), kPresetFlag) == 0) continue;
    std::string error = ParseOne(arg, config);
    if (!error.empty()) return error;
  }
  if (!config->reads_set) config->reads = config->num;
  for (const std::string& b : config->benchmarks) {
    if (b == "rmtenant" && config->remove_tenants >= config->tenants) {
      return "rmtenant: --remove_tenants=" + std::to_string(config->remove_tenants) +
             " must be below --tenants=" + std::to_string(config->tenants);
    }
  }
  if (config->use_existing_db != 0 && config->db.empty()) {
    return "--use_existing_db=1 needs --db=DIR (the databases to open)";
  }
  return CheckKeyLayout(config->key_size, config->tenants, config->num);
}

std::string Usage() {
  std::ostringstream out;
  out << "metakv-bench: db_bench-style workloads on metakv and on stock RocksDB, side by side.\n"
      << "\nUsage: metakv-bench [--name=value ...]\n\nFlags:\n";
  const BenchConfig defaults;
  for (const FlagSpec& f : Flags()) {
    out << "  --" << f.name << "=" << f.value_hint << "\n      " << f.help
        << ". Default: " << f.show_default(defaults) << "\n";
  }
  out << "  --preset=NAME\n      apply a named set of flags first (flags given override it):\n";
  for (const Preset& p : Presets()) {
    out << "        " << p.name << ": " << p.description;
    for (const std::string& f : p.flags) out << " " << f;
    out << "\n";
  }
  out << "  --help\n      print this text and exit\n\nWorkloads:\n";
  for (const WorkloadInfo& w : AllWorkloads())
    out << "  " << w.name << ": " << w.description << "\n";
  out << "\nWA is (flush + compaction + ingest bytes written) / (tenant + key + value bytes "
         "written).\n"
      << "After each write workload both engines flush and wait for compactions to finish\n"
      << "before the bytes are read, so WA counts all the work (not timed in ops/s).\n"
      << "Exit status: 0 success, 1 engine or I/O failure, 2 bad command line.\n";
  return out.str();
}

}  // namespace metakv::bench
