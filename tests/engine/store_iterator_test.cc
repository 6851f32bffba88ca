// Iterators and snapshots: domain-wide, tenant, prefix and bounded scans
// checked against a std::map model (tenants chosen to break a naive
// encoding: "1"/"10"/"100", 0x00 and 0xFF bytes), both directions, Seek and
// SeekForPrev with direction changes, hidden tombstones and expired records,
// argument errors, point-in-time views and snapshot reads.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "metakv/store.h"
#include "tests/engine/store_fixture.h"

namespace metakv::test {
namespace {

const std::vector<std::string>& TrickyTenants() {
  static const std::vector<std::string> tenants = {"1",
                                                   "10",
                                                   "100",
                                                   "2",
                                                   "a",
                                                   std::string("a\0", 2),
                                                   std::string("a\0\0", 3),
                                                   std::string("a\x01", 2),
                                                   std::string("\xff"),
                                                   std::string("\xff\xff"),
                                                   std::string(1, '\0'),
                                                   std::string("\0\x01", 2),
                                                   std::string("\0\xff", 2)};
  return tenants;
}

const std::vector<std::string>& TrickyKeys() {
  static const std::vector<std::string> keys = {"a",
                                                "ab",
                                                "abc",
                                                "b",
                                                std::string("\xff"),
                                                std::string("\xff\xff"),
                                                std::string("\xff\xff\xff"),
                                                std::string("\xfe"),
                                                std::string("\xfe\xff"),
                                                std::string("a\xff"),
                                                std::string("a\xff\xff"),
                                                std::string(1, '\0'),
                                                std::string("\0\x01", 2),
                                                std::string("\0\xff", 2),
                                                std::string("a\0", 2),
                                                "10",
                                                "1"};
  return keys;
}

class IteratorTest : public StoreTest {
 protected:
  // Fills the inode domain with every tricky (tenant, key) pair.
  void FillTricky() {
    for (const auto& t : TrickyTenants()) {
      for (const auto& k : TrickyKeys()) {
        const std::string v = "v:" + P(t) + "/" + P(k);
        MKV_ASSERT_OK(Put(kInode, t, k, v));
        model_[{t, k}] = v;
      }
    }
  }

  // Full forward and reverse scans equal the model.
  void CheckScan(const ScanSpec& spec, const Snapshot* snapshot = nullptr,
                 const DomainModel* model = nullptr) {
    SCOPED_TRACE("spec tenant " + P(spec.tenant) + " prefix " + P(spec.prefix) + " lower " +
                 P(spec.lower_bound) + " upper " + P(spec.upper_bound));
    const std::vector<Entry> want = ModelScan(model ? *model : model_, spec);
    EXPECT_EQ(ScanForward(store_.get(), kInode, spec, snapshot), want);
    EXPECT_EQ(Reversed(ScanBackward(store_.get(), kInode, spec, snapshot)), want);
  }

  // Random Seeks and SeekForPrevs, each followed by random Next/Prev steps,
  // against the model.
  void CheckSeeks(const ScanSpec& spec, std::mt19937* rng, int rounds) {
    SCOPED_TRACE("spec tenant " + P(spec.tenant) + " prefix " + P(spec.prefix) + " lower " +
                 P(spec.lower_bound) + " upper " + P(spec.upper_bound));
    const std::vector<Entry> scan = ModelScan(model_, spec);
    std::unique_ptr<Iterator> it;
    MKV_ASSERT_OK(store_->NewIterator(ReadOptions(), kInode, spec, &it));
    const auto& tenants = TrickyTenants();
    const auto& keys = TrickyKeys();
    for (int r = 0; r < rounds; ++r) {
      const std::string tenant =
          spec.tenant.empty() ? tenants[(*rng)() % tenants.size()] : spec.tenant;
      std::string key = keys[(*rng)() % keys.size()];
      if ((*rng)() % 3 == 0) key.push_back(static_cast<char>((*rng)() % 256));
      const bool backward = (*rng)() % 2 == 0;
      std::optional<Entry> want;
      if (backward) {
        it->SeekForPrev(tenant, key);
        want = ModelSeekForPrev(scan, tenant, key);
      } else {
        it->Seek(tenant, key);
        want = ModelSeek(scan, tenant, key);
      }
      const std::string where =
          std::string(backward ? "SeekForPrev(" : "Seek(") + P(tenant) + ", " + P(key) + ")";
      ASSERT_EQ(it->Valid(), want.has_value()) << where << " " << it->status().ToString();
      MKV_ASSERT_OK(it->status());
      if (!want) continue;
      ASSERT_EQ(Current(*it), *want) << where;
      // Walk a few steps either way from there.
      size_t pos = std::find(scan.begin(), scan.end(), *want) - scan.begin();
      for (int step = 0; step < 6; ++step) {
        const bool next = (*rng)() % 2 == 0;
        if (next) {
          it->Next();
        } else {
          it->Prev();
        }
        const bool in_range = next ? pos + 1 < scan.size() : pos > 0;
        ASSERT_EQ(it->Valid(), in_range)
            << where << " then step " << step << (next ? " Next" : " Prev");
        MKV_ASSERT_OK(it->status());
        if (!in_range) break;
        pos = next ? pos + 1 : pos - 1;
        ASSERT_EQ(Current(*it), scan[pos]) << where << " then step " << step;
      }
    }
  }

  std::vector<ScanSpec> Specs() {
    std::vector<ScanSpec> specs = {ScanSpec()};
    for (const auto& t : TrickyTenants()) {
      specs.push_back(TenantSpec(t));
      for (const std::string prefix : {"a", "\xff", "\xff\xff", "a\xff", "1"}) {
        specs.push_back(TenantSpec(t, prefix));
      }
      specs.push_back(TenantSpec(t, std::string(1, '\0')));
      specs.push_back(TenantSpec(t, "", "ab", ""));
      specs.push_back(TenantSpec(t, "", "", "b"));
      specs.push_back(TenantSpec(t, "", "a\xff", "\xfe\xff"));
      specs.push_back(TenantSpec(t, "", std::string("\0\x01", 2), "\xff\xff"));
      specs.push_back(TenantSpec(t, "a", "ab", ""));           // prefix and lower bound
      specs.push_back(TenantSpec(t, "a", "", "abc"));          // prefix and upper bound
      specs.push_back(TenantSpec(t, "\xff", "\xff\xff", ""));  // 0xFF prefix and bound
      specs.push_back(TenantSpec(t, "", "zz", ""));            // empty range
    }
    return specs;
  }

  DomainModel model_;  // the visible records of kInode
};

TEST_F(IteratorTest, UnpositionedUntilSeek) {
  MKV_ASSERT_OK(Put(kInode, "t", "k", "v"));
  std::unique_ptr<Iterator> it;
  MKV_ASSERT_OK(store_->NewIterator(ReadOptions(), kInode, TenantSpec("t"), &it));
  ASSERT_NE(it, nullptr);
  EXPECT_FALSE(it->Valid());
  MKV_EXPECT_OK(it->status());
  it->SeekToFirst();
  ASSERT_TRUE(it->Valid());
  EXPECT_EQ(it->tenant(), "t");
  EXPECT_EQ(it->key(), "k");
  EXPECT_EQ(it->value(), "v");
  it->Next();
  EXPECT_FALSE(it->Valid());
  MKV_EXPECT_OK(it->status());
}

TEST_F(IteratorTest, EmptyDomainAndTenant) {
  EXPECT_EQ(ScanForward(store_.get(), kDentry, ScanSpec()), std::vector<Entry>{});
  EXPECT_EQ(ScanBackward(store_.get(), kDentry, ScanSpec()), std::vector<Entry>{});
  MKV_ASSERT_OK(Put(kDentry, "other", "k", "v"));
  EXPECT_EQ(ScanForward(store_.get(), kDentry, TenantSpec("t")), std::vector<Entry>{});
  EXPECT_EQ(ScanBackward(store_.get(), kDentry, TenantSpec("t")), std::vector<Entry>{});
  std::unique_ptr<Iterator> it;
  MKV_ASSERT_OK(store_->NewIterator(ReadOptions(), kDentry, TenantSpec("t"), &it));
  it->Seek("t", "a");
  EXPECT_FALSE(it->Valid());
  it->SeekForPrev("t", "z");
  EXPECT_FALSE(it->Valid());
  MKV_EXPECT_OK(it->status());
}

TEST_F(IteratorTest, ScansMatchModelWithTrickyTenantsAndKeys) {
  FillTricky();
  // Other domains hold the same keys with other values: must not leak in.
  for (const auto& t : TrickyTenants()) MKV_ASSERT_OK(Put(kDentry, t, "a", "dentry"));
  for (int phase = 0; phase < 2; ++phase) {
    SCOPED_TRACE(phase == 0 ? "memtable" : "flushed and compacted");
    for (const ScanSpec& spec : Specs()) {
      ASSERT_NO_FATAL_FAILURE(CheckScan(spec));
    }
    FlushAndCompact();
  }
}

TEST_F(IteratorTest, SeeksMatchModel) {
  FillTricky();
  std::mt19937 rng(31337);
  for (int phase = 0; phase < 2; ++phase) {
    SCOPED_TRACE(phase == 0 ? "memtable" : "flushed and compacted");
    for (const ScanSpec& spec : Specs()) {
      ASSERT_NO_FATAL_FAILURE(CheckSeeks(spec, &rng, 12));
    }
    FlushAndCompact();
  }
}

TEST_F(IteratorTest, TenantScanIsolationRandomized) {
  // Random tenants that share prefixes and contain 0x00/0xFF; each tenant
  // scan shows exactly its own keys.
  std::mt19937 rng(99);
  const char alphabet[] = {'\0', '\x01', '\xff', '1', '0'};
  std::vector<std::string> tenants;
  for (int i = 0; i < 40; ++i) {
    std::string t(1 + rng() % 3, ' ');
    for (char& c : t) c = alphabet[rng() % sizeof(alphabet)];
    tenants.push_back(t);
  }
  for (int i = 0; i < 800; ++i) {
    const std::string& t = tenants[rng() % tenants.size()];
    std::string k(1 + rng() % 3, ' ');
    for (char& c : k) c = alphabet[rng() % sizeof(alphabet)];
    const std::string v = std::to_string(i);
    MKV_ASSERT_OK(Put(kInode, t, k, v));
    model_[{t, k}] = v;
  }
  for (int phase = 0; phase < 2; ++phase) {
    for (const auto& t : tenants) ASSERT_NO_FATAL_FAILURE(CheckScan(TenantSpec(t)));
    ASSERT_NO_FATAL_FAILURE(CheckScan(ScanSpec()));
    MKV_ASSERT_OK(store_->Flush());
  }
}

TEST_F(IteratorTest, HiddenRecordsSkippedInBothDirections) {
  // Runs of hidden records at the start, middle and end, and a tenant whose
  // records are all hidden.
  for (int i = 0; i < 30; ++i) {
    char key[8];
    snprintf(key, sizeof(key), "k%02d", i);
    const bool ttl = i % 5 == 1;
    MKV_ASSERT_OK(Put(kInode, "t", key, "v" + std::to_string(i), ttl ? 10 : 0));
    MKV_ASSERT_OK(Put(kInode, "hidden", key, "h"));
    MKV_ASSERT_OK(Put(kInode, "u", key, "u"));
  }
  MKV_ASSERT_OK(store_->Flush());
  for (int i = 0; i < 30; ++i) {
    char key[8];
    snprintf(key, sizeof(key), "k%02d", i);
    const bool hidden_run = i < 5 || (i >= 12 && i < 18) || i >= 25;
    if (hidden_run) {
      if (i % 2 == 0) {
        MKV_ASSERT_OK(Delete(kInode, "t", key));
      } else {
        MKV_ASSERT_OK(HardDelete(kInode, "t", key));
      }
    }
    if (i % 3 == 0) {
      MKV_ASSERT_OK(Delete(kInode, "hidden", key));
    } else if (i % 3 == 1) {
      MKV_ASSERT_OK(HardDelete(kInode, "hidden", key));
    } else {
      MKV_ASSERT_OK(Put(kInode, "hidden", key, "expiring", 10));
    }
  }
  clock_->AdvanceSeconds(60);  // every TTL record has expired
  for (int i = 0; i < 30; ++i) {
    char key[8];
    snprintf(key, sizeof(key), "k%02d", i);
    const bool hidden_run = i < 5 || (i >= 12 && i < 18) || i >= 25;
    if (!hidden_run && i % 5 != 1) model_[{"t", key}] = "v" + std::to_string(i);
    model_[{"u", key}] = "u";
  }
  for (int phase = 0; phase < 3; ++phase) {
    SCOPED_TRACE("phase " + std::to_string(phase));
    ASSERT_NO_FATAL_FAILURE(CheckScan(TenantSpec("t")));
    ASSERT_NO_FATAL_FAILURE(CheckScan(TenantSpec("hidden")));
    ASSERT_NO_FATAL_FAILURE(CheckScan(TenantSpec("u")));
    ASSERT_NO_FATAL_FAILURE(CheckScan(ScanSpec()));
    ASSERT_NO_FATAL_FAILURE(CheckScan(TenantSpec("t", "k1")));
    // Direction changes next to hidden records.
    std::unique_ptr<Iterator> it;
    MKV_ASSERT_OK(store_->NewIterator(ReadOptions(), kInode, TenantSpec("t"), &it));
    it->Seek("t", "k12");  // hidden run k12..k17; k16 expired too
    ASSERT_TRUE(it->Valid());
    EXPECT_EQ(it->key(), "k18");
    it->Prev();
    ASSERT_TRUE(it->Valid());
    EXPECT_EQ(it->key(), "k10");  // k11 expired
    it->Next();
    ASSERT_TRUE(it->Valid());
    EXPECT_EQ(it->key(), "k18");
    it->SeekForPrev("t", "k04");
    EXPECT_FALSE(it->Valid());  // k00..k04 hidden
    MKV_EXPECT_OK(it->status());
    it->SeekToLast();
    ASSERT_TRUE(it->Valid());
    EXPECT_EQ(it->key(), "k24");
    it->Next();
    EXPECT_FALSE(it->Valid());
    it->SeekToFirst();
    ASSERT_TRUE(it->Valid());
    EXPECT_EQ(it->key(), "k05");
    it->Prev();
    EXPECT_FALSE(it->Valid());
    MKV_EXPECT_OK(it->status());
    if (phase == 0) MKV_ASSERT_OK(store_->Flush());
    if (phase == 1) FlushAndCompact();
  }
}

TEST_F(IteratorTest, SeekToAnotherTenantIsInvalidArgument) {
  MKV_ASSERT_OK(Put(kInode, "t", "a", "1"));
  MKV_ASSERT_OK(Put(kInode, "t2", "a", "2"));
  for (const ScanSpec& spec :
       {TenantSpec("t"), TenantSpec("t", "a"), TenantSpec("t", "", "a", "b")}) {
    SCOPED_TRACE("prefix " + spec.prefix + " lower " + spec.lower_bound);
    for (int backward = 0; backward < 2; ++backward) {
      std::unique_ptr<Iterator> it;
      MKV_ASSERT_OK(store_->NewIterator(ReadOptions(), kInode, spec, &it));
      it->SeekToFirst();
      ASSERT_TRUE(it->Valid());
      if (backward) {
        it->SeekForPrev("t2", "a");
      } else {
        it->Seek("t2", "a");
      }
      EXPECT_FALSE(it->Valid());
      EXPECT_TRUE(it->status().IsInvalidArgument()) << it->status().ToString();
    }
  }
  // An empty tenant on a tenant scan is another tenant too.
  std::unique_ptr<Iterator> it;
  MKV_ASSERT_OK(store_->NewIterator(ReadOptions(), kInode, TenantSpec("t"), &it));
  it->Seek("", "a");
  EXPECT_FALSE(it->Valid());
  EXPECT_TRUE(it->status().IsInvalidArgument()) << it->status().ToString();
}

TEST_F(IteratorTest, SpecErrorsAreInvalidArgument) {
  std::unique_ptr<Iterator> it;
  ScanSpec spec;
  spec.prefix = "a";
  MKV_EXPECT_CODE(kInvalidArgument, store_->NewIterator(ReadOptions(), kInode, spec, &it));
  spec = ScanSpec();
  spec.lower_bound = "a";
  MKV_EXPECT_CODE(kInvalidArgument, store_->NewIterator(ReadOptions(), kInode, spec, &it));
  spec = ScanSpec();
  spec.upper_bound = "a";
  MKV_EXPECT_CODE(kInvalidArgument, store_->NewIterator(ReadOptions(), kInode, spec, &it));
  MKV_EXPECT_CODE(kInvalidArgument, store_->NewIterator(ReadOptions(), kInode,
                                                        TenantSpec(std::string(256, 'x')), &it));
}

TEST_F(IteratorTest, DomainWideSeekCrossesTenants) {
  MKV_ASSERT_OK(Put(kInode, "1", "z", "1z"));
  MKV_ASSERT_OK(Put(kInode, "10", "a", "10a"));
  MKV_ASSERT_OK(Put(kInode, "100", "a", "100a"));
  std::unique_ptr<Iterator> it;
  MKV_ASSERT_OK(store_->NewIterator(ReadOptions(), kInode, ScanSpec(), &it));
  it->Seek("1", "zz");  // past tenant "1": continues in "10"
  ASSERT_TRUE(it->Valid());
  EXPECT_EQ(Current(*it), (Entry{"10", "a", "10a"}));
  it->SeekForPrev("10", "");  // before tenant "10": back in "1"
  ASSERT_TRUE(it->Valid());
  EXPECT_EQ(Current(*it), (Entry{"1", "z", "1z"}));
  it->SeekForPrev("100", "b");
  ASSERT_TRUE(it->Valid());
  EXPECT_EQ(Current(*it), (Entry{"100", "a", "100a"}));
  it->Seek("2", "");
  EXPECT_FALSE(it->Valid());
  MKV_EXPECT_OK(it->status());
}

TEST_F(IteratorTest, IteratorIsPointInTime) {
  MKV_ASSERT_OK(Put(kInode, "t", "a", "1"));
  MKV_ASSERT_OK(Put(kInode, "t", "b", "2"));
  MKV_ASSERT_OK(Put(kInode, "t", "c", "3"));
  std::unique_ptr<Iterator> it;
  MKV_ASSERT_OK(store_->NewIterator(ReadOptions(), kInode, TenantSpec("t"), &it));
  MKV_ASSERT_OK(Put(kInode, "t", "a", "changed"));
  MKV_ASSERT_OK(Delete(kInode, "t", "b"));
  MKV_ASSERT_OK(HardDelete(kInode, "t", "c"));
  MKV_ASSERT_OK(Put(kInode, "t", "d", "new"));
  MKV_ASSERT_OK(store_->Flush());
  std::vector<Entry> seen;
  for (it->SeekToFirst(); it->Valid(); it->Next()) seen.push_back(Current(*it));
  MKV_EXPECT_OK(it->status());
  EXPECT_EQ(seen, (std::vector<Entry>{{"t", "a", "1"}, {"t", "b", "2"}, {"t", "c", "3"}}));
  it.reset();
  EXPECT_EQ(ScanForward(store_.get(), kInode, TenantSpec("t")),
            (std::vector<Entry>{{"t", "a", "changed"}, {"t", "d", "new"}}));
}

TEST_F(IteratorTest, ExpiryEvaluatedAtIteratorCreation) {
  // "An iterator reads a consistent point-in-time view (... the state at its
  // creation)": a record that expires while the iterator is in use is shown.
  MKV_ASSERT_OK(Put(kInode, "t", "a", "1", /*ttl=*/100));
  MKV_ASSERT_OK(Put(kInode, "t", "b", "2", /*ttl=*/100));
  clock_->AdvanceSeconds(50);
  std::unique_ptr<Iterator> it;
  MKV_ASSERT_OK(store_->NewIterator(ReadOptions(), kInode, TenantSpec("t"), &it));
  clock_->AdvanceSeconds(100);
  it->SeekToFirst();
  ASSERT_TRUE(it->Valid());
  EXPECT_EQ(it->key(), "a");
  it->Next();
  ASSERT_TRUE(it->Valid());
  EXPECT_EQ(it->key(), "b");
  it.reset();
  EXPECT_EQ(ScanForward(store_.get(), kInode, TenantSpec("t")), std::vector<Entry>{});
}

// ---- Snapshots ----

TEST_F(IteratorTest, SnapshotSeesOldStateAfterEveryKindOfWrite) {
  MKV_ASSERT_OK(Put(kInode, "t", "over", "old"));
  MKV_ASSERT_OK(Put(kInode, "t", "del", "d"));
  MKV_ASSERT_OK(Put(kInode, "t", "hard", "h"));
  MKV_ASSERT_OK(Put(kDentry, "t", "batch-over", "bo"));
  MKV_ASSERT_OK(Put(kInode, "t", "tomb", "tv"));
  MKV_ASSERT_OK(Delete(kInode, "t", "tomb"));
  const DomainModel inode_before = {
      {{"t", "del"}, "d"}, {{"t", "hard"}, "h"}, {{"t", "over"}, "old"}};

  const Snapshot* snap = store_->GetSnapshot();
  ASSERT_NE(snap, nullptr);
  MKV_ASSERT_OK(Put(kInode, "t", "over", "new"));
  MKV_ASSERT_OK(Delete(kInode, "t", "del"));
  MKV_ASSERT_OK(HardDelete(kInode, "t", "hard"));
  MKV_ASSERT_OK(Undelete(kInode, "t", "tomb"));
  MKV_ASSERT_OK(Put(kInode, "t", "added", "a"));
  WriteBatch batch;
  batch.Put(kDentry, "t", "batch-over", "bo2");
  batch.Put(kHistory, "t", "batch-new", "bn");
  batch.Delete(kInode, "t", "over");
  MKV_ASSERT_OK(store_->Write(WriteOptions(), batch));

  auto check = [&] {
    EXPECT_EQ(Get(kInode, "t", "over", snap), "old");
    EXPECT_EQ(Get(kInode, "t", "del", snap), "d");
    EXPECT_EQ(Get(kInode, "t", "hard", snap), "h");
    EXPECT_EQ(Get(kInode, "t", "tomb", snap), "NOT_FOUND");
    EXPECT_EQ(Get(kInode, "t", "added", snap), "NOT_FOUND");
    EXPECT_EQ(Get(kDentry, "t", "batch-over", snap), "bo");
    EXPECT_EQ(Get(kHistory, "t", "batch-new", snap), "NOT_FOUND");
    ASSERT_NO_FATAL_FAILURE(CheckScan(ScanSpec(), snap, &inode_before));
    ASSERT_NO_FATAL_FAILURE(CheckScan(TenantSpec("t"), snap, &inode_before));
    ReadOptions ro;
    ro.snapshot = snap;
    std::vector<std::string> values;
    std::vector<Status> statuses;
    MKV_ASSERT_OK(store_->MultiGet(
        ro, {{kInode, "t", "over"}, {kHistory, "t", "batch-new"}, {kDentry, "t", "batch-over"}},
        &values, &statuses));
    ASSERT_EQ(statuses.size(), 3u);
    EXPECT_TRUE(statuses[0].ok());
    EXPECT_EQ(values[0], "old");
    EXPECT_TRUE(statuses[1].IsNotFound()) << statuses[1].ToString();
    EXPECT_TRUE(statuses[2].ok());
    EXPECT_EQ(values[2], "bo");
    // The latest state is the new one.
    EXPECT_EQ(Get(kInode, "t", "over"), "NOT_FOUND");
    EXPECT_EQ(Get(kInode, "t", "del"), "NOT_FOUND");
    EXPECT_EQ(Get(kInode, "t", "hard"), "NOT_FOUND");
    EXPECT_EQ(Get(kInode, "t", "tomb"), "tv");
    EXPECT_EQ(Get(kDentry, "t", "batch-over"), "bo2");
    EXPECT_EQ(Get(kHistory, "t", "batch-new"), "bn");
  };
  check();
  FlushAndCompact();  // the snapshot keeps old versions through compaction
  check();
  store_->ReleaseSnapshot(snap);
  EXPECT_EQ(Get(kInode, "t", "added"), "a");
}

TEST_F(IteratorTest, SnapshotTimeFixesExpiry) {
  const uint64_t t0 = clock_->NowSeconds();
  MKV_ASSERT_OK(Put(kInode, "t", "short", "s", /*ttl=*/100));
  MKV_ASSERT_OK(Put(kInode, "t", "long", "l", /*ttl=*/1000));
  clock_->AdvanceSeconds(50);
  const Snapshot* snap = store_->GetSnapshot();
  ASSERT_NE(snap, nullptr);
  EXPECT_EQ(snap->time_seconds(), t0 + 50);
  clock_->AdvanceSeconds(100);  // "short" expired now, not at the snapshot's time
  EXPECT_EQ(snap->time_seconds(), t0 + 50);
  EXPECT_EQ(Get(kInode, "t", "short"), "NOT_FOUND");
  EXPECT_EQ(Get(kInode, "t", "short", snap), "s");
  const DomainModel at_snapshot = {{{"t", "long"}, "l"}, {{"t", "short"}, "s"}};
  ASSERT_NO_FATAL_FAILURE(CheckScan(TenantSpec("t"), snap, &at_snapshot));
  ReadOptions ro;
  ro.snapshot = snap;
  std::vector<std::string> values;
  std::vector<Status> statuses;
  MKV_ASSERT_OK(store_->MultiGet(ro, {{kInode, "t", "short"}}, &values, &statuses));
  ASSERT_EQ(statuses.size(), 1u);
  EXPECT_TRUE(statuses[0].ok()) << statuses[0].ToString();
  EXPECT_EQ(values[0], "s");
  // Compaction, which purges expired records, must not take it from the
  // snapshot either.
  FlushAndCompact();
  EXPECT_EQ(Get(kInode, "t", "short", snap), "s");
  ASSERT_NO_FATAL_FAILURE(CheckScan(TenantSpec("t"), snap, &at_snapshot));

  // A snapshot taken now does not see it.
  const Snapshot* later = store_->GetSnapshot();
  ASSERT_NE(later, nullptr);
  EXPECT_EQ(later->time_seconds(), t0 + 150);
  EXPECT_EQ(Get(kInode, "t", "short", later), "NOT_FOUND");
  EXPECT_EQ(Get(kInode, "t", "long", later), "l");
  store_->ReleaseSnapshot(later);
  store_->ReleaseSnapshot(snap);
}

TEST_F(IteratorTest, SeveralSnapshots) {
  std::vector<const Snapshot*> snaps;
  for (int i = 0; i < 5; ++i) {
    MKV_ASSERT_OK(Put(kInode, "t", "k", "v" + std::to_string(i)));
    snaps.push_back(store_->GetSnapshot());
    clock_->AdvanceSeconds(1);
  }
  MKV_ASSERT_OK(Delete(kInode, "t", "k"));
  FlushAndCompact();
  for (int i = 0; i < 5; ++i) {
    EXPECT_EQ(Get(kInode, "t", "k", snaps[i]), "v" + std::to_string(i));
  }
  store_->ReleaseSnapshot(snaps[2]);
  FlushAndCompact();
  EXPECT_EQ(Get(kInode, "t", "k", snaps[3]), "v3");
  for (int i : {0, 1, 3, 4}) store_->ReleaseSnapshot(snaps[i]);
  EXPECT_EQ(Get(kInode, "t", "k"), "NOT_FOUND");
  MKV_EXPECT_OK(Undelete(kInode, "t", "k"));
  EXPECT_EQ(Get(kInode, "t", "k"), "v4");
}

}  // namespace
}  // namespace metakv::test
