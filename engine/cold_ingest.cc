// The cold write path: Store::IngestCold.
#include <rocksdb/file_system.h>
#include <rocksdb/sst_file_writer.h>

#include <algorithm>

#include "codecs/coding.h"
#include "codecs/key_codec.h"
#include "engine/rocksdb_util.h"
#include "engine/store_impl.h"

namespace metakv {

void StoreImpl::CleanIngestStaging() {
  // Best effort: only staging files live there, each linked into the
  // database (or abandoned) by an ingest that has ended.
  const rocksdb::IOOptions io;
  std::vector<std::string> children;
  if (!file_system_->GetChildren(IngestStagingDir(), io, &children, nullptr).ok()) return;
  for (const std::string& name : children) {
    if (name == "." || name == "..") continue;
    file_system_->DeleteFile(IngestStagingDir() + "/" + name, io, nullptr).PermitUncheckedError();
  }
  file_system_->DeleteDir(IngestStagingDir(), io, nullptr).PermitUncheckedError();
}

StoreImpl::WriteOp StoreImpl::ColdOp(Domain* d, std::string_view tenant, const ColdRecord& r) {
  WriteOp op;
  op.kind = OpKind::kPut;
  op.domain = d;
  op.tenant = tenant;
  op.key = r.key;
  op.value = r.value;
  op.ttl_seconds = r.ttl_seconds;
  op.write_time = r.write_time_seconds;
  op.expiry = r.expiry_seconds;
  return op;
}

Status StoreImpl::IngestCold(std::string_view domain, std::string_view tenant,
                             const std::vector<ColdRecord>& records) {
  LatencyTimer timer(LatencyOf(LatencyOp::kIngestCold));
  Status s = CheckWritable();
  Domain* d = nullptr;
  if (s.ok()) s = FindDomain(domain, &d);
  if (!s.ok()) return s;
  if (d->options.temperature != Temperature::kCold) {
    return Status::InvalidArgument("IngestCold: domain '" + d->options.name +
                                   "' is hot; cold ingest needs a cold domain");
  }
  // The records as puts, in key order.
  std::vector<WriteOp> ops;
  uint64_t user_bytes = 0;
  s = ColdOps(d, tenant, records, &ops, &user_bytes);
  if (!s.ok()) return s;
  if (user_bytes < d->options.ingest_min_bytes) {
    // A small group: one synced batch through the WAL and the memtable.
    WriteOptions synced;
    synced.sync = true;
    s = Apply(synced, ops.data(), ops.size());
    if (s.ok()) {
      d->counters->buffered_ingests.fetch_add(1, std::memory_order_relaxed);
      d->counters->ingested_records.fetch_add(records.size(), std::memory_order_relaxed);
    }
    return s;
  }
  s = FromRocks(file_system_->CreateDirIfMissing(IngestStagingDir(), rocksdb::IOOptions(), nullptr),
                IngestStagingDir());
  if (!s.ok()) return s;
  const std::string file =
      IngestStagingDir() + "/" + std::to_string(ingest_sequence_.fetch_add(1)) + ".sst";
  uint64_t file_bytes = 0;
  s = IngestColdFile(d, &ops, file, &file_bytes);
  // The database holds its own link now (or nothing, on failure).
  file_system_->DeleteFile(file, rocksdb::IOOptions(), nullptr).PermitUncheckedError();
  if (!s.ok()) return s;
  d->counters->user_bytes.fetch_add(user_bytes, std::memory_order_relaxed);
  d->counters->ingest_user_bytes.fetch_add(user_bytes, std::memory_order_relaxed);
  d->counters->ingested_records.fetch_add(records.size(), std::memory_order_relaxed);
  d->counters->ingest_bytes.fetch_add(file_bytes, std::memory_order_relaxed);
  d->counters->tenants.AddUser(tenant, user_bytes);
  d->counters->tenants.AddEngineBytes(tenant, TenantLedger::Reason::kIngest, file_bytes);
  return Status::OK();
}

Status StoreImpl::ColdOps(Domain* d, std::string_view tenant,
                          const std::vector<ColdRecord>& records, std::vector<WriteOp>* ops,
                          uint64_t* user_bytes) {
  if (records.empty()) return Status::InvalidArgument("IngestCold: no records");
  Status s = codecs::ValidateTenant(tenant);
  if (!s.ok()) return s;
  const uint64_t now = Now();
  for (const auto& r : records) {
    s = CheckKey(tenant, r.key);
    if (s.ok()) s = CheckValue(r.value);
    if (s.ok() && r.write_time_seconds > now) {
      s = Status::InvalidArgument("IngestCold: write time " + std::to_string(r.write_time_seconds) +
                                  " of key '" + codecs::PrintableHead(r.key) +
                                  "' is ahead of the store's time " + std::to_string(now));
    }
    if (!s.ok()) return s;
    *user_bytes += tenant.size() + r.key.size() + r.value.size();
    ops->push_back(ColdOp(d, tenant, r));
  }
  std::sort(ops->begin(), ops->end(),
            [](const WriteOp& a, const WriteOp& b) { return a.key < b.key; });
  for (size_t i = 1; i < ops->size(); ++i) {
    if ((*ops)[i].key == (*ops)[i - 1].key) {
      return Status::InvalidArgument("IngestCold: duplicate key '" +
                                     codecs::PrintableHead((*ops)[i].key) + "'");
    }
  }
  return Status::OK();
}

Status StoreImpl::IngestColdFile(Domain* d, std::vector<WriteOp>* ops, const std::string& file,
                                 uint64_t* file_bytes) {
  // Write times are given under the removals lock, held to the end, as for
  // every write (a record written under a removed tenant or tree must come
  // out later than the removal).
  std::shared_lock<std::shared_mutex> removals_lock;
  std::vector<std::pair<Domain*, std::string_view>> keys;
  for (WriteOp& op : *ops) {
    codecs::AppendKey(op.tenant, op.key, &op.encoded);
    keys.emplace_back(d, op.encoded);
  }
  Status s = LockRemovalsForWrite(keys, &removals_lock);
  uint64_t latest_time = 0;
  if (s.ok()) s = WriteColdFile(d, *ops, file, file_bytes, &latest_time);
  if (!s.ok()) return s;
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
      s = FromRocks(db_->Flush(fo, d->cf), "IngestCold: flushing '" + d->options.name + "'");
      if (!s.ok()) return s;
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
  rocksdb::Status rs = db_->IngestExternalFile(d->cf, {file}, io);
  if (seqno_hold != nullptr) db_->ReleaseSnapshot(seqno_hold);
  if (!rs.ok()) return FromRocks(rs, "IngestCold: ingesting into '" + d->options.name + "'");
  NoteWriteTime(latest_time);
  return Status::OK();
}

Status StoreImpl::WriteColdFile(Domain* d, const std::vector<WriteOp>& ops, const std::string& file,
                                uint64_t* file_bytes, uint64_t* latest_time) {
  const rocksdb::Options file_options(db_->GetDBOptions(), ColumnFamilyOptionsFor(*d));
  rocksdb::SstFileWriter writer(rocksdb::EnvOptions(), file_options, d->cf);
  rocksdb::Status rs = writer.Open(file);
  const uint64_t now = Now();
  *latest_time = now;
  std::string value;
  for (size_t i = 0; rs.ok() && i < ops.size(); ++i) {
    const codecs::Record record = LiveRecord(ops[i], now);
    *latest_time = std::max(*latest_time, record.time);
    value.clear();
    codecs::EncodeRecord(ops[i].encoded, record, &value);
    rs = writer.Put(ops[i].encoded, value);
  }
  rocksdb::ExternalSstFileInfo info;
  if (rs.ok()) rs = writer.Finish(&info);
  if (!rs.ok()) return FromRocks(rs, "IngestCold: writing " + file);
  *file_bytes = info.file_size;
  // A stamp ahead of the time Now() covered.
  return *latest_time > now ? ExtendTimeBound(*latest_time) : Status::OK();
}

}  // namespace metakv
