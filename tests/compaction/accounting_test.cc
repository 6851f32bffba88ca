// Write accounting checked against what is on disk: the live SST files per
// column family (sizes, key ranges, table properties) for flush and
// compaction bytes per domain and tenant, the WAL files' sizes for WAL
// bytes; RocksDB's statistics for the totals.
#include "compaction/accounting.h"

#include <gtest/gtest.h>
#include <rocksdb/metadata.h>
#include <rocksdb/statistics.h>
#include <rocksdb/table_properties.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <random>

#include "codecs/key_codec.h"
#include "compaction/record_properties.h"
#include "engine/store_impl.h"
#include "metakv/store.h"
#include "tests/testutil.h"

namespace metakv {
namespace {

// The live SST files of a domain, each with the one tenant all its keys
// belong to (from the file's smallest and largest key; "" if they differ or
// do not decode).
struct LiveFile {
  std::string name;
  int level = 0;
  uint64_t size = 0;
  std::string tenant;
};

std::vector<LiveFile> LiveFiles(Store* store, const std::string& domain) {
  rocksdb::ColumnFamilyMetaData meta;
  ImplOf(store)->TEST_db()->GetColumnFamilyMetaData(ImplOf(store)->TEST_cf(domain), &meta);
  std::vector<LiveFile> out;
  for (const auto& level : meta.levels) {
    for (const auto& f : level.files) {
      std::string first, last;
      std::string_view key;
      const bool ok = codecs::DecodeKey(f.smallestkey, &first, &key).ok() &&
                      codecs::DecodeKey(f.largestkey, &last, &key).ok();
      out.push_back(LiveFile{f.name, level.level, f.size, ok && first == last ? first : ""});
    }
  }
  return out;
}

const DomainStats& Domain(const Stats& stats, const std::string& name) {
  for (const DomainStats& d : stats.domains) {
    if (d.name == name) return d;
  }
  ADD_FAILURE() << "no domain " << name;
  return stats.domains.at(0);
}

std::map<std::string, TenantStats> Tenants(const DomainStats& d) {
  std::map<std::string, TenantStats> out;
  for (const TenantStats& t : d.top_tenants) out[t.tenant] = t;
  return out;
}

// Flush and compaction bytes, per domain and per tenant, checked against
// the files themselves: the live files' sizes per column family
// (GetColumnFamilyMetaData) and the tenant their keys belong to. Tenants
// are written one at a time and flushed alone, and compaction output is cut
// at every tenant boundary (partition_min_file_fraction 0), so every file
// belongs to one tenant, known from its key range.
TEST(AccountingTest, FlushAndCompactionBytesAreChargedToTheirDomainAndTenant) {
  test::TempDir dir;
  Options options = test::SmallOptions();
  options.maintenance_interval_seconds = 0;
  options.flush_controller_interval_seconds = 0;
  for (auto& d : options.domains) {
    // No compaction until asked for: neither by L0 file count nor by size
    // (RocksDB also scores L0 by its bytes over max_bytes_for_level_base).
    d.level0_compaction_trigger = 100;
    d.adaptive_level0_trigger = false;
    d.max_bytes_for_level_base = 64 << 20;
    d.adaptive_write_buffer = false;
    d.partition_min_file_fraction = 0;
  }
  std::unique_ptr<Store> store;
  ASSERT_TRUE(Store::Open(options, dir.path(), &store).ok());
  rocksdb::Statistics* rs = ImplOf(store)->TEST_statistics();
  ASSERT_NE(rs, nullptr);
  // Open wrote the catalogue (and flushed it); count from here.
  const uint64_t flush_base = rs->getTickerCount(rocksdb::FLUSH_WRITE_BYTES);

  // Different tenants and volumes in two domains, each tenant flushed alone.
  const std::vector<std::pair<std::string, std::vector<std::pair<std::string, int>>>> plan = {
      {"inode", {{"heavy", 3000}, {"light0", 300}, {"light1", 150}, {"light2", 600}}},
      {"dentry", {{"heavy", 500}, {"other", 1200}}},
  };
  std::map<std::string, std::map<std::string, uint64_t>> user;  // domain -> tenant -> bytes
  std::mt19937 rng(3);
  for (int round = 0; round < 2; ++round) {
    for (const auto& [domain, tenants] : plan) {
      for (const auto& [tenant, n] : tenants) {
        for (int i = 0; i < n / 2; ++i) {
          const std::string key = "k" + std::to_string(rng() % 100000);
          std::string value(60 + rng() % 80, '\0');
          for (char& c : value) c = static_cast<char>(rng());
          ASSERT_TRUE(store->Put(WriteOptions(), domain, tenant, key, value).ok());
          user[domain][tenant] += tenant.size() + key.size() + value.size();
        }
        ASSERT_TRUE(store->Flush(domain).ok());
      }
    }
  }
  ASSERT_TRUE(store->WaitForBackgroundWork().ok());

  // ---- Flushes only: every live file is a flush's, of one tenant ----
  Stats stats;
  ASSERT_TRUE(store->GetStats(&stats).ok());
  uint64_t flushes = 0;
  for (const auto& [domain, tenants] : plan) {
    SCOPED_TRACE(domain);
    const DomainStats& d = Domain(stats, domain);
    const std::vector<LiveFile> files = LiveFiles(store.get(), domain);
    ASSERT_GE(files.size(), 2 * tenants.size());
    uint64_t live = 0, user_total = 0;
    std::map<std::string, uint64_t> per_tenant;
    for (const LiveFile& f : files) {
      EXPECT_EQ(f.level, 0) << f.name;
      ASSERT_NE(f.tenant, "") << f.name << " holds several tenants";
      live += f.size;
      per_tenant[f.tenant] += f.size;
    }
    for (const auto& [tenant, bytes] : user[domain]) user_total += bytes;
    EXPECT_EQ(d.flush_bytes_written, live);
    EXPECT_EQ(d.compaction_bytes_written, 0u);
    EXPECT_EQ(d.user_bytes_written, user_total);
    EXPECT_DOUBLE_EQ(d.write_amplification, double(live) / double(user_total));
    flushes += d.flushes;
    const auto charged = Tenants(d);
    EXPECT_EQ(charged.size(), tenants.size());
    for (const auto& [tenant, n] : tenants) {
      SCOPED_TRACE(tenant);
      ASSERT_EQ(charged.count(tenant), 1u);
      EXPECT_EQ(charged.at(tenant).flush_bytes_written, per_tenant[tenant]);
      EXPECT_EQ(charged.at(tenant).compaction_bytes_written, 0u);
      EXPECT_EQ(charged.at(tenant).user_bytes_written, user[domain][tenant]);
    }
    // The files' own tenant figures (what the ledger reads) name that tenant.
    rocksdb::TablePropertiesCollection props;
    ASSERT_TRUE(ImplOf(store)
                    ->TEST_db()
                    ->GetPropertiesOfAllTables(ImplOf(store)->TEST_cf(domain), &props)
                    .ok());
    ASSERT_EQ(props.size(), files.size());
    for (const LiveFile& f : files) {
      const auto it = std::find_if(props.begin(), props.end(), [&](const auto& p) {
        return p.first.size() >= f.name.size() &&
               p.first.compare(p.first.size() - f.name.size(), f.name.size(), f.name) == 0;
      });
      ASSERT_NE(it, props.end()) << f.name;
      FileRecordStats rec;
      ASSERT_TRUE(FileRecordStats::FromProperties(it->second->user_collected_properties, &rec));
      ASSERT_EQ(rec.tenant_bytes.size(), 1u) << f.name;
      std::string tenant;
      std::string_view key;
      ASSERT_TRUE(codecs::DecodeKey(rec.tenant_bytes[0].first, &tenant, &key).ok());
      EXPECT_EQ(tenant, f.tenant) << f.name;
      EXPECT_EQ(rec.other_tenant_bytes, 0u);
    }
  }
  EXPECT_EQ(Domain(stats, "history").flush_bytes_written, 0u);
  // RocksDB's flush ticker also counts the MANIFEST edits the flush thread
  // writes (some 100-200 bytes per flush); ours is the flushed files alone.
  const uint64_t ticker_flush = rs->getTickerCount(rocksdb::FLUSH_WRITE_BYTES) - flush_base;
  EXPECT_LE(stats.flush_bytes_written, ticker_flush);
  EXPECT_LE(ticker_flush - stats.flush_bytes_written, 300 * flushes)
      << "ours " << stats.flush_bytes_written << " ticker " << ticker_flush;

  // ---- Compaction: every byte written and read, per domain ----
  ASSERT_TRUE(store->CompactRange().ok());
  ASSERT_TRUE(store->WaitForBackgroundWork().ok());
  ASSERT_TRUE(store->GetStats(&stats).ok());
  EXPECT_EQ(stats.compaction_bytes_written, rs->getTickerCount(rocksdb::COMPACT_WRITE_BYTES));
  std::map<std::string, std::map<std::string, uint64_t>> compaction_before;
  for (const auto& [domain, tenants] : plan) {
    SCOPED_TRACE(domain);
    const DomainStats& d = Domain(stats, domain);
    uint64_t live = 0;
    for (const LiveFile& f : LiveFiles(store.get(), domain)) {
      EXPECT_GT(f.level, 0) << f.name;
      live += f.size;
    }
    EXPECT_GT(d.compaction_bytes_written, 0u);
    // Files come from flushes and compactions and go by compaction: what is
    // left is the difference, exactly.
    EXPECT_EQ(d.flush_bytes_written + d.compaction_bytes_written - d.compaction_bytes_read, live)
        << "flush " << d.flush_bytes_written << " compaction written " << d.compaction_bytes_written
        << " read " << d.compaction_bytes_read;
    for (const auto& [tenant, t] : Tenants(d)) {
      compaction_before[domain][tenant] = t.compaction_bytes_written;
    }
  }

  // ---- One more compaction of the last level: it writes exactly the live
  // files, each charged to its tenant ----
  ASSERT_TRUE(store->CompactRange().ok());
  ASSERT_TRUE(store->WaitForBackgroundWork().ok());
  Stats after;
  ASSERT_TRUE(store->GetStats(&after).ok());
  for (const auto& [domain, tenants] : plan) {
    SCOPED_TRACE(domain);
    const DomainStats& d = Domain(after, domain);
    std::map<std::string, uint64_t> per_tenant;
    uint64_t live = 0;
    for (const LiveFile& f : LiveFiles(store.get(), domain)) {
      ASSERT_NE(f.tenant, "") << f.name << " holds several tenants";
      per_tenant[f.tenant] += f.size;
      live += f.size;
    }
    EXPECT_EQ(d.compaction_bytes_written - Domain(stats, domain).compaction_bytes_written, live);
    const auto charged = Tenants(d);
    for (const auto& [tenant, n] : tenants) {
      SCOPED_TRACE(tenant);
      ASSERT_EQ(charged.count(tenant), 1u);
      EXPECT_EQ(charged.at(tenant).compaction_bytes_written - compaction_before[domain][tenant],
                per_tenant[tenant]);
    }
  }
  ASSERT_TRUE(store->Close().ok());
}

// WAL bytes against the WAL files on disk: RocksDB's ticker counts each
// write's batch; the file holds it plus a 7-byte header per record
// fragment and at most 6 bytes of padding per 32 KiB block.
TEST(AccountingTest, WalBytesMatchTheWalFilesOnDisk) {
  test::TempDir dir;
  Options options = test::SmallOptions();
  options.maintenance_interval_seconds = 0;
  options.flush_controller_interval_seconds = 0;
  for (auto& d : options.domains) {
    d.write_buffer_bytes = 4 << 20;  // nothing is flushed: the WAL stays
    d.max_write_buffer_bytes = 4 << 20;
  }
  std::unique_ptr<Store> store;
  ASSERT_TRUE(Store::Open(options, dir.path(), &store).ok());
  auto wal_files = [&] {
    std::map<std::string, uint64_t> out;
    for (const auto& e : std::filesystem::directory_iterator(dir.path())) {
      if (e.path().extension() == ".log") out[e.path().filename()] = e.file_size();
    }
    return out;
  };
  const std::map<std::string, uint64_t> files_before = wal_files();
  Stats stats;
  ASSERT_TRUE(store->GetStats(&stats).ok());
  const uint64_t wal_before = stats.wal_bytes_written;

  constexpr int kWrites = 2000;
  uint64_t user_bytes = 0;
  std::mt19937 rng(5);
  for (int i = 0; i < kWrites; ++i) {
    const std::string domain = i % 2 ? "inode" : "dentry";
    const std::string key = "k" + std::to_string(i);
    const std::string value(20 + rng() % 200, 'v');
    ASSERT_TRUE(store->Put(WriteOptions(), domain, "t", key, value).ok());
    user_bytes += 1 + key.size() + value.size();
  }
  ASSERT_TRUE(store->GetStats(&stats).ok());
  const std::map<std::string, uint64_t> files_after = wal_files();
  uint64_t grown = 0;
  for (const auto& [name, size] : files_after) {
    const auto it = files_before.find(name);
    const uint64_t before = it == files_before.end() ? 0 : it->second;
    ASSERT_GE(size, before) << name;
    grown += size - before;
  }
  for (const auto& [name, size] : files_before) {
    EXPECT_EQ(files_after.count(name), 1u) << name << " went: the test needs every WAL byte";
  }
  const uint64_t reported = stats.wal_bytes_written - wal_before;
  EXPECT_GT(reported, user_bytes) << "every record went through the WAL, with its header";
  ASSERT_GE(grown, reported);
  const uint64_t blocks = grown / 32768 + 1;
  EXPECT_GE(grown - reported, 7u * kWrites) << "grown " << grown << " reported " << reported;
  EXPECT_LE(grown - reported, 7u * (kWrites + blocks) + 6u * blocks)
      << "grown " << grown << " reported " << reported;
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

// A file of the given (tenant, key + value bytes) and size.
FileBytes File(std::vector<std::pair<std::string, uint64_t>> tenants, uint64_t size,
               uint64_t other = 0) {
  FileBytes f;
  for (auto& [tenant, bytes] : tenants) f.first.tenant_bytes.emplace_back(tenant, bytes);
  f.first.other_tenant_bytes = other;
  f.second = size;
  return f;
}

TEST(AccountingTest, LevelZeroRewritesForOtherTenantsFollowTheirShareOfLevelZero) {
  // One tenant wrote everything: its level-1 bytes are its own rewrite.
  LevelZeroRewrite r = LevelZeroRewriteOf({File({{"a", 10}}, 100)}, {File({{"a", 5}}, 400)});
  EXPECT_EQ(r.l1_bytes, 400u);
  EXPECT_EQ(r.for_others, 0u);
  // A tenant absent from level 0 is rewritten wholly for the others.
  r = LevelZeroRewriteOf({File({{"a", 10}}, 100)}, {File({{"a", 1}, {"b", 3}}, 400)});
  EXPECT_EQ(r.l1_bytes, 400u);
  EXPECT_EQ(r.for_others, 300u);
  // Level 0 is a quarter a's, three quarters b's (two files of 100 and 300
  // bytes); level 1 holds 200 bytes of a and 200 of b: a's count for
  // others by 3/4, b's by 1/4.
  r = LevelZeroRewriteOf({File({{"a", 1}}, 100), File({{"b", 7}}, 300)},
                         {File({{"a", 2}}, 200), File({{"b", 9}}, 200)});
  EXPECT_EQ(r.l1_bytes, 400u);
  EXPECT_EQ(r.for_others, 200u);
  // Nothing from level 1 (a compaction into an empty range): nothing rewritten.
  r = LevelZeroRewriteOf({File({{"a", 1}, {"b", 1}}, 100)}, {});
  EXPECT_EQ(r.l1_bytes, 0u);
  EXPECT_EQ(r.for_others, 0u);
  // A file's untracked rest counts as one more tenant.
  r = LevelZeroRewriteOf({File({{"a", 1}}, 100, /*other=*/1)}, {File({}, 100, /*other=*/1)});
  EXPECT_EQ(r.for_others, 50u);
  // Level-0 files without record stats leave nothing to charge.
  r = LevelZeroRewriteOf({File({}, 100)}, {File({{"a", 1}}, 100)});
  EXPECT_EQ(r.l1_bytes, 100u);
  EXPECT_EQ(r.for_others, 0u);
}

// On a real store: compactions from level 0 count their level-1 input, and
// the part rewritten for others is 0 while one tenant writes, and not once
// tenants interleave.
TEST(AccountingTest, LevelZeroRewritesAreCountedOnARealStore) {
  for (const int tenants : {1, 6}) {
    test::TempDir dir;
    Options options = test::SmallOptions();
    for (auto& d : options.domains) d.partition_by_tenant = false;
    std::unique_ptr<Store> store;
    ASSERT_TRUE(Store::Open(options, dir.path(), &store).ok());
    std::mt19937_64 rng(7);
    const std::string value(100, 'v');
    for (int i = 0; i < 20000; ++i) {
      const std::string tenant = "t" + std::to_string(rng() % tenants);
      const std::string key = "k" + std::to_string(rng() % 4000);
      ASSERT_TRUE(store->Put(WriteOptions(), "inode", tenant, key, value).ok());
    }
    ASSERT_TRUE(store->WaitForBackgroundWork(60000).ok());
    Stats stats;
    ASSERT_TRUE(store->GetStats(&stats).ok());
    const DomainStats& inode = Domain(stats, "inode");
    EXPECT_GT(inode.l0_compactions, 0u) << tenants << " tenants";
    EXPECT_GT(inode.l0_l1_rewritten_bytes, 0u) << tenants << " tenants";
    EXPECT_LE(inode.l0_l1_rewritten_bytes, inode.compaction_bytes_read);
    if (tenants == 1) {
      EXPECT_EQ(inode.l0_l1_for_others_bytes, 0u);
    } else {
      EXPECT_GT(inode.l0_l1_for_others_bytes, 0u);
      EXPECT_LT(inode.l0_l1_for_others_bytes, inode.l0_l1_rewritten_bytes);
    }
    uint64_t property = 0;
    ASSERT_TRUE(store->GetIntProperty("inode", "metakv.l0-l1-for-others-bytes", &property).ok());
    EXPECT_EQ(property, inode.l0_l1_for_others_bytes);
    ASSERT_TRUE(store->Close().ok());
  }
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
