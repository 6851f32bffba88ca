// The flush controller's loop on a real RocksDB (column families opened
// directly, small sizes): it observes, decides, applies with SetOptions,
// records and logs. Windows are ManualClock steps; nothing sleeps for time.
#include "compaction/flush_controller.h"

#include <gtest/gtest.h>
#include <rocksdb/db.h>

#include <atomic>
#include <chrono>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "tests/compaction/flush_test_db.h"
#include "tests/testutil.h"

namespace metakv {
namespace {

using test::Key;
using test::KiB;
using test::MiB;
using test::ReadFile;
using test::SmallCf;
using test::TestControllerOptions;
using test::TestDb;

// A hot burst of overwrites grows the hot domain's memtable to its max
// (held back once by the memory budget), an idle domain shrinks to its min,
// a domain with a moderate rate keeps its size; the decisions are recorded
// with their reasons and written to the info log.
TEST(FlushControllerTest, HotBurstGrowsIdleShrinks) {
  test::TempDir dir;
  TestDb t;
  const uint64_t budget = 2 * MiB + 512 * KiB;
  ROCKS_ASSERT_OK(
      t.Open(dir.path(),
             {{"hot", SmallCf(64 * KiB)}, {"warm", SmallCf(64 * KiB)}, {"idle", SmallCf(1 * MiB)}},
             budget));
  auto clock = std::make_shared<ManualClock>();
  FlushController controller(
      t.db.get(),
      {t.Domain("hot", 64 * KiB, 1 * MiB, 2), t.Domain("warm", 64 * KiB, 1 * MiB, 2),
       t.Domain("idle", 64 * KiB, 1 * MiB, 2)},
      TestControllerOptions(clock, t, budget));

  const std::string value(100, 'v');
  uint64_t warm_key = 0;
  std::vector<uint64_t> hot_sizes;
  for (int w = 0; w < 14; ++w) {
    // hot: 3000 overwrites of 100 keys (~32 KB/s over a 10 s window).
    for (int i = 0; i < 3000; ++i) t.Put("hot", Key("h", i % 100), value);
    // warm: 50 new keys (~530 B/s): a 64 KiB memtable fills in ~2 minutes.
    for (int i = 0; i < 50; ++i) t.Put("warm", Key("w", warm_key++), value);
    t.WaitForBackground();
    clock->AdvanceSeconds(10);
    ROCKS_ASSERT_OK(controller.RunOnce());
    hot_sizes.push_back(t.WriteBufferSize("hot"));
    // The budget holds after every window.
    uint64_t reserved = 0;
    for (const char* name : {"hot", "warm", "idle"}) reserved += 2 * t.WriteBufferSize(name);
    EXPECT_LE(reserved, budget) << "window " << w;
  }
  EXPECT_EQ(controller.windows(), 14u);

  // hot grew step by step, never shrank, and reached its max.
  for (size_t i = 1; i < hot_sizes.size(); ++i) EXPECT_GE(hot_sizes[i], hot_sizes[i - 1]);
  EXPECT_EQ(hot_sizes[1], 128 * KiB);
  EXPECT_EQ(t.WriteBufferSize("hot"), 1 * MiB);
  EXPECT_EQ(t.WriteBufferSize("idle"), 64 * KiB);
  EXPECT_EQ(t.WriteBufferSize("warm"), 64 * KiB);

  // Every change is in the history with its inputs and a reason.
  const auto history = controller.History();
  int hot_grows = 0, idle_shrinks = 0, budget_cuts = 0;
  for (const auto& r : history) {
    SCOPED_TRACE(r.ToString());
    EXPECT_TRUE(r.changed);
    EXPECT_TRUE(r.applied);
    EXPECT_TRUE(r.error.empty());
    EXPECT_FALSE(r.reason.empty());
    EXPECT_EQ(r.inputs.window_micros, 10u * 1000 * 1000);
    EXPECT_NE(r.inputs.domain, "warm");
    if (r.inputs.domain == "hot" && r.new_write_buffer_size > r.old_write_buffer_size) {
      ++hot_grows;
      EXPECT_NE(r.reason.find("grow"), std::string::npos);
      EXPECT_GT(r.inputs.user_bytes, 300000u);
      // The observer saw the memtable absorb the overwrites.
      EXPECT_GE(r.inputs.flush_entries_in, 1000u);
      EXPECT_LT(r.inputs.flush_entries_out * 2, r.inputs.flush_entries_in);
      EXPECT_NE(r.reason.find("absorbs"), std::string::npos);
    }
    if (r.inputs.domain == "idle") {
      ++idle_shrinks;
      EXPECT_LT(r.new_write_buffer_size, r.old_write_buffer_size);
      EXPECT_NE(r.reason.find("idle"), std::string::npos);
    }
    if (r.reason.find("to fit memtable budget") != std::string::npos) ++budget_cuts;
  }
  EXPECT_GE(hot_grows, 4);     // 64K -> ... -> 1M
  EXPECT_EQ(idle_shrinks, 4);  // 1M -> 512K -> 256K -> 128K -> 64K
  EXPECT_GE(budget_cuts, 1);

  // The latest window has a decision (changed or not) for every domain.
  const auto last = controller.LastDecisions();
  ASSERT_EQ(last.size(), 3u);
  EXPECT_EQ(last[1].inputs.domain, "warm");
  EXPECT_FALSE(last[1].changed);
  EXPECT_NE(last[1].reason.find("hold 64 KiB"), std::string::npos) << last[1].reason;

  // The info log has the applied decisions.
  const std::string log = ReadFile(dir.Sub("LOG"));
  EXPECT_NE(log.find("[metakv flush-controller]"), std::string::npos);
  EXPECT_NE(log.find("[hot] write_buffer_size 64 KiB -> 128 KiB"), std::string::npos);
  EXPECT_NE(log.find("[idle] write_buffer_size 1 MiB -> 512 KiB"), std::string::npos);
}

// L0 pressure (compactions held off, so L0 files pile up) raises the
// trigger step by step up to its cap, below the slowdown trigger; once L0
// drains the trigger returns to the base.
TEST(FlushControllerTest, L0TriggerRisesUnderPressureAndReturns) {
  test::TempDir dir;
  TestDb t;
  rocksdb::ColumnFamilyOptions held = SmallCf(64 * KiB);
  held.disable_auto_compactions = true;
  ROCKS_ASSERT_OK(t.Open(dir.path(), {{"busy", held}}, 4 * MiB));
  auto clock = std::make_shared<ManualClock>();
  FlushController controller(t.db.get(), {t.Domain("busy", 64 * KiB, 1 * MiB, 2)},
                             TestControllerOptions(clock, t, 4 * MiB));
  const std::string value(100, 'v');
  uint64_t key = 0;
  std::vector<int> triggers;
  for (int w = 0; w < 12; ++w) {
    for (int i = 0; i < 100; ++i) t.Put("busy", Key("k", key++), value);
    ROCKS_ASSERT_OK(t.db->Flush(rocksdb::FlushOptions(), t.cf.at("busy")));
    clock->AdvanceSeconds(10);
    ROCKS_ASSERT_OK(controller.RunOnce());
    triggers.push_back(t.L0Trigger("busy"));
  }
  EXPECT_EQ(t.L0Files("busy"), 12);
  // L0 reaches the trigger in window 2; then 2 -> 3 -> 4 -> 5 -> 6 every
  // second window, and held at the cap (3 x base; slowdown trigger 20).
  EXPECT_EQ(triggers, (std::vector<int>{2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 6, 6}));

  // Let compaction drain L0, then stay quiet: the trigger steps back down.
  ROCKS_ASSERT_OK(t.db->SetOptions(t.cf.at("busy"), {{"disable_auto_compactions", "false"}}));
  t.WaitForBackground();
  EXPECT_LT(t.L0Files("busy"), 2);
  for (int w = 0; w < 12; ++w) {
    clock->AdvanceSeconds(10);
    ROCKS_ASSERT_OK(controller.RunOnce());
  }
  EXPECT_EQ(t.L0Trigger("busy"), 2);
  bool raised = false, lowered = false;
  for (const auto& r : controller.History()) {
    raised = raised || r.reason.find("raise") != std::string::npos;
    lowered = lowered || r.reason.find("lower") != std::string::npos;
  }
  EXPECT_TRUE(raised);
  EXPECT_TRUE(lowered);
  const std::string log = ReadFile(dir.Sub("LOG"));
  EXPECT_NE(log.find("L0 trigger 2 -> 3"), std::string::npos);
  EXPECT_NE(log.find("L0 trigger 3 -> 2"), std::string::npos);
}

// The history keeps the latest changes only.
TEST(FlushControllerTest, HistoryIsBounded) {
  test::TempDir dir;
  TestDb t;
  ROCKS_ASSERT_OK(t.Open(dir.path(), {{"idle", SmallCf(1 * MiB)}}, 4 * MiB));
  auto clock = std::make_shared<ManualClock>();
  FlushControllerOptions o = TestControllerOptions(clock, t, 4 * MiB);
  o.history_capacity = 2;
  o.policy.shrink_windows = 1;
  FlushController controller(t.db.get(), {t.Domain("idle", 64 * KiB, 1 * MiB, 2)}, o);
  for (int w = 0; w < 6; ++w) {
    clock->AdvanceSeconds(10);
    ROCKS_ASSERT_OK(controller.RunOnce());
  }
  const auto h = controller.History();
  ASSERT_EQ(h.size(), 2u);
  EXPECT_EQ(h[0].new_write_buffer_size, 128 * KiB);
  EXPECT_EQ(h[1].new_write_buffer_size, 64 * KiB);
  EXPECT_LT(h[0].window, h[1].window);
  EXPECT_EQ(t.WriteBufferSize("idle"), 64 * KiB);
  // No time passing: no window.
  ROCKS_ASSERT_OK(controller.RunOnce());
  EXPECT_EQ(controller.windows(), 6u);
}

// Bytes that bypass the memtable (cold ingest counts in user_bytes) do not
// make a domain look busy when memtable_bytes says what went through it.
TEST(FlushControllerTest, MemtableBytesExcludesIngest) {
  test::TempDir dir;
  TestDb t;
  ROCKS_ASSERT_OK(t.Open(dir.path(), {{"cold", SmallCf(256 * KiB)}}, 4 * MiB));
  auto clock = std::make_shared<ManualClock>();
  FlushDomain d = t.Domain("cold", 64 * KiB, 1 * MiB, 2);
  std::atomic<uint64_t> memtable_bytes{0};
  d.memtable_bytes = [&memtable_bytes] { return memtable_bytes.load(); };
  FlushController controller(t.db.get(), {d}, TestControllerOptions(clock, t, 4 * MiB));
  for (int w = 0; w < 3; ++w) {
    t.counters.at("cold")->user_bytes.fetch_add(10 * MiB);  // "ingested"
    clock->AdvanceSeconds(10);
    ROCKS_ASSERT_OK(controller.RunOnce());
  }
  EXPECT_EQ(t.WriteBufferSize("cold"), 128 * KiB);
  const auto last = controller.LastDecisions();
  ASSERT_EQ(last.size(), 1u);
  EXPECT_EQ(last[0].inputs.user_bytes, 0u);
  EXPECT_NE(last[0].reason.find("idle"), std::string::npos) << last[0].reason;
}

// A clock that moves one second every time it is read, so the background
// thread's windows are never empty.
class TickingClock : public Clock {
 public:
  uint64_t NowMicros() const override { return now_.fetch_add(1000000) + 1000000; }

 private:
  mutable std::atomic<uint64_t> now_{1700000000ull * 1000000};
};

TEST(FlushControllerTest, StartRunsWindowsAndStopIsPromptAndIdempotent) {
  test::TempDir dir;
  TestDb t;
  ROCKS_ASSERT_OK(t.Open(dir.path(), {{"idle", SmallCf(1 * MiB)}}, 4 * MiB));
  {
    FlushControllerOptions o = TestControllerOptions(std::make_shared<TickingClock>(), t, 4 * MiB);
    o.interval = std::chrono::milliseconds(2);
    FlushController controller(t.db.get(), {t.Domain("idle", 64 * KiB, 1 * MiB, 2)}, o);
    controller.Start();
    controller.Start();  // no second thread
    EXPECT_TRUE(controller.running());
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    while (t.WriteBufferSize("idle") != 64 * KiB && std::chrono::steady_clock::now() < deadline) {
      (void)controller.History();  // concurrent reads are safe
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    EXPECT_EQ(t.WriteBufferSize("idle"), 64 * KiB);
    controller.Stop();
    controller.Stop();
    EXPECT_FALSE(controller.running());
    const uint64_t windows = controller.windows();
    EXPECT_GE(windows, 12u);
    controller.Start();  // restartable; the destructor stops it
  }
  {
    // A long interval: Stop wakes the thread at once.
    FlushControllerOptions o = TestControllerOptions(std::make_shared<ManualClock>(), t, 4 * MiB);
    o.interval = std::chrono::hours(1);
    FlushController controller(t.db.get(), {t.Domain("idle", 64 * KiB, 1 * MiB, 2)}, o);
    controller.Start();
    const auto start = std::chrono::steady_clock::now();
    controller.Stop();
    EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(1));
    EXPECT_EQ(controller.windows(), 0u);
  }
  {
    FlushController never_started(t.db.get(), {t.Domain("idle", 64 * KiB, 1 * MiB, 2)},
                                  TestControllerOptions(std::make_shared<ManualClock>(), t, 0));
    never_started.Stop();
  }
}

}  // namespace
}  // namespace metakv
