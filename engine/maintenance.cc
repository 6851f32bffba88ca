// Maintenance: the periodic pass and its thread, flushes and compactions
// on demand, small-file merging of cold domains and the large-tenant
// refresh.
#include <rocksdb/metadata.h>

#include <algorithm>
#include <chrono>
#include <map>
#include <thread>

#include "codecs/key_codec.h"
#include "compaction/record_properties.h"
#include "engine/rocksdb_util.h"
#include "engine/store_impl.h"

namespace metakv {

void StoreImpl::StartMaintenance() {
  if (options_.stats_dump_period_seconds != 0) {
    stats_dump_.Start(
        options_.stats_dump_period_seconds, [this] { return Now(); }, [this] { DumpStats(); });
  }
  if (options_.maintenance_interval_seconds == 0) return;
  maintenance_.Start(
      options_.maintenance_interval_seconds, [this] { return Now(); },
      [this] { MaintenancePass(); });
}

void StoreImpl::StopMaintenance() {
  stats_dump_.Stop();
  maintenance_.Stop();
}

void StoreImpl::MaintenancePass() {
  if (!db_) return;
  if (!RunMaintenance(MaintenanceOptions(), nullptr).ok()) {
    maintenance_errors_.fetch_add(1, std::memory_order_relaxed);
  }
}

Status StoreImpl::RunMaintenance(const MaintenanceOptions& options, MaintenanceResult* result) {
  Status s = CheckWritable();
  std::vector<Domain*> targets;
  if (s.ok()) s = DomainsNamed(options.domain, &targets);
  if (!s.ok()) return s;
  maintenance_passes_.fetch_add(1, std::memory_order_relaxed);
  MaintenanceResult done;
  Status first;
  auto note = [&first](const Status& part) {
    if (first.ok() && !part.ok()) first = part;
  };
  if (options.drop_purgeable_files) {
    Now();  // it purges by the store's time now
    Status part;
    for (size_t i = 0; part.ok() && i < targets.size(); ++i) {
      uint64_t n = 0;
      part = PurgeExpiredFilesOf(targets[i], &n);
      done.purgeable_files_dropped += n;
    }
    note(part);
  }
  uint64_t min_age = options.purge_min_age_seconds;
  if (options.enforce_purge_deadline && min_age == MaintenanceOptions::kDeadlineDueAge &&
      options_.purge_deadline_seconds != 0) {
    // Files are due at the age that still leaves two gaps between passes
    // before the deadline (compaction/deadline_policy.h).
    std::lock_guard<std::mutex> lock(pass_mu_);
    pass_gaps_.Start(Now());
    min_age = DeadlineDueAge(options_.purge_deadline_seconds, pass_gaps_.MaxGap());
  }
  if (options.enforce_purge_deadline && min_age != MaintenanceOptions::kDeadlineDueAge) {
    note(EnforcePurgeDeadline(min_age, &done.deadline_compactions));
  }
  for (Domain* d : targets) {
    if (options.merge_small_cold_files) {
      uint64_t merged = 0;
      note(MergeSmallColdFiles(d, &merged));
      done.cold_files_merged += merged;
    }
    if (options.refresh_large_tenants) note(RefreshLargeTenants(d));
  }
  if (result != nullptr) *result = done;
  return first;
}

// ---------------------------------------------------------- Maintenance ----

Status StoreImpl::Resume() {
  Status s = CheckWritable();
  if (!s.ok()) return s;
  const rocksdb::Status rs = db_->Resume();
  if (rs.IsBusy()) {
    return Status::Busy("Resume: RocksDB's own recovery from the write error is under way");
  }
  return FromRocks(rs, "Resume");
}

Status StoreImpl::Flush(std::string_view domain) {
  Status s = CheckWritable();
  if (!s.ok()) return s;
  Now();  // compactions it triggers purge by the store's time now
  std::vector<Domain*> targets;
  s = DomainsNamed(domain, &targets);
  if (!s.ok()) return s;
  std::vector<rocksdb::ColumnFamilyHandle*> cfs;
  for (Domain* d : targets) cfs.push_back(d->cf);
  rocksdb::FlushOptions fo;
  fo.wait = true;
  return FromRocks(db_->Flush(fo, cfs), "flush");
}

Status StoreImpl::CompactRange(std::string_view domain, std::string_view tenant) {
  Status s = CheckWritable();
  if (!s.ok()) return s;
  Now();  // it purges by the store's time now
  if (!tenant.empty()) {
    if (domain.empty()) return Status::InvalidArgument("CompactRange: a tenant needs a domain");
    s = codecs::ValidateTenant(tenant);
    if (!s.ok()) return s;
  }
  std::vector<Domain*> targets;
  s = DomainsNamed(domain, &targets);
  if (!s.ok()) return s;
  rocksdb::CompactRangeOptions co;
  co.bottommost_level_compaction = rocksdb::BottommostLevelCompaction::kForce;
  std::string begin, end;
  rocksdb::Slice begin_slice, end_slice;
  if (!tenant.empty()) {
    begin = codecs::EncodeKey(tenant, "");
    end = codecs::TenantUpperBound(tenant);
    begin_slice = begin;
    end_slice = end;
  }
  for (Domain* d : targets) {
    if (!tenant.empty() && d->shard != codecs::TenantShard(tenant, d->shards)) continue;
    rocksdb::Status rs = db_->CompactRange(co, d->cf, tenant.empty() ? nullptr : &begin_slice,
                                           tenant.empty() ? nullptr : &end_slice);
    if (!rs.ok()) return FromRocks(rs, "compacting domain '" + d->options.name + "'");
  }
  return Status::OK();
}

bool StoreImpl::Idle() {
  uint64_t v = 0;
  for (const std::string* p : {&rocksdb::DB::Properties::kNumRunningFlushes,
                               &rocksdb::DB::Properties::kNumRunningCompactions}) {
    if (!db_->GetIntProperty(*p, &v) || v != 0) return false;
  }
  for (const auto& d : domains_) {
    for (const std::string* p : {&rocksdb::DB::Properties::kMemTableFlushPending,
                                 &rocksdb::DB::Properties::kCompactionPending}) {
      // RocksDB still scores a time-ordered domain's files as if it would
      // compact them; it never does (only the maintenance pass does).
      if (p == &rocksdb::DB::Properties::kCompactionPending && d.TimeOrdered()) continue;
      if (!db_->GetIntProperty(d.cf, *p, &v) || v != 0) return false;
    }
  }
  return true;
}

Status StoreImpl::WaitForBackgroundWork(uint64_t timeout_ms) {
  Status s = CheckOpen();
  if (!s.ok()) return s;
  const auto start = std::chrono::steady_clock::now();
  int idle_in_a_row = 0;
  while (true) {
    idle_in_a_row = Idle() ? idle_in_a_row + 1 : 0;
    if (idle_in_a_row >= 2) return Status::OK();
    const auto waited = std::chrono::duration_cast<std::chrono::milliseconds>(
        std::chrono::steady_clock::now() - start);
    if (timeout_ms != 0 && static_cast<uint64_t>(waited.count()) >= timeout_ms) {
      return Status::Busy("background work still running after " + std::to_string(timeout_ms) +
                          " ms");
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
}

namespace {

// The encoded tenant prefix of a file holding one tenant's records only;
// empty if it holds several (or its keys do not decode).
std::string TenantOfFile(const rocksdb::SstFileMetaData& f) {
  size_t a = 0, b = 0;
  if (!codecs::TenantPrefixLength(f.smallestkey, &a).ok() ||
      !codecs::TenantPrefixLength(f.largestkey, &b).ok() || a != b ||
      f.smallestkey.compare(0, a, f.largestkey, 0, b) != 0) {
    return {};
  }
  return f.smallestkey.substr(0, a);
}

}  // namespace

Status StoreImpl::MergeSmallColdFiles(Domain* d, uint64_t* files) {
  *files = 0;
  if (d->options.temperature != Temperature::kCold || !d->options.merge_small_files) {
    return Status::OK();
  }
  rocksdb::ColumnFamilyMetaData meta;
  db_->GetColumnFamilyMetaData(d->cf, &meta);
  ColdMerges merges;
  merges.small = d->options.target_file_size_bytes / kSmallColdFileDivisor;
  // Level 0 of a leveled domain is RocksDB's to compact; a time-ordered
  // domain's files all live there.
  const int first_level = d->TimeOrdered() ? 0 : 1;
  for (const auto& level : meta.levels) {
    for (const auto& f : level.files) {
      merges.small_files += level.level >= first_level && f.size < merges.small ? 1 : 0;
    }
  }
  // Leveled: cold ingest puts a file at the deepest level where nothing
  // overlaps it: the last level, or a level above it once a merged file
  // there spans the new file's keys. Each level above L0 is merged within
  // itself (its files are in key order and do not overlap; a run's
  // compaction takes in no file of another level). Time-ordered: a run is
  // files neighbouring in age, merged into one level-0 file (RocksDB's
  // intra-L0 compaction), so files keep to their age and expire together.
  for (const auto& level : meta.levels) {
    if (level.level < first_level) continue;
    Status s = MergeSmallFilesOfLevel(d, level, &merges);
    *files += merges.merged_files;
    merges.merged_files = 0;
    if (!s.ok() || merges.Done(*d)) return s;
  }
  return Status::OK();
}

Status StoreImpl::MergeSmallFilesOfLevel(Domain* d, const rocksdb::LevelMetaData& level,
                                         ColdMerges* merges) {
  ColdMerges::Run run;
  for (const auto& f : level.files) {
    // Merge only what exceeds the budget of small files: merging rewrites
    // bytes (most of which a history TTL expires soon anyway), and up to
    // the budget the files cost manifest writes little.
    if (merges->Done(*d)) return Status::OK();
    // Above level 0, a run holds one tenant's files only, so merged files
    // never span a tenant boundary: a tenant's next ingest (its keys sort
    // after its earlier ones, as history keys do) still finds a gap at
    // this level instead of landing a level above. Level 0 has no gaps.
    const std::string tenant = level.level == 0 ? std::string() : TenantOfFile(f);
    if (f.being_compacted || f.size >= merges->small || (level.level > 0 && tenant.empty())) {
      Status s = MergeRun(d, level.level, &run, merges);
      if (!s.ok()) return s;
      continue;
    }
    if (!run.files.empty() && tenant != run.tenant) {
      Status s = MergeRun(d, level.level, &run, merges);
      if (!s.ok()) return s;
    }
    run.tenant = tenant;
    run.files.push_back(f.db_path + f.name);
    run.bytes += f.size;
    run.largest = std::max<uint64_t>(run.largest, f.size);
    if (run.bytes >= d->options.target_file_size_bytes) {
      Status s = MergeRun(d, level.level, &run, merges);
      if (!s.ok()) return s;
    }
  }
  return MergeRun(d, level.level, &run, merges);
}

Status StoreImpl::MergeRun(Domain* d, int level, ColdMerges::Run* run, ColdMerges* merges) {
  // Size-tiered: only a run of many files of about one size merges, so
  // every merge makes a byte's file at least kColdMergeGrowth times larger
  // and a byte is rewritten at most log_growth(divisor * ingest group size
  // / ingest size) times before its file stops being small.
  const bool enough =
      run->files.size() >= kColdMergeGrowth && run->bytes >= kColdMergeGrowth * run->largest;
  Status s;
  if (enough) {
    rocksdb::CompactionOptions co;
    co.output_file_size_limit = d->options.target_file_size_bytes;
    rocksdb::Status r = db_->CompactFiles(co, d->cf, run->files, level);
    if (!r.ok() && !r.IsInvalidArgument() && !r.IsAborted() && !r.IsBusy()) {
      s = FromRocks(r, "merging small files of '" + d->options.name + "'");
    }
    if (r.ok()) {
      merges->merged_files += run->files.size();
      merges->small_files -= std::min<uint64_t>(merges->small_files, run->files.size());
      ++merges->merges;
    }
  }
  *run = ColdMerges::Run();
  return s;
}

Status StoreImpl::RefreshLargeTenants(Domain* d) {
  if (!d->partitioner) return Status::OK();
  rocksdb::TablePropertiesCollection props;
  rocksdb::Status rs = db_->GetPropertiesOfAllTables(d->cf, &props);
  if (!rs.ok()) return FromRocks(rs, "reading table properties of '" + d->options.name + "'");
  std::map<std::string, uint64_t, std::less<>> bytes;
  for (const auto& [name, p] : props) {
    FileRecordStats stats;
    if (!FileRecordStats::FromProperties(p->user_collected_properties, &stats)) continue;
    for (const auto& [prefix, n] : stats.tenant_bytes) bytes[prefix] += n;
  }
  const uint64_t threshold = d->options.large_tenant_bytes != 0 ? d->options.large_tenant_bytes
                                                                : d->options.target_file_size_bytes;
  auto large = std::make_shared<TenantSet>();
  for (const auto& [prefix, n] : bytes) {
    if (n >= threshold) large->insert(prefix);
  }
  d->partitioner->SetLargeTenants(std::move(large));
  return Status::OK();
}

}  // namespace metakv
