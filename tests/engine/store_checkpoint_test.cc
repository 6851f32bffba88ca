// Store::CreateCheckpoint: a copy that opens as a metakv store and holds
// the state of one moment: records, recycle bin, catalogue, pending
// removals, time; also while writers and removals run (the concurrency
// case runs under ThreadSanitizer in CI).
#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "tests/engine/store_fixture.h"

namespace metakv::test {
namespace {

class CheckpointTest : public StoreTest {
 protected:
  // Opens the checkpoint at path with the store's options.
  std::unique_ptr<Store> OpenCopy(const std::string& path) {
    std::unique_ptr<Store> copy;
    Options o = options_;
    o.create_if_missing = false;
    const Status s = Store::Open(o, path, &copy);
    EXPECT_TRUE(s.ok()) << s.ToString();
    return copy;
  }
  static std::string GetFrom(Store* store, const std::string& domain, const std::string& tenant,
                             const std::string& key) {
    std::string value;
    const Status s = store->Get(ReadOptions(), domain, tenant, key, &value);
    return s.ok() ? value : s.IsNotFound() ? "NOT_FOUND" : s.ToString();
  }
  TempDir copies_;
};

TEST_F(CheckpointTest, CopyHoldsRecordsRecycleBinRemovalsAndTimeOfThatMoment) {
  MKV_ASSERT_OK(Put(kInode, "t", "live", "1"));
  MKV_ASSERT_OK(Put(kInode, "t", "deleted", "2"));
  MKV_ASSERT_OK(Delete(kInode, "t", "deleted"));
  MKV_ASSERT_OK(Put(kDentry, "t", "dir/a", "3"));
  MKV_ASSERT_OK(store_->Flush(kDentry));  // one domain in files, the others in the WAL
  uint64_t removal = 0;
  MKV_ASSERT_OK(
      store_->RemoveTree(WriteOptions(), "t", {{kDentry, "dir/"}}, RemoveMode::kLogical, &removal));
  clock_->AdvanceSeconds(100);
  MKV_ASSERT_OK(Put(kInode, "t", "late", "4"));  // stamped later than anything copied
  const uint64_t time_at_checkpoint = clock_->NowSeconds();
  const std::string path = copies_.Sub("copy");
  MKV_ASSERT_OK(store_->CreateCheckpoint(path));

  // Afterwards the store moves on; the copy does not.
  MKV_ASSERT_OK(Put(kInode, "t", "after", "5"));
  MKV_ASSERT_OK(HardDelete(kInode, "t", "live"));
  MKV_ASSERT_OK(store_->Close());
  store_.reset();

  clock_->SetMicros(1700000000ull * 1000000);  // a clock behind the copy's records
  // The time bound came as a file: the copy need not scan its records.
  EXPECT_TRUE(std::filesystem::exists(path + "/METAKV-TIME"));
  std::unique_ptr<Store> copy = OpenCopy(path);
  ASSERT_NE(copy, nullptr);
  EXPECT_EQ(GetFrom(copy.get(), kInode, "t", "live"), "1");
  EXPECT_EQ(GetFrom(copy.get(), kInode, "t", "late"), "4");
  EXPECT_EQ(GetFrom(copy.get(), kInode, "t", "after"), "NOT_FOUND");
  EXPECT_EQ(GetFrom(copy.get(), kInode, "t", "deleted"), "NOT_FOUND");
  EXPECT_EQ(GetFrom(copy.get(), kDentry, "t", "dir/a"), "NOT_FOUND");  // removed
  // The copy's time is not behind what it holds, though the clock is.
  const Snapshot* snap = copy->GetSnapshot();
  EXPECT_GE(snap->time_seconds(), time_at_checkpoint);
  copy->ReleaseSnapshot(snap);
  // The recycle bin and the pending removal came along.
  MKV_EXPECT_OK(copy->Undelete(WriteOptions(), kInode, "t", "deleted"));
  EXPECT_EQ(GetFrom(copy.get(), kInode, "t", "deleted"), "2");
  MKV_EXPECT_OK(copy->RestoreTree(WriteOptions(), removal));
  EXPECT_EQ(GetFrom(copy.get(), kDentry, "t", "dir/a"), "3");
  EXPECT_EQ(copy->DomainNames(), std::vector<std::string>({kInode, kDentry, kHistory}));
  MKV_EXPECT_OK(copy->Close());

  // The original is untouched by what the copy did.
  OpenStore();
  EXPECT_EQ(Get(kInode, "t", "deleted"), "NOT_FOUND");
  EXPECT_EQ(Get(kDentry, "t", "dir/a"), "NOT_FOUND");
  EXPECT_EQ(Get(kInode, "t", "after"), "5");
}

TEST_F(CheckpointTest, BadDirectoriesAndStatesAreErrors) {
  MKV_ASSERT_OK(Put(kInode, "t", "k", "v"));
  MKV_EXPECT_CODE(kInvalidArgument, store_->CreateCheckpoint(""));
  MKV_EXPECT_CODE(kInvalidArgument, store_->CreateCheckpoint(copies_.path()));  // exists
  EXPECT_FALSE(store_->CreateCheckpoint(copies_.Sub("no/such/parent")).ok());
  EXPECT_FALSE(std::filesystem::exists(copies_.Sub("no")));
  MKV_ASSERT_OK(store_->Close());
  EXPECT_FALSE(store_->CreateCheckpoint(copies_.Sub("closed")).ok());
  store_.reset();
  Options ro = options_;
  ro.read_only = true;
  ro.create_if_missing = false;
  MKV_ASSERT_OK(Store::Open(ro, dir_.path(), &store_));
  MKV_EXPECT_CODE(kNotSupported, store_->CreateCheckpoint(copies_.Sub("ro")));
}

// Writers, each writing its keys in order as batches that span two
// domains, and a thread removing and restoring a tree, while checkpoints
// are taken. In each copy: every writer's keys are a prefix of its
// sequence, the same in both domains (batches whole), and the tree is
// whole or wholly removed.
TEST_F(CheckpointTest, CheckpointsAmidWritersAndRemovalsHoldOneMoment) {
  constexpr int kWriters = 3;
  constexpr int kTreeKeys = 20;
  for (int i = 0; i < kTreeKeys; ++i) {
    MKV_ASSERT_OK(Put(kDentry, "tree", "d/" + std::to_string(i), "x"));
  }
  std::atomic<bool> stop{false};
  std::vector<std::thread> threads;
  for (int w = 0; w < kWriters; ++w) {
    threads.emplace_back([&, w] {
      const std::string tenant = "w" + std::to_string(w);
      for (int i = 0; !stop.load(); ++i) {
        WriteBatch batch;
        const std::string key = "k" + std::to_string(100000 + i);
        batch.Put(kInode, tenant, key, RandomBytes(200, i));
        batch.Put(kDentry, tenant, key, "e");
        const Status s = store_->Write(WriteOptions(), batch);
        if (!s.ok()) ADD_FAILURE() << s.ToString();
      }
    });
  }
  threads.emplace_back([&] {
    while (!stop.load()) {
      uint64_t id = 0;
      Status s =
          store_->RemoveTree(WriteOptions(), "tree", {{kDentry, "d/"}}, RemoveMode::kLogical, &id);
      if (s.ok()) s = store_->RestoreTree(WriteOptions(), id);
      if (!s.ok()) ADD_FAILURE() << s.ToString();
    }
  });
  std::vector<std::string> paths;
  for (int c = 0; c < 3; ++c) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    paths.push_back(copies_.Sub("copy" + std::to_string(c)));
    const Status s = store_->CreateCheckpoint(paths.back());
    EXPECT_TRUE(s.ok()) << s.ToString();
  }
  stop.store(true);
  for (std::thread& t : threads) t.join();

  for (const std::string& path : paths) {
    std::unique_ptr<Store> copy = OpenCopy(path);
    ASSERT_NE(copy, nullptr) << path;
    size_t total = 0;
    for (int w = 0; w < kWriters; ++w) {
      const std::string tenant = "w" + std::to_string(w);
      const std::vector<Entry> inodes = ScanForward(copy.get(), kInode, TenantSpec(tenant));
      const std::vector<Entry> dentries = ScanForward(copy.get(), kDentry, TenantSpec(tenant));
      ASSERT_EQ(inodes.size(), dentries.size()) << path << " " << tenant << ": a batch split";
      for (size_t i = 0; i < inodes.size(); ++i) {
        const std::string want = "k" + std::to_string(100000 + i);
        ASSERT_EQ(inodes[i].key, want) << path << " " << tenant << ": not a prefix";
        ASSERT_EQ(dentries[i].key, want) << path << " " << tenant;
        ASSERT_EQ(inodes[i].value, RandomBytes(200, i)) << path << " " << tenant;
      }
      total += inodes.size();
    }
    EXPECT_GT(total, 0u) << path;
    const size_t tree = ScanForward(copy.get(), kDentry, TenantSpec("tree")).size();
    EXPECT_TRUE(tree == 0 || tree == kTreeKeys) << path << ": " << tree << " tree records";
    MKV_EXPECT_OK(copy->Close());
  }
}

}  // namespace
}  // namespace metakv::test
