#include <rocksdb/convenience.h>
#include <rocksdb/filter_policy.h>
#include <rocksdb/table.h>

#include <algorithm>
#include <chrono>
#include <set>
#include <string>

#include "compaction/record_properties.h"
#include "engine/options_check.h"
#include "engine/rocksdb_util.h"
#include "metakv/filesystem.h"

namespace metakv {

namespace {

class RealClock : public Clock {
 public:
  uint64_t NowMicros() const override {
    return static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::microseconds>(
                                     std::chrono::system_clock::now().time_since_epoch())
                                     .count());
  }
};

constexpr uint64_t kMaxIntervalSeconds = 365ull * 24 * 3600;

Status Bad(std::string_view domain, const std::string& what) {
  return Status::InvalidArgument("domain '" + std::string(domain) + "': " + what);
}

bool CompressionSupported(Compression c) {
  if (c == Compression::kNone) return true;
  const auto supported = rocksdb::GetSupportedCompressions();
  return std::find(supported.begin(), supported.end(), ToRocks(c)) != supported.end();
}

Status ValidateDomain(const DomainOptions& d) {
  Status s = ValidateDomainName(d.name);
  if (!s.ok()) return s;
  if (d.write_buffer_bytes < (64u << 10) || d.write_buffer_bytes > (64ull << 30)) {
    return Bad(d.name, "write_buffer_bytes must be between 64 KiB and 64 GiB");
  }
  if (MinWriteBufferBytes(d) < (64u << 10) || MinWriteBufferBytes(d) > d.write_buffer_bytes ||
      d.write_buffer_bytes > MaxWriteBufferBytes(d)) {
    return Bad(d.name,
               "need 64 KiB <= min_write_buffer_bytes <= write_buffer_bytes <= "
               "max_write_buffer_bytes");
  }
  if (d.level0_compaction_trigger < 1 || d.level0_compaction_trigger > 1000) {
    return Bad(d.name, "level0_compaction_trigger must be between 1 and 1000");
  }
  if (d.target_file_size_bytes < (16u << 10)) {
    return Bad(d.name, "target_file_size_bytes must be at least 16 KiB");
  }
  if (d.max_bytes_for_level_base < d.target_file_size_bytes) {
    return Bad(d.name, "max_bytes_for_level_base must be at least target_file_size_bytes");
  }
  if (d.block_bytes < 256 || d.block_bytes > (1u << 20)) {
    return Bad(d.name, "block_bytes must be between 256 and 1 MiB");
  }
  if (d.temperature != Temperature::kHot && d.temperature != Temperature::kCold) {
    return Bad(d.name, "temperature is not a Temperature");
  }
  if (d.cold_layout != ColdLayout::kTimeOrdered && d.cold_layout != ColdLayout::kLeveled) {
    return Bad(d.name, "cold_layout is not a ColdLayout");
  }
  if (d.tenant_shards < 1 || d.tenant_shards > kMaxTenantShards) {
    return Bad(d.name, "tenant_shards must be between 1 and " + std::to_string(kMaxTenantShards));
  }
  if (d.temperature == Temperature::kCold && d.tenant_shards != 1) {
    return Bad(d.name, "tenant_shards must be 1 for a cold domain");
  }
  if (d.bloom_bits_per_key < 0 || d.bloom_bits_per_key > 64) {
    return Bad(d.name, "bloom_bits_per_key must be between 0 and 64");
  }
  if (!(d.partition_min_file_fraction >= 0 && d.partition_min_file_fraction <= 1)) {
    return Bad(d.name, "partition_min_file_fraction must be between 0 and 1");
  }
  if (d.zstd_dictionary_bytes > (1u << 24)) {
    return Bad(d.name, "zstd_dictionary_bytes must be at most 16 MiB");
  }
  for (Compression c : {d.compression, d.bottommost_compression}) {
    if (!CompressionSupported(c)) {
      return Bad(d.name, "compression " + std::string(CompressionName(c)) +
                             " is not supported by this RocksDB build");
    }
  }
  return Status::OK();
}

}  // namespace

uint64_t MinWriteBufferBytes(const DomainOptions& d) {
  return d.min_write_buffer_bytes != 0 ? d.min_write_buffer_bytes : d.write_buffer_bytes;
}

uint64_t MaxWriteBufferBytes(const DomainOptions& d) {
  return d.max_write_buffer_bytes != 0 ? d.max_write_buffer_bytes : 8 * d.write_buffer_bytes;
}

std::shared_ptr<Clock> SystemClock() {
  static const std::shared_ptr<Clock> clock = std::make_shared<RealClock>();
  return clock;
}

std::vector<DomainOptions> FileSystemDomains() {
  std::vector<DomainOptions> domains(3);
  domains[0].name = std::string(kInodeDomain);
  domains[1].name = std::string(kDentryDomain);
  domains[2].name = std::string(kHistoryDomain);
  domains[2].temperature = Temperature::kCold;
  domains[2].default_ttl_seconds = 30 * 24 * 3600;
  // History arrives mostly by cold ingest: a small memtable suffices.
  domains[2].write_buffer_bytes = 16ull << 20;
  domains[2].max_write_buffer_bytes = 64ull << 20;
  return domains;
}

Status ValidateDomainName(std::string_view name) {
  if (name.empty() || name.size() > 64) {
    return Status::InvalidArgument("domain name '" + std::string(name) +
                                   "' must be 1 to 64 characters");
  }
  if (name == "default") {
    return Status::InvalidArgument("domain name 'default' is reserved");
  }
  for (char c : name) {
    const bool ok =
        (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '.' || c == '-';
    if (!ok) {
      return Status::InvalidArgument("domain name '" + std::string(name) +
                                     "' may hold only [a-z0-9_.-]");
    }
  }
  return Status::OK();
}

Status ValidateOptions(const Options& o) {
  if (o.domains.empty()) return Status::InvalidArgument("Options::domains is empty");
  std::set<std::string> seen;
  for (const DomainOptions& d : o.domains) {
    Status s = ValidateDomain(d);
    if (!s.ok()) return s;
    if (!seen.insert(d.name).second) {
      return Status::InvalidArgument("domain '" + d.name + "' is declared twice");
    }
  }
  if (o.memory_budget_bytes < (1u << 20)) {
    return Status::InvalidArgument("memory_budget_bytes must be at least 1 MiB");
  }
  if (!(o.memtable_budget_fraction > 0 && o.memtable_budget_fraction <= 1)) {
    return Status::InvalidArgument("memtable_budget_fraction must be in (0, 1]");
  }
  if (o.max_background_jobs < 1 || o.max_background_jobs > 256) {
    return Status::InvalidArgument("max_background_jobs must be between 1 and 256");
  }
  if (o.max_key_bytes < 1 || o.max_key_bytes > (1u << 20)) {
    return Status::InvalidArgument("max_key_bytes must be between 1 and 1 MiB");
  }
  if (o.max_value_bytes > (1u << 30)) {
    return Status::InvalidArgument("max_value_bytes must be at most 1 GiB");
  }
  if (o.info_log_level < 0 || o.info_log_level > 4) {
    return Status::InvalidArgument("info_log_level must be between 0 and 4");
  }
  // Intervals become std::chrono durations of nanoseconds in the
  // background threads' waits; past a year they would overflow there.
  if (o.maintenance_interval_seconds > kMaxIntervalSeconds) {
    return Status::InvalidArgument("maintenance_interval_seconds must be at most " +
                                   std::to_string(kMaxIntervalSeconds) + " (one year)");
  }
  if (o.flush_controller_interval_seconds > kMaxIntervalSeconds) {
    return Status::InvalidArgument("flush_controller_interval_seconds must be at most " +
                                   std::to_string(kMaxIntervalSeconds) + " (one year)");
  }
  if (o.stats_dump_period_seconds > kMaxIntervalSeconds) {
    return Status::InvalidArgument("stats_dump_period_seconds must be at most " +
                                   std::to_string(kMaxIntervalSeconds) + " (one year)");
  }
  if (static_cast<unsigned>(o.wal_recovery_mode) >
      static_cast<unsigned>(WalRecoveryMode::kSkipAnyCorruptedRecords)) {
    return Status::InvalidArgument("wal_recovery_mode is not a WalRecoveryMode");
  }
  if ((o.read_only || !o.secondary_path.empty()) && (o.create_if_missing || o.error_if_exists)) {
    return Status::InvalidArgument(
        std::string(o.read_only ? "read_only" : "secondary_path") +
        " cannot be combined with create_if_missing or error_if_exists");
  }
  return Status::OK();
}

rocksdb::ColumnFamilyOptions DomainColumnFamilyOptions(
    const DomainOptions& d, const std::shared_ptr<rocksdb::Cache>& cache) {
  rocksdb::ColumnFamilyOptions cf;
  cf.write_buffer_size = d.write_buffer_bytes;
  cf.level0_file_num_compaction_trigger = d.level0_compaction_trigger;
  cf.level0_slowdown_writes_trigger = std::max(20, d.level0_compaction_trigger * 3);
  cf.level0_stop_writes_trigger = std::max(36, d.level0_compaction_trigger * 5);
  cf.target_file_size_base = d.target_file_size_bytes;
  cf.max_bytes_for_level_base = d.max_bytes_for_level_base;
  cf.compression = ToRocks(d.compression);
  cf.bottommost_compression = ToRocks(d.bottommost_compression);
  if (d.zstd_dictionary_bytes > 0 && d.bottommost_compression == Compression::kZstd) {
    cf.bottommost_compression_opts.enabled = true;
    cf.bottommost_compression_opts.max_dict_bytes = d.zstd_dictionary_bytes;
    cf.bottommost_compression_opts.zstd_max_train_bytes = 100 * d.zstd_dictionary_bytes;
  }
  if (d.temperature == Temperature::kCold && d.cold_layout == ColdLayout::kTimeOrdered) {
    // One time-ordered pile of files (level 0 of a one-level column family,
    // universal style, which allows one level), never compacted by size:
    // RocksDB neither compacts nor stalls writes for its file count; the
    // maintenance pass drops expired files and merges small ones.
    cf.compaction_style = rocksdb::kCompactionStyleUniversal;
    cf.num_levels = 1;
    cf.disable_auto_compactions = true;
  } else if (d.temperature == Temperature::kCold && d.default_ttl_seconds > 0) {
    // Ingested files land in the bottommost level and are never compacted
    // again by size; revisit them once their default TTL has passed so the
    // filter purges what expired. (Store turns this off when its
    // maintenance pass, which drops expired files whole, is on.)
    cf.periodic_compaction_seconds = d.default_ttl_seconds;
  }
  rocksdb::BlockBasedTableOptions table;
  table.block_cache = cache;
  cf.table_properties_collector_factories.push_back(
      std::make_shared<RecordPropertiesCollectorFactory>());
  table.block_size = d.block_bytes;
  table.format_version = 5;
  if (d.bloom_bits_per_key > 0) {
    table.filter_policy.reset(rocksdb::NewBloomFilterPolicy(d.bloom_bits_per_key));
  }
  cf.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table));
  return cf;
}

}  // namespace metakv
