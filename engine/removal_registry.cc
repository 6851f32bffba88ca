// The removal registry: the pending bulk removals (RemoveTree,
// RestoreTree, RemoveTenant), their records, and the published set reads
// apply (see compaction/removals.h for how a removal is kept and applied).
#include <rocksdb/write_batch.h>

#include <algorithm>
#include <thread>

#include "codecs/coding.h"
#include "codecs/key_codec.h"
#include "engine/removal_registry.h"
#include "engine/rocksdb_util.h"

#include "engine/store_impl.h"

namespace metakv {

std::shared_ptr<const RemovalSet> RemovalRegistry::Current() const {
  // Most of the time there is none: no lock of the shared_ptr's atomics.
  if (!has_set_.load(std::memory_order_acquire)) return nullptr;
  return std::atomic_load(&set_);
}

void RemovalRegistry::Publish(size_t domains,
                              const std::function<bool(std::string_view, size_t*)>& index) {
  std::vector<Removal> all;
  for (const auto& [id, r] : pending_) all.push_back(r);
  std::shared_ptr<const RemovalSet> set;
  if (!all.empty()) set = std::make_shared<RemovalSet>(all, domains, index);
  if (set) {
    std::atomic_store(&set_, set);
    has_set_.store(true, std::memory_order_release);
  } else {
    has_set_.store(false, std::memory_order_release);
    std::atomic_store(&set_, set);
  }
}

std::unique_lock<std::shared_mutex> RemovalRegistry::LockExclusive() {
  waiting_.fetch_add(1, std::memory_order_acq_rel);
  std::unique_lock<std::shared_mutex> lock(mu_);
  waiting_.fetch_sub(1, std::memory_order_acq_rel);
  return lock;
}

std::shared_lock<std::shared_mutex> RemovalRegistry::LockShared() {
  while (waiting_.load(std::memory_order_acquire) != 0) std::this_thread::yield();
  return std::shared_lock<std::shared_mutex>(mu_);
}

std::shared_ptr<const RemovalSet> StoreImpl::CurrentRemovals() const { return removals_.Current(); }

void StoreImpl::PublishRemovals() {
  removals_.Publish(domains_.size(), [this](std::string_view name, size_t* index) {
    auto it = domain_index_.find(std::string(name));
    if (it == domain_index_.end()) return false;
    *index = it->second;
    return true;
  });
}

Status StoreImpl::LoadRemovals() {
  std::unique_lock<std::shared_mutex> lock = LockRemovalsExclusive();
  removals_.pending().clear();
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions(), default_cf_));
  for (it->Seek(rocksdb::Slice(kRemovalKeyPrefix.data(), kRemovalKeyPrefix.size()));
       it->Valid() &&
       it->key().starts_with(rocksdb::Slice(kRemovalKeyPrefix.data(), kRemovalKeyPrefix.size()));
       it->Next()) {
    Removal r;
    Status s = Removal::Decode(std::string_view(it->key().data(), it->key().size()),
                               std::string_view(it->value().data(), it->value().size()), &r);
    if (!s.ok()) return Status::Corruption(path_ + ": " + s.message());
    for (const auto& range : r.ranges) {
      if (domain_index_.count(range.first) == 0) {
        return Status::Corruption(path_ + ": removal " + std::to_string(r.id) +
                                  " names undeclared domain '" + range.first + "'");
      }
    }
    removals_.next_id() = std::max(removals_.next_id(), r.id + 1);
    removals_.pending()[r.id] = std::move(r);
  }
  if (!it->status().ok()) return FromRocks(it->status(), path_ + ": reading pending removals");
  std::string next;
  rocksdb::Status rs = db_->Get(rocksdb::ReadOptions(), default_cf_, kNextRemovalIdKey, &next);
  if (rs.ok()) {
    uint64_t id = 0, last_removal = 0;
    if (!DecodeNextRemovalId(next, &id, &last_removal)) {
      return Status::Corruption(path_ + ": bad next removal id record");
    }
    removals_.next_id() = std::max(removals_.next_id(), id);
    removals_.last_time() = std::max(removals_.last_time(), last_removal);
  } else if (!rs.IsNotFound()) {
    return FromRocks(rs, path_ + ": reading the next removal id");
  }
  PublishRemovals();
  return Status::OK();
}

Status StoreImpl::CommitRemoval(const WriteOptions& wo, Removal removal) {
  removal.id = removals_.next_id();
  // Nothing can be written between this and the removal's own write but
  // cold ingests, whose sequence numbers come later still.
  removal.seq_before = db_->GetLatestSequenceNumber();
  rocksdb::WriteBatch wb;
  rocksdb::Status rs = wb.Put(default_cf_, removal.Key(), removal.Encode());
  // Ids are never reused, even once a removal is forgotten; and the
  // latest removal time bounds the write times given so far.
  const std::string next =
      EncodeNextRemovalId(removal.id + 1, std::max(removals_.last_time(), removal.time));
  if (rs.ok()) rs = wb.Put(default_cf_, kNextRemovalIdKey, next);
  if (rs.ok()) rs = AddAppliedIndex(wo, &wb);
  if (rs.ok()) rs = db_->Write(ToRocksWrite(wo), &wb);
  if (!rs.ok()) return FromRocks(rs, "writing removal");
  ++removals_.next_id();
  removals_.last_time() = std::max(removals_.last_time(), removal.time);
  removal.seq = db_->GetLatestSequenceNumber();
  removals_.pending()[removal.id] = std::move(removal);
  PublishRemovals();
  return Status::OK();
}

std::unique_lock<std::shared_mutex> StoreImpl::LockRemovalsExclusive() {
  return removals_.LockExclusive();
}

Status StoreImpl::LockRemovalsForWrite(
    const std::vector<std::pair<Domain*, std::string_view>>& keys,
    std::shared_lock<std::shared_mutex>* lock) {
  while (true) {
    *lock = removals_.LockShared();
    const std::shared_ptr<const RemovalSet> set = CurrentRemovals();
    if (!set) return Status::OK();
    std::vector<uint64_t> unmarked;
    for (const auto& [d, key] : keys) set->UnmarkedCovering(IndexOf(d), key, &unmarked);
    if (unmarked.empty()) return Status::OK();
    std::sort(unmarked.begin(), unmarked.end());
    unmarked.erase(std::unique(unmarked.begin(), unmarked.end()), unmarked.end());
    lock->unlock();
    // Mark them durably before the write, synced: a write through the WAL
    // would find its mark before it in the WAL, but a cold ingest's file
    // does not go through the WAL, and a power cut takes unsynced WAL
    // bytes while the synced file stays (then scans, which skip a removed
    // range with no mark, would hide the file's records). Once per removal.
    std::unique_lock<std::shared_mutex> exclusive = LockRemovalsExclusive();
    rocksdb::WriteBatch wb;
    for (uint64_t id : unmarked) {
      auto it = removals_.pending().find(id);
      if (it == removals_.pending().end() || it->second.written_under) continue;
      Removal marked = it->second;
      marked.written_under = true;
      rocksdb::Status rs = wb.Put(default_cf_, marked.Key(), marked.Encode());
      if (!rs.ok()) return FromRocks(rs, "marking removal");
    }
    if (wb.Count() > 0) {
      rocksdb::WriteOptions synced;
      synced.sync = true;
      rocksdb::Status rs = db_->Write(synced, &wb);
      if (!rs.ok()) return FromRocks(rs, "marking removal");
      for (uint64_t id : unmarked) {
        auto it = removals_.pending().find(id);
        if (it != removals_.pending().end()) it->second.written_under = true;
      }
      PublishRemovals();
    }
  }
}

Status StoreImpl::RemoveTree(const WriteOptions& wo, std::string_view tenant,
                             const std::vector<PrefixRef>& prefixes, RemoveMode mode,
                             uint64_t* removal_id) {
  Status s = CheckWritable();
  if (s.ok()) s = codecs::ValidateTenant(tenant);
  if (s.ok() && prefixes.empty()) s = Status::InvalidArgument("RemoveTree: no prefixes");
  if (s.ok() && mode != RemoveMode::kLogical && mode != RemoveMode::kHard) {
    s = Status::InvalidArgument("RemoveTree: unknown mode");
  }
  if (!s.ok()) return s;
  const bool logical = mode == RemoveMode::kLogical;
  std::vector<std::pair<Domain*, std::string>> ranges;
  uint64_t retention = UINT64_MAX;
  for (const PrefixRef& p : prefixes) {
    Domain* d = nullptr;
    s = FindShard(p.domain, tenant, &d);
    if (!s.ok()) return s;
    if (p.prefix.empty()) return Status::InvalidArgument("RemoveTree: empty prefix");
    if (p.prefix.size() > options_.max_key_bytes) {
      return Status::InvalidArgument("RemoveTree: prefix of " + std::to_string(p.prefix.size()) +
                                     " bytes exceeds max_key_bytes");
    }
    if (logical && d->options.temperature == Temperature::kCold) {
      return Status::InvalidArgument("RemoveTree: cold domain '" + d->domain_name +
                                     "' expires by TTL; remove it with RemoveMode::kHard");
    }
    for (const auto& [other, prefix] : ranges) {
      if (other == d && (prefix.rfind(p.prefix, 0) == 0 || p.prefix.rfind(prefix, 0) == 0)) {
        return Status::InvalidArgument("RemoveTree: overlapping prefixes in domain '" +
                                       d->domain_name + "'");
      }
    }
    retention = std::min(retention, d->options.tombstone_retention_seconds);
    ranges.emplace_back(d, std::string(p.prefix));
  }
  Removal r;
  r.logical = logical;
  r.tenant = std::string(tenant);
  for (const auto& [d, prefix] : ranges) r.ranges.emplace_back(d->options.name, prefix);
  std::unique_lock<std::shared_mutex> lock = LockRemovalsExclusive();
  // A removal hides records by write time: it must not be older than a
  // write time given ahead of the clock (a record written under an earlier
  // removal in the same second), or it would miss that record.
  r.time = std::max(Now(), max_write_time_.load(std::memory_order_relaxed));
  s = ExtendTimeBound(r.time);
  if (!s.ok()) return s;
  // Purgeable after the retention, or (hard) from the next second: a
  // snapshot taken in the removal's second, which compaction judges by that
  // second, may still see the records.
  r.purge_time = codecs::SaturatingAdd(r.time, logical ? std::max<uint64_t>(retention, 1) : 1);
  const uint64_t id = removals_.next_id();
  s = CommitRemoval(wo, std::move(r));
  if (!s.ok()) return s;
  lock.unlock();
  if (removal_id != nullptr) *removal_id = id;
  for (const auto& [d, prefix] : ranges) {
    d->counters->tree_removals.fetch_add(1, std::memory_order_relaxed);
  }
  return Status::OK();
}

Status StoreImpl::ListRemovals(std::vector<RemovalInfo>* out) {
  Status s = CheckOpen();
  if (s.ok() && out == nullptr) s = Status::InvalidArgument("ListRemovals: out is null");
  if (!s.ok()) return s;
  out->clear();
  std::shared_lock<std::shared_mutex> view = HoldSecondaryView();
  std::shared_lock<std::shared_mutex> lock = removals_.LockSharedNow();
  for (const auto& [id, r] : removals_.pending()) {
    RemovalInfo info;
    info.id = id;
    info.tenant = r.tenant;
    info.mode = r.logical ? RemoveMode::kLogical : RemoveMode::kHard;
    info.time_seconds = r.time;
    info.purge_time_seconds = r.purge_time;
    for (const auto& [cf_name, prefix] : r.ranges) {  // a shard's column family: its domain
      info.prefixes.emplace_back(std::string(DomainOfColumnFamily(cf_name)), prefix);
    }
    out->push_back(std::move(info));
  }
  return Status::OK();
}

Status StoreImpl::RestoreTree(const WriteOptions& wo, uint64_t removal_id) {
  Status s = CheckWritable();
  if (!s.ok()) return s;
  std::unique_lock<std::shared_mutex> lock = LockRemovalsExclusive();
  auto it = removals_.pending().find(removal_id);
  if (it == removals_.pending().end() || !it->second.logical) {
    return Status::NotFound("no pending logical tree removal " + std::to_string(removal_id));
  }
  const Removal& r = it->second;
  const uint64_t now = Now();
  if (now >= r.purge_time) {
    return Status::Expired("tree removal " + std::to_string(removal_id) + " was " +
                           std::to_string(now - r.time) + " s ago; its retention has passed");
  }
  rocksdb::WriteBatch wb;
  rocksdb::Status rs = wb.Delete(default_cf_, r.Key());
  if (rs.ok()) rs = AddAppliedIndex(wo, &wb);
  if (rs.ok()) rs = db_->Write(ToRocksWrite(wo), &wb);
  if (!rs.ok()) return FromRocks(rs, "restoring tree");
  for (const auto& range : r.ranges) {
    domains_[domain_index_.at(range.first)].counters->tree_restores.fetch_add(
        1, std::memory_order_relaxed);
  }
  removals_.pending().erase(it);
  PublishRemovals();
  return Status::OK();
}

Status StoreImpl::RemoveTenant(const WriteOptions& wo, std::string_view tenant) {
  Status s = CheckWritable();
  if (s.ok()) s = codecs::ValidateTenant(tenant);
  if (!s.ok()) return s;
  Removal r;
  r.tenant = std::string(tenant);
  // The tenant's shard of every domain (the ranges name column families).
  std::vector<Domain*> shards;
  for (auto& d : domains_) {
    if (d.shard == codecs::TenantShard(tenant, d.shards)) shards.push_back(&d);
  }
  for (const Domain* d : shards) r.ranges.emplace_back(d->options.name, std::string());
  std::unique_lock<std::shared_mutex> lock = LockRemovalsExclusive();
  r.time = std::max(Now(), max_write_time_.load(std::memory_order_relaxed));
  s = ExtendTimeBound(r.time);
  if (!s.ok()) return s;
  r.purge_time = codecs::SaturatingAdd(r.time, 1);  // as for RemoveTree
  s = CommitRemoval(wo, std::move(r));
  if (!s.ok()) return s;
  lock.unlock();
  for (Domain* d : shards) d->counters->tenant_removals.fetch_add(1, std::memory_order_relaxed);
  return Status::OK();
}

}  // namespace metakv
