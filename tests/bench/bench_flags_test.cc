// Tests of metakv-bench's command-line parser (bench/flags.h): defaults,
// every flag, and the errors a bad command line must produce.
#include "bench/flags.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

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
  EXPECT_EQ(c.benchmarks, (std::vector<std::string>{"fillrandom", "overwrite", "readrandom"}));
  EXPECT_EQ(c.engine, EngineChoice::kBoth);
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
  EXPECT_EQ(c.tenants, 16u);
  EXPECT_FALSE(c.help);
}

TEST(BenchFlagsTest, EveryFlagParsed) {
  BenchConfig c;
  ASSERT_EQ(Parse({"--benchmarks=readrandom,fillrandom,readrandom", "--engine=rocksdb",
                   "--num=1000", "--reads=77", "--key_size=24", "--value_size=300", "--seed=42",
                   "--db=/some/dir", "--memory_budget=8388608", "--write_buffer_size=1048576",
                   "--target_file_size=2097152", "--max_bytes_for_level_base=10485760",
                   "--compression=zstd", "--tenants=5"},
                  &c),
            "");
  EXPECT_EQ(c.benchmarks, (std::vector<std::string>{"readrandom", "fillrandom", "readrandom"}));
  EXPECT_EQ(c.engine, EngineChoice::kRocksdb);
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
  EXPECT_EQ(c.engine, EngineChoice::kMetakv);
  ASSERT_EQ(Parse({"--engine=both"}, &c), "");
  EXPECT_EQ(c.engine, EngineChoice::kBoth);
  ASSERT_EQ(Parse({"--compression=none"}, &c), "");
  EXPECT_EQ(c.compression, CompressionChoice::kNone);
  ASSERT_EQ(Parse({"--compression=snappy"}, &c), "");
  EXPECT_EQ(c.compression, CompressionChoice::kSnappy);
  EXPECT_EQ(EngineNames(EngineChoice::kBoth), (std::vector<std::string>{"metakv", "rocksdb"}));
  EXPECT_EQ(EngineNames(EngineChoice::kRocksdb), (std::vector<std::string>{"rocksdb"}));
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
  for (const char* flag : {"--benchmarks", "--engine", "--num", "--reads", "--key_size",
                           "--value_size", "--seed", "--db", "--memory_budget",
                           "--write_buffer_size", "--target_file_size",
                           "--max_bytes_for_level_base", "--compression", "--tenants", "--help",
                           "fillrandom", "overwrite", "readrandom"}) {
    EXPECT_NE(usage.find(flag), std::string::npos) << flag;
  }
  // Still checks the other flags.
  EXPECT_NE(Parse({"--help", "--bogus=1"}, &c), "");
}

TEST(BenchFlagsTest, UnknownFlag) {
  BenchConfig c;
  const std::string error = Parse({"--num=10", "--bogus=3"}, &c);
  EXPECT_NE(error.find("unknown flag --bogus"), std::string::npos) << error;
  EXPECT_NE(Parse({"--threads=4"}, &c), "");
  EXPECT_NE(Parse({"-num=4"}, &c), "");        // single dash
  EXPECT_NE(Parse({"positional"}, &c), "");
  EXPECT_NE(Parse({"--"}, &c), "");
}

TEST(BenchFlagsTest, BadNumber) {
  BenchConfig c;
  for (const char* arg : {"--num=abc", "--num=12x", "--num=", "--num=-1", "--num=+5",
                          "--num= 5", "--num=1.5", "--num=99999999999999999999",
                          "--seed=18446744073709551616", "--value_size=0x10"}) {
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
  for (const char* arg : {"--reads=0", "--tenants=0", "--value_size=0", "--key_size=0",
                          "--memory_budget=1000", "--write_buffer_size=1024",
                          "--target_file_size=1024", "--max_bytes_for_level_base=1024"}) {
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

TEST(BenchFlagsTest, FormatBytes) {
  EXPECT_EQ(FormatBytes(64ull << 20), "64MiB");
  EXPECT_EQ(FormatBytes(4096), "4KiB");
  EXPECT_EQ(FormatBytes(2ull << 30), "2GiB");
  EXPECT_EQ(FormatBytes(1000), "1000B");
  EXPECT_EQ(FormatBytes(0), "0B");
}

}  // namespace
}  // namespace metakv::bench
