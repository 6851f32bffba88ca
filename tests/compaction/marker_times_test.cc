// MarkerTimes' bookkeeping without a database: estimates from RocksDB's
// file times, notes replacing estimates, earlier notes winning, "shadows
// nothing" replacing, forgetting files that are gone. Its RocksDB listener
// is tested on a real store in tests/engine/store_bulk_delete_test.cc
// (MarkersMadeByAnyCompactionKeepTheirRecordsPurgeTime).
#include "compaction/marker_times.h"

#include <gtest/gtest.h>

#include <atomic>

namespace metakv {
namespace {

class MarkerTimesTest : public ::testing::Test {
 protected:
  MarkerTimesTest()
      : times_([this] { return store_now_.load(); }, [this] { return system_now_.load(); }) {
    times_.Register("inode", 100);
  }
  std::atomic<uint64_t> store_now_{5000};
  std::atomic<uint64_t> system_now_{1000000};
  MarkerTimes times_;
};

TEST(MarkerTimesEstimate, MapsTheAncestorsAgeOntoTheStoreClock) {
  EXPECT_EQ(MarkerTimes::Estimate(5000, 1000000, 999990), 4990u);
  EXPECT_EQ(MarkerTimes::Estimate(5000, 1000000, 0), 5000u) << "unknown: now";
  EXPECT_EQ(MarkerTimes::Estimate(5000, 1000000, 1000005), 5000u) << "in the future: now";
  EXPECT_EQ(MarkerTimes::Estimate(5, 1000000, 10), 0u) << "older than the store clock: 0";
}

TEST_F(MarkerTimesTest, AnEstimateIsRecordedOnceAndANoteReplacesIt) {
  EXPECT_EQ(times_.TimeOf("inode", "/db/000010.sst", 999900), 4900u);
  system_now_ += 50;
  store_now_ += 50;
  EXPECT_EQ(times_.TimeOf("inode", "000010.sst", 999900), 4900u) << "recorded, by bare name";
  times_.Note("inode", {"/db/000010.sst"}, 4990);
  EXPECT_EQ(times_.TimeOf("inode", "000010.sst", 999900), 4990u) << "a note replaces an estimate";
  times_.Note("inode", {"000010.sst"}, 4995);
  EXPECT_EQ(times_.TimeOf("inode", "000010.sst", 0), 4990u) << "of two notes, the earlier";
  times_.Note("inode", {"000010.sst"}, 4980);
  EXPECT_EQ(times_.TimeOf("inode", "000010.sst", 0), 4980u);
  times_.Note("inode", {"000010.sst"}, MarkerTimes::kShadowNothing);
  EXPECT_EQ(times_.TimeOf("inode", "000010.sst", 0), MarkerTimes::kShadowNothing);
}

TEST_F(MarkerTimesTest, RetainForgetsWhatIsNotLiveAndUnknownFamiliesAreNotKept) {
  times_.Note("inode", {"000011.sst", "000012.sst"}, 4000);
  times_.Retain("inode", {"000012.sst"});
  EXPECT_EQ(times_.TimeOf("inode", "000011.sst", 0), 5000u) << "forgotten: estimated anew";
  EXPECT_EQ(times_.TimeOf("inode", "000012.sst", 0), 4000u);
  times_.Note("dentry", {"000013.sst"}, 4000);
  EXPECT_EQ(times_.TimeOf("dentry", "000013.sst", 0), 5000u) << "not registered: not kept";
}

}  // namespace
}  // namespace metakv
