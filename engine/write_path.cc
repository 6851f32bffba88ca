// The write path: Put, Delete, Undelete, HardDelete and Write.
#include <rocksdb/write_batch.h>
#include <xxhash.h>

#include <algorithm>

#include "codecs/coding.h"
#include "codecs/key_codec.h"
#include "compaction/record_rules.h"
#include "engine/rocksdb_util.h"
#include "engine/store_impl.h"

namespace metakv {

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
                                          static_cast<uint64_t>(IndexOf(d)));
  return static_cast<size_t>(h % kLockStripes);
}

uint64_t StoreImpl::ExpiryFor(const Domain* d, uint64_t now, uint64_t ttl_seconds) const {
  const uint64_t ttl = ttl_seconds != 0 ? ttl_seconds : d->options.default_ttl_seconds;
  return ttl == 0 ? 0 : codecs::SaturatingAdd(now, ttl);
}

Status StoreImpl::ReadCurrent(Domain* d, const std::string& encoded_key, uint64_t now,
                              Current* out) {
  rocksdb::Status rs = db_->Get(rocksdb::ReadOptions(), d->cf, encoded_key, &out->value);
  if (rs.IsNotFound()) {
    out->exists = false;
    return Status::OK();
  }
  if (!rs.ok()) return FromRocks(rs, "read");
  Status s = codecs::DecodeRecord(encoded_key, out->value, &out->record);
  if (!s.ok()) return s;
  const std::shared_ptr<const RemovalSet> removals = CurrentRemovals();
  out->visibility = VisibilityOf(out->record, now, removals.get(), IndexOf(d), encoded_key);
  // A record a removal hides is, to writers too, not there.
  out->exists = out->visibility != Visibility::kRemoved;
  return Status::OK();
}

// --------------------------------------------------------------- Writes ----

Status StoreImpl::Put(const WriteOptions& wo, std::string_view domain, std::string_view tenant,
                      std::string_view key, std::string_view value, uint64_t ttl_seconds) {
  WriteOp op;
  op.kind = OpKind::kPut;
  op.tenant = tenant;
  op.key = key;
  op.value = value;
  op.ttl_seconds = ttl_seconds;
  LatencyTimer timer(LatencyOf(LatencyOp::kPut));
  return ApplyOne(wo, domain, &op);
}

Status StoreImpl::Delete(const WriteOptions& wo, std::string_view domain, std::string_view tenant,
                         std::string_view key) {
  return ApplyKey(wo, OpKind::kDelete, domain, tenant, key);
}

Status StoreImpl::HardDelete(const WriteOptions& wo, std::string_view domain,
                             std::string_view tenant, std::string_view key) {
  return ApplyKey(wo, OpKind::kHardDelete, domain, tenant, key);
}

Status StoreImpl::Undelete(const WriteOptions& wo, std::string_view domain, std::string_view tenant,
                           std::string_view key) {
  return ApplyKey(wo, OpKind::kUndelete, domain, tenant, key);
}

Status StoreImpl::Write(const WriteOptions& wo, const WriteBatch& batch) {
  LatencyTimer timer(LatencyOf(LatencyOp::kWrite));
  Status s = CheckWritable();
  if (!s.ok()) return s;
  std::vector<WriteOp> ops(batch.Count());
  for (size_t i = 0; i < ops.size(); ++i) {
    const WriteBatch::Op& in = batch.ops()[i];
    WriteOp& op = ops[i];
    s = FindShard(in.domain, in.tenant, &op.domain);
    if (!s.ok()) return s;
    switch (in.type) {
      case WriteBatch::OpType::kPut:
        op.kind = OpKind::kPut;
        break;
      case WriteBatch::OpType::kDelete:
        op.kind = OpKind::kDelete;
        break;
      case WriteBatch::OpType::kHardDelete:
        op.kind = OpKind::kHardDelete;
        break;
      case WriteBatch::OpType::kUndelete:
        op.kind = OpKind::kUndelete;
        break;
    }
    op.tenant = in.tenant;
    op.key = in.key;
    op.value = in.value;
    op.ttl_seconds = in.ttl_seconds;
  }
  return Apply(wo, ops.data(), ops.size());
}

Status StoreImpl::ApplyKey(const WriteOptions& wo, OpKind kind, std::string_view domain,
                           std::string_view tenant, std::string_view key) {
  WriteOp op;
  op.kind = kind;
  op.tenant = tenant;
  op.key = key;
  LatencyTimer timer(LatencyOf(kind == OpKind::kDelete     ? LatencyOp::kDelete
                               : kind == OpKind::kUndelete ? LatencyOp::kUndelete
                                                           : LatencyOp::kHardDelete));
  return ApplyOne(wo, domain, &op);
}

Status StoreImpl::ApplyOne(const WriteOptions& wo, std::string_view domain, WriteOp* op) {
  Status s = CheckWritable();
  if (s.ok()) s = FindShard(domain, op->tenant, &op->domain);
  if (!s.ok()) return s;
  return Apply(wo, op, 1);
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

Status StoreImpl::Apply(const WriteOptions& wo, WriteOp* ops, size_t n) {
  if (n == 0) {
    if (wo.applied_index.index == 0) return Status::OK();
    // An empty batch that carries only the applied index.
    rocksdb::WriteBatch wb;
    rocksdb::Status rs = AddAppliedIndex(wo, &wb);
    if (rs.ok()) rs = db_->Write(ToRocksWrite(wo), &wb);
    return FromRocks(rs, "writing the applied index");
  }
  // Check everything before touching anything.
  for (size_t i = 0; i < n; ++i) {
    WriteOp& op = ops[i];
    Status s = CheckKey(op.tenant, op.key);
    if (s.ok() && op.kind == OpKind::kPut) s = CheckValue(op.value);
    if (!s.ok()) return s;
    op.encoded.clear();
    op.encoded.reserve(op.tenant.size() + op.key.size() + 2);
    codecs::AppendKey(op.tenant, op.key, &op.encoded);
  }
  // The removals lock first (its written-under marks write), then the
  // ingest gates, then every key's stripe, in order: a logical delete's or
  // an undelete's read-modify-write is atomic with respect to other writers.
  std::shared_lock<std::shared_mutex> removals_lock;
  std::vector<Domain*> domains;
  std::vector<size_t> stripes;
  {
    std::vector<std::pair<Domain*, std::string_view>> written;
    for (size_t i = 0; i < n; ++i) {
      domains.push_back(ops[i].domain);
      stripes.push_back(StripeOf(ops[i].domain, ops[i].encoded));
      if (ops[i].kind != OpKind::kHardDelete) written.emplace_back(ops[i].domain, ops[i].encoded);
    }
    Status s = LockRemovalsForWrite(written, &removals_lock);
    if (!s.ok()) return s;
  }
  GateLocks gates = HoldGates(std::move(domains));
  auto locks = LockStripes(std::move(stripes));

  const uint64_t now = Now();
  uint64_t latest_time = 0;  // the latest write time given, for NoteWriteTime
  rocksdb::WriteBatch wb;
  PendingWrites pending;
  for (size_t i = 0; i < n; ++i) {
    Status s = AddToBatch(ops[i], now, n > 1 ? &pending : nullptr, &wb, &latest_time);
    if (!s.ok()) return s;
  }
  if (latest_time > now) {  // a stamp ahead of the time Now() covered
    Status s = ExtendTimeBound(latest_time);
    if (!s.ok()) return s;
  }
  rocksdb::Status rs = AddAppliedIndex(wo, &wb);
  if (rs.ok()) rs = db_->Write(ToRocksWrite(wo), &wb);
  if (!rs.ok()) return FromRocks(rs, "write");
  NoteWriteTime(latest_time);
  for (size_t i = 0; i < n; ++i) CountWrite(ops[i]);
  return Status::OK();
}

codecs::Record StoreImpl::LiveRecord(const WriteOp& op, uint64_t now) const {
  const uint64_t written = op.write_time != 0 ? op.write_time : now;
  codecs::Record record;
  record.kind = codecs::RecordKind::kLive;
  record.time = WriteTimeFor(op.domain, op.encoded, written);
  record.expiry = op.expiry != 0 ? op.expiry : ExpiryFor(op.domain, written, op.ttl_seconds);
  record.payload = op.value;
  return record;
}

Status StoreImpl::AddToBatch(const WriteOp& op, uint64_t now, PendingWrites* pending,
                             rocksdb::WriteBatch* wb, uint64_t* latest_time) {
  Domain* d = op.domain;
  if (op.kind == OpKind::kHardDelete) {
    if (pending != nullptr) (*pending)[{IndexOf(d), op.encoded}] = Current{};
    return FromRocks(wb->Delete(d->cf, op.encoded), "building the write batch");
  }
  codecs::Record record;
  Current* cur = nullptr;  // the key's record before this operation (not kPut)
  Current single;
  if (op.kind != OpKind::kPut) {
    Status s = CurrentFor(op, now, pending, &single, &cur);
    if (!s.ok()) return s;
  }
  switch (op.kind) {
    case OpKind::kPut:
      record = LiveRecord(op, now);
      break;
    case OpKind::kDelete:
      if (!cur->exists || cur->visibility != Visibility::kVisible) {
        return Status::NotFound("Delete: no live record at domain '" + d->options.name +
                                "' tenant '" + codecs::PrintableHead(op.tenant) + "' key '" +
                                codecs::PrintableHead(op.key) + "'");
      }
      record = cur->record;
      record.kind = codecs::RecordKind::kTombstone;
      record.time = WriteTimeFor(d, op.encoded, now);
      break;
    case OpKind::kUndelete: {
      Status s = CheckRestorable(*cur, d->options.tombstone_retention_seconds, now);
      if (!s.ok()) return s;
      record = cur->record;
      record.kind = codecs::RecordKind::kLive;
      record.time = WriteTimeFor(d, op.encoded, now);
      break;
    }
    case OpKind::kHardDelete:
      break;
  }
  *latest_time = std::max(*latest_time, record.time);
  std::string value;
  value.reserve(record.payload.size() + 24);
  codecs::EncodeRecord(op.encoded, record, &value);
  if (pending != nullptr) {
    // Later operations of the batch on this key see this one.
    Current& next = (*pending)[{IndexOf(d), op.encoded}];
    next.exists = true;
    next.value = std::string(record.payload);
    next.record = record;
    next.record.payload = next.value;
    next.visibility = VisibilityOf(next.record, now, nullptr, 0, {});
  }
  return FromRocks(wb->Put(d->cf, op.encoded, value), "building the write batch");
}

Status StoreImpl::CurrentFor(const WriteOp& op, uint64_t now, PendingWrites* pending,
                             Current* single, Current** cur) {
  if (pending == nullptr) {
    *cur = single;
    return ReadCurrent(op.domain, op.encoded, now, single);
  }
  auto [it, inserted] = pending->try_emplace({IndexOf(op.domain), op.encoded});
  *cur = &it->second;
  // Read straight into the map's node, which never moves, so the record's
  // payload view stays valid without a second decode.
  return inserted ? ReadCurrent(op.domain, op.encoded, now, *cur) : Status::OK();
}

Status StoreImpl::CheckRestorable(const Current& cur, uint64_t retention, uint64_t now) const {
  if (!cur.exists || cur.visibility == Visibility::kExpired) {
    return Status::NotFound("no record to undelete");
  }
  switch (RestorableAt(cur.record, now, retention)) {
    case Restorable::kYes:
      return Status::OK();
    case Restorable::kNotDeleted:
      return Status::FailedPrecondition("record is live, not deleted");
    case Restorable::kRetentionPassed:
      return Status::Expired("deleted " + std::to_string(now - cur.record.time) +
                             " s ago; the domain's retention of " + std::to_string(retention) +
                             " s has passed");
    case Restorable::kExpiredWhileDeleted:
      break;
  }
  return Status::Expired("the record's time to live passed while it was deleted");
}

void StoreImpl::CountWrite(const WriteOp& op) {
  DomainCounters* c = op.domain->counters;
  const uint64_t bytes = op.tenant.size() + op.key.size() + op.value.size();
  c->user_bytes.fetch_add(bytes, std::memory_order_relaxed);
  c->tenants.AddUser(op.tenant, bytes);
  switch (op.kind) {
    case OpKind::kPut:
      c->puts.fetch_add(1, std::memory_order_relaxed);
      break;
    case OpKind::kDelete:
      c->deletes.fetch_add(1, std::memory_order_relaxed);
      break;
    case OpKind::kHardDelete:
      c->hard_deletes.fetch_add(1, std::memory_order_relaxed);
      break;
    case OpKind::kUndelete:
      c->undeletes.fetch_add(1, std::memory_order_relaxed);
      break;
  }
}

}  // namespace metakv
