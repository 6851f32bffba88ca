// The purge scheduler: the purge deadline (compactions of what has held
// purgeable records too long, the purge of removed ranges) and the drop of
// whole expired files.
#include <rocksdb/listener.h>
#include <rocksdb/metadata.h>

#include <algorithm>
#include <set>

#include "codecs/coding.h"
#include "compaction/record_properties.h"
#include "engine/rocksdb_util.h"
#include "engine/store_impl.h"

namespace metakv {

namespace {

// At most this many range compactions per domain and call, so one pass
// stays bounded; the rest wait for the next pass.
constexpr size_t kMaxDeadlineCompactionsPerDomain = 64;

}  // namespace

// ------------------------------------------------------ Purge deadline ----

Status StoreImpl::EnforcePurgeDeadline(uint64_t min_age_seconds, uint64_t* compactions) {
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

uint64_t StoreImpl::MemtableEntries(rocksdb::ColumnFamilyHandle* cf) {
  uint64_t active = 0, immutable = 0;
  db_->GetIntProperty(cf, rocksdb::DB::Properties::kNumEntriesActiveMemTable, &active);
  db_->GetIntProperty(cf, rocksdb::DB::Properties::kNumEntriesImmMemTables, &immutable);
  return active + immutable;
}

Status StoreImpl::DropCoveredFiles(Domain* d, const std::string& begin, const std::string& end,
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

Status StoreImpl::CompactFilesInPlace(
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

Status StoreImpl::CompactFileForPurge(Domain* d, const std::vector<std::string>& files,
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

Status StoreImpl::CompactToBottom(Domain* d, const std::string& begin, const std::string& end) {
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

Status StoreImpl::RangeClearOf(Domain* d, const std::string& begin, const std::string& end,
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

std::vector<Removal> StoreImpl::DueRemovals(uint64_t min_age_seconds) {
  const uint64_t now = Now();
  const uint64_t purge_time = PurgeTime();
  const uint64_t oldest_snapshot = snapshots_.OldestSequence();
  std::vector<Removal> due;
  std::shared_lock<std::shared_mutex> lock = removals_.LockSharedNow();
  for (const auto& [id, r] : removals_.pending()) {
    // An open snapshot that can still see the records holds them back.
    // (purge_time is past the removal's own second: until that has
    // passed, writes under it get a later time by it, WriteTimeFor.)
    if (codecs::SaturatingAdd(r.purge_time, min_age_seconds) <= now && r.purge_time <= purge_time &&
        oldest_snapshot >= r.seq) {
      due.push_back(r);
    }
  }
  return due;
}

Status StoreImpl::PurgeDueRemovals(uint64_t min_age_seconds, uint64_t* compactions) {
  const std::vector<Removal> due = DueRemovals(min_age_seconds);
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
    Status s = ForgetIfPurged(r, skipped, compactions);
    if (!s.ok()) return s;
  }
  return Status::OK();
}

Status StoreImpl::ForgetIfPurged(const Removal& r, const std::vector<bool>& skipped,
                                 uint64_t* compactions) {
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
  if (!gone) return Status::OK();  // tried again next time
  std::unique_lock<std::shared_mutex> lock = LockRemovalsExclusive();
  MarkPurgeStep(PurgeStep::kForgetRemoval, true);
  rocksdb::Status rs = db_->Delete(rocksdb::WriteOptions(), default_cf_, r.Key());
  MarkPurgeStep(PurgeStep::kForgetRemoval, false);
  if (!rs.ok()) return FromRocks(rs, "forgetting a purged removal");
  removals_.pending().erase(r.id);
  PublishRemovals();
  return Status::OK();
}

void StoreImpl::NoteMarkerFiles(const Domain* d, const std::vector<std::string>& files,
                                uint64_t time) {
  marker_times_->Note(d->options.name, files, time);
}

uint64_t StoreImpl::MarkerTime(const Domain* d, const rocksdb::SstFileMetaData& f) {
  return marker_times_->TimeOf(d->options.name, f.name, f.oldest_ancester_time);
}

Status StoreImpl::CompactDueFiles(Domain* d, uint64_t min_age_seconds, uint64_t* compactions) {
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

Status StoreImpl::PurgeStatsOf(Domain* d, DomainStats* ds) {
  const uint64_t now = Now();
  uint64_t oldest = FileRecordStats::kNever;
  {
    std::shared_lock<std::shared_mutex> lock = removals_.LockSharedNow();
    for (const auto& [id, r] : removals_.pending()) {
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

bool DomainFiles::StatsOf(const rocksdb::SstFileMetaData& f, FileRecordStats* out) const {
  auto it = props.find(f.db_path + f.name);
  return it != props.end() &&
         FileRecordStats::FromProperties(it->second->user_collected_properties, out);
}

bool DomainFiles::MarkersMayShadow(const Domain& d, int level,
                                   const rocksdb::SstFileMetaData& f) const {
  if (!d.TimeOrdered()) return level < last_level;
  return f.db_path + f.name != oldest_l0;
}

Status StoreImpl::ReadDomainFiles(Domain* d, DomainFiles* out) {
  rocksdb::Status rs = db_->GetPropertiesOfAllTables(d->cf, &out->props);
  if (!rs.ok()) return FromRocks(rs, "reading table properties of '" + d->options.name + "'");
  db_->GetColumnFamilyMetaData(d->cf, &out->meta);
  out->last_level = -1;
  for (const auto& level : out->meta.levels) {
    if (!level.files.empty()) out->last_level = level.level;
  }
  out->oldest_l0.clear();
  if (!out->meta.levels.empty() && !out->meta.levels[0].files.empty()) {
    const auto& oldest = out->meta.levels[0].files.back();  // newest first
    out->oldest_l0 = oldest.db_path + oldest.name;
  }
  return Status::OK();
}

Status StoreImpl::PurgeExpiredFilesOf(Domain* d, uint64_t* files) {
  *files = 0;
  if (!d->options.purge_in_compaction) return Status::OK();
  DomainFiles df;
  Status read = ReadDomainFiles(d, &df);
  if (!read.ok()) return read;
  const rocksdb::ColumnFamilyMetaData& meta = df.meta;
  const uint64_t purge_time = PurgeTime();
  const uint64_t retention = d->options.tombstone_retention_seconds;
  // The earliest time a record of the run became purgeable: the deletion
  // markers the compaction leaves count from then (purge deadline).
  uint64_t run_purgeable = FileRecordStats::kNever;
  auto expired = [&](const rocksdb::SstFileMetaData& f) {
    if (f.being_compacted) return false;
    FileRecordStats stats;
    if (!df.StatsOf(f, &stats) || stats.FullPurgeTime(retention) > purge_time) return false;
    run_purgeable = std::min(run_purgeable, stats.EarliestPurgeTime(retention));
    return true;
  };
  // Compacting fully expired files into their own level: the filter drops
  // every record, so the output is empty (or deletion markers where older
  // versions may lie below). Above L0 a level's files are in key order and
  // a compaction's inputs must be contiguous there, so each run of
  // neighbouring expired files goes in one compaction: one manifest write
  // for the run, not one per file (every manifest write costs time in
  // proportion to the files of the column family).
  auto purge = [&](const std::vector<std::string>& run, int level) -> Status {
    if (run.empty()) return Status::OK();
    rocksdb::CompactionOptions co;
    std::vector<std::string> outputs;
    rocksdb::Status r = db_->CompactFiles(co, d->cf, run, level, -1, &outputs);
    const uint64_t since = run_purgeable;
    run_purgeable = FileRecordStats::kNever;
    if (r.IsInvalidArgument() || r.IsAborted() || r.IsBusy()) return Status::OK();  // raced
    if (!r.ok()) return FromRocks(r, "purging " + run.front());
    NoteMarkerFiles(d, outputs, std::min(since, purge_time));
    *files += run.size();
    return Status::OK();
  };
  // A time-ordered domain's oldest files, as long as each is expired or
  // holds deletion markers only: one compaction of them writes nothing, not
  // even markers, since nothing older lies under them (RocksDB counts a
  // level-0 compaction with the oldest file of a one-level column family as
  // bottommost). Expiry follows age there, so this is where files go.
  std::set<std::string> oldest;
  if (d->TimeOrdered() && !meta.levels.empty()) {
    const auto& files = meta.levels[0].files;  // newest first
    std::vector<std::string> run;
    for (size_t i = files.size(); i > 0; --i) {
      const auto& f = files[i - 1];
      FileRecordStats stats;
      const bool markers_only = !f.being_compacted && df.StatsOf(f, &stats) && stats.records == 0 &&
                                stats.undecodable == 0;
      if (!markers_only && !expired(f)) break;
      run.push_back(f.db_path + f.name);
      oldest.insert(run.back());
    }
    Status s = purge(run, 0);
    if (!s.ok()) return s;
  }
  for (const auto& level : meta.levels) {
    std::vector<std::string> run;
    for (const auto& f : level.files) {
      if (oldest.count(f.db_path + f.name) != 0) continue;
      const bool gone = expired(f);
      if (gone) run.push_back(f.db_path + f.name);
      if (!gone || level.level == 0) {  // L0 files overlap: one at a time
        Status s = purge(run, level.level);
        if (!s.ok()) return s;
        run.clear();
      }
    }
    Status s = purge(run, level.level);
    if (!s.ok()) return s;
  }
  return Status::OK();
}

}  // namespace metakv
