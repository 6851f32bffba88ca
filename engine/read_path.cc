// The read path: Get, MultiGet, iterators, snapshots and size estimates.

#include <algorithm>

#include "codecs/key_codec.h"
#include "compaction/record_rules.h"
#include "engine/inspect.h"
#include "engine/iterator_impl.h"
#include "engine/rocksdb_util.h"
#include "engine/shard_iterator.h"
#include "engine/store_impl.h"

namespace metakv {

Status StoreImpl::ToRocksRead(const ReadOptions& ro, rocksdb::ReadOptions* out, uint64_t* now,
                              std::shared_ptr<const RemovalSet>* removals) const {
  out->verify_checksums = ro.verify_checksums;
  out->fill_cache = ro.fill_cache;
  if (ro.snapshot != nullptr) {
    const auto* snap = dynamic_cast<const SnapshotImpl*>(ro.snapshot);
    if (snap == nullptr || snap->owner_ != this ||
        (snap->snapshot_ == nullptr && !snap->frozen_view_)) {
      return Status::InvalidArgument("snapshot does not belong to this open store");
    }
    out->snapshot = snap->snapshot_;
    Now();  // every call moves the store's time (engine/store_clock.h)
    *now = snap->time_;
    if (removals != nullptr) *removals = snap->removals_;
  } else {
    *now = Now();
    if (removals != nullptr) *removals = CurrentRemovals();
  }
  return Status::OK();
}

// ---------------------------------------------------------------- Reads ----

namespace {

// What Get answers for a stored record: OK with *value set if a read at now
// may show it, otherwise NotFound saying why (or Corruption).
Status VisibleValue(std::string_view encoded_key, std::string_view stored, uint64_t now,
                    const RemovalSet* removals, size_t domain, std::string* value) {
  codecs::Record record;
  Status s = codecs::DecodeRecord(encoded_key, stored, &record);
  if (!s.ok()) return s;
  switch (VisibilityOf(record, now, removals, domain, encoded_key)) {
    case Visibility::kVisible:
      value->assign(record.payload.data(), record.payload.size());
      return Status::OK();
    case Visibility::kRemoved:
      return Status::NotFound("record is in a removed tree");
    case Visibility::kDeleted:
      return Status::NotFound("record is deleted");
    case Visibility::kExpired:
      break;
  }
  return Status::NotFound("record has expired");
}

}  // namespace

Status StoreImpl::Get(const ReadOptions& ro, std::string_view domain, std::string_view tenant,
                      std::string_view key, std::string* value) {
  LatencyTimer timer(LatencyOf(LatencyOp::kGet));
  Status s = CheckOpen();
  Domain* d = nullptr;
  if (s.ok()) s = FindShard(domain, tenant, &d);
  if (s.ok()) s = CheckKey(tenant, key);
  if (s.ok() && value == nullptr) s = Status::InvalidArgument("Get: value is null");
  std::shared_lock<std::shared_mutex> view = HoldSecondaryView();
  rocksdb::ReadOptions rro;
  uint64_t now = 0;
  std::shared_ptr<const RemovalSet> removals;
  if (s.ok()) s = ToRocksRead(ro, &rro, &now, &removals);
  if (!s.ok()) return s;
  const std::string encoded = codecs::EncodeKey(tenant, key);
  rocksdb::PinnableSlice stored;
  rocksdb::Status rs = db_->Get(rro, d->cf, encoded, &stored);
  if (rs.IsNotFound()) return Status::NotFound("no such record");
  if (!rs.ok()) return FromRocks(rs, "get");
  return VisibleValue(encoded, std::string_view(stored.data(), stored.size()), now, removals.get(),
                      IndexOf(d), value);
}

Status StoreImpl::MultiGet(const ReadOptions& ro, const std::vector<KeyRef>& keys,
                           std::vector<std::string>* values, std::vector<Status>* statuses) {
  LatencyTimer timer(LatencyOf(LatencyOp::kMultiGet));
  Status s = CheckOpen();
  if (s.ok() && (values == nullptr || statuses == nullptr)) {
    s = Status::InvalidArgument("MultiGet: values or statuses is null");
  }
  std::shared_lock<std::shared_mutex> view = HoldSecondaryView();
  rocksdb::ReadOptions rro;
  uint64_t now = 0;
  std::shared_ptr<const RemovalSet> removals;
  if (s.ok()) s = ToRocksRead(ro, &rro, &now, &removals);
  if (!s.ok()) return s;
  values->assign(keys.size(), std::string());
  statuses->assign(keys.size(), Status::OK());

  std::vector<size_t> positions;  // of the keys passed to RocksDB
  std::vector<size_t> domain_of;  // their domains' indexes
  std::vector<rocksdb::ColumnFamilyHandle*> cfs;
  std::vector<std::string> encoded;
  for (size_t i = 0; i < keys.size(); ++i) {
    Domain* d = nullptr;
    Status ks = FindShard(keys[i].domain, keys[i].tenant, &d);
    if (ks.ok()) ks = CheckKey(keys[i].tenant, keys[i].key);
    if (!ks.ok()) {
      (*statuses)[i] = ks;
      continue;
    }
    positions.push_back(i);
    domain_of.push_back(IndexOf(d));
    cfs.push_back(d->cf);
    encoded.push_back(codecs::EncodeKey(keys[i].tenant, keys[i].key));
  }
  // One view for all keys: an implicit snapshot unless the caller gave one
  // (a secondary's view moves only at a catch-up, which `view` holds off).
  const rocksdb::Snapshot* implicit = nullptr;
  if (rro.snapshot == nullptr && !Secondary()) {
    implicit = db_->GetSnapshot();
    rro.snapshot = implicit;
  }
  std::vector<rocksdb::Slice> slices(encoded.begin(), encoded.end());
  std::vector<std::string> stored;
  std::vector<rocksdb::Status> results = db_->MultiGet(rro, cfs, slices, &stored);
  if (implicit != nullptr) db_->ReleaseSnapshot(implicit);
  for (size_t j = 0; j < positions.size(); ++j) {
    const size_t i = positions[j];
    if (results[j].IsNotFound()) {
      (*statuses)[i] = Status::NotFound("no such record");
      continue;
    }
    if (!results[j].ok()) {
      (*statuses)[i] = FromRocks(results[j], "multiget");
      continue;
    }
    (*statuses)[i] =
        VisibleValue(encoded[j], stored[j], now, removals.get(), domain_of[j], &(*values)[i]);
  }
  return Status::OK();
}

namespace {

// The encoded bounds of a scan of one tenant.
Status ScanBounds(const ScanSpec& spec, std::string* lower, std::string* upper) {
  if (spec.tenant.empty()) {
    if (!spec.prefix.empty() || !spec.lower_bound.empty() || !spec.upper_bound.empty()) {
      return Status::InvalidArgument("ScanSpec: prefix and bounds need a tenant");
    }
    return Status::OK();
  }
  Status s = codecs::ValidateTenant(spec.tenant);
  if (!s.ok()) return s;
  const std::string& start = std::max(spec.prefix, spec.lower_bound);
  *lower = codecs::EncodeKey(spec.tenant, start);
  const std::string prefix_end = codecs::PrefixSuccessor(spec.prefix);
  *upper = prefix_end.empty() ? codecs::TenantUpperBound(spec.tenant)
                              : codecs::EncodeKey(spec.tenant, prefix_end);
  if (!spec.upper_bound.empty()) {
    *upper = std::min(*upper, codecs::EncodeKey(spec.tenant, spec.upper_bound));
  }
  if (*upper < *lower) *upper = *lower;  // an empty range
  return Status::OK();
}

}  // namespace

Status StoreImpl::NewIterator(const ReadOptions& ro, std::string_view domain, const ScanSpec& spec,
                              std::unique_ptr<Iterator>* out) {
  Status s = CheckOpen();
  Domain* d = nullptr;
  if (s.ok()) s = spec.tenant.empty() ? FindDomain(domain, &d) : FindShard(domain, spec.tenant, &d);
  if (s.ok() && out == nullptr) s = Status::InvalidArgument("NewIterator: out is null");
  IteratorImpl::View view;
  if (s.ok()) s = ScanBounds(spec, &view.lower, &view.upper);
  if (!s.ok()) return s;
  view.scope_tenant = spec.tenant;
  view.recycle_bin = spec.deleted;
  view.seek_latency = LatencyOf(LatencyOp::kScanSeek);
  view.retention_seconds = d->options.tombstone_retention_seconds;
  // The RocksDB view (its implicit snapshot) and the removals of one moment.
  std::shared_lock<std::shared_mutex> secondary_view = HoldSecondaryView();
  std::shared_lock<std::shared_mutex> removals_lock = removals_.LockSharedNow();
  rocksdb::ReadOptions rro;
  s = ToRocksRead(ro, &rro, &view.now, &view.removals);
  if (!s.ok()) return s;
  // A tenant's scan reads its shard; a domain-wide scan of a sharded domain
  // merges every shard, all at one snapshot (a secondary's view moves only
  // at a catch-up, which open iterators hold off).
  const uint32_t shards = spec.tenant.empty() ? d->shards : 1;
  const rocksdb::Snapshot* implicit = nullptr;
  if (shards > 1 && rro.snapshot == nullptr && !Secondary()) {
    implicit = db_->GetSnapshot();
    rro.snapshot = implicit;
  }
  std::vector<std::unique_ptr<Iterator>> children;
  for (Domain* shard = d; shard != d + shards; ++shard) {
    IteratorImpl::View shard_view = view;
    shard_view.domain_index = IndexOf(shard);
    open_iterators_.fetch_add(1, std::memory_order_relaxed);
    children.push_back(IteratorImpl::Create(db_.get(), shard->cf, rro, std::move(shard_view),
                                            [this] { IteratorClosed(); }));
  }
  if (shards == 1) {
    *out = std::move(children.front());
  } else {
    *out = std::make_unique<ShardMergeIterator>(std::move(children), [this, implicit] {
      if (implicit != nullptr) db_->ReleaseSnapshot(implicit);
    });
  }
  return Status::OK();
}

const Snapshot* StoreImpl::GetSnapshot() {
  if (!db_) return nullptr;
  std::shared_lock<std::shared_mutex> secondary_view = HoldSecondaryView();
  std::shared_lock<std::shared_mutex> removals_lock = removals_.LockSharedNow();
  // A secondary cannot read at a RocksDB snapshot; its view is frozen
  // instead (TryCatchUpWithPrimary waits for the snapshot's release).
  auto* snap = new SnapshotImpl(this, Secondary() ? nullptr : db_->GetSnapshot(), Now(),
                                CurrentRemovals());
  removals_lock.unlock();
  snapshots_.Add(snap);
  return snap;
}

std::shared_lock<std::shared_mutex> StoreImpl::HoldSecondaryView() {
  if (!Secondary()) return {};
  return std::shared_lock<std::shared_mutex>(secondary_view_mu_);
}

Status StoreImpl::TryCatchUpWithPrimary() {
  Status s = CheckOpen();
  if (!s.ok()) return s;
  if (!Secondary()) {
    return Status::NotSupported(
        "TryCatchUpWithPrimary: the store is not open as a secondary (Options::secondary_path)");
  }
  std::unique_lock<std::shared_mutex> view(secondary_view_mu_);
  if (open_iterators_.load() != 0 || !snapshots_.empty()) {
    return Status::Busy(
        "TryCatchUpWithPrimary: iterators or snapshots are open, whose view must not move");
  }
  s = FromRocks(db_->TryCatchUpWithPrimary(), path_ + ": catching up with the primary");
  // The removals of the new view: a removal the primary made since must
  // hide its records here too.
  if (s.ok()) s = LoadRemovals();
  return s;
}

void StoreImpl::ReleaseSnapshot(const Snapshot* snapshot) {
  if (snapshot != nullptr) snapshots_.Release(snapshot, db_.get());
}

Status StoreImpl::GetApproximateSize(std::string_view domain, std::string_view tenant,
                                     std::string_view prefix, uint64_t* bytes) {
  Status s = CheckOpen();
  Domain* d = nullptr;
  if (s.ok()) s = FindDomain(domain, &d);
  if (s.ok() && bytes == nullptr) s = Status::InvalidArgument("GetApproximateSize: bytes is null");
  if (s.ok() && tenant.empty() && !prefix.empty()) {
    s = Status::InvalidArgument("GetApproximateSize: a prefix needs a tenant");
  }
  if (s.ok() && !tenant.empty()) s = codecs::ValidateTenant(tenant);
  if (s.ok() && prefix.size() > options_.max_key_bytes) {
    s = Status::InvalidArgument("GetApproximateSize: prefix exceeds max_key_bytes");
  }
  if (!s.ok()) return s;
  std::string begin, end;
  if (tenant.empty()) {
    // Every encoded key starts with a non-empty escaped tenant: ["", 0xff...).
    end.assign(codecs::kMaxTenantBytes * 2 + 2, '\xff');
  } else {
    RemovalRangeBounds(tenant, prefix, &begin, &end);
  }
  rocksdb::SizeApproximationOptions so;
  so.include_memtables = true;
  so.include_files = true;
  const rocksdb::Range range(begin, end);
  *bytes = 0;
  // A tenant's shard, or every shard of the domain.
  Domain* first = tenant.empty() ? d : d + codecs::TenantShard(tenant, d->shards);
  const uint32_t count = tenant.empty() ? d->shards : 1;
  for (Domain* shard = first; shard != first + count; ++shard) {
    uint64_t size = 0;
    s = FromRocks(db_->GetApproximateSizes(so, shard->cf, &range, 1, &size), "approximate size");
    if (!s.ok()) return s;
    *bytes += size;
  }
  return Status::OK();
}

Status ReadStoredValue(Store* store, std::string_view domain, std::string_view encoded_key,
                       std::string* value) {
  return ImplOf(store)->ReadStored(domain, encoded_key, value);
}

Status StoreImpl::ReadStored(std::string_view domain, std::string_view encoded_key,
                             std::string* value) {
  Status s = CheckOpen();
  std::string tenant;
  std::string_view user_key;
  if (s.ok()) s = codecs::DecodeKey(encoded_key, &tenant, &user_key);
  Domain* d = nullptr;
  if (s.ok()) s = FindShard(domain, tenant, &d);
  if (!s.ok()) return s;
  rocksdb::Status rs = db_->Get(rocksdb::ReadOptions(), d->cf, encoded_key, value);
  if (rs.IsNotFound()) return Status::NotFound("nothing stored");
  return FromRocks(rs, "raw read");
}

}  // namespace metakv
