#include "compaction/flush_observer.h"

#include <algorithm>

namespace metakv {

FlushObserver::FlushObserver(size_t recent_flushes)
    : recent_flushes_(std::max<size_t>(1, recent_flushes)) {}

FlushObserver::Figures FlushObserver::Get(const std::string& cf_name) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = cfs_.find(cf_name);
  if (it == cfs_.end()) return Figures();
  Figures f = it->second.figures;
  f.recent_entries_in = f.recent_entries_out = 0;
  for (const Flushed& r : it->second.recent) {
    f.recent_entries_in += r.in;
    f.recent_entries_out += r.out;
  }
  return f;
}

void FlushObserver::OnMemTableSealed(const rocksdb::MemTableInfo& info) {
  if (info.num_entries == 0) return;
  std::lock_guard<std::mutex> lock(mu_);
  PerCf& cf = cfs_[info.cf_name];
  cf.sealed.push_back(Sealed{info.first_seqno, info.num_entries});
  if (cf.sealed.size() > kMaxSealed) cf.sealed.pop_front();
}

void FlushObserver::OnFlushCompleted(rocksdb::DB*, const rocksdb::FlushJobInfo& info) {
  std::lock_guard<std::mutex> lock(mu_);
  PerCf& cf = cfs_[info.cf_name];
  ++cf.figures.flushes;
  uint64_t in = 0;
  while (!cf.sealed.empty() && cf.sealed.front().first_seqno <= info.largest_seqno) {
    in += cf.sealed.front().entries;
    cf.sealed.pop_front();
  }
  // A flush with no sealed memtable seen (recovery at open) says nothing
  // about absorption.
  if (in == 0) return;
  const uint64_t out =
      info.table_properties.num_entries + info.table_properties.num_range_deletions;
  cf.recent.push_back(Flushed{in, out});
  while (cf.recent.size() > recent_flushes_) cf.recent.pop_front();
}

}  // namespace metakv
