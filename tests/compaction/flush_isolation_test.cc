// Per-domain L0 isolation: each domain is a column family with its own L0
// and its own trigger, so a hot domain's flush storm neither flushes,
// compacts nor holds up the compaction of another domain, as long as the
// memtables fit the WriteBufferManager's budget, which is what the flush
// controller guarantees, with one bounded exception: the store's WAL cap
// flushes a quiet domain once per 4 memtable budgets of WAL written (checked
// on a real Store). The control case shows what happens when memtables
// overrun the budget: RocksDB's WriteBufferManager flushes the column family
// with the oldest memtable, which is the quiet domain's. The control case
// and the compaction-scheduling case run on a hand-built RocksDB
// (flush_test_db.h).
#include <gtest/gtest.h>
#include <rocksdb/db.h>
#include <rocksdb/listener.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "compaction/flush_controller.h"
#include "engine/store_impl.h"
#include "metakv/store.h"
#include "tests/compaction/flush_test_db.h"
#include "tests/engine/store_fixture.h"
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

// Live WAL bytes of the store at dir: the sizes of its *.log files.
uint64_t LiveWalBytes(const std::string& dir) {
  uint64_t bytes = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    if (entry.path().extension() == ".log") bytes += entry.file_size();
  }
  return bytes;
}

// A real Store (the file-system domains, 64 KiB memtables, a 1 MiB memtable
// budget, maintenance and flush controller on): a sustained storm on inode,
// 6.5 times the memtable budget in WAL bytes, in windows of the flush
// controller (which grows inode's memtable inside the budget); dentry takes
// a trickle of writes all along, history nothing. Neither is flushed or
// compacted by the storm, but for one documented exception: the store caps
// its WAL at 4 times the memtable budget (engine/rocksdb_util.cc,
// StoreMaxTotalWalBytes), and a WAL file holding a quiet domain's unflushed
// writes can only go once they are flushed, so the quiet domain is flushed
// (FlushReason::kWalFull) once per 4 budgets of WAL written, here at most
// once: it then holds one L0 file, below its trigger of 2, and is never
// compacted. The cap itself is checked: the live WAL never exceeds it at the
// end of a window (everything flushed by then), while the storm writes well
// past it.
TEST(FlushIsolationTest, StormOnOneDomainNeverFlushesOrCompactsAnother) {
  test::TempDir dir;
  auto clock = std::make_shared<ManualClock>();
  Options options = test::SmallOptions(clock);
  options.memory_budget_bytes = 2 * MiB;  // memtable budget: half of it
  options.maintenance_interval_seconds = 1;
  options.flush_controller_interval_seconds = 1;
  for (auto& d : options.domains) d.max_write_buffer_bytes = 256 * KiB;
  const uint64_t budget = 1 * MiB;
  const uint64_t wal_cap = 4 * budget;  // the documented rule
  std::unique_ptr<Store> store;
  MKV_ASSERT_OK(Store::Open(options, dir.path(), &store));
  auto stats_of = [&](const std::string& domain) {
    Stats stats;
    EXPECT_TRUE(store->GetStats(&stats).ok());
    for (const DomainStats& d : stats.domains) {
      if (d.name == domain) return d;
    }
    ADD_FAILURE() << "no domain " << domain;
    return DomainStats{};
  };
  const std::string kStorm(test::kInode), kQuiet(test::kDentry), kIdle(test::kHistory);
  const std::string value(1000, 'L');

  uint64_t quiet_key = 0, storm_key = 0, max_wal = 0;
  for (int i = 0; i < 20; ++i) {
    MKV_ASSERT_OK(store->Put(WriteOptions(), kQuiet, "q", Key("q", quiet_key++), "quiet"));
  }
  for (int w = 0; w < 8; ++w) {
    for (int i = 0; i < 820; ++i) {
      MKV_ASSERT_OK(
          store->Put(WriteOptions(), kStorm, "s", Key("s", (storm_key++ * 7919) % 1000003), value));
      if (i % 150 == 0) {
        MKV_ASSERT_OK(store->Put(WriteOptions(), kQuiet, "q", Key("q", quiet_key++), "quiet"));
      }
    }
    MKV_ASSERT_OK(store->WaitForBackgroundWork());
    const uint64_t wal = LiveWalBytes(dir.path());
    max_wal = std::max(max_wal, wal);
    EXPECT_LE(wal, wal_cap + wal_cap / 32) << "live WAL bytes after window " << w;
    clock->AdvanceSeconds(10);
    ASSERT_TRUE(ImplOf(store)->TEST_flush_controller()->RunOnce().ok());
    EXPECT_TRUE(store->RunMaintenance(MaintenanceOptions()).ok());
  }
  MKV_ASSERT_OK(store->WaitForBackgroundWork());

  Stats all;
  MKV_ASSERT_OK(store->GetStats(&all));
  const DomainStats storm = stats_of(kStorm), quiet = stats_of(kQuiet), idle = stats_of(kIdle);
  std::printf(
      "WAL written %llu bytes (cap %llu), live WAL at most %llu; storm flushes %llu, "
      "compactions %llu; quiet flushes %llu (WAL limit %llu)\n",
      static_cast<unsigned long long>(all.wal_bytes_written),
      static_cast<unsigned long long>(wal_cap), static_cast<unsigned long long>(max_wal),
      static_cast<unsigned long long>(storm.flushes),
      static_cast<unsigned long long>(storm.compactions + storm.trivial_moves),
      static_cast<unsigned long long>(quiet.flushes),
      static_cast<unsigned long long>(quiet.wal_limit_flushes));
  // It was a storm: larger than 4 memtable budgets, many flushes and
  // compactions, and inode's memtable grew.
  EXPECT_GT(all.wal_bytes_written, 4 * budget + budget / 2);
  EXPECT_GE(storm.flushes, 10u);
  EXPECT_GE(storm.compactions + storm.trivial_moves, 2u);
  EXPECT_GT(storm.write_buffer_bytes, 64 * KiB);
  // The quiet domain: flushed only by the WAL limit, at most once per
  // wal_cap of WAL written; never compacted; its settings untouched.
  EXPECT_EQ(quiet.flushes, quiet.wal_limit_flushes);
  EXPECT_GE(quiet.wal_limit_flushes, 1u) << "the storm outgrew the WAL cap: its limit must apply";
  EXPECT_LE(quiet.wal_limit_flushes, all.wal_bytes_written / wal_cap);
  EXPECT_EQ(quiet.compactions + quiet.trivial_moves + quiet.deadline_compactions, 0u);
  EXPECT_EQ(quiet.write_buffer_bytes, 64 * KiB);
  EXPECT_EQ(quiet.level0_compaction_trigger, 2);
  // Every quiet write is still there.
  for (uint64_t k = 0; k < quiet_key; ++k) {
    std::string v;
    MKV_EXPECT_OK(store->Get(ReadOptions(), kQuiet, "q", Key("q", k), &v));
  }
  // The idle domain: nothing at all.
  EXPECT_EQ(idle.flushes + idle.compactions + idle.trivial_moves, 0u);
  // No flush anywhere was forced by the memory budget; the controller only
  // ever changed the storm's settings.
  for (const DomainStats& d : all.domains) EXPECT_EQ(d.memory_budget_flushes, 0u) << d.name;
  EXPECT_FALSE(all.flush_decisions.empty());
  for (const auto& f : all.flush_decisions) EXPECT_EQ(f.domain, kStorm) << f.reason;
  MKV_ASSERT_OK(store->Close());
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
  ASSERT_TRUE(during_storm([&] {
    return storm_writes.load() >= writes_when_b_compacted + kWritesAfter;
  })) << "the storm stopped "
      << storm_writes.load() - writes_when_b_compacted << " writes after b compacted (at write "
      << writes_when_b_compacted << ")";
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
