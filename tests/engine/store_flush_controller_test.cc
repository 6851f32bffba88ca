// The adaptive flush controller wired into a Store: decisions follow the
// load, stay within the memory budget, and show in GetStats and the LOG.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "engine/store_impl.h"
#include "metakv/store.h"
#include "tests/testutil.h"

namespace metakv {
namespace {

const DomainStats& Find(const Stats& stats, const std::string& name) {
  for (const auto& d : stats.domains) {
    if (d.name == name) return d;
  }
  static const DomainStats none;
  ADD_FAILURE() << "no domain " << name;
  return none;
}

TEST(StoreFlushControllerTest, HotBurstGrowsIdleShrinksVisibleInStats) {
  test::TempDir dir;
  auto clock = std::make_shared<ManualClock>();
  Options options = test::SmallOptions(clock);
  options.maintenance_interval_seconds = 0;
  options.flush_controller_interval_seconds = 3600;  // the test drives windows
  for (auto& d : options.domains) {
    if (d.name == "dentry") {  // starts large, stays idle
      d.write_buffer_bytes = 1 << 20;
      d.min_write_buffer_bytes = 64 << 10;
    }
  }
  std::unique_ptr<Store> store;
  ASSERT_TRUE(Store::Open(options, dir.path(), &store).ok());
  FlushController* controller = ImplOf(store)->TEST_flush_controller();
  ASSERT_NE(controller, nullptr);

  const std::string value(100, 'v');
  for (int window = 0; window < 10; ++window) {
    // inode: a hot burst of overwrites of 100 inodes.
    for (int i = 0; i < 3000; ++i) {
      ASSERT_TRUE(
          store->Put(WriteOptions(), "inode", "t", "ino" + std::to_string(i % 100), value).ok());
    }
    ASSERT_TRUE(store->WaitForBackgroundWork().ok());
    clock->AdvanceSeconds(10);
    ASSERT_TRUE(controller->RunOnce().ok());
  }
  Stats stats;
  ASSERT_TRUE(store->GetStats(&stats).ok());
  const DomainStats& inode = Find(stats, "inode");
  const DomainStats& dentry = Find(stats, "dentry");
  EXPECT_GT(inode.write_buffer_bytes, 64u << 10) << inode.flush_controller_reason;
  EXPECT_LT(dentry.write_buffer_bytes, 1u << 20) << dentry.flush_controller_reason;
  EXPECT_FALSE(inode.flush_controller_reason.empty());
  EXPECT_FALSE(dentry.flush_controller_reason.empty());
  bool grew = false, shrank = false;
  for (const FlushDecisionStats& f : stats.flush_decisions) {
    EXPECT_FALSE(f.reason.empty());
    EXPECT_FALSE(f.inputs.empty());
    if (f.domain == "inode" && f.new_write_buffer_bytes > f.old_write_buffer_bytes) grew = true;
    if (f.domain == "dentry" && f.new_write_buffer_bytes < f.old_write_buffer_bytes) {
      shrank = true;
    }
  }
  EXPECT_TRUE(grew);
  EXPECT_TRUE(shrank);
  // The sum of the domains' memtables (two each) stays within the budget.
  uint64_t reserved = 0;
  for (const auto& d : stats.domains) reserved += 2 * d.write_buffer_bytes;
  EXPECT_LE(reserved,
            static_cast<uint64_t>(options.memory_budget_bytes * options.memtable_budget_fraction));
  ASSERT_TRUE(store->Close().ok());
  // The info log has the decisions (logged even though the store's level is
  // warn).
  std::ifstream log(dir.Sub("LOG"));
  std::stringstream text;
  text << log.rdbuf();
  EXPECT_NE(text.str().find("[inode] write_buffer_size 64 KiB -> 128 KiB"), std::string::npos);
}

TEST(StoreFlushControllerTest, DisabledKeepsDeclaredSizes) {
  test::TempDir dir;
  auto clock = std::make_shared<ManualClock>();
  Options options = test::SmallOptions(clock);
  options.flush_controller_interval_seconds = 0;
  std::unique_ptr<Store> store;
  ASSERT_TRUE(Store::Open(options, dir.path(), &store).ok());
  EXPECT_EQ(ImplOf(store)->TEST_flush_controller(), nullptr);
  Stats stats;
  ASSERT_TRUE(store->GetStats(&stats).ok());
  EXPECT_EQ(Find(stats, "inode").write_buffer_bytes, 64u << 10);
  EXPECT_TRUE(stats.flush_decisions.empty());
}

}  // namespace
}  // namespace metakv
