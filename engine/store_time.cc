// The store's time (engine/store_clock.h) as the store keeps it: the
// persisted bound, write times under removals, and the time compaction
// purges at.

#include <algorithm>

#include "codecs/coding.h"
#include "engine/rocksdb_util.h"
#include "engine/store_impl.h"

namespace metakv {

// ----------------------------------------------------------------- Time ----

uint64_t StoreImpl::Now() const {
  // A read-only store's bound is unbounded: nothing to extend.
  if (db_) ExtendTimeBound(0).PermitUncheckedError();
  return clock_->NowSeconds();
}

Status StoreImpl::ExtendTimeBound(uint64_t seconds) const {
  if (clock_->BoundNeededFor(seconds) == 0) return Status::OK();  // unbounded: never needed
  std::lock_guard<std::mutex> lock(time_mu_);
  const uint64_t bound = clock_->BoundNeededFor(seconds);
  if (bound == 0) return Status::OK();
  // Every stamp so far is at most the old bound, and later ones are covered
  // before they are written.
  Status s = StoreClock::WriteBound(db_->GetEnv(), path_, bound, bound);
  if (!s.ok()) return s;
  clock_->SetBound(bound);
  return Status::OK();
}

Status StoreImpl::LoadTimeBound() {
  uint64_t floor = 0, max_write = 0;
  bool found = false;
  Status s = StoreClock::ReadBound(db_->GetEnv(), path_, &floor, &max_write, &found);
  if (!s.ok()) return s;
  if (!found) {
    // A store written before the file existed (or a new one, which holds
    // nothing): the newest time any record was stamped with.
    for (Domain& d : domains_) {
      std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions(), d.cf));
      for (it->SeekToFirst(); it->Valid(); it->Next()) {
        codecs::Record record;
        const std::string_view key(it->key().data(), it->key().size());
        // A record that does not decode is reported when read, not here.
        if (codecs::DecodeRecord(key, std::string_view(it->value().data(), it->value().size()),
                                 &record)
                .ok()) {
          floor = std::max(floor, record.time);
        }
      }
      if (!it->status().ok()) return FromRocks(it->status(), path_ + ": reading record times");
    }
    // And the removals' times (LoadRemovals).
    floor = std::max(floor, removals_.last_time());
    max_write = floor;
  }
  NoteWriteTime(max_write);
  clock_->Start(floor, options_.read_only ? StoreClock::kUnbounded : floor);
  return ExtendTimeBound(std::max(floor, max_write));
}

void StoreImpl::PersistExactTimeBound() {
  const uint64_t floor = clock_->floor_seconds();
  const uint64_t max_write = max_write_time_.load(std::memory_order_relaxed);
  const uint64_t bound = clock_->bound_seconds();
  // Never loaded, or nothing to lower.
  if (bound == StoreClock::kUnbounded || std::max(floor, max_write) >= bound) return;
  std::lock_guard<std::mutex> lock(time_mu_);
  // Nothing is handed out past it from now on, then it is written. If the
  // write fails the persisted bound stays the lease: the next open starts
  // at most a lease ahead.
  clock_->SetBound(floor);
  StoreClock::WriteBound(db_->GetEnv(), path_, floor, max_write).PermitUncheckedError();
}

uint64_t StoreImpl::WriteTimeFor(const Domain* d, std::string_view encoded_key,
                                 uint64_t now) const {
  const std::shared_ptr<const RemovalSet> set = CurrentRemovals();
  if (!set) return now;
  const RemovalSet::Entry* e = set->Covering(IndexOf(d), encoded_key);
  return e == nullptr ? now : std::max(now, codecs::SaturatingAdd(e->time, 1));
}

void StoreImpl::NoteWriteTime(uint64_t time) {
  uint64_t seen = max_write_time_.load(std::memory_order_relaxed);
  while (seen < time &&
         !max_write_time_.compare_exchange_weak(seen, time, std::memory_order_relaxed)) {
  }
}

uint64_t StoreImpl::PurgeTime() {
  const uint64_t now = clock_->floor_seconds();
  return std::min(now, snapshots_.OldestTime(now));
}

}  // namespace metakv
