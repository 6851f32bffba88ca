// A disk that fills up and then has room again (tests/fault_fs.h: ENOSPC
// on chosen files, and the free space RocksDB sees). While full: the
// failing call returns IOError naming the lack of space, reads keep
// working, nothing acknowledged is lost. Once there is room: the store
// writes again without a reopen, on its own (RocksDB's recovery polls the
// free space) or at once through Store::Resume, and a reopen shows every
// acknowledged write.
#include <gtest/gtest.h>

#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "metakv/store.h"
#include "tests/engine/store_fixture.h"
#include "tests/fault_fs.h"

namespace metakv::test {
namespace {

std::string Val(int i) { return "value-" + std::to_string(i) + std::string(300, 'v'); }
std::string Key(int i) { return "k" + std::to_string(10000 + i); }

class DiskFullTest : public ::testing::Test {
 protected:
  void SetUp() override {
    fs_ = std::make_shared<FaultFs>(3);
    options_ = SmallOptions(std::make_shared<ManualClock>());
    options_.rocksdb_env = FaultFs::MakeEnv(fs_);
    options_.maintenance_interval_seconds = 0;
    options_.flush_controller_interval_seconds = 0;
    MKV_ASSERT_OK(Store::Open(options_, dir_.path(), &store_));
    for (int i = 0; i < 200; ++i) Put(i);
    MKV_ASSERT_OK(store_->Flush());
    for (int i = 200; i < 260; ++i) Put(i);  // in the memtable and the WAL
  }
  void TearDown() override {
    fs_->Clear();
    fs_->SetFreeSpace(-1);
    if (store_) store_->Close().PermitUncheckedError();
  }

  void Put(int i) {
    MKV_ASSERT_OK(store_->Put(Synced(), kInode, "t", Key(i), Val(i)));
    acked_[i] = true;
  }
  // The disk is full: every write of a matching file fails with ENOSPC and
  // RocksDB sees no free space.
  void Fill(uint32_t ops, const std::string& pattern) {
    fs_->SetFreeSpace(0);
    fs_->NoSpace(ops, pattern);
  }
  void MakeRoom() {
    fs_->Clear();
    fs_->SetFreeSpace(int64_t{1} << 40);
  }
  static bool IsNoSpace(const Status& s) {
    return s.IsIOError() && s.ToString().find("No space") != std::string::npos;
  }
  // Tries a synced put every 50 ms for up to timeout_s; true once one is
  // acknowledged (it joins the acknowledged state).
  bool WritesResume(int key, double timeout_s) {
    const auto until = std::chrono::steady_clock::now() +
                       std::chrono::milliseconds(static_cast<int64_t>(timeout_s * 1000));
    do {
      if (store_->Put(Synced(), kInode, "t", Key(key), Val(key)).ok()) {
        acked_[key] = true;
        return true;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    } while (std::chrono::steady_clock::now() < until);
    return false;
  }
  void ExpectAcked(Store* store) {
    for (const auto& [i, yes] : acked_) {
      std::string v;
      const Status s = store->Get(ReadOptions(), kInode, "t", Key(i), &v);
      EXPECT_TRUE(s.ok() && v == Val(i)) << "key " << i << ": " << s.ToString();
    }
  }
  void ReopenAndCheck() {
    MKV_EXPECT_OK(store_->Close());
    store_.reset();
    MKV_ASSERT_OK(Store::Open(options_, dir_.path(), &store_));
    ExpectAcked(store_.get());
  }

  TempDir dir_;
  std::shared_ptr<FaultFs> fs_;
  Options options_;
  std::unique_ptr<Store> store_;
  std::map<int, bool> acked_;
};

TEST_F(DiskFullTest, AFullDiskDuringAFlushStopsWritesUntilThereIsRoomThenResumesOnItsOwn) {
  Fill(kFaultCreate | kFaultWrite, ".sst");
  const Status f = store_->Flush();
  EXPECT_TRUE(IsNoSpace(f)) << f.ToString();
  const Status w = store_->Put(Synced(), kInode, "t", Key(900), Val(900));
  EXPECT_TRUE(IsNoSpace(w)) << "a write while the disk is full: " << w.ToString();
  ExpectAcked(store_.get());  // reads go on
  // Still full: no resume.
  EXPECT_FALSE(WritesResume(901, 1.0));
  MakeRoom();
  // RocksDB polls the free space every 5 seconds.
  ASSERT_TRUE(WritesResume(902, 15.0)) << "writes did not resume once the disk had room";
  for (int i = 300; i < 340; ++i) Put(i);
  MKV_EXPECT_OK(store_->Flush());
  ExpectAcked(store_.get());
  ReopenAndCheck();
}

TEST_F(DiskFullTest, AFullDiskUnderTheWalFailsTheWriteAndResumeBringsWritesBack) {
  Fill(kFaultWrite | kFaultSync, ".log");
  const Status w = store_->Put(Synced(), kInode, "t", Key(900), Val(900));
  EXPECT_TRUE(IsNoSpace(w)) << w.ToString();
  ExpectAcked(store_.get());
  MakeRoom();
  // Resume: at once, rather than at RocksDB's next poll.
  Status r;
  for (int tries = 0; tries < 150; ++tries) {
    r = store_->Resume();
    if (!r.IsBusy()) break;  // RocksDB's own recovery is running
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  MKV_EXPECT_OK(r);
  // Writes are back now, not at RocksDB's next poll of the free space.
  Put(902);
  for (int i = 300; i < 340; ++i) Put(i);
  ReopenAndCheck();
}

TEST_F(DiskFullTest, AFullDiskDuringACompactionFailsItAndTheNextOneRuns) {
  Fill(kFaultCreate | kFaultWrite, ".sst");
  const Status c = store_->CompactRange(kInode);
  EXPECT_TRUE(IsNoSpace(c)) << c.ToString();
  ExpectAcked(store_.get());
  MakeRoom();
  ASSERT_TRUE(WritesResume(902, 15.0));
  MKV_EXPECT_OK(store_->CompactRange(kInode));
  ExpectAcked(store_.get());
  ReopenAndCheck();
}

TEST_F(DiskFullTest, AFullDiskDuringAColdIngestFailsTheIngestOnly) {
  std::vector<ColdRecord> group;
  for (int i = 0; i < 100; ++i) group.push_back(ColdRecord{Key(i), Val(i)});
  Fill(kFaultCreate | kFaultWrite, "metakv-ingest/");
  const Status s = store_->IngestCold(kHistory, "h", group);
  EXPECT_TRUE(IsNoSpace(s)) << s.ToString();
  std::string v;
  EXPECT_TRUE(store_->Get(ReadOptions(), kHistory, "h", Key(0), &v).IsNotFound());
  // Hot writes were never stopped.
  Put(700);
  MakeRoom();
  MKV_ASSERT_OK(store_->IngestCold(kHistory, "h", group));
  MKV_EXPECT_OK(store_->Get(ReadOptions(), kHistory, "h", Key(99), &v));
  ExpectAcked(store_.get());
  ReopenAndCheck();
}

TEST_F(DiskFullTest, ResumeOnAHealthyStoreIsANoOp) {
  MKV_EXPECT_OK(store_->Resume());
  Put(500);
  ReopenAndCheck();
}

}  // namespace
}  // namespace metakv::test
