// Fault injection (tests/fault_fs.h through Options::rocksdb_env): writes,
// syncs, renames, links and reads fail, including with ENOSPC, at chosen
// points and at random. Under each fault the call returns a non-OK Status
// (never a crash, never wrong data), the store stays readable, and after the
// fault is lifted and the store reopened nothing acknowledged is lost and
// nothing deleted comes back.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "engine/store_impl.h"
#include "metakv/store.h"
#include "tests/engine/store_fixture.h"
#include "tests/fault_fs.h"

namespace metakv::test {
namespace {

namespace fs = std::filesystem;

std::string Val(int i, int gen = 0) {
  return "value-" + std::to_string(i) + "-gen" + std::to_string(gen) + std::string(200, 'x');
}
std::string Key(int i) { return "k" + std::to_string(1000 + i); }

class FaultTest : public ::testing::Test {
 protected:
  void SetUp() override {
    clock_ = std::make_shared<ManualClock>();
    fs_ = std::make_shared<FaultFs>(/*seed=*/1);
    options_ = SmallOptions(clock_);
    options_.rocksdb_env = FaultFs::MakeEnv(fs_);
    options_.maintenance_interval_seconds = 0;
    options_.flush_controller_interval_seconds = 0;
    Open();
  }
  void TearDown() override {
    fs_->Clear();
    if (store_) {
      store_->Close().PermitUncheckedError();
      store_.reset();
    }
  }

  void Open() {
    store_.reset();
    const Status s = Store::Open(options_, dir_.path(), &store_);
    ASSERT_TRUE(s.ok()) << "Open: " << s.ToString();
  }
  // Lifts every fault, closes (the close may report the earlier error) and
  // reopens.
  void LiftAndReopen() {
    fs_->Clear();
    if (store_) {
      store_->Close().PermitUncheckedError();
      store_.reset();
    }
    Open();
  }

  // ---- the acknowledged state of the inode domain, tenant "t" ----
  void PutAcked(int i, int gen = 0) {
    MKV_ASSERT_OK(store_->Put(Synced(), kInode, "t", Key(i), Val(i, gen)));
    model_[Key(i)] = Val(i, gen);
  }
  void DeleteAcked(int i) {
    MKV_ASSERT_OK(store_->Delete(Synced(), kInode, "t", Key(i)));
    model_[Key(i)] = std::nullopt;
  }
  std::string Get(const std::string& domain, const std::string& tenant, const std::string& key) {
    std::string value;
    const Status s = store_->Get(ReadOptions(), domain, tenant, key, &value);
    if (s.IsNotFound()) return "NOT_FOUND";
    if (!s.ok()) return "ERROR: " + s.ToString();
    return value;
  }
  // Every acknowledged key reads as acknowledged; `maybe` keys (written by
  // a failed call) may read as either their old state or the new value.
  void ExpectAcked(const std::map<std::string, std::string>& maybe = {}) {
    for (const auto& [key, want] : model_) {
      const std::string got = Get(kInode, "t", key);
      auto m = maybe.find(key);
      if (m != maybe.end() && got == m->second) continue;
      EXPECT_EQ(got, want ? *want : "NOT_FOUND") << "key " << key;
    }
    for (const auto& [key, v] : maybe) {
      if (model_.count(key) != 0) continue;
      const std::string got = Get(kInode, "t", key);
      EXPECT_TRUE(got == "NOT_FOUND" || got == v) << "key " << key << ": " << got;
    }
  }
  // Some acknowledged data: 40 records, 10 of them deleted, spread over a
  // flushed file and the memtable.
  void Seed() {
    for (int i = 0; i < 20; ++i) PutAcked(i);
    MKV_ASSERT_OK(store_->Flush());
    for (int i = 0; i < 5; ++i) DeleteAcked(i);
    for (int i = 20; i < 40; ++i) PutAcked(i);
    for (int i = 20; i < 25; ++i) DeleteAcked(i);
  }
  std::vector<std::string> StagingFiles() const {
    std::vector<std::string> out;
    std::error_code ec;
    for (const auto& e : fs::directory_iterator(dir_.Sub("metakv-ingest"), ec)) {
      out.push_back(e.path().filename().string());
    }
    return out;
  }

  TempDir dir_;
  std::shared_ptr<ManualClock> clock_;
  std::shared_ptr<FaultFs> fs_;
  Options options_;
  std::unique_ptr<Store> store_;
  std::map<std::string, std::optional<std::string>> model_;
};

// ---------------------------------------------------------------- WAL ----

TEST_F(FaultTest, WalWriteFailureOnPutIsAnErrorAndLosesNothingAcknowledged) {
  Seed();
  fs_->FailNth(kFaultWrite, ".log", 0, /*times=*/0);
  const Status s = store_->Put(Synced(), kInode, "t", Key(100), Val(100));
  EXPECT_TRUE(s.IsIOError()) << s.ToString();
  EXPECT_NE(s.message().find("injected fault"), std::string::npos) << s.ToString();
  EXPECT_GT(fs_->Injected(), 0u);
  // Still readable.
  EXPECT_EQ(Get(kInode, "t", Key(10)), Val(10));
  EXPECT_EQ(Get(kInode, "t", Key(30)), Val(30));
  // Further writes are refused with an error, not lost silently: while the
  // fault lasts, and after it is lifted too (RocksDB has stopped writes with
  // a background error, the original one, until the store is reopened; a
  // write it took now could sit behind the lost WAL record).
  const Status again = store_->Put(Synced(), kInode, "t", Key(101), Val(101));
  EXPECT_TRUE(again.IsIOError()) << again.ToString();
  EXPECT_NE(again.message().find("injected fault"), std::string::npos) << again.ToString();
  fs_->Clear();
  const Status lifted = store_->Put(Synced(), kInode, "t", Key(102), Val(102));
  EXPECT_TRUE(lifted.IsIOError()) << lifted.ToString();
  EXPECT_NE(lifted.message().find("injected fault"), std::string::npos) << lifted.ToString();
  EXPECT_EQ(Get(kInode, "t", Key(101)), "NOT_FOUND");
  EXPECT_EQ(Get(kInode, "t", Key(102)), "NOT_FOUND");
  LiftAndReopen();
  // A refused write never shows up later.
  EXPECT_EQ(Get(kInode, "t", Key(101)), "NOT_FOUND");
  EXPECT_EQ(Get(kInode, "t", Key(102)), "NOT_FOUND");
  ExpectAcked({{Key(100), Val(100)}});
  // Writable again.
  PutAcked(103);
  ExpectAcked({{Key(100), Val(100)}});
}

// Regression: Close synced the WAL (FlushWAL(true)) even after a failed WAL
// write, and Debian's librocksdb 7.8, built with assertions, aborts the
// process when a WAL writer that has seen an error is synced again.
TEST_F(FaultTest, CloseAfterAFailedWalWriteReportsTheErrorInsteadOfAborting) {
  PutAcked(1);
  fs_->FailNth(kFaultWrite, ".log", 0, 0);
  EXPECT_FALSE(store_->Put(WriteOptions(), kInode, "t", Key(2), Val(2)).ok());
  fs_->Clear();
  const Status s = store_->Close();
  EXPECT_TRUE(s.IsIOError()) << s.ToString();
  EXPECT_NE(s.message().find("writes had failed"), std::string::npos) << s.ToString();
  store_.reset();
  Open();
  ExpectAcked({{Key(2), Val(2)}});
}

// The check Close makes before syncing the WAL (an empty write) must not
// make RocksDB flush the memtables at Close: the records stay in the WAL.
TEST_F(FaultTest, CloseLeavesTheMemtableInTheWal) {
  PutAcked(1);
  MKV_ASSERT_OK(store_->Close());
  store_.reset();
  uint64_t wal_bytes = 0;
  for (const auto& e : fs::directory_iterator(dir_.path())) {
    if (e.path().extension() == ".log") wal_bytes += e.file_size();
  }
  EXPECT_GT(wal_bytes, 0u);
  Open();
  ExpectAcked();
}

TEST_F(FaultTest, WalSyncNoSpaceOnWriteBatch) {
  Seed();
  fs_->NoSpace(kFaultSync, ".log");
  WriteBatch batch;
  batch.Put(kInode, "t", Key(200), Val(200));
  batch.Delete(kInode, "t", Key(10));
  const Status s = store_->Write(Synced(), batch);
  EXPECT_TRUE(s.IsIOError()) << s.ToString();
  EXPECT_NE(s.ToString().find("No space"), std::string::npos) << s.ToString();
  EXPECT_EQ(Get(kInode, "t", Key(11)), Val(11));
  LiftAndReopen();
  // The batch is all or nothing.
  const std::string k200 = Get(kInode, "t", Key(200));
  const std::string k10 = Get(kInode, "t", Key(10));
  if (k200 == "NOT_FOUND") {
    EXPECT_EQ(k10, Val(10));
  } else {
    EXPECT_EQ(k200, Val(200));
    EXPECT_EQ(k10, "NOT_FOUND");
    model_[Key(10)] = std::nullopt;
    model_[Key(200)] = Val(200);
  }
  ExpectAcked();
}

TEST_F(FaultTest, WalFailureOnLogicalDeleteDoesNotLoseTheRecord) {
  Seed();
  fs_->FailNth(kFaultWrite | kFaultSync, ".log", 0, 0);
  EXPECT_FALSE(store_->Delete(Synced(), kInode, "t", Key(15)).ok());
  EXPECT_FALSE(store_->Undelete(Synced(), kInode, "t", Key(2)).ok());
  EXPECT_FALSE(store_->HardDelete(Synced(), kInode, "t", Key(16)).ok());
  LiftAndReopen();
  // Each is either done or not; nothing else.
  const std::string k15 = Get(kInode, "t", Key(15));
  EXPECT_TRUE(k15 == Val(15) || k15 == "NOT_FOUND") << k15;
  const std::string k2 = Get(kInode, "t", Key(2));
  EXPECT_TRUE(k2 == Val(2) || k2 == "NOT_FOUND") << k2;
  model_.erase(Key(15));
  model_.erase(Key(2));
  model_.erase(Key(16));
  ExpectAcked();
}

// -------------------------------------------------------------- Flush ----

TEST_F(FaultTest, FlushNoSpaceIsAnErrorAndTheWalKeepsTheData) {
  Seed();
  fs_->NoSpace(kFaultWrite | kFaultCreate, ".sst");
  const Status s = store_->Flush();
  EXPECT_TRUE(s.IsIOError()) << s.ToString();
  EXPECT_NE(s.ToString().find("No space"), std::string::npos) << s.ToString();
  EXPECT_EQ(Get(kInode, "t", Key(30)), Val(30));
  EXPECT_EQ(Get(kInode, "t", Key(3)), "NOT_FOUND");
  // Writes either go on (RocksDB may treat ENOSPC in a flush as
  // recoverable) or are refused with an error; both are fine, not a crash.
  const Status w = store_->Put(Synced(), kInode, "t", Key(300), Val(300));
  if (w.ok()) model_[Key(300)] = Val(300);
  LiftAndReopen();
  ExpectAcked();
  MKV_ASSERT_OK(store_->Flush());
  LiftAndReopen();
  ExpectAcked();
}

// --------------------------------------------------------- Compaction ----

TEST_F(FaultTest, CompactionFailureIsAnErrorAndDeletesStayDeleted) {
  Seed();
  MKV_ASSERT_OK(store_->Flush());
  for (int i = 5; i < 10; ++i) DeleteAcked(i);
  for (int i = 10; i < 15; ++i) PutAcked(i, /*gen=*/1);
  MKV_ASSERT_OK(store_->Flush());
  MKV_ASSERT_OK(store_->WaitForBackgroundWork());
  fs_->FailNth(kFaultWrite, ".sst", 0, 0);
  const Status s = store_->CompactRange(kInode);
  EXPECT_FALSE(s.ok());
  EXPECT_TRUE(s.IsIOError()) << s.ToString();
  ExpectAcked();  // readable under the fault
  LiftAndReopen();
  ExpectAcked();
  MKV_ASSERT_OK(store_->CompactRange());
  ExpectAcked();
  LiftAndReopen();
  ExpectAcked();
}

// ----------------------------------------------------------- MANIFEST ----

TEST_F(FaultTest, ManifestWriteFailureOnFlushLosesNothing) {
  Seed();
  fs_->FailNth(kFaultWrite | kFaultSync, "MANIFEST", 0, 0);
  const Status s = store_->Flush();
  EXPECT_FALSE(s.ok());
  EXPECT_TRUE(s.IsIOError()) << s.ToString();
  ExpectAcked();
  LiftAndReopen();
  ExpectAcked();
}

TEST_F(FaultTest, OpenFailsCleanlyWhenTheManifestOrCurrentCannotBeWritten) {
  Seed();
  MKV_ASSERT_OK(store_->Close());
  store_.reset();
  // Every Open writes a new MANIFEST and points CURRENT at it.
  for (const auto& [ops, pattern] :
       std::vector<std::pair<uint32_t, std::string>>{{kFaultCreate, "MANIFEST"},
                                                     {kFaultWrite, "MANIFEST"},
                                                     {kFaultSync, "MANIFEST"},
                                                     {kFaultRename, "CURRENT"}}) {
    fs_->FailNth(ops, pattern, 0, 0);
    std::unique_ptr<Store> store;
    const Status s = Store::Open(options_, dir_.path(), &store);
    EXPECT_FALSE(s.ok()) << pattern;
    EXPECT_EQ(store, nullptr);
    EXPECT_NE(s.message().find(dir_.path()), std::string::npos) << s.ToString();
    fs_->Clear();
  }
  Open();
  ExpectAcked();
}

// --------------------------------------------------------- Cold ingest ----

class ColdIngestFaultTest : public FaultTest,
                            public ::testing::WithParamInterface<std::pair<uint32_t, std::string>> {
};

TEST_P(ColdIngestFaultTest, AFailedIngestLeavesNoHalfState) {
  const auto& [ops, pattern] = GetParam();
  std::vector<ColdRecord> before;
  for (int i = 0; i < 50; ++i) before.push_back({"old" + std::to_string(i), Val(i), 0});
  MKV_ASSERT_OK(store_->IngestCold(kHistory, "t", before));
  Seed();

  std::vector<ColdRecord> records;
  for (int i = 0; i < 200; ++i) records.push_back({"new" + std::to_string(i), Val(i, 7), 0});
  fs_->FailNth(ops, pattern, 0, 0);
  const Status s = store_->IngestCold(kHistory, "t", records);
  EXPECT_FALSE(s.ok()) << "fault " << pattern;
  EXPECT_TRUE(s.IsIOError()) << s.ToString();
  EXPECT_GT(fs_->Injected(), 0u) << "the fault never fired: " << pattern;
  auto expect_none = [&] {
    for (const auto& r : records) EXPECT_EQ(Get(kHistory, "t", r.key), "NOT_FOUND") << r.key;
    for (const auto& r : before) EXPECT_EQ(Get(kHistory, "t", r.key), r.value) << r.key;
    EXPECT_EQ(ScanForward(store_.get(), kHistory, TenantSpec("t", "new")).size(), 0u);
  };
  expect_none();
  EXPECT_EQ(StagingFiles(), std::vector<std::string>()) << "staging file left";
  ExpectAcked();
  LiftAndReopen();
  expect_none();
  EXPECT_EQ(StagingFiles(), std::vector<std::string>()) << "staging file left";
  ExpectAcked();
  // A retry succeeds in full.
  MKV_ASSERT_OK(store_->IngestCold(kHistory, "t", records));
  for (const auto& r : records) EXPECT_EQ(Get(kHistory, "t", r.key), r.value) << r.key;
  LiftAndReopen();
  for (const auto& r : records) EXPECT_EQ(Get(kHistory, "t", r.key), r.value) << r.key;
}

INSTANTIATE_TEST_SUITE_P(
    Faults, ColdIngestFaultTest,
    ::testing::Values(std::make_pair(uint32_t{kFaultCreate}, std::string("metakv-ingest/")),
                      std::make_pair(uint32_t{kFaultWrite}, std::string("metakv-ingest/")),
                      std::make_pair(uint32_t{kFaultSync}, std::string("metakv-ingest/")),
                      std::make_pair(uint32_t{kFaultLink}, std::string("metakv-ingest/")),
                      std::make_pair(uint32_t{kFaultWrite | kFaultSync}, std::string("MANIFEST"))),
    [](const auto& info) {
      std::string name = info.param.second == "MANIFEST" ? "Manifest" : "Staging";
      switch (info.param.first) {
        case kFaultCreate:
          return name + "Create";
        case kFaultWrite:
          return name + "Write";
        case kFaultSync:
          return name + "Sync";
        case kFaultLink:
          return name + "Link";
        default:
          return name + "WriteOrSync";
      }
    });

// A crash between writing the staging file and ingesting it (simulated: a
// staging file left behind) leaves nothing visible, and Open removes it.
TEST_F(FaultTest, StagingFileLeftByACrashIsRemovedAtOpen) {
  Seed();
  MKV_ASSERT_OK(store_->Close());
  store_.reset();
  fs::create_directories(dir_.Sub("metakv-ingest"));
  { std::ofstream(dir_.Sub("metakv-ingest/0.sst")) << "half written"; }
  Open();
  EXPECT_EQ(StagingFiles(), std::vector<std::string>());
  ExpectAcked();
}

// ------------------------------------------- Flush controller / OPTIONS ----

TEST_F(FaultTest, OptionsFileWriteFailureInTheFlushControllerDoesNotHurtTheStore) {
  MKV_ASSERT_OK(store_->Close());
  store_.reset();
  options_.flush_controller_interval_seconds = 3600;  // the test drives windows
  Open();
  FlushController* controller = ImplOf(store_)->TEST_flush_controller();
  ASSERT_NE(controller, nullptr);
  fs_->FailNth(kFaultCreate | kFaultWrite | kFaultSync | kFaultRename, "OPTIONS", 0, 0);
  int i = 0;
  bool changed = false;
  for (int window = 0; window < 10 && !changed; ++window) {
    for (int j = 0; j < 3000; ++j, ++i) {
      const Status s = store_->Put(WriteOptions(), kInode, "t", "ino" + std::to_string(j % 100),
                                   std::string(100, 'v'));
      ASSERT_TRUE(s.ok()) << s.ToString();
    }
    MKV_ASSERT_OK(store_->WaitForBackgroundWork());
    clock_->AdvanceSeconds(10);
    // RocksDB 7.8 (fail_if_options_file_error = false) applies the change
    // in memory and only logs that the OPTIONS file could not be written:
    // SetOptions, and so the window, succeeds. metakv passes every option
    // at Open, so a stale OPTIONS file is harmless.
    const rocksdb::Status rs = controller->RunOnce();
    EXPECT_TRUE(rs.ok()) << rs.ToString();
    for (const auto& rec : controller->History()) {
      changed = changed || rec.changed;
      EXPECT_TRUE(rec.applied) << rec.error;
    }
  }
  ASSERT_TRUE(changed) << "the controller never changed a setting";
  EXPECT_GT(fs_->Injected(), 0u) << "no OPTIONS file write was attempted";
  // The store goes on: writes, reads, flushes.
  PutAcked(1);
  MKV_ASSERT_OK(store_->Flush());
  Stats stats;
  MKV_ASSERT_OK(store_->GetStats(&stats));
  LiftAndReopen();
  ExpectAcked();
  for (const auto& e : fs::directory_iterator(dir_.path())) {
    EXPECT_NE(e.path().extension(), ".dbtmp") << "temporary file left: " << e.path();
  }
}

// -------------------------------------------------------------- Reads ----

TEST_F(FaultTest, ReadErrorsAreReportedNeverWrongData) {
  Seed();
  MKV_ASSERT_OK(store_->Flush());
  MKV_ASSERT_OK(store_->CompactRange());
  ReadOptions ro;
  ro.fill_cache = false;

  for (bool corrupt : {false, true}) {
    SCOPED_TRACE(corrupt ? "bit flips" : "read errors");
    LiftAndReopen();  // nothing cached from the previous round
    FaultRule rule;
    rule.ops = kFaultRead;
    rule.pattern = ".sst";
    rule.times = 0;
    rule.corrupt_read = corrupt;
    fs_->AddRule(rule);
    std::string value = "unchanged";
    Status s = store_->Get(ro, kInode, "t", Key(30), &value);
    EXPECT_FALSE(s.ok());
    EXPECT_FALSE(s.IsNotFound()) << s.ToString();
    EXPECT_TRUE(corrupt ? s.IsCorruption() : s.IsIOError()) << s.ToString();
    EXPECT_NE(value, Val(30) + "x");

    std::vector<std::string> values;
    std::vector<Status> statuses;
    s = store_->MultiGet(ro, {{kInode, "t", Key(30)}, {kInode, "t", Key(31)}}, &values, &statuses);
    if (s.ok()) {
      ASSERT_EQ(statuses.size(), 2u);
      for (const Status& st : statuses) {
        EXPECT_FALSE(st.ok() || st.IsNotFound()) << st.ToString();
      }
    }

    std::unique_ptr<Iterator> it;
    s = store_->NewIterator(ro, kInode, TenantSpec("t"), &it);
    if (s.ok()) {
      it->SeekToFirst();
      EXPECT_FALSE(it->Valid());
      EXPECT_FALSE(it->status().ok());
      it.reset();
    }
    // A logical delete reads first: the read error fails it, it does not
    // take the record for missing.
    s = store_->Delete(Synced(), kInode, "t", Key(31));
    EXPECT_FALSE(s.ok() || s.IsNotFound()) << s.ToString();
    fs_->Clear();
    // Lifted: read errors leave no lasting state.
    ExpectAcked();
  }
}

TEST_F(FaultTest, ReadErrorsDuringOpenFailOpenNamingTheFile) {
  Seed();
  MKV_ASSERT_OK(store_->Flush());
  MKV_ASSERT_OK(store_->Close());
  store_.reset();
  fs_->FailNth(kFaultOpenRead, ".sst", 0, 0);
  std::unique_ptr<Store> store;
  const Status s = Store::Open(options_, dir_.path(), &store);
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.message().find(".sst"), std::string::npos) << s.ToString();
  fs_->Clear();
  Open();
  ExpectAcked();
}

// ------------------------------------------------------------- Random ----

// Seeded random faults on every kind of write while a workload runs; after
// each failure the fault is lifted, the store reopened and checked.
TEST_F(FaultTest, RandomFaultsLoseNothingAcknowledged) {
  const uint64_t seeds = 3;
  int failures = 0;
  for (uint64_t seed = 1; seed <= seeds; ++seed) {
    SCOPED_TRACE("seed " + std::to_string(seed));
    std::mt19937_64 rng(seed);
    fs_->Clear();
    fs_->Reseed(seed);
    const bool enospc = seed % 2 == 0;
    // Arms the seed's fault again after each reopen.
    auto arm = [&] {
      fs_->FailRandomly(kFaultAnyWrite, "", 0.01,
                        enospc ? rocksdb::IOStatus::NoSpace("injected fault", "random")
                               : rocksdb::IOStatus::IOError("injected fault", "random"));
    };
    arm();
    std::map<std::string, std::string> maybe;
    for (int op = 0; op < 150; ++op) {
      const int i = static_cast<int>(rng() % 60);
      const std::string key = Key(i);
      const int kind = static_cast<int>(rng() % 10);
      Status s;
      std::optional<std::string> next;
      if (kind < 6) {
        next = Val(i, op);
        s = store_->Put(Synced(), kInode, "t", key, *next);
      } else if (kind < 8) {
        s = store_->Delete(Synced(), kInode, "t", key);
        if (s.IsNotFound()) continue;
        next = std::nullopt;
      } else {
        // A flush or a compaction changes nothing acknowledged.
        s = kind == 8 ? store_->Flush() : store_->CompactRange(kInode);
        if (!s.ok()) {
          ++failures;
          LiftAndReopen();
          ExpectAcked();
          arm();
        }
        continue;
      }
      if (s.ok()) {
        model_[key] = next;
        continue;
      }
      ++failures;
      ASSERT_FALSE(s.IsNotFound() || s.IsInvalidArgument()) << s.ToString();
      // Unacknowledged: after the reopen the key is old or new.
      LiftAndReopen();
      const std::string got = Get(kInode, "t", key);
      const std::string want_new = next ? *next : "NOT_FOUND";
      const auto old = model_.find(key);
      const std::string want_old = old == model_.end() || !old->second ? "NOT_FOUND" : *old->second;
      EXPECT_TRUE(got == want_new || got == want_old)
          << key << ": " << got << " is neither " << want_old << " nor " << want_new;
      if (got == want_new) model_[key] = next;
      ExpectAcked();
      arm();
    }
    LiftAndReopen();
    ExpectAcked();
  }
  EXPECT_GT(failures, 0) << "no fault fired";
  RecordProperty("failures", failures);
}

}  // namespace
}  // namespace metakv::test
