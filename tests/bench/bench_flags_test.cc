// Tests of metakv-bench's command-line parser (bench/flags.h): defaults,
// every flag, and the errors a bad command line must produce.
#include "bench/flags.h"
#include "bench/keys.h"
#include "bench/report.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "bench/engine.h"
#include "bench/json_report.h"
#include "bench/runner.h"
#include "tests/bench/bench_test_util.h"

namespace metakv::bench {
namespace {

// Parses args into a fresh config; returns the error (empty on success).
std::string Parse(const std::vector<std::string>& args, BenchConfig* config) {
  *config = BenchConfig();
  return ParseFlags(args, config);
}

TEST(BenchFlagsTest, Defaults) {
  BenchConfig c;
  ASSERT_EQ(Parse({}, &c), "");
  EXPECT_EQ(c.benchmarks, (std::vector<std::string>{"metamix"}));
  EXPECT_EQ(c.engines, (std::vector<std::string>{"metakv", "rocksdb"}));
  EXPECT_EQ(c.num, 300000u);
  EXPECT_EQ(c.reads, 300000u);
  EXPECT_EQ(c.key_size, 16u);
  EXPECT_EQ(c.value_size, 100u);
  EXPECT_EQ(c.seed, 1u);
  EXPECT_EQ(c.db, "");
  EXPECT_EQ(c.memory_budget, 64u << 20);
  EXPECT_EQ(c.write_buffer_size, 4u << 20);
  EXPECT_EQ(c.target_file_size, 4u << 20);
  EXPECT_EQ(c.max_bytes_for_level_base, 16u << 20);
  EXPECT_EQ(c.compression, CompressionChoice::kSnappy);
  EXPECT_EQ(c.tenants, 64u);
  EXPECT_EQ(c.seek_nexts, 10u);
  EXPECT_EQ(c.mix_ops, 1000000u);
  EXPECT_EQ(FormatMix(c.mix),
            "stat:80,setattr:40,create:24,unlink:16,readdir:24,rename:12,snapshot:1");
  EXPECT_EQ(c.zipf_theta, 0.99);
  EXPECT_EQ(c.use_existing_db, 0u);
  EXPECT_EQ(c.progress, 1u);
  EXPECT_EQ(c.csv, "");
  EXPECT_EQ(c.plot, "");
  EXPECT_EQ(c.json, "");
  EXPECT_EQ(c.threads, 1u);
  EXPECT_EQ(c.duration_seconds, 0u);
  EXPECT_FALSE(c.help);
}

TEST(BenchFlagsTest, EveryFlagParsed) {
  BenchConfig c;
  ASSERT_EQ(
      Parse({"--benchmarks=readrandom,fillrandom,readrandom", "--engine=rocksdb", "--num=1000",
             "--reads=77", "--key_size=24", "--value_size=300", "--seed=42", "--db=/some/dir",
             "--memory_budget=8388608", "--write_buffer_size=1048576", "--target_file_size=2097152",
             "--max_bytes_for_level_base=10485760", "--compression=zstd", "--tenants=5"},
            &c),
      "");
  EXPECT_EQ(c.benchmarks, (std::vector<std::string>{"readrandom", "fillrandom", "readrandom"}));
  EXPECT_EQ(c.engines, (std::vector<std::string>{"rocksdb"}));
  EXPECT_EQ(c.num, 1000u);
  EXPECT_EQ(c.reads, 77u);
  EXPECT_EQ(c.key_size, 24u);
  EXPECT_EQ(c.value_size, 300u);
  EXPECT_EQ(c.seed, 42u);
  EXPECT_EQ(c.db, "/some/dir");
  EXPECT_EQ(c.memory_budget, 8u << 20);
  EXPECT_EQ(c.write_buffer_size, 1u << 20);
  EXPECT_EQ(c.target_file_size, 2u << 20);
  EXPECT_EQ(c.max_bytes_for_level_base, 10u << 20);
  EXPECT_EQ(c.compression, CompressionChoice::kZstd);
  EXPECT_EQ(c.tenants, 5u);
}

TEST(BenchFlagsTest, EngineAndCompressionValues) {
  BenchConfig c;
  ASSERT_EQ(Parse({"--engine=metakv"}, &c), "");
  EXPECT_EQ(c.engines, (std::vector<std::string>{"metakv"}));
  ASSERT_EQ(Parse({"--engine=both"}, &c), "");
  EXPECT_EQ(c.engines, (std::vector<std::string>{"metakv", "rocksdb"}));
  ASSERT_EQ(Parse({"--engine=all"}, &c), "");
  EXPECT_EQ(c.engines, (std::vector<std::string>{"metakv", "rocksdb", "rocksdb-universal"}));
  ASSERT_EQ(Parse({"--engine=rocksdb-universal,metakv"}, &c), "");
  EXPECT_EQ(c.engines, (std::vector<std::string>{"rocksdb-universal", "metakv"}));
  EXPECT_NE(Parse({"--engine=metakv,metakv"}, &c).find("twice"), std::string::npos);
  EXPECT_NE(Parse({"--engine=metakv,"}, &c), "");
  ASSERT_EQ(Parse({"--compression=none"}, &c), "");
  EXPECT_EQ(c.compression, CompressionChoice::kNone);
  ASSERT_EQ(Parse({"--compression=snappy"}, &c), "");
  EXPECT_EQ(c.compression, CompressionChoice::kSnappy);
  ASSERT_EQ(Parse({"--compression=default"}, &c), "");
  EXPECT_EQ(c.compression, CompressionChoice::kDefault);
}

TEST(BenchFlagsTest, ReadsDefaultsToNumWhateverTheOrder) {
  BenchConfig c;
  ASSERT_EQ(Parse({"--num=500"}, &c), "");
  EXPECT_EQ(c.reads, 500u);
  ASSERT_EQ(Parse({"--reads=7", "--num=500"}, &c), "");
  EXPECT_EQ(c.reads, 7u);
  EXPECT_EQ(c.num, 500u);
}

TEST(BenchFlagsTest, LastValueWins) {
  BenchConfig c;
  ASSERT_EQ(Parse({"--num=10", "--num=20"}, &c), "");
  EXPECT_EQ(c.num, 20u);
}

TEST(BenchFlagsTest, Help) {
  BenchConfig c;
  ASSERT_EQ(Parse({"--help"}, &c), "");
  EXPECT_TRUE(c.help);
  const std::string usage = Usage();
  for (const char* flag :
       {"--benchmarks", "--engine", "--num", "--reads", "--key_size", "--value_size", "--seed",
        "--db", "--memory_budget", "--write_buffer_size", "--target_file_size",
        "--max_bytes_for_level_base", "--compression", "--tenants", "--help", "fillrandom",
        "overwrite", "readrandom"}) {
    EXPECT_NE(usage.find(flag), std::string::npos) << flag;
  }
  // Still checks the other flags.
  EXPECT_NE(Parse({"--help", "--bogus=1"}, &c), "");
}

TEST(BenchFlagsTest, UnknownFlag) {
  BenchConfig c;
  const std::string error = Parse({"--num=10", "--bogus=3"}, &c);
  EXPECT_NE(error.find("unknown flag --bogus"), std::string::npos) << error;
  EXPECT_NE(Parse({"--thread=4"}, &c), "");
  EXPECT_NE(Parse({"-num=4"}, &c), "");  // single dash
  EXPECT_NE(Parse({"positional"}, &c), "");
  EXPECT_NE(Parse({"--"}, &c), "");
}

TEST(BenchFlagsTest, BadNumber) {
  BenchConfig c;
  for (const char* arg :
       {"--num=abc", "--num=12x", "--num=", "--num=-1", "--num=+5", "--num= 5", "--num=1.5",
        "--num=99999999999999999999", "--seed=18446744073709551616", "--value_size=0x10"}) {
    const std::string error = Parse({arg}, &c);
    EXPECT_NE(error, "") << arg;
    EXPECT_EQ(error.find('\n'), std::string::npos) << arg;  // one line
  }
  EXPECT_NE(Parse({"--num=abc"}, &c).find("--num"), std::string::npos);
  EXPECT_EQ(Parse({"--seed=18446744073709551615"}, &c), "");
  EXPECT_EQ(c.seed, UINT64_MAX);
  EXPECT_EQ(Parse({"--seed=0"}, &c), "");
}

TEST(BenchFlagsTest, OutOfRangeValues) {
  BenchConfig c;
  EXPECT_NE(Parse({"--num=0"}, &c).find("--num"), std::string::npos);
  for (const char* arg :
       {"--reads=0", "--tenants=0", "--value_size=0", "--key_size=0", "--memory_budget=1000",
        "--write_buffer_size=1024", "--target_file_size=1024", "--max_bytes_for_level_base=1024"}) {
    EXPECT_NE(Parse({arg}, &c), "") << arg;
  }
}

TEST(BenchFlagsTest, MissingValue) {
  BenchConfig c;
  EXPECT_NE(Parse({"--num"}, &c).find("needs a value"), std::string::npos);
  EXPECT_NE(Parse({"--db="}, &c), "");
  EXPECT_NE(Parse({"--db"}, &c), "");
}

TEST(BenchFlagsTest, UnknownWorkload) {
  BenchConfig c;
  const std::string error = Parse({"--benchmarks=fillrandom,fillrandomx"}, &c);
  EXPECT_NE(error.find("unknown workload \"fillrandomx\""), std::string::npos) << error;
  EXPECT_NE(Parse({"--benchmarks="}, &c), "");
  EXPECT_NE(Parse({"--benchmarks=fillrandom,,readrandom"}, &c), "");
  EXPECT_NE(Parse({"--benchmarks=fillrandom,"}, &c), "");
}

TEST(BenchFlagsTest, UnknownEngineOrCompression) {
  BenchConfig c;
  EXPECT_NE(Parse({"--engine=leveldb"}, &c).find("leveldb"), std::string::npos);
  EXPECT_NE(Parse({"--engine="}, &c), "");
  EXPECT_NE(Parse({"--compression=lz4"}, &c).find("lz4"), std::string::npos);
}

TEST(BenchFlagsTest, KeySizeMustFitTenantAndKeyNumber) {
  BenchConfig c;
  // 16 tenants ("t15": 3 bytes) + 6 digits for keys below 300000 = 9 bytes.
  EXPECT_EQ(Parse({"--key_size=9"}, &c), "");
  EXPECT_NE(Parse({"--key_size=8"}, &c).find("--key_size"), std::string::npos);
  // One tenant ("t0") and keys below 10: 3 bytes.
  EXPECT_EQ(Parse({"--key_size=3", "--tenants=1", "--num=10"}, &c), "");
  EXPECT_NE(Parse({"--key_size=3", "--tenants=1", "--num=11"}, &c), "");
}

TEST(BenchFlagsTest, SeekNexts) {
  BenchConfig c;
  ASSERT_EQ(Parse({"--seek_nexts=0"}, &c), "");
  EXPECT_EQ(c.seek_nexts, 0u);
  ASSERT_EQ(Parse({"--seek_nexts=50"}, &c), "");
  EXPECT_EQ(c.seek_nexts, 50u);
  EXPECT_NE(Parse({"--seek_nexts=abc"}, &c).find("--seek_nexts"), std::string::npos);
  EXPECT_NE(Parse({"--seek_nexts=1000001"}, &c), "");
  EXPECT_NE(Parse({"--seek_nexts"}, &c), "");
  EXPECT_NE(Usage().find("--seek_nexts"), std::string::npos);
}

TEST(BenchFlagsTest, NewWorkloadsKnown) {
  BenchConfig c;
  ASSERT_EQ(Parse({"--benchmarks=fillseq,seekrandom,deleterandom"}, &c), "");
  EXPECT_EQ(c.benchmarks, (std::vector<std::string>{"fillseq", "seekrandom", "deleterandom"}));
  const std::string usage = Usage();
  for (const char* w : {"fillseq", "seekrandom", "deleterandom"}) {
    EXPECT_NE(usage.find(w), std::string::npos) << w;
  }
}

TEST(BenchKeysTest, IsKeyOfTellsTenantsSharingAPrefix) {
  const KeyFormatter keys(16, 16);
  std::string tenant, key;
  for (uint64_t k : {0ull, 1ull, 10ull, 17ull, 26ull, 299999ull}) {
    keys.Format(k, &tenant, &key);
    EXPECT_TRUE(keys.IsKeyOf(tenant, key)) << k;
  }
  keys.Format(10, &tenant, &key);  // "t10" + "0000000000010"
  ASSERT_EQ(tenant, "t10");
  // The same bytes read as tenant "t1": "t1" + "00000000000010" (k = 10,
  // whose tenant is t10).
  const std::string whole = tenant + key;
  EXPECT_FALSE(keys.IsKeyOf("t1", std::string_view(whole).substr(2)));
  EXPECT_FALSE(keys.IsKeyOf("t1", "0000000000001x"));
  EXPECT_FALSE(keys.IsKeyOf("t1", "17"));  // wrong width
}

TEST(BenchFlagsTest, ThreadsAndDuration) {
  BenchConfig c;
  ASSERT_EQ(Parse({"--threads=8", "--duration=30"}, &c), "");
  EXPECT_EQ(c.threads, 8u);
  EXPECT_EQ(c.duration_seconds, 30u);
  ASSERT_EQ(Parse({"--duration=0"}, &c), "");
  EXPECT_EQ(c.duration_seconds, 0u);
  EXPECT_NE(Parse({"--threads=0"}, &c).find("--threads"), std::string::npos);
  EXPECT_NE(Parse({"--threads=1025"}, &c).find("--threads"), std::string::npos);
  EXPECT_NE(Parse({"--threads=two"}, &c).find("--threads"), std::string::npos);
  EXPECT_NE(Parse({"--duration=-1"}, &c).find("--duration"), std::string::npos);
  EXPECT_NE(Parse({"--duration=1.5"}, &c).find("--duration"), std::string::npos);
  EXPECT_NE(Parse({"--duration=604801"}, &c).find("--duration"), std::string::npos);
  EXPECT_NE(Parse({"--threads"}, &c).find("needs a value"), std::string::npos);
  for (const char* flag : {"--threads", "--duration"}) {
    EXPECT_NE(Usage().find(flag), std::string::npos) << flag;
  }
}

TEST(BenchFlagsTest, Json) {
  BenchConfig c;
  ASSERT_EQ(Parse({}, &c), "");
  EXPECT_EQ(c.json, "");
  ASSERT_EQ(Parse({"--json=/tmp/x.json"}, &c), "");
  EXPECT_EQ(c.json, "/tmp/x.json");
  EXPECT_NE(Parse({"--json="}, &c).find("--json"), std::string::npos);
  EXPECT_NE(Parse({"--json"}, &c).find("needs a value"), std::string::npos);
  EXPECT_NE(Usage().find("--json"), std::string::npos);
}

TEST(BenchJsonTest, FormatJsonOfNoRunsIsValid) {
  common::JsonValue v;
  std::string error;
  ASSERT_TRUE(common::ParseJson(FormatJson(BenchConfig(), {}, "it \"failed\"\n"), &v, &error))
      << error;
  EXPECT_FALSE(v["ok"].boolean);
  EXPECT_EQ(v["error"].string, "it \"failed\"\n");
  EXPECT_EQ(v["runs"].type, common::JsonValue::kArray);
  EXPECT_TRUE(v["runs"].array.empty());
}

TEST(BenchJsonTest, WriteFileAtomicallyReplacesWholeOrNothing) {
  test::TempDir dir;
  ASSERT_FALSE(dir.path().empty());
  const std::string path = dir.path() + "/out.json";
  ASSERT_TRUE(WriteFileAtomically(path, "first").ok());
  ASSERT_TRUE(WriteFileAtomically(path, "second").ok());
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  EXPECT_EQ(text.str(), "second");
  EXPECT_FALSE(std::filesystem::exists(path + ".tmp"));
  EXPECT_FALSE(WriteFileAtomically(dir.path() + "/no/such/dir/out.json", "x").ok());
}

// Runs the whole program in-process on both engines at a tiny size and
// reads the JSON report back.
TEST(BenchJsonTest, RunBenchWritesAParsableReport) {
  test::TempDir dir;
  ASSERT_FALSE(dir.path().empty());
  const std::string json = dir.path() + "/report.json";
  std::ostringstream out, err;
  const int code = RunBench({"--num=2000", "--db=" + dir.path() + "/db", "--json=" + json,
                             "--benchmarks=fillseq,seekrandom,deleterandom,seekrandom,readrandom",
                             "--write_buffer_size=65536", "--target_file_size=65536",
                             "--max_bytes_for_level_base=262144"},
                            out, err);
  ASSERT_EQ(code, 0) << err.str();
  EXPECT_NE(out.str().find("seekrandom"), std::string::npos);

  const common::JsonValue doc = ReadReport(json);
  EXPECT_TRUE(doc["ok"].boolean);
  EXPECT_EQ(doc["config"]["num"].number, 2000);
  const std::vector<common::JsonValue>& runs = doc["runs"].array;
  ASSERT_EQ(runs.size(), 10u);                              // 5 workloads x 2 engines
  std::map<std::string, const common::JsonValue*> by_name;  // "engine/workload#i"
  for (size_t i = 0; i < runs.size(); ++i) {
    const common::JsonValue& r = runs[i];
    for (const char* member : {"engine", "workload", "ops", "seconds", "ops_per_sec", "write_amp",
                               "user_bytes", "device_bytes", "flush_bytes", "compaction_bytes",
                               "ingest_bytes", "wal_bytes", "latency_us"}) {
      EXPECT_TRUE(r.Has(member)) << i << " " << member;
    }
    EXPECT_EQ(r["engine"].string, i < 5 ? "metakv" : "rocksdb");
    EXPECT_EQ(r["ops"].number, 2000);
    EXPECT_EQ(r["device_bytes"].number,
              r["flush_bytes"].number + r["compaction_bytes"].number + r["ingest_bytes"].number);
    ASSERT_EQ(r["latency_us"].object.size(), 1u);
    const common::JsonValue& lat = r["latency_us"].object.begin()->second;
    EXPECT_LE(lat["p50"].number, lat["p99"].number);
    EXPECT_LE(lat["p99"].number, lat["p999"].number);
    by_name[r["engine"].string + "/" + r["workload"].string + "#" + std::to_string(i % 5)] = &r;
  }
  for (const char* engine : {"metakv", "rocksdb"}) {
    const std::string e = engine;
    const common::JsonValue& fill = *by_name.at(e + "/fillseq#0");
    EXPECT_EQ(fill["user_bytes"].number, 2000.0 * (16 + 100)) << e;
    EXPECT_GT(fill["device_bytes"].number, 0) << e;
    EXPECT_GT(fill["wal_bytes"].number, 0) << e;
    EXPECT_NEAR(fill["write_amp"].number, fill["device_bytes"].number / fill["user_bytes"].number,
                1e-5 * fill["write_amp"].number);  // printed to 6 digits
    EXPECT_EQ(fill["latency_us"].object.count("put"), 1u);
    EXPECT_EQ((*by_name.at(e + "/seekrandom#1"))["found"].number, 2000) << e;
    EXPECT_EQ((*by_name.at(e + "/seekrandom#3"))["found"].number, 0) << e;  // all deleted
    EXPECT_EQ((*by_name.at(e + "/seekrandom#3"))["entries"].number, 0) << e;
    EXPECT_EQ((*by_name.at(e + "/readrandom#4"))["found"].number, 0) << e;
    EXPECT_EQ((*by_name.at(e + "/deleterandom#2"))["user_bytes"].number, 2000.0 * 16) << e;
  }
  // Both engines read the same records: the rocksdb scan skips the records
  // of tenants "t10".."t15" that share the prefix "t1".
  EXPECT_EQ((*by_name.at("metakv/seekrandom#1"))["entries"].number,
            (*by_name.at("rocksdb/seekrandom#1"))["entries"].number);
  EXPECT_GT((*by_name.at("metakv/seekrandom#1"))["entries"].number, 2000);
  EXPECT_EQ((*by_name.at("metakv/deleterandom#2"))["found"].number, 2000);
  EXPECT_FALSE(std::filesystem::exists(json + ".tmp"));
}

// Several threads split the operations; every key is written once and read.
TEST(BenchThreadsTest, ThreadsSplitTheOperations) {
  test::TempDir dir;
  ASSERT_FALSE(dir.path().empty());
  const std::string json = dir.path() + "/report.json";
  std::ostringstream out, err;
  ASSERT_EQ(RunBench({"--num=3001", "--threads=3", "--db=" + dir.path() + "/db", "--json=" + json,
                      "--benchmarks=fillrandom,readrandom,seekrandom,deleterandom,readrandom"},
                     out, err),
            0)
      << err.str();
  EXPECT_NE(out.str().find("3 threads together"), std::string::npos) << out.str();
  const common::JsonValue doc = ReadReport(json);
  const std::vector<common::JsonValue>& runs = doc["runs"].array;
  ASSERT_EQ(runs.size(), 10u);
  for (size_t base : {0u, 5u}) {
    const std::string engine = runs[base]["engine"].string;
    for (size_t i = 0; i < 5; ++i) EXPECT_EQ(runs[base + i]["ops"].number, 3001) << engine << i;
    EXPECT_EQ(runs[base]["user_bytes"].number, 3001.0 * 116) << engine;
    EXPECT_EQ(runs[base + 1]["found"].number, 3001) << engine;  // every key written
    EXPECT_EQ(runs[base + 2]["found"].number, 3001) << engine;
    EXPECT_EQ(runs[base + 3]["found"].number, 3001) << engine;  // each deleted once
    EXPECT_EQ(runs[base + 4]["found"].number, 0) << engine;
    EXPECT_EQ(runs[base + 1]["latency_us"]["get"]["p50"].type, common::JsonValue::kNumber);
  }
  EXPECT_EQ(runs[2]["entries"].number, runs[7]["entries"].number);
}

// --duration stops a loop that would run far longer.
TEST(BenchThreadsTest, DurationStopsTheLoop) {
  test::TempDir dir;
  ASSERT_FALSE(dir.path().empty());
  const std::string json = dir.path() + "/report.json";
  std::ostringstream out, err;
  ASSERT_EQ(RunBench({"--num=1000", "--reads=1000000000", "--duration=1", "--threads=2",
                      "--engine=metakv", "--db=" + dir.path() + "/db", "--json=" + json,
                      "--benchmarks=fillseq,readrandom"},
                     out, err),
            0)
      << err.str();
  const common::JsonValue doc = ReadReport(json);
  ASSERT_EQ(doc["runs"].array.size(), 2u);
  const common::JsonValue& fill = doc["runs"].array[0];
  const common::JsonValue& read = doc["runs"].array[1];
  EXPECT_EQ(fill["ops"].number, 1000);  // done well within the second
  EXPECT_GT(read["ops"].number, 0);
  EXPECT_LT(read["ops"].number, 1000000000);
  EXPECT_EQ(read["found"].number, read["ops"].number);
  EXPECT_GE(read["seconds"].number, 1.0);
  EXPECT_LT(read["seconds"].number, 5.0);
}

// Sizes are shown as the library's logs show them (metakv::FormatBytes).
TEST(BenchFlagsTest, SizesShowAsTheLibraryFormatsThem) {
  BenchConfig c;
  ASSERT_EQ(Parse({"--memory_budget=67108864", "--write_buffer_size=1572864",
                   "--target_file_size=65536", "--max_bytes_for_level_base=1073741824"},
                  &c),
            "");
  const std::string line = FormatParameters(c, "fresh");
  EXPECT_NE(line.find(" memory_budget=64 MiB write_buffer_size=1.5 MiB target_file_size=64 KiB "
                      "max_bytes_for_level_base=1 GiB "),
            std::string::npos)
      << line;
  EXPECT_NE(Usage().find("(64 MiB)"), std::string::npos);
}

// Found by fuzz/bench_flags_fuzzer: IsKeyOf refused every user key longer
// than 19 digits, so with --key_size above about 21 the rocksdb engine's
// scans skipped every record.
TEST(BenchKeysTest, IsKeyOfAcceptsLongZeroPaddedKeys) {
  for (uint64_t key_size : {22ull, 40ull, 1024ull}) {
    const KeyFormatter keys(key_size, 100);
    std::string tenant, key;
    for (uint64_t k : {0ull, 7ull, 99ull, 123456ull, 999999999999ull}) {
      keys.Format(k, &tenant, &key);
      ASSERT_EQ(tenant.size() + key.size(), key_size);
      EXPECT_TRUE(keys.IsKeyOf(tenant, key)) << key_size << " " << k;
    }
    keys.Format(5, &tenant, &key);
    EXPECT_FALSE(keys.IsKeyOf("t6", key)) << key_size;  // wrong tenant
  }
  // A value that does not fit 64 bits is no key number.
  const KeyFormatter keys(2 + 21, 1);
  EXPECT_FALSE(keys.IsKeyOf("t0", "999999999999999999999"));
  EXPECT_TRUE(keys.IsKeyOf("t0", "000000000000000000000"));
}

// The same bug end to end: both engines' scans find every record with
// 30-byte keys.
TEST(BenchKeysTest, RocksdbScansFindLongKeys) {
  test::TempDir dir;
  const std::string json = dir.path() + "/report.json";
  std::ostringstream out, err;
  ASSERT_EQ(RunBench({"--num=500", "--key_size=30", "--db=" + dir.path() + "/db", "--json=" + json,
                      "--benchmarks=fillseq,seekrandom", "--write_buffer_size=65536",
                      "--target_file_size=65536", "--max_bytes_for_level_base=262144"},
                     out, err),
            0)
      << err.str();
  const common::JsonValue doc = ReadReport(json);
  const std::vector<common::JsonValue>& runs = doc["runs"].array;
  ASSERT_EQ(runs.size(), 4u);  // 2 workloads x 2 engines
  for (size_t engine = 0; engine < 2; ++engine) {
    const common::JsonValue& seek = runs[engine * 2 + 1];
    EXPECT_EQ(seek["workload"].string, "seekrandom");
    EXPECT_EQ(seek["found"].number, 500) << seek["engine"].string;
  }
  EXPECT_EQ(runs[1]["entries"].number, runs[3]["entries"].number);
  EXPECT_GT(runs[3]["entries"].number, 500);
}

}  // namespace
}  // namespace metakv::bench

namespace metakv::bench {
namespace {

TEST(BenchFlagsTest, MetamixFlags) {
  BenchConfig c;
  ASSERT_EQ(Parse({"--mix=stat:1,snapshot:3", "--zipf_theta=1.2", "--files_per_dir=8",
                   "--inode_extra_bytes=0", "--snapshot_group=5", "--readdir_limit=7",
                   "--retention_seconds=3", "--history_ttl_seconds=4", "--ops_per_sim_second=9",
                   "--mix_ops=11"},
                  &c),
            "");
  EXPECT_EQ(FormatMix(c.mix), "stat:1,setattr:0,create:0,unlink:0,readdir:0,rename:0,snapshot:3");
  EXPECT_EQ(c.mix.Total(), 4u);
  EXPECT_DOUBLE_EQ(c.zipf_theta, 1.2);
  EXPECT_EQ(c.files_per_dir, 8u);
  EXPECT_EQ(c.inode_extra_bytes, 0u);
  EXPECT_EQ(c.snapshot_group, 5u);
  EXPECT_EQ(c.readdir_limit, 7u);
  EXPECT_EQ(c.retention_seconds, 3u);
  EXPECT_EQ(c.history_ttl_seconds, 4u);
  EXPECT_EQ(c.ops_per_sim_second, 9u);
  EXPECT_EQ(c.mix_ops, 11u);
  // The default mix reads back as it prints.
  ASSERT_EQ(Parse({"--mix=" + FormatMix(MixWeights())}, &c), "");
  EXPECT_EQ(FormatMix(c.mix), FormatMix(MixWeights()));

  EXPECT_NE(Parse({"--mix=stat:1,stat:2"}, &c).find("twice"), std::string::npos);
  EXPECT_NE(Parse({"--mix=chmod:1"}, &c).find("chmod"), std::string::npos);
  EXPECT_NE(Parse({"--mix=stat"}, &c).find("operation:weight"), std::string::npos);
  EXPECT_NE(Parse({"--mix=stat:x"}, &c).find("stat"), std::string::npos);
  EXPECT_NE(Parse({"--mix=stat:0,create:0"}, &c).find("every weight is 0"), std::string::npos);
  EXPECT_NE(Parse({"--mix="}, &c), "");
  for (const char* bad : {"--zipf_theta=abc", "--zipf_theta=-1", "--zipf_theta=nan",
                          "--zipf_theta=11", "--zipf_theta=", "--zipf_theta=0.5x"}) {
    EXPECT_NE(Parse({bad}, &c).find("--zipf_theta"), std::string::npos) << bad;
  }
  EXPECT_NE(Parse({"--files_per_dir=0"}, &c), "");
  EXPECT_NE(Parse({"--snapshot_group=0"}, &c), "");
  EXPECT_NE(Parse({"--ops_per_sim_second=0"}, &c), "");
  for (const char* flag :
       {"--mix", "--zipf_theta", "--files_per_dir", "--inode_extra_bytes", "--snapshot_group",
        "--readdir_limit", "--retention_seconds", "--history_ttl_seconds", "--ops_per_sim_second",
        "--mix_ops", "--use_existing_db", "--csv", "--plot", "--progress", "metamix",
        "rocksdb-universal"}) {
    EXPECT_NE(Usage().find(flag), std::string::npos) << flag;
  }
}

TEST(BenchFlagsTest, HistoryKey) {
  BenchConfig c;
  EXPECT_EQ(c.history_key, HistoryKeyChoice::kSnapshot);
  ASSERT_EQ(Parse({"--history_key=inode"}, &c), "");
  EXPECT_EQ(c.history_key, HistoryKeyChoice::kInode);
  ASSERT_EQ(Parse({"--history_key=snapshot"}, &c), "");
  EXPECT_EQ(c.history_key, HistoryKeyChoice::kSnapshot);
  EXPECT_NE(Parse({"--history_key=time"}, &c).find("snapshot or inode"), std::string::npos);
  EXPECT_NE(Usage().find("--history_key"), std::string::npos);
}

// A preset's flags apply first: a flag on the command line overrides them
// whether it comes before or after --preset.
TEST(BenchFlagsTest, PresetsApplyBeforeTheCommandLine) {
  for (const Preset& p : Presets()) {
    BenchConfig c;
    EXPECT_EQ(Parse({"--preset=" + p.name}, &c), "") << p.name;
    EXPECT_EQ(c.preset, p.name);
    EXPECT_NE(Usage().find(p.name + ": "), std::string::npos) << p.name;
  }
  BenchConfig c;
  ASSERT_EQ(Parse({"--preset=history256"}, &c), "");
  EXPECT_EQ(c.history_key, HistoryKeyChoice::kInode);
  EXPECT_EQ(c.snapshot_group, 256u);
  BenchConfig before;
  ASSERT_EQ(Parse({"--snapshot_group=7", "--preset=history20000", "--tenants=3"}, &before), "");
  EXPECT_EQ(before.snapshot_group, 7u);
  EXPECT_EQ(before.tenants, 3u);
  EXPECT_EQ(before.history_key, HistoryKeyChoice::kInode);
  EXPECT_EQ(before.mix.snapshot, 1u);
  EXPECT_EQ(before.mix.stat, 8000u);
  BenchConfig tight;
  ASSERT_EQ(Parse({"--preset=tight", "--memory_budget=33554432"}, &tight), "");
  EXPECT_EQ(tight.memory_budget, 32u << 20);
  EXPECT_EQ(tight.write_buffer_size, 1u << 20);

  BenchConfig bad;
  EXPECT_NE(Parse({"--preset=huge"}, &bad).find("unknown preset \"huge\""), std::string::npos);
  EXPECT_NE(Parse({"--preset="}, &bad).find("unknown preset"), std::string::npos);
  BenchConfig twice;
  EXPECT_NE(Parse({"--preset=tight", "--preset=default"}, &twice).find("twice"), std::string::npos);
}

TEST(BenchFlagsTest, UseExistingDbNeedsDb) {
  BenchConfig c;
  EXPECT_NE(Parse({"--use_existing_db=1"}, &c).find("--db"), std::string::npos);
  EXPECT_EQ(Parse({"--use_existing_db=1", "--db=/x"}, &c), "");
  EXPECT_NE(Parse({"--use_existing_db=2", "--db=/x"}, &c), "");
  EXPECT_NE(Parse({"--csv="}, &c).find("--csv"), std::string::npos);
  EXPECT_NE(Parse({"--plot="}, &c).find("--plot"), std::string::npos);
  EXPECT_NE(Parse({"--progress=2"}, &c), "");
}

// The metadata operations behave alike on every engine: the recycle bin
// hides a deleted record at once, a second delete finds nothing, a rename's
// removal is immediate, history is visible on return, and the scans skip
// what a user cannot see.
TEST(BenchEngineTest, MetadataSemanticsAlikeOnEveryEngine) {
  for (const std::string& name : KnownEngines()) {
    SCOPED_TRACE(name);
    test::TempDir dir;
    ASSERT_FALSE(dir.path().empty());
    BenchConfig config;
    config.write_buffer_size = 64 << 10;
    config.target_file_size = 64 << 10;
    config.max_bytes_for_level_base = 256 << 10;
    config.retention_seconds = 10;
    config.history_ttl_seconds = 20;
    std::unique_ptr<Engine> engine;
    ASSERT_TRUE(OpenEngine(name, config, dir.path() + "/db", &engine).ok());
    using K = MetaOp::Kind;
    const std::string dir_prefix("\0\0\0\0\0\0\0\x07", 8);
    std::vector<MetaOp> create = {{K::kPut, MetaDomain::kDentry, dir_prefix + "a", "ino-a"},
                                  {K::kPut, MetaDomain::kDentry, dir_prefix + "b", "ino-b"},
                                  {K::kPut, MetaDomain::kDentry, dir_prefix + "c", "ino-c"},
                                  {K::kPut, MetaDomain::kInode, "ino-a", "attrs-a"}};
    ASSERT_TRUE(engine->MetaWrite("t0001", create).ok());
    // Another tenant's records never show.
    ASSERT_TRUE(
        engine->MetaWrite("t0002", {{K::kPut, MetaDomain::kDentry, dir_prefix + "z", "z"}}).ok());
    auto readdir = [&](const std::string& tenant) {
      std::vector<std::string> names;
      EXPECT_TRUE(engine
                      ->MetaScan(MetaDomain::kDentry, tenant, dir_prefix,
                                 [&](std::string_view key, std::string_view value) {
                                   names.push_back(std::string(key.substr(8)) + "=" +
                                                   std::string(value));
                                   return true;
                                 })
                      .ok());
      return names;
    };
    EXPECT_EQ(readdir("t0001"), (std::vector<std::string>{"a=ino-a", "b=ino-b", "c=ino-c"}));

    // unlink: logical delete of dentry + inode.
    ASSERT_TRUE(engine
                    ->MetaWrite("t0001", {{K::kDelete, MetaDomain::kDentry, dir_prefix + "a", ""},
                                          {K::kDelete, MetaDomain::kInode, "ino-a", ""}})
                    .ok());
    std::string value;
    EXPECT_TRUE(engine->MetaGet(MetaDomain::kInode, "t0001", "ino-a", &value).IsNotFound());
    EXPECT_EQ(readdir("t0001"), (std::vector<std::string>{"b=ino-b", "c=ino-c"}));
    EXPECT_TRUE(
        engine->MetaWrite("t0001", {{K::kDelete, MetaDomain::kInode, "ino-a", ""}}).IsNotFound());
    EXPECT_TRUE(
        engine->MetaWrite("t0001", {{K::kDelete, MetaDomain::kInode, "never", ""}}).IsNotFound());

    // rename: immediate removal of the old name.
    ASSERT_TRUE(
        engine
            ->MetaWrite("t0001", {{K::kRemove, MetaDomain::kDentry, dir_prefix + "b", ""},
                                  {K::kPut, MetaDomain::kDentry, dir_prefix + "d", "ino-b"}})
            .ok());
    EXPECT_EQ(readdir("t0001"), (std::vector<std::string>{"c=ino-c", "d=ino-b"}));
    EXPECT_EQ(readdir("t0002"), (std::vector<std::string>{"z=z"}));

    // History: visible on return; not writable through MetaWrite.
    ASSERT_TRUE(engine->WriteHistoryGroup("t0001", {{"h2", "v2"}, {"h1", "v1"}}).ok());
    ASSERT_TRUE(engine->MetaGet(MetaDomain::kHistory, "t0001", "h1", &value).ok());
    EXPECT_EQ(value, "v1");
    EXPECT_TRUE(engine->MetaWrite("t0001", {{K::kPut, MetaDomain::kHistory, "h3", "v3"}})
                    .IsInvalidArgument());

    // Past retention and TTL, nothing a user sees changes, and the engine
    // settles (stock: its purge deletes run first).
    engine->SetTime(static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::microseconds>(
                                              std::chrono::system_clock::now().time_since_epoch())
                                              .count()) +
                    60ull * 1000000);
    ASSERT_TRUE(engine->Flush().ok());
    ASSERT_TRUE(engine->WaitForCompactions().ok());
    EXPECT_EQ(readdir("t0001"), (std::vector<std::string>{"c=ino-c", "d=ino-b"}));
    EXPECT_TRUE(engine->MetaGet(MetaDomain::kInode, "t0001", "ino-a", &value).IsNotFound());
    EngineStats stats;
    ASSERT_TRUE(engine->GetStats(&stats).ok());
    EXPECT_GT(stats.live_sst_bytes, 0u);
    EXPECT_GT(stats.device_bytes(), 0u);
    ASSERT_TRUE(engine->Close().ok());
  }
}

// metamix on every engine at a tiny size, with retention and TTL short
// enough that purging happens during the run: every engine does the same
// logical work (the driver checks each stat, unlink and readdir against
// its model, so a wrong answer fails the run) and reports every figure.
TEST(BenchMetamixTest, SameLogicalWorkOnEveryEngine) {
  test::TempDir dir;
  ASSERT_FALSE(dir.path().empty());
  const std::string json = dir.path() + "/report.json";
  const std::string csv = dir.path() + "/series.csv";
  std::ostringstream out, err;
  ASSERT_EQ(RunBench({"--benchmarks=metamix", "--engine=all", "--num=3000", "--mix_ops=8000",
                      "--tenants=20", "--files_per_dir=16", "--snapshot_group=16",
                      "--retention_seconds=1", "--history_ttl_seconds=2",
                      "--ops_per_sim_second=1000", "--write_buffer_size=65536",
                      "--target_file_size=65536", "--max_bytes_for_level_base=262144",
                      "--db=" + dir.path() + "/db", "--json=" + json, "--csv=" + csv},
                     out, err),
            0)
      << err.str();
  EXPECT_NE(out.str().find("metakv/rocksdb-universal"), std::string::npos) << out.str();
  const common::JsonValue doc = ReadReport(json);
  const std::vector<common::JsonValue>& runs = doc["runs"].array;
  ASSERT_EQ(runs.size(), 3u);
  for (const common::JsonValue& r : runs) {
    SCOPED_TRACE(r["engine"].string);
    EXPECT_EQ(r["workload"].string, "metamix");
    for (const char* member : {"space_amp", "live_bytes", "live_sst_bytes", "stall_micros",
                               "peak_rss_bytes", "series"}) {
      EXPECT_TRUE(r.Has(member)) << member;
    }
    EXPECT_EQ(r["ops"].number, runs[0]["ops"].number);
    EXPECT_EQ(r["user_bytes"].number, runs[0]["user_bytes"].number);
    EXPECT_EQ(r["live_bytes"].number, runs[0]["live_bytes"].number);
    EXPECT_EQ(r["entries"].number, runs[0]["entries"].number);  // readdir entries read
    EXPECT_GT(r["ops"].number, 8000);                           // load + mix (+ directories)
    EXPECT_EQ(r["space_amp"].type, common::JsonValue::kNumber);
    EXPECT_FALSE(r["series"].array.empty());
    for (const char* op :
         {"load", "stat", "setattr", "create", "unlink", "readdir", "rename", "snapshot"}) {
      ASSERT_EQ(r["latency_us"].object.count(op), 1u) << op;
      EXPECT_GT(r["latency_us"][op]["count"].number, 0) << op;
      EXPECT_EQ(r["latency_us"][op]["count"].number, runs[0]["latency_us"][op]["count"].number)
          << op;
    }
  }
  // metakv: groups this small go through the memtable (ingest_min_bytes).
  EXPECT_EQ(runs[1]["ingest_bytes"].number, 0);

  std::ifstream in(csv);
  std::string header, row;
  ASSERT_TRUE(std::getline(in, header));
  EXPECT_EQ(
      header,
      "engine,workload,run_seconds,seconds,ops,user_bytes,device_bytes,ops_per_sec,write_amp");
  std::set<std::string> engines;
  while (std::getline(in, row)) engines.insert(row.substr(0, row.find(',')));
  EXPECT_EQ(engines, (std::set<std::string>{"metakv", "rocksdb", "rocksdb-universal"}));
}

// metamix with several threads (tenants split among them) and history keyed
// by inode (a tenant's groups overlap): both engines still do the same
// logical work, checked against each thread's model.
TEST(BenchMetamixTest, ThreadsAndOverlappingHistoryOnEveryEngine) {
  test::TempDir dir;
  ASSERT_FALSE(dir.path().empty());
  const std::string json = dir.path() + "/report.json";
  std::ostringstream out, err;
  ASSERT_EQ(RunBench({"--benchmarks=metamix", "--engine=both", "--threads=3", "--num=3000",
                      "--mix_ops=9000", "--tenants=7", "--files_per_dir=16", "--snapshot_group=16",
                      "--history_key=inode", "--retention_seconds=1", "--history_ttl_seconds=2",
                      "--ops_per_sim_second=1000", "--write_buffer_size=65536",
                      "--target_file_size=65536", "--max_bytes_for_level_base=262144",
                      "--db=" + dir.path() + "/db", "--json=" + json},
                     out, err),
            0)
      << err.str();
  const common::JsonValue doc = ReadReport(json);
  EXPECT_EQ(doc["config"]["history_key"].string, "inode");
  EXPECT_EQ(doc["config"]["threads"].number, 3);
  const std::vector<common::JsonValue>& runs = doc["runs"].array;
  ASSERT_EQ(runs.size(), 2u);
  for (const common::JsonValue& r : runs) {
    SCOPED_TRACE(r["engine"].string);
    EXPECT_GT(r["ops"].number, 12000);  // load + mix (+ directories)
    // Each thread's records do not depend on the interleaving (what
    // expired by the end does, a little: the clock counts every thread's
    // operations).
    EXPECT_EQ(r["user_bytes"].number, runs[0]["user_bytes"].number);
    EXPECT_EQ(r["ops"].number, runs[0]["ops"].number);
    EXPECT_GT(r["latency_us"]["snapshot"]["count"].number, 0);
  }
}

// --plot draws a PNG with gnuplot (installed by scripts/install-deps.sh).
TEST(BenchMetamixTest, PlotWritesAPng) {
  test::TempDir dir;
  ASSERT_FALSE(dir.path().empty());
  const std::string png = dir.path() + "/wa.png";
  std::ostringstream out, err;
  ASSERT_EQ(RunBench({"--benchmarks=fillseq", "--num=2000", "--db=" + dir.path() + "/db",
                      "--plot=" + png},
                     out, err),
            0)
      << err.str();
  std::ifstream in(png, std::ios::binary);
  char magic[8] = {};
  in.read(magic, 8);
  EXPECT_EQ(std::string(magic, 8), std::string("\x89PNG\r\n\x1a\n", 8));
}

// --use_existing_db reopens what an earlier run left; without it, a used
// --db is refused with exit code 2.
TEST(BenchFlagsTest, UseExistingDbReadsAnEarlierRun) {
  test::TempDir dir;
  ASSERT_FALSE(dir.path().empty());
  const std::string db = dir.path() + "/db";
  const std::string json = dir.path() + "/report.json";
  std::ostringstream out, err;
  ASSERT_EQ(RunBench({"--benchmarks=fillseq", "--num=1500", "--db=" + db}, out, err), 0)
      << err.str();
  EXPECT_EQ(RunBench({"--benchmarks=readrandom", "--num=1500", "--db=" + db}, out, err), 2);
  ASSERT_EQ(RunBench({"--benchmarks=readrandom", "--num=1500", "--db=" + db, "--use_existing_db=1",
                      "--json=" + json},
                     out, err),
            0)
      << err.str();
  const common::JsonValue doc = ReadReport(json);
  ASSERT_EQ(doc["runs"].array.size(), 2u);
  for (const common::JsonValue& r : doc["runs"].array)
    EXPECT_EQ(r["found"].number, 1500) << r["engine"].string;
  // metamix cannot start from an earlier run's namespace: a clear failure.
  std::ostringstream mix_err;
  EXPECT_EQ(RunBench({"--benchmarks=metamix", "--num=10", "--mix_ops=10", "--db=" + db,
                      "--use_existing_db=1"},
                     out, mix_err),
            1);
  EXPECT_NE(mix_err.str().find("--use_existing_db"), std::string::npos) << mix_err.str();
  // Nothing there to use.
  EXPECT_EQ(
      RunBench({"--benchmarks=readrandom", "--db=" + dir.path() + "/empty", "--use_existing_db=1"},
               out, err),
      2);
}

}  // namespace
}  // namespace metakv::bench
