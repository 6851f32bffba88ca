// Write accounting checked against RocksDB's own statistics for the same run.
#include "compaction/accounting.h"

#include <gtest/gtest.h>
#include <rocksdb/statistics.h>

#include <map>
#include <random>

#include "compaction/record_properties.h"
#include "engine/store_impl.h"
#include "metakv/store.h"
#include "tests/testutil.h"

namespace metakv {
namespace {

TEST(AccountingTest, FiguresMatchRocksDbStatisticsAndAddUpPerTenant) {
  test::TempDir dir;
  Options options = test::SmallOptions();
  options.maintenance_interval_seconds = 0;
  std::unique_ptr<Store> store;
  ASSERT_TRUE(Store::Open(options, dir.path(), &store).ok());
  rocksdb::Statistics* rs = store->TEST_impl()->TEST_statistics();
  ASSERT_NE(rs, nullptr);
  // Open wrote the catalogue (and flushed it); count from here.
  const uint64_t flush_base = rs->getTickerCount(rocksdb::FLUSH_WRITE_BYTES);
  const uint64_t wal_base = rs->getTickerCount(rocksdb::WAL_FILE_BYTES);

  // Tenant "heavy" writes most; a few others write a little, in two domains.
  std::map<std::string, uint64_t> user_bytes;  // per domain
  std::map<std::string, uint64_t> heavy_user;  // per domain, tenant "heavy"
  std::mt19937 rng(3);
  for (int i = 0; i < 12000; ++i) {
    const std::string domain = (i % 3 == 0) ? "dentry" : "inode";
    const std::string tenant = (rng() % 4 == 0) ? "light" + std::to_string(rng() % 5) : "heavy";
    const std::string key = "k" + std::to_string(rng() % 4000);
    const std::string value(80 + rng() % 80, 'x');
    ASSERT_TRUE(store->Put(WriteOptions(), domain, tenant, key, value).ok());
    user_bytes[domain] += tenant.size() + key.size() + value.size();
    if (tenant == "heavy") heavy_user[domain] += tenant.size() + key.size() + value.size();
  }
  ASSERT_TRUE(store->Flush().ok());
  ASSERT_TRUE(store->WaitForBackgroundWork().ok());

  Stats stats;
  ASSERT_TRUE(store->GetStats(&stats).ok());
  // RocksDB's flush ticker also counts the MANIFEST edits the flush thread
  // writes (some 100-200 bytes per flush); ours is the flushed files alone.
  uint64_t flushes = 0;
  for (const DomainStats& d : stats.domains) flushes += d.flushes;
  const uint64_t ticker_flush = rs->getTickerCount(rocksdb::FLUSH_WRITE_BYTES) - flush_base;
  EXPECT_LE(stats.flush_bytes_written, ticker_flush);
  EXPECT_LE(ticker_flush - stats.flush_bytes_written, 300 * flushes)
      << "ours " << stats.flush_bytes_written << " ticker " << ticker_flush;
  EXPECT_GT(flushes, 10u);
  EXPECT_EQ(stats.compaction_bytes_written, rs->getTickerCount(rocksdb::COMPACT_WRITE_BYTES));
  EXPECT_GT(stats.wal_bytes_written - wal_base, 0u);
  EXPECT_GT(stats.compaction_bytes_written, 0u) << "the workload must reach compaction";

  for (const DomainStats& d : stats.domains) {
    EXPECT_EQ(d.user_bytes_written, user_bytes[d.name]) << d.name;
    const double wa = d.user_bytes_written == 0
                          ? 0
                          : double(d.flush_bytes_written + d.compaction_bytes_written +
                                   d.ingest_bytes_written) /
                                double(d.user_bytes_written);
    EXPECT_DOUBLE_EQ(d.write_amplification, wa) << d.name;
    if (d.user_bytes_written == 0) continue;
    // Per-tenant shares add up to the domain's figures exactly (6 tenants,
    // fewer than the top-N limit).
    uint64_t flush = 0, compaction = 0, user = 0;
    for (const TenantStats& t : d.top_tenants) {
      flush += t.flush_bytes_written;
      compaction += t.compaction_bytes_written;
      user += t.user_bytes_written;
    }
    EXPECT_EQ(flush, d.flush_bytes_written) << d.name;
    EXPECT_EQ(compaction, d.compaction_bytes_written) << d.name;
    EXPECT_EQ(user, d.user_bytes_written) << d.name;
    ASSERT_FALSE(d.top_tenants.empty());
    EXPECT_EQ(d.top_tenants[0].tenant, "heavy") << d.name;
    EXPECT_EQ(d.top_tenants[0].user_bytes_written, heavy_user[d.name]);
  }
  ASSERT_TRUE(store->Close().ok());
}

TEST(AccountingTest, LedgerIsBoundedAndSharesAddUp) {
  TenantLedger ledger;
  for (size_t i = 0; i < TenantLedger::kMaxTenants + 10; ++i) {
    ledger.AddUser("t" + std::to_string(i), 1);
  }
  auto top = ledger.Top(TenantLedger::kMaxTenants + 100);
  EXPECT_EQ(top.size(), TenantLedger::kMaxTenants + 1) << "the rest is summed under \"\"";
  uint64_t total = 0;
  for (const auto& [tenant, bytes] : top) total += bytes.user;
  EXPECT_EQ(total, TenantLedger::kMaxTenants + 10);

  TenantLedger shares;
  FileRecordStats file;
  file.tenant_bytes = {{"a\0\1", 700}, {"b\0\1", 200}};
  file.tenant_bytes[0].first = std::string("a\0\1", 3);
  file.tenant_bytes[1].first = std::string("b\0\1", 3);
  file.other_tenant_bytes = 100;
  shares.AddFile(file, TenantLedger::Reason::kCompaction, 1001);
  std::map<std::string, uint64_t> got;
  for (const auto& [tenant, bytes] : shares.Top(10)) got[tenant] = bytes.compaction;
  EXPECT_EQ(got["a"], 701u);  // 700.7 rounded down, plus the remainder
  EXPECT_EQ(got["b"], 200u);
  EXPECT_EQ(got[""], 100u);
}

// Files carry the newest record time since format version 2 (a removal's
// purge drops a file whole only if it is at or before the removal);
// version 1 files still decode, with that time unknown.
TEST(AccountingTest, RecordStatsCarryTheNewestRecordTimeAndVersionOneStillDecodes) {
  FileRecordStats stats;
  stats.records = 3;
  stats.permanent = 3;
  stats.max_record_time = 1700000123;
  const std::string v2 = stats.Encode();
  FileRecordStats back;
  ASSERT_TRUE(FileRecordStats::Decode(v2, &back));
  EXPECT_EQ(back.records, 3u);
  EXPECT_EQ(back.max_record_time, 1700000123u);

  stats.max_record_time = 5;  // one varint byte at the end
  std::string v1 = stats.Encode();
  ASSERT_EQ(v1[0], 2);  // the version, a one-byte varint
  v1[0] = 1;
  v1.pop_back();
  ASSERT_TRUE(FileRecordStats::Decode(v1, &back));
  EXPECT_EQ(back.records, 3u);
  EXPECT_EQ(back.max_record_time, FileRecordStats::kNever);
  // Version 2 without the time, or version 1 with it, is damaged.
  std::string cut = stats.Encode();
  cut.pop_back();
  EXPECT_FALSE(FileRecordStats::Decode(cut, &back));
  v1.push_back(5);
  EXPECT_FALSE(FileRecordStats::Decode(v1, &back));
}

}  // namespace
}  // namespace metakv
