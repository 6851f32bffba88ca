#include "engine/snapshots.h"

#include <algorithm>

namespace metakv {

void SnapshotList::Add(SnapshotImpl* snap) {
  std::lock_guard<std::mutex> lock(mu_);
  snapshots_.insert(snap);
  times_.insert(snap->time_);
}

void SnapshotList::Release(const Snapshot* snapshot, rocksdb::DB* db) {
  auto* snap = const_cast<SnapshotImpl*>(dynamic_cast<const SnapshotImpl*>(snapshot));
  std::lock_guard<std::mutex> lock(mu_);
  if (snap == nullptr || snapshots_.erase(snap) == 0) return;  // not ours
  times_.erase(times_.find(snap->time_));
  if (snap->snapshot_ != nullptr && db != nullptr) db->ReleaseSnapshot(snap->snapshot_);
  delete snap;
}

uint64_t SnapshotList::OldestTime(uint64_t none) const {
  std::lock_guard<std::mutex> lock(mu_);
  return times_.empty() ? none : *times_.begin();
}

uint64_t SnapshotList::OldestSequence() const {
  uint64_t oldest = UINT64_MAX;
  std::lock_guard<std::mutex> lock(mu_);
  for (const SnapshotImpl* snap : snapshots_) {
    if (snap->snapshot_ != nullptr) {
      oldest = std::min<uint64_t>(oldest, snap->snapshot_->GetSequenceNumber());
    }
  }
  return oldest;
}

void SnapshotList::ReleaseAll(rocksdb::DB* db) {
  std::lock_guard<std::mutex> lock(mu_);
  for (SnapshotImpl* snap : snapshots_) {
    if (snap->snapshot_ != nullptr) db->ReleaseSnapshot(snap->snapshot_);
    snap->snapshot_ = nullptr;
  }
}

SnapshotList::~SnapshotList() {
  for (SnapshotImpl* snap : snapshots_) delete snap;
}

}  // namespace metakv
