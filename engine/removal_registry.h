// The removal registry's state: the pending bulk removals (RemoveTree,
// RemoveTenant) and the set of them that reads and the compaction filter
// apply (compaction/removals.h), behind one reader-writer lock.
//
// Locking: commits, restores, purges and the written-under marks take the
// lock exclusively (LockExclusive); writes, snapshots and iterator creation
// take it shared (LockShared), so each sees the removals and the RocksDB
// state of one moment. It is taken before any ingest gate or stripe lock.
// The published set is read without the lock (Current).
#ifndef METAKV_ENGINE_REMOVAL_REGISTRY_H_
#define METAKV_ENGINE_REMOVAL_REGISTRY_H_

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <string_view>

#include "compaction/removals.h"

namespace metakv {

class RemovalRegistry {
 public:
  // The removals in force now; null if there are none. Lock-free.
  std::shared_ptr<const RemovalSet> Current() const;
  // Rebuilds the published set from pending(); domain_index maps a domain
  // name to its index (RemovalSet). REQUIRES: the lock held exclusively.
  void Publish(size_t domains, const std::function<bool(std::string_view, size_t*)>& domain_index);

  // Takes the lock exclusively, ahead of writers arriving meanwhile:
  // writers take it shared all the time, and glibc's rwlock prefers
  // readers, so without this a steady stream of writes could hold a
  // removal off indefinitely.
  std::unique_lock<std::shared_mutex> LockExclusive();
  // Takes the lock shared, after any exclusive locker waiting.
  std::shared_lock<std::shared_mutex> LockShared();
  // Takes the lock shared at once (for readers that must not wait behind
  // a removal: snapshots and iterators).
  std::shared_lock<std::shared_mutex> LockSharedNow() const {
    return std::shared_lock<std::shared_mutex>(mu_);
  }

  // The pending removals by id, the next id and the latest removal time.
  // REQUIRES: the lock held (exclusively to change them).
  std::map<uint64_t, Removal>& pending() { return pending_; }
  uint64_t& next_id() { return next_id_; }
  uint64_t& last_time() { return last_time_; }

 private:
  mutable std::shared_mutex mu_;
  std::atomic<int> waiting_{0};          // exclusive lockers waiting
  std::map<uint64_t, Removal> pending_;  // GUARDED_BY(mu_)
  uint64_t next_id_ = 1;                 // GUARDED_BY(mu_)
  uint64_t last_time_ = 0;               // GUARDED_BY(mu_)
  // The published set (std::atomic_load/store); null if none.
  std::shared_ptr<const RemovalSet> set_;
  std::atomic<bool> has_set_{false};  // set_ is not null
};

}  // namespace metakv

#endif  // METAKV_ENGINE_REMOVAL_REGISTRY_H_
