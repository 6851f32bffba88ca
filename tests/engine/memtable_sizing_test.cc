// The memtable sizing rules a store applies under its memtable budget
// (engine/rocksdb_util.h): the arena block of every column family, and the
// memtable cap of a store with tenant shards.
#include <gtest/gtest.h>

#include <cstdint>

#include "engine/rocksdb_util.h"

namespace metakv {
namespace {

constexpr uint64_t kKiB = 1024;
constexpr uint64_t kMiB = 1024 * kKiB;

TEST(ArenaBlockBytesTest, RocksDbsDefaultWhenEveryBlockFitsAnEighthOfTheBudget) {
  // RocksDB: write_buffer_size / 8, at most 1 MiB.
  EXPECT_EQ(ArenaBlockBytes(4 * kMiB, 0, 4), 512 * kKiB);          // no budget
  EXPECT_EQ(ArenaBlockBytes(64 * kMiB, 0, 4), 1 * kMiB);
  EXPECT_EQ(ArenaBlockBytes(4 * kMiB, 32 * kMiB, 4), 512 * kKiB);  // 4 blocks = 2 MiB <= 4 MiB
  EXPECT_EQ(ArenaBlockBytes(64 * kMiB, 512 * kMiB, 8), 1 * kMiB);
}

TEST(ArenaBlockBytesTest, CappedSoOneBlockOfEveryColumnFamilyFitsAnEighthOfTheBudget) {
  // 6 MiB budget, 18 column families: 6 MiB / 8 / 18 = 43690 -> 40 KiB pages.
  EXPECT_EQ(ArenaBlockBytes(4 * kMiB, 6 * kMiB, 18), 40 * kKiB);
  EXPECT_LE(18 * ArenaBlockBytes(4 * kMiB, 6 * kMiB, 18), 6 * kMiB / 8);
  // 32 MiB, 17: 240 KiB.
  EXPECT_EQ(ArenaBlockBytes(4 * kMiB, 32 * kMiB, 17), 240 * kKiB);
  // Never below the floor, however many column families.
  EXPECT_EQ(ArenaBlockBytes(4 * kMiB, 1 * kMiB, 1000), kMinArenaBlockBytes);
  // Nor above RocksDB's own choice for a small memtable.
  EXPECT_EQ(ArenaBlockBytes(64 * kKiB, 1 * kMiB, 1000), 8 * kKiB);
}

TEST(ShardedWriteBufferCapTest, AThirdOfTheBudgetInWhole64KiB) {
  EXPECT_EQ(ShardedWriteBufferCap(6 * kMiB), 2 * kMiB);
  EXPECT_EQ(ShardedWriteBufferCap(3 * kMiB), 1 * kMiB);
  EXPECT_EQ(ShardedWriteBufferCap(32 * kMiB), 10 * kMiB + 640 * kKiB);  // 10.67 MiB, rounded down
  EXPECT_EQ(ShardedWriteBufferCap(100 * kKiB), 64 * kKiB);             // the floor
  EXPECT_EQ(ShardedWriteBufferCap(0), UINT64_MAX);                      // no budget, no cap
}

}  // namespace
}  // namespace metakv
