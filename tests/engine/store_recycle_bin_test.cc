// The recycle-bin listing (ScanSpec::deleted): the logically deleted
// records a service can offer to restore, with their delete times, on a
// real RocksDB.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "tests/engine/store_fixture.h"

namespace metakv::test {
namespace {

// One record of the recycle bin as an iterator shows it.
struct Binned {
  std::string tenant;
  std::string key;
  std::string value;
  uint64_t delete_time = 0;
  bool operator==(const Binned& o) const {
    return tenant == o.tenant && key == o.key && value == o.value && delete_time == o.delete_time;
  }
};
std::ostream& operator<<(std::ostream& os, const Binned& b) {
  return os << "(" << P(b.tenant) << ", " << P(b.key) << ") = " << P(b.value) << " deleted at "
            << b.delete_time;
}

class RecycleBinTest : public StoreTest {
 protected:
  static constexpr uint64_t kRetention = 3600;

  void SetUp() override {
    clock_ = std::make_shared<ManualClock>();
    options_ = SmallOptions(clock_);
    options_.maintenance_interval_seconds = 0;
    for (auto& d : options_.domains) d.tombstone_retention_seconds = kRetention;
    OpenStore();
  }

  uint64_t Now() const { return clock_->NowSeconds(); }

  // The recycle bin of spec (tenant, prefix) in the inode domain, forwards;
  // the backward scan must agree.
  std::vector<Binned> Bin(ScanSpec spec, const Snapshot* snapshot = nullptr) {
    spec.deleted = true;
    ReadOptions ro;
    ro.snapshot = snapshot;
    std::unique_ptr<Iterator> it;
    const Status s = store_->NewIterator(ro, kInode, spec, &it);
    std::vector<Binned> out;
    if (!s.ok()) {
      ADD_FAILURE() << "NewIterator: " << s.ToString();
      return out;
    }
    for (it->SeekToFirst(); it->Valid(); it->Next()) {
      out.push_back(Binned{std::string(it->tenant()), std::string(it->key()),
                           std::string(it->value()), it->delete_time()});
      EXPECT_EQ(it->write_time(), it->delete_time());
    }
    EXPECT_TRUE(it->status().ok()) << it->status().ToString();
    std::vector<Binned> back;
    for (it->SeekToLast(); it->Valid(); it->Prev()) {
      back.insert(back.begin(), Binned{std::string(it->tenant()), std::string(it->key()),
                                       std::string(it->value()), it->delete_time()});
    }
    EXPECT_EQ(back, out) << "backward scan differs";
    return out;
  }
};

TEST_F(RecycleBinTest, ShowsDeletedRecordsWithTheirDeleteTimesAndNothingElse) {
  MKV_ASSERT_OK(Put(kInode, "t", "dir/a", "va"));
  MKV_ASSERT_OK(Put(kInode, "t", "dir/b", "vb"));
  MKV_ASSERT_OK(Put(kInode, "t", "dir/c", "vc"));
  MKV_ASSERT_OK(Put(kInode, "t", "other/d", "vd"));
  const uint64_t first = Now();
  MKV_ASSERT_OK(Delete(kInode, "t", "dir/a"));
  clock_->AdvanceSeconds(10);
  MKV_ASSERT_OK(Delete(kInode, "t", "other/d"));
  MKV_ASSERT_OK(Delete(kInode, "t", "dir/c"));
  MKV_ASSERT_OK(HardDelete(kInode, "t", "dir/c"));  // gone for good: not in the bin

  EXPECT_EQ(Bin(TenantSpec("t")),
            (std::vector<Binned>{{"t", "dir/a", "va", first}, {"t", "other/d", "vd", first + 10}}));
  // "Deleted files in this folder".
  EXPECT_EQ(Bin(TenantSpec("t", "dir/")), (std::vector<Binned>{{"t", "dir/a", "va", first}}));
  // The visible scan is unchanged by the option's existence.
  EXPECT_EQ(ScanForward(store_.get(), kInode, TenantSpec("t")),
            (std::vector<Entry>{{"t", "dir/b", "vb"}}));
  // The visible records carry no delete time.
  std::unique_ptr<Iterator> it;
  MKV_ASSERT_OK(store_->NewIterator(ReadOptions(), kInode, TenantSpec("t"), &it));
  it->SeekToFirst();
  ASSERT_TRUE(it->Valid());
  EXPECT_EQ(it->delete_time(), 0u);
}

TEST_F(RecycleBinTest, RetentionEdgeMatchesUndelete) {
  MKV_ASSERT_OK(Put(kInode, "t", "k", "v"));
  const uint64_t deleted_at = Now();
  MKV_ASSERT_OK(Delete(kInode, "t", "k"));
  clock_->AdvanceSeconds(kRetention - 1);
  // One second before the retention ends: listed, and Undelete would work.
  EXPECT_EQ(Bin(TenantSpec("t")), (std::vector<Binned>{{"t", "k", "v", deleted_at}}));
  clock_->AdvanceSeconds(1);
  // At exactly delete time + retention it has left the bin, as Undelete says.
  EXPECT_TRUE(Bin(TenantSpec("t")).empty());
  MKV_EXPECT_CODE(kExpired, Undelete(kInode, "t", "k"));
}

TEST_F(RecycleBinTest, ARecordPastItsOwnExpiryIsNotListed) {
  MKV_ASSERT_OK(Put(kInode, "t", "short", "v", /*ttl=*/100));
  MKV_ASSERT_OK(Put(kInode, "t", "long", "w", /*ttl=*/10000));
  MKV_ASSERT_OK(Delete(kInode, "t", "short"));
  MKV_ASSERT_OK(Delete(kInode, "t", "long"));
  clock_->AdvanceSeconds(100);
  const std::vector<Binned> bin = Bin(TenantSpec("t"));
  ASSERT_EQ(bin.size(), 1u);
  EXPECT_EQ(bin[0].key, "long");
  MKV_EXPECT_CODE(kExpired, Undelete(kInode, "t", "short"));
}

TEST_F(RecycleBinTest, UndeleteTakesARecordOutAndADeleteAfterAPutReplacesIt) {
  MKV_ASSERT_OK(Put(kInode, "t", "a", "v1"));
  MKV_ASSERT_OK(Delete(kInode, "t", "a"));
  MKV_ASSERT_OK(Undelete(kInode, "t", "a"));
  EXPECT_TRUE(Bin(TenantSpec("t")).empty());
  MKV_ASSERT_OK(Put(kInode, "t", "a", "v2"));
  clock_->AdvanceSeconds(5);
  const uint64_t again = Now();
  MKV_ASSERT_OK(Delete(kInode, "t", "a"));
  EXPECT_EQ(Bin(TenantSpec("t")), (std::vector<Binned>{{"t", "a", "v2", again}}));
}

TEST_F(RecycleBinTest, TenantsAreKeptApart) {
  for (const char* tenant : {"alice", "bob"}) {
    MKV_ASSERT_OK(Put(kInode, tenant, "f", std::string("of ") + tenant));
    MKV_ASSERT_OK(Delete(kInode, tenant, "f"));
  }
  MKV_ASSERT_OK(Put(kInode, "carol", "f", "live"));
  const uint64_t t = Now();
  EXPECT_EQ(Bin(TenantSpec("alice")), (std::vector<Binned>{{"alice", "f", "of alice", t}}));
  EXPECT_EQ(Bin(TenantSpec("bob")), (std::vector<Binned>{{"bob", "f", "of bob", t}}));
  EXPECT_TRUE(Bin(TenantSpec("carol")).empty());
  // A domain-wide listing shows every tenant's bin, in tenant order.
  EXPECT_EQ(Bin(ScanSpec()),
            (std::vector<Binned>{{"alice", "f", "of alice", t}, {"bob", "f", "of bob", t}}));
}

TEST_F(RecycleBinTest, ASnapshotListsTheBinAsOfItsMomentAndTime) {
  MKV_ASSERT_OK(Put(kInode, "t", "a", "va"));
  MKV_ASSERT_OK(Put(kInode, "t", "b", "vb"));
  const uint64_t deleted_at = Now();
  MKV_ASSERT_OK(Delete(kInode, "t", "a"));
  clock_->AdvanceSeconds(kRetention - 1);
  const Snapshot* snap = store_->GetSnapshot();
  ASSERT_NE(snap, nullptr);
  // After the snapshot: b deleted, a restored, and the retention of a's
  // delete passes.
  MKV_ASSERT_OK(Delete(kInode, "t", "b"));
  const uint64_t b_deleted_at = Now();
  MKV_ASSERT_OK(Undelete(kInode, "t", "a"));
  clock_->AdvanceSeconds(10);
  EXPECT_EQ(Bin(TenantSpec("t"), snap), (std::vector<Binned>{{"t", "a", "va", deleted_at}}));
  EXPECT_EQ(Bin(TenantSpec("t")), (std::vector<Binned>{{"t", "b", "vb", b_deleted_at}}));
  store_->ReleaseSnapshot(snap);
}

TEST_F(RecycleBinTest, ARemovedTreeHidesItsDeletedRecordsUntilRestored) {
  MKV_ASSERT_OK(Put(kInode, "t", "tree/a", "va"));
  MKV_ASSERT_OK(Put(kInode, "t", "keep/b", "vb"));
  const uint64_t t = Now();
  MKV_ASSERT_OK(Delete(kInode, "t", "tree/a"));
  MKV_ASSERT_OK(Delete(kInode, "t", "keep/b"));
  clock_->AdvanceSeconds(1);
  uint64_t id = 0;
  MKV_ASSERT_OK(
      store_->RemoveTree(WriteOptions(), "t", {{kInode, "tree/"}}, RemoveMode::kLogical, &id));
  // The tree is restored as one unit by RestoreTree; its own deleted
  // records are not offered one by one meanwhile.
  EXPECT_EQ(Bin(TenantSpec("t")), (std::vector<Binned>{{"t", "keep/b", "vb", t}}));
  MKV_ASSERT_OK(store_->RestoreTree(WriteOptions(), id));
  EXPECT_EQ(Bin(TenantSpec("t")),
            (std::vector<Binned>{{"t", "keep/b", "vb", t}, {"t", "tree/a", "va", t}}));
}

TEST_F(RecycleBinTest, TheListingSurvivesFlushCompactionAndReopen) {
  for (int i = 0; i < 200; ++i) {
    const std::string key = "k" + std::to_string(1000 + i);
    MKV_ASSERT_OK(Put(kInode, "t", key, RandomBytes(200, i)));
    if (i % 3 == 0) MKV_ASSERT_OK(Delete(kInode, "t", key));
  }
  const std::vector<Binned> before = Bin(TenantSpec("t"));
  ASSERT_EQ(before.size(), 67u);
  FlushAndCompact();
  EXPECT_EQ(Bin(TenantSpec("t")), before);
  Reopen();
  EXPECT_EQ(Bin(TenantSpec("t")), before);
  // Once the retention has passed, compaction purges them and the bin is
  // empty either way.
  clock_->AdvanceSeconds(kRetention);
  EXPECT_TRUE(Bin(TenantSpec("t")).empty());
  FlushAndCompact();
  EXPECT_TRUE(Bin(TenantSpec("t")).empty());
}

}  // namespace
}  // namespace metakv::test
