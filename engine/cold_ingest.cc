// The cold write path: Store::IngestCold.
#include <fcntl.h>
#include <rocksdb/convenience.h>
#include <rocksdb/listener.h>
#include <rocksdb/metadata.h>
#include <rocksdb/sst_file_writer.h>
#include <rocksdb/utilities/convenience.h>
#include <rocksdb/write_batch.h>
#include <unistd.h>
#include <xxhash.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <map>
#include <numeric>
#include <set>
#include <thread>

#include "codecs/coding.h"
#include "codecs/key_codec.h"
#include "compaction/record_properties.h"
#include "compaction/tombstone_filter.h"
#include "engine/iterator_impl.h"
#include "engine/options_check.h"
#include "engine/rocksdb_util.h"
#include "engine/store_impl.h"

namespace metakv {

namespace fs = std::filesystem;

void StoreImpl::CleanIngestStaging() {
  std::error_code ec;
  fs::remove_all(IngestStagingDir(), ec);  // best effort: only staging files live there
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
  const uint64_t checked_at = Now();
  for (const auto& r : records) {
    s = CheckKey(tenant, r.key);
    if (s.ok()) s = CheckValue(r.value);
    if (s.ok() && r.write_time_seconds > checked_at) {
      s = Status::InvalidArgument("IngestCold: write time " + std::to_string(r.write_time_seconds) +
                                  " of key '" + codecs::PrintableHead(r.key) +
                                  "' is ahead of the store's time " + std::to_string(checked_at));
    }
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
    std::vector<WriteOp> ops(records.size());
    for (size_t i = 0; i < order.size(); ++i) ops[i] = ColdOp(d, tenant, records[order[i]]);
    WriteOptions synced;
    synced.sync = true;
    s = Apply(synced, &ops);
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
    WriteOp op = ColdOp(d, tenant, records[order[i]]);
    op.encoded = encoded_keys[i];
    const codecs::Record record = LiveRecord(op, now);
    latest_time = std::max(latest_time, record.time);
    value.clear();
    codecs::EncodeRecord(op.encoded, record, &value);
    rs = writer.Put(op.encoded, value);
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

}  // namespace metakv
