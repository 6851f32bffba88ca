// The write path: Put, Delete, Undelete, HardDelete and Write.
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

Status StoreImpl::CheckKey(std::string_view tenant, std::string_view key) const {
  Status s = codecs::ValidateTenant(tenant);
  if (!s.ok()) return s;
  if (key.empty()) return Status::InvalidArgument("empty key");
  if (key.size() > options_.max_key_bytes) {
    return Status::InvalidArgument("key of " + std::to_string(key.size()) +
                                   " bytes exceeds max_key_bytes " +
                                   std::to_string(options_.max_key_bytes));
  }
  return Status::OK();
}

Status StoreImpl::CheckValue(std::string_view value) const {
  if (value.size() > options_.max_value_bytes) {
    return Status::InvalidArgument("value of " + std::to_string(value.size()) +
                                   " bytes exceeds max_value_bytes " +
                                   std::to_string(options_.max_value_bytes));
  }
  return Status::OK();
}

rocksdb::WriteOptions StoreImpl::ToRocksWrite(const WriteOptions& wo) const {
  rocksdb::WriteOptions out;
  out.sync = wo.sync;
  return out;
}

size_t StoreImpl::StripeOf(const Domain* d, std::string_view encoded_key) const {
  const uint64_t h = XXH3_64bits_withSeed(encoded_key.data(), encoded_key.size(),
                                          static_cast<uint64_t>(d - domains_.data()));
  return static_cast<size_t>(h % kLockStripes);
}

uint64_t StoreImpl::ExpiryFor(const Domain* d, uint64_t now, uint64_t ttl_seconds) const {
  const uint64_t ttl = ttl_seconds != 0 ? ttl_seconds : d->options.default_ttl_seconds;
  return ttl == 0 ? 0 : codecs::SaturatingAdd(now, ttl);
}

Status StoreImpl::ReadCurrent(Domain* d, const std::string& encoded_key, Current* out) {
  rocksdb::Status rs = db_->Get(rocksdb::ReadOptions(), d->cf, encoded_key, &out->value);
  if (rs.IsNotFound()) {
    out->exists = false;
    return Status::OK();
  }
  if (!rs.ok()) return FromRocks(rs, "read");
  out->exists = true;
  Status s = codecs::DecodeRecord(encoded_key, out->value, &out->record);
  if (!s.ok()) return s;
  // A record a logical tree removal hides is, to writers too, not there.
  const std::shared_ptr<const RemovalSet> removals = CurrentRemovals();
  if (removals && removals->Hiding(IndexOf(d), encoded_key, out->record.time) != nullptr) {
    out->exists = false;
  }
  return Status::OK();
}

// --------------------------------------------------------------- Writes ----

Status StoreImpl::Put(const WriteOptions& wo, std::string_view domain, std::string_view tenant,
                      std::string_view key, std::string_view value, uint64_t ttl_seconds) {
  // The single-record path of Write, without a batch's copies.
  Status s = CheckWritable();
  Domain* d = nullptr;
  if (s.ok()) s = FindDomain(domain, &d);
  if (s.ok()) s = CheckKey(tenant, key);
  if (s.ok()) s = CheckValue(value);
  if (!s.ok()) return s;
  std::string encoded;
  encoded.reserve(tenant.size() + key.size() + 2);
  codecs::AppendKey(tenant, key, &encoded);
  std::shared_lock<std::shared_mutex> removals_lock;
  s = LockRemovalsForWrite({{d, encoded}}, &removals_lock);
  if (!s.ok()) return s;
  const uint64_t now = Now();
  codecs::Record record;
  record.time = WriteTimeFor(d, encoded, now);
  record.expiry = ExpiryFor(d, now, ttl_seconds);
  record.payload = value;
  if (record.time > now) {  // a stamp ahead of the time Now() covered
    s = ExtendTimeBound(record.time);
    if (!s.ok()) return s;
  }
  std::string stored;
  stored.reserve(value.size() + 24);
  codecs::EncodeRecord(encoded, record, &stored);
  rocksdb::Status rs;
  {
    GateLocks gate = HoldGates({d});
    std::lock_guard<std::mutex> lock(key_locks_[StripeOf(d, encoded)]);
    rs = db_->Put(ToRocksWrite(wo), d->cf, encoded, stored);
  }
  if (rs.ok()) NoteWriteTime(record.time);
  removals_lock.unlock();
  if (!rs.ok()) return FromRocks(rs, "put");
  const uint64_t bytes = tenant.size() + key.size() + value.size();
  d->counters->user_bytes.fetch_add(bytes, std::memory_order_relaxed);
  d->counters->puts.fetch_add(1, std::memory_order_relaxed);
  d->counters->tenants.AddUser(tenant, bytes);
  return Status::OK();
}

Status StoreImpl::Delete(const WriteOptions& wo, std::string_view domain, std::string_view tenant,
                         std::string_view key) {
  WriteBatch batch;
  batch.Delete(domain, tenant, key);
  return Write(wo, batch);
}

Status StoreImpl::HardDelete(const WriteOptions& wo, std::string_view domain,
                             std::string_view tenant, std::string_view key) {
  WriteBatch batch;
  batch.HardDelete(domain, tenant, key);
  return Write(wo, batch);
}

Status StoreImpl::Undelete(const WriteOptions& wo, std::string_view domain, std::string_view tenant,
                           std::string_view key) {
  Status s = CheckWritable();
  Domain* d = nullptr;
  if (s.ok()) s = FindDomain(domain, &d);
  if (s.ok()) s = CheckKey(tenant, key);
  if (!s.ok()) return s;
  const std::string encoded = codecs::EncodeKey(tenant, key);
  std::shared_lock<std::shared_mutex> removals_lock;
  s = LockRemovalsForWrite({{d, encoded}}, &removals_lock);
  if (!s.ok()) return s;
  GateLocks gate = HoldGates({d});
  std::lock_guard<std::mutex> lock(key_locks_[StripeOf(d, encoded)]);
  Current cur;
  s = ReadCurrent(d, encoded, &cur);
  if (!s.ok()) return s;
  const uint64_t now = Now();
  if (!cur.exists ||
      (cur.record.kind == codecs::RecordKind::kLive && cur.record.IsExpiredAt(now))) {
    return Status::NotFound("no record to undelete");
  }
  if (!cur.record.IsTombstone()) return Status::FailedPrecondition("record is live, not deleted");
  const uint64_t retention = d->options.tombstone_retention_seconds;
  if (now >= codecs::SaturatingAdd(cur.record.time, retention)) {
    return Status::Expired("deleted " + std::to_string(now - cur.record.time) +
                           " s ago; the domain's retention of " + std::to_string(retention) +
                           " s has passed");
  }
  if (cur.record.IsExpiredAt(now)) {
    return Status::Expired("the record's time to live passed while it was deleted");
  }
  codecs::Record restored;
  restored.kind = codecs::RecordKind::kLive;
  restored.time = WriteTimeFor(d, encoded, now);
  restored.expiry = cur.record.expiry;
  restored.payload = cur.record.payload;
  if (restored.time > now) {  // a stamp ahead of the time Now() covered
    s = ExtendTimeBound(restored.time);
    if (!s.ok()) return s;
  }
  std::string value;
  codecs::EncodeRecord(encoded, restored, &value);
  rocksdb::Status rs = db_->Put(ToRocksWrite(wo), d->cf, encoded, value);
  if (!rs.ok()) return FromRocks(rs, "undelete");
  NoteWriteTime(restored.time);
  d->counters->undeletes.fetch_add(1, std::memory_order_relaxed);
  return Status::OK();
}

GateLocks StoreImpl::HoldGates(std::vector<Domain*> domains) const {
  std::sort(domains.begin(), domains.end());
  domains.erase(std::unique(domains.begin(), domains.end()), domains.end());
  GateLocks locks;
  for (Domain* d : domains) {
    if (d->ingest_gate) locks.emplace_back(*d->ingest_gate);
  }
  return locks;
}

std::vector<std::unique_lock<std::mutex>> StoreImpl::LockStripes(
    std::vector<size_t> stripes) const {
  std::sort(stripes.begin(), stripes.end());
  stripes.erase(std::unique(stripes.begin(), stripes.end()), stripes.end());
  std::vector<std::unique_lock<std::mutex>> locks;
  locks.reserve(stripes.size());
  for (size_t stripe : stripes) locks.emplace_back(key_locks_[stripe]);
  return locks;
}

Status StoreImpl::Write(const WriteOptions& wo, const WriteBatch& batch) {
  Status s = CheckWritable();
  if (!s.ok()) return s;
  if (batch.Count() == 0) return Status::OK();

  // Validate everything before touching anything.
  struct Prepared {
    Domain* domain;
    std::string encoded;
    size_t stripe;
  };
  std::vector<Prepared> prepared;
  prepared.reserve(batch.Count());
  for (const auto& op : batch.ops()) {
    Domain* d = nullptr;
    s = FindDomain(op.domain, &d);
    if (s.ok()) s = CheckKey(op.tenant, op.key);
    if (s.ok() && op.type == WriteBatch::OpType::kPut) s = CheckValue(op.value);
    if (!s.ok()) return s;
    std::string encoded = codecs::EncodeKey(op.tenant, op.key);
    const size_t stripe = StripeOf(d, encoded);
    prepared.push_back(Prepared{d, std::move(encoded), stripe});
  }

  // Lock the stripes of every key, in order, so read-modify-writes of logical
  // deletes are atomic with respect to other writers.
  std::vector<size_t> stripes;
  std::vector<Domain*> domains;
  stripes.reserve(prepared.size());
  for (const auto& p : prepared) {
    stripes.push_back(p.stripe);
    domains.push_back(p.domain);
  }
  std::shared_lock<std::shared_mutex> removals_lock;
  {
    std::vector<std::pair<Domain*, std::string_view>> puts;
    for (size_t i = 0; i < prepared.size(); ++i) {
      if (batch.ops()[i].type != WriteBatch::OpType::kHardDelete) {
        puts.emplace_back(prepared[i].domain, prepared[i].encoded);
      }
    }
    s = LockRemovalsForWrite(puts, &removals_lock);
    if (!s.ok()) return s;
  }
  GateLocks gates = HoldGates(std::move(domains));
  auto locks = LockStripes(std::move(stripes));

  const uint64_t now = Now();
  uint64_t latest_time = 0;  // the latest write time given, for NoteWriteTime
  rocksdb::WriteBatch wb;
  // Effect of earlier operations of this batch on a key, so a Delete after a
  // Put in the same batch sees the Put. Keyed by (domain index, encoded key).
  std::map<std::pair<size_t, std::string>, Current> pending;
  std::string value;
  for (size_t i = 0; i < prepared.size(); ++i) {
    const auto& op = batch.ops()[i];
    Domain* d = prepared[i].domain;
    const std::string& encoded = prepared[i].encoded;
    const auto slot = std::make_pair(static_cast<size_t>(d - domains_.data()), encoded);
    value.clear();
    rocksdb::Status rs;
    switch (op.type) {
      case WriteBatch::OpType::kPut: {
        codecs::Record record;
        record.kind = codecs::RecordKind::kLive;
        record.time = WriteTimeFor(d, encoded, now);
        latest_time = std::max(latest_time, record.time);
        record.expiry = ExpiryFor(d, now, op.ttl_seconds);
        record.payload = op.value;
        codecs::EncodeRecord(encoded, record, &value);
        rs = wb.Put(d->cf, encoded, value);
        Current& cur = pending[slot];
        cur.exists = true;
        cur.value = op.value;
        cur.record = record;
        cur.record.payload = cur.value;
        break;
      }
      case WriteBatch::OpType::kHardDelete: {
        rs = wb.Delete(d->cf, encoded);
        pending[slot] = Current{};
        break;
      }
      case WriteBatch::OpType::kDelete: {
        auto it = pending.find(slot);
        if (it == pending.end()) {
          // Read straight into the map's node, which never moves, so the
          // record's payload view stays valid without a second decode.
          it = pending.emplace(slot, Current{}).first;
          s = ReadCurrent(d, encoded, &it->second);
          if (!s.ok()) return s;
        }
        Current& cur = it->second;
        if (!cur.exists || cur.record.IsTombstone() || cur.record.IsExpiredAt(now)) {
          return Status::NotFound("Delete: no live record at domain '" + op.domain + "' tenant '" +
                                  codecs::PrintableHead(op.tenant) + "' key '" +
                                  codecs::PrintableHead(op.key) + "'");
        }
        codecs::Record tombstone = cur.record;
        tombstone.kind = codecs::RecordKind::kTombstone;
        tombstone.time = WriteTimeFor(d, encoded, now);
        latest_time = std::max(latest_time, tombstone.time);
        codecs::EncodeRecord(encoded, tombstone, &value);
        rs = wb.Put(d->cf, encoded, value);
        cur.record.kind = codecs::RecordKind::kTombstone;
        break;
      }
    }
    if (!rs.ok()) return FromRocks(rs, "building the write batch");
  }
  if (latest_time > now) {  // a stamp ahead of the time Now() covered
    s = ExtendTimeBound(latest_time);
    if (!s.ok()) return s;
  }
  rocksdb::Status rs = db_->Write(ToRocksWrite(wo), &wb);
  if (!rs.ok()) return FromRocks(rs, "write");
  NoteWriteTime(latest_time);
  for (size_t i = 0; i < prepared.size(); ++i) {
    const auto& op = batch.ops()[i];
    DomainCounters* c = prepared[i].domain->counters;
    const uint64_t bytes = op.tenant.size() + op.key.size() + op.value.size();
    c->user_bytes.fetch_add(bytes, std::memory_order_relaxed);
    c->tenants.AddUser(op.tenant, bytes);
    switch (op.type) {
      case WriteBatch::OpType::kPut:
        c->puts.fetch_add(1, std::memory_order_relaxed);
        break;
      case WriteBatch::OpType::kDelete:
        c->deletes.fetch_add(1, std::memory_order_relaxed);
        break;
      case WriteBatch::OpType::kHardDelete:
        c->hard_deletes.fetch_add(1, std::memory_order_relaxed);
        break;
    }
  }
  return Status::OK();
}

}  // namespace metakv
