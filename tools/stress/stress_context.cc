#include "tools/stress/stress_context.h"

#include "common/format.h"

namespace metakv::stress {

namespace {
constexpr uint64_t kMaxPrinted = 50;
}  // namespace

std::string LaneTenant(uint32_t lane) { return "lane-" + std::to_string(lane); }
std::string LaneKey(uint32_t index) { return "k" + std::to_string(index); }
std::string LaneValue(uint64_t n) { return "lane-put-" + std::to_string(n); }

uint64_t ParseLaneValue(const std::string& value) {
  constexpr std::string_view kPrefix = "lane-put-";
  uint64_t n = 0;
  if (value.compare(0, kPrefix.size(), kPrefix) != 0 ||
      !common::ParseUint64(std::string_view(value).substr(kPrefix.size()), &n)) {
    return 0;
  }
  return n;
}

Options StressStoreOptions(std::shared_ptr<Clock> clock, uint32_t tenant_shards) {
  Options o;
  o.create_if_missing = true;
  o.clock = std::move(clock);
  o.domains = FileSystemDomains();
  DomainOptions lane = o.domains[0];  // inode's kind: hot
  lane.name = std::string(kLaneDomain);
  o.domains.push_back(lane);
  for (auto& d : o.domains) {
    d.write_buffer_bytes = 64 << 10;
    d.min_write_buffer_bytes = 64 << 10;
    d.max_write_buffer_bytes = 256 << 10;
    d.target_file_size_bytes = 32 << 10;
    d.max_bytes_for_level_base = 128 << 10;
    d.level0_compaction_trigger = 2;
    d.block_bytes = 1024;
    if (d.temperature == Temperature::kHot) d.tenant_shards = tenant_shards;
    if (d.name == kInodeDomain) d.tombstone_retention_seconds = kRetentionSeconds[KeySpace::kInode];
    if (d.name == kDentryDomain) {
      d.tombstone_retention_seconds = kRetentionSeconds[KeySpace::kDentry];
    }
    if (d.name == kHistoryDomain) {
      d.tombstone_retention_seconds = kRetentionSeconds[KeySpace::kHistory];
      d.default_ttl_seconds = kHistoryDefaultTtlSeconds;
      d.zstd_dictionary_bytes = 4096;
      // Groups of a few records go through the memtable, larger ones
      // become files: both cold paths run.
      d.ingest_min_bytes = 256;
    }
  }
  o.memory_budget_bytes = 8 << 20;
  o.maintenance_interval_seconds = 1;
  o.flush_controller_interval_seconds = 1;
  o.purge_deadline_seconds = kPurgeDeadlineSeconds;
  return o;
}

void Reporter::Violation(const std::string& line) {
  const uint64_t n = violations_.fetch_add(1) + 1;
  std::lock_guard<std::mutex> lock(mu_);
  if (n <= kMaxPrinted) {
    *err_ << "VIOLATION: " << line << "\n";
  } else if (n == kMaxPrinted + 1) {
    *err_ << "VIOLATION: (further violations are only counted)\n";
  }
  err_->flush();
}

void Reporter::Error(const std::string& line) {
  errors_.fetch_add(1);
  std::lock_guard<std::mutex> lock(mu_);
  *err_ << "ERROR: " << line << "\n";
  err_->flush();
}

}  // namespace metakv::stress
