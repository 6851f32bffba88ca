// Logical delete, Undelete, HardDelete, tombstone retention and TTL, each
// run in four settings: records in the memtable, flushed after every write,
// flushed and compacted after every write, and reopened after every write.
// Time moves only through the fixture's ManualClock.
#include <gtest/gtest.h>

#include <limits>
#include <memory>
#include <string>
#include <vector>

#include "metakv/store.h"
#include "tests/engine/store_fixture.h"

namespace metakv::test {
namespace {

constexpr uint64_t kDay = 24 * 3600;
constexpr uint64_t kWeek = 7 * kDay;  // DomainOptions::tombstone_retention_seconds default

enum class Mode { kMemtable, kFlush, kCompact, kReopen };

std::string SettleName(const ::testing::TestParamInfo<Mode>& info) {
  switch (info.param) {
    case Mode::kMemtable:
      return "Memtable";
    case Mode::kFlush:
      return "Flush";
    case Mode::kCompact:
      return "Compact";
    case Mode::kReopen:
      return "Reopen";
  }
  return "Unknown";
}

class DeleteTest : public StoreTest, public ::testing::WithParamInterface<Mode> {
 protected:
  // Moves the written state to where the parameter says.
  void Settle() {
    switch (GetParam()) {
      case Mode::kMemtable:
        break;
      case Mode::kFlush:
        MKV_ASSERT_OK(store_->Flush());
        break;
      case Mode::kCompact:
        FlushAndCompact();
        break;
      case Mode::kReopen:
        Reopen();
        break;
    }
  }
  // After retention has passed, Undelete fails with Expired; once compaction
  // may have purged the tombstone, NotFound is also correct.
  // strict: no flush, compaction or reopen can have happened since the
  // delete, so the tombstone must still be there.
  void ExpectRetentionPassed(const std::string& domain, const std::string& tenant,
                             const std::string& key, bool strict = true) {
    const Status s = Undelete(domain, tenant, key);
    if (strict && GetParam() == Mode::kMemtable) {
      EXPECT_TRUE(s.IsExpired()) << s.ToString();
    } else {
      EXPECT_TRUE(s.IsExpired() || s.IsNotFound()) << s.ToString();
    }
    EXPECT_EQ(Get(domain, tenant, key), "NOT_FOUND");
  }
  std::vector<Entry> Scan(const std::string& domain, const ScanSpec& spec = ScanSpec()) {
    std::vector<Entry> fwd = ScanForward(store_.get(), domain, spec);
    EXPECT_EQ(Reversed(ScanBackward(store_.get(), domain, spec)), fwd) << "reverse scan differs";
    return fwd;
  }
  std::string MultiGetOne(const std::string& domain, const std::string& tenant,
                          const std::string& key) {
    std::vector<std::string> values;
    std::vector<Status> statuses;
    const Status s = store_->MultiGet(ReadOptions(), {{domain, tenant, key}}, &values, &statuses);
    if (!s.ok()) return "ERROR: " + s.ToString();
    if (statuses.size() != 1 || values.size() != 1) return "ERROR: bad sizes";
    if (statuses[0].IsNotFound()) return "NOT_FOUND";
    if (!statuses[0].ok()) return "ERROR: " + statuses[0].ToString();
    return values[0];
  }
};

TEST_P(DeleteTest, DeleteHidesFromEveryRead) {
  MKV_ASSERT_OK(Put(kInode, "t", "a", "va"));
  MKV_ASSERT_OK(Put(kInode, "t", "b", "vb"));
  MKV_ASSERT_OK(Put(kInode, "t", "c", "vc"));
  MKV_ASSERT_OK(Put(kInode, "u", "b", "ub"));
  Settle();
  MKV_ASSERT_OK(Delete(kInode, "t", "b"));
  Settle();
  EXPECT_EQ(Get(kInode, "t", "b"), "NOT_FOUND");
  EXPECT_EQ(MultiGetOne(kInode, "t", "b"), "NOT_FOUND");
  EXPECT_EQ(Get(kInode, "u", "b"), "ub");
  EXPECT_EQ(Scan(kInode, TenantSpec("t")),
            (std::vector<Entry>{{"t", "a", "va"}, {"t", "c", "vc"}}));
  EXPECT_EQ(Scan(kInode, TenantSpec("t", "b")), std::vector<Entry>{});
  EXPECT_EQ(Scan(kInode),
            (std::vector<Entry>{{"t", "a", "va"}, {"t", "c", "vc"}, {"u", "b", "ub"}}));
}

TEST_P(DeleteTest, DeleteOfMissingOrDeletedIsNotFound) {
  MKV_EXPECT_CODE(kNotFound, Delete(kInode, "t", "never"));
  MKV_ASSERT_OK(Put(kInode, "t", "k", "v"));
  Settle();
  MKV_ASSERT_OK(Delete(kInode, "t", "k"));
  Settle();
  MKV_EXPECT_CODE(kNotFound, Delete(kInode, "t", "k"));
  // The failed Delete did not replace the tombstone.
  MKV_EXPECT_OK(Undelete(kInode, "t", "k"));
  EXPECT_EQ(Get(kInode, "t", "k"), "v");
  // Other domains and tenants do not count.
  MKV_EXPECT_CODE(kNotFound, Delete(kDentry, "t", "k"));
  MKV_EXPECT_CODE(kNotFound, Delete(kInode, "t2", "k"));
  MKV_ASSERT_OK(HardDelete(kInode, "t", "k"));
  Settle();
  MKV_EXPECT_CODE(kNotFound, Delete(kInode, "t", "k"));
}

TEST_P(DeleteTest, UndeleteRestoresTheExactValue) {
  const std::string binary = std::string("\0\xff\x01value\0", 9);
  const std::string large = RandomBytes(100000, 7);
  MKV_ASSERT_OK(Put(kInode, "t", "bin", binary));
  MKV_ASSERT_OK(Put(kDentry, std::string("\0", 1), std::string("\xff", 1), large));
  MKV_ASSERT_OK(Put(kHistory, "t", "empty", ""));
  Settle();
  MKV_ASSERT_OK(Delete(kInode, "t", "bin"));
  MKV_ASSERT_OK(Delete(kDentry, std::string("\0", 1), std::string("\xff", 1)));
  MKV_ASSERT_OK(Delete(kHistory, "t", "empty"));
  Settle();
  clock_->AdvanceSeconds(3600);
  MKV_ASSERT_OK(Undelete(kInode, "t", "bin"));
  MKV_ASSERT_OK(Undelete(kDentry, std::string("\0", 1), std::string("\xff", 1)));
  MKV_ASSERT_OK(Undelete(kHistory, "t", "empty"));
  Settle();
  EXPECT_EQ(Get(kInode, "t", "bin"), binary);
  EXPECT_EQ(Get(kDentry, std::string("\0", 1), std::string("\xff", 1)), large);
  EXPECT_EQ(Get(kHistory, "t", "empty"), "");
  EXPECT_EQ(Scan(kInode), (std::vector<Entry>{{"t", "bin", binary}}));
}

TEST_P(DeleteTest, UndeleteGivesANewWriteTime) {
  const uint64_t t0 = clock_->NowSeconds();
  MKV_ASSERT_OK(Put(kInode, "t", "k", "v"));
  clock_->AdvanceSeconds(100);
  MKV_ASSERT_OK(Delete(kInode, "t", "k"));
  Settle();
  clock_->AdvanceSeconds(100);
  MKV_ASSERT_OK(Undelete(kInode, "t", "k"));
  Settle();
  std::unique_ptr<Iterator> it;
  MKV_ASSERT_OK(store_->NewIterator(ReadOptions(), kInode, TenantSpec("t"), &it));
  it->SeekToFirst();
  ASSERT_TRUE(it->Valid()) << it->status().ToString();
  EXPECT_EQ(it->value(), "v");
  EXPECT_EQ(it->write_time(), t0 + 200);
  EXPECT_EQ(it->expiry_time(), 0u);
}

TEST_P(DeleteTest, UndeleteOfLiveOrNeverWritten) {
  MKV_EXPECT_CODE(kNotFound, Undelete(kInode, "t", "never"));
  MKV_ASSERT_OK(Put(kInode, "t", "k", "v"));
  Settle();
  MKV_EXPECT_CODE(kFailedPrecondition, Undelete(kInode, "t", "k"));
  EXPECT_EQ(Get(kInode, "t", "k"), "v");
  MKV_ASSERT_OK(Delete(kInode, "t", "k"));
  Settle();
  MKV_ASSERT_OK(Undelete(kInode, "t", "k"));
  Settle();
  MKV_EXPECT_CODE(kFailedPrecondition, Undelete(kInode, "t", "k"));
  EXPECT_EQ(Get(kInode, "t", "k"), "v");
  // Only the tombstone's own domain and tenant can restore it.
  MKV_ASSERT_OK(Delete(kInode, "t", "k"));
  MKV_EXPECT_CODE(kNotFound, Undelete(kDentry, "t", "k"));
  MKV_EXPECT_CODE(kNotFound, Undelete(kInode, "t2", "k"));
}

TEST_P(DeleteTest, UndeleteWithinRetentionAndExpiredAfter) {
  MKV_ASSERT_OK(Put(kInode, "t", "k", "v"));
  MKV_ASSERT_OK(Put(kInode, "t", "late", "lv"));
  MKV_ASSERT_OK(Put(kDentry, "t", "k", "dv"));
  MKV_ASSERT_OK(Delete(kInode, "t", "k"));
  MKV_ASSERT_OK(Delete(kInode, "t", "late"));
  MKV_ASSERT_OK(Delete(kDentry, "t", "k"));
  Settle();
  clock_->AdvanceSeconds(kWeek - 10);
  Settle();
  MKV_ASSERT_OK(Undelete(kInode, "t", "k"));  // just inside the retention
  EXPECT_EQ(Get(kInode, "t", "k"), "v");
  clock_->AdvanceSeconds(20);  // now 10 s past the retention of the others
  Settle();
  ExpectRetentionPassed(kInode, "t", "late");
  ExpectRetentionPassed(kDentry, "t", "k");
  // An expired tombstone is not a live record ...
  MKV_EXPECT_CODE(kNotFound, Delete(kInode, "t", "late"));
  // ... may be removed ...
  MKV_EXPECT_OK(HardDelete(kDentry, "t", "k"));
  MKV_EXPECT_CODE(kNotFound, Undelete(kDentry, "t", "k"));
  // ... or overwritten.
  MKV_ASSERT_OK(Put(kInode, "t", "late", "new"));
  Settle();
  EXPECT_EQ(Get(kInode, "t", "late"), "new");
  // The restored record is live and stays so.
  EXPECT_EQ(Get(kInode, "t", "k"), "v");
  EXPECT_EQ(Scan(kInode), (std::vector<Entry>{{"t", "k", "v"}, {"t", "late", "new"}}));
}

TEST_P(DeleteTest, RetentionIsPerDomainAndChangeableOnReopen) {
  MKV_ASSERT_OK(store_->Close());
  options_.domains[0].tombstone_retention_seconds = 100;   // inode
  options_.domains[1].tombstone_retention_seconds = 1000;  // dentry
  OpenStore();
  MKV_ASSERT_OK(Put(kInode, "t", "k", "i"));
  MKV_ASSERT_OK(Put(kDentry, "t", "k", "d"));
  MKV_ASSERT_OK(Put(kDentry, "t", "k2", "d2"));
  MKV_ASSERT_OK(Delete(kInode, "t", "k"));
  MKV_ASSERT_OK(Delete(kDentry, "t", "k"));
  MKV_ASSERT_OK(Delete(kDentry, "t", "k2"));
  Settle();
  clock_->AdvanceSeconds(200);
  Settle();
  ExpectRetentionPassed(kInode, "t", "k");
  MKV_ASSERT_OK(Undelete(kDentry, "t", "k"));
  EXPECT_EQ(Get(kDentry, "t", "k"), "d");

  // A shorter retention on reopen applies to existing tombstones.
  MKV_ASSERT_OK(store_->Close());
  options_.domains[1].tombstone_retention_seconds = 50;
  OpenStore();
  ExpectRetentionPassed(kDentry, "t", "k2", /*strict=*/false);
}

TEST_P(DeleteTest, HardDelete) {
  MKV_ASSERT_OK(Put(kInode, "t", "live", "v"));
  MKV_ASSERT_OK(Put(kInode, "t", "tomb", "v"));
  MKV_ASSERT_OK(Delete(kInode, "t", "tomb"));
  Settle();
  MKV_EXPECT_OK(HardDelete(kInode, "t", "live"));
  MKV_EXPECT_OK(HardDelete(kInode, "t", "tomb"));
  MKV_EXPECT_OK(HardDelete(kInode, "t", "never"));  // OK with no record too
  Settle();
  EXPECT_EQ(Get(kInode, "t", "live"), "NOT_FOUND");
  EXPECT_EQ(Get(kInode, "t", "tomb"), "NOT_FOUND");
  MKV_EXPECT_CODE(kNotFound, Undelete(kInode, "t", "live"));
  MKV_EXPECT_CODE(kNotFound, Undelete(kInode, "t", "tomb"));
  MKV_EXPECT_CODE(kNotFound, Undelete(kInode, "t", "never"));
  MKV_EXPECT_CODE(kNotFound, Delete(kInode, "t", "live"));
  EXPECT_EQ(Scan(kInode), std::vector<Entry>{});
  MKV_EXPECT_OK(HardDelete(kInode, "t", "live"));  // again
  MKV_ASSERT_OK(Put(kInode, "t", "live", "again"));
  Settle();
  EXPECT_EQ(Get(kInode, "t", "live"), "again");
}

TEST_P(DeleteTest, HardDeleteNeverUncoversOlderVersions) {
  for (int v = 0; v < 3; ++v) {
    MKV_ASSERT_OK(Put(kInode, "t", "k", "v" + std::to_string(v)));
    MKV_ASSERT_OK(store_->Flush(kInode));  // each version in its own file
  }
  MKV_ASSERT_OK(Delete(kInode, "t", "k"));
  Settle();
  MKV_ASSERT_OK(HardDelete(kInode, "t", "k"));
  Settle();
  EXPECT_EQ(Get(kInode, "t", "k"), "NOT_FOUND");
  MKV_EXPECT_CODE(kNotFound, Undelete(kInode, "t", "k"));
  EXPECT_EQ(Scan(kInode), std::vector<Entry>{});
  FlushAndCompact();
  EXPECT_EQ(Get(kInode, "t", "k"), "NOT_FOUND");
  MKV_EXPECT_CODE(kNotFound, Undelete(kInode, "t", "k"));
}

TEST_P(DeleteTest, PutAfterDeleteIsLiveAgain) {
  MKV_ASSERT_OK(Put(kInode, "t", "k", "old"));
  MKV_ASSERT_OK(Delete(kInode, "t", "k"));
  Settle();
  MKV_ASSERT_OK(Put(kInode, "t", "k", "new"));
  Settle();
  EXPECT_EQ(Get(kInode, "t", "k"), "new");
  MKV_EXPECT_CODE(kFailedPrecondition, Undelete(kInode, "t", "k"));
  // The next tombstone holds the newest value.
  MKV_ASSERT_OK(Delete(kInode, "t", "k"));
  Settle();
  MKV_ASSERT_OK(Undelete(kInode, "t", "k"));
  EXPECT_EQ(Get(kInode, "t", "k"), "new");
  EXPECT_EQ(Scan(kInode), (std::vector<Entry>{{"t", "k", "new"}}));
}

TEST_P(DeleteTest, RetentionPassingNeverUncoversOlderVersions) {
  for (int v = 0; v < 3; ++v) {
    MKV_ASSERT_OK(Put(kDentry, "t", "k", "v" + std::to_string(v)));
    MKV_ASSERT_OK(store_->Flush(kDentry));
  }
  MKV_ASSERT_OK(Delete(kDentry, "t", "k"));
  Settle();
  clock_->AdvanceSeconds(kWeek + 100);
  Settle();
  FlushAndCompact();
  EXPECT_EQ(Get(kDentry, "t", "k"), "NOT_FOUND");
  EXPECT_EQ(Scan(kDentry), std::vector<Entry>{});
  const Status s = Undelete(kDentry, "t", "k");
  EXPECT_TRUE(s.IsExpired() || s.IsNotFound()) << s.ToString();
  EXPECT_EQ(Get(kDentry, "t", "k"), "NOT_FOUND");
}

TEST_P(DeleteTest, TtlOfItsOwn) {
  const uint64_t t0 = clock_->NowSeconds();
  MKV_ASSERT_OK(Put(kInode, "t", "ttl", "short", /*ttl_seconds=*/100));
  MKV_ASSERT_OK(Put(kInode, "t", "forever", "f"));
  Settle();
  {
    std::unique_ptr<Iterator> it;
    MKV_ASSERT_OK(store_->NewIterator(ReadOptions(), kInode, TenantSpec("t"), &it));
    it->Seek("t", "ttl");
    ASSERT_TRUE(it->Valid());
    EXPECT_EQ(it->key(), "ttl");
    EXPECT_EQ(it->write_time(), t0);
    EXPECT_EQ(it->expiry_time(), t0 + 100);
    it->Seek("t", "forever");
    ASSERT_TRUE(it->Valid());
    EXPECT_EQ(it->expiry_time(), 0u);
  }
  clock_->AdvanceSeconds(90);
  Settle();
  EXPECT_EQ(Get(kInode, "t", "ttl"), "short");
  EXPECT_EQ(MultiGetOne(kInode, "t", "ttl"), "short");
  EXPECT_EQ(Scan(kInode).size(), 2u);
  clock_->AdvanceSeconds(20);  // 10 s past the expiry
  Settle();
  EXPECT_EQ(Get(kInode, "t", "ttl"), "NOT_FOUND");
  EXPECT_EQ(MultiGetOne(kInode, "t", "ttl"), "NOT_FOUND");
  EXPECT_EQ(Scan(kInode), (std::vector<Entry>{{"t", "forever", "f"}}));
  EXPECT_EQ(Get(kInode, "t", "forever"), "f");
  // An expired record is not live: nothing to delete.
  MKV_EXPECT_CODE(kNotFound, Delete(kInode, "t", "ttl"));
  // A new Put revives the key.
  MKV_ASSERT_OK(Put(kInode, "t", "ttl", "back"));
  Settle();
  EXPECT_EQ(Get(kInode, "t", "ttl"), "back");
}

TEST_P(DeleteTest, ExpiryNeverUncoversOlderVersions) {
  MKV_ASSERT_OK(Put(kInode, "t", "k", "permanent"));
  MKV_ASSERT_OK(store_->Flush(kInode));
  MKV_ASSERT_OK(Put(kInode, "t", "k", "temporary", /*ttl_seconds=*/10));
  Settle();
  EXPECT_EQ(Get(kInode, "t", "k"), "temporary");
  clock_->AdvanceSeconds(20);
  Settle();
  EXPECT_EQ(Get(kInode, "t", "k"), "NOT_FOUND");
  EXPECT_EQ(Scan(kInode), std::vector<Entry>{});
  FlushAndCompact();
  EXPECT_EQ(Get(kInode, "t", "k"), "NOT_FOUND");
  EXPECT_EQ(Scan(kInode), std::vector<Entry>{});
}

TEST_P(DeleteTest, DomainDefaultTtl) {
  MKV_ASSERT_OK(store_->Close());
  options_.domains[0].default_ttl_seconds = 50;  // inode
  OpenStore();
  MKV_ASSERT_OK(Put(kInode, "t", "default", "d"));
  MKV_ASSERT_OK(Put(kInode, "t", "own", "o", /*ttl_seconds=*/1000));  // overrides the default
  MKV_ASSERT_OK(Put(kDentry, "t", "none", "n"));                      // dentry: no TTL
  Settle();
  clock_->AdvanceSeconds(40);
  EXPECT_EQ(Get(kInode, "t", "default"), "d");
  clock_->AdvanceSeconds(20);
  Settle();
  EXPECT_EQ(Get(kInode, "t", "default"), "NOT_FOUND");
  EXPECT_EQ(Get(kInode, "t", "own"), "o");
  EXPECT_EQ(Get(kDentry, "t", "none"), "n");
  clock_->AdvanceSeconds(1000);
  Settle();
  EXPECT_EQ(Get(kInode, "t", "own"), "NOT_FOUND");
  EXPECT_EQ(Get(kDentry, "t", "none"), "n");
  EXPECT_EQ(Scan(kInode), std::vector<Entry>{});
}

TEST_P(DeleteTest, HistoryDomainThirtyDayDefaultTtl) {
  MKV_ASSERT_OK(Put(kHistory, "t", "event", "e"));
  Settle();
  clock_->AdvanceSeconds(29 * kDay);
  Settle();
  EXPECT_EQ(Get(kHistory, "t", "event"), "e");
  clock_->AdvanceSeconds(2 * kDay);
  Settle();
  EXPECT_EQ(Get(kHistory, "t", "event"), "NOT_FOUND");
  EXPECT_EQ(Scan(kHistory), std::vector<Entry>{});
}

TEST_P(DeleteTest, DefaultTtlChangeAppliesToNewWritesOnly) {
  MKV_ASSERT_OK(store_->Close());
  options_.domains[0].default_ttl_seconds = 100;
  OpenStore();
  MKV_ASSERT_OK(Put(kInode, "t", "old", "o"));
  Settle();
  MKV_ASSERT_OK(store_->Close());
  options_.domains[0].default_ttl_seconds = 0;
  OpenStore();
  MKV_ASSERT_OK(Put(kInode, "t", "new", "n"));
  Settle();
  clock_->AdvanceSeconds(200);
  Settle();
  EXPECT_EQ(Get(kInode, "t", "old"), "NOT_FOUND");  // kept the expiry it was written with
  EXPECT_EQ(Get(kInode, "t", "new"), "n");
}

INSTANTIATE_TEST_SUITE_P(AllSettings, DeleteTest,
                         ::testing::Values(Mode::kMemtable, Mode::kFlush, Mode::kCompact,
                                           Mode::kReopen),
                         SettleName);

// ---- Time arithmetic at the limits of uint64 ----

using LimitsOfTimeTest = StoreTest;

TEST_F(LimitsOfTimeTest, HugeTtlDoesNotWrapAround) {
  // A TTL so long that write time + TTL overflows 64 bits must not make the
  // record expire at once. (Rejecting it as InvalidArgument would be honest
  // too; silently expiring it is not.)
  constexpr uint64_t kHuge = std::numeric_limits<uint64_t>::max();
  for (uint64_t ttl : {kHuge, kHuge - 1000, kHuge / 2 + 1}) {
    SCOPED_TRACE("ttl " + std::to_string(ttl));
    const std::string key = "k" + std::to_string(ttl % 997);
    const Status s = Put(kInode, "t", key, "v", ttl);
    if (!s.ok()) {
      EXPECT_TRUE(s.IsInvalidArgument()) << s.ToString();
      continue;
    }
    EXPECT_EQ(Get(kInode, "t", key), "v");
    clock_->AdvanceSeconds(1000 * kDay);
    FlushAndCompact();
    EXPECT_EQ(Get(kInode, "t", key), "v");
  }
}

TEST_F(LimitsOfTimeTest, HugeDefaultTtlDoesNotWrapAround) {
  MKV_ASSERT_OK(store_->Close());
  store_.reset();
  options_.domains[0].default_ttl_seconds = std::numeric_limits<uint64_t>::max();
  const Status open = Store::Open(options_, dir_.path(), &store_);
  if (!open.ok()) {
    EXPECT_TRUE(open.IsInvalidArgument()) << open.ToString();
    return;
  }
  MKV_ASSERT_OK(Put(kInode, "t", "k", "v"));
  EXPECT_EQ(Get(kInode, "t", "k"), "v");
  clock_->AdvanceSeconds(1000 * kDay);
  FlushAndCompact();
  EXPECT_EQ(Get(kInode, "t", "k"), "v");
}

TEST_F(LimitsOfTimeTest, HugeRetentionKeepsTombstonesRestorable) {
  // A retention of 2^64-1 seconds means "keep deleted records": delete time
  // + retention must not overflow into "already past".
  MKV_ASSERT_OK(store_->Close());
  store_.reset();
  options_.domains[0].tombstone_retention_seconds = std::numeric_limits<uint64_t>::max();
  const Status open = Store::Open(options_, dir_.path(), &store_);
  if (!open.ok()) {
    EXPECT_TRUE(open.IsInvalidArgument()) << open.ToString();
    return;
  }
  MKV_ASSERT_OK(Put(kInode, "t", "k", "v"));
  MKV_ASSERT_OK(Put(kInode, "t", "k2", "v2"));
  MKV_ASSERT_OK(Delete(kInode, "t", "k"));
  MKV_ASSERT_OK(Delete(kInode, "t", "k2"));
  clock_->AdvanceSeconds(1000 * kDay);
  // Undelete's own retention check.
  MKV_EXPECT_OK(Undelete(kInode, "t", "k"));
  EXPECT_EQ(Get(kInode, "t", "k"), "v");
  // Compaction's purge decision.
  FlushAndCompact();
  MKV_EXPECT_OK(Undelete(kInode, "t", "k2"));
  EXPECT_EQ(Get(kInode, "t", "k2"), "v2");
}

}  // namespace
}  // namespace metakv::test
