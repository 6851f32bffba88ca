// History import: IngestCold records that carry their own write time and an
// absolute expiry (ColdRecord::write_time_seconds, expiry_seconds), through
// both cold paths (an ingested SST file, and one synced batch for small
// groups), on a real RocksDB.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "tests/engine/store_fixture.h"

namespace metakv::test {
namespace {

// One record as a history scan shows it.
struct Seen {
  std::string key;
  std::string value;
  uint64_t write_time = 0;
  uint64_t expiry = 0;
  bool operator==(const Seen& o) const {
    return key == o.key && value == o.value && write_time == o.write_time && expiry == o.expiry;
  }
};
std::ostream& operator<<(std::ostream& os, const Seen& s) {
  return os << P(s.key) << " = " << P(s.value) << " written " << s.write_time << " expires "
            << s.expiry;
}

ColdRecord Imported(std::string key, std::string value, uint64_t write_time, uint64_t expiry = 0,
                    uint64_t ttl = 0) {
  ColdRecord r;
  r.key = std::move(key);
  r.value = std::move(value);
  r.ttl_seconds = ttl;
  r.write_time_seconds = write_time;
  r.expiry_seconds = expiry;
  return r;
}

// Parameter: true, every group is ingested as a file; false, every group
// goes through the WAL and the memtable (below ingest_min_bytes).
class HistoryImportTest : public StoreTest, public ::testing::WithParamInterface<bool> {
 protected:
  void SetUp() override {
    clock_ = std::make_shared<ManualClock>();
    options_ = SmallOptions(clock_);
    options_.maintenance_interval_seconds = 0;
    for (auto& d : options_.domains) d.ingest_min_bytes = GetParam() ? 0 : (1 << 20);
    OpenStore();
  }

  uint64_t Now() const { return clock_->NowSeconds(); }

  std::vector<Seen> Scan(const std::string& tenant, const Snapshot* snapshot = nullptr) {
    ReadOptions ro;
    ro.snapshot = snapshot;
    std::unique_ptr<Iterator> it;
    EXPECT_TRUE(store_->NewIterator(ro, kHistory, TenantSpec(tenant), &it).ok());
    std::vector<Seen> out;
    for (it->SeekToFirst(); it->Valid(); it->Next()) {
      out.push_back(Seen{std::string(it->key()), std::string(it->value()), it->write_time(),
                         it->expiry_time()});
    }
    EXPECT_TRUE(it->status().ok()) << it->status().ToString();
    return out;
  }

  // Checks that the group took the path the parameter names.
  void ExpectPath() {
    Stats stats;
    MKV_ASSERT_OK(store_->GetStats(&stats));
    for (const DomainStats& d : stats.domains) {
      if (d.name != kHistory) continue;
      if (GetParam()) {
        EXPECT_GT(d.ingest_bytes_written, 0u);
      } else {
        EXPECT_GT(d.buffered_ingests, 0u);
      }
    }
  }
};

TEST_P(HistoryImportTest, RecordsKeepTheirOwnWriteTimesAndExpiries) {
  const uint64_t now = Now();
  const uint64_t day = 24 * 3600;
  MKV_ASSERT_OK(
      store_->IngestCold(kHistory, "t",
                         {Imported("v/3", "c", now - 10, now + day),
                          Imported("v/1", "a", now - 3 * day, now + 2 * day),
                          Imported("v/2", "b", now - 2 * day, /*expiry=*/0, /*ttl=*/5 * day)}));
  ExpectPath();
  // An explicit expiry stands as given; a TTL counts from the record's own
  // write time.
  const std::vector<Seen> want{{"v/1", "a", now - 3 * day, now + 2 * day},
                               {"v/2", "b", now - 2 * day, now + 3 * day},
                               {"v/3", "c", now - 10, now + day}};
  EXPECT_EQ(Scan("t"), want);
  Reopen();
  EXPECT_EQ(Scan("t"), want);
}

TEST_P(HistoryImportTest, ADefaultTtlCountsFromTheWriteTime) {
  // history's default TTL is 30 days (FileSystemDomains).
  const uint64_t now = Now();
  const uint64_t day = 24 * 3600;
  MKV_ASSERT_OK(store_->IngestCold(
      kHistory, "t", {Imported("old", "x", now - 31 * day), Imported("recent", "y", now - day)}));
  EXPECT_EQ(Get(kHistory, "t", "old"), "NOT_FOUND") << "30 days past its write time";
  EXPECT_EQ(Get(kHistory, "t", "recent"), "y");
  EXPECT_EQ(Scan("t"), (std::vector<Seen>{{"recent", "y", now - day, now + 29 * day}}));
}

TEST_P(HistoryImportTest, ExpiryEdges) {
  const uint64_t now = Now();
  MKV_ASSERT_OK(store_->IngestCold(
      kHistory, "t",
      {Imported("past", "p", now - 100, now - 1), Imported("at-now", "n", now - 100, now),
       Imported("soon", "s", now - 100, now + 10)}));
  // Expired at its expiry, not a second later.
  EXPECT_EQ(Get(kHistory, "t", "past"), "NOT_FOUND");
  EXPECT_EQ(Get(kHistory, "t", "at-now"), "NOT_FOUND");
  EXPECT_EQ(Get(kHistory, "t", "soon"), "s");
  clock_->AdvanceSeconds(9);
  EXPECT_EQ(Get(kHistory, "t", "soon"), "s");
  clock_->AdvanceSeconds(1);
  EXPECT_EQ(Get(kHistory, "t", "soon"), "NOT_FOUND");
}

TEST_P(HistoryImportTest, AWriteTimeAheadOfTheStoreIsRefusedAndNothingIsWritten) {
  const uint64_t now = Now();
  MKV_ASSERT_OK(store_->IngestCold(kHistory, "t", {Imported("a", "kept", now - 5)}));
  const Status s = store_->IngestCold(
      kHistory, "t", {Imported("a", "new", now - 1), Imported("b", "future", now + 1)});
  EXPECT_TRUE(s.IsInvalidArgument()) << s.ToString();
  EXPECT_NE(s.message().find("ahead"), std::string::npos) << s.ToString();
  EXPECT_EQ(Scan("t"), (std::vector<Seen>{{"a", "kept", now - 5, now - 5 + 30 * 24 * 3600}}));
  // The store's own time is fine.
  MKV_ASSERT_OK(store_->IngestCold(kHistory, "t", {Imported("b", "now", now)}));
  EXPECT_EQ(Get(kHistory, "t", "b"), "now");
}

TEST_P(HistoryImportTest, ZeroMeansNowAndTheDomainDefault) {
  const uint64_t now = Now();
  MKV_ASSERT_OK(store_->IngestCold(kHistory, "t", {Imported("k", "v", 0)}));
  EXPECT_EQ(Scan("t"), (std::vector<Seen>{{"k", "v", now, now + 30 * 24 * 3600}}));
}

TEST_P(HistoryImportTest, TenantsAreKeptApart) {
  const uint64_t now = Now();
  MKV_ASSERT_OK(store_->IngestCold(kHistory, "alice", {Imported("k", "of alice", now - 50)}));
  MKV_ASSERT_OK(store_->IngestCold(kHistory, "bob", {Imported("k", "of bob", now - 70, now + 5)}));
  EXPECT_EQ(Scan("alice"),
            (std::vector<Seen>{{"k", "of alice", now - 50, now - 50 + 30 * 24 * 3600}}));
  EXPECT_EQ(Scan("bob"), (std::vector<Seen>{{"k", "of bob", now - 70, now + 5}}));
  clock_->AdvanceSeconds(5);
  EXPECT_TRUE(Scan("bob").empty());
  EXPECT_EQ(Get(kHistory, "alice", "k"), "of alice");
}

TEST_P(HistoryImportTest, ASnapshotTakenBeforeTheImportDoesNotSeeIt) {
  const uint64_t now = Now();
  MKV_ASSERT_OK(store_->IngestCold(kHistory, "t", {Imported("a", "1", now - 20)}));
  const Snapshot* snap = store_->GetSnapshot();
  ASSERT_NE(snap, nullptr);
  MKV_ASSERT_OK(store_->IngestCold(kHistory, "t",
                                   {Imported("a", "2", now - 10), Imported("b", "3", now - 30)}));
  const uint64_t ttl = 30 * 24 * 3600;
  EXPECT_EQ(Scan("t", snap), (std::vector<Seen>{{"a", "1", now - 20, now - 20 + ttl}}));
  EXPECT_EQ(Scan("t"), (std::vector<Seen>{{"a", "2", now - 10, now - 10 + ttl},
                                          {"b", "3", now - 30, now - 30 + ttl}}));
  store_->ReleaseSnapshot(snap);
}

TEST_P(HistoryImportTest, AnImportUnderAPendingRemovalComesOutAfterIt) {
  const uint64_t now = Now();
  MKV_ASSERT_OK(store_->IngestCold(kHistory, "t", {Imported("a", "before", now - 100)}));
  clock_->AdvanceSeconds(1);
  MKV_ASSERT_OK(store_->RemoveTenant(WriteOptions(), "t"));
  const uint64_t removed_at = Now();
  EXPECT_TRUE(Scan("t").empty());
  // Written after the removal, it must not be hidden by it: its time moves
  // to the second after the removal.
  MKV_ASSERT_OK(store_->IngestCold(kHistory, "t", {Imported("b", "after", now - 100, now + 1000)}));
  EXPECT_EQ(Scan("t"), (std::vector<Seen>{{"b", "after", removed_at + 1, now + 1000}}));
  EXPECT_EQ(Get(kHistory, "t", "a"), "NOT_FOUND");
}

INSTANTIATE_TEST_SUITE_P(Paths, HistoryImportTest, ::testing::Values(true, false),
                         [](const auto& info) { return info.param ? "File" : "Batch"; });

}  // namespace
}  // namespace metakv::test
