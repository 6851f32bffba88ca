// The cold write path (Store::IngestCold) and whole-file purges of expired
// data (Store::PurgeExpiredFiles).
#include <rocksdb/metadata.h>
#include <rocksdb/sst_file_writer.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <numeric>

#include "codecs/coding.h"
#include "codecs/key_codec.h"
#include "compaction/record_properties.h"
#include "engine/rocksdb_util.h"
#include "engine/store_impl.h"

namespace metakv {

namespace fs = std::filesystem;

void Store::Impl::CleanIngestStaging() {
  std::error_code ec;
  fs::remove_all(IngestStagingDir(), ec);  // best effort: only staging files live there
}

Status Store::Impl::IngestCold(std::string_view domain, std::string_view tenant,
                               const std::vector<ColdRecord>& records) {
  Status s = CheckWritable();
  Domain* d = nullptr;
  if (s.ok()) s = FindDomain(domain, &d);
  if (!s.ok()) return s;
  if (d->options.temperature != Temperature::kCold) {
    return Status::InvalidArgument("IngestCold: domain '" + d->options.name +
                                   "' is hot; cold ingest needs a cold domain");
  }
  if (records.empty()) return Status::InvalidArgument("IngestCold: no records");
  s = codecs::ValidateTenant(tenant);
  if (!s.ok()) return s;
  uint64_t user_bytes = 0;
  for (const auto& r : records) {
    s = CheckKey(tenant, r.key);
    if (s.ok()) s = CheckValue(r.value);
    if (!s.ok()) return s;
    user_bytes += tenant.size() + r.key.size() + r.value.size();
  }
  std::vector<size_t> order(records.size());
  std::iota(order.begin(), order.end(), 0);
  std::sort(order.begin(), order.end(),
            [&](size_t a, size_t b) { return records[a].key < records[b].key; });
  for (size_t i = 1; i < order.size(); ++i) {
    if (records[order[i]].key == records[order[i - 1]].key) {
      return Status::InvalidArgument("IngestCold: duplicate key '" +
                                     codecs::PrintableHead(records[order[i]].key) + "'");
    }
  }

  // Stage the file.
  std::error_code ec;
  fs::create_directories(IngestStagingDir(), ec);
  if (ec) return Status::IOError(IngestStagingDir() + ": " + ec.message());
  const std::string file = IngestStagingDir() + "/" +
                           std::to_string(ingest_sequence_.fetch_add(1)) + ".sst";
  auto discard = [&file] {
    std::error_code ignored;
    fs::remove(file, ignored);
  };
  const rocksdb::Options file_options(db_->GetDBOptions(), ColumnFamilyOptionsFor(*d));
  rocksdb::SstFileWriter writer(rocksdb::EnvOptions(), file_options, d->cf);
  rocksdb::Status rs = writer.Open(file);
  const uint64_t now = clock_->NowSeconds();
  std::string key, value;
  for (size_t i = 0; rs.ok() && i < order.size(); ++i) {
    const ColdRecord& r = records[order[i]];
    key.clear();
    codecs::AppendKey(tenant, r.key, &key);
    codecs::Record record;
    record.time = now;
    record.expiry = ExpiryFor(d, now, r.ttl_seconds);
    record.payload = r.value;
    value.clear();
    codecs::EncodeRecord(key, record, &value);
    rs = writer.Put(key, value);
  }
  rocksdb::ExternalSstFileInfo info;
  if (rs.ok()) rs = writer.Finish(&info);
  if (!rs.ok()) {
    discard();
    return FromRocks(rs, "IngestCold: writing " + file);
  }

  // Ingest it holding the domain's gate, so no write's read-modify-write
  // interleaves (writers hold it shared; a cold domain always has one).
  std::unique_lock<std::shared_mutex> gate(*d->ingest_gate);
  rocksdb::IngestExternalFileOptions io;
  io.move_files = true;  // a hard link: the file is not written twice
  io.snapshot_consistency = true;
  io.allow_global_seqno = true;
  io.allow_blocking_flush = true;
  rs = db_->IngestExternalFile(d->cf, {file}, io);
  discard();  // the database holds its own link now (or nothing, on failure)
  if (!rs.ok()) return FromRocks(rs, "IngestCold: ingesting into '" + d->options.name + "'");

  d->counters->user_bytes.fetch_add(user_bytes, std::memory_order_relaxed);
  d->counters->ingest_user_bytes.fetch_add(user_bytes, std::memory_order_relaxed);
  d->counters->ingested_records.fetch_add(records.size(), std::memory_order_relaxed);
  d->counters->ingest_bytes.fetch_add(info.file_size, std::memory_order_relaxed);
  d->counters->tenants.AddUser(tenant, user_bytes);
  d->counters->tenants.AddEngineBytes(tenant, TenantLedger::Reason::kIngest, info.file_size);
  return Status::OK();
}

Status Store::Impl::PurgeExpiredFiles(std::string_view domain, uint64_t* files) {
  Status s = CheckWritable();
  if (!s.ok()) return s;
  uint64_t total = 0;
  if (domain.empty()) {
    for (auto& d : domains_) {
      uint64_t n = 0;
      s = PurgeExpiredFilesOf(&d, &n);
      total += n;
      if (!s.ok()) break;
    }
  } else {
    Domain* d = nullptr;
    s = FindDomain(domain, &d);
    if (s.ok()) s = PurgeExpiredFilesOf(d, &total);
  }
  if (files != nullptr) *files = total;
  return s;
}

Status Store::Impl::PurgeExpiredFilesOf(Domain* d, uint64_t* files) {
  *files = 0;
  if (!d->options.purge_in_compaction) return Status::OK();
  rocksdb::TablePropertiesCollection props;
  rocksdb::Status rs = db_->GetPropertiesOfAllTables(d->cf, &props);
  if (!rs.ok()) return FromRocks(rs, "reading table properties of '" + d->options.name + "'");
  rocksdb::ColumnFamilyMetaData meta;
  db_->GetColumnFamilyMetaData(d->cf, &meta);
  const uint64_t purge_time = PurgeTime();
  const uint64_t retention = d->options.tombstone_retention_seconds;
  for (const auto& level : meta.levels) {
    for (const auto& f : level.files) {
      if (f.being_compacted) continue;
      auto it = props.find(f.db_path + f.name);
      if (it == props.end()) continue;
      FileRecordStats stats;
      if (!FileRecordStats::FromProperties(it->second->user_collected_properties, &stats)) {
        continue;
      }
      if (stats.FullPurgeTime(retention) > purge_time) continue;
      // Compacting the file alone into its own level: the filter drops every
      // record, so the output is empty (or deletion markers where older
      // versions may lie below).
      rocksdb::CompactionOptions co;
      rs = db_->CompactFiles(co, d->cf, {f.db_path + f.name}, level.level);
      if (rs.IsInvalidArgument() || rs.IsAborted() || rs.IsBusy()) continue;  // raced
      if (!rs.ok()) return FromRocks(rs, "purging " + f.name);
      ++*files;
    }
  }
  return Status::OK();
}

Status Store::Impl::RefreshLargeTenants(Domain* d) {
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
  const uint64_t threshold = d->options.large_tenant_bytes != 0
                                 ? d->options.large_tenant_bytes
                                 : d->options.target_file_size_bytes;
  auto large = std::make_shared<TenantSet>();
  for (const auto& [prefix, n] : bytes) {
    if (n >= threshold) large->insert(prefix);
  }
  d->partitioner->SetLargeTenants(std::move(large));
  return Status::OK();
}

}  // namespace metakv
