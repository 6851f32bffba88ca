// The cold write path (Store::IngestCold) and whole-file purges of expired
// data (Store::PurgeExpiredFiles).
#include <rocksdb/metadata.h>
#include <rocksdb/sst_file_writer.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <numeric>
#include <set>

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

  if (user_bytes < d->options.ingest_min_bytes) {
    // A small group: one synced batch through the WAL and the memtable.
    WriteBatch batch;
    for (size_t i : order)
      batch.Put(domain, tenant, records[i].key, records[i].value, records[i].ttl_seconds);
    WriteOptions synced;
    synced.sync = true;
    s = Write(synced, batch);
    if (s.ok()) {
      d->counters->buffered_ingests.fetch_add(1, std::memory_order_relaxed);
      d->counters->ingested_records.fetch_add(records.size(), std::memory_order_relaxed);
    }
    return s;
  }

  // Stage the file.
  std::error_code ec;
  fs::create_directories(IngestStagingDir(), ec);
  if (ec) return Status::IOError(IngestStagingDir() + ": " + ec.message());
  const std::string file =
      IngestStagingDir() + "/" + std::to_string(ingest_sequence_.fetch_add(1)) + ".sst";
  auto discard = [&file] {
    std::error_code ignored;
    fs::remove(file, ignored);
  };
  // Write times are given under the removals lock, held to the end, as for
  // every write (a record written under a removed tenant or tree must come
  // out later than the removal).
  std::vector<std::string> encoded_keys;
  encoded_keys.reserve(order.size());
  for (size_t i : order) encoded_keys.push_back(codecs::EncodeKey(tenant, records[i].key));
  std::shared_lock<std::shared_mutex> removals_lock;
  {
    std::vector<std::pair<Domain*, std::string_view>> keys;
    for (const std::string& k : encoded_keys) keys.emplace_back(d, k);
    s = LockRemovalsForWrite(keys, &removals_lock);
    if (!s.ok()) {
      discard();
      return s;
    }
  }
  const rocksdb::Options file_options(db_->GetDBOptions(), ColumnFamilyOptionsFor(*d));
  rocksdb::SstFileWriter writer(rocksdb::EnvOptions(), file_options, d->cf);
  rocksdb::Status rs = writer.Open(file);
  const uint64_t now = Now();
  uint64_t latest_time = now;
  std::string value;
  for (size_t i = 0; rs.ok() && i < order.size(); ++i) {
    const ColdRecord& r = records[order[i]];
    const std::string& key = encoded_keys[i];
    codecs::Record record;
    record.time = WriteTimeFor(d, key, now);
    latest_time = std::max(latest_time, record.time);
    record.expiry = ExpiryFor(d, now, r.ttl_seconds);
    record.payload = r.value;
    value.clear();
    codecs::EncodeRecord(key, record, &value);
    rs = writer.Put(key, value);
  }
  rocksdb::ExternalSstFileInfo info;
  if (rs.ok()) rs = writer.Finish(&info);
  if (rs.ok() && latest_time > now) {  // a stamp ahead of the time Now() covered
    Status covered = ExtendTimeBound(latest_time);
    if (!covered.ok()) {
      discard();
      return covered;
    }
  }
  if (!rs.ok()) {
    discard();
    return FromRocks(rs, "IngestCold: writing " + file);
  }

  // Ingest it holding the domain's gate, so no write's read-modify-write
  // interleaves (writers hold it shared; a cold domain always has one).
  std::unique_lock<std::shared_mutex> gate(*d->ingest_gate);
  // A time-ordered domain keeps every file in level 0, ordered by sequence
  // number, and merges neighbours there. RocksDB gives an ingested file the
  // next sequence number only if it overlaps something (else 0, which sorts
  // it as the oldest), and flushes the memtable first only if the memtable
  // overlaps it: unflushed older entries would then land in a file newer
  // than the ingested one, and a merge of the ingested file with older ones
  // would overlap that flush in sequence numbers (RocksDB's consistency
  // check fails the compaction). So: flush the domain's memtable first (the
  // gate keeps writers out until the ingest is done), and hold a snapshot
  // so the file always gets the next sequence number.
  const rocksdb::Snapshot* seqno_hold = nullptr;
  if (d->TimeOrdered()) {
    if (MemtableEntries(d->cf) != 0) {
      rocksdb::FlushOptions fo;
      fo.wait = true;
      rocksdb::Status fs_status = db_->Flush(fo, d->cf);
      if (!fs_status.ok()) {
        discard();
        return FromRocks(fs_status, "IngestCold: flushing '" + d->options.name + "'");
      }
    }
    seqno_hold = db_->GetSnapshot();
  }
  rocksdb::IngestExternalFileOptions io;
  io.move_files = true;  // a hard link: the file is not written twice
  io.snapshot_consistency = true;
  io.allow_global_seqno = true;
  io.allow_blocking_flush = true;
  // RocksDB 7.8 otherwise rewrites the global sequence number inside the
  // ingested file (a random write and one more sync) only so that RocksDB
  // versions before 5.16 could read it; metakv never opens a database with
  // those.
  io.write_global_seqno = false;
  rs = db_->IngestExternalFile(d->cf, {file}, io);
  if (seqno_hold != nullptr) db_->ReleaseSnapshot(seqno_hold);
  discard();  // the database holds its own link now (or nothing, on failure)
  if (!rs.ok()) return FromRocks(rs, "IngestCold: ingesting into '" + d->options.name + "'");
  NoteWriteTime(latest_time);
  gate.unlock();
  removals_lock.unlock();

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
  Now();  // it purges by the store's time now
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

bool DomainFiles::StatsOf(const rocksdb::SstFileMetaData& f, FileRecordStats* out) const {
  auto it = props.find(f.db_path + f.name);
  return it != props.end() &&
         FileRecordStats::FromProperties(it->second->user_collected_properties, out);
}

bool DomainFiles::MarkersMayShadow(const Domain& d, int level,
                                   const rocksdb::SstFileMetaData& f) const {
  if (!d.TimeOrdered()) return level < last_level;
  return f.db_path + f.name != oldest_l0;
}

Status Store::Impl::ReadDomainFiles(Domain* d, DomainFiles* out) {
  rocksdb::Status rs = db_->GetPropertiesOfAllTables(d->cf, &out->props);
  if (!rs.ok()) return FromRocks(rs, "reading table properties of '" + d->options.name + "'");
  db_->GetColumnFamilyMetaData(d->cf, &out->meta);
  out->last_level = -1;
  for (const auto& level : out->meta.levels) {
    if (!level.files.empty()) out->last_level = level.level;
  }
  out->oldest_l0.clear();
  if (!out->meta.levels.empty() && !out->meta.levels[0].files.empty()) {
    const auto& oldest = out->meta.levels[0].files.back();  // newest first
    out->oldest_l0 = oldest.db_path + oldest.name;
  }
  return Status::OK();
}

Status Store::Impl::PurgeExpiredFilesOf(Domain* d, uint64_t* files) {
  *files = 0;
  if (!d->options.purge_in_compaction) return Status::OK();
  DomainFiles df;
  Status read = ReadDomainFiles(d, &df);
  if (!read.ok()) return read;
  const rocksdb::ColumnFamilyMetaData& meta = df.meta;
  const uint64_t purge_time = PurgeTime();
  const uint64_t retention = d->options.tombstone_retention_seconds;
  // The earliest time a record of the run became purgeable: the deletion
  // markers the compaction leaves count from then (purge deadline).
  uint64_t run_purgeable = FileRecordStats::kNever;
  auto expired = [&](const rocksdb::SstFileMetaData& f) {
    if (f.being_compacted) return false;
    FileRecordStats stats;
    if (!df.StatsOf(f, &stats) || stats.FullPurgeTime(retention) > purge_time) return false;
    run_purgeable = std::min(run_purgeable, stats.EarliestPurgeTime(retention));
    return true;
  };
  // Compacting fully expired files into their own level: the filter drops
  // every record, so the output is empty (or deletion markers where older
  // versions may lie below). Above L0 a level's files are in key order and
  // a compaction's inputs must be contiguous there, so each run of
  // neighbouring expired files goes in one compaction: one manifest write
  // for the run, not one per file (every manifest write costs time in
  // proportion to the files of the column family).
  auto purge = [&](const std::vector<std::string>& run, int level) -> Status {
    if (run.empty()) return Status::OK();
    rocksdb::CompactionOptions co;
    std::vector<std::string> outputs;
    rocksdb::Status r = db_->CompactFiles(co, d->cf, run, level, -1, &outputs);
    const uint64_t since = run_purgeable;
    run_purgeable = FileRecordStats::kNever;
    if (r.IsInvalidArgument() || r.IsAborted() || r.IsBusy()) return Status::OK();  // raced
    if (!r.ok()) return FromRocks(r, "purging " + run.front());
    NoteMarkerFiles(d, outputs, std::min(since, purge_time));
    *files += run.size();
    return Status::OK();
  };
  // A time-ordered domain's oldest files, as long as each is expired or
  // holds deletion markers only: one compaction of them writes nothing, not
  // even markers, since nothing older lies under them (RocksDB counts a
  // level-0 compaction with the oldest file of a one-level column family as
  // bottommost). Expiry follows age there, so this is where files go.
  std::set<std::string> oldest;
  if (d->TimeOrdered() && !meta.levels.empty()) {
    const auto& files = meta.levels[0].files;  // newest first
    std::vector<std::string> run;
    for (size_t i = files.size(); i > 0; --i) {
      const auto& f = files[i - 1];
      FileRecordStats stats;
      const bool markers_only = !f.being_compacted && df.StatsOf(f, &stats) && stats.records == 0 &&
                                stats.undecodable == 0;
      if (!markers_only && !expired(f)) break;
      run.push_back(f.db_path + f.name);
      oldest.insert(run.back());
    }
    Status s = purge(run, 0);
    if (!s.ok()) return s;
  }
  for (const auto& level : meta.levels) {
    std::vector<std::string> run;
    for (const auto& f : level.files) {
      if (oldest.count(f.db_path + f.name) != 0) continue;
      const bool gone = expired(f);
      if (gone) run.push_back(f.db_path + f.name);
      if (!gone || level.level == 0) {  // L0 files overlap: one at a time
        Status s = purge(run, level.level);
        if (!s.ok()) return s;
        run.clear();
      }
    }
    Status s = purge(run, level.level);
    if (!s.ok()) return s;
  }
  return Status::OK();
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

Status Store::Impl::MergeSmallColdFiles(Domain* d, uint64_t* files) {
  *files = 0;
  if (d->options.temperature != Temperature::kCold || !d->options.merge_small_files) {
    return Status::OK();
  }
  rocksdb::ColumnFamilyMetaData meta;
  db_->GetColumnFamilyMetaData(d->cf, &meta);
  const uint64_t target = d->options.target_file_size_bytes;
  const uint64_t small = target / kSmallColdFileDivisor;
  // Merge only what exceeds the budget of small files: merging rewrites
  // bytes (most of which a history TTL expires soon anyway), and up to the
  // budget the files cost manifest writes little.
  uint64_t small_files = 0;
  // Level 0 of a leveled domain is RocksDB's to compact; a time-ordered
  // domain's files all live there.
  const int first_level = d->TimeOrdered() ? 0 : 1;
  for (const auto& level : meta.levels) {
    for (const auto& f : level.files) {
      small_files += level.level >= first_level && f.size < small ? 1 : 0;
    }
  }
  if (small_files <= d->options.small_file_budget) return Status::OK();
  int merges = 0;
  // Leveled: cold ingest puts a file at the deepest level where nothing
  // overlaps it: the last level, or a level above it once a merged file
  // there spans the new file's keys. Each level above L0 is merged within
  // itself (its files are in key order and do not overlap; a run's
  // compaction takes in no file of another level). Time-ordered: a run is
  // files neighbouring in age, merged into one level-0 file (RocksDB's
  // intra-L0 compaction), so files keep to their age and expire together.
  for (const auto& level : meta.levels) {
    if (level.level < first_level) continue;
    std::vector<std::string> run;
    uint64_t run_bytes = 0;
    uint64_t run_largest = 0;
    auto merge = [&]() -> Status {
      // Size-tiered: only a run of many files of about one size merges, so
      // every merge makes a byte's file at least kColdMergeGrowth times
      // larger and a byte is rewritten at most log_growth(divisor * ingest
      // group size / ingest size) times before its file stops being small.
      const bool enough =
          run.size() >= kColdMergeGrowth && run_bytes >= kColdMergeGrowth * run_largest;
      if (enough) {
        rocksdb::CompactionOptions co;
        co.output_file_size_limit = target;
        rocksdb::Status r = db_->CompactFiles(co, d->cf, run, level.level);
        if (!r.ok() && !r.IsInvalidArgument() && !r.IsAborted() && !r.IsBusy()) {
          return FromRocks(r, "merging small files of '" + d->options.name + "'");
        }
        if (r.ok()) {
          *files += run.size();
          small_files -= std::min<uint64_t>(small_files, run.size());
          ++merges;
        }
      }
      run.clear();
      run_bytes = 0;
      run_largest = 0;
      return Status::OK();
    };
    std::string run_tenant;  // encoded tenant prefix of the run's files
    for (const auto& f : level.files) {
      if (merges >= kMaxColdMergesPerPass || small_files <= d->options.small_file_budget) {
        return Status::OK();
      }
      // Above level 0, a run holds one tenant's files only, so merged files
      // never span a tenant boundary: a tenant's next ingest (its keys sort
      // after its earlier ones, as history keys do) still finds a gap at
      // this level instead of landing a level above. Level 0 has no gaps.
      const std::string tenant = level.level == 0 ? std::string() : TenantOfFile(f);
      if (f.being_compacted || f.size >= small || (level.level > 0 && tenant.empty())) {
        Status s = merge();
        if (!s.ok()) return s;
        continue;
      }
      if (!run.empty() && tenant != run_tenant) {
        Status s = merge();
        if (!s.ok()) return s;
      }
      run_tenant = tenant;
      run.push_back(f.db_path + f.name);
      run_bytes += f.size;
      run_largest = std::max<uint64_t>(run_largest, f.size);
      if (run_bytes >= target) {
        Status s = merge();
        if (!s.ok()) return s;
      }
    }
    Status s = merge();
    if (!s.ok()) return s;
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
