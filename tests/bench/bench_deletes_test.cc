// Tests of metakv-bench's bulk-delete workloads (bench/workloads/
// bulk_delete.cc): rmtree and rmtenant run at a tiny size on metakv and on
// stock RocksDB; the driver's own verification (removed directories list
// nothing, the rest is intact, the restore check) must pass, and the
// reported figures must be sane. No timing assertions.
#include <gtest/gtest.h>

#include <cmath>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "bench/bytes.h"
#include "bench/engine.h"
#include "bench/flags.h"
#include "bench/runner.h"
#include "tests/bench/bench_test_util.h"

namespace metakv::bench {
namespace {

// Flags of a tiny namespace: 4 tenants of 3 trees, 3000 files, small
// memtables and files so there are several SST files.
std::vector<std::string> TinyFlags(const std::string& dir) {
  return {"--engine=both",
          "--num=3000",
          "--tenants=4",
          "--trees_per_tenant=3",
          "--files_per_dir=16",
          "--probe_ops=60",
          "--gone_timeout=2",
          "--retention_seconds=5",
          "--purge_deadline_seconds=2",
          "--write_buffer_size=65536",
          "--target_file_size=65536",
          "--max_bytes_for_level_base=262144",
          "--progress=0",
          "--db=" + dir + "/db",
          "--json=" + dir + "/report.json"};
}

// Runs the workload with extra flags; returns the parsed report.
common::JsonValue RunTiny(const test::TempDir& dir, const std::vector<std::string>& extra,
                          std::string* text) {
  std::vector<std::string> args = TinyFlags(dir.path());
  args.insert(args.end(), extra.begin(), extra.end());
  std::ostringstream out, err;
  const int code = RunBench(args, out, err);
  EXPECT_EQ(code, 0) << err.str() << out.str();
  *text = out.str();
  return ReadReport(dir.path() + "/report.json");
}

// The figures every engine's run must have, the same logical work on every
// engine, and ratios that are numbers.
void CheckRemovalRuns(const common::JsonValue& doc, const std::string& workload,
                      const std::string& mode, uint64_t probe_ops) {
  EXPECT_TRUE(doc["ok"].boolean) << doc["error"].string;
  const std::vector<common::JsonValue>& runs = doc["runs"].array;
  ASSERT_EQ(runs.size(), 2u);
  EXPECT_EQ(runs[0]["engine"].string, "metakv");
  EXPECT_EQ(runs[1]["engine"].string, "rocksdb");
  for (const common::JsonValue& r : runs) {
    SCOPED_TRACE(r["engine"].string);
    EXPECT_EQ(r["workload"].string, workload);
    ASSERT_TRUE(r.Has("removal"));
    const common::JsonValue& rm = r["removal"];
    EXPECT_EQ(rm["mode"].string, mode);
    EXPECT_FALSE(rm["method"].string.empty());
    EXPECT_GT(rm["records"].number, 0);
    EXPECT_GT(rm["logical_bytes"].number, rm["records"].number * 10);
    EXPECT_GT(rm["stored_bytes_before"].number, 0);
    EXPECT_GE(rm["stored_bytes_after"].number, 0);
    EXPECT_GE(rm["device_bytes"].number, 0);
    EXPECT_EQ(rm["write_ratio"].type, common::JsonValue::kNumber);
    EXPECT_NEAR(rm["write_ratio"].number, rm["device_bytes"].number / rm["logical_bytes"].number,
                1e-5 * (1 + rm["write_ratio"].number));
    EXPECT_GE(rm["remove_seconds"].number, 0);
    EXPECT_GE(rm["wait_seconds"].number, 0);
    if (rm["gone_seconds"].type == common::JsonValue::kNumber) {
      EXPECT_GE(rm["gone_seconds"].number, 0);
    }
    // Every read phase ran its probes, and the ratios to "before" exist.
    for (const char* phase : {"before", "removed", "purged"}) {
      for (const char* op : {"readdir", "seek"}) {
        ASSERT_TRUE(rm["phases"][phase].Has(op)) << phase << " " << op;
        EXPECT_EQ(rm["phases"][phase][op]["count"].number, probe_ops) << phase << " " << op;
        EXPECT_LE(rm["phases"][phase][op]["p50"].number, rm["phases"][phase][op]["p99"].number);
        EXPECT_EQ(r["latency_us"][std::string(op) + "." + phase]["count"].number, probe_ops);
      }
      if (std::string(phase) != "before") {
        EXPECT_EQ(rm["phases"][phase]["seek_p99_over_before"].type, common::JsonValue::kNumber);
        EXPECT_EQ(rm["phases"][phase]["readdir_p99_over_before"].type, common::JsonValue::kNumber);
      }
    }
    EXPECT_GT(r["latency_us"]["verify"]["count"].number, 0);
    EXPECT_GT(r["latency_us"]["load"]["count"].number, 0);
    EXPECT_GT(r["live_bytes"].number, 0);
  }
  // The same namespace, removal and probes on both engines.
  for (const char* field : {"records", "logical_bytes"}) {
    EXPECT_EQ(runs[0]["removal"][field].number, runs[1]["removal"][field].number) << field;
  }
  for (const char* field : {"ops", "user_bytes", "live_bytes", "entries", "found"}) {
    EXPECT_EQ(runs[0][field].number, runs[1][field].number) << field;
  }
  EXPECT_EQ(runs[0]["removal"]["purge_deadline_seconds"].number, 2);
  EXPECT_EQ(runs[1]["removal"]["purge_deadline_seconds"].number, 0);  // stock has no bound
}

TEST(BenchDeletesTest, RmTreeLogicalOnBothEngines) {
  test::TempDir dir;
  ASSERT_FALSE(dir.path().empty());
  std::string text;
  const common::JsonValue doc = RunTiny(dir, {"--benchmarks=rmtree"}, &text);
  CheckRemovalRuns(doc, "rmtree", "logical", 60);
  for (const common::JsonValue& r : doc["runs"].array) {
    EXPECT_TRUE(r["removal"]["restore_checked"].boolean) << r["engine"].string;
    EXPECT_EQ(r["latency_us"]["restore_check.restore"]["count"].number, 1);
  }
  // The removed tree holds about --remove_share of the files: 900 files of
  // 16 per directory, each a dentry and an inode, plus directories.
  const double records = doc["runs"].array[0]["removal"]["records"].number;
  EXPECT_GE(records, 1800);
  EXPECT_LE(records, 1800 + 2 * (900 / 16 + 2));
  EXPECT_NE(text.find("Bulk deletes"), std::string::npos) << text;
  EXPECT_NE(text.find("metakv/rocksdb"), std::string::npos);
  EXPECT_NE(text.find("RemoveTree(kLogical)"), std::string::npos);
  EXPECT_NE(text.find("marker per record"), std::string::npos);
}

TEST(BenchDeletesTest, RmTreeHardOnBothEngines) {
  test::TempDir dir;
  ASSERT_FALSE(dir.path().empty());
  std::string text;
  const common::JsonValue doc = RunTiny(dir, {"--benchmarks=rmtree", "--remove_mode=hard"}, &text);
  CheckRemovalRuns(doc, "rmtree", "hard", 60);
  EXPECT_NE(text.find("point delete per record"), std::string::npos) << text;
}

TEST(BenchDeletesTest, RmTenantOnBothEnginesWithStockDeleteRange) {
  test::TempDir dir;
  ASSERT_FALSE(dir.path().empty());
  std::string text;
  const common::JsonValue doc = RunTiny(
      dir, {"--benchmarks=rmtenant", "--tenants=6", "--remove_tenants=2", "--stock_delete=range"},
      &text);
  CheckRemovalRuns(doc, "rmtenant", "tenant", 60);
  EXPECT_NE(text.find("DeleteRange"), std::string::npos) << text;
  EXPECT_EQ(doc["runs"].array[1]["latency_us"]["remove"]["count"].number, 2);  // two tenants
}

// The stock engines' tree removal semantics, directly: a logical removal
// hides the tree at once and is restorable; a restore after retention is
// refused; hard removal and tenant removal leave the rest alone.
TEST(BenchDeletesTest, StockTreeRemovalSemantics) {
  for (const std::string& name : {std::string("rocksdb"), std::string("rocksdb-universal")}) {
    SCOPED_TRACE(name);
    test::TempDir dir;
    ASSERT_FALSE(dir.path().empty());
    BenchConfig config;
    config.retention_seconds = 10;
    std::unique_ptr<Engine> engine;
    ASSERT_TRUE(OpenEngine(name, config, dir.path() + "/db", &engine).ok());
    using K = MetaOp::Kind;
    const std::string tree1("\0\0\0\x01", 4), tree2("\0\0\0\x02", 4);
    auto put = [&](const std::string& tenant, MetaDomain d, const std::string& key) {
      ASSERT_TRUE(engine->MetaWrite(tenant, {{K::kPut, d, key, "v" + key}}).ok());
    };
    for (const std::string& tree : {tree1, tree2}) {
      for (const char* k : {"aaaa", "bbbb"}) {
        put("t0001", MetaDomain::kInode, tree + k);
        put("t0001", MetaDomain::kDentry, tree + k);
        put("t0002", MetaDomain::kInode, tree + k);
      }
    }
    auto count = [&](const std::string& tenant, MetaDomain d) {
      uint64_t n = 0;
      EXPECT_TRUE(engine
                      ->MetaSeek(d, tenant, "",
                                 [&](std::string_view, std::string_view) {
                                   ++n;
                                   return true;
                                 })
                      .ok());
      return n;
    };
    const std::vector<TreePrefix> prefixes = {{MetaDomain::kInode, tree1},
                                              {MetaDomain::kDentry, tree1}};
    uint64_t id = 0;
    ASSERT_TRUE(engine->RemoveTree("t0001", prefixes, TreeRemoveMode::kLogical, &id).ok());
    EXPECT_EQ(count("t0001", MetaDomain::kInode), 2u);
    EXPECT_EQ(count("t0001", MetaDomain::kDentry), 2u);
    EXPECT_EQ(count("t0002", MetaDomain::kInode), 4u);
    ASSERT_TRUE(engine->RestoreTree(id).ok());
    EXPECT_EQ(count("t0001", MetaDomain::kInode), 4u);
    std::string value;
    ASSERT_TRUE(engine->MetaGet(MetaDomain::kInode, "t0001", tree1 + "aaaa", &value).ok());
    EXPECT_EQ(value, "v" + tree1 + "aaaa");
    EXPECT_TRUE(engine->RestoreTree(id).IsNotFound());

    // Past retention a removal cannot be restored.
    ASSERT_TRUE(engine->RemoveTree("t0001", prefixes, TreeRemoveMode::kLogical, &id).ok());
    engine->SetTime(RealTimeMicros() + 3600ull * 1000000);
    // Expired, or NotFound if the purge job already took the markers.
    const Status late = engine->RestoreTree(id);
    EXPECT_TRUE(late.IsExpired() || late.IsNotFound()) << late.ToString();
    ASSERT_TRUE(engine->WaitForCompactions().ok());  // the purge job deletes the markers
    EXPECT_EQ(count("t0001", MetaDomain::kInode), 2u);

    ASSERT_TRUE(
        engine->RemoveTree("t0001", {{MetaDomain::kInode, tree2}}, TreeRemoveMode::kHard, nullptr)
            .ok());
    EXPECT_EQ(count("t0001", MetaDomain::kInode), 0u);
    EXPECT_EQ(count("t0001", MetaDomain::kDentry), 2u);
    uint64_t stored = 0;
    ASSERT_TRUE(engine->Flush().ok());
    ASSERT_TRUE(engine->StoredBytes("t0002", {}, &stored).ok());
    EXPECT_GT(stored, 0u);
    ASSERT_TRUE(engine->RemoveTenant("t0001").ok());
    EXPECT_EQ(count("t0001", MetaDomain::kDentry), 0u);
    EXPECT_EQ(count("t0002", MetaDomain::kInode), 4u);
    EXPECT_TRUE(engine->DropPurgeable().ok());
    ASSERT_TRUE(engine->Close().ok());
  }
}

TEST(BenchDeletesTest, Flags) {
  BenchConfig c;
  EXPECT_EQ(c.trees_per_tenant, 4u);
  EXPECT_EQ(c.remove_share, 0.3);
  EXPECT_EQ(c.remove_mode, RemoveModeChoice::kLogical);
  EXPECT_EQ(c.remove_tenants, 4u);
  EXPECT_EQ(c.stock_delete, StockDeleteChoice::kPoint);
  ASSERT_EQ(
      ParseFlags({"--benchmarks=rmtree,rmtenant", "--trees_per_tenant=7", "--remove_share=0.5",
                  "--remove_mode=hard", "--remove_tenants=3", "--probe_ops=10", "--gone_timeout=5",
                  "--purge_deadline_seconds=9", "--enforce_purge=0", "--stock_delete=range"},
                 &c),
      "");
  EXPECT_EQ(c.trees_per_tenant, 7u);
  EXPECT_EQ(c.remove_share, 0.5);
  EXPECT_EQ(c.remove_mode, RemoveModeChoice::kHard);
  EXPECT_EQ(c.remove_tenants, 3u);
  EXPECT_EQ(c.probe_ops, 10u);
  EXPECT_EQ(c.gone_timeout_seconds, 5u);
  EXPECT_EQ(c.purge_deadline_seconds, 9u);
  EXPECT_EQ(c.enforce_purge, 0u);
  EXPECT_EQ(c.stock_delete, StockDeleteChoice::kRange);
  for (const char* bad : {"--remove_share=1", "--remove_share=0", "--remove_mode=soft",
                          "--stock_delete=all", "--trees_per_tenant=0", "--probe_ops=0"}) {
    BenchConfig d;
    EXPECT_NE(ParseFlags({bad}, &d), "") << bad;
  }
  BenchConfig d;
  EXPECT_NE(ParseFlags({"--benchmarks=rmtenant", "--tenants=4", "--remove_tenants=4"}, &d), "");
  for (const char* flag : {"rmtree", "rmtenant", "--remove_mode", "--remove_share",
                           "--remove_tenants", "--trees_per_tenant", "--stock_delete"}) {
    EXPECT_NE(Usage().find(flag), std::string::npos) << flag;
  }
}

}  // namespace
}  // namespace metakv::bench
