// The cold write path (Store::IngestCold) on a real RocksDB.
#include <gtest/gtest.h>
#include <rocksdb/db.h>
#include <rocksdb/utilities/debug.h>

#include <filesystem>
#include <fstream>
#include <map>

#include "codecs/key_codec.h"
#include "engine/store_impl.h"
#include "metakv/store.h"
#include "tests/testutil.h"

namespace metakv {
namespace {

class ColdIngestTest : public ::testing::Test {
 protected:
  void SetUp() override {
    clock_ = std::make_shared<ManualClock>();
    options_ = test::SmallOptions(clock_);
    options_.maintenance_interval_seconds = 0;
    ASSERT_TRUE(Store::Open(options_, dir_.path(), &store_).ok());
  }

  void Reopen() {
    ASSERT_TRUE(store_->Close().ok());
    store_.reset();
    ASSERT_TRUE(Store::Open(options_, dir_.path(), &store_).ok());
  }

  DomainStats History() {
    Stats stats;
    EXPECT_TRUE(store_->GetStats(&stats).ok());
    for (auto& d : stats.domains) {
      if (d.name == "history") return d;
    }
    return {};
  }

  Stats All() {
    Stats stats;
    EXPECT_TRUE(store_->GetStats(&stats).ok());
    return stats;
  }

  // All visible (key, value) of a tenant of history, in order.
  std::vector<std::pair<std::string, std::string>> Scan(const std::string& tenant) {
    ScanSpec spec;
    spec.tenant = tenant;
    std::unique_ptr<Iterator> it;
    EXPECT_TRUE(store_->NewIterator(ReadOptions(), "history", spec, &it).ok());
    std::vector<std::pair<std::string, std::string>> out;
    for (it->SeekToFirst(); it->Valid(); it->Next()) {
      out.emplace_back(std::string(it->key()), std::string(it->value()));
    }
    EXPECT_TRUE(it->status().ok());
    return out;
  }

  test::TempDir dir_;
  std::shared_ptr<ManualClock> clock_;
  Options options_;
  std::unique_ptr<Store> store_;
};

std::vector<ColdRecord> Records(int n, const std::string& prefix, uint64_t ttl = 0) {
  std::vector<ColdRecord> out;
  for (int i = n - 1; i >= 0; --i) {  // deliberately unsorted
    out.push_back(ColdRecord{prefix + std::to_string(1000 + i), "v" + std::to_string(i), ttl});
  }
  return out;
}

TEST_F(ColdIngestTest, BypassesWalAndMemtableAndIsVisibleAtOnce) {
  const Stats before = All();
  const uint64_t memtable_before = History().memtable_bytes;
  ASSERT_TRUE(store_->IngestCold("history", "acme", Records(300, "snap/")).ok());
  const Stats after = All();
  const DomainStats h = History();
  EXPECT_EQ(after.wal_bytes_written, before.wal_bytes_written) << "ingest must not touch the WAL";
  EXPECT_EQ(h.flushes, 0u);
  EXPECT_EQ(h.flush_bytes_written, 0u);
  EXPECT_EQ(h.memtable_bytes, memtable_before) << "ingest must not touch the memtable";
  EXPECT_EQ(h.ingested_records, 300u);
  EXPECT_GT(h.ingest_bytes_written, 0u);
  EXPECT_GT(h.live_sst_bytes, 0u);
  const auto rows = Scan("acme");
  ASSERT_EQ(rows.size(), 300u);
  for (size_t i = 0; i < rows.size(); ++i) {
    EXPECT_EQ(rows[i].first, "snap/" + std::to_string(1000 + i));
    EXPECT_EQ(rows[i].second, "v" + std::to_string(i));
  }
  std::string value;
  ASSERT_TRUE(store_->Get(ReadOptions(), "history", "acme", "snap/1007", &value).ok());
  EXPECT_EQ(value, "v7");
  // Charged to the tenant.
  ASSERT_FALSE(h.top_tenants.empty());
  EXPECT_EQ(h.top_tenants[0].tenant, "acme");
  EXPECT_EQ(h.top_tenants[0].ingest_bytes_written, h.ingest_bytes_written);
  // And durable across a reopen.
  ASSERT_TRUE(store_->Close().ok());
  ASSERT_TRUE(Store::Open(options_, dir_.path(), &store_).ok());
  EXPECT_EQ(Scan("acme").size(), 300u);
}

TEST_F(ColdIngestTest, BadInputLeavesTheStoreUnchanged) {
  ASSERT_TRUE(store_->IngestCold("history", "t", Records(10, "a/")).ok());
  const auto before = Scan("t");

  Status s = store_->IngestCold("inode", "t", Records(3, "b/"));
  EXPECT_TRUE(s.IsInvalidArgument()) << s.ToString();
  EXPECT_NE(s.message().find("hot"), std::string::npos) << s.ToString();
  EXPECT_TRUE(store_->IngestCold("history", "t", {}).IsInvalidArgument());
  EXPECT_TRUE(store_->IngestCold("nosuch", "t", Records(3, "b/")).IsInvalidArgument());
  EXPECT_TRUE(store_->IngestCold("history", "", Records(3, "b/")).IsInvalidArgument());

  auto dup = Records(5, "b/");
  dup.push_back(dup[2]);
  s = store_->IngestCold("history", "t", dup);
  EXPECT_TRUE(s.IsInvalidArgument()) << s.ToString();
  EXPECT_NE(s.message().find("duplicate"), std::string::npos);

  auto empty_key = Records(5, "b/");
  empty_key[3].key.clear();
  EXPECT_TRUE(store_->IngestCold("history", "t", empty_key).IsInvalidArgument());

  auto huge = Records(5, "b/");
  huge[4].value.assign(options_.max_value_bytes + 1, 'x');
  EXPECT_TRUE(store_->IngestCold("history", "t", huge).IsInvalidArgument());

  EXPECT_EQ(Scan("t"), before);
  EXPECT_EQ(History().ingested_records, 10u);
}

TEST_F(ColdIngestTest, FailureWhileStagingLeavesNoHalfState) {
  // Make the staging directory impossible to create: a file stands there.
  const std::string staging = dir_.path() + "/metakv-ingest";
  std::filesystem::remove_all(staging);
  std::ofstream(staging) << "in the way";
  Status s = store_->IngestCold("history", "t", Records(10, "a/"));
  EXPECT_TRUE(s.IsIOError()) << s.ToString();
  EXPECT_TRUE(Scan("t").empty());
  EXPECT_EQ(History().live_sst_bytes, 0u);
  std::filesystem::remove(staging);
  ASSERT_TRUE(store_->IngestCold("history", "t", Records(10, "a/")).ok());
  EXPECT_EQ(Scan("t").size(), 10u);
}

TEST_F(ColdIngestTest, LeftoverStagingFilesAreRemovedOnOpen) {
  ASSERT_TRUE(store_->Close().ok());
  const std::string staging = dir_.path() + "/metakv-ingest";
  std::filesystem::create_directories(staging);
  std::ofstream(staging + "/7.sst") << "half-written by a crashed ingest";
  ASSERT_TRUE(Store::Open(options_, dir_.path(), &store_).ok());
  EXPECT_FALSE(std::filesystem::exists(staging + "/7.sst"));
}

TEST_F(ColdIngestTest, ReplacesExistingRecordsLikePut) {
  ASSERT_TRUE(store_->Put(WriteOptions(), "history", "t", "snap/1003", "hot").ok());
  ASSERT_TRUE(store_->IngestCold("history", "t", Records(5, "snap/")).ok());
  std::string value;
  ASSERT_TRUE(store_->Get(ReadOptions(), "history", "t", "snap/1003", &value).ok());
  EXPECT_EQ(value, "v3");
  // Ingested records take part in logical delete like any other.
  ASSERT_TRUE(store_->Delete(WriteOptions(), "history", "t", "snap/1003").ok());
  EXPECT_TRUE(store_->Get(ReadOptions(), "history", "t", "snap/1003", &value).IsNotFound());
  ASSERT_TRUE(store_->Undelete(WriteOptions(), "history", "t", "snap/1003").ok());
  ASSERT_TRUE(store_->Get(ReadOptions(), "history", "t", "snap/1003", &value).ok());
  EXPECT_EQ(value, "v3");
}

TEST_F(ColdIngestTest, ExpiredColdRecordsDisappearAfterCompaction) {
  ASSERT_TRUE(store_->IngestCold("history", "t", Records(200, "old/", /*ttl=*/100)).ok());
  ASSERT_TRUE(store_->IngestCold("history", "t", Records(200, "new/", /*ttl=*/10000)).ok());
  std::string value;
  ASSERT_TRUE(store_->Get(ReadOptions(), "history", "t", "old/1000", &value).ok());
  clock_->AdvanceSeconds(101);
  EXPECT_TRUE(store_->Get(ReadOptions(), "history", "t", "old/1000", &value).IsNotFound());
  EXPECT_EQ(Scan("t").size(), 200u);
  ASSERT_TRUE(store_->CompactRange("history").ok());
  EXPECT_EQ(History().purged_records, 200u);
  rocksdb::DB* db = ImplOf(store_)->TEST_db();
  std::string raw;
  EXPECT_TRUE(db->Get(rocksdb::ReadOptions(), ImplOf(store_)->TEST_cf("history"),
                      codecs::EncodeKey("t", "old/1000"), &raw)
                  .IsNotFound());
  EXPECT_EQ(Scan("t").size(), 200u);
}

TEST_F(ColdIngestTest, FilesOfExpiredRecordsAreDroppedWhole) {
  // Version history expires in time order: each group ingested as its own
  // file expires as a whole, and the maintenance purge drops it without
  // rewriting anything.
  for (int group = 0; group < 4; ++group) {
    ASSERT_TRUE(store_
                    ->IngestCold("history", "t",
                                 Records(100, "g" + std::to_string(group) + "/",
                                         /*ttl=*/100 * (group + 1)))
                    .ok());
  }
  const uint64_t written = History().compaction_bytes_written;
  clock_->AdvanceSeconds(250);  // groups 0 and 1 have expired
  uint64_t files = 0;
  ASSERT_TRUE(test::DropPurgeableFilesNow(store_.get(), "history", &files).ok());
  EXPECT_EQ(files, 2u);
  const DomainStats h = History();
  EXPECT_EQ(h.purged_records, 200u);
  EXPECT_EQ(h.compaction_bytes_written, written);
  EXPECT_EQ(Scan("t").size(), 200u);
}

// Leveled layout: small cold ingests (one file each) are merged by the
// maintenance pass, size-tiered and never across tenants, so the file count
// stays bounded and each tenant's next ingest still lands at the last level.
TEST_F(ColdIngestTest, SmallFilesAreMergedWithinATenant) {
  ASSERT_TRUE(store_->Close().ok());
  store_.reset();
  std::filesystem::remove_all(dir_.path());  // a layout is chosen at creation
  for (auto& d : options_.domains) {
    d.small_file_budget = 4;
    d.cold_layout = ColdLayout::kLeveled;
  }
  ASSERT_TRUE(Store::Open(options_, dir_.path(), &store_).ok());
  rocksdb::DB* db = ImplOf(store_)->TEST_db();
  rocksdb::ColumnFamilyHandle* cf = ImplOf(store_)->TEST_cf("history");
  auto history_files = [&] {
    rocksdb::ColumnFamilyMetaData meta;
    db->GetColumnFamilyMetaData(cf, &meta);
    std::vector<std::pair<int, rocksdb::SstFileMetaData>> files;
    for (const auto& level : meta.levels) {
      for (const auto& f : level.files) files.emplace_back(level.level, f);
    }
    return files;
  };
  constexpr int kGroups = 40;
  for (int g = 0; g < kGroups; ++g) {
    char prefix[16];
    snprintf(prefix, sizeof(prefix), "s%04d/", g);  // later snapshots sort later
    for (const char* tenant : {"a", "b"}) {
      ASSERT_TRUE(store_->IngestCold("history", tenant, Records(5, prefix)).ok());
    }
  }
  ASSERT_EQ(history_files().size(), 2u * kGroups);
  const uint64_t before = History().compaction_bytes_written;

  // A pass that merges nothing: merging not selected.
  MaintenanceOptions no_merge;
  no_merge.merge_small_cold_files = false;
  MaintenanceResult done;
  ASSERT_TRUE(store_->RunMaintenance(no_merge, &done).ok());
  EXPECT_EQ(done.cold_files_merged, 0u);
  EXPECT_EQ(history_files().size(), 2u * kGroups);

  ASSERT_TRUE(store_->RunMaintenance(MaintenanceOptions(), &done).ok());
  const auto merged = history_files();
  EXPECT_LE(merged.size(), 6u);
  // Every input file counted: the files left are the unmerged ones plus at
  // least one output.
  EXPECT_GE(done.cold_files_merged, 2u * kGroups - merged.size() + 1);
  EXPECT_LE(done.cold_files_merged, 2u * kGroups);
  EXPECT_GT(History().compaction_bytes_written, before);
  for (const auto& [level, f] : merged) {
    std::string t1, t2;
    std::string_view k;
    ASSERT_TRUE(codecs::DecodeKey(f.smallestkey, &t1, &k).ok());
    ASSERT_TRUE(codecs::DecodeKey(f.largestkey, &t2, &k).ok());
    EXPECT_EQ(t1, t2) << f.name << " spans tenants";
  }
  EXPECT_EQ(Scan("a").size(), 5u * kGroups);
  EXPECT_EQ(Scan("b").size(), 5u * kGroups);

  // The next snapshot of a tenant lands at the same (last) level.
  ASSERT_TRUE(store_->IngestCold("history", "a", Records(5, "s9999/")).ok());
  int last = 0;
  for (const auto& [level, f] : merged) last = std::max(last, level);
  for (const auto& [level, f] : history_files()) EXPECT_EQ(level, last) << f.name;

  // A second pass has nothing of a size worth merging: no rewrite.
  const uint64_t after = History().compaction_bytes_written;
  EXPECT_TRUE(store_->RunMaintenance(MaintenanceOptions()).ok());
  EXPECT_EQ(History().compaction_bytes_written, after);
}

TEST_F(ColdIngestTest, SmallFileMergingCanBeTurnedOff) {
  ASSERT_TRUE(store_->Close().ok());
  store_.reset();
  for (auto& d : options_.domains) {
    d.merge_small_files = false;
    d.small_file_budget = 0;
  }
  ASSERT_TRUE(Store::Open(options_, dir_.path(), &store_).ok());
  for (int g = 0; g < 20; ++g) {
    ASSERT_TRUE(store_->IngestCold("history", "a", Records(5, "s" + std::to_string(100 + g))).ok());
  }
  EXPECT_TRUE(store_->RunMaintenance(MaintenanceOptions()).ok());
  EXPECT_EQ(History().compaction_bytes_written, 0u);
  rocksdb::ColumnFamilyMetaData meta;
  ImplOf(store_)->TEST_db()->GetColumnFamilyMetaData(ImplOf(store_)->TEST_cf("history"), &meta);
  EXPECT_EQ(meta.file_count, 20u);
}

}  // namespace
}  // namespace metakv

namespace metakv {
namespace {

// Below the budget of small files nothing is merged (no bytes rewritten).
TEST_F(ColdIngestTest, NoMergeWithinTheSmallFileBudget) {
  for (int g = 0; g < 30; ++g) {
    ASSERT_TRUE(store_->IngestCold("history", "a", Records(5, "s" + std::to_string(100 + g))).ok());
  }
  EXPECT_TRUE(store_->RunMaintenance(MaintenanceOptions()).ok());  // default budget: 1024 files
  EXPECT_EQ(History().compaction_bytes_written, 0u);
}

// ---- The time-ordered layout (the default of a new cold domain) ----

// The history domain's files: (level, file), and RocksDB's num_levels of it.
std::vector<std::pair<int, rocksdb::SstFileMetaData>> HistoryFiles(Store* store) {
  rocksdb::ColumnFamilyMetaData meta;
  ImplOf(store)->TEST_db()->GetColumnFamilyMetaData(ImplOf(store)->TEST_cf("history"), &meta);
  std::vector<std::pair<int, rocksdb::SstFileMetaData>> files;
  for (const auto& level : meta.levels) {
    for (const auto& f : level.files) files.emplace_back(level.level, f);
  }
  return files;
}

int HistoryLevels(Store* store) {
  return ImplOf(store)->TEST_db()->GetOptions(ImplOf(store)->TEST_cf("history")).num_levels;
}

// Groups whose key ranges overlap (versions keyed by inode, then version)
// stay in the files they were ingested as: nothing is compacted by size,
// however many there are, and every record reads back.
TEST_F(ColdIngestTest, TimeOrderedGroupsAreNeverCompactedBySize) {
  EXPECT_EQ(HistoryLevels(store_.get()), 1);
  constexpr int kGroups = 30;
  for (int v = 0; v < kGroups; ++v) {
    for (const char* tenant : {"a", "b"}) {
      std::vector<ColdRecord> group;
      for (int ino = 0; ino < 20; ++ino) {
        char key[32];
        snprintf(key, sizeof(key), "ino%04d/v%04d", ino, v);  // every group spans every inode
        group.push_back({key, std::string(200, static_cast<char>('a' + v % 26)), 0});
      }
      ASSERT_TRUE(store_->IngestCold("history", tenant, group).ok());
    }
  }
  ASSERT_TRUE(store_->WaitForBackgroundWork(60000).ok());
  EXPECT_TRUE(store_->RunMaintenance(MaintenanceOptions()).ok());
  const auto files = HistoryFiles(store_.get());
  EXPECT_EQ(files.size(), 2u * kGroups);
  for (const auto& [level, f] : files) EXPECT_EQ(level, 0) << f.name;
  EXPECT_EQ(History().compaction_bytes_written, 0u);
  EXPECT_EQ(Scan("a").size(), 20u * kGroups);
  std::string value;
  ASSERT_TRUE(store_->Get(ReadOptions(), "history", "b", "ino0007/v0013", &value).ok());
  EXPECT_EQ(value, std::string(200, 'n'));
}

// A time-ordered domain opened with plain RocksDB's defaults (automatic
// compactions on) gets its level-0 files compacted into lower levels, which
// its one-level column family cannot hold. metakv's next Open puts them back
// into level 0 (one file, the newest versions and their markers kept) rather
// than fail, and the domain works as before: every record visible, new
// groups land in level 0 above it, expiry drops files oldest first.
TEST_F(ColdIngestTest, ATimeOrderedDomainCompactedByPlainRocksDbIsPutBackAtOpen) {
  for (int g = 0; g < 6; ++g) {
    ASSERT_TRUE(
        store_->IngestCold("history", "t", Records(40, "g" + std::to_string(g) + "/")).ok());
  }
  ASSERT_TRUE(store_->Put(WriteOptions(), "history", "t", "g0/1000", "newer").ok());
  ASSERT_TRUE(store_->Delete(WriteOptions(), "history", "t", "g0/1001").ok());
  ASSERT_TRUE(store_->Flush().ok());
  const auto before = Scan("t");
  ASSERT_EQ(before.size(), 6u * 40 - 1);
  ASSERT_TRUE(store_->Close().ok());
  store_.reset();
  {
    // What `ldb compact` or a service's own tool would do.
    rocksdb::Options raw_options;
    std::vector<std::string> names;
    ASSERT_TRUE(rocksdb::DB::ListColumnFamilies(raw_options, dir_.path(), &names).ok());
    std::vector<rocksdb::ColumnFamilyDescriptor> descriptors;
    for (const auto& n : names) descriptors.emplace_back(n, rocksdb::ColumnFamilyOptions());
    std::vector<rocksdb::ColumnFamilyHandle*> handles;
    rocksdb::DB* raw = nullptr;
    ASSERT_TRUE(rocksdb::DB::Open(raw_options, dir_.path(), descriptors, &handles, &raw).ok());
    for (size_t i = 0; i < names.size(); ++i) {
      if (names[i] != "history") continue;
      ASSERT_TRUE(
          raw->CompactRange(rocksdb::CompactRangeOptions(), handles[i], nullptr, nullptr).ok());
      rocksdb::ColumnFamilyMetaData meta;
      raw->GetColumnFamilyMetaData(handles[i], &meta);
      ASSERT_TRUE(meta.levels[0].files.empty()) << "the test must move files below level 0";
    }
    for (auto* h : handles) ASSERT_TRUE(raw->DestroyColumnFamilyHandle(h).ok());
    ASSERT_TRUE(raw->Close().ok());
    delete raw;
  }
  {
    // A read-only open cannot put them back: it says so.
    Options ro = options_;
    ro.read_only = true;
    ro.create_if_missing = false;
    std::unique_ptr<Store> reader;
    const Status s = Store::Open(ro, dir_.path(), &reader);
    EXPECT_TRUE(s.IsInvalidArgument()) << s.ToString();
    EXPECT_NE(s.message().find("open the store once for writing"), std::string::npos)
        << s.ToString();
  }
  const Status s = Store::Open(options_, dir_.path(), &store_);
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(HistoryLevels(store_.get()), 1);
  for (const auto& [level, f] : HistoryFiles(store_.get())) EXPECT_EQ(level, 0) << f.name;
  EXPECT_EQ(Scan("t"), before);
  // New groups land above it; expiry still drops files oldest first.
  ASSERT_TRUE(store_->IngestCold("history", "t", Records(40, "g0/", /*ttl=*/100)).ok());
  EXPECT_EQ(Scan("t").size(), 6u * 40);
  std::string value;
  ASSERT_TRUE(store_->Get(ReadOptions(), "history", "t", "g0/1000", &value).ok());
  EXPECT_EQ(value, "v0");
  EXPECT_GE(HistoryFiles(store_.get()).size(), 2u);
  // Reopens as a plain time-ordered domain.
  Reopen();
  EXPECT_EQ(HistoryLevels(store_.get()), 1);
  EXPECT_EQ(Scan("t").size(), 6u * 40);
}

// Files go oldest first, whole, writing nothing; a newer group that expired
// before an older one is purged alone, and the key it shadowed does not
// come back.
TEST_F(ColdIngestTest, TimeOrderedExpiredFilesGoOldestFirstAndNothingComesBack) {
  ASSERT_TRUE(store_->IngestCold("history", "t", Records(50, "g0/", /*ttl=*/100)).ok());
  ASSERT_TRUE(store_->IngestCold("history", "t", Records(50, "g1/", /*ttl=*/200)).ok());
  ASSERT_TRUE(store_->IngestCold("history", "t", {{"k", "old, lives long", 10000}}).ok());
  ASSERT_TRUE(store_->IngestCold("history", "t", {{"k", "new, expires soon", 50}}).ok());
  ASSERT_TRUE(store_->IngestCold("history", "t", Records(50, "g2/", /*ttl=*/10000)).ok());
  ASSERT_EQ(HistoryFiles(store_.get()).size(), 5u);
  std::string value;
  ASSERT_TRUE(store_->Get(ReadOptions(), "history", "t", "k", &value).ok());
  EXPECT_EQ(value, "new, expires soon");

  clock_->AdvanceSeconds(60);  // the newest version of k has expired
  EXPECT_TRUE(store_->Get(ReadOptions(), "history", "t", "k", &value).IsNotFound());
  uint64_t files = 0;
  ASSERT_TRUE(test::DropPurgeableFilesNow(store_.get(), "history", &files).ok());
  EXPECT_EQ(files, 1u);  // purged alone: older files lie under it
  EXPECT_TRUE(store_->Get(ReadOptions(), "history", "t", "k", &value).IsNotFound());
  EXPECT_EQ(Scan("t").size(), 150u);

  clock_->AdvanceSeconds(150);  // g0 and g1 have expired: the two oldest files
  const uint64_t written = History().compaction_bytes_written;
  ASSERT_TRUE(test::DropPurgeableFilesNow(store_.get(), "history", &files).ok());
  EXPECT_EQ(files, 2u);
  EXPECT_EQ(History().compaction_bytes_written, written);  // dropped whole
  EXPECT_EQ(Scan("t").size(), 50u);
  EXPECT_TRUE(store_->Get(ReadOptions(), "history", "t", "k", &value).IsNotFound());
  Reopen();
  EXPECT_TRUE(store_->Get(ReadOptions(), "history", "t", "k", &value).IsNotFound());
  EXPECT_EQ(Scan("t").size(), 50u);
}

// Past the small-file budget, files neighbouring in age merge into one
// level-0 file; every record stays readable.
TEST_F(ColdIngestTest, TimeOrderedSmallFilesMergeByAge) {
  ASSERT_TRUE(store_->Close().ok());
  store_.reset();
  for (auto& d : options_.domains) d.small_file_budget = 4;
  ASSERT_TRUE(Store::Open(options_, dir_.path(), &store_).ok());
  constexpr int kGroups = 40;
  for (int g = 0; g < kGroups; ++g) {
    for (const char* tenant : {"a", "b"}) {
      ASSERT_TRUE(
          store_->IngestCold("history", tenant, Records(5, "s" + std::to_string(g) + "/")).ok());
    }
  }
  ASSERT_EQ(HistoryFiles(store_.get()).size(), 2u * kGroups);
  EXPECT_TRUE(store_->RunMaintenance(MaintenanceOptions()).ok());
  const auto merged = HistoryFiles(store_.get());
  EXPECT_LE(merged.size(), 8u);
  for (const auto& [level, f] : merged) EXPECT_EQ(level, 0) << f.name;
  EXPECT_GT(History().compaction_bytes_written, 0u);
  EXPECT_EQ(Scan("a").size(), 5u * kGroups);
  EXPECT_EQ(Scan("b").size(), 5u * kGroups);
}

// Every entry of the history domain's files (markers too), by key:
// "value" or "marker" for each version, newest first.
std::map<std::string, std::vector<std::string>> HistoryEntries(Store* store) {
  EXPECT_TRUE(store->WaitForBackgroundWork().ok());
  std::vector<rocksdb::KeyVersion> versions;
  EXPECT_TRUE(rocksdb::GetAllKeyVersions(ImplOf(store)->TEST_db(),
                                         ImplOf(store)->TEST_cf("history"), rocksdb::Slice(),
                                         rocksdb::Slice(), size_t{1} << 20, &versions)
                  .ok());
  std::map<std::string, std::vector<std::string>> out;
  for (const rocksdb::KeyVersion& v : versions) {
    std::string tenant;
    std::string_view key;
    EXPECT_TRUE(codecs::DecodeKey(v.user_key, &tenant, &key).ok());
    out[std::string(key)].push_back(v.type == 0x0 ? "marker" : "value");
  }
  return out;
}

// A hard delete in a time-ordered domain: its marker sits in a newer file
// than the version it hides. The purge deadline compacts the marker's file
// with every older one, down to the oldest, so both the marker and the
// version go; the other records stay, once each.
TEST_F(ColdIngestTest, TimeOrderedDeleteMarkersPurgeWhatTheyHide) {
  ASSERT_TRUE(store_->IngestCold("history", "t", Records(20, "k/")).ok());
  ASSERT_TRUE(store_->IngestCold("history", "t", Records(20, "m/")).ok());
  ASSERT_TRUE(store_->HardDelete(WriteOptions(), "history", "t", "k/1005").ok());
  ASSERT_TRUE(store_->Flush().ok());
  ASSERT_EQ(HistoryFiles(store_.get()).size(), 3u);
  auto entries = HistoryEntries(store_.get());
  ASSERT_EQ(entries["k/1005"], (std::vector<std::string>{"marker", "value"}));

  clock_->AdvanceSeconds(1);
  uint64_t compactions = 0;
  ASSERT_TRUE(test::PurgeDeadlineNow(store_.get(), &compactions).ok());
  EXPECT_GT(compactions, 0u);
  entries = HistoryEntries(store_.get());
  EXPECT_EQ(entries.count("k/1005"), 0u);
  EXPECT_EQ(entries.size(), 39u);
  for (const auto& [key, kinds] : entries) {
    EXPECT_EQ(kinds, std::vector<std::string>{"value"}) << key;
  }
  for (const auto& [level, f] : HistoryFiles(store_.get())) EXPECT_EQ(level, 0) << f.name;
  EXPECT_EQ(Scan("t").size(), 39u);
  EXPECT_EQ(History().oldest_purgeable_time, 0u);
  // Nothing more to do.
  compactions = 0;
  ASSERT_TRUE(test::PurgeDeadlineNow(store_.get(), &compactions).ok());
  EXPECT_EQ(compactions, 0u);
}

// A domain keeps the layout it was created with, whatever a later open
// declares.
TEST_F(ColdIngestTest, ADomainKeepsTheLayoutItWasCreatedWith) {
  EXPECT_EQ(HistoryLevels(store_.get()), 1);
  ASSERT_TRUE(store_->IngestCold("history", "t", Records(10, "x/")).ok());
  for (auto& d : options_.domains) d.cold_layout = ColdLayout::kLeveled;
  Reopen();
  EXPECT_EQ(HistoryLevels(store_.get()), 1);
  EXPECT_EQ(Scan("t").size(), 10u);

  ASSERT_TRUE(store_->Close().ok());
  store_.reset();
  std::filesystem::remove_all(dir_.path());
  ASSERT_TRUE(Store::Open(options_, dir_.path(), &store_).ok());  // created leveled
  EXPECT_EQ(HistoryLevels(store_.get()), 7);
  for (auto& d : options_.domains) d.cold_layout = ColdLayout::kTimeOrdered;
  Reopen();
  EXPECT_EQ(HistoryLevels(store_.get()), 7);
}

// A group smaller than ingest_min_bytes goes through the WAL and the
// memtable as one synced batch: no file of its own, visible at once,
// there after a reopen.
TEST_F(ColdIngestTest, SmallGroupsGoThroughTheMemtable) {
  ASSERT_TRUE(store_->Close().ok());
  store_.reset();
  for (auto& d : options_.domains) d.ingest_min_bytes = 4096;
  ASSERT_TRUE(Store::Open(options_, dir_.path(), &store_).ok());
  ASSERT_TRUE(store_->IngestCold("history", "t", Records(10, "small/")).ok());  // ~150 bytes
  DomainStats h = History();
  EXPECT_EQ(h.buffered_ingests, 1u);
  EXPECT_EQ(h.ingested_records, 10u);
  EXPECT_EQ(h.ingest_bytes_written, 0u);
  EXPECT_TRUE(HistoryFiles(store_.get()).empty());
  EXPECT_EQ(Scan("t").size(), 10u);
  ASSERT_TRUE(store_->IngestCold("history", "t", Records(100, "large/")).ok());  // ~1.6 KB
  ASSERT_TRUE(store_->IngestCold("history", "t", Records(600, "file/")).ok());   // ~8 KB
  h = History();
  EXPECT_EQ(h.buffered_ingests, 2u);
  EXPECT_GT(h.ingest_bytes_written, 0u);
  // The memtable's groups were flushed before the file went in, so the
  // file's sequence numbers are the newest: two files, the ingested one
  // newest (first in level 0).
  const auto files = HistoryFiles(store_.get());
  ASSERT_EQ(files.size(), 2u);
  EXPECT_GT(files[0].second.smallest_seqno, files[1].second.largest_seqno);
  // Bad input fails the same way on both paths, writing nothing.
  EXPECT_TRUE(
      store_->IngestCold("history", "t", {{"d", "1", 0}, {"d", "2", 0}}).IsInvalidArgument());
  Reopen();
  EXPECT_EQ(Scan("t").size(), 710u);
  std::string value;
  EXPECT_TRUE(store_->Get(ReadOptions(), "history", "t", "d", &value).IsNotFound());
}

}  // namespace
}  // namespace metakv
