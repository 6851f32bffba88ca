// metakv-stress's command line.
#include "tools/stress/stress_flags.h"

#include <gtest/gtest.h>

#include <vector>

namespace metakv::stress {
namespace {

bool Parse(std::vector<std::string> args, StressFlags* flags, std::string* error) {
  args.insert(args.begin(), "metakv-stress");
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  return ParseStressFlags(static_cast<int>(argv.size()), argv.data(), flags, error);
}

TEST(StressFlagsTest, Defaults) {
  StressFlags f;
  std::string error;
  ASSERT_TRUE(Parse({"--db=/tmp/x/"}, &f, &error)) << error;
  EXPECT_EQ(f.db, "/tmp/x");
  EXPECT_FALSE(f.verify);
  EXPECT_EQ(f.ops, 20000u);
  EXPECT_EQ(f.duration_seconds, 60);
  EXPECT_EQ(f.threads, 4u);
  EXPECT_EQ(f.keys, 1000u);
  EXPECT_FALSE(f.keys_given);
  EXPECT_EQ(f.reopen_every, 0u);
  EXPECT_EQ(f.tenant_shards, 1u);
}

TEST(StressFlagsTest, EveryFlag) {
  StressFlags f;
  std::string error;
  ASSERT_TRUE(Parse(
      {"--db", "d", "--verify", "--ops=5", "--duration=1.5", "--threads=8", "--seed=9", "--keys=64",
       "--reopen_every=100", "--verify_every_ms=0", "--clock_tick_ms=5", "--clock_step_max=10",
       "--tenant_shards=3"},
      &f, &error))
      << error;
  EXPECT_EQ(f.db, "d");
  EXPECT_TRUE(f.verify);
  EXPECT_EQ(f.ops, 5u);
  EXPECT_EQ(f.duration_seconds, 1.5);
  EXPECT_EQ(f.threads, 8u);
  EXPECT_EQ(f.seed, 9u);
  EXPECT_EQ(f.keys, 64u);
  EXPECT_TRUE(f.keys_given);
  EXPECT_EQ(f.reopen_every, 100u);
  EXPECT_EQ(f.verify_every_ms, 0u);
  EXPECT_EQ(f.clock_tick_ms, 5u);
  EXPECT_EQ(f.clock_step_max, 10u);
  EXPECT_EQ(f.tenant_shards, 3u);
}

TEST(StressFlagsTest, BadFlagsSayWhich) {
  struct Case {
    std::vector<std::string> args;
    const char* message;
  } cases[] = {
      {{}, "--db=DIR is required"},
      {{"--db=d", "--frob=1"}, "unknown option '--frob'"},
      {{"--db=d", "--threads=0"}, "bad value for --threads"},
      {{"--db=d", "--threads=33"}, "bad value for --threads"},
      {{"--db=d", "--keys=8"}, "bad value for --keys"},
      {{"--db=d", "--tenant_shards=0"}, "bad value for --tenant_shards"},
      {{"--db=d", "--tenant_shards=65"}, "bad value for --tenant_shards"},
      {{"--db=d", "--ops=ten"}, "bad value for --ops"},
      {{"--db=d", "--duration=-1"}, "bad value for --duration"},
      {{"--db=d", "--ops=0", "--duration=0"}, "would never end"},
      {{"--db=d", "--seed"}, "needs a value"},
      {{"--db=d", "stray"}, "unexpected argument 'stray'"},
      {{"--db="}, "empty path"},
      {{"--db=d", "--verify=maybe"}, "bad value for --verify"},
  };
  for (const Case& c : cases) {
    StressFlags f;
    std::string error;
    EXPECT_FALSE(Parse(c.args, &f, &error)) << c.message;
    EXPECT_NE(error.find(c.message), std::string::npos) << error;
  }
}

TEST(StressFlagsTest, HelpNeedsNothingElse) {
  StressFlags f;
  std::string error;
  ASSERT_TRUE(Parse({"--help"}, &f, &error));
  EXPECT_TRUE(f.help);
  EXPECT_NE(StressHelpText().find("--verify"), std::string::npos);
}

}  // namespace
}  // namespace metakv::stress
