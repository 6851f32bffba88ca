// Bulk deletes and the purge deadline: Store::RemoveTree, RestoreTree,
// RemoveTenant and EnforcePurgeDeadline (see engine/removals.h for how a
// removal is kept and applied).
#include <rocksdb/listener.h>
#include <rocksdb/metadata.h>
#include <rocksdb/write_batch.h>

#include <algorithm>
#include <set>
#include <thread>

#include "codecs/coding.h"
#include "codecs/key_codec.h"
#include "compaction/record_properties.h"
#include "engine/rocksdb_util.h"
#include "engine/store_impl.h"

namespace metakv {

namespace {

// At most this many range compactions per domain and call, so one pass
// stays bounded; the rest wait for the next pass.
constexpr size_t kMaxDeadlineCompactionsPerDomain = 64;

}  // namespace

std::shared_ptr<const RemovalSet> Store::Impl::CurrentRemovals() const {
  // Most of the time there is none: no lock of the shared_ptr's atomics.
  if (!has_removal_set_.load(std::memory_order_acquire)) return nullptr;
  return std::atomic_load(&removal_set_);
}

void Store::Impl::PublishRemovals() {
  std::vector<Removal> all;
  for (const auto& [id, r] : pending_removals_) all.push_back(r);
  std::shared_ptr<const RemovalSet> set;
  if (!all.empty()) {
    set = std::make_shared<RemovalSet>(all, domains_.size(),
                                       [this](std::string_view name, size_t* index) {
                                         auto it = domain_index_.find(std::string(name));
                                         if (it == domain_index_.end()) return false;
                                         *index = it->second;
                                         return true;
                                       });
  }
  if (set) {
    std::atomic_store(&removal_set_, set);
    has_removal_set_.store(true, std::memory_order_release);
  } else {
    has_removal_set_.store(false, std::memory_order_release);
    std::atomic_store(&removal_set_, set);
  }
}

Status Store::Impl::LoadRemovals() {
  std::unique_lock<std::shared_mutex> lock = LockRemovalsExclusive();
  pending_removals_.clear();
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
    next_removal_id_ = std::max(next_removal_id_, r.id + 1);
    pending_removals_[r.id] = std::move(r);
  }
  if (!it->status().ok()) return FromRocks(it->status(), path_ + ": reading pending removals");
  std::string next;
  rocksdb::Status rs = db_->Get(rocksdb::ReadOptions(), default_cf_, kNextRemovalIdKey, &next);
  if (rs.ok()) {
    std::string_view in = next;
    uint64_t id = 0, last_removal = 0;
    if (!codecs::GetVarint64(&in, &id) || !codecs::GetVarint64(&in, &last_removal) || !in.empty()) {
      return Status::Corruption(path_ + ": bad next removal id record");
    }
    next_removal_id_ = std::max(next_removal_id_, id);
    last_removal_time_ = std::max(last_removal_time_, last_removal);
  } else if (!rs.IsNotFound()) {
    return FromRocks(rs, path_ + ": reading the next removal id");
  }
  PublishRemovals();
  return Status::OK();
}

Status Store::Impl::CommitRemoval(const WriteOptions& wo, Removal removal) {
  removal.id = next_removal_id_;
  // Nothing can be written between this and the removal's own write but
  // cold ingests, whose sequence numbers come later still.
  removal.seq_before = db_->GetLatestSequenceNumber();
  rocksdb::WriteBatch wb;
  rocksdb::Status rs = wb.Put(default_cf_, removal.Key(), removal.Encode());
  // Ids are never reused, even once a removal is forgotten; and the
  // latest removal time bounds the write times given so far.
  std::string next;
  codecs::PutVarint64(&next, removal.id + 1);
  codecs::PutVarint64(&next, std::max(last_removal_time_, removal.time));
  if (rs.ok()) rs = wb.Put(default_cf_, kNextRemovalIdKey, next);
  if (rs.ok()) rs = db_->Write(ToRocksWrite(wo), &wb);
  if (!rs.ok()) return FromRocks(rs, "writing removal");
  ++next_removal_id_;
  last_removal_time_ = std::max(last_removal_time_, removal.time);
  removal.seq = db_->GetLatestSequenceNumber();
  pending_removals_[removal.id] = std::move(removal);
  PublishRemovals();
  return Status::OK();
}

std::unique_lock<std::shared_mutex> Store::Impl::LockRemovalsExclusive() {
  // Writers take the lock shared all the time; glibc's rwlock prefers
  // readers, so without this a steady stream of writes could hold a removal
  // off indefinitely. New writers wait while a removal is waiting.
  removals_waiting_.fetch_add(1, std::memory_order_acq_rel);
  std::unique_lock<std::shared_mutex> lock(removals_mu_);
  removals_waiting_.fetch_sub(1, std::memory_order_acq_rel);
  return lock;
}

Status Store::Impl::LockRemovalsForWrite(
    const std::vector<std::pair<Domain*, std::string_view>>& keys,
    std::shared_lock<std::shared_mutex>* lock) {
  while (true) {
    while (removals_waiting_.load(std::memory_order_acquire) != 0) std::this_thread::yield();
    *lock = std::shared_lock<std::shared_mutex>(removals_mu_);
    const std::shared_ptr<const RemovalSet> set = CurrentRemovals();
    if (!set) return Status::OK();
    std::vector<uint64_t> unmarked;
    for (const auto& [d, key] : keys) set->UnmarkedCovering(IndexOf(d), key, &unmarked);
    if (unmarked.empty()) return Status::OK();
    std::sort(unmarked.begin(), unmarked.end());
    unmarked.erase(std::unique(unmarked.begin(), unmarked.end()), unmarked.end());
    lock->unlock();
    // Mark them durably before the write: the WAL keeps writes in order, so
    // a record that survives a crash has its mark before it.
    std::unique_lock<std::shared_mutex> exclusive = LockRemovalsExclusive();
    rocksdb::WriteBatch wb;
    for (uint64_t id : unmarked) {
      auto it = pending_removals_.find(id);
      if (it == pending_removals_.end() || it->second.written_under) continue;
      Removal marked = it->second;
      marked.written_under = true;
      rocksdb::Status rs = wb.Put(default_cf_, marked.Key(), marked.Encode());
      if (!rs.ok()) return FromRocks(rs, "marking removal");
    }
    if (wb.Count() > 0) {
      rocksdb::Status rs = db_->Write(rocksdb::WriteOptions(), &wb);
      if (!rs.ok()) return FromRocks(rs, "marking removal");
      for (uint64_t id : unmarked) {
        auto it = pending_removals_.find(id);
        if (it != pending_removals_.end()) it->second.written_under = true;
      }
      PublishRemovals();
    }
  }
}

uint64_t Store::Impl::WriteTimeFor(const Domain* d, std::string_view encoded_key,
                                   uint64_t now) const {
  const std::shared_ptr<const RemovalSet> set = CurrentRemovals();
  if (!set) return now;
  const RemovalSet::Entry* e = set->Covering(IndexOf(d), encoded_key);
  return e == nullptr ? now : std::max(now, codecs::SaturatingAdd(e->time, 1));
}

void Store::Impl::NoteWriteTime(uint64_t time) {
  uint64_t seen = max_write_time_.load(std::memory_order_relaxed);
  while (seen < time &&
         !max_write_time_.compare_exchange_weak(seen, time, std::memory_order_relaxed)) {
  }
}

Status Store::Impl::RemoveTree(const WriteOptions& wo, std::string_view tenant,
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
    s = FindDomain(p.domain, &d);
    if (!s.ok()) return s;
    if (p.prefix.empty()) return Status::InvalidArgument("RemoveTree: empty prefix");
    if (p.prefix.size() > options_.max_key_bytes) {
      return Status::InvalidArgument("RemoveTree: prefix of " + std::to_string(p.prefix.size()) +
                                     " bytes exceeds max_key_bytes");
    }
    if (logical && d->options.temperature == Temperature::kCold) {
      return Status::InvalidArgument("RemoveTree: cold domain '" + d->options.name +
                                     "' expires by TTL; remove it with RemoveMode::kHard");
    }
    for (const auto& [other, prefix] : ranges) {
      if (other == d && (prefix.rfind(p.prefix, 0) == 0 || p.prefix.rfind(prefix, 0) == 0)) {
        return Status::InvalidArgument("RemoveTree: overlapping prefixes in domain '" +
                                       d->options.name + "'");
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
  const uint64_t id = next_removal_id_;
  s = CommitRemoval(wo, std::move(r));
  if (!s.ok()) return s;
  lock.unlock();
  if (removal_id != nullptr) *removal_id = id;
  for (const auto& [d, prefix] : ranges) {
    d->counters->tree_removals.fetch_add(1, std::memory_order_relaxed);
  }
  return Status::OK();
}

Status Store::Impl::RestoreTree(const WriteOptions& wo, uint64_t removal_id) {
  Status s = CheckWritable();
  if (!s.ok()) return s;
  std::unique_lock<std::shared_mutex> lock = LockRemovalsExclusive();
  auto it = pending_removals_.find(removal_id);
  if (it == pending_removals_.end() || !it->second.logical) {
    return Status::NotFound("no pending logical tree removal " + std::to_string(removal_id));
  }
  const Removal& r = it->second;
  const uint64_t now = Now();
  if (now >= r.purge_time) {
    return Status::Expired("tree removal " + std::to_string(removal_id) + " was " +
                           std::to_string(now - r.time) + " s ago; its retention has passed");
  }
  rocksdb::Status rs = db_->Delete(ToRocksWrite(wo), default_cf_, r.Key());
  if (!rs.ok()) return FromRocks(rs, "restoring tree");
  for (const auto& range : r.ranges) {
    domains_[domain_index_.at(range.first)].counters->tree_restores.fetch_add(
        1, std::memory_order_relaxed);
  }
  pending_removals_.erase(it);
  PublishRemovals();
  return Status::OK();
}

Status Store::Impl::RemoveTenant(const WriteOptions& wo, std::string_view tenant) {
  Status s = CheckWritable();
  if (s.ok()) s = codecs::ValidateTenant(tenant);
  if (!s.ok()) return s;
  Removal r;
  r.tenant = std::string(tenant);
  for (const auto& d : domains_) r.ranges.emplace_back(d.options.name, std::string());
  std::unique_lock<std::shared_mutex> lock = LockRemovalsExclusive();
  r.time = std::max(Now(), max_write_time_.load(std::memory_order_relaxed));
  s = ExtendTimeBound(r.time);
  if (!s.ok()) return s;
  r.purge_time = codecs::SaturatingAdd(r.time, 1);  // as for RemoveTree
  s = CommitRemoval(wo, std::move(r));
  if (!s.ok()) return s;
  lock.unlock();
  for (auto& d : domains_) d.counters->tenant_removals.fetch_add(1, std::memory_order_relaxed);
  return Status::OK();
}

// ------------------------------------------------------ Purge deadline ----

Status Store::Impl::EnforcePurgeDeadline(uint64_t min_age_seconds, uint64_t* compactions) {
  Status s = CheckWritable();
  if (!s.ok()) return s;
  std::lock_guard<std::mutex> lock(deadline_mu_);
  uint64_t n = 0;
  const uint64_t now = Now();

  // Memtables (and the WAL behind them) hold records too: flush those that
  // have held data for min_age_seconds, all in one flush so the old WAL
  // files can go.
  std::vector<rocksdb::ColumnFamilyHandle*> stale;
  for (size_t i = 0; i <= domains_.size(); ++i) {
    rocksdb::ColumnFamilyHandle* cf = i < domains_.size() ? domains_[i].cf : default_cf_;
    MemtableWatch& w = memtable_watch_[i];
    if (MemtableEntries(cf) == 0) {
      w.since = 0;
      continue;
    }
    // The default column family has no flush counter: it counts as never
    // flushed by RocksDB itself, which only flushes it early.
    const uint64_t flushes =
        i < domains_.size() ? domains_[i].counters->flushes.load(std::memory_order_relaxed) : 0;
    if (w.since == 0 || w.flushes != flushes) w = MemtableWatch{flushes, now};
    if (min_age_seconds == 0 || now - w.since >= min_age_seconds) {
      stale.push_back(cf);
      w.since = 0;
    }
  }
  if (!stale.empty()) {
    rocksdb::FlushOptions fo;
    fo.wait = true;
    rocksdb::Status rs = db_->Flush(fo, stale);
    if (!rs.ok()) return FromRocks(rs, "purge deadline flush");
  }

  s = PurgeDueRemovals(min_age_seconds, &n);
  for (auto& d : domains_) {
    if (!s.ok()) break;
    s = CompactDueFiles(&d, min_age_seconds, &n);
  }
  if (compactions != nullptr) *compactions = n;
  return s;
}

uint64_t Store::Impl::MemtableEntries(rocksdb::ColumnFamilyHandle* cf) {
  uint64_t active = 0, immutable = 0;
  db_->GetIntProperty(cf, rocksdb::DB::Properties::kNumEntriesActiveMemTable, &active);
  db_->GetIntProperty(cf, rocksdb::DB::Properties::kNumEntriesImmMemTables, &immutable);
  return active + immutable;
}

Status Store::Impl::DropCoveredFiles(Domain* d, const std::string& begin, const std::string& end,
                                     uint64_t max_seq, uint64_t removal_time) {
  DomainFiles df;
  Status s = ReadDomainFiles(d, &df);
  if (!s.ok()) return s;
  const rocksdb::LevelMetaData* last = nullptr;
  for (const auto& level : df.meta.levels) {
    if (!level.files.empty()) last = &level;
  }
  if (last == nullptr || last->level == 0) return Status::OK();
  for (const auto& f : last->files) {
    // Whole files inside the range, every record of them hidden by the
    // removal (written at or before its time, as reads judge it): nothing
    // in them survives it, and no level below holds older versions. Their
    // sequence numbers cannot tell on their own: a cold ingest into a free
    // range and a compaction to the last level both leave sequence number 0
    // on records written after the removal.
    FileRecordStats stats;
    if (f.being_compacted || f.smallestkey < begin || f.largestkey >= end ||
        f.largest_seqno > max_seq || !df.StatsOf(f, &stats) || stats.undecodable != 0 ||
        stats.max_record_time > removal_time) {
      continue;
    }
    MarkPurgeStep(PurgeStep::kDropFile, true);
    rocksdb::Status rs = db_->DeleteFile(f.name);
    MarkPurgeStep(PurgeStep::kDropFile, false);
    if (rs.ok()) {
      d->counters->purge_dropped_files.fetch_add(1, std::memory_order_relaxed);
      d->counters->purge_dropped_bytes.fetch_add(f.size, std::memory_order_relaxed);
    } else if (!rs.IsInvalidArgument()) {  // raced with a compaction: left to it
      return FromRocks(rs, "dropping " + f.name);
    }
  }
  return Status::OK();
}

Status Store::Impl::CompactFilesInPlace(
    Domain* d, const std::vector<std::pair<std::string, std::string>>& ranges,
    uint64_t* compactions, bool* skipped) {
  *skipped = false;
  // Outputs of inputs without deletion markers: every marker in them was
  // made here, by the filter dropping a hidden record whose older versions
  // (hidden too) this same pass drops from the files below. They shadow
  // nothing, so once no file was skipped they need no deadline compaction.
  std::vector<std::string> fresh_markers;
  rocksdb::ColumnFamilyMetaData meta;
  db_->GetColumnFamilyMetaData(d->cf, &meta);
  for (const auto& level : meta.levels) {
    for (const auto& f : level.files) {
      // Files overlapping some [begin, end) (largestkey is inclusive).
      bool overlaps = false;
      for (const auto& [begin, end] : ranges) {
        overlaps = overlaps || !(f.largestkey < begin || f.smallestkey >= end);
      }
      if (!overlaps) continue;
      if (f.being_compacted) {
        *skipped = true;
        continue;
      }
      std::vector<std::string> outputs;
      const uint64_t inherited = f.num_deletions == 0 ? 0 : MarkerTime(d, f);
      bool raced = false;
      MarkPurgeStep(PurgeStep::kPurgeCompaction, true);
      Status cs =
          CompactFileForPurge(d, {f.db_path + f.name}, level.level, &outputs, &raced, compactions);
      MarkPurgeStep(PurgeStep::kPurgeCompaction, false);
      if (!cs.ok()) return cs;
      if (raced) {
        *skipped = true;
        continue;
      }
      if (f.num_deletions == 0) {
        fresh_markers.insert(fresh_markers.end(), outputs.begin(), outputs.end());
      } else {
        NoteMarkerFiles(d, outputs, inherited);  // its own markers keep their time
      }
    }
  }
  if (!*skipped) NoteMarkerFiles(d, fresh_markers, MarkerTimes::kShadowNothing);
  return Status::OK();
}

Status Store::Impl::CompactFileForPurge(Domain* d, const std::vector<std::string>& files,
                                        int output_level, std::vector<std::string>* outputs,
                                        bool* raced, uint64_t* compactions) {
  rocksdb::CompactionJobInfo info;
  rocksdb::Status rs = db_->CompactFiles(rocksdb::CompactionOptions(), d->cf, files, output_level,
                                         -1, outputs, &info);
  *raced = rs.IsInvalidArgument() || rs.IsAborted() || rs.IsBusy();
  if (*raced) return Status::OK();
  if (!rs.ok()) return FromRocks(rs, "purge compaction of " + files.front());
  ++*compactions;
  d->counters->deadline_compactions.fetch_add(1, std::memory_order_relaxed);
  d->counters->deadline_compaction_bytes.fetch_add(info.stats.total_output_bytes,
                                                   std::memory_order_relaxed);
  return Status::OK();
}

Status Store::Impl::CompactToBottom(Domain* d, const std::string& begin, const std::string& end) {
  rocksdb::CompactRangeOptions co;
  co.bottommost_level_compaction = rocksdb::BottommostLevelCompaction::kForce;
  // Size-triggered compactions go on meanwhile.
  co.exclusive_manual_compaction = false;
  const rocksdb::Slice b(begin), e(end);
  const uint64_t written = d->counters->compaction_bytes_written.load();
  rocksdb::Status rs = db_->CompactRange(co, d->cf, &b, &e);
  if (!rs.ok()) return FromRocks(rs, "purge deadline compaction of '" + d->options.name + "'");
  d->counters->deadline_compactions.fetch_add(1, std::memory_order_relaxed);
  d->counters->deadline_compaction_bytes.fetch_add(
      d->counters->compaction_bytes_written.load() - written, std::memory_order_relaxed);
  return Status::OK();
}

Status Store::Impl::RangeClearOf(Domain* d, const std::string& begin, const std::string& end,
                                 uint64_t time, bool* clear) {
  rocksdb::ReadOptions ro;
  const rocksdb::Slice upper(end);
  ro.iterate_upper_bound = &upper;
  ro.fill_cache = false;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(ro, d->cf));
  *clear = true;
  for (it->Seek(begin); it->Valid(); it->Next()) {
    codecs::Record record;
    const std::string_view key(it->key().data(), it->key().size());
    if (!codecs::DecodeRecord(key, std::string_view(it->value().data(), it->value().size()),
                              &record)
             .ok() ||
        record.time <= time) {
      *clear = false;
      break;
    }
  }
  return FromRocks(it->status(), "checking a removed range");
}

Status Store::Impl::PurgeDueRemovals(uint64_t min_age_seconds, uint64_t* compactions) {
  const uint64_t now = Now();
  const uint64_t purge_time = PurgeTime();
  uint64_t oldest_snapshot = UINT64_MAX;  // sequence number
  {
    std::lock_guard<std::mutex> lock(snapshots_mu_);
    for (const SnapshotImpl* snap : snapshots_) {
      if (snap->snapshot_ != nullptr) {
        oldest_snapshot = std::min<uint64_t>(oldest_snapshot, snap->snapshot_->GetSequenceNumber());
      }
    }
  }
  std::vector<Removal> due;
  {
    std::shared_lock<std::shared_mutex> lock(removals_mu_);
    for (const auto& [id, r] : pending_removals_) {
      // An open snapshot that can still see the records holds them back.
      // (purge_time is past the removal's own second: until that has
      // passed, writes under it get a later time by it, WriteTimeFor.)
      if (codecs::SaturatingAdd(r.purge_time, min_age_seconds) <= now &&
          r.purge_time <= purge_time && oldest_snapshot >= r.seq) {
        due.push_back(r);
      }
    }
  }
  if (due.empty()) return Status::OK();
  // Per domain, the ranges of every due removal. Files of a range at the
  // last level holding only records its removal covers go whole, with no
  // rewrite; every other file holding some of any range is compacted once,
  // on its own and in its level, so the filter drops the hidden records of
  // all due removals together and only that file's other records are
  // written again (never the files next to it, as merging the ranges down
  // the levels would).
  // (begin, end) of each range, per domain.
  std::vector<std::vector<std::pair<std::string, std::string>>> ranges(domains_.size());
  for (const Removal& r : due) {
    for (const auto& [name, prefix] : r.ranges) {
      const size_t index = domain_index_.at(name);
      std::pair<std::string, std::string> range;
      RemovalRangeBounds(r.tenant, prefix, &range.first, &range.second);
      Status s =
          DropCoveredFiles(&domains_[index], range.first, range.second, r.seq_before, r.time);
      if (!s.ok()) return s;
      ranges[index].push_back(std::move(range));
    }
  }
  std::vector<bool> skipped(domains_.size(), false);  // a file was busy
  for (size_t i = 0; i < domains_.size(); ++i) {
    if (ranges[i].empty()) continue;
    bool busy = false;
    Status s = CompactFilesInPlace(&domains_[i], ranges[i], compactions, &busy);
    if (!s.ok()) return s;
    skipped[i] = busy;
  }
  for (const Removal& r : due) {
    bool gone = true;
    for (const auto& [name, prefix] : r.ranges) {
      Domain* d = &domains_[domain_index_.at(name)];
      std::string begin, end;
      RemovalRangeBounds(r.tenant, prefix, &begin, &end);
      // The filter dropped every hidden record it saw; make sure none is
      // left before the removal stops hiding them. If a file was busy in
      // another compaction, the next pass tries again; otherwise what is
      // left (a record the filter did not see) is merged down the levels.
      bool clear = false;
      Status s = RangeClearOf(d, begin, end, r.time, &clear);
      if (s.ok() && !clear && !skipped[IndexOf(d)]) {
        MarkPurgeStep(PurgeStep::kPurgeCompaction, true);
        s = CompactToBottom(d, begin, end);
        MarkPurgeStep(PurgeStep::kPurgeCompaction, false);
        ++*compactions;
        if (s.ok()) s = RangeClearOf(d, begin, end, r.time, &clear);
      }
      if (!s.ok()) return s;
      gone = gone && clear;
    }
    if (!gone) continue;  // tried again next time
    std::unique_lock<std::shared_mutex> lock = LockRemovalsExclusive();
    MarkPurgeStep(PurgeStep::kForgetRemoval, true);
    rocksdb::Status rs = db_->Delete(rocksdb::WriteOptions(), default_cf_, r.Key());
    MarkPurgeStep(PurgeStep::kForgetRemoval, false);
    if (!rs.ok()) return FromRocks(rs, "forgetting a purged removal");
    pending_removals_.erase(r.id);
    PublishRemovals();
  }
  return Status::OK();
}

void Store::Impl::NoteMarkerFiles(const Domain* d, const std::vector<std::string>& files,
                                  uint64_t time) {
  marker_times_->Note(d->options.name, files, time);
}

uint64_t Store::Impl::MarkerTime(const Domain* d, const rocksdb::SstFileMetaData& f) {
  return marker_times_->TimeOf(d->options.name, f.name, f.oldest_ancester_time);
}

Status Store::Impl::CompactDueFiles(Domain* d, uint64_t min_age_seconds, uint64_t* compactions) {
  if (!d->options.purge_in_compaction) return Status::OK();
  DomainFiles df;
  Status s = ReadDomainFiles(d, &df);
  if (!s.ok()) return s;
  const uint64_t purge_time = PurgeTime();
  const uint64_t now = Now();
  std::set<std::string> live;
  const uint64_t retention = d->options.tombstone_retention_seconds;
  struct Due {
    std::vector<std::string> files;  // paths
    int output_level;
    uint64_t marker_time;  // the time its outputs' markers count from
  };
  std::vector<Due> due;
  for (const auto& level : df.meta.levels) {
    for (const auto& f : level.files) {
      FileRecordStats stats;
      if (!df.StatsOf(f, &stats)) continue;
      const bool markers = stats.deletions > 0 && df.MarkersMayShadow(*d, level.level, f);
      if (markers) live.insert(f.name);
      if (f.being_compacted) continue;
      const uint64_t purgeable = stats.EarliestPurgeTime(retention);
      const bool records_due = purgeable != FileRecordStats::kNever &&
                               codecs::SaturatingAdd(purgeable, min_age_seconds) <= purge_time;
      // Deletion markers above the last level may cover older versions
      // below them, which only a compaction down to them drops.
      const uint64_t marker_time = markers ? MarkerTime(d, f) : FileRecordStats::kNever;
      const bool markers_due =
          markers && codecs::SaturatingAdd(marker_time, min_age_seconds) <= now;
      if (!records_due && !markers_due) continue;
      // The least work that purges the file: at the last level, a rewrite
      // of the file alone; above it, a compaction one level down with the
      // files of the next level it overlaps (RocksDB adds them), as
      // size-triggered compaction would do later: the filter drops its
      // purgeable records, and the markers they leave (and those it had)
      // keep their time, so the next passes take them further down until
      // they meet what they shadow.
      //
      // A time-ordered domain has one level: its files are purged in place,
      // and markers that may shadow older versions are compacted with every
      // file older than theirs (down to the oldest, which makes the
      // compaction bottommost: markers and what they shadow both go).
      Due next{{f.db_path + f.name},
               level.level < df.last_level ? level.level + 1 : level.level,
               std::min(marker_time, purgeable)};
      if (d->TimeOrdered()) {
        next.output_level = 0;
        if (markers_due) next.files.push_back(df.oldest_l0);
      }
      due.push_back(std::move(next));
    }
  }
  marker_times_->Retain(d->options.name, live);
  // The longest purgeable first: when many files turn due together (they
  // were rewritten together last time), those nearest the deadline go first.
  std::stable_sort(due.begin(), due.end(),
                   [](const Due& a, const Due& b) { return a.marker_time < b.marker_time; });
  if (due.size() > kMaxDeadlineCompactionsPerDomain) due.resize(kMaxDeadlineCompactionsPerDomain);
  for (const Due& f : due) {
    std::vector<std::string> outputs;
    bool raced = false;  // compacted meanwhile by RocksDB: nothing to do
    s = CompactFileForPurge(d, f.files, f.output_level, &outputs, &raced, compactions);
    if (!s.ok()) return s;
    if (!raced) NoteMarkerFiles(d, outputs, f.marker_time);
  }
  return Status::OK();
}

Status Store::Impl::PurgeStatsOf(Domain* d, DomainStats* ds) {
  const uint64_t now = Now();
  uint64_t oldest = FileRecordStats::kNever;
  {
    std::shared_lock<std::shared_mutex> lock(removals_mu_);
    for (const auto& [id, r] : pending_removals_) {
      bool here = false;
      for (const auto& range : r.ranges) here = here || range.first == d->options.name;
      if (!here) continue;
      ++ds->pending_purges;
      if (r.logical && now < r.purge_time) ++ds->pending_tree_removals;
      if (r.purge_time <= now) oldest = std::min(oldest, r.purge_time);
    }
  }
  DomainFiles df;
  Status s = ReadDomainFiles(d, &df);
  if (!s.ok()) return s;
  for (const auto& level : df.meta.levels) {
    for (const auto& f : level.files) {
      FileRecordStats stats;
      if (!df.StatsOf(f, &stats)) continue;
      const uint64_t t = stats.EarliestPurgeTime(d->options.tombstone_retention_seconds);
      if (t <= now) oldest = std::min(oldest, t);
      if (stats.deletions > 0 && df.MarkersMayShadow(*d, level.level, f)) {
        oldest = std::min(oldest, MarkerTime(d, f));
      }
    }
  }
  ds->oldest_purgeable_time = oldest == FileRecordStats::kNever ? 0 : oldest;
  return Status::OK();
}

}  // namespace metakv
