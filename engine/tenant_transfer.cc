// Replication support: the applied index (WriteOptions::applied_index,
// Store::GetAppliedIndex) and tenant export and import (Store::ExportTenant,
// Store::ImportTenant). docs/scale-out.md describes how a service uses them.
//
// An export directory holds one SST file per domain with records of the
// tenant ("d<i>.sst": encoded keys and stored record encodings, exactly as
// the store holds them) and a manifest, written last ("MANIFEST-TENANT"):
//   magic, varint version, varint tenant length, tenant, varint export
//   time, varint newest time, varint file count, then per file: varint
//   domain name length, name, u8 temperature, varint file name length,
//   name, varint records, varint bytes; varint removal count, then per
//   removal: varint key length, key, varint value length, value (a Removal
//   whose ranges name domains, not column families); then varint XXH3 of
//   every byte before it.
// An import checks all of it, and every record of every file, before it
// changes anything.
#include <rocksdb/file_system.h>
#include <rocksdb/sst_file_reader.h>
#include <rocksdb/sst_file_writer.h>
#include <rocksdb/write_batch.h>
#include <xxhash.h>

#include <algorithm>
#include <filesystem>
#include <map>

#include "codecs/coding.h"
#include "codecs/key_codec.h"
#include "compaction/record_rules.h"
#include "engine/creation_marker.h"
#include "engine/rocksdb_util.h"
#include "engine/store_impl.h"

namespace metakv {
namespace {

constexpr std::string_view kAppliedIndexKey = "metakv.applied-index";
constexpr std::string_view kManifestName = "MANIFEST-TENANT";
constexpr std::string_view kManifestMagic = "metakv-tenant-export\n";
constexpr uint64_t kManifestVersion = 1;
// How far an export's times may run ahead of the importing store's clock.
constexpr uint64_t kMaxClockLeadSeconds = 3600;

std::string EncodeAppliedIndex(const AppliedIndex& a) {
  std::string v;
  codecs::PutVarint64(&v, a.term);
  codecs::PutVarint64(&v, a.index);
  return v;
}

// A raw iterator over every stored record of a tenant in one column family
// (at a snapshot if given), positioned at the first.
class TenantScan {
 public:
  TenantScan(rocksdb::DB* db, rocksdb::ColumnFamilyHandle* cf, std::string_view tenant,
             const rocksdb::Snapshot* snapshot = nullptr)
      : end_(codecs::TenantUpperBound(tenant)), upper_(end_) {
    std::string begin;
    codecs::AppendTenantPrefix(tenant, &begin);
    rocksdb::ReadOptions ro;
    ro.snapshot = snapshot;
    ro.iterate_upper_bound = &upper_;
    it_.reset(db->NewIterator(ro, cf));
    it_->Seek(begin);
  }
  TenantScan(const TenantScan&) = delete;
  TenantScan& operator=(const TenantScan&) = delete;
  rocksdb::Iterator* operator->() const { return it_.get(); }

 private:
  const std::string end_;
  const rocksdb::Slice upper_;  // points into end_
  std::unique_ptr<rocksdb::Iterator> it_;
};

struct ExportedFile {
  std::string domain;
  Temperature temperature = Temperature::kHot;
  std::string name;
  uint64_t records = 0;
  uint64_t bytes = 0;
};

struct ExportManifest {
  std::string tenant;
  uint64_t export_time = 0;
  uint64_t newest_time = 0;
  std::vector<ExportedFile> files;
  std::vector<Removal> removals;  // ranges name domains

  std::string Encode() const {
    std::string out(kManifestMagic);
    codecs::PutVarint64(&out, kManifestVersion);
    codecs::PutLengthPrefixed(&out, tenant);
    codecs::PutVarint64(&out, export_time);
    codecs::PutVarint64(&out, newest_time);
    codecs::PutVarint64(&out, files.size());
    for (const ExportedFile& f : files) {
      codecs::PutLengthPrefixed(&out, f.domain);
      out.push_back(static_cast<char>(f.temperature));
      codecs::PutLengthPrefixed(&out, f.name);
      codecs::PutVarint64(&out, f.records);
      codecs::PutVarint64(&out, f.bytes);
    }
    codecs::PutVarint64(&out, removals.size());
    for (const Removal& r : removals) {
      codecs::PutLengthPrefixed(&out, r.Key());
      codecs::PutLengthPrefixed(&out, r.Encode());
    }
    codecs::PutVarint64(&out, XXH3_64bits(out.data(), out.size()));
    return out;
  }

  Status Decode(std::string_view in, const std::string& where) {
    const Status bad = Status::Corruption(where + ": damaged tenant export manifest");
    if (in.substr(0, kManifestMagic.size()) != kManifestMagic) {
      return Status::InvalidArgument(where + " is not a metakv tenant export manifest");
    }
    // The checksum is the last varint: find where it starts by decoding
    // the body, then check it.
    const std::string_view all = in;
    in.remove_prefix(kManifestMagic.size());
    uint64_t version = 0, n = 0;
    std::string_view bytes;
    if (!codecs::GetVarint64(&in, &version)) return bad;
    if (version != kManifestVersion) {
      return Status::NotSupported(where + ": tenant export version " + std::to_string(version) +
                                  " (this metakv reads version 1)");
    }
    if (!codecs::GetLengthPrefixed(&in, &bytes)) return bad;
    tenant.assign(bytes);
    if (!codecs::GetVarint64(&in, &export_time) || !codecs::GetVarint64(&in, &newest_time) ||
        !codecs::GetVarint64(&in, &n) || n > in.size()) {
      return bad;
    }
    files.resize(n);
    for (ExportedFile& f : files) {
      if (!codecs::GetLengthPrefixed(&in, &bytes) || in.empty()) return bad;
      f.domain.assign(bytes);
      const auto t = static_cast<unsigned char>(in[0]);
      in.remove_prefix(1);
      if (t > static_cast<unsigned char>(Temperature::kCold)) return bad;
      f.temperature = static_cast<Temperature>(t);
      if (!codecs::GetLengthPrefixed(&in, &bytes)) return bad;
      f.name.assign(bytes);
      if (f.name.empty() || f.name.find('/') != std::string::npos || f.name[0] == '.') return bad;
      if (!codecs::GetVarint64(&in, &f.records) || !codecs::GetVarint64(&in, &f.bytes)) return bad;
    }
    if (!codecs::GetVarint64(&in, &n) || n > in.size()) return bad;
    removals.resize(n);
    for (Removal& r : removals) {
      std::string_view key, value;
      if (!codecs::GetLengthPrefixed(&in, &key) || !codecs::GetLengthPrefixed(&in, &value)) return bad;
      Status s = Removal::Decode(key, value, &r);
      if (!s.ok()) return Status::Corruption(where + ": " + s.message());
      if (r.tenant != tenant) return bad;
    }
    const size_t body = all.size() - in.size();
    uint64_t sum = 0;
    if (!codecs::GetVarint64(&in, &sum) || !in.empty() ||
        sum != XXH3_64bits(all.data(), body)) {
      return bad;
    }
    return codecs::ValidateTenant(tenant);
  }
};

}  // namespace

// --------------------------------------------------------- Applied index ----

rocksdb::Status StoreImpl::AddAppliedIndex(const WriteOptions& wo, rocksdb::WriteBatch* wb) {
  if (wo.applied_index.index == 0) return rocksdb::Status::OK();
  return wb->Put(default_cf_, kAppliedIndexKey, EncodeAppliedIndex(wo.applied_index));
}

Status StoreImpl::GetAppliedIndex(AppliedIndex* out) {
  Status s = CheckOpen();
  if (s.ok() && out == nullptr) s = Status::InvalidArgument("GetAppliedIndex: out is null");
  if (!s.ok()) return s;
  std::shared_lock<std::shared_mutex> view = HoldSecondaryView();
  std::string value;
  rocksdb::Status rs = db_->Get(rocksdb::ReadOptions(), default_cf_, kAppliedIndexKey, &value);
  *out = AppliedIndex{};
  if (rs.IsNotFound()) return Status::OK();
  if (!rs.ok()) return FromRocks(rs, "reading the applied index");
  std::string_view in = value;
  if (!codecs::GetVarint64(&in, &out->term) || !codecs::GetVarint64(&in, &out->index) ||
      !in.empty()) {
    *out = AppliedIndex{};
    return Status::Corruption(path_ + ": bad applied index record");
  }
  return Status::OK();
}

// ---------------------------------------------------------------- Export ----

Status StoreImpl::ExportTenant(std::string_view tenant_view, std::string_view dir_view,
                               TenantFiles* info) {
  Status s = CheckOpen();
  if (s.ok()) s = codecs::ValidateTenant(tenant_view);
  if (!s.ok()) return s;
  const std::string tenant(tenant_view), dir(dir_view);
  if (dir.empty()) return Status::InvalidArgument("ExportTenant: empty directory");
  const rocksdb::IOOptions io;
  if (file_system_->FileExists(dir, io, nullptr).ok()) {
    return Status::InvalidArgument(dir + ": ExportTenant needs a directory that does not exist");
  }
  s = FromRocks(file_system_->CreateDir(dir, io, nullptr), dir + ": creating the export");
  if (!s.ok()) return s;

  std::shared_lock<std::shared_mutex> view = HoldSecondaryView();
  // One moment: the RocksDB snapshot and the removals, taken together
  // under the removals lock (a removal's record and its publication happen
  // under it exclusively).
  ExportManifest m;
  m.tenant = tenant;
  std::shared_ptr<const RemovalSet> removals;
  std::map<uint64_t, Removal> pending;
  const rocksdb::Snapshot* snap = nullptr;
  {
    std::shared_lock<std::shared_mutex> lock = removals_.LockSharedNow();
    snap = db_->GetSnapshot();
    removals = CurrentRemovals();
    for (const auto& [id, r] : removals_.pending()) {
      if (r.tenant == tenant) pending.emplace(id, r);
    }
  }
  const uint64_t now = Now();
  m.export_time = now;
  m.newest_time = now;
  // The logical removals in retention travel (their ranges renamed to
  // domains); records of any other removal are gone and stay behind.
  for (auto& [id, r] : pending) {
    if (!r.logical || now >= r.purge_time) continue;
    Removal out = r;
    for (auto& range : out.ranges) range.first = std::string(DomainOfColumnFamily(range.first));
    m.removals.push_back(std::move(out));
  }
  const auto travels = [&](const RemovalSet::Entry* hiding) {
    if (hiding == nullptr) return true;
    auto it = pending.find(hiding->id);
    return it != pending.end() && it->second.logical && now < it->second.purge_time;
  };

  for (const DomainOptions& dopts : options_.domains) {
    Domain* d = nullptr;
    s = FindShard(dopts.name, tenant, &d);
    if (!s.ok()) break;
    ExportedFile f;
    f.domain = dopts.name;
    f.temperature = dopts.temperature;
    f.name = "d" + std::to_string(m.files.size()) + ".sst";
    const std::string file = dir + "/" + f.name;
    // No column family named: the file may be ingested into any.
    const rocksdb::Options file_options(db_->GetDBOptions(), ColumnFamilyOptionsFor(*d));
    rocksdb::SstFileWriter writer(rocksdb::EnvOptions(), file_options);
    bool opened = false;
    const TenantScan it(db_.get(), d->cf, tenant, snap);
    rocksdb::Status rs;
    for (; rs.ok() && it->Valid(); it->Next()) {
      const std::string_view key(it->key().data(), it->key().size());
      const std::string_view value(it->value().data(), it->value().size());
      codecs::Record record;
      s = codecs::DecodeRecord(key, value, &record);
      if (!s.ok()) break;
      const RemovalSet::Entry* hiding = nullptr;
      VisibilityOf(record, now, removals.get(), IndexOf(d), key, &hiding);
      if (!travels(hiding)) continue;
      if (!opened) {
        rs = writer.Open(file);
        opened = true;
      }
      if (rs.ok()) rs = writer.Put(it->key(), it->value());
      ++f.records;
      m.newest_time = std::max(m.newest_time, record.time);
    }
    if (s.ok() && rs.ok()) rs = it->status();
    if (s.ok() && rs.ok() && opened) {
      rocksdb::ExternalSstFileInfo sst;
      rs = writer.Finish(&sst);
      f.bytes = sst.file_size;
    }
    if (s.ok()) s = FromRocks(rs, file);
    if (!s.ok()) break;
    if (opened) m.files.push_back(std::move(f));
  }
  db_->ReleaseSnapshot(snap);
  // The manifest last, synced, then the directory: an export cut short
  // has no manifest, and an import refuses it.
  if (s.ok()) {
    const std::string manifest = m.Encode();
    s = FromRocks(rocksdb::WriteStringToFile(file_system_.get(), manifest,
                                             dir + "/" + std::string(kManifestName),
                                             /*should_sync=*/true),
                  dir + ": writing the manifest");
  }
  if (s.ok()) s = SyncDirectory(file_system_.get(), dir);
  if (!s.ok()) return s;
  if (info != nullptr) {
    *info = TenantFiles{};
    info->tenant = tenant;
    info->files = m.files.size();
    for (const ExportedFile& f : m.files) {
      info->records += f.records;
      info->bytes += f.bytes;
    }
    info->removals = m.removals.size();
  }
  return Status::OK();
}

// ---------------------------------------------------------------- Import ----

namespace {

// Checks one exported file: every key is the tenant's, every value a
// record, the count as the manifest says; *newest gets the newest time.
Status CheckExportedFile(const rocksdb::Options& options, const std::string& file,
                         const std::string& tenant, uint64_t records, uint64_t* newest) {
  rocksdb::SstFileReader reader(options);
  rocksdb::Status rs = reader.Open(file);
  if (rs.ok()) rs = reader.VerifyChecksum();
  if (!rs.ok()) return FromRocks(rs, file);
  rocksdb::ReadOptions ro;
  std::unique_ptr<rocksdb::Iterator> it(reader.NewIterator(ro));
  uint64_t n = 0;
  std::string key_tenant;
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    const std::string_view key(it->key().data(), it->key().size());
    std::string_view user_key;
    Status s = codecs::DecodeKey(key, &key_tenant, &user_key);
    if (s.ok() && key_tenant != tenant) {
      s = Status::Corruption("a record of another tenant ('" + codecs::PrintableHead(key_tenant) +
                             "')");
    }
    codecs::Record record;
    if (s.ok()) s = codecs::DecodeRecord(key, std::string_view(it->value().data(), it->value().size()), &record);
    if (!s.ok()) return Status::Corruption(file + ": " + s.message());
    *newest = std::max(*newest, record.time);
    ++n;
  }
  if (!it->status().ok()) return FromRocks(it->status(), file);
  if (n != records) {
    return Status::Corruption(file + ": " + std::to_string(n) + " records, the manifest says " +
                              std::to_string(records));
  }
  return Status::OK();
}

}  // namespace

Status StoreImpl::ImportTenant(std::string_view dir_view, const ImportOptions& options,
                               TenantFiles* info) {
  Status s = CheckWritable();
  if (!s.ok()) return s;
  const std::string dir(dir_view);
  if (dir.empty()) return Status::InvalidArgument("ImportTenant: empty directory");
  const std::string manifest_path = dir + "/" + std::string(kManifestName);
  const rocksdb::IOOptions io;
  if (!file_system_->FileExists(manifest_path, io, nullptr).ok()) {
    return Status::InvalidArgument(dir + " holds no tenant export (no " +
                                   std::string(kManifestName) + ")");
  }
  std::string data;
  s = FromRocks(rocksdb::ReadFileToString(file_system_.get(), manifest_path, &data), manifest_path);
  ExportManifest m;
  if (s.ok()) s = m.Decode(data, manifest_path);
  if (!s.ok()) return s;
  const std::string& tenant = m.tenant;

  // Every file and removal checked before anything changes. The tenant's
  // shard of every domain gets a file: the exported records, and deletion
  // markers for whatever this store holds of the tenant besides.
  std::vector<Domain*> shards;
  std::vector<std::string> exported;  // per shard: its exported file, or empty
  std::vector<const ExportedFile*> exported_meta;
  uint64_t newest = m.newest_time;
  for (const DomainOptions& dopts : options_.domains) {
    Domain* d = nullptr;
    s = FindShard(dopts.name, tenant, &d);
    if (!s.ok()) return s;
    shards.push_back(d);
    exported.emplace_back();
    exported_meta.push_back(nullptr);
  }
  for (const ExportedFile& f : m.files) {
    Domain* d = nullptr;
    s = FindShard(f.domain, tenant, &d);
    if (!s.ok()) return Status::InvalidArgument("ImportTenant: " + s.message());
    if (d->options.temperature != f.temperature) {
      return Status::InvalidArgument("ImportTenant: domain '" + f.domain +
                                     "' has another temperature here than in the export");
    }
    const size_t i = std::find(shards.begin(), shards.end(), d) - shards.begin();
    if (!exported[i].empty()) {
      return Status::Corruption(manifest_path + ": domain '" + f.domain + "' listed twice");
    }
    exported[i] = dir + "/" + f.name;
    exported_meta[i] = &f;
    const rocksdb::Options file_options(db_->GetDBOptions(), ColumnFamilyOptionsFor(*d));
    s = CheckExportedFile(file_options, exported[i], tenant, f.records, &newest);
    if (!s.ok()) return s;
  }
  std::vector<Removal> imported = m.removals;
  for (Removal& r : imported) {
    for (auto& range : r.ranges) {
      Domain* d = nullptr;
      s = FindShard(range.first, tenant, &d);
      if (!s.ok()) {
        return Status::InvalidArgument("ImportTenant: removal " + std::to_string(r.id) + ": " +
                                       s.message());
      }
      range.first = d->options.name;  // the column family of the tenant's shard
    }
    newest = std::max(newest, r.time);
  }
  const uint64_t now = Now();
  if (newest > now + kMaxClockLeadSeconds) {
    return Status::InvalidArgument("ImportTenant: the export holds times " +
                                   std::to_string(newest - now) +
                                   " s ahead of this store's clock; check the clocks");
  }
  bool shows = false;
  s = TenantShows(tenant, &shows);
  if (s.ok() && shows && !options.replace) {
    s = Status::FailedPrecondition(
        "ImportTenant: tenant '" + codecs::PrintableHead(tenant) +
        "' has records in this store (ImportOptions::replace replaces them)");
  }
  if (!s.ok()) return s;

  // No purge decision, write or removal interleaves from here (writers
  // wait on the removals lock; cold ones on their domain's gate).
  std::lock_guard<std::mutex> deadline(deadline_mu_);
  std::unique_lock<std::shared_mutex> lock = LockRemovalsExclusive();
  std::vector<std::unique_lock<std::shared_mutex>> gates;
  {
    std::vector<Domain*> sorted = shards;
    std::sort(sorted.begin(), sorted.end());
    for (Domain* d : sorted) {
      if (d->ingest_gate) gates.emplace_back(*d->ingest_gate);
    }
  }
  // Memtables out of the way: the ingest then overlaps none (it could not
  // flush one while background work is paused, below), and a time-ordered
  // domain's file gets the next sequence number (as IngestCold).
  {
    std::vector<rocksdb::ColumnFamilyHandle*> cfs{default_cf_};
    for (Domain* d : shards) cfs.push_back(d->cf);
    rocksdb::FlushOptions fo;
    fo.wait = true;
    s = FromRocks(db_->Flush(fo, cfs), "ImportTenant: flushing");
  }
  if (s.ok()) s = ExtendTimeBound(newest);
  if (s.ok()) {
    s = FromRocks(file_system_->CreateDirIfMissing(IngestStagingDir(), io, nullptr),
                  IngestStagingDir());
  }
  // The files to ingest, in the staging directory (linked in, then gone).
  std::vector<std::string> staged;
  auto stage = [&]() {
    staged.push_back(IngestStagingDir() + "/" + std::to_string(ingest_sequence_.fetch_add(1)) +
                     ".sst");
    return staged.back();
  };
  rocksdb::IngestExternalFileOptions ingest;
  ingest.move_files = true;  // staged files: a hard link
  ingest.snapshot_consistency = true;
  ingest.allow_global_seqno = true;
  ingest.allow_blocking_flush = false;  // flushed above; writers are held off
  ingest.write_global_seqno = false;    // as IngestCold
  std::vector<rocksdb::IngestExternalFileArg> args;
  for (size_t i = 0; s.ok() && i < shards.size(); ++i) {
    const std::string file = stage();
    bool written = false;
    s = MergeForImport(shards[i], tenant, exported[i], file, &written);
    if (s.ok() && written) {
      rocksdb::IngestExternalFileArg arg;
      arg.column_family = shards[i]->cf;
      arg.external_files = {file};
      arg.options = ingest;
      args.push_back(std::move(arg));
    }
  }
  // The default column family's part: the tenant's old removals deleted
  // (every record they hid is overwritten or deleted above), the imported
  // ones under ids of this store, the next id, the applied index.
  std::vector<uint64_t> old_ids;
  for (const auto& [id, r] : removals_.pending()) {
    if (r.tenant == tenant) old_ids.push_back(id);
  }
  uint64_t next_id = removals_.next_id(), last_time = removals_.last_time();
  const uint64_t seq_before = db_->GetLatestSequenceNumber();
  for (Removal& r : imported) {
    r.id = next_id++;
    r.seq_before = seq_before;
    last_time = std::max(last_time, r.time);
  }
  if (s.ok() && (!old_ids.empty() || !imported.empty() || options.applied_index.index != 0)) {
    std::map<std::string, std::pair<bool, std::string>> entries;  // key -> (put, value)
    for (uint64_t id : old_ids) entries[removals_.pending().at(id).Key()] = {false, ""};
    for (const Removal& r : imported) entries[r.Key()] = {true, r.Encode()};
    if (!imported.empty()) {
      entries[std::string(kNextRemovalIdKey)] = {true, EncodeNextRemovalId(next_id, last_time)};
    }
    if (options.applied_index.index != 0) {
      entries[std::string(kAppliedIndexKey)] = {true, EncodeAppliedIndex(options.applied_index)};
    }
    const std::string file = stage();
    const rocksdb::Options meta_options;
    rocksdb::SstFileWriter writer(rocksdb::EnvOptions(), meta_options);
    rocksdb::Status rs = writer.Open(file);
    for (auto it = entries.begin(); rs.ok() && it != entries.end(); ++it) {
      rs = it->second.first ? writer.Put(it->first, it->second.second) : writer.Delete(it->first);
    }
    if (rs.ok()) rs = writer.Finish();
    s = FromRocks(rs, file);
    rocksdb::IngestExternalFileArg arg;
    arg.column_family = default_cf_;
    arg.external_files = {file};
    arg.options = ingest;
    args.push_back(std::move(arg));
  }
  if (s.ok() && !args.empty()) {
    // No compaction runs from here until the removals are published: one
    // started with the old ones would drop imported records they cover.
    std::vector<const rocksdb::Snapshot*> holds;
    for (Domain* d : shards) {
      if (d->TimeOrdered()) holds.push_back(db_->GetSnapshot());
    }
    s = FromRocks(db_->PauseBackgroundWork(), "ImportTenant: pausing background work");
    if (s.ok()) {
      s = FromRocks(db_->IngestExternalFiles(args), "ImportTenant: ingesting " + dir);
      if (s.ok()) {
        for (uint64_t id : old_ids) removals_.pending().erase(id);
        for (const Removal& r : imported) removals_.pending()[r.id] = r;
        removals_.next_id() = next_id;
        removals_.last_time() = last_time;
        PublishRemovals();
        NoteWriteTime(newest);
        clock_->RaiseFloor(newest);
      }
      const Status resumed =
          FromRocks(db_->ContinueBackgroundWork(), "ImportTenant: resuming background work");
      if (s.ok()) s = resumed;
    }
    for (const rocksdb::Snapshot* h : holds) db_->ReleaseSnapshot(h);
  }
  for (const std::string& f : staged) {
    file_system_->DeleteFile(f, io, nullptr).PermitUncheckedError();
  }
  if (!s.ok()) return s;
  lock.unlock();

  TenantFiles out;
  out.tenant = tenant;
  out.files = m.files.size();
  out.removals = imported.size();
  for (const ExportedFile& f : m.files) {
    out.records += f.records;
    out.bytes += f.bytes;
  }
  for (size_t i = 0; i < shards.size(); ++i) {
    if (exported_meta[i] == nullptr) continue;
    shards[i]->counters->ingested_records.fetch_add(exported_meta[i]->records,
                                                    std::memory_order_relaxed);
    shards[i]->counters->ingest_bytes.fetch_add(exported_meta[i]->bytes,
                                                std::memory_order_relaxed);
  }
  if (info != nullptr) *info = out;
  return Status::OK();
}

Status StoreImpl::MergeForImport(Domain* d, const std::string& tenant, const std::string& exported,
                                 const std::string& file, bool* written) {
  *written = false;
  const rocksdb::Options file_options(db_->GetDBOptions(), ColumnFamilyOptionsFor(*d));
  // The stored keys of the tenant here, in order.
  const TenantScan old(db_.get(), d->cf, tenant);
  std::unique_ptr<rocksdb::SstFileReader> reader;
  std::unique_ptr<rocksdb::Iterator> in;
  if (!exported.empty()) {
    reader = std::make_unique<rocksdb::SstFileReader>(file_options);
    rocksdb::Status rs = reader->Open(exported);
    if (!rs.ok()) return FromRocks(rs, exported);
    in.reset(reader->NewIterator(rocksdb::ReadOptions()));
    in->SeekToFirst();
  }
  rocksdb::SstFileWriter writer(rocksdb::EnvOptions(), file_options);
  rocksdb::Status rs;
  const auto open = [&]() {
    if (!*written) rs = writer.Open(file);
    *written = true;
    return rs.ok();
  };
  // Merge: every exported record is put; every old key the export lacks
  // gets a deletion marker.
  while (rs.ok() && ((in && in->Valid()) || old->Valid())) {
    const int c = !(in && in->Valid()) ? 1 : !old->Valid() ? -1 : in->key().compare(old->key());
    if (c <= 0) {
      if (open()) rs = writer.Put(in->key(), in->value());
      in->Next();
      if (c == 0) old->Next();
    } else {
      if (open()) rs = writer.Delete(old->key());
      old->Next();
    }
  }
  if (rs.ok()) rs = old->status();
  if (rs.ok() && in) rs = in->status();
  if (rs.ok() && *written) rs = writer.Finish();
  return FromRocks(rs, "ImportTenant: writing " + file);
}

Status StoreImpl::TenantShows(const std::string& tenant, bool* shows) {
  *shows = false;
  const uint64_t now = Now();
  std::shared_ptr<const RemovalSet> removals;
  {
    std::shared_lock<std::shared_mutex> lock = removals_.LockSharedNow();
    removals = CurrentRemovals();
    // A logical removal in retention is restorable, unless a later removal
    // of the whole tenant (RemoveTenant) hides all it would bring back.
    uint64_t tenant_removed = 0;
    for (const auto& [id, r] : removals_.pending()) {
      const bool whole = std::all_of(r.ranges.begin(), r.ranges.end(),
                                     [](const auto& range) { return range.second.empty(); });
      if (r.tenant == tenant && !r.logical && whole) tenant_removed = std::max(tenant_removed, r.time);
    }
    for (const auto& [id, r] : removals_.pending()) {
      if (r.tenant == tenant && r.logical && now < r.purge_time && r.time > tenant_removed) {
        *shows = true;
      }
    }
  }
  for (const DomainOptions& dopts : options_.domains) {
    Domain* d = nullptr;
    Status s = FindShard(dopts.name, tenant, &d);
    if (!s.ok()) return s;
    const TenantScan it(db_.get(), d->cf, tenant);
    for (; it->Valid() && !*shows; it->Next()) {
      const std::string_view key(it->key().data(), it->key().size());
      codecs::Record record;
      s = codecs::DecodeRecord(key, std::string_view(it->value().data(), it->value().size()),
                               &record);
      if (!s.ok()) return s;
      const Visibility v = VisibilityOf(record, now, removals.get(), IndexOf(d), key);
      *shows = v == Visibility::kVisible ||
               (v == Visibility::kDeleted &&
                RestorableAt(record, now, d->options.tombstone_retention_seconds) ==
                    Restorable::kYes);
    }
    if (!it->status().ok()) return FromRocks(it->status(), "ImportTenant: reading the tenant");
  }
  return Status::OK();
}

}  // namespace metakv
