// The tiered tombstone filter on a real RocksDB: what compaction may purge
// and, above all, what it must never purge or bring back.
#include "compaction/tombstone_filter.h"

#include <gtest/gtest.h>
#include <rocksdb/db.h>
#include <rocksdb/metadata.h>

#include "codecs/key_codec.h"
#include "codecs/record_codec.h"
#include "engine/store_impl.h"
#include "metakv/store.h"
#include "tests/testutil.h"

namespace metakv {
namespace {

constexpr uint64_t kRetention = 3600;

class TombstoneFilterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    clock_ = std::make_shared<ManualClock>();
    options_ = test::SmallOptions(clock_);
    for (auto& d : options_.domains) d.tombstone_retention_seconds = kRetention;
    options_.maintenance_interval_seconds = 0;  // no background maintenance
    ASSERT_TRUE(Store::Open(options_, dir_.path(), &store_).ok());
  }

  StoreImpl* impl() { return ImplOf(store_); }
  rocksdb::DB* db() { return impl()->TEST_db(); }
  rocksdb::ColumnFamilyHandle* cf() { return impl()->TEST_cf("inode"); }

  // The stored record under (tenant, key), bypassing metakv's visibility
  // rules: true if RocksDB still holds a value for it.
  bool Physically(const std::string& tenant, const std::string& key,
                  codecs::Record* record = nullptr, std::string* raw = nullptr) {
    std::string value;
    const std::string encoded = codecs::EncodeKey(tenant, key);
    rocksdb::Status s = db()->Get(rocksdb::ReadOptions(), cf(), encoded, &value);
    if (s.IsNotFound()) return false;
    EXPECT_TRUE(s.ok()) << s.ToString();
    if (raw != nullptr) *raw = value;
    if (record != nullptr) {
      EXPECT_TRUE(codecs::DecodeRecord(encoded, *raw, record).ok());
    }
    return true;
  }

  // Moves every file of `from` into level `to` with a compaction of its own.
  // A raw RocksDB compaction, after one store call: compaction purges by the
  // latest time a call has used (engine/store_clock.h).
  void CompactLevelTo(int from, int to) {
    std::string unused;
    ASSERT_TRUE(store_->Get(ro_, "inode", "t", "no-such-key", &unused).IsNotFound());
    rocksdb::ColumnFamilyMetaData meta;
    db()->GetColumnFamilyMetaData(cf(), &meta);
    std::vector<std::string> names;
    for (const auto& f : meta.levels[from].files) names.push_back(f.db_path + f.name);
    ASSERT_FALSE(names.empty()) << "no files at L" << from;
    rocksdb::Status s = db()->CompactFiles(rocksdb::CompactionOptions(), cf(), names, to);
    ASSERT_TRUE(s.ok()) << s.ToString();
  }

  int FilesAt(int level) {
    rocksdb::ColumnFamilyMetaData meta;
    db()->GetColumnFamilyMetaData(cf(), &meta);
    return static_cast<int>(meta.levels[level].files.size());
  }

  DomainStats Inode() {
    Stats stats;
    EXPECT_TRUE(store_->GetStats(&stats).ok());
    for (auto& d : stats.domains) {
      if (d.name == "inode") return d;
    }
    ADD_FAILURE() << "no inode domain";
    return {};
  }

  test::TempDir dir_;
  std::shared_ptr<ManualClock> clock_;
  Options options_;
  std::unique_ptr<Store> store_;
  WriteOptions wo_;
  ReadOptions ro_;
};

TEST(ShouldPurgeTest, Decisions) {
  const std::string key = codecs::EncodeKey("t", "k");
  auto encode = [&](codecs::RecordKind kind, uint64_t time, uint64_t expiry) {
    codecs::Record r;
    r.kind = kind;
    r.time = time;
    r.expiry = expiry;
    r.payload = "payload";
    std::string out;
    codecs::EncodeRecord(key, r, &out);
    return out;
  };
  struct Case {
    codecs::RecordKind kind;
    uint64_t time, expiry, purge_time;
    bool purge;
  };
  const Case cases[] = {
      {codecs::RecordKind::kLive, 100, 0, 1000000, false},        // live, no expiry: never
      {codecs::RecordKind::kLive, 100, 500, 499, false},          // before expiry
      {codecs::RecordKind::kLive, 100, 500, 500, true},           // at expiry
      {codecs::RecordKind::kTombstone, 100, 0, 100 + 99, false},  // inside retention
      {codecs::RecordKind::kTombstone, 100, 0, 100 + 100, true},  // retention passed
      {codecs::RecordKind::kTombstone, 100, 150, 160, true},      // its expiry passed first
  };
  for (const Case& c : cases) {
    bool corrupt = false;
    EXPECT_EQ(ShouldPurge(key, encode(c.kind, c.time, c.expiry), 100, c.purge_time, &corrupt),
              c.purge)
        << "kind " << int(c.kind) << " time " << c.time << " expiry " << c.expiry << " at "
        << c.purge_time;
    EXPECT_FALSE(corrupt);
  }
  // A record that does not decode is kept and reported.
  std::string bad = encode(codecs::RecordKind::kTombstone, 1, 0);
  bad[3] ^= 0x40;
  bool corrupt = false;
  EXPECT_FALSE(ShouldPurge(key, bad, 0, 1u << 30, &corrupt));
  EXPECT_TRUE(corrupt);
}

TEST_F(TombstoneFilterTest, FlushKeepsEverything) {
  ASSERT_TRUE(store_->Put(wo_, "inode", "t", "k", "v").ok());
  ASSERT_TRUE(store_->Delete(wo_, "inode", "t", "k").ok());
  clock_->AdvanceSeconds(10 * kRetention);
  ASSERT_TRUE(store_->Flush("inode").ok());
  codecs::Record r;
  std::string raw;
  ASSERT_TRUE(Physically("t", "k", &r, &raw));
  EXPECT_TRUE(r.IsTombstone());
  EXPECT_EQ(Inode().purged_records, 0u);
}

TEST_F(TombstoneFilterTest, PurgedTombstoneNeverResurrectsAnOlderVersionBelow) {
  // v1 lies deep in the tree (L3); its tombstone is purged by an L0->L1
  // compaction that does not include v1.
  ASSERT_TRUE(store_->Put(wo_, "inode", "t", "k", "v1").ok());
  ASSERT_TRUE(store_->Flush("inode").ok());
  CompactLevelTo(0, 3);
  ASSERT_EQ(FilesAt(3), 1);
  ASSERT_TRUE(store_->Put(wo_, "inode", "t", "k", "v2").ok());
  ASSERT_TRUE(store_->Delete(wo_, "inode", "t", "k").ok());
  ASSERT_TRUE(store_->Flush("inode").ok());
  clock_->AdvanceSeconds(kRetention + 1);
  CompactLevelTo(0, 1);
  EXPECT_EQ(Inode().purged_records, 1u);
  EXPECT_EQ(FilesAt(3), 1) << "v1 must still lie below, untouched";
  std::string value;
  Status s = store_->Get(ro_, "inode", "t", "k", &value);
  EXPECT_TRUE(s.IsNotFound()) << s.ToString() << " value=" << value;
  EXPECT_FALSE(Physically("t", "k")) << "RocksDB must see a deletion, not v1";
  EXPECT_TRUE(store_->Undelete(wo_, "inode", "t", "k").IsNotFound());
  // A full compaction then removes both the deletion marker and v1.
  ASSERT_TRUE(store_->CompactRange("inode").ok());
  EXPECT_TRUE(store_->Get(ro_, "inode", "t", "k", &value).IsNotFound());
  // Survives a reopen.
  ASSERT_TRUE(store_->Close().ok());
  ASSERT_TRUE(Store::Open(options_, dir_.path(), &store_).ok());
  EXPECT_TRUE(store_->Get(ro_, "inode", "t", "k", &value).IsNotFound());
}

TEST_F(TombstoneFilterTest, RecordVisibleToASnapshotIsNeverDropped) {
  ASSERT_TRUE(store_->Put(wo_, "inode", "t", "expiring", "e", /*ttl_seconds=*/100).ok());
  ASSERT_TRUE(store_->Put(wo_, "inode", "t", "deleted", "d").ok());
  const Snapshot* snap = store_->GetSnapshot();
  ASSERT_TRUE(store_->Delete(wo_, "inode", "t", "deleted").ok());
  clock_->AdvanceSeconds(kRetention + 200);
  ASSERT_TRUE(store_->Flush("inode").ok());
  ASSERT_TRUE(store_->CompactRange("inode").ok());

  ReadOptions at_snapshot;
  at_snapshot.snapshot = snap;
  std::string value;
  ASSERT_TRUE(store_->Get(at_snapshot, "inode", "t", "expiring", &value).ok());
  EXPECT_EQ(value, "e");
  ASSERT_TRUE(store_->Get(at_snapshot, "inode", "t", "deleted", &value).ok());
  EXPECT_EQ(value, "d");
  EXPECT_TRUE(store_->Get(ro_, "inode", "t", "expiring", &value).IsNotFound());
  EXPECT_TRUE(store_->Get(ro_, "inode", "t", "deleted", &value).IsNotFound());
  EXPECT_TRUE(Physically("t", "expiring"));

  // Once the snapshot is gone, the next compaction purges both.
  store_->ReleaseSnapshot(snap);
  ASSERT_TRUE(store_->CompactRange("inode").ok());
  EXPECT_FALSE(Physically("t", "expiring"));
  EXPECT_FALSE(Physically("t", "deleted"));
  EXPECT_EQ(Inode().purged_records, 2u);
}

TEST_F(TombstoneFilterTest, LiveRecordsAndTombstonesInsideRetentionAreNeverDropped) {
  const int kKeys = 2000;
  for (int i = 0; i < kKeys; ++i) {
    const std::string key = "k" + std::to_string(i);
    const uint64_t ttl = (i % 3 == 0) ? 10 * kRetention : 0;
    ASSERT_TRUE(store_
                    ->Put(wo_, "inode", "t" + std::to_string(i % 7), key,
                          std::string(100, 'a' + i % 26), ttl)
                    .ok());
  }
  for (int i = 0; i < kKeys; i += 5) {
    ASSERT_TRUE(
        store_->Delete(wo_, "inode", "t" + std::to_string(i % 7), "k" + std::to_string(i)).ok());
  }
  clock_->AdvanceSeconds(kRetention - 1);  // tombstones still inside retention
  ASSERT_TRUE(store_->Flush().ok());
  ASSERT_TRUE(store_->CompactRange("inode").ok());
  EXPECT_EQ(Inode().purged_records, 0u);
  for (int i = 0; i < kKeys; ++i) {
    const std::string tenant = "t" + std::to_string(i % 7);
    const std::string key = "k" + std::to_string(i);
    std::string value;
    Status s = store_->Get(ro_, "inode", tenant, key, &value);
    if (i % 5 == 0) {
      ASSERT_TRUE(s.IsNotFound()) << key;
      ASSERT_TRUE(Physically(tenant, key)) << key << ": tombstone inside retention purged";
    } else {
      ASSERT_TRUE(s.ok()) << key << ": " << s.ToString();
      ASSERT_EQ(value, std::string(100, 'a' + i % 26));
    }
  }
  // Undelete works up to the purge...
  ASSERT_TRUE(store_->Undelete(wo_, "inode", "t0", "k0").ok());
  // ...fails with Expired once retention has passed, before the purge...
  clock_->AdvanceSeconds(2);
  Status s = store_->Undelete(wo_, "inode", "t5", "k5");
  EXPECT_TRUE(s.IsExpired()) << s.ToString();
  ASSERT_TRUE(Physically("t5", "k5"));
  // ...and with NotFound after it.
  ASSERT_TRUE(store_->CompactRange("inode").ok());
  EXPECT_FALSE(Physically("t5", "k5"));
  s = store_->Undelete(wo_, "inode", "t5", "k5");
  EXPECT_TRUE(s.IsNotFound()) << s.ToString();
  const uint64_t tombstones = kKeys / 5 - 1;  // all but the undeleted one
  EXPECT_EQ(Inode().purged_records, tombstones);
  // Every live record is still there.
  for (int i = 1; i < kKeys; ++i) {
    if (i % 5 == 0) continue;
    std::string value;
    ASSERT_TRUE(
        store_->Get(ro_, "inode", "t" + std::to_string(i % 7), "k" + std::to_string(i), &value)
            .ok());
  }
}

TEST_F(TombstoneFilterTest, OffKeepsTombstones) {
  ASSERT_TRUE(store_->Close().ok());
  for (auto& d : options_.domains) d.purge_in_compaction = false;
  ASSERT_TRUE(Store::Open(options_, dir_.path(), &store_).ok());
  ASSERT_TRUE(store_->Put(wo_, "inode", "t", "k", "v").ok());
  ASSERT_TRUE(store_->Delete(wo_, "inode", "t", "k").ok());
  clock_->AdvanceSeconds(10 * kRetention);
  ASSERT_TRUE(store_->Flush().ok());
  ASSERT_TRUE(store_->CompactRange("inode").ok());
  EXPECT_TRUE(Physically("t", "k"));
  EXPECT_EQ(Inode().purged_records, 0u);
}

TEST_F(TombstoneFilterTest, WholeFilesOfExpiredRecordsArePurgedWithoutRewriting) {
  for (int i = 0; i < 500; ++i) {
    ASSERT_TRUE(
        store_->Put(wo_, "inode", "t", "k" + std::to_string(i), std::string(100, 'x'), 50).ok());
  }
  ASSERT_TRUE(store_->Flush("inode").ok());
  ASSERT_TRUE(store_->CompactRange("inode").ok());
  uint64_t files = 0;
  ASSERT_TRUE(test::DropPurgeableFilesNow(store_.get(), "inode", &files).ok());
  EXPECT_EQ(files, 0u) << "nothing has expired yet";
  const uint64_t written_before = Inode().compaction_bytes_written;
  clock_->AdvanceSeconds(51);
  ASSERT_TRUE(test::DropPurgeableFilesNow(store_.get(), "inode", &files).ok());
  EXPECT_GE(files, 1u);
  const DomainStats after = Inode();
  EXPECT_EQ(after.purged_records, 500u);
  EXPECT_EQ(after.live_sst_bytes, 0u);
  EXPECT_EQ(after.compaction_bytes_written, written_before) << "a purge must write nothing";
}

}  // namespace
}  // namespace metakv
