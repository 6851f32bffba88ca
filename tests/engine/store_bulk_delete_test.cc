// Bulk deletes: RemoveTree (logical and hard), RestoreTree, RemoveTenant,
// and the purge deadline (RunMaintenance: the purge deadline, the maintenance pass), on a
// real store with a small LSM, checked against a model of every domain and
// against the SST files themselves (a purged record must be gone from every
// live file, not only hidden).
#include <rocksdb/db.h>
#include <rocksdb/sst_file_reader.h>
#include <rocksdb/table_properties.h>
#include <rocksdb/utilities/debug.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <climits>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <random>
#include <set>
#include <thread>

#include "codecs/key_codec.h"
#include "compaction/deadline_policy.h"
#include "engine/store_impl.h"
#include "tests/engine/store_fixture.h"
#include "tests/fault_fs.h"

namespace metakv::test {
namespace {

// Records of (tenant, key) with key in [first, first + prefix-successor)
// present in any live SST file of the domain, shadowed or not, plus the
// entries of its memtables.
uint64_t PhysicalRecords(Store* store, const std::string& domain, const std::string& tenant,
                         const std::string& prefix) {
  rocksdb::DB* db = ImplOf(store)->TEST_db();
  rocksdb::ColumnFamilyHandle* cf = ImplOf(store)->TEST_cf(domain);
  const std::string begin = codecs::EncodeKey(tenant, prefix);
  const std::string successor = codecs::PrefixSuccessor(prefix);
  const std::string end =
      successor.empty() ? codecs::TenantUpperBound(tenant) : codecs::EncodeKey(tenant, successor);
  // Settled first, so no compaction removes a file while it is read.
  EXPECT_TRUE(store->WaitForBackgroundWork().ok());
  rocksdb::ColumnFamilyMetaData meta;
  db->GetColumnFamilyMetaData(cf, &meta);
  uint64_t n = 0;
  for (const auto& level : meta.levels) {
    for (const auto& f : level.files) {
      rocksdb::SstFileReader reader(rocksdb::Options{});
      const rocksdb::Status s = reader.Open(f.db_path + f.name);
      EXPECT_TRUE(s.ok()) << f.name << ": " << s.ToString();
      if (!s.ok()) continue;
      std::unique_ptr<rocksdb::Iterator> it(reader.NewIterator(rocksdb::ReadOptions()));
      for (it->Seek(begin); it->Valid() && it->key().compare(end) < 0; it->Next()) ++n;
    }
  }
  uint64_t mem = 0;
  db->GetIntProperty(cf, rocksdb::DB::Properties::kNumEntriesActiveMemTable, &mem);
  n += mem;
  db->GetIntProperty(cf, rocksdb::DB::Properties::kNumEntriesImmMemTables, &mem);
  return n + mem;
}

// Every version RocksDB holds of each key of a domain, in its SST files and
// memtables, oldest last: "live" and "tombstone" (metakv records, by their
// kind), "marker" (a RocksDB deletion marker), or "type N". Unlike
// SstFileReader's iterator, which shows each file's newest visible version
// only, this sees deletion markers and the versions they shadow.
using PhysicalState = std::map<std::pair<std::string, std::string>, std::vector<std::string>>;

PhysicalState Physical(Store* store, const std::string& domain, uint64_t* markers) {
  rocksdb::DB* db = ImplOf(store)->TEST_db();
  rocksdb::ColumnFamilyHandle* cf = ImplOf(store)->TEST_cf(domain);
  EXPECT_TRUE(store->WaitForBackgroundWork().ok());
  std::vector<rocksdb::KeyVersion> versions;
  const rocksdb::Status rs = rocksdb::GetAllKeyVersions(db, cf, rocksdb::Slice(), rocksdb::Slice(),
                                                        size_t{1} << 24, &versions);
  EXPECT_TRUE(rs.ok()) << rs.ToString();
  PhysicalState out;
  *markers = 0;
  for (const rocksdb::KeyVersion& v : versions) {
    std::string tenant;
    std::string_view key;
    EXPECT_TRUE(codecs::DecodeKey(v.user_key, &tenant, &key).ok()) << P(v.user_key);
    std::string kind = "type " + std::to_string(v.type);
    if (v.type == 0x1) {  // kTypeValue
      codecs::Record record;
      const Status s = codecs::DecodeRecord(v.user_key, v.value, &record);
      kind = !s.ok() ? "bad record" : record.IsTombstone() ? "tombstone" : "live";
    } else if (v.type == 0x0) {  // kTypeDeletion
      kind = "marker";
      ++*markers;
    }
    out[{tenant, std::string(key)}].push_back(kind);
  }
  return out;
}

// The deletion markers in the domain's live SST files, by their table
// properties (a second witness to Physical's count).
uint64_t MarkersInFiles(Store* store, const std::string& domain) {
  rocksdb::TablePropertiesCollection props;
  const rocksdb::Status rs =
      ImplOf(store)->TEST_db()->GetPropertiesOfAllTables(ImplOf(store)->TEST_cf(domain), &props);
  EXPECT_TRUE(rs.ok()) << rs.ToString();
  uint64_t n = 0;
  for (const auto& [file, p] : props) n += p->num_deletions;
  return n;
}

// "" if the states are equal, else how many keys differ and the first few.
std::string Differences(const PhysicalState& got, const PhysicalState& want) {
  auto show = [](const std::vector<std::string>* v) {
    if (v == nullptr) return std::string("(absent)");
    std::string out;
    for (const auto& k : *v) out += (out.empty() ? "" : ",") + k;
    return out;
  };
  std::set<std::pair<std::string, std::string>> keys;
  for (const auto& [k, v] : got) keys.insert(k);
  for (const auto& [k, v] : want) keys.insert(k);
  size_t n = 0;
  std::string out;
  for (const auto& k : keys) {
    const auto g = got.find(k), w = want.find(k);
    const std::vector<std::string>* gv = g == got.end() ? nullptr : &g->second;
    const std::vector<std::string>* wv = w == want.end() ? nullptr : &w->second;
    if (gv != nullptr && wv != nullptr && *gv == *wv) continue;
    if (++n <= 4) {
      out += " " + k.first + "/" + k.second + ": " + show(gv) + " (want " + show(wv) + ");";
    }
  }
  return n == 0 ? "" : std::to_string(n) + " keys differ:" + out;
}

std::string Key(const std::string& tree, int dir, int file) {
  char buf[64];
  snprintf(buf, sizeof(buf), "%s/d%03d/f%04d", tree.c_str(), dir, file);
  return buf;
}

// Compares scans, printing only the first difference (values are long).
void ExpectSame(const std::vector<Entry>& got, const std::vector<Entry>& want,
                const std::string& what) {
  for (size_t i = 0; i < std::max(got.size(), want.size()); ++i) {
    if (i >= got.size() || i >= want.size() || !(got[i] == want[i])) {
      ADD_FAILURE() << what << ": " << got.size() << " entries, wanted " << want.size()
                    << "; first difference at " << i << ": got "
                    << (i < got.size() ? got[i].tenant + "/" + got[i].key : "(end)") << ", wanted "
                    << (i < want.size() ? want[i].tenant + "/" + want[i].key : "(end)");
      return;
    }
  }
}

class BulkDeleteTest : public StoreTest {
 protected:
  // Fills tenants a and b with trees T1 and T2 (dirs x files) in the inode
  // and dentry domains, and records each in the models; flushes now and
  // then so the records spread over levels.
  void Populate(int dirs = 8, int files = 60) {
    int n = 0;
    for (const std::string tenant : {"a", "b"}) {
      for (const std::string tree : {"T1", "T2"}) {
        for (int d = 0; d < dirs; ++d) {
          for (int f = 0; f < files; ++f) {
            const std::string key = Key(tree, d, f);
            const std::string value = RandomBytes(40, ++n);
            for (const std::string& domain : {kInode, kDentry}) {
              ASSERT_TRUE(Put(domain, tenant, key, value).ok());
              Model(domain)[{tenant, key}] = value;
            }
          }
        }
        MKV_ASSERT_OK(store_->Flush());
      }
    }
    MKV_ASSERT_OK(store_->WaitForBackgroundWork());
  }

  DomainModel& Model(const std::string& domain) { return models_[domain]; }

  // Drops (tenant, prefix) from the inode and dentry models.
  void ModelRemoveTree(const std::string& tenant, const std::string& prefix) {
    ModelRemove(kInode, tenant, prefix);
    ModelRemove(kDentry, tenant, prefix);
  }

  // Drops every model record of (tenant, prefix) in the domain into *out.
  void ModelRemove(const std::string& domain, const std::string& tenant, const std::string& prefix,
                   DomainModel* out = nullptr) {
    auto& m = Model(domain);
    for (auto it = m.begin(); it != m.end();) {
      if (it->first.first == tenant && it->first.second.rfind(prefix, 0) == 0) {
        if (out != nullptr) (*out)[it->first] = it->second;
        it = m.erase(it);
      } else {
        ++it;
      }
    }
  }

  // Every domain's scans (domain-wide, per tenant, per tree prefix, both
  // directions) and point reads equal the models.
  void ExpectMatchesModel(const Snapshot* snapshot = nullptr,
                          std::map<std::string, DomainModel>* models = nullptr) {
    auto& ms = models != nullptr ? *models : models_;
    for (const std::string& domain : {kInode, kDentry}) {
      const DomainModel& m = ms[domain];
      std::vector<ScanSpec> specs{ScanSpec{}};
      for (const std::string tenant : {"a", "b"}) {
        specs.push_back(TenantSpec(tenant));
        specs.push_back(TenantSpec(tenant, "T1/"));
        specs.push_back(TenantSpec(tenant, "T2/"));
        specs.push_back(TenantSpec(tenant, "", "T1/d003", "T2/d001"));
      }
      for (const ScanSpec& spec : specs) {
        const auto want = ModelScan(m, spec);
        const std::string what = domain + " tenant " + spec.tenant + " prefix " + spec.prefix;
        ExpectSame(ScanForward(store_.get(), domain, spec, snapshot), want, what + " forward");
        ExpectSame(ScanBackward(store_.get(), domain, spec, snapshot), Reversed(want),
                   what + " backward");
      }
      for (const std::string tenant : {"a", "b"}) {
        for (const std::string tree : {"T1", "T2", "T3"}) {
          for (int d : {0, 5}) {
            const std::string key = Key(tree, d, 7);
            auto it = m.find({tenant, key});
            EXPECT_EQ(Get(domain, tenant, key, snapshot), it == m.end() ? "NOT_FOUND" : it->second)
                << domain << " " << tenant << " " << key;
          }
        }
      }
    }
  }

  void ExpectSnapshotMatches(const Snapshot* snap, std::map<std::string, DomainModel> models) {
    ExpectMatchesModel(snap, &models);
  }

  Status RemoveTree(const std::string& tenant, const std::string& prefix, RemoveMode mode,
                    uint64_t* id = nullptr) {
    return store_->RemoveTree(WriteOptions(), tenant, {{kInode, prefix}, {kDentry, prefix}}, mode,
                              id);
  }

  DomainStats StatsOf(const std::string& domain) {
    Stats stats;
    EXPECT_TRUE(store_->GetStats(&stats).ok());
    for (auto& d : stats.domains) {
      if (d.name == domain) return d;
    }
    ADD_FAILURE() << "no domain " << domain;
    return {};
  }

  std::map<std::string, DomainModel> models_;
};

TEST_F(BulkDeleteTest, LogicalRemovalHidesTheTreeAndRestoreBringsAllOfItBack) {
  Populate();
  // One record of the tree deleted on its own before: it stays deleted.
  MKV_ASSERT_OK(Delete(kInode, "a", Key("T1", 2, 3)));
  Model(kInode).erase({"a", Key("T1", 2, 3)});
  const std::map<std::string, DomainModel> before = models_;
  const Snapshot* snap = store_->GetSnapshot();

  uint64_t id = 0;
  MKV_ASSERT_OK(RemoveTree("a", "T1/", RemoveMode::kLogical, &id));
  ModelRemoveTree("a", "T1/");
  ExpectMatchesModel();
  // The snapshot taken before still sees the tree.
  ExpectSnapshotMatches(snap, before);
  store_->ReleaseSnapshot(snap);

  // To writers the hidden records are not there.
  MKV_EXPECT_CODE(kNotFound, Delete(kInode, "a", Key("T1", 1, 1)));
  MKV_EXPECT_CODE(kNotFound, Undelete(kInode, "a", Key("T1", 2, 3)));
  std::vector<std::string> values;
  std::vector<Status> statuses;
  MKV_ASSERT_OK(store_->MultiGet(ReadOptions(),
                                 {{kInode, "a", Key("T1", 1, 1)}, {kInode, "a", Key("T2", 1, 1)}},
                                 &values, &statuses));
  EXPECT_TRUE(statuses[0].IsNotFound());
  EXPECT_TRUE(statuses[1].ok());

  // Hidden across a reopen too, and flushes and compactions keep the
  // records (retention has not passed).
  Reopen();
  FlushAndCompact();
  ExpectMatchesModel();
  EXPECT_GT(PhysicalRecords(store_.get(), kInode, "a", "T1/"), 0u);
  EXPECT_EQ(StatsOf(kInode).pending_tree_removals, 1u);

  clock_->AdvanceSeconds(3600);
  MKV_ASSERT_OK(store_->RestoreTree(WriteOptions(), id));
  models_ = before;
  ExpectMatchesModel();
  MKV_EXPECT_CODE(kOk, Undelete(kInode, "a", Key("T1", 2, 3)));  // restorable as before
  MKV_EXPECT_CODE(kNotFound, store_->RestoreTree(WriteOptions(), id));
  EXPECT_EQ(StatsOf(kInode).tree_restores, 1u);
}

TEST_F(BulkDeleteTest, WritesUnderARemovedTreeStayVisibleEvenInTheSameSecond) {
  Populate(4, 20);
  uint64_t id = 0;
  MKV_ASSERT_OK(RemoveTree("a", "T1/", RemoveMode::kLogical, &id));
  ModelRemoveTree("a", "T1/");
  // Same clock second as the removal: a new record and an old key reused.
  for (const std::string& key : {Key("T1", 9, 9), Key("T1", 1, 1)}) {
    MKV_ASSERT_OK(Put(kInode, "a", key, "new"));
    Model(kInode)[{"a", key}] = "new";
  }
  WriteBatch batch;
  batch.Put(kDentry, "a", Key("T1", 2, 2), "batched");
  MKV_ASSERT_OK(store_->Write(WriteOptions(), batch));
  Model(kDentry)[{"a", Key("T1", 2, 2)}] = "batched";
  ExpectMatchesModel();
  // Deleting a new record works, and its tombstone is restorable.
  MKV_ASSERT_OK(Delete(kInode, "a", Key("T1", 9, 9)));
  MKV_ASSERT_OK(Undelete(kInode, "a", Key("T1", 9, 9)));
  Reopen();
  ExpectMatchesModel();

  // Restoring brings back the old records the new ones did not replace.
  MKV_ASSERT_OK(store_->RestoreTree(WriteOptions(), id));
  for (int d = 0; d < 4; ++d) {
    for (int f = 0; f < 20; ++f) {
      EXPECT_NE(Get(kInode, "a", Key("T1", d, f)), "NOT_FOUND");
    }
  }
  EXPECT_EQ(Get(kInode, "a", Key("T1", 1, 1)), "new");
  EXPECT_EQ(Get(kDentry, "a", Key("T1", 2, 2)), "batched");
}

TEST_F(BulkDeleteTest, AfterRetentionTheTreeIsPurgedFromEveryFile) {
  Populate();
  uint64_t id = 0;
  MKV_ASSERT_OK(RemoveTree("a", "T1/", RemoveMode::kLogical, &id));
  ModelRemoveTree("a", "T1/");
  const uint64_t retention = options_.domains[0].tombstone_retention_seconds;

  // Before retention: the deadline work leaves it (restorable).
  uint64_t n = 0;
  MKV_ASSERT_OK(PurgeDeadlineNow(store_.get(), &n));
  EXPECT_GT(PhysicalRecords(store_.get(), kInode, "a", "T1/"), 0u);

  clock_->AdvanceSeconds(retention);
  MKV_EXPECT_CODE(kExpired, store_->RestoreTree(WriteOptions(), id));
  ExpectMatchesModel();
  EXPECT_NE(StatsOf(kInode).oldest_purgeable_time, 0u);
  MKV_ASSERT_OK(PurgeDeadlineNow(store_.get(), &n));
  for (const std::string& domain : {kInode, kDentry}) {
    EXPECT_EQ(PhysicalRecords(store_.get(), domain, "a", "T1/"), 0u) << domain;
    EXPECT_EQ(PhysicalRecords(store_.get(), domain, "a", "T2/"), 8u * 60) << domain;
    EXPECT_EQ(PhysicalRecords(store_.get(), domain, "b", "T1/"), 8u * 60) << domain;
    const DomainStats ds = StatsOf(domain);
    EXPECT_EQ(ds.pending_purges, 0u);
    EXPECT_EQ(ds.oldest_purgeable_time, 0u);
    EXPECT_GT(ds.deadline_compactions + ds.purge_dropped_files, 0u);
  }
  ExpectMatchesModel();
  Reopen();
  ExpectMatchesModel();
  MKV_EXPECT_CODE(kNotFound, store_->RestoreTree(WriteOptions(), id));
}

TEST_F(BulkDeleteTest, HardRemovalIsAtOnceAndNotRestorable) {
  Populate();
  const Snapshot* snap = store_->GetSnapshot();
  const auto before = models_;
  uint64_t id = 0;
  MKV_ASSERT_OK(RemoveTree("b", "T2/", RemoveMode::kHard, &id));
  ModelRemoveTree("b", "T2/");
  ExpectMatchesModel();
  ExpectSnapshotMatches(snap, before);
  MKV_EXPECT_CODE(kNotFound, store_->RestoreTree(WriteOptions(), id));
  // The snapshot holds the bytes; released, the deadline work drops them.
  MKV_ASSERT_OK(store_->RunMaintenance(MaintenanceOptions::PurgeDeadlineOnly(0)));
  EXPECT_EQ(StatsOf(kInode).pending_purges, 1u);
  store_->ReleaseSnapshot(snap);
  clock_->AdvanceSeconds(1);
  MKV_ASSERT_OK(store_->RunMaintenance(MaintenanceOptions::PurgeDeadlineOnly(0)));
  EXPECT_EQ(StatsOf(kInode).pending_purges, 0u);
  EXPECT_EQ(PhysicalRecords(store_.get(), kInode, "b", "T2/"), 0u);
  EXPECT_EQ(PhysicalRecords(store_.get(), kDentry, "b", "T2/"), 0u);
  // Written again afterwards, the keys are new records.
  MKV_ASSERT_OK(Put(kInode, "b", Key("T2", 0, 0), "again"));
  Model(kInode)[{"b", Key("T2", 0, 0)}] = "again";
  Reopen();
  ExpectMatchesModel();
}

// A hard delete under a removed tree is not a write the removal is told
// about (it adds nothing a read could show), so the removal's purge may drop
// its deletion marker with the rest of the range (kRemoveAndSkipUntil) while
// an older version lies in a file that compaction did not read (metakv-
// stress's crash test saw such a version beneath the API, the removal still
// pending). It must never show through the API: the removal hides it until
// its own purge has removed it too, and only then is the removal forgotten.
TEST_F(BulkDeleteTest, HardDeleteUnderARemovedTreeNeverBringsBackAnOlderVersion) {
  Populate();
  MKV_ASSERT_OK(store_->CompactRange());
  clock_->AdvanceSeconds(1);
  const std::string key = Key("T1", 3, 7);
  MKV_ASSERT_OK(Put(kDentry, "a", key, "newer"));
  MKV_ASSERT_OK(store_->Flush());
  MKV_ASSERT_OK(RemoveTree("a", "T1/", RemoveMode::kHard));
  ModelRemoveTree("a", "T1/");
  clock_->AdvanceSeconds(1);
  MKV_ASSERT_OK(HardDelete(kDentry, "a", key));
  MKV_ASSERT_OK(HardDelete(kInode, "a", Key("T1", 0, 0)));
  MKV_ASSERT_OK(store_->Flush());
  ExpectMatchesModel();
  clock_->AdvanceSeconds(1);
  for (int pass = 0; pass < 3; ++pass) {
    MKV_ASSERT_OK(store_->RunMaintenance(MaintenanceOptions::PurgeDeadlineOnly(0)));
    ExpectMatchesModel();
    clock_->AdvanceSeconds(1);
  }
  EXPECT_EQ(StatsOf(kDentry).pending_purges, 0u);
  EXPECT_EQ(PhysicalRecords(store_.get(), kDentry, "a", "T1/"), 0u);
  EXPECT_EQ(PhysicalRecords(store_.get(), kInode, "a", "T1/"), 0u);
  Reopen();
  ExpectMatchesModel();
}

TEST_F(BulkDeleteTest, RemoveTenantDropsEveryDomainAndLeavesOthersAlone) {
  Populate();
  std::vector<ColdRecord> history;
  for (int i = 0; i < 50; ++i) history.push_back({Key("H", 0, i), "h" + std::to_string(i), 0});
  MKV_ASSERT_OK(store_->IngestCold(kHistory, "a", history));
  MKV_ASSERT_OK(store_->IngestCold(kHistory, "b", history));

  // Settled at the last level, where whole files of the tenant can go.
  FlushAndCompact();
  MKV_ASSERT_OK(store_->RemoveTenant(WriteOptions(), "a"));
  ModelRemoveTree("a", "");
  ExpectMatchesModel();
  EXPECT_TRUE(ScanForward(store_.get(), kHistory, TenantSpec("a")).empty());
  EXPECT_EQ(ScanForward(store_.get(), kHistory, TenantSpec("b")).size(), 50u);
  EXPECT_EQ(StatsOf(kHistory).tenant_removals, 1u);

  // The tenant starts empty when written again.
  MKV_ASSERT_OK(Put(kInode, "a", "fresh", "1"));
  Model(kInode)[{"a", "fresh"}] = "1";
  MKV_ASSERT_OK(store_->IngestCold(kHistory, "a", {{"h2", "x", 0}}));
  Reopen();
  ExpectMatchesModel();
  EXPECT_EQ(ScanForward(store_.get(), kHistory, TenantSpec("a")).size(), 1u);

  clock_->AdvanceSeconds(1);  // past the removal's own second
  MKV_ASSERT_OK(store_->RunMaintenance(MaintenanceOptions::PurgeDeadlineOnly(0)));
  // Most of the tenant's bytes went as whole files, not by rewriting.
  const DomainStats inode = StatsOf(kInode);
  EXPECT_GT(inode.purge_dropped_files, 0u);
  EXPECT_GT(inode.purge_dropped_bytes, inode.deadline_compaction_bytes_written)
      << inode.purge_dropped_bytes << " bytes dropped, " << inode.deadline_compaction_bytes_written
      << " written";
  EXPECT_EQ(PhysicalRecords(store_.get(), kInode, "a", ""), 1u);  // "fresh"
  EXPECT_EQ(PhysicalRecords(store_.get(), kDentry, "a", ""), 0u);
  EXPECT_EQ(PhysicalRecords(store_.get(), kHistory, "a", ""), 1u);
  EXPECT_EQ(PhysicalRecords(store_.get(), kHistory, "b", ""), 50u);
  EXPECT_EQ(StatsOf(kInode).pending_purges, 0u);
  ExpectMatchesModel();
}

// A purge drops whole only last-level files whose records a removal hides.
// Sequence numbers cannot tell: RocksDB gives a cold ingest into a free key
// range sequence number 0, and compaction to the last level zeroes them, so
// files written after the removal look older than it. Here both kinds hold
// records written after the removal, alone in the removed tenant's range;
// the purge must keep them.
TEST_F(BulkDeleteTest, FilesWrittenAfterARemovalSurviveItsPurge) {
  Populate();
  FlushAndCompact();
  MKV_ASSERT_OK(store_->RemoveTenant(WriteOptions(), "a"));
  clock_->AdvanceSeconds(1);
  MKV_ASSERT_OK(store_->IngestCold(kHistory, "a", {{"h1", "ingested after", 0}}));
  std::vector<std::string> fresh;
  for (int i = 0; i < 600; ++i) {
    fresh.push_back(RandomBytes(80, 7000 + i));
    MKV_ASSERT_OK(Put(kInode, "a", Key("F", i / 60, i), fresh.back()));
  }
  FlushAndCompact();  // the old records of a are purged, the fresh ones at the last level
  clock_->AdvanceSeconds(1);
  MKV_ASSERT_OK(store_->RunMaintenance(MaintenanceOptions::PurgeDeadlineOnly(0)));
  auto check = [&](const char* when) {
    EXPECT_EQ(ScanForward(store_.get(), kHistory, TenantSpec("a")).size(), 1u) << when;
    const std::vector<Entry> inode = ScanForward(store_.get(), kInode, TenantSpec("a"));
    ASSERT_EQ(inode.size(), fresh.size()) << when;
    for (size_t i = 0; i < fresh.size(); ++i) EXPECT_EQ(inode[i].value, fresh[i]) << when << i;
  };
  check("after the purge");
  EXPECT_EQ(StatsOf(kInode).pending_purges, 0u);
  Reopen();
  check("after a reopen");
}

// Removals overlap: a tenant removal covers every tree removal of the
// tenant, and a tree may be removed twice. A record written after both lies
// under the older one's range too, so the older one must count as written
// under: otherwise a compaction dropping its hidden records skips to the end
// of its range (kRemoveAndSkipUntil) over the new record, and a scan meeting
// one of its hidden records seeks past the new record.
TEST_F(BulkDeleteTest, AWriteUnderOverlappingRemovalsCountsForEveryOneOfThem) {
  Populate(2, 10);
  MKV_ASSERT_OK(Put(kInode, "a", "A/first", "old"));  // before the trees
  FlushAndCompact();
  // The compaction case: a tree removed, then its whole tenant; a new
  // record in the tree after both, compacted with the tree's old records.
  MKV_ASSERT_OK(RemoveTree("a", "T1/", RemoveMode::kHard));
  clock_->AdvanceSeconds(1);
  MKV_ASSERT_OK(store_->RemoveTenant(WriteOptions(), "a"));
  clock_->AdvanceSeconds(1);
  MKV_ASSERT_OK(Put(kInode, "a", "T1/new", "v1"));
  FlushAndCompact();
  EXPECT_EQ(Get(kInode, "a", "T1/new"), "v1");
  // The scan case: a tenant removed, then one of its trees; a new record in
  // the tree after both; a scan of the tenant meets hidden records of the
  // tenant's removal alone ("A/first", T2) before the tree.
  MKV_ASSERT_OK(Put(kInode, "b", "A/first", "old"));
  MKV_ASSERT_OK(store_->RemoveTenant(WriteOptions(), "b"));
  clock_->AdvanceSeconds(1);
  MKV_ASSERT_OK(RemoveTree("b", "T2/", RemoveMode::kHard));
  clock_->AdvanceSeconds(1);
  MKV_ASSERT_OK(Put(kInode, "b", "T2/new", "v2"));
  for (bool flushed : {false, true}) {
    const std::vector<Entry> scan = ScanForward(store_.get(), kInode, TenantSpec("b"));
    ASSERT_EQ(scan.size(), 1u) << (flushed ? "flushed" : "in the memtable");
    EXPECT_EQ(scan[0].key, "T2/new");
    EXPECT_EQ(ScanBackward(store_.get(), kInode, TenantSpec("b")).size(), 1u);
    FlushAndCompact();
  }
  EXPECT_EQ(Get(kInode, "b", "T2/new"), "v2");
  // And after the purge and a reopen.
  clock_->AdvanceSeconds(1);
  MKV_ASSERT_OK(store_->RunMaintenance(MaintenanceOptions::PurgeDeadlineOnly(0)));
  Reopen();
  EXPECT_EQ(Get(kInode, "a", "T1/new"), "v1");
  EXPECT_EQ(ScanForward(store_.get(), kInode, TenantSpec("a")).size(), 1u);
  EXPECT_EQ(ScanForward(store_.get(), kInode, TenantSpec("b")).size(), 1u);
  EXPECT_EQ(StatsOf(kInode).pending_purges, 0u);
}

TEST_F(BulkDeleteTest, BadArgumentsAreRefusedAndChangeNothing) {
  MKV_ASSERT_OK(Put(kInode, "a", "T1/x", "v"));
  auto remove = [&](std::string_view tenant, std::vector<PrefixRef> prefixes, RemoveMode mode) {
    return store_->RemoveTree(WriteOptions(), tenant, prefixes, mode);
  };
  MKV_EXPECT_CODE(kInvalidArgument, remove("a", {}, RemoveMode::kLogical));
  MKV_EXPECT_CODE(kInvalidArgument, remove("", {{kInode, "T1/"}}, RemoveMode::kLogical));
  MKV_EXPECT_CODE(kInvalidArgument, remove("a", {{kInode, ""}}, RemoveMode::kLogical));
  MKV_EXPECT_CODE(kInvalidArgument, remove("a", {{"nosuch", "T1/"}}, RemoveMode::kLogical));
  MKV_EXPECT_CODE(kInvalidArgument, remove("a", {{kHistory, "T1/"}}, RemoveMode::kLogical));
  MKV_EXPECT_CODE(kInvalidArgument,
                  remove("a", {{kInode, "T1/"}, {kInode, "T1/x"}}, RemoveMode::kHard));
  MKV_EXPECT_CODE(kInvalidArgument,
                  remove("a", {{kInode, std::string(5000, 'k')}}, RemoveMode::kHard));
  MKV_EXPECT_CODE(kInvalidArgument, remove("a", {{kInode, "T1/"}}, static_cast<RemoveMode>(7)));
  MKV_EXPECT_CODE(kInvalidArgument, store_->RemoveTenant(WriteOptions(), ""));
  MKV_EXPECT_CODE(kNotFound, store_->RestoreTree(WriteOptions(), 12345));
  EXPECT_EQ(Get(kInode, "a", "T1/x"), "v");
  // The same prefix in two domains is fine.
  MKV_ASSERT_OK(remove("a", {{kInode, "T1/"}, {kDentry, "T1/"}}, RemoveMode::kHard));
  EXPECT_EQ(Get(kInode, "a", "T1/x"), "NOT_FOUND");

  // Read-only stores refuse; closed ones too.
  MKV_ASSERT_OK(store_->Close());
  Options ro = options_;
  ro.read_only = true;
  ro.create_if_missing = false;
  std::unique_ptr<Store> reader;
  MKV_ASSERT_OK(Store::Open(ro, dir_.path(), &reader));
  MKV_EXPECT_CODE(kNotSupported, reader->RemoveTenant(WriteOptions(), "a"));
  MKV_EXPECT_CODE(kNotSupported, reader->RunMaintenance(MaintenanceOptions::PurgeDeadlineOnly(0)));
  MKV_ASSERT_OK(reader->Close());
  MKV_EXPECT_CODE(kAborted, store_->RemoveTenant(WriteOptions(), "a"));
  store_.reset();
}

// Removals racing writers: two threads write new keys under the removed
// prefix all the time while the tree is removed (logically) and restored,
// round after round. A write acknowledged before RemoveTree began is
// hidden until RestoreTree; a write begun after RemoveTree returned is
// visible (to Get and to scans, which must not skip it); after RestoreTree
// every write is visible.
TEST_F(BulkDeleteTest, RemovalsRacingWritersHideExactlyTheEarlierWrites) {
  struct Write {
    std::string key;
    int begun, acked;  // the stage when the Put began and when it returned
  };
  std::atomic<int> stage{0};
  std::atomic<bool> stop{false};
  std::mutex mu;
  std::vector<Write> writes;
  std::vector<std::thread> writers;
  for (int w = 0; w < 2; ++w) {
    writers.emplace_back([&, w] {
      for (int i = 0; !stop.load(); ++i) {
        char key[32];
        snprintf(key, sizeof(key), "T/w%d/%07d", w, i);
        const int begun = stage.load();
        if (!Put(kInode, "a", key, "v").ok()) {
          ADD_FAILURE() << "Put " << key;
          return;
        }
        std::lock_guard<std::mutex> lock(mu);
        writes.push_back(Write{key, begun, stage.load()});
      }
    });
  }
  // Waits until the writers have acknowledged n more writes (however slow
  // the machine or a sanitizer makes them).
  auto await_writes = [&](size_t n) {
    size_t start;
    {
      std::lock_guard<std::mutex> lock(mu);
      start = writes.size();
    }
    while (!HasFailure()) {
      {
        std::lock_guard<std::mutex> lock(mu);
        if (writes.size() >= start + n) return;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
  };
  for (int round = 0; round < 4; ++round) {
    await_writes(20);
    stage = 2 * round + 1;
    uint64_t id = 0;
    MKV_ASSERT_OK(RemoveTree("a", "T/", RemoveMode::kLogical, &id));
    stage = 2 * round + 2;
    await_writes(40);  // two writers: some begun after the removal returned
    std::vector<Write> seen;
    {
      std::lock_guard<std::mutex> lock(mu);
      seen = writes;
    }
    std::set<std::string> scanned;
    for (const Entry& e : ScanForward(store_.get(), kInode, TenantSpec("a", "T/"))) {
      scanned.insert(e.key);
    }
    size_t hidden = 0, visible = 0;
    for (const Write& w : seen) {
      if (w.acked < 2 * round + 1) {
        ++hidden;
        EXPECT_EQ(Get(kInode, "a", w.key), "NOT_FOUND") << "round " << round << " " << w.key;
        EXPECT_EQ(scanned.count(w.key), 0u) << "round " << round << " " << w.key;
      } else if (w.begun >= 2 * round + 2) {
        ++visible;
        EXPECT_EQ(Get(kInode, "a", w.key), "v") << "round " << round << " " << w.key;
        EXPECT_EQ(scanned.count(w.key), 1u) << "round " << round << " " << w.key;
      }
    }
    EXPECT_GT(hidden, 0u);
    EXPECT_GT(visible, 0u);
    MKV_ASSERT_OK(store_->RestoreTree(WriteOptions(), id));
    for (const Write& w : seen) EXPECT_EQ(Get(kInode, "a", w.key), "v") << w.key;
    if (HasFailure()) break;
  }
  stop = true;
  for (auto& t : writers) t.join();
}

// The purge deadline on an injected clock (ManualClock): tombstones past
// retention, and logically deleted records still in the memtable, are
// compacted away by the maintenance pass (run every 50 s of store time
// here) without any manual compaction, together with the versions they
// shadow and the deletion markers the purge leaves above them. Judged on
// every version RocksDB holds of every key of the domain (memtables and
// SST files, markers included: Physical), cross-checked by the files'
// num_deletions: nothing changes before retention, nothing is forced before
// half the deadline, the first pass at or after half the deadline (600 s
// after the deletes) leaves exactly the live keys, one version each, and
// from the deadline (1100 s) on that must hold at every pass; the loop runs
// past it.
TEST_F(BulkDeleteTest, MaintenanceEnforcesThePurgeDeadline) {
  constexpr uint64_t kRetention = 100, kDeadline = 1000, kStep = 50;
  options_.purge_deadline_seconds = kDeadline;
  for (auto& d : options_.domains) {
    d.tombstone_retention_seconds = kRetention;
    // No size-triggered L0 compaction: what drops the records is the
    // deadline's work.
    d.level0_compaction_trigger = 8;
    d.adaptive_level0_trigger = false;
  }
  Reopen();
  Populate(4, 40);
  FlushAndCompact();
  // Logical deletes in T1 of tenant a: most flushed into a file of their
  // own (above the live versions they shadow), some left in the memtable.
  std::set<std::pair<std::string, std::string>> deleted;
  for (int d = 0; d < 4; ++d) {
    for (int f = 0; f < 40; f += 2) {
      MKV_ASSERT_OK(Delete(kInode, "a", Key("T1", d, f)));
      deleted.insert({"a", Key("T1", d, f)});
    }
    if (d == 2) MKV_ASSERT_OK(store_->Flush());
  }
  // Before: every key one live version, the deleted ones a tombstone above
  // it. After the purge: the keys not deleted, one live version each.
  PhysicalState initial, purged;
  for (const auto& [key, value] : Model(kInode)) {
    const bool gone = deleted.count(key) != 0;
    initial[key] =
        gone ? std::vector<std::string>{"tombstone", "live"} : std::vector<std::string>{"live"};
    if (!gone) purged[key] = {"live"};
  }
  ASSERT_EQ(deleted.size(), 80u);
  ASSERT_EQ(purged.size(), Model(kInode).size() - 80);
  uint64_t markers = 0;
  ASSERT_EQ(Differences(Physical(store_.get(), kInode, &markers), initial), "");
  ASSERT_EQ(markers, 0u);

  // Passes kStep apart: files are due at this age (compaction/deadline_policy.h).
  const uint64_t kDueAge = DeadlineDueAge(kDeadline, kStep);
  ASSERT_EQ(kDueAge, 898u);
  uint64_t gone_at = 0;  // store seconds after the deletes
  for (uint64_t t = kStep; t <= kRetention + kDeadline + 4 * kStep; t += kStep) {
    SCOPED_TRACE("at " + std::to_string(t) + " s after the deletes");
    clock_->AdvanceSeconds(kStep);
    EXPECT_TRUE(store_->RunMaintenance(MaintenanceOptions()).ok());
    // The scan and the file properties below must see the same files: a
    // compaction still running in the background (RocksDB may schedule one
    // after the pass's) would land between them (seen once in CI: 60
    // markers scanned, 80 in the files' properties).
    EXPECT_TRUE(store_->WaitForBackgroundWork().ok());
    const PhysicalState state = Physical(store_.get(), kInode, &markers);
    EXPECT_EQ(markers, MarkersInFiles(store_.get(), kInode));
    const DomainStats ds = StatsOf(kInode);
    const std::string from_purged = Differences(state, purged);
    if (t < kRetention) {
      EXPECT_EQ(Differences(state, initial), "") << "changed before retention";
      EXPECT_EQ(ds.oldest_purgeable_time, 0u);
    }
    if (t < kRetention + kDueAge) {
      EXPECT_EQ(ds.deadline_compactions, 0u) << "forced before the due age";
    }
    if (from_purged.empty() && gone_at == 0) gone_at = t;
    if (gone_at != 0) {
      EXPECT_EQ(from_purged, "") << "came back after it was gone at " << gone_at << " s";
    } else if (t >= kRetention) {
      EXPECT_NE(ds.oldest_purgeable_time, 0u) << "purgeable records present";
    }
    if (t >= kRetention + kDeadline) {
      EXPECT_EQ(from_purged, "") << "the purge deadline has passed";
      EXPECT_EQ(markers, 0u);
    }
  }
  // Each pass compacts what has been purgeable for the due age, the
  // deadline less two gaps between passes and a margin: the first pass at or
  // after 100 + 898 s, within the deadline.
  EXPECT_EQ(gone_at, 1000u);
  EXPECT_LE(gone_at, kRetention + kDeadline);
  const DomainStats ds = StatsOf(kInode);
  EXPECT_GT(ds.deadline_compactions, 0u);
  EXPECT_EQ(ds.oldest_purgeable_time, 0u);
  for (int d = 0; d < 4; ++d) {
    const std::string want = Model(kInode)[std::make_pair(std::string("a"), Key("T1", d, 1))];
    EXPECT_EQ(Get(kInode, "a", Key("T1", d, 1)), want);
    EXPECT_EQ(Get(kInode, "a", Key("T1", d, 0)), "NOT_FOUND");
  }
}

// The filter turns a purgeable record above the last level into a deletion
// marker; the versions that marker hides stay in the files below until it
// meets them. A compaction RocksDB runs on its own (here a level-0
// compaction, long after the records became purgeable) must not restart
// their clock: the marker counts from the records' purge time, so the
// hidden versions are still gone within the deadline of it.
TEST_F(BulkDeleteTest, MarkersMadeByAnyCompactionKeepTheirRecordsPurgeTime) {
  constexpr uint64_t kRetention = 100, kDeadline = 1000, kStep = 50;
  // When the outside compaction runs: before the due age, after most of it.
  constexpr uint64_t kOutsideAt = kRetention + 600;
  options_.purge_deadline_seconds = kDeadline;
  for (auto& d : options_.domains) {
    d.tombstone_retention_seconds = kRetention;
    d.level0_compaction_trigger = 8;  // no size-triggered compaction
    d.adaptive_level0_trigger = false;
  }
  Reopen();
  rocksdb::DB* db = ImplOf(store_)->TEST_db();
  rocksdb::ColumnFamilyHandle* cf = ImplOf(store_)->TEST_cf(kInode);
  auto level_files = [&](int level) {
    rocksdb::ColumnFamilyMetaData meta;
    db->GetColumnFamilyMetaData(cf, &meta);
    std::vector<std::string> out;
    for (const auto& f : meta.levels[level].files) out.push_back(f.db_path + f.name);
    return out;
  };
  // The live versions at level 2, the logical deletes of half of T1 in two
  // overlapping level-0 files above them (so RocksDB merges them rather
  // than moving one down).
  Populate(4, 40);
  MKV_ASSERT_OK(store_->Flush());
  ASSERT_TRUE(db->CompactFiles(rocksdb::CompactionOptions(), cf, level_files(0), 2).ok());
  std::set<std::pair<std::string, std::string>> deleted;
  for (int d = 0; d < 4; ++d) {
    for (int f = 0; f < 40; f += 2) {
      MKV_ASSERT_OK(Delete(kInode, "a", Key("T1", d, f)));
      deleted.insert({"a", Key("T1", d, f)});
    }
    if (d == 1 || d == 3) {  // a key below every other, in both files
      MKV_ASSERT_OK(Put(kInode, "a", Key("S", 0, d), "bound"));
      Model(kInode)[{"a", Key("S", 0, d)}] = "bound";
    }
    if (d == 1) MKV_ASSERT_OK(store_->Flush());
  }
  MKV_ASSERT_OK(store_->Flush());
  ASSERT_EQ(level_files(0).size(), 2u);
  PhysicalState purged;
  for (const auto& [key, value] : Model(kInode)) {
    if (deleted.count(key) == 0) purged[key] = {"live"};
  }
  uint64_t markers = 0;
  for (uint64_t t = kStep; t <= kRetention + kDeadline + 2 * kStep; t += kStep) {
    SCOPED_TRACE("at " + std::to_string(t) + " s after the deletes");
    clock_->AdvanceSeconds(kStep);
    if (t == kOutsideAt) {
      // The tombstones are purgeable: RocksDB's own level-0 compaction
      // makes markers of them at level 1, above the live versions they hide.
      ASSERT_TRUE(db->SetOptions(cf, {{"level0_file_num_compaction_trigger", "1"}}).ok());
      MKV_ASSERT_OK(store_->WaitForBackgroundWork());
      ASSERT_TRUE(level_files(0).empty());
      ASSERT_FALSE(level_files(1).empty());
      Physical(store_.get(), kInode, &markers);
      ASSERT_EQ(markers, deleted.size());
      const DomainStats ds = StatsOf(kInode);
      EXPECT_EQ(ds.oldest_purgeable_time, clock_->NowMicros() / 1000000 - (t - kRetention))
          << "the markers count from the records' purge time";
    }
    EXPECT_TRUE(store_->RunMaintenance(MaintenanceOptions()).ok());
    if (t >= kRetention + kDeadline) {
      EXPECT_EQ(Differences(Physical(store_.get(), kInode, &markers), purged), "")
          << "the purge deadline has passed";
      EXPECT_EQ(markers, 0u);
    }
  }
  EXPECT_GT(StatsOf(kInode).deadline_compactions, 0u);
}

// ----------------------------------------- A crash during tenant removals ----
//
// A child process (this binary, as TenantRemovalChild below) removes tenants
// one after another (synced) and purges them: after each removal it moves
// its clock past the removal's second, so the removal is purgeable, and
// runs the purge deadline (RunMaintenance) at age 0 (sometimes after a CompactRange of a small
// tenant, sometimes only after the next removal), which drops files whole,
// compacts files in place and forgets removals. Large tenants (every third)
// own whole files at the last level; small ones share them (history too:
// the setup's CompactRange merged the ingested files). The child is killed inside one of those
// purge steps: StoreImpl's purge-step hook tells the child which step its
// thread is in, and the child's file system (FaultFs's observer) sends it
// SIGKILL just before the n-th file write, sync, create, rename or delete
// its thread makes inside the m-th step of the round's kind. In every
// fourth round the parent instead kills it at once after a few
// acknowledgements, wherever it is. The child writes each acknowledgement,
// each step it finished (with its file operations) and where it was killed
// to a pipe; the parent counts the kills that landed inside each kind of
// step and requires one of each.
//
// After each crash the parent reopens the store and checks: every tenant is
// whole (every acknowledged record, exact values, in every domain) or gone
// from every domain; every acknowledged removal is complete; the removed
// tenants are the ones removed first; a removal whose record is gone
// ("forgotten") left no record of its tenant in any live SST file or
// memtable; a tenant that is whole has no pending removal. Every other round
// (and the last) it then finishes the purge itself and checks that no
// removal is pending and no record of a removed tenant is left in the files
// (read with rocksdb::SstFileReader over every live file); in the others
// the next child resumes the purge a crash interrupted.
constexpr int kCrashTenants = 30;
constexpr int kCrashRounds = 8;
// At most this many tenants removed per child, so the tenants after them
// are checked whole after each crash.
constexpr int kRemovalsPerChild = 5;
const char* const kPurgeStepNames[] = {"drop", "compaction", "forget"};
// The mutating file operations the purging thread makes in each kind of
// step, as measured (the test prints them): a dropped file's MANIFEST write
// and sync and the file's deletion; a compaction's output file (create,
// write, sync; none when the filter drops every record), the directory's
// sync, the MANIFEST write and sync and the input file's deletion; the
// forgetting's WAL write. A kill aims at one of them.
constexpr int kMaxKillOp[] = {3, 7, 1};

std::string CrashTenant(int t) { return "t" + std::to_string(t); }
bool LargeCrashTenant(int t) { return t % 3 == 0; }
int CrashKeys(int t) { return LargeCrashTenant(t) ? 200 : 60; }
// What tenant t holds in a domain, in key order.
std::vector<Entry> CrashRecords(const std::string& domain, int t) {
  std::vector<Entry> out;
  if (domain == kHistory) {
    out.push_back(Entry{CrashTenant(t), "h", "history of " + CrashTenant(t)});
    return out;
  }
  for (int k = 0; k < CrashKeys(t); ++k) {
    std::string value = domain == kInode ? RandomBytes(LargeCrashTenant(t) ? 400 : 40, t * 1000 + k)
                                         : "d" + std::to_string(t * 1000 + k);
    out.push_back(Entry{CrashTenant(t), Key("T", k / 50, k), std::move(value)});
  }
  return out;
}

// The purge step the calling thread is in (-1: none) and the mutating file
// operations it has made in it.
thread_local int tls_purge_step = -1;
thread_local int tls_step_ops = 0;
constexpr uint32_t kMutatingOps =
    kFaultCreate | kFaultWrite | kFaultSync | kFaultRename | kFaultLink | kFaultDelete;

// The child of the crash test: when this binary starts with
// METAKV_CHILD_DIR and METAKV_CHILD_FD set, it opens the store there,
// removes kRemovalsPerChild tenants from METAKV_CHILD_FIRST on, one after
// another, and purges them as described above, reporting on the fd, and
// exits before any test runs.
// METAKV_CHILD_KILL is "step m n" (kill target) or "none"; METAKV_CHILD_SEED
// seeds its choices.
struct TenantRemovalChild {
  TenantRemovalChild() {
    const char* dir = std::getenv("METAKV_CHILD_DIR");
    const char* fd_env = std::getenv("METAKV_CHILD_FD");
    if (dir == nullptr || fd_env == nullptr) return;
    const int fd = std::atoi(fd_env);
    auto say = [fd](const std::string& line) {
      const std::string l = line + "\n";  // one write: atomic on a pipe
      if (write(fd, l.data(), l.size()) != static_cast<ssize_t>(l.size())) _exit(4);
    };
    const char* first_env = std::getenv("METAKV_CHILD_FIRST");
    const char* kill_env = std::getenv("METAKV_CHILD_KILL");
    const char* seed_env = std::getenv("METAKV_CHILD_SEED");
    if (first_env == nullptr || kill_env == nullptr || seed_env == nullptr) _exit(6);
    int target_step = -1, target_occurrence = 0, target_op = 0;
    if (std::string(kill_env) != "none" &&
        std::sscanf(kill_env, "%d %d %d", &target_step, &target_occurrence, &target_op) != 3) {
      _exit(6);
    }
    std::mt19937_64 rng(std::strtoull(seed_env, nullptr, 10));
    int occurrences[3] = {0, 0, 0};

    auto fs = std::make_shared<FaultFs>();
    auto clock = std::make_shared<ManualClock>();
    Options options = SmallOptions(clock);
    options.rocksdb_env = FaultFs::MakeEnv(fs);
    std::unique_ptr<Store> child;
    if (!Store::Open(options, dir, &child).ok()) _exit(2);
    // The store's time never runs backwards, and after a crash it may start
    // up to a lease ahead of this clock: start from it.
    const Snapshot* snap = child->GetSnapshot();
    clock->SetMicros(snap->time_seconds() * 1000000);
    child->ReleaseSnapshot(snap);

    ImplOf(child)->TEST_SetPurgeStepHook([&](StoreImpl::PurgeStep step, bool begin) {
      const int s = static_cast<int>(step);
      if (begin) {
        tls_purge_step = s;
        tls_step_ops = 0;
        ++occurrences[s];
        return;
      }
      say(std::string("STEP ") + kPurgeStepNames[s] + " " + std::to_string(tls_step_ops));
      // The targeted step made fewer operations than the target: aim at the
      // next step of its kind.
      if (s == target_step && occurrences[s] == target_occurrence) ++target_occurrence;
      tls_purge_step = -1;
    });
    fs->SetObserver([&](FaultOp op, const std::string& path) {
      if (tls_purge_step < 0 || (op & kMutatingOps) == 0) return;
      ++tls_step_ops;
      if (tls_purge_step == target_step && occurrences[target_step] == target_occurrence &&
          tls_step_ops == target_op) {
        say(std::string("KILL ") + kPurgeStepNames[target_step] + " #" +
            std::to_string(target_occurrence) + " before file operation " +
            std::to_string(target_op) + ": " + FaultFs::OpName(op) + " " +
            path.substr(path.find_last_of('/') + 1));
        kill(getpid(), SIGKILL);
      }
    });

    const int first = std::atoi(first_env);
    for (int t = first; t < std::min(first + kRemovalsPerChild, kCrashTenants); ++t) {
      if (!child->RemoveTenant(Synced(), CrashTenant(t)).ok()) _exit(3);
      say("ACK " + std::to_string(t));
      clock->AdvanceSeconds(1 + rng() % 2);  // past the removal's own second
      Status s;
      switch (rng() % 4) {
        case 0:  // a small tenant's shared files compacted by a CompactRange first
          if (!LargeCrashTenant(t)) s = child->CompactRange(kInode, CrashTenant(t));
          if (s.ok()) s = child->RunMaintenance(MaintenanceOptions::PurgeDeadlineOnly(0));
          break;
        case 1:  // purged with the next one
          break;
        default:
          s = child->RunMaintenance(MaintenanceOptions::PurgeDeadlineOnly(0));
          break;
      }
      if (!s.ok()) _exit(5);
    }
    if (!child->RunMaintenance(MaintenanceOptions::PurgeDeadlineOnly(0)).ok()) _exit(5);
    say("DONE");
    _exit(0);
  }
};
const TenantRemovalChild tenant_removal_child;

class CrashRemovalTest : public BulkDeleteTest {
 protected:
  // The tenants whose removal record is in the store (pending).
  std::set<std::string> PendingRemovalTenants() {
    std::set<std::string> out;
    rocksdb::DB* db = ImplOf(store_)->TEST_db();
    std::unique_ptr<rocksdb::Iterator> it(
        db->NewIterator(rocksdb::ReadOptions(), db->DefaultColumnFamily()));
    const rocksdb::Slice prefix(kRemovalKeyPrefix.data(), kRemovalKeyPrefix.size());
    for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix); it->Next()) {
      Removal r;
      const Status s =
          Removal::Decode(std::string_view(it->key().data(), it->key().size()),
                          std::string_view(it->value().data(), it->value().size()), &r);
      EXPECT_TRUE(s.ok()) << s.ToString();
      out.insert(r.tenant);
    }
    EXPECT_TRUE(it->status().ok()) << it->status().ToString();
    return out;
  }
  uint64_t PendingPurges() {
    uint64_t n = 0;
    for (const std::string& d : {kInode, kDentry, kHistory}) n += StatsOf(d).pending_purges;
    return n;
  }
  // The store's time may start ahead of clock_ after a crash: follow it.
  void FollowStoreTime() {
    const Snapshot* snap = store_->GetSnapshot();
    if (snap->time_seconds() > clock_->NowSeconds()) {
      clock_->SetMicros(snap->time_seconds() * 1000000);
    }
    store_->ReleaseSnapshot(snap);
  }
};

TEST_F(CrashRemovalTest, CrashDuringTenantRemovalsAndTheirPurgeLeavesEachTenantWholeOrGone) {
  for (int t = 0; t < kCrashTenants; ++t) {
    for (const std::string& domain : {kInode, kDentry}) {
      for (const Entry& e : CrashRecords(domain, t)) {
        MKV_ASSERT_OK(Put(domain, e.tenant, e.key, e.value));
      }
    }
    const Entry h = CrashRecords(kHistory, t)[0];
    MKV_ASSERT_OK(store_->IngestCold(kHistory, h.tenant, {{h.key, h.value, 0}}));
  }
  FlushAndCompact();  // at the last level, where whole files can be dropped
  MKV_ASSERT_OK(store_->Close());
  store_.reset();

  const uint32_t seed = ::testing::UnitTest::GetInstance()->random_seed();
  std::printf("seed %u (run again with --gtest_random_seed=%u)\n", seed, seed);
  std::mt19937_64 rng(seed);
  int inside[3] = {0, 0, 0};  // kills that landed inside a step of each kind
  int steps[3] = {0, 0, 0};   // steps the children finished
  int min_ops[3] = {INT_MAX, INT_MAX, INT_MAX}, max_ops[3] = {0, 0, 0};  // in them
  int parent_kills = 0;
  int forgotten_checked = 0;  // removed tenants found forgotten after a crash
  int gone = 0;               // tenants [0, gone) are removed
  for (int round = 0; round < kCrashRounds && gone < kCrashTenants; ++round) {
    SCOPED_TRACE("round " + std::to_string(round));
    // 0, 1, 2: kill inside a drop, a compaction, a forgetting; 3: the
    // parent kills. The first time each kind is aimed at its first step's
    // first operation; then at a random one.
    const int mode = round % 4;
    std::string target = "none";
    if (mode < 3) {
      const bool first = round < 4;
      const int m = first ? 1 : 1 + static_cast<int>(rng() % 2);
      const int n = first ? 1 : 1 + static_cast<int>(rng() % kMaxKillOp[mode]);
      target = std::to_string(mode) + " " + std::to_string(m) + " " + std::to_string(n);
    }
    const int kill_after_acks = mode == 3 ? 1 + static_cast<int>(rng() % 3) : 0;
    const uint64_t child_seed = rng();
    std::printf(
        "round %d: removing from %s; %s\n", round, CrashTenant(gone).c_str(),
        mode < 3 ? ("kill inside " + std::string(kPurgeStepNames[mode]) + " target '" + target +
                    "' (step m n)")
                       .c_str()
                 : ("parent kills after " + std::to_string(kill_after_acks) + " acknowledgements")
                       .c_str());

    int fds[2];
    ASSERT_EQ(pipe(fds), 0);
    std::vector<std::string> env_strings{
        "METAKV_CHILD_FD=" + std::to_string(fds[1]), "METAKV_CHILD_DIR=" + dir_.path(),
        "METAKV_CHILD_FIRST=" + std::to_string(gone), "METAKV_CHILD_KILL=" + target,
        "METAKV_CHILD_SEED=" + std::to_string(child_seed)};
    std::vector<char*> env;
    for (auto& e : env_strings) env.push_back(e.data());
    env.push_back(nullptr);
    const pid_t pid = fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      // Exec at once: a forked copy of a process with RocksDB's threads
      // could not run background work.
      close(fds[0]);
      char arg0[] = "/proc/self/exe";
      char* args[] = {arg0, nullptr};
      execve("/proc/self/exe", args, env.data());
      _exit(7);
    }
    close(fds[1]);
    int acked = gone;  // tenants [0, acked) acknowledged removed
    int acks = 0;
    std::string killed_in, buffer;
    bool done = false;
    char chunk[512];
    ssize_t got;
    while ((got = read(fds[0], chunk, sizeof(chunk))) > 0) {
      buffer.append(chunk, static_cast<size_t>(got));
      size_t nl;
      while ((nl = buffer.find('\n')) != std::string::npos) {
        const std::string line = buffer.substr(0, nl);
        buffer.erase(0, nl + 1);
        if (line.rfind("ACK ", 0) == 0) {
          acked = std::max(acked, std::atoi(line.c_str() + 4) + 1);
          if (++acks == kill_after_acks) {
            kill(pid, SIGKILL);
            ++parent_kills;
          }
        } else if (line.rfind("STEP ", 0) == 0) {
          for (int k = 0; k < 3; ++k) {
            const size_t len = std::strlen(kPurgeStepNames[k]);
            if (line.compare(5, len, kPurgeStepNames[k]) == 0 && line[5 + len] == ' ') {
              ++steps[k];
              const int ops = std::atoi(line.c_str() + 6 + len);
              min_ops[k] = std::min(min_ops[k], ops);
              max_ops[k] = std::max(max_ops[k], ops);
            }
          }
        } else if (line.rfind("KILL ", 0) == 0) {
          killed_in = line;
          ++inside[mode];
        } else if (line == "DONE") {
          done = true;
        }
      }
    }
    close(fds[0]);
    int status = 0;
    waitpid(pid, &status, 0);
    ASSERT_TRUE((WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL) ||
                (WIFEXITED(status) && WEXITSTATUS(status) == 0 && done))
        << "child failed: exit " << (WIFEXITED(status) ? WEXITSTATUS(status) : -1);
    std::printf("  acknowledged up to %s; %s\n", CrashTenant(acked - 1).c_str(),
                !killed_in.empty() ? killed_in.c_str()
                : done             ? "the child finished without being killed"
                                   : "killed by the parent");

    // After the crash: whole or gone, before any purge work.
    OpenStore();
    FollowStoreTime();
    const std::set<std::string> pending = PendingRemovalTenants();
    int gone_now = 0;
    for (int t = 0; t < kCrashTenants; ++t) {
      const std::string name = CrashTenant(t);
      bool whole = true, empty = true;
      for (const std::string& domain : {kInode, kDentry, kHistory}) {
        const std::vector<Entry> seen = ScanForward(store_.get(), domain, TenantSpec(name));
        whole = whole && seen == CrashRecords(domain, t);
        empty = empty && seen.empty();
      }
      EXPECT_TRUE(whole || empty) << name << " is neither whole nor gone";
      if (t < acked) {
        EXPECT_TRUE(empty) << "acknowledged removal of " << name << " undone";
      }
      if (!empty) {
        EXPECT_EQ(pending.count(name), 0u) << name << " is whole under a pending removal";
        continue;
      }
      EXPECT_EQ(t, gone_now) << name << " is gone but an earlier tenant is not";
      ++gone_now;
      if (pending.count(name) == 0) {
        ++forgotten_checked;
        // Forgotten: only once nothing of it was left.
        for (const std::string& domain : {kInode, kDentry, kHistory}) {
          EXPECT_EQ(PhysicalRecords(store_.get(), domain, name, ""), 0u)
              << "the removal of " << name << " was forgotten with records of it in " << domain;
        }
      }
    }
    // Purge steps come only after an acknowledgement; the parent's kill may
    // cut one more removal short.
    EXPECT_GE(gone_now, acked);
    EXPECT_LE(gone_now, mode == 3 ? acked + 1 : acked)
        << gone_now << " tenants gone, " << acked << " removals acknowledged";
    gone = gone_now;

    if (round % 2 == 1 || round == kCrashRounds - 1 || gone == kCrashTenants) {
      // Reopened, the store finishes the purge; then no record of a removed
      // tenant is left in the files.
      clock_->AdvanceSeconds(2);
      MKV_ASSERT_OK(store_->WaitForBackgroundWork());
      for (int pass = 0; pass < 3 && (pass == 0 || PendingPurges() > 0); ++pass) {
        MKV_ASSERT_OK(store_->RunMaintenance(MaintenanceOptions::PurgeDeadlineOnly(0)));
      }
      EXPECT_EQ(PendingPurges(), 0u);
      EXPECT_TRUE(PendingRemovalTenants().empty());
      for (int t = 0; t < gone; ++t) {
        for (const std::string& domain : {kInode, kDentry, kHistory}) {
          EXPECT_EQ(PhysicalRecords(store_.get(), domain, CrashTenant(t), ""), 0u)
              << CrashTenant(t) << " in " << domain << " after the purge";
        }
      }
    }
    MKV_ASSERT_OK(store_->Close());
    store_.reset();
    if (HasFailure()) break;
  }
  std::printf(
      "kills inside a purge step: drop %d, compaction %d, forget %d; parent kills %d; "
      "forgotten removals found after a crash (checked empty) %d\n",
      inside[0], inside[1], inside[2], parent_kills, forgotten_checked);
  for (int k = 0; k < 3; ++k) {
    std::printf("%s steps the children finished: %d, with %d to %d file operations each\n",
                kPurgeStepNames[k], steps[k], steps[k] > 0 ? min_ops[k] : 0, max_ops[k]);
  }
  for (int k = 0; k < 3; ++k) {
    EXPECT_GE(inside[k], 1) << "no kill landed inside a " << kPurgeStepNames[k] << " step";
  }
}

}  // namespace
}  // namespace metakv::test
