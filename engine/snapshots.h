// The snapshots a store has handed out (Store::GetSnapshot): each a RocksDB
// snapshot with the store's time and removals of its moment, and the list
// of them the store keeps, so compaction never purges what one can see.
//
// Thread-safety: SnapshotList is internally synchronized; a SnapshotImpl is
// immutable but for snapshot_, which only SnapshotList changes.
#ifndef METAKV_ENGINE_SNAPSHOTS_H_
#define METAKV_ENGINE_SNAPSHOTS_H_

#include <rocksdb/db.h>

#include <cstdint>
#include <memory>
#include <mutex>
#include <set>

#include "compaction/removals.h"
#include "metakv/store.h"

namespace metakv {

// The time reads through it are evaluated at, and its rocksdb snapshot.
class SnapshotImpl : public Snapshot {
 public:
  // snapshot null: a secondary store's, whose RocksDB view stays put while
  // the snapshot lives (Store::TryCatchUpWithPrimary waits for it).
  SnapshotImpl(const Store* owner, const rocksdb::Snapshot* snapshot, uint64_t time,
               std::shared_ptr<const RemovalSet> removals)
      : owner_(owner),
        snapshot_(snapshot),
        frozen_view_(snapshot == nullptr),
        time_(time),
        removals_(std::move(removals)) {}
  uint64_t time_seconds() const override { return time_; }

  const Store* owner_;
  const rocksdb::Snapshot* snapshot_;  // null once the store has closed
  const bool frozen_view_;             // a secondary's: no RocksDB snapshot
  const uint64_t time_;
  // The logical removals in force when it was taken (null: none).
  const std::shared_ptr<const RemovalSet> removals_;
};

class SnapshotList {
 public:
  // Takes ownership of snap.
  void Add(SnapshotImpl* snap);
  // Removes and deletes snapshot, releasing its RocksDB snapshot in db (if
  // still held); nothing if it is not in the list.
  void Release(const Snapshot* snapshot, rocksdb::DB* db);
  bool empty() const {
    std::lock_guard<std::mutex> lock(mu_);
    return snapshots_.empty();
  }
  // The time of the oldest snapshot, or `none` if there is none.
  uint64_t OldestTime(uint64_t none) const;
  // The sequence number of the oldest RocksDB snapshot held; UINT64_MAX if
  // none.
  uint64_t OldestSequence() const;
  // At Close: releases every RocksDB snapshot held; the snapshots stay
  // (their owners release them later) but read nothing any more.
  void ReleaseAll(rocksdb::DB* db);
  ~SnapshotList();

 private:
  mutable std::mutex mu_;
  std::set<SnapshotImpl*> snapshots_;  // GUARDED_BY(mu_), owned
  std::multiset<uint64_t> times_;      // GUARDED_BY(mu_)
};

}  // namespace metakv

#endif  // METAKV_ENGINE_SNAPSHOTS_H_
