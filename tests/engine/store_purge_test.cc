// DomainOptions::purge_in_compaction: compaction drops tombstones past
// retention and records past expiry (checked physically with plain
// RocksDB), keeps everything else, keeps what an open snapshot can still
// see, and keeps everything when the option is off.
#include <gtest/gtest.h>

#include <algorithm>
#include <memory>
#include <string>
#include <vector>

#include "codecs/key_codec.h"
#include "metakv/store.h"
#include "tests/engine/raw_rocksdb.h"
#include "tests/engine/store_fixture.h"

namespace metakv::test {
namespace {

constexpr uint64_t kRetention = 1000;

class PurgeTest : public StoreTest, public ::testing::WithParamInterface<bool> {
 protected:
  void SetUp() override {
    clock_ = std::make_shared<ManualClock>();
    options_ = SmallOptions(clock_);
    for (auto& d : options_.domains) {
      d.tombstone_retention_seconds = kRetention;
      d.purge_in_compaction = GetParam();
    }
    OpenStore();
  }
  bool purge() const { return GetParam(); }

  // The user keys of tenant "t" physically present in the inode family.
  std::vector<std::string> PhysicalKeys() {
    MKV_EXPECT_OK(store_->Close());
    store_.reset();
    std::vector<std::string> out;
    {
      RawDb raw(dir_.path(), /*read_only=*/true);
      EXPECT_TRUE(raw.ok());
      const std::string lo = codecs::EncodeKey("t", "");
      for (const std::string& k : raw.Keys(kInode)) {
        if (k.compare(0, lo.size(), lo) == 0) out.push_back(k.substr(lo.size()));
      }
    }
    OpenStore();
    return out;
  }
};

TEST_P(PurgeTest, CompactionDropsOnlyWhatHasLapsed) {
  MKV_ASSERT_OK(Put(kInode, "t", "live", "l"));
  MKV_ASSERT_OK(Put(kInode, "t", "old-tomb", "o"));
  MKV_ASSERT_OK(Put(kInode, "t", "expiring", "e", /*ttl=*/100));
  MKV_ASSERT_OK(Put(kInode, "t", "long-ttl", "x", /*ttl=*/100000));
  MKV_ASSERT_OK(Put(kInode, "t", "new-tomb", "n"));
  MKV_ASSERT_OK(Delete(kInode, "t", "old-tomb"));
  MKV_ASSERT_OK(store_->Flush());
  clock_->AdvanceSeconds(kRetention + 10);  // old-tomb and expiring lapse
  MKV_ASSERT_OK(Delete(kInode, "t", "new-tomb"));
  FlushAndCompact();

  std::vector<std::string> want = {"live", "long-ttl", "new-tomb"};
  if (!purge()) want = {"expiring", "live", "long-ttl", "new-tomb", "old-tomb"};
  EXPECT_EQ(PhysicalKeys(), want);

  // What callers see is the same either way, apart from Undelete's answer
  // for a lapsed tombstone: gone (NotFound) once purged, Expired if kept.
  EXPECT_EQ(Get(kInode, "t", "live"), "l");
  EXPECT_EQ(Get(kInode, "t", "expiring"), "NOT_FOUND");
  EXPECT_EQ(Get(kInode, "t", "long-ttl"), "x");
  EXPECT_EQ(Get(kInode, "t", "old-tomb"), "NOT_FOUND");
  if (purge()) {
    MKV_EXPECT_CODE(kNotFound, Undelete(kInode, "t", "old-tomb"));
  } else {
    MKV_EXPECT_CODE(kExpired, Undelete(kInode, "t", "old-tomb"));
  }
  MKV_EXPECT_OK(Undelete(kInode, "t", "new-tomb"));
  EXPECT_EQ(Get(kInode, "t", "new-tomb"), "n");
}

TEST_P(PurgeTest, PurgeNeverUncoversOlderVersions) {
  for (int v = 0; v < 3; ++v) {
    MKV_ASSERT_OK(Put(kInode, "t", "k", "v" + std::to_string(v)));
    MKV_ASSERT_OK(Put(kInode, "t", "e", "e" + std::to_string(v)));
    MKV_ASSERT_OK(store_->Flush());
  }
  MKV_ASSERT_OK(Delete(kInode, "t", "k"));
  MKV_ASSERT_OK(Put(kInode, "t", "e", "expiring", /*ttl=*/10));
  MKV_ASSERT_OK(store_->Flush());
  clock_->AdvanceSeconds(kRetention + 10);
  // Compact only the newest data first (an L0->L0/L1 step), then everything.
  MKV_ASSERT_OK(store_->CompactRange(kInode, "t"));
  EXPECT_EQ(Get(kInode, "t", "k"), "NOT_FOUND");
  EXPECT_EQ(Get(kInode, "t", "e"), "NOT_FOUND");
  FlushAndCompact();
  EXPECT_EQ(Get(kInode, "t", "k"), "NOT_FOUND");
  EXPECT_EQ(Get(kInode, "t", "e"), "NOT_FOUND");
  EXPECT_EQ(ScanForward(store_.get(), kInode, TenantSpec("t")), std::vector<Entry>{});
  Reopen();
  EXPECT_EQ(Get(kInode, "t", "k"), "NOT_FOUND");
  EXPECT_EQ(Get(kInode, "t", "e"), "NOT_FOUND");
}

TEST_P(PurgeTest, OpenSnapshotKeepsWhatItCanSee) {
  MKV_ASSERT_OK(Put(kInode, "t", "expiring", "e", /*ttl=*/100));
  MKV_ASSERT_OK(Put(kInode, "t", "tomb", "x"));
  clock_->AdvanceSeconds(50);
  const Snapshot* snap = store_->GetSnapshot();
  ASSERT_NE(snap, nullptr);
  MKV_ASSERT_OK(Delete(kInode, "t", "tomb"));
  clock_->AdvanceSeconds(kRetention + 100);
  FlushAndCompact();
  EXPECT_EQ(Get(kInode, "t", "expiring", snap), "e");
  EXPECT_EQ(Get(kInode, "t", "tomb", snap), "x");
  EXPECT_EQ(Get(kInode, "t", "expiring"), "NOT_FOUND");
  EXPECT_EQ(Get(kInode, "t", "tomb"), "NOT_FOUND");
  store_->ReleaseSnapshot(snap);
  FlushAndCompact();
  EXPECT_EQ(Get(kInode, "t", "expiring"), "NOT_FOUND");
  if (purge()) {
    EXPECT_EQ(PhysicalKeys(), std::vector<std::string>{});
  }
}

INSTANTIATE_TEST_SUITE_P(PurgeOnOff, PurgeTest, ::testing::Bool(),
                         [](const ::testing::TestParamInfo<bool>& info) {
                           return info.param ? "PurgeOn" : "PurgeOff";
                         });

}  // namespace
}  // namespace metakv::test
