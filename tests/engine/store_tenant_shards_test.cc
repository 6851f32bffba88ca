// Tenant shards (DomainOptions::tenant_shards): each tenant's records live
// wholly in one column family of its domain, chosen by codecs::TenantShard;
// tenant reads go to that shard, domain-wide scans merge every shard; the
// count is fixed at creation; stats and removals speak of the domain.
#include <rocksdb/convenience.h>
#include <rocksdb/env.h>
#include <rocksdb/utilities/options_util.h>

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "codecs/key_codec.h"
#include "metakv/store.h"
#include "tests/engine/raw_rocksdb.h"
#include "tests/engine/store_fixture.h"

namespace metakv::test {
namespace {

constexpr uint32_t kShards = 4;

class TenantShardsTest : public StoreTest {
 protected:
  void SetUp() override {
    clock_ = std::make_shared<ManualClock>(1700000000ull * 1000000);
    options_ = SmallOptions(clock_);
    SetShards(kShards);
    OpenStore();
  }
  void SetShards(uint32_t shards) {
    for (auto& d : options_.domains) {
      if (d.temperature == Temperature::kHot) d.tenant_shards = shards;
    }
  }
  static std::string Tenant(int i) { return "tenant" + std::to_string(i); }
  static std::string Key(int i) {
    char buf[16];
    snprintf(buf, sizeof(buf), "k%04d", i);
    return buf;
  }
  // Writes kTenants tenants' records into inode, returning the model.
  DomainModel Fill(int tenants, int keys) {
    DomainModel model;
    for (int k = 0; k < keys; ++k) {
      for (int t = 0; t < tenants; ++t) {
        const std::string v = "v" + std::to_string(t) + "." + std::to_string(k);
        EXPECT_TRUE(Put(kInode, Tenant(t), Key(k), v).ok());
        model[{Tenant(t), Key(k)}] = v;
      }
    }
    return model;
  }
};

TEST_F(TenantShardsTest, EachTenantLivesWhollyInItsShard) {
  const DomainModel model = Fill(40, 30);
  FlushAndCompact();
  MKV_ASSERT_OK(store_->Close());
  store_.reset();

  RawDb raw(dir_.path(), /*read_only=*/true);
  ASSERT_TRUE(raw.ok());
  std::set<std::string> seen_tenants;
  for (uint32_t shard = 0; shard < kShards; ++shard) {
    const std::string cf = shard == 0 ? kInode : kInode + "#" + std::to_string(shard);
    const std::vector<std::string> keys = raw.Keys(cf);
    EXPECT_FALSE(keys.empty()) << cf << " holds nothing: 40 tenants should reach every shard";
    for (const std::string& encoded : keys) {
      std::string tenant;
      std::string_view key;
      ASSERT_TRUE(codecs::DecodeKey(encoded, &tenant, &key).ok());
      EXPECT_EQ(codecs::TenantShard(tenant, kShards), shard) << tenant << " found in " << cf;
      seen_tenants.insert(tenant);
    }
  }
  EXPECT_EQ(seen_tenants.size(), 40u);
  // The cold domain has no shards.
  for (const std::string& name : {kHistory + "#1", kDentry + "#4"}) {
    std::vector<std::string> names;
    ASSERT_TRUE(rocksdb::DB::ListColumnFamilies(rocksdb::DBOptions(), dir_.path(), &names).ok());
    EXPECT_EQ(std::count(names.begin(), names.end(), name), 0) << name;
  }
}

TEST_F(TenantShardsTest, ReadsAndScansSeeEveryShard) {
  DomainModel model = Fill(24, 20);
  // Some records in files at several levels, some in memtables; a few deleted.
  MKV_ASSERT_OK(store_->Flush());
  for (int t = 0; t < 24; t += 5) {
    MKV_ASSERT_OK(Delete(kInode, Tenant(t), Key(3)));
    model.erase({Tenant(t), Key(3)});
  }
  MKV_ASSERT_OK(Put(kInode, Tenant(7), Key(100), "late"));
  model[{Tenant(7), Key(100)}] = "late";

  for (const auto& [tk, v] : model) EXPECT_EQ(Get(kInode, tk.first, tk.second), v);
  // MultiGet across shards.
  std::vector<std::string> tenants;  // KeyRef holds views
  for (int t = 0; t < 24; ++t) tenants.push_back(Tenant(t));
  const std::string key3 = Key(3);
  std::vector<KeyRef> refs;
  std::vector<std::string> want;
  for (int t = 0; t < 24; ++t) {
    refs.push_back(KeyRef{kInode, tenants[t], key3});
    auto it = model.find({Tenant(t), Key(3)});
    want.push_back(it == model.end() ? "NOT_FOUND" : it->second);
  }
  std::vector<std::string> values;
  std::vector<Status> statuses;
  MKV_ASSERT_OK(store_->MultiGet(ReadOptions(), refs, &values, &statuses));
  for (size_t i = 0; i < refs.size(); ++i) {
    EXPECT_EQ(statuses[i].IsNotFound() ? "NOT_FOUND" : values[i], want[i]) << refs[i].tenant;
  }

  // Domain-wide: forward, backward, and a tenant's scan.
  const std::vector<Entry> all = ModelScan(model, ScanSpec());
  EXPECT_EQ(ScanForward(store_.get(), kInode, ScanSpec()), all);
  EXPECT_EQ(Reversed(ScanBackward(store_.get(), kInode, ScanSpec())), all);
  EXPECT_EQ(ScanForward(store_.get(), kInode, TenantSpec(Tenant(7))),
            ModelScan(model, TenantSpec(Tenant(7))));

  // Seeks and changes of direction across shard boundaries.
  std::unique_ptr<Iterator> it;
  MKV_ASSERT_OK(store_->NewIterator(ReadOptions(), kInode, ScanSpec(), &it));
  for (size_t i = 0; i + 1 < all.size(); i += 37) {
    it->Seek(all[i].tenant, all[i].key);
    ASSERT_TRUE(it->Valid()) << i;
    EXPECT_EQ(Current(*it), all[i]);
    it->Next();
    ASSERT_TRUE(it->Valid());
    EXPECT_EQ(std::string(it->tenant()) + "/" + std::string(it->key()),
              all[i + 1].tenant + "/" + all[i + 1].key);
    it->Prev();
    ASSERT_TRUE(it->Valid());
    EXPECT_EQ(std::string(it->tenant()) + "/" + std::string(it->key()),
              all[i].tenant + "/" + all[i].key);
    if (i > 0) {
      it->Prev();
      ASSERT_TRUE(it->Valid());
      EXPECT_EQ(std::string(it->tenant()) + "/" + std::string(it->key()),
                all[i - 1].tenant + "/" + all[i - 1].key);
      it->Next();
      it->Next();
      ASSERT_TRUE(it->Valid());
      EXPECT_EQ(std::string(it->key()), all[i + 1].key);
    }
    it->SeekForPrev(all[i].tenant, all[i].key + "~");
    ASSERT_TRUE(it->Valid());
    EXPECT_EQ(std::string(it->tenant()) + "/" + std::string(it->key()),
              all[i].tenant + "/" + all[i].key);
  }
  MKV_EXPECT_OK(it->status());
}

TEST_F(TenantShardsTest, ADomainWideScanReadsEveryShardAtOneMoment) {
  Fill(16, 4);
  std::unique_ptr<Iterator> it;
  MKV_ASSERT_OK(store_->NewIterator(ReadOptions(), kInode, ScanSpec(), &it));
  // Written after the iterator was made, in every shard: never seen.
  for (int t = 0; t < 16; ++t) MKV_ASSERT_OK(Put(kInode, Tenant(t), "after", "x"));
  MKV_ASSERT_OK(store_->Flush());
  size_t n = 0;
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    EXPECT_NE(it->key(), "after");
    ++n;
  }
  MKV_EXPECT_OK(it->status());
  EXPECT_EQ(n, 16u * 4);
}

TEST_F(TenantShardsTest, ADomainKeepsTheShardCountItWasCreatedWith) {
  const DomainModel model = Fill(12, 5);
  for (uint32_t declared : {1u, 2u, 8u}) {
    SetShards(declared);
    Reopen();
    uint64_t shards = 0;
    MKV_ASSERT_OK(store_->GetIntProperty(kInode, "metakv.tenant-shards", &shards));
    EXPECT_EQ(shards, kShards) << "declared " << declared;
    EXPECT_EQ(ScanForward(store_.get(), kInode, ScanSpec()), ModelScan(model, ScanSpec()));
  }
  // The names users see are the domains'.
  std::vector<std::string> names = store_->DomainNames();
  std::sort(names.begin(), names.end());
  EXPECT_EQ(names, (std::vector<std::string>{kDentry, kHistory, kInode}));
}

TEST_F(TenantShardsTest, AStoreWithoutShardsKeepsNone) {
  TempDir other;
  Options plain = SmallOptions(clock_);
  std::unique_ptr<Store> store;
  MKV_ASSERT_OK(Store::Open(plain, other.path(), &store));
  MKV_ASSERT_OK(store->Put(WriteOptions(), kInode, "t", "k", "v"));
  MKV_ASSERT_OK(store->Close());
  store.reset();
  MKV_ASSERT_OK(Store::Open(options_, other.path(), &store));  // declares 4
  uint64_t shards = 0;
  MKV_ASSERT_OK(store->GetIntProperty(kInode, "metakv.tenant-shards", &shards));
  EXPECT_EQ(shards, 1u);
  std::string v;
  MKV_ASSERT_OK(store->Get(ReadOptions(), kInode, "t", "k", &v));
  EXPECT_EQ(v, "v");
  MKV_ASSERT_OK(store->Close());
}

// Many column families share one memtable budget. RocksDB's write buffer
// manager flushes the oldest memtable once 7/8 of the budget is held, so
// memtables (and their first arena blocks) sized for a store without shards
// would flush quiet shards of a few KiB on every write. With shards every
// memtable is capped at a third of the budget, and every first arena block
// fits an eighth of it, so a busy tenant's shard fills and flushes itself.
TEST_F(TenantShardsTest, ShardsShareTheMemtableBudget) {
  MKV_ASSERT_OK(store_->Close());
  store_.reset();
  options_ = SmallOptions(clock_);
  options_.create_if_missing = true;
  options_.memory_budget_bytes = 6 << 20;  // memtables: 3 MiB
  constexpr uint64_t kCap = 1 << 20;       // a third of it
  for (auto& d : options_.domains) {
    d.write_buffer_bytes = 4 << 20;
    d.max_write_buffer_bytes = 32 << 20;
    if (d.temperature == Temperature::kHot) d.tenant_shards = 16;
  }
  TempDir dir;
  std::unique_ptr<Store> store;
  MKV_ASSERT_OK(Store::Open(options_, dir.path(), &store));

  // One busy tenant writes 8 MiB of incompressible values; 31 quiet ones a
  // record now and then.
  std::mt19937_64 rng(7);
  std::string value(2048, '\0');
  for (int i = 0; i < 4096; ++i) {
    for (char& c : value) c = static_cast<char>(rng());
    MKV_ASSERT_OK(store->Put(WriteOptions(), kInode, "busy", Key(i), value));
    if (i % 16 == 0) {
      MKV_ASSERT_OK(store->Put(WriteOptions(), kInode, Tenant(i / 16 % 31), Key(i), "small"));
    }
  }
  Stats stats;
  MKV_ASSERT_OK(store->GetStats(&stats));
  const DomainStats* inode = nullptr;
  for (const auto& d : stats.domains) {
    if (d.name == kInode) inode = &d;
  }
  ASSERT_NE(inode, nullptr);
  ASSERT_GT(inode->flushes, 0u);
  // 8 MiB through the busy shard's 1 MiB memtable: it fills and flushes
  // itself, in about 8 flushes of nearly 1 MiB, and the budget never has
  // to force one. Uncapped (4 MiB memtables, 512 KiB arena blocks), the
  // write buffer manager made every flush, 16 of about 400 KiB.
  EXPECT_EQ(inode->memory_budget_flushes, 0u) << inode->flushes << " flushes";
  EXPECT_LE(inode->flushes, 12u);
  EXPECT_GE(inode->flush_bytes_written / inode->flushes, 640u << 10);
  MKV_ASSERT_OK(store->Close());
  store.reset();

  // What RocksDB was given, from the OPTIONS file it keeps.
  rocksdb::DBOptions db_options;
  std::vector<rocksdb::ColumnFamilyDescriptor> cfs;
  rocksdb::ConfigOptions config;
  config.env = rocksdb::Env::Default();
  config.ignore_unknown_options = true;
  ASSERT_TRUE(rocksdb::LoadLatestOptions(config, dir.path(), &db_options, &cfs).ok());
  ASSERT_EQ(cfs.size(), 1u + 16 + 16 + 1);  // default, inode and dentry shards, history
  // An eighth of the budget over the column families, in pages, but at
  // least 16 KiB (kMinArenaBlockBytes): here the floor.
  const uint64_t arena_cap = std::max<uint64_t>(16 << 10, (3u << 20) / 8 / cfs.size() / 4096 * 4096);
  for (const auto& cf : cfs) {
    if (cf.name == rocksdb::kDefaultColumnFamilyName) continue;
    EXPECT_LE(cf.options.write_buffer_size, kCap) << cf.name;
    EXPECT_GT(cf.options.arena_block_size, 0u) << cf.name;
    EXPECT_LE(cf.options.arena_block_size, arena_cap) << cf.name;
  }
}

TEST_F(TenantShardsTest, BadShardCountsAreRefused) {
  for (uint32_t bad : {0u, 65u}) {
    Options o = SmallOptions(clock_);
    o.domains[0].tenant_shards = bad;
    TempDir d;
    std::unique_ptr<Store> store;
    MKV_EXPECT_CODE(kInvalidArgument, Store::Open(o, d.path(), &store));
  }
  Options o = SmallOptions(clock_);
  for (auto& d : o.domains) {
    if (d.temperature == Temperature::kCold) d.tenant_shards = 2;
  }
  TempDir d;
  std::unique_ptr<Store> store;
  MKV_EXPECT_CODE(kInvalidArgument, Store::Open(o, d.path(), &store));
}

TEST_F(TenantShardsTest, StatsAreTheDomainsAndSumTheShards) {
  Fill(20, 40);
  MKV_ASSERT_OK(store_->Flush());
  Stats stats;
  MKV_ASSERT_OK(store_->GetStats(&stats));
  const DomainStats* inode = nullptr;
  for (const auto& d : stats.domains) {
    EXPECT_EQ(d.name.find('#'), std::string::npos) << d.name;
    if (d.name == kInode) inode = &d;
  }
  ASSERT_NE(inode, nullptr);
  ASSERT_EQ(stats.domains.size(), 3u);
  EXPECT_EQ(inode->tenant_shards, kShards);
  ASSERT_EQ(inode->shard_level0_files.size(), kShards);
  uint64_t l0 = 0;
  for (uint64_t f : inode->shard_level0_files) {
    EXPECT_GE(f, 1u);  // every shard flushed a file of its own
    l0 += f;
  }
  ASSERT_FALSE(inode->levels.empty());
  EXPECT_EQ(inode->levels.front().files, l0);
  EXPECT_EQ(inode->puts, 20u * 40);
  EXPECT_GE(inode->flushes, kShards);
  uint64_t tenants_user = 0;
  for (const TenantStats& t : inode->top_tenants) tenants_user += t.user_bytes_written;
  EXPECT_LE(inode->top_tenants.size(), options_.stats_top_tenants);
  EXPECT_GT(tenants_user, 0u);
  // The store's totals are the domains'.
  uint64_t user = 0;
  for (const auto& d : stats.domains) user += d.user_bytes_written;
  EXPECT_EQ(stats.user_bytes_written, user);
}

TEST_F(TenantShardsTest, RemovalsReachTheTenantsShardAndNameTheDomain) {
  DomainModel model = Fill(12, 10);
  MKV_ASSERT_OK(store_->Flush());
  uint64_t id = 0;
  MKV_ASSERT_OK(store_->RemoveTree(WriteOptions(), Tenant(3), {PrefixRef{kInode, "k000"}},
                                   RemoveMode::kLogical, &id));
  MKV_ASSERT_OK(store_->RemoveTenant(WriteOptions(), Tenant(5)));
  std::vector<RemovalInfo> removals;
  MKV_ASSERT_OK(store_->ListRemovals(&removals));
  ASSERT_EQ(removals.size(), 2u);
  for (const RemovalInfo& r : removals) {
    for (const auto& [domain, prefix] : r.prefixes) {
      EXPECT_EQ(domain.find('#'), std::string::npos) << domain;
    }
  }
  for (auto it = model.begin(); it != model.end();) {
    const bool gone = it->first.first == Tenant(5) ||
                      (it->first.first == Tenant(3) && it->first.second.rfind("k000", 0) == 0);
    it = gone ? model.erase(it) : std::next(it);
  }
  EXPECT_EQ(ScanForward(store_.get(), kInode, ScanSpec()), ModelScan(model, ScanSpec()));
  EXPECT_EQ(Get(kInode, Tenant(5), Key(1)), "NOT_FOUND");
  // Purged from the files by the deadline, and restored trees come back.
  MKV_ASSERT_OK(store_->RestoreTree(WriteOptions(), id));
  for (int k = 0; k < 10; ++k) {
    if (Key(k).rfind("k000", 0) == 0) model[{Tenant(3), Key(k)}] = "v3." + std::to_string(k);
  }
  MKV_ASSERT_OK(store_->RunMaintenance(MaintenanceOptions::PurgeDeadlineOnly(0), nullptr));
  FlushAndCompact();
  EXPECT_EQ(ScanForward(store_.get(), kInode, ScanSpec()), ModelScan(model, ScanSpec()));
  uint64_t size = 1;
  MKV_ASSERT_OK(store_->GetApproximateSize(kInode, Tenant(5), "", &size));
  EXPECT_EQ(size, 0u);
  MKV_ASSERT_OK(store_->GetApproximateSize(kInode, "", "", &size));
  EXPECT_GT(size, 0u);
}

}  // namespace
}  // namespace metakv::test
