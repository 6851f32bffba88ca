// The store's time never runs backwards (engine/store_clock.h): every call
// that reads or writes times, with a clock that steps back within a run and
// across a reopen. The rule, from the API's documentation: the store's time
// at a call is the latest of the clock and every time the store used before,
// across a clean reopen exactly, across a crash at most a lease ahead.
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "engine/store_clock.h"
#include "tests/engine/raw_rocksdb.h"
#include "tests/engine/store_fixture.h"

namespace metakv::test {
namespace {

namespace fs = std::filesystem;

constexpr uint64_t kStepBack = 500;

enum class Step { kWithinRun, kAcrossReopen };

class StoreClockTest : public StoreTest, public ::testing::WithParamInterface<Step> {
 protected:
  // Moves the clock back by seconds: in the running store, or between a
  // Close and the next Open.
  void StepBack(uint64_t seconds) {
    if (GetParam() == Step::kAcrossReopen) {
      MKV_ASSERT_OK(store_->Close());
      store_.reset();
    }
    clock_->SetMicros(clock_->NowMicros() - seconds * 1000000);
    if (GetParam() == Step::kAcrossReopen) OpenStore();
  }
  uint64_t StoreTime() {
    const Snapshot* snap = store_->GetSnapshot();
    EXPECT_NE(snap, nullptr);
    if (snap == nullptr) return 0;
    const uint64_t t = snap->time_seconds();
    store_->ReleaseSnapshot(snap);
    return t;
  }
  uint64_t Retention(const std::string& domain) const {
    for (const auto& d : options_.domains) {
      if (d.name == domain) return d.tombstone_retention_seconds;
    }
    ADD_FAILURE() << "no domain " << domain;
    return 0;
  }
  // Records of tenant in inode, dentry and (ingested) history.
  void Fill(const std::string& tenant, int n) {
    std::vector<ColdRecord> cold;
    for (int i = 0; i < n; ++i) {
      const std::string key = "dir/" + std::to_string(i);
      MKV_ASSERT_OK(Put(kInode, tenant, key, "i" + std::to_string(i)));
      MKV_ASSERT_OK(Put(kDentry, tenant, key, "d" + std::to_string(i)));
      cold.push_back({key, "h" + std::to_string(i), 0});
    }
    MKV_ASSERT_OK(store_->IngestCold(kHistory, tenant, cold));
  }
  size_t Visible(const std::string& domain, const std::string& tenant) {
    return ScanForward(store_.get(), domain, TenantSpec(tenant)).size();
  }
};

INSTANTIATE_TEST_SUITE_P(Steps, StoreClockTest,
                         ::testing::Values(Step::kWithinRun, Step::kAcrossReopen),
                         [](const auto& info) {
                           return info.param == Step::kWithinRun ? std::string("WithinRun")
                                                                 : std::string("AcrossReopen");
                         });

TEST_P(StoreClockTest, StoreTimeNeverRunsBackwards) {
  const uint64_t t0 = StoreTime();
  EXPECT_EQ(t0, clock_->NowSeconds());
  clock_->AdvanceSeconds(30);
  const uint64_t t1 = StoreTime();
  EXPECT_EQ(t1, t0 + 30);
  StepBack(kStepBack);
  EXPECT_EQ(StoreTime(), t1) << "the store's time stays at the latest it used";
  clock_->AdvanceSeconds(kStepBack + 7);
  EXPECT_EQ(StoreTime(), t1 + 7) << "and follows the clock again once it is past";
}

TEST_P(StoreClockTest, RemoveTenantHidesRecordsWrittenBeforeTheStep) {
  Fill("t", 20);
  Fill("u", 5);
  StepBack(kStepBack);
  MKV_ASSERT_OK(store_->RemoveTenant(WriteOptions(), "t"));
  for (const std::string& d : {kInode, kDentry, kHistory}) {
    EXPECT_EQ(Visible(d, "t"), 0u) << d;
    EXPECT_EQ(Get(d, "t", "dir/3"), "NOT_FOUND") << d;
    EXPECT_EQ(Visible(d, "u"), 5u) << d << ": another tenant untouched";
  }
  MKV_ASSERT_OK(Put(kInode, "t", "new", "n"));
  EXPECT_EQ(Get(kInode, "t", "new"), "n") << "a write after the removal stays visible";
  Reopen();
  EXPECT_EQ(Visible(kInode, "t"), 1u);
  EXPECT_EQ(Visible(kDentry, "t"), 0u);
}

TEST_P(StoreClockTest, RemoveTreeHidesRecordsWrittenBeforeTheStepInBothModes) {
  for (const RemoveMode mode : {RemoveMode::kHard, RemoveMode::kLogical}) {
    const std::string tenant = mode == RemoveMode::kHard ? "hard" : "logical";
    for (int i = 0; i < 10; ++i) {
      MKV_ASSERT_OK(Put(kInode, tenant, "a/" + std::to_string(i), "v"));
      MKV_ASSERT_OK(Put(kDentry, tenant, "a/" + std::to_string(i), "v"));
    }
    MKV_ASSERT_OK(Put(kInode, tenant, "b/0", "keep"));
    StepBack(kStepBack);
    uint64_t id = 0;
    MKV_ASSERT_OK(
        store_->RemoveTree(WriteOptions(), tenant, {{kInode, "a/"}, {kDentry, "a/"}}, mode, &id));
    EXPECT_EQ(Visible(kInode, tenant), 1u) << tenant;
    EXPECT_EQ(Visible(kDentry, tenant), 0u) << tenant;
    EXPECT_EQ(Get(kInode, tenant, "a/4"), "NOT_FOUND") << tenant;
    EXPECT_EQ(Get(kInode, tenant, "b/0"), "keep") << tenant;
    if (mode == RemoveMode::kLogical) {
      MKV_ASSERT_OK(store_->RestoreTree(WriteOptions(), id));
      EXPECT_EQ(Visible(kInode, tenant), 11u) << "RestoreTree brings the whole tree back";
      EXPECT_EQ(Visible(kDentry, tenant), 10u);
    } else {
      MKV_EXPECT_CODE(kNotFound, store_->RestoreTree(WriteOptions(), id));
    }
  }
}

TEST_P(StoreClockTest, RestoreTreeRetentionCountsInStoreTime) {
  MKV_ASSERT_OK(Put(kInode, "t", "a/1", "v"));
  uint64_t id = 0;
  MKV_ASSERT_OK(
      store_->RemoveTree(WriteOptions(), "t", {{kInode, "a/"}}, RemoveMode::kLogical, &id));
  clock_->AdvanceSeconds(Retention(kInode));
  EXPECT_EQ(StoreTime(), clock_->NowSeconds());
  StepBack(Retention(kInode));
  // The retention passed at a time the store used; the step back does not
  // make the tree restorable again.
  const Status s = store_->RestoreTree(WriteOptions(), id);
  EXPECT_TRUE(s.IsExpired() || s.IsNotFound()) << s.ToString();
  EXPECT_EQ(Get(kInode, "t", "a/1"), "NOT_FOUND");
}

TEST_P(StoreClockTest, DeleteAndUndeleteKeepTheirTimesAcrossTheStep) {
  const uint64_t retention = Retention(kInode);
  MKV_ASSERT_OK(Put(kInode, "t", "k", "v"));
  MKV_ASSERT_OK(Delete(kInode, "t", "k"));
  const uint64_t deleted_at = StoreTime();
  StepBack(kStepBack);
  EXPECT_EQ(Get(kInode, "t", "k"), "NOT_FOUND");
  MKV_ASSERT_OK(Undelete(kInode, "t", "k"));
  EXPECT_EQ(Get(kInode, "t", "k"), "v");
  // Deleted again at the store's time (deleted_at), not the clock's.
  MKV_ASSERT_OK(Delete(kInode, "t", "k"));
  clock_->AdvanceSeconds(retention - 1);  // the clock at deleted_at - 500 + retention - 1
  MKV_EXPECT_OK(Undelete(kInode, "t", "k"));
  MKV_ASSERT_OK(Delete(kInode, "t", "k"));
  const uint64_t deleted_again_at = StoreTime();
  EXPECT_EQ(deleted_again_at, deleted_at + retention - 1 - kStepBack);
  // Its retention ends at a time counted from its delete time.
  clock_->SetMicros((deleted_again_at + retention) * 1000000);
  MKV_EXPECT_CODE(kExpired, Undelete(kInode, "t", "k"));
  // Once a call has seen it end, a step back does not reopen it.
  StepBack(kStepBack);
  MKV_EXPECT_CODE(kExpired, Undelete(kInode, "t", "k"));
  EXPECT_EQ(Get(kInode, "t", "k"), "NOT_FOUND");
}

TEST_P(StoreClockTest, ExpiredRecordsStayExpired) {
  MKV_ASSERT_OK(Put(kInode, "t", "k", "v", /*ttl=*/100));
  MKV_ASSERT_OK(store_->IngestCold(kHistory, "t", {{"h", "x", 100}}));
  EXPECT_EQ(Get(kInode, "t", "k"), "v");
  EXPECT_EQ(Get(kHistory, "t", "h"), "x");
  clock_->AdvanceSeconds(100);
  EXPECT_EQ(Get(kInode, "t", "k"), "NOT_FOUND");
  EXPECT_EQ(Get(kHistory, "t", "h"), "NOT_FOUND");
  StepBack(100);
  EXPECT_EQ(Get(kInode, "t", "k"), "NOT_FOUND") << "an expired record never shows again";
  EXPECT_EQ(Get(kHistory, "t", "h"), "NOT_FOUND");
  EXPECT_EQ(Visible(kInode, "t"), 0u);
  EXPECT_EQ(Visible(kHistory, "t"), 0u);
}

TEST_P(StoreClockTest, IngestAfterTheStepIsStampedAtTheStoreTime) {
  clock_->AdvanceSeconds(10);
  const uint64_t before = StoreTime();
  StepBack(kStepBack);
  MKV_ASSERT_OK(store_->IngestCold(kHistory, "t", {{"h1", "x", 0}, {"h2", "y", 0}}));
  ReadOptions ro;
  std::unique_ptr<Iterator> it;
  MKV_ASSERT_OK(store_->NewIterator(ro, kHistory, TenantSpec("t"), &it));
  int n = 0;
  for (it->SeekToFirst(); it->Valid(); it->Next(), ++n) {
    EXPECT_GE(it->write_time(), before) << "stamped no earlier than a time already used";
  }
  MKV_EXPECT_OK(it->status());
  EXPECT_EQ(n, 2);
  it.reset();
  // And a hard removal after it hides them.
  MKV_ASSERT_OK(store_->RemoveTree(WriteOptions(), "t", {{kHistory, "h"}}, RemoveMode::kHard));
  EXPECT_EQ(Visible(kHistory, "t"), 0u);
}

TEST_P(StoreClockTest, PurgeDeadlineCountsInStoreTime) {
  Fill("t", 50);
  Fill("u", 5);
  MKV_ASSERT_OK(store_->Flush());
  MKV_ASSERT_OK(store_->RemoveTenant(WriteOptions(), "t"));
  clock_->AdvanceSeconds(2);
  EXPECT_GT(StoreTime(), 0u);  // a call sees the removal's purge time pass
  StepBack(kStepBack);
  // Due by the store's time, whatever the clock says: purged and forgotten.
  // A file busy in a size-triggered compaction is retried on the next call,
  // so call it until the removal is gone (without the store's time it never
  // becomes due, however often).
  auto pending = [&] {
    Stats stats;
    EXPECT_TRUE(store_->GetStats(&stats).ok());
    uint64_t n = 0;
    for (const auto& d : stats.domains) n += d.pending_purges;
    return n;
  };
  for (int pass = 0; pass < 20 && pending() != 0; ++pass) {
    uint64_t compactions = 0;
    MKV_ASSERT_OK(PurgeDeadlineNow(store_.get(), &compactions));
    MKV_ASSERT_OK(store_->WaitForBackgroundWork(10000));
  }
  EXPECT_EQ(pending(), 0u) << "the removal is purged and forgotten";
  MKV_ASSERT_OK(store_->Close());
  store_.reset();
  RawDb raw(dir_.path(), /*read_only=*/true);
  ASSERT_TRUE(raw.ok());
  for (const std::string& d : {kInode, kDentry, kHistory}) {
    size_t of_t = 0, of_u = 0;
    for (const std::string& key : raw.Keys(d)) {
      if (key.rfind(std::string("t") + '\0', 0) == 0) ++of_t;
      if (key.rfind(std::string("u") + '\0', 0) == 0) ++of_u;
    }
    EXPECT_EQ(of_t, 0u) << d << ": the removed tenant's bytes are gone";
    EXPECT_EQ(of_u, 5u) << d;
  }
}

// ---- Persistence of the store's time (not parameterized) ----

using StoreTimeFileTest = StoreClockTest;
INSTANTIATE_TEST_SUITE_P(Once, StoreTimeFileTest, ::testing::Values(Step::kAcrossReopen));

TEST_P(StoreTimeFileTest, CleanCloseKeepsTheExactTime) {
  clock_->AdvanceSeconds(3);
  const uint64_t last = StoreTime();
  StepBack(kStepBack);
  EXPECT_EQ(StoreTime(), last) << "a clean reopen continues exactly where the store stopped";
}

TEST_P(StoreTimeFileTest, AfterACrashTheTimeIsAtMostALeaseAhead) {
  MKV_ASSERT_OK(store_->Put(Synced(), kInode, "t", "k", "v"));
  clock_->AdvanceSeconds(5);
  const uint64_t last = StoreTime();
  // A crash image: the open store's files as they are now (every write
  // synced, nothing running).
  MKV_ASSERT_OK(store_->WaitForBackgroundWork(10000));
  TempDir image;
  fs::copy(dir_.path(), image.path(),
           fs::copy_options::recursive | fs::copy_options::overwrite_existing);
  MKV_ASSERT_OK(store_->Close());
  store_.reset();
  clock_->SetMicros((last - kStepBack) * 1000000);
  MKV_ASSERT_OK(Store::Open(options_, image.path(), &store_));
  const uint64_t t = StoreTime();
  EXPECT_GE(t, last);
  EXPECT_LE(t, last + StoreClock::kLeaseSeconds);
  EXPECT_EQ(Get(kInode, "t", "k"), "v");
  // Closed before the image's directory goes with `image`.
  MKV_ASSERT_OK(store_->Close());
  store_.reset();
}

TEST_P(StoreTimeFileTest, WithoutTheFileTheNewestStoredTimeIsTheFloor) {
  clock_->AdvanceSeconds(1000);
  MKV_ASSERT_OK(Put(kInode, "t", "k", "v"));
  const uint64_t written = StoreTime();
  MKV_ASSERT_OK(store_->Close());
  store_.reset();
  ASSERT_TRUE(fs::remove(fs::path(dir_.path()) / std::string(kTimeBoundFile)));
  clock_->SetMicros((written - kStepBack) * 1000000);
  OpenStore();
  EXPECT_GE(StoreTime(), written);
  MKV_ASSERT_OK(store_->RemoveTenant(WriteOptions(), "t"));
  EXPECT_EQ(Get(kInode, "t", "k"), "NOT_FOUND");
}

TEST_P(StoreTimeFileTest, ADamagedFileFailsOpenNamingIt) {
  MKV_ASSERT_OK(store_->Close());
  store_.reset();
  const fs::path file = fs::path(dir_.path()) / std::string(kTimeBoundFile);
  std::string bytes;
  {
    std::ifstream in(file, std::ios::binary);
    bytes.assign(std::istreambuf_iterator<char>(in), {});
  }
  ASSERT_FALSE(bytes.empty());
  bytes[1] ^= 0x20;
  {
    std::ofstream out(file, std::ios::binary | std::ios::trunc);
    out << bytes;
  }
  const Status s = Store::Open(options_, dir_.path(), &store_);
  EXPECT_TRUE(s.IsCorruption()) << s.ToString();
  EXPECT_NE(s.message().find(std::string(kTimeBoundFile)), std::string::npos) << s.ToString();
}

TEST(StoreClockUnitTest, BoundStopsTheClockUntilExtended) {
  auto base = std::make_shared<ManualClock>(1000ull * 1000000);
  StoreClock clock(base);
  clock.Start(/*floor_seconds=*/990, /*bound_seconds=*/1005);
  EXPECT_EQ(clock.NowSeconds(), 1000u);
  EXPECT_EQ(clock.BoundNeededFor(0), 0u);
  base->AdvanceSeconds(10);  // 1010: past the bound
  EXPECT_EQ(clock.NowSeconds(), 1005u) << "never past the persisted bound";
  EXPECT_EQ(clock.BoundNeededFor(0), 1010u + StoreClock::kLeaseSeconds);
  EXPECT_EQ(clock.BoundNeededFor(2000), 2000u + StoreClock::kLeaseSeconds) << "a stamp ahead";
  clock.SetBound(1010 + StoreClock::kLeaseSeconds);
  EXPECT_EQ(clock.NowSeconds(), 1010u);
  base->SetMicros(500ull * 1000000);
  EXPECT_EQ(clock.NowSeconds(), 1010u);
  EXPECT_EQ(clock.floor_seconds(), 1010u);
  uint64_t bound = 0, max_write = 0;
  MKV_EXPECT_OK(StoreClock::DecodeBound(StoreClock::EncodeBound(1234, 1236), &bound, &max_write));
  EXPECT_EQ(bound, 1234u);
  EXPECT_EQ(max_write, 1236u);
  std::string bad = StoreClock::EncodeBound(1234, 1236);
  bad.back() ^= 1;
  EXPECT_TRUE(StoreClock::DecodeBound(bad, &bound, &max_write).IsCorruption());
  EXPECT_TRUE(StoreClock::DecodeBound("", &bound, &max_write).IsCorruption());
}

// The maintenance thread starts a pass once the interval has gone by on the
// store's clock or in real time, whichever is first: a simulated clock gets
// passes at its own pace (one per jump, however long), a stopped one still
// gets them in real time.
TEST(StoreMaintenanceTest, PassesFollowTheStoreClockOrRealTimeWhicheverIsFirst) {
  TempDir dir;
  auto clock = std::make_shared<ManualClock>();
  Options options = SmallOptions(clock);
  options.maintenance_interval_seconds = 3600;  // real time never gets there here
  std::unique_ptr<Store> store;
  MKV_ASSERT_OK(Store::Open(options, dir.path(), &store));
  auto passes = [&] {
    Stats stats;
    EXPECT_TRUE(store->GetStats(&stats).ok());
    return stats.maintenance_passes;
  };
  // The passes once n have started (or 10 s went by), and 200 ms more.
  auto wait_for = [&](uint64_t n) {
    for (int i = 0; i < 1000 && passes() < n; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    return passes();
  };
  EXPECT_EQ(wait_for(0), 0u) << "nothing has gone by";
  clock->AdvanceSeconds(3599);
  EXPECT_EQ(wait_for(0), 0u) << "a second short of the interval";
  clock->AdvanceSeconds(1);
  EXPECT_EQ(wait_for(1), 1u);
  clock->AdvanceSeconds(3 * 3600);
  EXPECT_EQ(wait_for(2), 2u) << "one pass for one jump";
  MKV_ASSERT_OK(store->Close());

  options.maintenance_interval_seconds = 1;
  MKV_ASSERT_OK(Store::Open(options, dir.path(), &store));
  EXPECT_GE(wait_for(1), 1u) << "the store's clock stands still: real time";
  Stats stats;
  MKV_ASSERT_OK(store->GetStats(&stats));
  EXPECT_EQ(stats.maintenance_errors, 0u);
}

}  // namespace
}  // namespace metakv::test
