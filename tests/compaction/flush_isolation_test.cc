// Per-domain L0 isolation on a real RocksDB: each domain is a column family
// with its own L0 and its own trigger, so a hot domain's flush storm neither
// flushes, compacts nor holds up the compaction of another domain, as long
// as the memtables fit the WriteBufferManager's budget, which is what the
// flush controller guarantees. The control case shows what happens when
// they do not: RocksDB's WriteBufferManager flushes the column family with
// the oldest memtable, which is the quiet domain's.
#include <gtest/gtest.h>
#include <rocksdb/db.h>
#include <rocksdb/listener.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "compaction/flush_controller.h"
#include "tests/compaction/flush_test_db.h"
#include "tests/testutil.h"

namespace metakv {
namespace {

using test::Key;
using test::KiB;
using test::MiB;
using test::SmallCf;
using test::TestControllerOptions;
using test::TestDb;

// Counts flushes per (column family, reason) and compactions per column
// family (trivial moves included: any compaction job at all).
class JobCounter : public rocksdb::EventListener {
 public:
  const char* Name() const override { return "JobCounter"; }
  void OnFlushCompleted(rocksdb::DB*, const rocksdb::FlushJobInfo& info) override {
    std::lock_guard<std::mutex> lock(mu_);
    ++flushes_[info.cf_name][info.flush_reason];
  }
  void OnCompactionCompleted(rocksdb::DB*, const rocksdb::CompactionJobInfo& info) override {
    std::lock_guard<std::mutex> lock(mu_);
    ++compactions_[info.cf_name];
  }
  int Flushes(const std::string& cf, rocksdb::FlushReason reason) {
    std::lock_guard<std::mutex> lock(mu_);
    return flushes_[cf][reason];
  }
  int Flushes(const std::string& cf) {
    std::lock_guard<std::mutex> lock(mu_);
    int n = 0;
    for (const auto& [reason, count] : flushes_[cf]) n += count;
    return n;
  }
  int Compactions(const std::string& cf) {
    std::lock_guard<std::mutex> lock(mu_);
    return compactions_[cf];
  }
  std::string Describe() {
    std::lock_guard<std::mutex> lock(mu_);
    std::string s;
    for (const auto& [cf, reasons] : flushes_) {
      for (const auto& [reason, count] : reasons) {
        s += cf + " flushes(reason " + std::to_string(static_cast<int>(reason)) +
             ")=" + std::to_string(count) + " ";
      }
    }
    for (const auto& [cf, count] : compactions_) {
      s += cf + " compactions=" + std::to_string(count) + " ";
    }
    return s;
  }

 private:
  std::mutex mu_;
  std::map<std::string, std::map<rocksdb::FlushReason, int>> flushes_;
  std::map<std::string, int> compactions_;
};

// Keys of the storm in a scattered order, so its L0 files overlap and are
// really compacted rather than trivially moved.
std::string StormKey(uint64_t i) { return Key("a", (i * 7919) % 1000003); }

const std::string kSmall(100, 's');
const std::string kLarge(1000, 'L');

// The storm on "a" runs in windows of the flush controller, which grows a's
// memtable within the budget; "b" takes a trickle of writes all along.
TEST(FlushIsolationTest, StormOnOneDomainNeverFlushesOrCompactsAnother) {
  test::TempDir dir;
  TestDb t;
  auto jobs = std::make_shared<JobCounter>();
  t.extra_listeners.push_back(jobs);
  const uint64_t budget = 1 * MiB;
  ROCKS_ASSERT_OK(t.Open(dir.path(), {{"a", SmallCf(64 * KiB)}, {"b", SmallCf(64 * KiB)}}, budget));
  auto clock = std::make_shared<ManualClock>();
  FlushController controller(
      t.db.get(), {t.Domain("a", 64 * KiB, 256 * KiB, 2), t.Domain("b", 64 * KiB, 256 * KiB, 2)},
      TestControllerOptions(clock, t, budget));

  uint64_t b_key = 0, a_key = 0;
  for (int i = 0; i < 20; ++i) t.Put("b", Key("b", b_key++), kSmall);
  for (int w = 0; w < 8; ++w) {
    for (int i = 0; i < 400; ++i) {
      t.Put("a", StormKey(a_key++), kLarge);
      if (i % 150 == 0) t.Put("b", Key("b", b_key++), kSmall);
    }
    t.WaitForBackground();
    clock->AdvanceSeconds(10);
    ROCKS_ASSERT_OK(controller.RunOnce());
  }
  t.WaitForBackground();

  SCOPED_TRACE(jobs->Describe());
  // a stormed: many flushes and compactions, and its memtable grew.
  EXPECT_GE(jobs->Flushes("a"), 10);
  EXPECT_GE(jobs->Compactions("a"), 2);
  EXPECT_GE(t.Compactions("a"), 2u);
  EXPECT_EQ(t.WriteBufferSize("a"), 256 * KiB);
  // b was left alone: no flush, no compaction, nothing in L0, every write
  // still in its memtable, its settings untouched.
  EXPECT_EQ(jobs->Flushes("b"), 0);
  EXPECT_EQ(jobs->Compactions("b"), 0);
  EXPECT_EQ(t.L0Files("b"), 0);
  EXPECT_EQ(t.MemtableEntries("b"), b_key);
  EXPECT_EQ(t.WriteBufferSize("b"), 64 * KiB);
  EXPECT_EQ(t.L0Trigger("b"), 2);
  // No flush at all was forced by the memory budget.
  EXPECT_EQ(jobs->Flushes("a", rocksdb::FlushReason::kWriteBufferManager), 0);
  for (const auto& r : controller.History()) EXPECT_EQ(r.inputs.domain, "a") << r.ToString();
}

// Control: memtables that overrun the WriteBufferManager's budget (a 1 MiB
// memtable under a 256 KiB budget, which the flush controller never sets)
// let the storm on "a" flush "b", because RocksDB's WriteBufferManager
// flushes the column family whose memtable is oldest.
TEST(FlushIsolationTest, BudgetOverrunLetsAStormFlushAnotherDomain) {
  test::TempDir dir;
  TestDb t;
  auto jobs = std::make_shared<JobCounter>();
  t.extra_listeners.push_back(jobs);
  ROCKS_ASSERT_OK(
      t.Open(dir.path(), {{"a", SmallCf(1 * MiB)}, {"b", SmallCf(64 * KiB)}}, 256 * KiB));
  uint64_t b_key = 0, a_key = 0;
  for (int i = 0; i < 20; ++i) t.Put("b", Key("b", b_key++), kSmall);
  for (int i = 0; i < 3200; ++i) {
    t.Put("a", StormKey(a_key++), kLarge);
    if (i % 150 == 0) t.Put("b", Key("b", b_key++), kSmall);
  }
  t.WaitForBackground();
  SCOPED_TRACE(jobs->Describe());
  EXPECT_GE(jobs->Flushes("a"), 2);
  // Measured: b is flushed about 4 times and compacted about twice.
  EXPECT_GE(jobs->Flushes("b", rocksdb::FlushReason::kWriteBufferManager), 1)
      << "b's memtable was expected to be flushed by a's storm";
  EXPECT_GE(jobs->Compactions("b"), 1) << "b was expected to be compacted because of a's storm";
}

// While a storm keeps "a" flushing and compacting, "b" reaching its own
// trigger is compacted without waiting for the storm to end: b's compaction
// completes while the storm is still running, and the storm then goes on
// writing kWritesAfter more records (over 30 of a's memtables) and flushing.
// Every wait is bounded by the storm's own length (kStormWrites), not by a
// clock: if b's compaction waited for the storm, the storm would end first
// and the test fails.
TEST(FlushIsolationTest, OtherDomainCompactsDuringStorm) {
  constexpr uint64_t kStormWrites = 40000;  // ~40 MB: the storm's bound
  constexpr uint64_t kWritesAfter = 2000;   // ~2 MB written after b compacted
  test::TempDir dir;
  TestDb t;
  auto jobs = std::make_shared<JobCounter>();
  t.extra_listeners.push_back(jobs);
  ROCKS_ASSERT_OK(
      t.Open(dir.path(), {{"a", SmallCf(64 * KiB)}, {"b", SmallCf(64 * KiB)}}, 1 * MiB));
  std::atomic<bool> stop{false};
  std::atomic<bool> storm_over{false};  // the storm's loop has ended, whatever the cause
  std::atomic<uint64_t> storm_writes{0};
  std::thread storm([&] {
    for (uint64_t i = 0; i < kStormWrites && !stop.load(); ++i) {
      rocksdb::Status s = t.db->Put(rocksdb::WriteOptions(), t.cf.at("a"), StormKey(i), kLarge);
      if (!s.ok()) break;
      storm_writes.fetch_add(1);
    }
    storm_over.store(true);
  });
  // Stops and joins the storm however the test leaves (an ASSERT returns).
  struct StopStorm {
    std::atomic<bool>* stop;
    std::thread* storm;
    ~StopStorm() {
      stop->store(true);
      if (storm->joinable()) storm->join();
    }
  } stop_storm{&stop, &storm};
  // Waits until done() holds or the storm is over; true if done() held while
  // the storm was still running.
  auto during_storm = [&](const std::function<bool()>& done) {
    while (true) {
      const bool over = storm_over.load();
      if (done()) return !over;
      if (over) return false;
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
  };

  ASSERT_TRUE(during_storm([&] { return jobs->Compactions("a") >= 1; }))
      << "the storm ended (" << storm_writes.load() << " writes) before a compacted; "
      << jobs->Describe();
  // b reaches its trigger: 2 overlapping L0 files.
  for (int f = 0; f < 2; ++f) {
    for (int i = 0; i < 50; ++i) t.Put("b", Key("b", i), kSmall);
    ROCKS_ASSERT_OK(t.db->Flush(rocksdb::FlushOptions(), t.cf.at("b")));
  }
  ASSERT_TRUE(during_storm([&] { return jobs->Compactions("b") >= 1; }))
      << "b was not compacted while the storm ran (storm over after " << storm_writes.load()
      << " writes); " << jobs->Describe();
  const uint64_t writes_when_b_compacted = storm_writes.load();
  const int a_flushes_when_b_compacted = jobs->Flushes("a");
  ASSERT_TRUE(during_storm(
      [&] { return storm_writes.load() >= writes_when_b_compacted + kWritesAfter; }))
      << "the storm stopped " << storm_writes.load() - writes_when_b_compacted
      << " writes after b compacted (at write " << writes_when_b_compacted << ")";
  stop.store(true);
  storm.join();
  t.WaitForBackground();

  SCOPED_TRACE(jobs->Describe());
  std::printf("b compacted at storm write %llu of %llu; the storm wrote %llu more\n",
              static_cast<unsigned long long>(writes_when_b_compacted),
              static_cast<unsigned long long>(kStormWrites),
              static_cast<unsigned long long>(storm_writes.load() - writes_when_b_compacted));
  EXPECT_EQ(jobs->Compactions("b"), 1);
  EXPECT_LT(t.L0Files("b"), 2);
  EXPECT_EQ(jobs->Flushes("b"), 2);  // only its own two
  // The storm was a storm after b's compaction too: a went on flushing.
  EXPECT_GE(jobs->Flushes("a"), a_flushes_when_b_compacted + 10);
}

}  // namespace
}  // namespace metakv
