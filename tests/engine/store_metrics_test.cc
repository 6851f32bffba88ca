// Latency histograms (Stats::latencies) and StatsToPrometheus. The text is
// checked with real parsers: `promtool check metrics` (Debian's
// prometheus) for the exposition format and its conventions, and the
// Prometheus client library's parser (python3-prometheus-client,
// tests/metrics/check_prometheus.py) for every value against StatsToJson
// of the same Stats.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <string>
#include <thread>

#include "tests/engine/store_fixture.h"

#ifndef METAKV_SOURCE_DIR
#error "METAKV_SOURCE_DIR must name the source tree (tests/CMakeLists.txt)"
#endif

namespace metakv::test {
namespace {

class MetricsTest : public StoreTest {
 protected:
  const LatencyStats* Latency(const Stats& s, const std::string& op) {
    for (const LatencyStats& l : s.latencies) {
      if (l.operation == op) return &l;
    }
    ADD_FAILURE() << "no latency of " << op;
    return nullptr;
  }
  // Runs command, returning its exit status and (in *output) what it
  // printed on stdout and stderr.
  static int Run(const std::string& command, std::string* output) {
    FILE* p = popen((command + " 2>&1").c_str(), "r");
    if (p == nullptr) return -1;
    char buf[4096];
    size_t n;
    while ((n = fread(buf, 1, sizeof(buf), p)) > 0) output->append(buf, n);
    return pclose(p);
  }
  static void WriteFile(const std::string& path, const std::string& text) {
    std::ofstream out(path, std::ios::binary);
    out << text;
    ASSERT_TRUE(out.good()) << path;
  }
};

TEST_F(MetricsTest, LatenciesCountEveryCall) {
  for (int i = 0; i < 20; ++i) MKV_ASSERT_OK(Put(kInode, "t", "k" + std::to_string(i), "v"));
  for (int i = 0; i < 7; ++i) Get(kInode, "t", "k" + std::to_string(i));
  MKV_ASSERT_OK(Delete(kInode, "t", "k1"));
  MKV_ASSERT_OK(Undelete(kInode, "t", "k1"));
  MKV_ASSERT_OK(HardDelete(kInode, "t", "k2"));
  WriteBatch batch;
  batch.Put(kDentry, "t", "a", "1");
  MKV_ASSERT_OK(store_->Write(WriteOptions(), batch));
  MKV_ASSERT_OK(store_->Write(WriteOptions(), batch));
  std::vector<std::string> values;
  std::vector<Status> statuses;
  MKV_ASSERT_OK(store_->MultiGet(ReadOptions(), {{kInode, "t", "k3"}}, &values, &statuses));
  MKV_ASSERT_OK(store_->IngestCold(kHistory, "t", {{"h", "x", 0}}));
  ScanForward(store_.get(), kInode, TenantSpec("t"));
  ScanForward(store_.get(), kInode, TenantSpec("t"));
  ScanForward(store_.get(), kInode, TenantSpec("t"));

  Stats stats;
  MKV_ASSERT_OK(store_->GetStats(&stats));
  const std::map<std::string, uint64_t> want = {
      {"put", 20},  {"get", 7},       {"delete", 1},      {"undelete", 1}, {"hard_delete", 1},
      {"write", 2}, {"multi_get", 1}, {"ingest_cold", 1}, {"scan_seek", 3}};
  ASSERT_EQ(stats.latencies.size(), want.size());
  for (const auto& [op, n] : want) {
    const LatencyStats* l = Latency(stats, op);
    ASSERT_NE(l, nullptr);
    EXPECT_EQ(l->count, n) << op;
    uint64_t sum = 0;
    for (uint64_t c : l->bucket_counts) sum += c;
    EXPECT_EQ(sum, n) << op;
    EXPECT_EQ(l->bucket_counts.size(), l->bucket_bounds_micros.size() + 1) << op;
    EXPECT_GT(l->sum_nanos, 0u) << op;
  }
}

TEST_F(MetricsTest, NoLatenciesWithoutStatistics) {
  store_.reset();
  options_.enable_statistics = false;
  OpenStore();
  MKV_ASSERT_OK(Put(kInode, "t", "k", "v"));
  Stats stats;
  MKV_ASSERT_OK(store_->GetStats(&stats));
  EXPECT_TRUE(stats.latencies.empty());
  EXPECT_EQ(StatsToPrometheus(stats).find("metakv_operation_latency_seconds"), std::string::npos);
}

TEST_F(MetricsTest, PrometheusTextParsesAndEqualsGetStats) {
  // Tenants whose label values need escaping, and one not valid UTF-8.
  const std::vector<std::string> tenants = {"acme", "quote\"d", "back\\slash", "new\nline",
                                            std::string("bad\xff", 4)};
  for (size_t t = 0; t < tenants.size(); ++t) {
    for (int i = 0; i < 40; ++i) {
      MKV_ASSERT_OK(
          Put(kInode, tenants[t], "k" + std::to_string(i), RandomBytes(100 * (t + 1), i)));
    }
  }
  MKV_ASSERT_OK(Delete(kInode, "acme", "k1"));
  MKV_ASSERT_OK(HardDelete(kInode, "acme", "k2"));
  MKV_ASSERT_OK(store_->RemoveTree(WriteOptions(), "acme", {{kInode, "k3"}}, RemoveMode::kLogical));
  MKV_ASSERT_OK(store_->IngestCold(kHistory, "acme", {{"h1", "x", 0}, {"h2", "y", 0}}));
  MKV_ASSERT_OK(store_->Flush());
  Get(kInode, "acme", "k5");
  ScanForward(store_.get(), kInode, TenantSpec("acme"));

  Stats stats;
  MKV_ASSERT_OK(store_->GetStats(&stats));
  const std::string metrics_path = dir_.Sub("metrics.txt");
  const std::string json_path = dir_.Sub("stats.json");
  WriteFile(metrics_path, StatsToPrometheus(stats));
  WriteFile(json_path, StatsToJson(stats));

  std::string out;
  int rc = Run("promtool check metrics < '" + metrics_path + "'", &out);
  EXPECT_EQ(rc, 0) << "promtool (Debian package prometheus) rejected the metrics:\n" << out;
  EXPECT_EQ(out, "") << "promtool's lint findings";
  out.clear();
  rc = Run("/usr/bin/python3 '" METAKV_SOURCE_DIR "/tests/metrics/check_prometheus.py' '" +
               metrics_path + "' '" + json_path + "'",
           &out);
  EXPECT_EQ(rc, 0) << out;
  EXPECT_NE(out.find(" 0 mismatches"), std::string::npos) << out;
}

// Options::stats_dump_period_seconds: one block per period in the LOG,
// whatever info_log_level filters.
TEST_F(MetricsTest, StatsDumpWritesABlockToTheLog) {
  store_.reset();
  options_.stats_dump_period_seconds = 30;
  options_.info_log_level = 4;  // fatal only: the dump is written anyway
  OpenStore();
  for (int i = 0; i < 9; ++i) MKV_ASSERT_OK(Put(kDentry, "t", "k" + std::to_string(i), "v"));
  // The clock moves a period on at every look: the dump thread measures
  // its period from when it starts, which under load may be after a
  // single move.
  std::string log;
  for (int waited_ms = 0; waited_ms < 10000; waited_ms += 20) {
    clock_->AdvanceSeconds(31);
    std::ifstream in(dir_.Sub("LOG"));
    log.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    if (log.find("[metakv stats] domain history") != std::string::npos) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  EXPECT_NE(log.find("[metakv stats] time "), std::string::npos) << log;
  EXPECT_NE(log.find("[metakv stats] domain dentry: user "), std::string::npos) << log;
  EXPECT_NE(log.find(", puts 9, "), std::string::npos) << log;
  EXPECT_NE(log.find("[metakv stats] domain history"), std::string::npos) << log;
}

TEST_F(MetricsTest, StatsDumpPeriodOverAYearIsInvalid) {
  store_.reset();
  options_.stats_dump_period_seconds = 366ull * 24 * 3600;
  MKV_EXPECT_CODE(kInvalidArgument, Store::Open(options_, dir_.path(), &store_));
}

}  // namespace
}  // namespace metakv::test
