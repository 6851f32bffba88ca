#include "compaction/marker_times.h"

#include <rocksdb/db.h>
#include <rocksdb/metadata.h>

#include <algorithm>
#include <utility>

#include "compaction/record_properties.h"

namespace metakv {

namespace {

std::string BareName(const std::string& path) {
  const size_t slash = path.rfind('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

// The earliest time RocksDB gives a file (system clock), 0 if none: the
// oldest ancestor's, the oldest key's, the file's own.
uint64_t AncestorTime(const rocksdb::TableProperties& p) {
  uint64_t t = 0;
  for (uint64_t v : {p.creation_time, p.oldest_key_time, p.file_creation_time}) {
    if (v != 0) t = t == 0 ? v : std::min(t, v);
  }
  return t;
}

}  // namespace

MarkerTimes::MarkerTimes(std::function<uint64_t()> store_now, std::function<uint64_t()> system_now)
    : store_now_(std::move(store_now)), system_now_(std::move(system_now)) {}

void MarkerTimes::Register(const std::string& cf_name, uint64_t retention_seconds) {
  std::lock_guard<std::mutex> lock(mu_);
  cfs_[cf_name].retention = retention_seconds;
}

uint64_t MarkerTimes::Estimate(uint64_t store_now, uint64_t system_now, uint64_t ancestor_time) {
  if (ancestor_time == 0 || ancestor_time > system_now) return store_now;
  const uint64_t age = system_now - ancestor_time;
  return store_now > age ? store_now - age : 0;
}

uint64_t MarkerTimes::TimeOf(const std::string& cf_name, const std::string& file,
                             uint64_t ancestor_time) {
  const uint64_t estimate = Estimate(store_now_(), system_now_(), ancestor_time);
  std::lock_guard<std::mutex> lock(mu_);
  auto cf = cfs_.find(cf_name);
  if (cf == cfs_.end()) return estimate;
  auto [it, inserted] = cf->second.files.emplace(BareName(file), Entry{estimate, false});
  return it->second.time;
}

void MarkerTimes::NoteLocked(PerCf* cf, const std::string& name, uint64_t time) {
  auto [it, inserted] = cf->files.emplace(name, Entry{time, true});
  if (inserted) return;
  Entry& e = it->second;
  e.time = time == kShadowNothing || !e.noted ? time : std::min(e.time, time);
  e.noted = true;
}

void MarkerTimes::Note(const std::string& cf_name, const std::vector<std::string>& files,
                       uint64_t time) {
  std::lock_guard<std::mutex> lock(mu_);
  auto cf = cfs_.find(cf_name);
  if (cf == cfs_.end()) return;
  for (const std::string& f : files) NoteLocked(&cf->second, BareName(f), time);
}

void MarkerTimes::Retain(const std::string& cf_name, const std::set<std::string>& live) {
  std::lock_guard<std::mutex> lock(mu_);
  auto cf = cfs_.find(cf_name);
  if (cf == cfs_.end()) return;
  auto& files = cf->second.files;
  std::set<std::string> bare;
  for (const std::string& f : live) bare.insert(BareName(f));
  for (auto it = files.begin(); it != files.end();) {
    it = bare.count(it->first) != 0 ? std::next(it) : files.erase(it);
  }
}

namespace {

// The live files of column family cf_name, by bare name.
std::map<std::string, rocksdb::LiveFileMetaData> LiveFiles(rocksdb::DB* db,
                                                           const std::string& cf_name) {
  std::vector<rocksdb::LiveFileMetaData> all;
  db->GetLiveFilesMetaData(&all);
  std::map<std::string, rocksdb::LiveFileMetaData> out;
  for (auto& f : all) {
    if (f.column_family_name == cf_name) out.emplace(BareName(f.name), std::move(f));
  }
  return out;
}

}  // namespace

void MarkerTimes::OnCompactionBegin(rocksdb::DB* db, const rocksdb::CompactionJobInfo& info) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (cfs_.count(info.cf_name) == 0) return;
  }
  const auto live = LiveFiles(db, info.cf_name);
  const uint64_t store_now = store_now_();
  const uint64_t system_now = system_now_();
  std::lock_guard<std::mutex> lock(mu_);
  PerCf& per = cfs_[info.cf_name];
  std::vector<Input> inputs;
  for (const std::string& path : info.input_files) {
    const std::string name = BareName(path);
    auto meta = live.find(name);
    auto props = info.table_properties.find(path);
    Input in;
    if (meta == live.end() || props == info.table_properties.end() || props->second == nullptr) {
      in.marker_time = store_now;  // unknown: as if its markers were made now
    } else {
      in.range_known = true;
      in.smallest = meta->second.smallestkey;
      in.largest = meta->second.largestkey;
      const rocksdb::TableProperties& p = *props->second;
      if (p.num_deletions > 0) {
        auto known = per.files.find(name);
        in.marker_time = known != per.files.end()
                             ? known->second.time
                             : Estimate(store_now, system_now, AncestorTime(p));
      }
      FileRecordStats stats;
      if (FileRecordStats::FromProperties(p.user_collected_properties, &stats)) {
        in.purge_time = stats.EarliestPurgeTime(per.retention);
      }
    }
    inputs.push_back(std::move(in));
  }
  running_[info.job_id] = std::move(inputs);
}

void MarkerTimes::OnCompactionCompleted(rocksdb::DB* db, const rocksdb::CompactionJobInfo& info) {
  std::vector<Input> inputs;
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = running_.find(info.job_id);
    if (it == running_.end()) return;
    inputs = std::move(it->second);
    running_.erase(it);
  }
  if (!info.status.ok()) return;
  const auto live = LiveFiles(db, info.cf_name);
  const uint64_t store_now = store_now_();
  std::lock_guard<std::mutex> lock(mu_);
  PerCf& per = cfs_[info.cf_name];
  for (const std::string& path : info.output_files) {
    const std::string name = BareName(path);
    auto meta = live.find(name);
    if (meta == live.end()) continue;               // compacted away already
    if (meta->second.num_deletions == 0) continue;  // no markers
    // Its markers came from the inputs holding its keys.
    uint64_t time = kShadowNothing;
    for (const Input& in : inputs) {
      if (in.range_known &&
          (in.largest < meta->second.smallestkey || in.smallest > meta->second.largestkey)) {
        continue;
      }
      time = std::min(time, in.marker_time);
      if (in.purge_time <= store_now) time = std::min(time, in.purge_time);
    }
    if (time != kShadowNothing) NoteLocked(&per, name, time);
  }
}

}  // namespace metakv
