// Store point operations: input limits, Put/Get/overwrite, binary tenants,
// keys and values, persistence across reopen, flush and compaction,
// MultiGet, atomic write batches, and GetStats.
#include "metakv/store.h"

#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "tests/engine/store_fixture.h"
#include "tests/testutil.h"

namespace metakv::test {
namespace {

// ---- Input checks ----

class StoreLimitsTest : public StoreTest {
 protected:
  void SetUp() override {
    clock_ = std::make_shared<ManualClock>();
    options_ = SmallOptions(clock_);
    options_.max_key_bytes = 32;
    options_.max_value_bytes = 1000;
    OpenStore();
  }
};

TEST_F(StoreLimitsTest, LimitsAreInclusive) {
  const std::string tenant255(255, 't');
  const std::string key32(32, 'k');
  const std::string value1000(1000, 'v');
  MKV_EXPECT_OK(Put(kInode, tenant255, key32, value1000));
  EXPECT_EQ(Get(kInode, tenant255, key32), value1000);
  MKV_EXPECT_OK(Put(kInode, "t", "k", ""));  // empty value is fine
  EXPECT_EQ(Get(kInode, "t", "k"), "");
  MKV_EXPECT_OK(Put(kInode, std::string(1, '\0'), std::string(1, '\0'), "x"));
  EXPECT_EQ(Get(kInode, std::string(1, '\0'), std::string(1, '\0')), "x");
}

TEST_F(StoreLimitsTest, OutOfLimitInputIsInvalidArgumentEverywhere) {
  MKV_ASSERT_OK(Put(kInode, "t", "k", "v"));
  MKV_ASSERT_OK(Put(kInode, "t", "gone", "v"));
  MKV_ASSERT_OK(Delete(kInode, "t", "gone"));
  struct Bad {
    const char* what;
    std::string tenant;
    std::string key;
  };
  const Bad bad_keys[] = {
      {"empty tenant", "", "k"},
      {"empty key", "t", ""},
      {"256-byte tenant", std::string(256, 't'), "k"},
      {"256-byte tenant of zeros", std::string(256, '\0'), "k"},
      {"33-byte key", "t", std::string(33, 'k')},
  };
  for (const Bad& b : bad_keys) {
    SCOPED_TRACE(b.what);
    MKV_EXPECT_CODE(kInvalidArgument, Put(kInode, b.tenant, b.key, "v"));
    std::string value;
    MKV_EXPECT_CODE(kInvalidArgument, store_->Get(ReadOptions(), kInode, b.tenant, b.key, &value));
    MKV_EXPECT_CODE(kInvalidArgument, Delete(kInode, b.tenant, b.key));
    MKV_EXPECT_CODE(kInvalidArgument, Undelete(kInode, b.tenant, b.key));
    MKV_EXPECT_CODE(kInvalidArgument, HardDelete(kInode, b.tenant, b.key));
    WriteBatch batch;
    batch.Put(kInode, b.tenant, b.key, "v");
    MKV_EXPECT_CODE(kInvalidArgument, store_->Write(WriteOptions(), batch));
    std::vector<std::string> values;
    std::vector<Status> statuses;
    const Status s = store_->MultiGet(
        ReadOptions(), {{kInode, "t", "k"}, {kInode, b.tenant, b.key}}, &values, &statuses);
    if (s.ok()) {
      ASSERT_EQ(statuses.size(), 2u);
      EXPECT_TRUE(statuses[0].ok());
      EXPECT_EQ(values[0], "v");
      EXPECT_TRUE(statuses[1].IsInvalidArgument()) << statuses[1].ToString();
    } else {
      EXPECT_TRUE(s.IsInvalidArgument()) << s.ToString();
    }
  }
  // Values over the limit, alone and in a batch.
  MKV_EXPECT_CODE(kInvalidArgument, Put(kInode, "t", "k", std::string(1001, 'v')));
  MKV_EXPECT_CODE(kInvalidArgument, Put(kInode, "t", "new", std::string(1001, 'v')));
  WriteBatch batch;
  batch.Put(kInode, "t", "k", std::string(1001, 'v'));
  MKV_EXPECT_CODE(kInvalidArgument, store_->Write(WriteOptions(), batch));
  // A tenant too long for an iterator.
  std::unique_ptr<Iterator> it;
  MKV_EXPECT_CODE(kInvalidArgument, store_->NewIterator(ReadOptions(), kInode,
                                                        TenantSpec(std::string(256, 't')), &it));

  // Nothing changed.
  EXPECT_EQ(Get(kInode, "t", "k"), "v");
  EXPECT_EQ(Get(kInode, "t", "new"), "NOT_FOUND");
  EXPECT_EQ(Get(kInode, "t", "gone"), "NOT_FOUND");
  MKV_EXPECT_OK(Undelete(kInode, "t", "gone"));
  EXPECT_EQ(ScanForward(store_.get(), kInode, ScanSpec()),
            (std::vector<Entry>{{"t", "gone", "v"}, {"t", "k", "v"}}));
}

TEST_F(StoreTest, DefaultLimits) {
  // Options defaults: keys up to 4096 bytes, values up to 4 MiB.
  EXPECT_EQ(options_.max_key_bytes, 4096u);
  EXPECT_EQ(options_.max_value_bytes, 4u << 20);
  const std::string long_key(4096, 'k');
  MKV_EXPECT_OK(Put(kInode, "t", long_key, "v"));
  MKV_EXPECT_CODE(kInvalidArgument, Put(kInode, "t", std::string(4097, 'k'), "v"));
  // Two 4 MiB values (incompressible, so the files hold every byte), one
  // put alone and one in a batch, read back as written, after a flush,
  // after a compaction out of L0, and after a reopen.
  const std::string big = RandomBytes(4u << 20, 1);
  const std::string big2 = RandomBytes(4u << 20, 2);
  MKV_EXPECT_OK(Put(kDentry, "t", "big", big));
  WriteBatch batch;
  batch.Put(kDentry, "t", "big2", big2);
  MKV_EXPECT_OK(store_->Write(WriteOptions(), batch));
  MKV_EXPECT_CODE(kInvalidArgument, Put(kDentry, "t", "bigger", big + "x"));
  auto check = [&](const std::string& when) {
    SCOPED_TRACE(when);
    const std::string got = Get(kDentry, "t", "big");
    EXPECT_TRUE(got == big) << "big: " << got.size() << " bytes, " << P(got.substr(0, 40));
    const std::string got2 = Get(kDentry, "t", "big2");
    EXPECT_TRUE(got2 == big2) << "big2: " << got2.size() << " bytes, " << P(got2.substr(0, 40));
    EXPECT_EQ(Get(kDentry, "t", "bigger"), "NOT_FOUND");
    EXPECT_EQ(Get(kInode, "t", long_key), "v");
    const std::vector<Entry> scan = ScanForward(store_.get(), kDentry, TenantSpec("t"));
    ASSERT_EQ(scan.size(), 2u);
    EXPECT_TRUE(scan[0].key == "big" && scan[0].value == big);
    EXPECT_TRUE(scan[1].key == "big2" && scan[1].value == big2);
  };
  // Bytes of the dentry domain in SST files, and its deepest level holding any.
  auto files = [&](int* deepest) {
    Stats stats;
    EXPECT_TRUE(store_->GetStats(&stats).ok());
    *deepest = -1;
    for (const DomainStats& d : stats.domains) {
      if (d.name != kDentry) continue;
      for (const LevelStats& l : d.levels) {
        if (l.files > 0) *deepest = l.level;
      }
      return d.live_sst_bytes;
    }
    return uint64_t{0};
  };
  int deepest = -1;
  // (64 KiB memtables: RocksDB may already be flushing the first value.)
  check("written");
  MKV_ASSERT_OK(store_->Flush(kDentry));
  EXPECT_GE(files(&deepest), 8u << 20) << "both values in SST files";
  check("flushed");
  MKV_ASSERT_OK(store_->CompactRange(kDentry));
  EXPECT_GE(files(&deepest), 8u << 20);
  EXPECT_GT(deepest, 0) << "compacted out of L0";
  check("compacted");
  Reopen();
  EXPECT_GE(files(&deepest), 8u << 20);
  check("reopened");
}

// ---- Put / Get ----

TEST_F(StoreTest, PutGetOverwrite) {
  EXPECT_EQ(Get(kInode, "t", "k"), "NOT_FOUND");
  MKV_ASSERT_OK(Put(kInode, "t", "k", "v1"));
  EXPECT_EQ(Get(kInode, "t", "k"), "v1");
  MKV_ASSERT_OK(Put(kInode, "t", "k", "v2"));
  EXPECT_EQ(Get(kInode, "t", "k"), "v2");
  MKV_ASSERT_OK(Put(kInode, "t", "k", ""));
  EXPECT_EQ(Get(kInode, "t", "k"), "");
  // Domains and tenants are separate key spaces.
  EXPECT_EQ(Get(kDentry, "t", "k"), "NOT_FOUND");
  EXPECT_EQ(Get(kHistory, "t", "k"), "NOT_FOUND");
  EXPECT_EQ(Get(kInode, "t2", "k"), "NOT_FOUND");
  EXPECT_EQ(Get(kInode, "t", "k2"), "NOT_FOUND");
  EXPECT_EQ(Get(kInode, "t", "K"), "NOT_FOUND");
}

// A NotFound Get leaves *value as it was (store.h), whatever the reason:
// never written, logically deleted, hard deleted, expired, or under a
// removed tree; nothing of the hidden record leaks into it.
TEST_F(StoreTest, GetNotFoundLeavesNoValue) {
  MKV_ASSERT_OK(Put(kInode, "t", "deleted", "old-deleted"));
  MKV_ASSERT_OK(Delete(kInode, "t", "deleted"));
  MKV_ASSERT_OK(Put(kInode, "t", "hard", "old-hard"));
  MKV_ASSERT_OK(HardDelete(kInode, "t", "hard"));
  MKV_ASSERT_OK(Put(kInode, "t", "expired", "old-expired", /*ttl=*/10));
  MKV_ASSERT_OK(Put(kInode, "t", "tree/k", "old-tree"));
  MKV_ASSERT_OK(store_->RemoveTree(WriteOptions(), "t", {{kInode, "tree/"}}, RemoveMode::kLogical));
  clock_->AdvanceSeconds(10);
  for (const std::string key : {"missing", "deleted", "hard", "expired", "tree/k"}) {
    SCOPED_TRACE(key);
    std::string value = "sentinel";
    const Status s = store_->Get(ReadOptions(), kInode, "t", key, &value);
    EXPECT_TRUE(s.IsNotFound()) << s.ToString();
    EXPECT_EQ(value, "sentinel");
  }
}

TEST_F(StoreTest, BinaryTenantsKeysAndValues) {
  const std::vector<std::string> tenants = {Bin("1"),
                                            Bin("10"),
                                            Bin("100"),
                                            std::string(1, '\0'),
                                            std::string("a\0", 2),
                                            std::string("a\0\0", 3),
                                            std::string("\xff"),
                                            std::string("\0\x01", 2),
                                            std::string(255, '\0'),
                                            std::string(255, '\xff')};
  const std::vector<std::string> keys = {Bin("k"), std::string(1, '\0'), std::string("\0\x01", 2),
                                         std::string("\xff\xff"), std::string("k\0", 2)};
  for (const auto& t : tenants) {
    for (const auto& k : keys) {
      MKV_ASSERT_OK(Put(kInode, t, k, "v|" + t + "|" + k + std::string("\0\xff", 2)));
    }
  }
  auto check = [&] {
    for (const auto& t : tenants) {
      for (const auto& k : keys) {
        EXPECT_EQ(Get(kInode, t, k), "v|" + t + "|" + k + std::string("\0\xff", 2))
            << P(t) << "/" << P(k);
      }
    }
    EXPECT_EQ(Get(kInode, std::string("a\0\0\0", 4), "k"), "NOT_FOUND");
    EXPECT_EQ(Get(kInode, "a", "k"), "NOT_FOUND");
    EXPECT_EQ(Get(kInode, "1", std::string("k\0\0", 3)), "NOT_FOUND");
  };
  check();
  FlushAndCompact();
  check();
  Reopen();
  check();
}

TEST_F(StoreTest, PersistsAcrossReopenFlushAndCompaction) {
  for (int i = 0; i < 300; ++i) {
    MKV_ASSERT_OK(Put(kInode, "t", "k" + std::to_string(i), std::string(200, 'a' + i % 26)));
  }
  MKV_ASSERT_OK(Put(kDentry, "t", "d", "dv"));
  MKV_ASSERT_OK(Put(kHistory, "t", "h", "hv"));
  Reopen();  // from the WAL
  EXPECT_EQ(Get(kInode, "t", "k7"), std::string(200, 'a' + 7));
  EXPECT_EQ(Get(kDentry, "t", "d"), "dv");
  EXPECT_EQ(Get(kHistory, "t", "h"), "hv");
  for (int i = 0; i < 300; i += 2) {
    MKV_ASSERT_OK(Put(kInode, "t", "k" + std::to_string(i), "over" + std::to_string(i)));
  }
  MKV_ASSERT_OK(store_->Flush(kInode));
  MKV_ASSERT_OK(store_->CompactRange(kInode));
  MKV_ASSERT_OK(store_->CompactRange(kInode, "t"));
  Reopen();
  for (int i = 0; i < 300; ++i) {
    const std::string want =
        i % 2 == 0 ? "over" + std::to_string(i) : std::string(200, 'a' + i % 26);
    ASSERT_EQ(Get(kInode, "t", "k" + std::to_string(i)), want) << i;
  }
  EXPECT_EQ(Get(kDentry, "t", "d"), "dv");
  EXPECT_EQ(Get(kHistory, "t", "h"), "hv");
}

TEST_F(StoreTest, FlushAndCompactRangeOfEachDomainAndTenant) {
  MKV_ASSERT_OK(Put(kInode, "a", "k", "1"));
  MKV_ASSERT_OK(Put(kInode, "b", "k", "2"));
  for (const std::string& d : {kInode, kDentry, kHistory}) {
    MKV_EXPECT_OK(store_->Flush(d));
    MKV_EXPECT_OK(store_->CompactRange(d));
    MKV_EXPECT_OK(store_->CompactRange(d, "a"));
  }
  MKV_EXPECT_OK(store_->Flush());
  MKV_EXPECT_OK(store_->CompactRange());
  // A tenant too long to exist.
  MKV_EXPECT_CODE(kInvalidArgument, store_->CompactRange(kInode, std::string(256, 'x')));
  EXPECT_EQ(Get(kInode, "a", "k"), "1");
  EXPECT_EQ(Get(kInode, "b", "k"), "2");
}

TEST_F(StoreTest, WriteOptionsSync) {
  WriteOptions wo;
  wo.sync = true;
  MKV_ASSERT_OK(store_->Put(wo, kInode, "t", "k", "v"));
  MKV_ASSERT_OK(store_->Delete(wo, kInode, "t", "k"));
  MKV_ASSERT_OK(store_->Undelete(wo, kInode, "t", "k"));
  MKV_ASSERT_OK(store_->HardDelete(wo, kInode, "t", "x"));
  Reopen();
  EXPECT_EQ(Get(kInode, "t", "k"), "v");
}

TEST_F(StoreTest, ReadOptionsFlagsDoNotChangeResults) {
  for (int i = 0; i < 100; ++i) MKV_ASSERT_OK(Put(kInode, "t", "k" + std::to_string(i), "v"));
  MKV_ASSERT_OK(Put(kInode, "t", "d", "x"));
  MKV_ASSERT_OK(Delete(kInode, "t", "d"));
  FlushAndCompact();
  for (bool verify : {false, true}) {
    for (bool fill : {false, true}) {
      ReadOptions ro;
      ro.verify_checksums = verify;
      ro.fill_cache = fill;
      std::string value;
      MKV_EXPECT_OK(store_->Get(ro, kInode, "t", "k42", &value));
      EXPECT_EQ(value, "v");
      MKV_EXPECT_CODE(kNotFound, store_->Get(ro, kInode, "t", "d", &value));
      std::unique_ptr<Iterator> it;
      MKV_ASSERT_OK(store_->NewIterator(ro, kInode, TenantSpec("t"), &it));
      size_t n = 0;
      for (it->SeekToFirst(); it->Valid(); it->Next()) ++n;
      MKV_EXPECT_OK(it->status());
      EXPECT_EQ(n, 100u);
    }
  }
}

TEST_F(StoreTest, WaitForBackgroundWork) {
  for (int i = 0; i < 2000; ++i) {
    MKV_ASSERT_OK(Put(kDentry, "t", "k" + std::to_string(i), RandomBytes(200, i)));
  }
  MKV_EXPECT_OK(store_->WaitForBackgroundWork());
  const Status bounded = store_->WaitForBackgroundWork(5000);
  EXPECT_TRUE(bounded.ok()) << bounded.ToString();  // already idle: no need to wait
  Stats stats;
  MKV_ASSERT_OK(store_->GetStats(&stats));
  for (const auto& d : stats.domains) {
    ASSERT_FALSE(d.levels.empty());
    // Idle means no L0 backlog at or over the compaction trigger.
    EXPECT_LT(d.levels[0].files, static_cast<uint64_t>(d.level0_compaction_trigger)) << d.name;
  }
  EXPECT_EQ(Get(kDentry, "t", "k1999"), RandomBytes(200, 1999));
  MKV_ASSERT_OK(store_->Close());
  EXPECT_FALSE(store_->WaitForBackgroundWork().ok());
}

// ---- MultiGet ----

TEST_F(StoreTest, MultiGetAcrossDomainsAligned) {
  MKV_ASSERT_OK(Put(kInode, "t", "a", "inode-a"));
  MKV_ASSERT_OK(Put(kDentry, "t", "a", "dentry-a"));
  MKV_ASSERT_OK(Put(kHistory, "t", "a", "history-a"));
  MKV_ASSERT_OK(Put(kInode, "t", "deleted", "x"));
  MKV_ASSERT_OK(Delete(kInode, "t", "deleted"));
  MKV_ASSERT_OK(Put(kInode, "t", "hard", "x"));
  MKV_ASSERT_OK(HardDelete(kInode, "t", "hard"));
  MKV_ASSERT_OK(Put(kDentry, "t", "expiring", "x", /*ttl=*/10));
  MKV_ASSERT_OK(Put(kDentry, "u", "b", "dentry-u-b"));
  clock_->AdvanceSeconds(20);

  const std::vector<KeyRef> keys = {{kInode, "t", "a"},         {kDentry, "t", "missing"},
                                    {kDentry, "t", "a"},        {kInode, "t", "deleted"},
                                    {kHistory, "t", "a"},       {kInode, "t", "hard"},
                                    {kDentry, "t", "expiring"}, {kDentry, "u", "b"},
                                    {kInode, "t", "a"},         {kHistory, "u", "a"}};
  const std::vector<std::string> want = {"inode-a",   "NOT_FOUND", "dentry-a",  "NOT_FOUND",
                                         "history-a", "NOT_FOUND", "NOT_FOUND", "dentry-u-b",
                                         "inode-a",   "NOT_FOUND"};
  auto check = [&] {
    std::vector<std::string> values;
    std::vector<Status> statuses;
    MKV_ASSERT_OK(store_->MultiGet(ReadOptions(), keys, &values, &statuses));
    ASSERT_EQ(values.size(), keys.size());
    ASSERT_EQ(statuses.size(), keys.size());
    for (size_t i = 0; i < keys.size(); ++i) {
      if (want[i] == "NOT_FOUND") {
        EXPECT_TRUE(statuses[i].IsNotFound()) << i << ": " << statuses[i].ToString();
      } else {
        EXPECT_TRUE(statuses[i].ok()) << i << ": " << statuses[i].ToString();
        EXPECT_EQ(values[i], want[i]) << i;
      }
    }
  };
  check();
  FlushAndCompact();
  check();
}

TEST_F(StoreTest, MultiGetEmptyAndLarge) {
  std::vector<std::string> values = {"stale"};
  std::vector<Status> statuses = {Status::Aborted("stale")};
  MKV_ASSERT_OK(store_->MultiGet(ReadOptions(), {}, &values, &statuses));
  EXPECT_TRUE(values.empty());
  EXPECT_TRUE(statuses.empty());

  std::vector<std::string> keys_storage;
  for (int i = 0; i < 500; ++i) keys_storage.push_back("k" + std::to_string(i));
  for (int i = 0; i < 500; i += 3)
    MKV_ASSERT_OK(Put(kDentry, "t", keys_storage[i], "v" + keys_storage[i]));
  std::vector<KeyRef> keys;
  for (int i = 499; i >= 0; --i) keys.push_back({kDentry, "t", keys_storage[i]});
  MKV_ASSERT_OK(store_->MultiGet(ReadOptions(), keys, &values, &statuses));
  ASSERT_EQ(values.size(), 500u);
  ASSERT_EQ(statuses.size(), 500u);
  for (int j = 0; j < 500; ++j) {
    const int i = 499 - j;
    if (i % 3 == 0) {
      EXPECT_TRUE(statuses[j].ok()) << i;
      EXPECT_EQ(values[j], "v" + keys_storage[i]);
    } else {
      EXPECT_TRUE(statuses[j].IsNotFound()) << i << ": " << statuses[j].ToString();
    }
  }
}

// ---- Write batches ----

TEST_F(StoreTest, BatchAppliesAcrossDomains) {
  MKV_ASSERT_OK(Put(kInode, "t", "old", "old-v"));
  MKV_ASSERT_OK(Put(kDentry, "t", "hard", "x"));
  WriteBatch batch;
  batch.Put(kInode, "t", "ino1", "attrs");
  batch.Put(kDentry, "t", "parent/name", "ino1");
  batch.Put(kHistory, "t", "ino1@1", "created");
  batch.Delete(kInode, "t", "old");
  batch.HardDelete(kDentry, "t", "hard");
  batch.HardDelete(kDentry, "t", "never-existed");
  EXPECT_EQ(batch.Count(), 6u);
  MKV_ASSERT_OK(store_->Write(WriteOptions(), batch));
  EXPECT_EQ(Get(kInode, "t", "ino1"), "attrs");
  EXPECT_EQ(Get(kDentry, "t", "parent/name"), "ino1");
  EXPECT_EQ(Get(kHistory, "t", "ino1@1"), "created");
  EXPECT_EQ(Get(kInode, "t", "old"), "NOT_FOUND");
  EXPECT_EQ(Get(kDentry, "t", "hard"), "NOT_FOUND");
  // The batch's Delete is a logical delete; its HardDelete is not.
  MKV_EXPECT_OK(Undelete(kInode, "t", "old"));
  EXPECT_EQ(Get(kInode, "t", "old"), "old-v");
  MKV_EXPECT_CODE(kNotFound, Undelete(kDentry, "t", "hard"));

  MKV_EXPECT_OK(store_->Write(WriteOptions(), WriteBatch()));  // empty batch
  Reopen();
  EXPECT_EQ(Get(kHistory, "t", "ino1@1"), "created");
}

TEST_F(StoreTest, BatchPutWithTtl) {
  WriteBatch batch;
  batch.Put(kInode, "t", "short", "s", /*ttl_seconds=*/100);
  batch.Put(kInode, "t", "forever", "f");
  MKV_ASSERT_OK(store_->Write(WriteOptions(), batch));
  clock_->AdvanceSeconds(50);
  EXPECT_EQ(Get(kInode, "t", "short"), "s");
  clock_->AdvanceSeconds(100);
  EXPECT_EQ(Get(kInode, "t", "short"), "NOT_FOUND");
  EXPECT_EQ(Get(kInode, "t", "forever"), "f");
}

// Every record the store shows, for "nothing changed" checks.
std::vector<std::vector<Entry>> Everything(Store* store) {
  std::vector<std::vector<Entry>> out;
  for (const std::string& d : {kInode, kDentry, kHistory}) {
    out.push_back(ScanForward(store, d, ScanSpec()));
  }
  return out;
}

TEST_F(StoreTest, BatchWithDeleteOfMissingKeyAppliesNothing) {
  MKV_ASSERT_OK(Put(kInode, "t", "live", "v0"));
  MKV_ASSERT_OK(Put(kInode, "t", "victim", "keep"));
  MKV_ASSERT_OK(Put(kDentry, "t", "tomb", "x"));
  MKV_ASSERT_OK(Delete(kDentry, "t", "tomb"));
  const auto before = Everything(store_.get());

  for (const std::string missing : {"never-written", "tomb"}) {
    SCOPED_TRACE(missing);
    WriteBatch batch;
    batch.Put(kInode, "t", "live", "v1");   // overwrite
    batch.Put(kHistory, "t", "new", "n");   // new key, other domain
    batch.Delete(kInode, "t", "victim");    // valid delete
    batch.HardDelete(kInode, "t", "live");  // would remove it
    batch.Delete(kDentry, "t", missing);    // not live: fails the batch
    batch.Put(kDentry, "t", "after", "a");  // after the bad op
    MKV_EXPECT_CODE(kNotFound, store_->Write(WriteOptions(), batch));
    EXPECT_EQ(Everything(store_.get()), before);
    EXPECT_EQ(Get(kInode, "t", "live"), "v0");
    EXPECT_EQ(Get(kInode, "t", "victim"), "keep");
    // The tombstone is still the original one.
    MKV_EXPECT_CODE(kFailedPrecondition, Undelete(kInode, "t", "victim"));
  }
  MKV_EXPECT_OK(Undelete(kDentry, "t", "tomb"));
  EXPECT_EQ(Get(kDentry, "t", "tomb"), "x");
}

TEST_F(StoreTest, BatchWithInvalidOpAppliesNothing) {
  MKV_ASSERT_OK(Put(kInode, "t", "live", "v0"));
  MKV_ASSERT_OK(Put(kInode, "t", "victim", "keep"));
  const auto before = Everything(store_.get());
  struct Case {
    const char* what;
    WriteBatch::OpType type;
    std::string domain, tenant, key, value;
  };
  const Case cases[] = {
      {"unknown domain put", WriteBatch::OpType::kPut, "nope", "t", "k", "v"},
      {"unknown domain delete", WriteBatch::OpType::kDelete, "nope", "t", "live", ""},
      {"unknown domain hard delete", WriteBatch::OpType::kHardDelete, "nope", "t", "k", ""},
      {"unknown domain undelete", WriteBatch::OpType::kUndelete, "nope", "t", "k", ""},
      {"empty key", WriteBatch::OpType::kPut, kDentry, "t", "", "v"},
      {"empty tenant", WriteBatch::OpType::kPut, kDentry, "", "k", "v"},
      {"long tenant", WriteBatch::OpType::kHardDelete, kDentry, std::string(256, 't'), "k", ""},
      {"long key", WriteBatch::OpType::kDelete, kInode, "t", std::string(4097, 'k'), ""},
      {"big value", WriteBatch::OpType::kPut, kDentry, "t", "k", std::string((4u << 20) + 1, 'v')},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.what);
    WriteBatch batch;
    batch.Put(kInode, "t", "live", "v1");
    batch.Put(kHistory, "t", "new", "n");
    batch.Delete(kInode, "t", "victim");
    switch (c.type) {
      case WriteBatch::OpType::kPut:
        batch.Put(c.domain, c.tenant, c.key, c.value);
        break;
      case WriteBatch::OpType::kDelete:
        batch.Delete(c.domain, c.tenant, c.key);
        break;
      case WriteBatch::OpType::kHardDelete:
        batch.HardDelete(c.domain, c.tenant, c.key);
        break;
      case WriteBatch::OpType::kUndelete:
        batch.Undelete(c.domain, c.tenant, c.key);
        break;
    }
    batch.Put(kDentry, "t", "after", "a");
    MKV_EXPECT_CODE(kInvalidArgument, store_->Write(WriteOptions(), batch));
    EXPECT_EQ(Everything(store_.get()), before);
  }
}

TEST_F(StoreTest, BatchDeleteCreatesRestorableTombstone) {
  MKV_ASSERT_OK(Put(kInode, "t", "a", "va"));
  MKV_ASSERT_OK(Put(kDentry, "t", "b", "vb"));
  WriteBatch batch;
  batch.Delete(kInode, "t", "a");
  batch.Delete(kDentry, "t", "b");
  MKV_ASSERT_OK(store_->Write(WriteOptions(), batch));
  EXPECT_EQ(Get(kInode, "t", "a"), "NOT_FOUND");
  EXPECT_EQ(Get(kDentry, "t", "b"), "NOT_FOUND");
  // Deleting again in a batch: not live any more.
  MKV_EXPECT_CODE(kNotFound, store_->Write(WriteOptions(), batch));
  FlushAndCompact();
  MKV_EXPECT_OK(Undelete(kInode, "t", "a"));
  MKV_EXPECT_OK(Undelete(kDentry, "t", "b"));
  EXPECT_EQ(Get(kInode, "t", "a"), "va");
  EXPECT_EQ(Get(kDentry, "t", "b"), "vb");
}

TEST(WriteBatchTest, RecordsOperations) {
  WriteBatch batch;
  EXPECT_EQ(batch.Count(), 0u);
  batch.Put("d", "t", "k", std::string("v\0", 2), 7);
  batch.Delete("d2", "t2", "k2");
  batch.HardDelete("d3", "t3", "k3");
  ASSERT_EQ(batch.Count(), 3u);
  const auto& ops = batch.ops();
  EXPECT_EQ(ops[0].type, WriteBatch::OpType::kPut);
  EXPECT_EQ(ops[0].domain, "d");
  EXPECT_EQ(ops[0].tenant, "t");
  EXPECT_EQ(ops[0].key, "k");
  EXPECT_EQ(ops[0].value, std::string("v\0", 2));
  EXPECT_EQ(ops[0].ttl_seconds, 7u);
  EXPECT_EQ(ops[1].type, WriteBatch::OpType::kDelete);
  EXPECT_EQ(ops[1].domain, "d2");
  EXPECT_EQ(ops[1].key, "k2");
  EXPECT_EQ(ops[2].type, WriteBatch::OpType::kHardDelete);
  EXPECT_EQ(ops[2].tenant, "t3");
  // The batch owns copies.
  {
    std::string temp = "temporary";
    batch.Put(temp, temp, temp, temp);
    temp.assign("XXXXXXXXX");
  }
  EXPECT_EQ(batch.ops()[3].value, "temporary");
  batch.Clear();
  EXPECT_EQ(batch.Count(), 0u);
}

// ---- GetStats ----

const DomainStats* FindDomain(const Stats& stats, const std::string& name) {
  for (const auto& d : stats.domains) {
    if (d.name == name) return &d;
  }
  return nullptr;
}

void ExpectConsistent(const Stats& stats) {
  uint64_t user = 0, flush = 0, compaction = 0, ingest = 0;
  for (const auto& d : stats.domains) {
    SCOPED_TRACE(d.name);
    user += d.user_bytes_written;
    flush += d.flush_bytes_written;
    compaction += d.compaction_bytes_written;
    ingest += d.ingest_bytes_written;
    if (d.user_bytes_written == 0) {
      EXPECT_EQ(d.write_amplification, 0);
    } else {
      EXPECT_NEAR(d.write_amplification,
                  static_cast<double>(d.flush_bytes_written + d.compaction_bytes_written +
                                      d.ingest_bytes_written) /
                      static_cast<double>(d.user_bytes_written),
                  1e-9 * (1 + d.write_amplification));
    }
    ASSERT_FALSE(d.levels.empty());
    for (size_t i = 0; i < d.levels.size(); ++i) EXPECT_EQ(d.levels[i].level, static_cast<int>(i));
  }
  EXPECT_EQ(stats.user_bytes_written, user);
  EXPECT_EQ(stats.flush_bytes_written, flush);
  EXPECT_EQ(stats.compaction_bytes_written, compaction);
  EXPECT_EQ(stats.ingest_bytes_written, ingest);
  if (user == 0) {
    EXPECT_EQ(stats.write_amplification, 0);
  } else {
    EXPECT_NEAR(stats.write_amplification,
                static_cast<double>(flush + compaction + ingest) / static_cast<double>(user),
                1e-9 * (1 + stats.write_amplification));
  }
}

TEST_F(StoreTest, StatsCountWritesPerDomain) {
  // With the flush controller off, memtable sizes and L0 triggers "stay as
  // declared", so GetStats must report exactly the declared ones.
  MKV_ASSERT_OK(store_->Close());
  options_.flush_controller_interval_seconds = 0;
  OpenStore();
  uint64_t inode_bytes = 0;
  for (int i = 0; i < 200; ++i) {
    const std::string key = "key" + std::to_string(i);
    const std::string value = RandomBytes(100 + i, i);
    MKV_ASSERT_OK(Put(kInode, "tenant", key, value));
    inode_bytes += 6 + key.size() + value.size();
  }
  WriteBatch batch;
  batch.Put(kInode, "tenant", "batched", "bv");  // batch puts count too
  inode_bytes += 6 + 7 + 2;
  MKV_ASSERT_OK(store_->Write(WriteOptions(), batch));
  MKV_ASSERT_OK(Delete(kInode, "tenant", "key0"));  // tenant and key bytes
  inode_bytes += 6 + 4;
  MKV_ASSERT_OK(HardDelete(kInode, "tenant", "key1"));
  inode_bytes += 6 + 4;
  MKV_ASSERT_OK(Put(kHistory, "h", "k", "value"));  // another domain
  MKV_ASSERT_OK(store_->Flush());

  Stats stats;
  MKV_ASSERT_OK(store_->GetStats(&stats));
  ASSERT_EQ(stats.domains.size(), 3u);
  EXPECT_EQ(stats.domains[0].name, "inode");
  EXPECT_EQ(stats.domains[1].name, "dentry");
  EXPECT_EQ(stats.domains[2].name, "history");
  EXPECT_EQ(stats.domains[0].temperature, Temperature::kHot);
  EXPECT_EQ(stats.domains[2].temperature, Temperature::kCold);

  const DomainStats* inode = FindDomain(stats, kInode);
  const DomainStats* dentry = FindDomain(stats, kDentry);
  const DomainStats* history = FindDomain(stats, kHistory);
  ASSERT_TRUE(inode && dentry && history);
  EXPECT_EQ(inode->user_bytes_written, inode_bytes);
  EXPECT_EQ(inode->puts, 201u);
  EXPECT_EQ(inode->deletes, 1u);
  EXPECT_EQ(inode->hard_deletes, 1u);
  EXPECT_EQ(inode->undeletes, 0u);
  EXPECT_GT(inode->flush_bytes_written, 0u);
  EXPECT_GE(inode->flushes, 1u);
  EXPECT_GT(inode->write_amplification, 0);
  EXPECT_GT(inode->live_sst_bytes, 0u);
  uint64_t files = 0;
  for (const auto& l : inode->levels) files += l.files;
  EXPECT_GE(files, 1u);
  EXPECT_EQ(inode->write_buffer_bytes, 64u << 10);
  EXPECT_EQ(inode->level0_compaction_trigger, 2);

  EXPECT_EQ(history->user_bytes_written, 1u + 1u + 5u);
  EXPECT_EQ(history->puts, 1u);
  EXPECT_EQ(history->deletes, 0u);
  EXPECT_GT(history->flush_bytes_written, 0u);

  EXPECT_EQ(dentry->user_bytes_written, 0u);
  EXPECT_EQ(dentry->puts, 0u);
  EXPECT_EQ(dentry->flush_bytes_written, 0u);
  EXPECT_EQ(dentry->write_amplification, 0);

  EXPECT_EQ(stats.user_bytes_written, inode_bytes + 7);
  EXPECT_GT(stats.wal_bytes_written, 0u);
  ExpectConsistent(stats);

  MKV_ASSERT_OK(Undelete(kInode, "tenant", "key0"));
  MKV_ASSERT_OK(store_->GetStats(&stats));
  EXPECT_EQ(FindDomain(stats, kInode)->undeletes, 1u);
}

TEST_F(StoreTest, StatsSeeCompactionAndResetOnReopen) {
  // Two overlapping L0 files force a real merge.
  for (int round = 0; round < 2; ++round) {
    for (int i = 0; i < 100; ++i) {
      MKV_ASSERT_OK(Put(kDentry, "t", "k" + std::to_string(i), RandomBytes(300, round * 1000 + i)));
    }
    MKV_ASSERT_OK(store_->Flush(kDentry));
  }
  MKV_ASSERT_OK(store_->CompactRange(kDentry));
  Stats stats;
  MKV_ASSERT_OK(store_->GetStats(&stats));
  const DomainStats* dentry = FindDomain(stats, kDentry);
  ASSERT_NE(dentry, nullptr);
  EXPECT_GT(dentry->compaction_bytes_written, 0u);
  EXPECT_GT(dentry->compaction_bytes_read, 0u);
  EXPECT_GE(dentry->compactions, 1u);
  EXPECT_GE(dentry->flushes, 2u);
  EXPECT_GT(dentry->write_amplification, 1.0);  // each byte written at least twice
  uint64_t deeper = 0;
  for (const auto& l : dentry->levels) {
    if (l.level > 0) deeper += l.files;
  }
  EXPECT_GE(deeper, 1u) << "CompactRange should leave files below L0";
  ExpectConsistent(stats);

  Reopen();
  MKV_ASSERT_OK(store_->GetStats(&stats));
  dentry = FindDomain(stats, kDentry);
  ASSERT_NE(dentry, nullptr);
  EXPECT_EQ(dentry->puts, 0u);  // "since this Store was opened"
  EXPECT_EQ(dentry->user_bytes_written, 0u);
  EXPECT_GT(dentry->live_sst_bytes, 0u);  // current state survives
  ExpectConsistent(stats);
}

TEST_F(StoreTest, StatsWithoutRocksDbStatistics) {
  MKV_ASSERT_OK(store_->Close());
  options_.enable_statistics = false;
  OpenStore();
  MKV_ASSERT_OK(Put(kInode, "t", "k", "v"));
  Stats stats;
  MKV_ASSERT_OK(store_->GetStats(&stats));
  // "Block cache usage, memtable charge included (always reported)": the
  // memtable holding the record is charged.
  EXPECT_GT(stats.block_cache_bytes, 0u);
  MKV_ASSERT_OK(store_->Flush());
  MKV_ASSERT_OK(store_->GetStats(&stats));
  // From RocksDB's statistics: 0 when they are off.
  EXPECT_EQ(stats.wal_bytes_written, 0u);
  EXPECT_EQ(stats.stall_micros, 0u);
  // metakv's own figures are still kept.
  EXPECT_EQ(FindDomain(stats, kInode)->puts, 1u);
  EXPECT_EQ(stats.user_bytes_written, 3u);
  ExpectConsistent(stats);
}

// ---- GetApproximateSize ----

class ApproximateSizeTest : public StoreTest {
 protected:
  uint64_t Size(const std::string& domain, const std::string& tenant, const std::string& prefix) {
    uint64_t bytes = 12345;  // overwritten on success
    const Status s = store_->GetApproximateSize(domain, tenant, prefix, &bytes);
    EXPECT_TRUE(s.ok()) << domain << "/" << P(tenant) << "/" << P(prefix) << ": " << s.ToString();
    return bytes;
  }
  // n records of 100 incompressible bytes under tenant/prefix in the inode
  // domain; returns the user bytes written (tenant + key + value).
  uint64_t Fill(const std::string& tenant, const std::string& prefix, int first, int n) {
    uint64_t bytes = 0;
    for (int i = first; i < first + n; ++i) {
      const std::string key = prefix + "f" + std::to_string(100000 + i);
      const std::string value = RandomBytes(100, std::hash<std::string>()(tenant + key));
      EXPECT_TRUE(Put(kInode, tenant, key, value).ok());
      bytes += tenant.size() + key.size() + value.size();
    }
    return bytes;
  }
  // Ranges no key of the test falls in: before every key, and past them.
  void ExpectEmptyRangesZero() {
    EXPECT_EQ(Size(kInode, "0", ""), 0u);     // a tenant before "a"
    EXPECT_EQ(Size(kInode, "a", "p0/"), 0u);  // before a's first tree
    EXPECT_EQ(Size(kInode, "zz", ""), 0u);    // a tenant after "b"
    EXPECT_EQ(Size(kInode, "zz", "p1/"), 0u);
    EXPECT_EQ(Size(kDentry, "", ""), 0u);  // domains nothing was written to
    EXPECT_EQ(Size(kDentry, "a", "p1/"), 0u);
    EXPECT_EQ(Size(kHistory, "", ""), 0u);
  }
};

// store.h: the bytes stored (SST files and memtables) under a domain,
// tenant or tenant prefix; an estimate, so checked within a factor of 2 of
// the bytes written (incompressible values), growing as data is added,
// exactly 0 where no key is, and gone with a purged removal.
TEST_F(ApproximateSizeTest, GrowsWithDataPerDomainTenantAndPrefix) {
  EXPECT_EQ(Size(kInode, "", ""), 0u);
  EXPECT_EQ(Size(kInode, "a", ""), 0u);
  EXPECT_EQ(Size(kInode, "a", "p1/"), 0u);
  ExpectEmptyRangesZero();

  // In the memtable.
  uint64_t a1 = Fill("a", "p1/", 0, 300);
  EXPECT_GT(Size(kInode, "a", "p1/"), 0u);
  EXPECT_GT(Size(kInode, "a", ""), 0u);
  ExpectEmptyRangesZero();

  // In files.
  MKV_ASSERT_OK(store_->Flush());
  const uint64_t s1 = Size(kInode, "a", "p1/");
  EXPECT_GE(s1, a1 / 2);
  EXPECT_LE(s1, a1 * 2);
  ExpectEmptyRangesZero();

  // More under the same prefix: it grows, about as much as was written.
  a1 += Fill("a", "p1/", 300, 300);
  MKV_ASSERT_OK(store_->Flush());
  const uint64_t s1b = Size(kInode, "a", "p1/");
  EXPECT_GT(s1b, s1);
  EXPECT_GE(s1b, a1 / 2);
  EXPECT_LE(s1b, a1 * 2);

  // Another tree of a, and tenant b.
  const uint64_t a2 = Fill("a", "p2/", 0, 300);
  const uint64_t b1 = Fill("b", "p1/", 0, 600);
  MKV_ASSERT_OK(store_->Flush());
  MKV_ASSERT_OK(store_->WaitForBackgroundWork());
  const uint64_t p1 = Size(kInode, "a", "p1/"), p2 = Size(kInode, "a", "p2/");
  const uint64_t a = Size(kInode, "a", ""), b = Size(kInode, "b", "");
  const uint64_t all = Size(kInode, "", "");
  EXPECT_GE(p2, a2 / 2);
  EXPECT_LE(p2, a2 * 2);
  EXPECT_GE(b, b1 / 2);
  EXPECT_LE(b, b1 * 2);
  // Disjoint ranges inside a wider one add up to at most it.
  EXPECT_GE(a, p1 + p2);
  EXPECT_LE(a, (a1 + a2) * 2);
  EXPECT_GE(all, a + b);
  EXPECT_LE(all, (a1 + a2 + b1) * 2);
  ExpectEmptyRangesZero();

  // A hard tree removal, once purged, takes its bytes with it; the rest stay.
  MKV_ASSERT_OK(store_->RemoveTree(WriteOptions(), "a", {{kInode, "p1/"}}, RemoveMode::kHard));
  clock_->AdvanceSeconds(2);
  MKV_ASSERT_OK(store_->RunMaintenance(MaintenanceOptions::PurgeDeadlineOnly(0)));
  MKV_ASSERT_OK(store_->WaitForBackgroundWork());
  EXPECT_LT(Size(kInode, "a", "p1/"), p1 / 10);
  EXPECT_GE(Size(kInode, "a", "p2/"), a2 / 2);
  EXPECT_GE(Size(kInode, "b", ""), b1 / 2);
}

TEST_F(ApproximateSizeTest, BadInputUnknownDomainAndClosedStoreAreErrors) {
  ASSERT_GT(Fill("a", "p1/", 0, 10), 0u);
  uint64_t bytes = 7;
  MKV_EXPECT_CODE(kInvalidArgument, store_->GetApproximateSize(kInode, "a", "p1/", nullptr));
  // A prefix needs a tenant.
  MKV_EXPECT_CODE(kInvalidArgument, store_->GetApproximateSize(kInode, "", "p1/", &bytes));
  MKV_EXPECT_CODE(kInvalidArgument,
                  store_->GetApproximateSize(kInode, std::string(256, 't'), "", &bytes));
  MKV_EXPECT_CODE(kInvalidArgument,
                  store_->GetApproximateSize(kInode, "a", std::string(4097, 'p'), &bytes));
  MKV_EXPECT_CODE(kInvalidArgument, store_->GetApproximateSize("nope", "a", "", &bytes));
  MKV_EXPECT_CODE(kInvalidArgument, store_->GetApproximateSize("", "", "", &bytes));
  EXPECT_EQ(bytes, 7u) << "a failed call leaves *bytes alone";
  // The longest prefix and tenant are fine.
  MKV_EXPECT_OK(store_->GetApproximateSize(kInode, std::string(255, 't'), "", &bytes));
  MKV_EXPECT_OK(store_->GetApproximateSize(kInode, "a", std::string(4096, 'p'), &bytes));
  MKV_ASSERT_OK(store_->Close());
  const Status s = store_->GetApproximateSize(kInode, "a", "", &bytes);
  EXPECT_FALSE(s.ok());
  EXPECT_TRUE(s.IsAborted()) << s.ToString();
  store_.reset();
}

}  // namespace
}  // namespace metakv::test
