// A store opened as a RocksDB secondary beside a writer (Options::
// secondary_path, Store::TryCatchUpWithPrimary); the domain settings a tool
// reads back (Store::StoredDomains); the pending removals listed
// (Store::ListRemovals).
#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "tests/engine/store_fixture.h"

namespace metakv::test {
namespace {

class SecondaryTest : public StoreTest {
 protected:
  // A secondary beside store_, with its directory under side_.
  std::unique_ptr<Store> OpenSecondary(const std::string& name = "secondary") {
    Options o = options_;
    o.create_if_missing = false;
    o.secondary_path = side_.Sub(name);
    std::unique_ptr<Store> secondary;
    const Status s = Store::Open(o, dir_.path(), &secondary);
    EXPECT_TRUE(s.ok()) << s.ToString();
    return secondary;
  }
  static std::string GetFrom(Store* store, const std::string& domain, const std::string& tenant,
                             const std::string& key) {
    std::string value;
    const Status s = store->Get(ReadOptions(), domain, tenant, key, &value);
    return s.ok() ? value : s.IsNotFound() ? "NOT_FOUND" : s.ToString();
  }
  TempDir side_;
};

TEST_F(SecondaryTest, SeesThePrimaryAsOfOpenThenAsOfEachCatchUp) {
  MKV_ASSERT_OK(Put(kInode, "t", "flushed", "1"));
  MKV_ASSERT_OK(store_->Flush(kInode));
  MKV_ASSERT_OK(store_->Put(Synced(), kInode, "t", "in-wal", "2"));
  std::unique_ptr<Store> secondary = OpenSecondary();
  ASSERT_NE(secondary, nullptr);
  EXPECT_EQ(GetFrom(secondary.get(), kInode, "t", "flushed"), "1");
  EXPECT_EQ(GetFrom(secondary.get(), kInode, "t", "in-wal"), "2");

  // The primary moves on: a write, a delete, a tree removal, a flush.
  MKV_ASSERT_OK(store_->Put(Synced(), kInode, "t", "later", "3"));
  MKV_ASSERT_OK(store_->Delete(Synced(), kInode, "t", "flushed"));
  MKV_ASSERT_OK(store_->Put(Synced(), kDentry, "t", "dir/a", "4"));
  MKV_ASSERT_OK(store_->Flush(kDentry));
  uint64_t removal = 0;
  MKV_ASSERT_OK(
      store_->RemoveTree(Synced(), "t", {{kDentry, "dir/"}}, RemoveMode::kLogical, &removal));
  // Until the catch-up, the secondary's view stays where it was.
  EXPECT_EQ(GetFrom(secondary.get(), kInode, "t", "later"), "NOT_FOUND");
  EXPECT_EQ(GetFrom(secondary.get(), kInode, "t", "flushed"), "1");
  MKV_ASSERT_OK(secondary->TryCatchUpWithPrimary());
  EXPECT_EQ(GetFrom(secondary.get(), kInode, "t", "later"), "3");
  EXPECT_EQ(GetFrom(secondary.get(), kInode, "t", "flushed"), "NOT_FOUND");
  // The removal came with the catch-up: the removed tree is hidden, not shown.
  EXPECT_EQ(GetFrom(secondary.get(), kDentry, "t", "dir/a"), "NOT_FOUND");
  std::vector<RemovalInfo> removals;
  MKV_ASSERT_OK(secondary->ListRemovals(&removals));
  ASSERT_EQ(removals.size(), 1u);
  EXPECT_EQ(removals[0].id, removal);
  // The recycle bin reads too.
  ScanSpec bin;
  bin.tenant = "t";
  bin.deleted = true;
  EXPECT_EQ(ScanForward(secondary.get(), kInode, bin),
            (std::vector<Entry>{{"t", "flushed", "1"}}));
  MKV_EXPECT_OK(secondary->Close());
}

TEST_F(SecondaryTest, WritesAndBackgroundWorkAreRefused) {
  std::unique_ptr<Store> secondary = OpenSecondary();
  ASSERT_NE(secondary, nullptr);
  MKV_EXPECT_CODE(kNotSupported, secondary->Put(WriteOptions(), kInode, "t", "k", "v"));
  MKV_EXPECT_CODE(kNotSupported, secondary->RemoveTenant(WriteOptions(), "t"));
  MKV_EXPECT_CODE(kNotSupported, secondary->Flush(kInode));
  MKV_EXPECT_CODE(kNotSupported, secondary->CreateCheckpoint(side_.Sub("copy")));
  // The primary is undisturbed.
  MKV_EXPECT_OK(Put(kInode, "t", "k", "v"));
  MKV_EXPECT_OK(secondary->Close());
  // A store not opened as a secondary cannot catch up.
  MKV_EXPECT_CODE(kNotSupported, store_->TryCatchUpWithPrimary());
}

TEST_F(SecondaryTest, ACatchUpWaitsForOpenIteratorsAndSnapshots) {
  MKV_ASSERT_OK(Put(kInode, "t", "a", "1"));
  std::unique_ptr<Store> secondary = OpenSecondary();
  ASSERT_NE(secondary, nullptr);
  const Snapshot* snap = secondary->GetSnapshot();
  ASSERT_NE(snap, nullptr);
  MKV_ASSERT_OK(Put(kInode, "t", "b", "2"));
  MKV_EXPECT_CODE(kBusy, secondary->TryCatchUpWithPrimary());
  std::string value;
  ReadOptions at_snap;
  at_snap.snapshot = snap;
  EXPECT_TRUE(secondary->Get(at_snap, kInode, "t", "a", &value).ok());
  EXPECT_TRUE(secondary->Get(at_snap, kInode, "t", "b", &value).IsNotFound());
  secondary->ReleaseSnapshot(snap);
  {
    std::unique_ptr<Iterator> it;
    MKV_ASSERT_OK(secondary->NewIterator(ReadOptions(), kInode, TenantSpec("t"), &it));
    MKV_EXPECT_CODE(kBusy, secondary->TryCatchUpWithPrimary());
  }
  MKV_ASSERT_OK(secondary->TryCatchUpWithPrimary());
  EXPECT_EQ(GetFrom(secondary.get(), kInode, "t", "b"), "2");
  MKV_EXPECT_OK(secondary->Close());
}

// A live secondary beside writers and removals: every read of one view
// shows a consistent state. A writer writes pairs of keys in one batch and
// removes whole trees; after any catch-up, a pair is whole or absent.
TEST_F(SecondaryTest, CatchUpsBesideAWriterShowWholeBatchesAndRemovals) {
  std::unique_ptr<Store> secondary = OpenSecondary();
  ASSERT_NE(secondary, nullptr);
  std::atomic<bool> stop{false};
  std::atomic<int> written{0};
  std::atomic<int> checks{0};
  std::thread writer([&] {
    for (int i = 0; !stop.load() && i < 400; ++i) {
      // Every 100 batches, wait for a catch-up and check of the secondary:
      // however the two threads are scheduled (a loaded machine, a
      // sanitizer), the checks interleave with the writes.
      while (checks.load() < i / 100 && !stop.load()) std::this_thread::yield();
      WriteBatch batch;
      const std::string dir = "d" + std::to_string(i) + "/";
      batch.Put(kDentry, "t", dir + "x", "x" + std::to_string(i));
      batch.Put(kInode, "t", dir + "y", "y" + std::to_string(i));
      if (!store_->Write(WriteOptions(), batch).ok()) break;
      if (i % 3 == 2) {
        const std::string old = "d" + std::to_string(i - 1) + "/";
        if (!store_->RemoveTree(WriteOptions(), "t", {{kDentry, old}, {kInode, old}},
                                RemoveMode::kLogical)
                 .ok()) {
          break;
        }
      }
      if (i % 50 == 49) store_->Flush().PermitUncheckedError();
      written.store(i + 1);
    }
  });
  while (written.load() < 400 && checks.load() < 2000) {
    const int upto = written.load();  // acknowledged before the catch-up
    MKV_ASSERT_OK(secondary->TryCatchUpWithPrimary());
    for (int i = 0; i < upto; ++i) {
      const std::string dir = "d" + std::to_string(i) + "/";
      std::vector<std::string> values;
      std::vector<Status> statuses;
      MKV_ASSERT_OK(secondary->MultiGet(ReadOptions(), {{kDentry, "t", dir + "x"}, {kInode, "t", dir + "y"}},
                                        &values, &statuses));
      ASSERT_EQ(statuses[0].ok(), statuses[1].ok()) << dir << ": half a batch or half a removal";
      // A tree of the form 3k+1 is removed once 3k+2 is written.
      if (i % 3 == 1 && i + 1 < upto) {
        EXPECT_FALSE(statuses[0].ok()) << dir << " was removed";
      }
      if (i % 3 != 1) {
        EXPECT_TRUE(statuses[0].ok()) << dir << ": " << statuses[0].ToString();
      }
    }
    ++checks;
  }
  stop.store(true);
  writer.join();
  EXPECT_GT(checks.load(), 1);
  MKV_EXPECT_OK(secondary->Close());
}

TEST_F(SecondaryTest, BadSecondaryPathsAreRefused) {
  Options o = options_;
  o.create_if_missing = false;
  o.secondary_path = dir_.path();
  std::unique_ptr<Store> s;
  MKV_EXPECT_CODE(kInvalidArgument, Store::Open(o, dir_.path(), &s));
  o.secondary_path = side_.Sub("ok");
  o.create_if_missing = true;
  MKV_EXPECT_CODE(kInvalidArgument, Store::Open(o, dir_.path(), &s));
  EXPECT_EQ(s, nullptr);
}

TEST_F(SecondaryTest, StoredDomainsGiveTheCatalogueAndTheRetentionOfTheLastWriter) {
  std::vector<DomainOptions> domains;
  std::vector<std::string> no_retention;
  MKV_ASSERT_OK(Store::StoredDomains(Options(), dir_.path(), &domains, &no_retention));
  ASSERT_EQ(domains.size(), options_.domains.size());
  EXPECT_TRUE(no_retention.empty());
  for (size_t i = 0; i < domains.size(); ++i) {
    EXPECT_EQ(domains[i].name, options_.domains[i].name);
    EXPECT_EQ(domains[i].temperature, options_.domains[i].temperature);
    EXPECT_EQ(domains[i].tombstone_retention_seconds,
              options_.domains[i].tombstone_retention_seconds);
  }
  // A reopen with another retention records it; the store opens with the
  // domains read back (what metakv-ctl does), also beside the writer.
  MKV_ASSERT_OK(store_->Close());
  options_.domains[0].tombstone_retention_seconds = 1234;
  OpenStore();
  Options beside;
  beside.secondary_path = side_.Sub("sd");
  MKV_ASSERT_OK(Store::StoredDomains(beside, dir_.path(), &domains));
  EXPECT_EQ(domains[0].tombstone_retention_seconds, 1234u);
  beside.domains = domains;
  std::unique_ptr<Store> reader;
  MKV_ASSERT_OK(Store::Open(beside, dir_.path(), &reader));
  MKV_EXPECT_OK(reader->Close());

  MKV_EXPECT_CODE(kInvalidArgument, Store::StoredDomains(Options(), side_.Sub("none"), &domains));
}

TEST_F(SecondaryTest, ListRemovalsSaysWhatEachPendingRemovalCovers) {
  uint64_t logical = 0, hard = 0;
  MKV_ASSERT_OK(Put(kDentry, "t", "a/1", "v"));
  MKV_ASSERT_OK(
      store_->RemoveTree(WriteOptions(), "t", {{kDentry, "a/"}, {kInode, "a/"}}, RemoveMode::kLogical,
                         &logical));
  MKV_ASSERT_OK(store_->RemoveTree(WriteOptions(), "u", {{kDentry, "b/"}}, RemoveMode::kHard, &hard));
  MKV_ASSERT_OK(store_->RemoveTenant(WriteOptions(), "w"));
  std::vector<RemovalInfo> removals;
  MKV_ASSERT_OK(store_->ListRemovals(&removals));
  ASSERT_EQ(removals.size(), 3u);
  EXPECT_EQ(removals[0].id, logical);
  EXPECT_EQ(removals[0].tenant, "t");
  EXPECT_EQ(removals[0].mode, RemoveMode::kLogical);
  EXPECT_EQ(removals[0].time_seconds, clock_->NowSeconds());
  EXPECT_EQ(removals[0].purge_time_seconds,
            clock_->NowSeconds() + options_.domains[0].tombstone_retention_seconds);
  EXPECT_EQ(removals[0].prefixes.size(), 2u);
  EXPECT_EQ(removals[1].id, hard);
  EXPECT_EQ(removals[1].mode, RemoveMode::kHard);
  EXPECT_EQ(removals[1].prefixes,
            (std::vector<std::pair<std::string, std::string>>{{kDentry, "b/"}}));
  EXPECT_EQ(removals[2].tenant, "w");
  EXPECT_EQ(removals[2].prefixes.size(), options_.domains.size());  // every domain, whole
  MKV_ASSERT_OK(store_->RestoreTree(WriteOptions(), logical));
  MKV_ASSERT_OK(store_->ListRemovals(&removals));
  EXPECT_EQ(removals.size(), 2u);
  MKV_EXPECT_CODE(kInvalidArgument, store_->ListRemovals(nullptr));
}

}  // namespace
}  // namespace metakv::test
