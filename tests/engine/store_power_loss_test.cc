// Power loss (tests/power_loss_fs.h): the file system drops every byte not
// synced and every directory entry whose directory was not synced, at every
// crash point of an operation (the cut lands before the n-th file call, for
// n over the calls a whole run makes). After each cut the store, reopened
// on the real file system, must open without repair, hold every write
// acknowledged as synced, show an unsynced write only if it shows every
// earlier one (no holes), and hold each batch, cold ingest and removal
// whole or not at all; no deleted or removed record may come back.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "metakv/store.h"
#include "tests/engine/store_fixture.h"
#include "tests/power_loss_fs.h"

namespace metakv::test {
namespace {

namespace fs = std::filesystem;

// ------------------------------------------------- the file system alone ----

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

class PowerLossFsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    plfs_ = std::make_shared<PowerLossFs>(7);
    root_ = dir_.Sub("root");
    ASSERT_TRUE(plfs_->CreateDir(root_, io_, nullptr).ok());
    SyncDir(dir_.path());
  }
  void SyncDir(const std::string& d) {
    std::unique_ptr<rocksdb::FSDirectory> dir;
    ASSERT_TRUE(plfs_->NewDirectory(d, io_, &dir, nullptr).ok());
    ASSERT_TRUE(dir->Fsync(io_, nullptr).ok());
  }
  // Creates name under root_ holding synced then unsynced; syncs the
  // directory if asked.
  void Write(const std::string& name, const std::string& synced, const std::string& unsynced,
             bool sync_dir) {
    std::unique_ptr<rocksdb::FSWritableFile> f;
    ASSERT_TRUE(plfs_->NewWritableFile(root_ + "/" + name, rocksdb::FileOptions(), &f, nullptr).ok());
    ASSERT_TRUE(f->Append(synced, io_, nullptr).ok());
    ASSERT_TRUE(f->Sync(io_, nullptr).ok());
    ASSERT_TRUE(f->Append(unsynced, io_, nullptr).ok());
    ASSERT_TRUE(f->Close(io_, nullptr).ok());
    if (sync_dir) SyncDir(root_);
  }

  TempDir dir_;
  std::shared_ptr<PowerLossFs> plfs_;
  std::string root_;
  rocksdb::IOOptions io_;
};

TEST_F(PowerLossFsTest, ACutKeepsOnlyWhatWasSynced) {
  Write("a", "durable", "-lost", /*sync_dir=*/true);
  // A rename made durable by a directory sync: kept.
  Write("e", "e data", "", /*sync_dir=*/true);
  ASSERT_TRUE(plfs_->RenameFile(root_ + "/e", root_ + "/f", io_, nullptr).ok());
  SyncDir(root_);
  // From here on root_ is not synced again.
  // A rename over a durable file: undone, the old file back.
  Write("c", "old c", "", /*sync_dir=*/true);
  Write("d", "new c", "", /*sync_dir=*/true);
  ASSERT_TRUE(plfs_->RenameFile(root_ + "/d", root_ + "/c", io_, nullptr).ok());
  // A file created: gone, synced data and all.
  Write("b", "never", "-named", /*sync_dir=*/false);
  // A directory created without syncing its parent: gone, with its files.
  ASSERT_TRUE(plfs_->CreateDir(dir_.Sub("newdir"), io_, nullptr).ok());
  EXPECT_EQ(ReadFile(root_ + "/a"), "durable-lost");  // before the cut, all there

  plfs_->CutPower();
  EXPECT_TRUE(plfs_->off());
  EXPECT_EQ(ReadFile(root_ + "/a"), "durable");
  EXPECT_FALSE(fs::exists(root_ + "/b"));
  EXPECT_EQ(ReadFile(root_ + "/c"), "old c");
  EXPECT_EQ(ReadFile(root_ + "/d"), "new c");
  EXPECT_FALSE(fs::exists(root_ + "/e"));
  EXPECT_EQ(ReadFile(root_ + "/f"), "e data");
  EXPECT_FALSE(fs::exists(dir_.Sub("newdir")));
  // The disk is dead from now on.
  std::unique_ptr<rocksdb::FSWritableFile> f;
  EXPECT_TRUE(plfs_->NewWritableFile(root_ + "/g", rocksdb::FileOptions(), &f, nullptr).IsIOError());
  EXPECT_FALSE(fs::exists(root_ + "/g"));
}

TEST_F(PowerLossFsTest, ARandomTailKeepsAPrefixOfTheUnsyncedBytes) {
  plfs_->SetTail(PowerLossFs::Tail::kRandomTail);
  const std::string tail(4000, 't');
  Write("a", "synced:", tail, /*sync_dir=*/true);
  plfs_->CutPower();
  const std::string got = ReadFile(root_ + "/a");
  ASSERT_GE(got.size(), 7u);
  EXPECT_EQ(got, ("synced:" + tail).substr(0, got.size()));
  // Seed 7 keeps some of the tail but not all (a fixed draw of the seed).
  EXPECT_GT(got.size(), 7u);
  EXPECT_LT(got.size(), 7u + tail.size());
}

TEST_F(PowerLossFsTest, CutAtStopsBeforeTheArmedCall) {
  Write("a", "x", "", /*sync_dir=*/true);
  plfs_->CutAt(1);  // the next call goes through, the one after is cut
  std::unique_ptr<rocksdb::FSWritableFile> f;
  ASSERT_TRUE(plfs_->NewWritableFile(root_ + "/b", rocksdb::FileOptions(), &f, nullptr).ok());
  EXPECT_TRUE(f->Append("y", io_, nullptr).IsIOError());
  EXPECT_TRUE(plfs_->off());
  EXPECT_FALSE(fs::exists(root_ + "/b"));
  EXPECT_EQ(ReadFile(root_ + "/a"), "x");
}

// ------------------------------------------------------------ the store ----

// One power-loss trial: a store directory, the file system that will cut,
// and what the operation under test got acknowledged before the cut.
class StorePowerLossTest : public ::testing::Test {
 protected:
  void SetUp() override { clock_ = std::make_shared<ManualClock>(); }

  Options OptionsOn(const std::shared_ptr<PowerLossFs>& plfs) {
    Options o = SmallOptions(clock_);
    o.maintenance_interval_seconds = 0;
    o.flush_controller_interval_seconds = 0;
    if (plfs) o.rocksdb_env = PowerLossFs::MakeEnv(plfs);
    return o;
  }

  // Runs `setup` then `op` on a fresh store in dir, on a PowerLossFs armed
  // to cut before the cut_at-th file call of `op` (never if cut_at < 0);
  // returns the file calls op made.
  uint64_t Trial(const std::string& dir, int64_t cut_at, uint64_t seed,
                 const std::function<void(Store*)>& setup,
                 const std::function<void(Store*)>& op, bool cut_during_open = false) {
    auto plfs = std::make_shared<PowerLossFs>(seed);
    if (seed % 2 == 1) plfs->SetTail(PowerLossFs::Tail::kRandomTail);
    std::unique_ptr<Store> store;
    if (cut_during_open && cut_at >= 0) plfs->CutAt(static_cast<uint64_t>(cut_at));
    const uint64_t before_open = plfs->mutating_calls();
    Status s = Store::Open(OptionsOn(plfs), dir, &store);
    if (cut_during_open) {
      if (s.ok()) op(store.get());
    } else {
      EXPECT_TRUE(s.ok()) << s.ToString();
      if (!s.ok()) return 0;
      if (setup) setup(store.get());
      if (cut_at >= 0) plfs->CutAt(static_cast<uint64_t>(cut_at));
      op(store.get());
    }
    const uint64_t calls = plfs->mutating_calls() - before_open;
    if (!plfs->off()) plfs->CutPower();  // whatever is still unsynced goes too
    if (store) store->Close().PermitUncheckedError();
    store.reset();
    return calls;
  }

  // Reopens dir on the real file system; the store must open.
  std::unique_ptr<Store> Reopen(const std::string& dir) {
    std::unique_ptr<Store> store;
    const Status s = Store::Open(OptionsOn(nullptr), dir, &store);
    EXPECT_TRUE(s.ok()) << "after a power cut the store does not open: " << s.ToString();
    return store;
  }

  // The crash points to try of an operation making `calls` file calls: all
  // of them up to `most`, else `most` spread evenly plus the last few. (A
  // cut that fails a background flush costs a second: RocksDB waits that
  // long before it retries.)
  static std::vector<int64_t> CrashPoints(uint64_t calls, uint64_t most = 40) {
    std::vector<int64_t> points;
    const uint64_t stride = std::max<uint64_t>(1, (calls + most - 1) / most);
    for (uint64_t n = 0; n <= calls; n += stride) points.push_back(static_cast<int64_t>(n));
    for (uint64_t n = calls > 4 ? calls - 4 : 0; n <= calls; ++n) {
      points.push_back(static_cast<int64_t>(n));
    }
    std::sort(points.begin(), points.end());
    points.erase(std::unique(points.begin(), points.end()), points.end());
    return points;
  }

  static std::string Get(Store* s, const std::string& domain, const std::string& tenant,
                         const std::string& key) {
    std::string v;
    const Status st = s->Get(ReadOptions(), domain, tenant, key, &v);
    if (st.IsNotFound()) return "NOT_FOUND";
    return st.ok() ? v : "ERROR " + st.ToString();
  }

  TempDir dir_;
  std::shared_ptr<ManualClock> clock_;
};

std::string Val(int i) { return "value-" + std::to_string(i) + std::string(100, 'v'); }
std::string Key(int i) { return "k" + std::to_string(1000 + i); }

// Creation, then one thread of puts (every third unsynced) with a flush in
// the middle: every crash point from the first file call of Open on, each
// one.
TEST_F(StorePowerLossTest, CreationAndWritesLoseOnlyAnUnsyncedSuffix) {
  constexpr int kPuts = 24;
  std::vector<int> acked_synced;  // the last trial's
  int attempted = 0;
  auto op = [&](Store* s) {
    for (int i = 0; i < kPuts; ++i) {
      WriteOptions w;
      w.sync = i % 3 != 2;
      ++attempted;
      if (!s->Put(w, kInode, "t", Key(i), Val(i)).ok()) return;
      if (w.sync) acked_synced.push_back(i);
      if (i == kPuts / 2 && !s->Flush(kInode).ok()) return;
    }
  };
  const uint64_t calls = Trial(dir_.Sub("count"), -1, 0, nullptr, op, /*cut_during_open=*/true);
  ASSERT_GT(calls, 20u);
  int trials = 0;
  // Every file call (about 130: Open's are the most varied).
  for (int64_t cut : CrashPoints(calls, 200)) {
    SCOPED_TRACE("cut before file call " + std::to_string(cut) + " of " + std::to_string(calls));
    const std::string dir = dir_.Sub("cut" + std::to_string(cut));
    acked_synced.clear();
    attempted = 0;
    Trial(dir, cut, static_cast<uint64_t>(cut), nullptr, op, /*cut_during_open=*/true);
    auto store = Reopen(dir);
    ASSERT_NE(store, nullptr);
    ++trials;
    // No holes: the puts present are the first `present` of them.
    int present = 0;
    while (present < kPuts && Get(store.get(), kInode, "t", Key(present)) == Val(present)) {
      ++present;
    }
    for (int i = present; i < kPuts; ++i) {
      EXPECT_EQ(Get(store.get(), kInode, "t", Key(i)), "NOT_FOUND")
          << "put " << i << " survived but put " << present << " did not";
    }
    EXPECT_LE(present, attempted);  // nothing never written
    for (int i : acked_synced) EXPECT_LT(i, present) << "synced put " << i << " lost";
    MKV_EXPECT_OK(store->Close());
  }
  EXPECT_GE(trials, 20);
}

// A cold ingest of a whole file (staging file, link, directory sync,
// manifest), with the flush of the domain's memtable that goes before it:
// all of the group or none of it, all if acknowledged; the staging
// directory is emptied at the next open.
TEST_F(StorePowerLossTest, AColdIngestIsAllOrNothing) {
  constexpr int kRecords = 300;
  std::vector<ColdRecord> group;
  for (int i = 0; i < kRecords; ++i) group.push_back(ColdRecord{Key(i), Val(i)});
  auto setup = [&](Store* s) {
    MKV_ASSERT_OK(s->Put(Synced(), kHistory, "h", "before", "x"));
  };
  bool acked = false;
  auto op = [&](Store* s) { acked = s->IngestCold(kHistory, "h", group).ok(); };
  const uint64_t calls = Trial(dir_.Sub("count"), -1, 0, setup, op);
  ASSERT_GT(calls, 3u);
  for (int64_t cut : CrashPoints(calls)) {
    SCOPED_TRACE("cut before file call " + std::to_string(cut) + " of " + std::to_string(calls));
    const std::string dir = dir_.Sub("cut" + std::to_string(cut));
    acked = false;
    Trial(dir, cut, static_cast<uint64_t>(cut), setup, op);
    auto store = Reopen(dir);
    ASSERT_NE(store, nullptr);
    EXPECT_EQ(Get(store.get(), kHistory, "h", "before"), "x");
    int present = 0;
    for (int i = 0; i < kRecords; ++i) present += Get(store.get(), kHistory, "h", Key(i)) == Val(i);
    EXPECT_TRUE(present == 0 || present == kRecords) << present << " of " << kRecords;
    if (acked) {
      EXPECT_EQ(present, kRecords);
    }
    std::error_code ec;
    EXPECT_TRUE(!fs::exists(dir + "/metakv-ingest", ec) || fs::is_empty(dir + "/metakv-ingest", ec))
        << "staging files left";
    MKV_EXPECT_OK(store->Close());
  }
}

// Unsynced writes carrying applied indexes 1, 2, ... (as a Raft FSM makes
// them): after a cut with any tail, the stored index k says exactly which
// writes survived, 1..k and no other: index and data are one write.
TEST_F(StorePowerLossTest, TheAppliedIndexAgreesWithTheDataAfterACut) {
  constexpr int kWrites = 40;
  auto op = [&](Store* s) {
    for (int i = 1; i <= kWrites; ++i) {
      WriteOptions w;
      w.applied_index = AppliedIndex{1, static_cast<uint64_t>(i)};
      WriteBatch b;
      b.Put(kInode, "t", Key(i), Val(i));
      b.Put(kDentry, "t", Key(i), Val(i));
      if (!s->Write(w, b).ok()) return;
      if (i == kWrites / 2 && !s->Flush(kInode).ok()) return;
    }
  };
  const uint64_t calls = Trial(dir_.Sub("count"), -1, 0, nullptr, op);
  ASSERT_GT(calls, 3u);
  for (int64_t cut : CrashPoints(calls, 30)) {
    for (uint64_t seed : {static_cast<uint64_t>(2 * cut), static_cast<uint64_t>(2 * cut + 1)}) {
      SCOPED_TRACE("cut before file call " + std::to_string(cut) + " of " +
                   std::to_string(calls) + ", seed " + std::to_string(seed));
      const std::string dir = dir_.Sub("cut" + std::to_string(seed));
      Trial(dir, cut, seed, nullptr, op);
      auto store = Reopen(dir);
      ASSERT_NE(store, nullptr);
      AppliedIndex applied;
      MKV_ASSERT_OK(store->GetAppliedIndex(&applied));
      for (int i = 1; i <= kWrites; ++i) {
        const std::string want = i <= static_cast<int>(applied.index) ? Val(i) : "NOT_FOUND";
        EXPECT_EQ(Get(store.get(), kInode, "t", Key(i)), want) << "write " << i;
        EXPECT_EQ(Get(store.get(), kDentry, "t", Key(i)), want) << "write " << i;
      }
      MKV_EXPECT_OK(store->Close());
    }
  }
}

// ImportTenant (the copy of the files, the metadata file of the imported
// removal and applied index, one ingest across column families): after a
// cut at any point the tenant is all there with its index, or absent
// without it.
TEST_F(StorePowerLossTest, AnImportIsAllOrNothingWithItsIndex) {
  const std::string export_dir = dir_.Sub("export");
  {
    std::unique_ptr<Store> src;
    Options o = OptionsOn(nullptr);
    MKV_ASSERT_OK(Store::Open(o, dir_.Sub("src"), &src));
    for (int i = 0; i < 200; ++i) {
      MKV_ASSERT_OK(src->Put(WriteOptions(), kInode, "t", Key(i), Val(i)));
      MKV_ASSERT_OK(src->Put(WriteOptions(), kDentry, "t", "d/" + Key(i), Val(i)));
    }
    MKV_ASSERT_OK(src->Flush());
    MKV_ASSERT_OK(src->RemoveTree(WriteOptions(), "t", {{kDentry, "d/k100"}}, RemoveMode::kLogical));
    MKV_ASSERT_OK(src->ExportTenant("t", export_dir));
    MKV_ASSERT_OK(src->Close());
  }
  auto setup = [&](Store* s) {
    MKV_ASSERT_OK(s->Put(Synced(), kInode, "other", "a", "x"));
  };
  bool acked = false;
  auto op = [&](Store* s) {
    ImportOptions io;
    io.applied_index = AppliedIndex{2, 7};
    acked = s->ImportTenant(export_dir, io).ok();
  };
  const uint64_t calls = Trial(dir_.Sub("count"), -1, 0, setup, op);
  ASSERT_GT(calls, 3u);
  for (int64_t cut : CrashPoints(calls)) {
    SCOPED_TRACE("cut before file call " + std::to_string(cut) + " of " + std::to_string(calls));
    const std::string dir = dir_.Sub("cut" + std::to_string(cut));
    acked = false;
    Trial(dir, cut, static_cast<uint64_t>(cut), setup, op);
    auto store = Reopen(dir);
    ASSERT_NE(store, nullptr);
    EXPECT_EQ(Get(store.get(), kInode, "other", "a"), "x");
    AppliedIndex applied;
    MKV_ASSERT_OK(store->GetAppliedIndex(&applied));
    int present = 0;
    for (int i = 0; i < 200; ++i) {
      present += Get(store.get(), kInode, "t", Key(i)) == Val(i);
      present += Get(store.get(), kDentry, "t", "d/" + Key(i)) == Val(i);
    }
    std::vector<RemovalInfo> removals;
    MKV_ASSERT_OK(store->ListRemovals(&removals));
    if (applied.index == 7) {
      EXPECT_EQ(present, 400 - 10);  // d/k1000..d/k1009 hidden by the removal
      EXPECT_EQ(removals.size(), 1u);
    } else {
      EXPECT_FALSE(acked);
      EXPECT_EQ(applied.index, 0u);
      EXPECT_EQ(present, 0);
      EXPECT_TRUE(removals.empty());
    }
    MKV_EXPECT_OK(store->Close());
  }
}

// A record written under a removed tree marks the removal "written under"
// (else scans skip the removed range whole). A cold ingest's file does not
// go through the WAL, so the mark must be synced on its own: here the power
// goes right after the ingest returned, and a scan must still show the
// ingested records (as Get does).
TEST_F(StorePowerLossTest, AnIngestUnderARemovedTreeStaysVisibleToScans) {
  std::vector<ColdRecord> group;
  for (int i = 0; i < 50; ++i) group.push_back(ColdRecord{"k" + std::to_string(i), Val(i)});
  auto setup = [&](Store* s) {
    MKV_ASSERT_OK(s->Put(Synced(), kHistory, "h", "k-old", "x"));
    MKV_ASSERT_OK(s->RemoveTree(Synced(), "h", {{kHistory, "k"}}, RemoveMode::kHard));
    // An empty memtable: the ingest flushes nothing (a flush would sync the
    // WAL, mark and all).
    MKV_ASSERT_OK(s->Flush());
    clock_->AdvanceSeconds(5);
  };
  auto op = [&](Store* s) { MKV_ASSERT_OK(s->IngestCold(kHistory, "h", group)); };
  Trial(dir_.Sub("db"), -1, 0, setup, op);  // the cut comes after the ingest
  auto store = Reopen(dir_.Sub("db"));
  ASSERT_NE(store, nullptr);
  EXPECT_EQ(Get(store.get(), kHistory, "h", "k7"), Val(7));
  std::unique_ptr<Iterator> it;
  ScanSpec spec;
  spec.tenant = "h";
  MKV_ASSERT_OK(store->NewIterator(ReadOptions(), kHistory, spec, &it));
  int n = 0;
  for (it->SeekToFirst(); it->Valid(); it->Next()) ++n;
  MKV_EXPECT_OK(it->status());
  EXPECT_EQ(n, 50) << "the scan skipped the ingested records under the removed tree";
  it.reset();
  MKV_EXPECT_OK(store->Close());
}

// Tree and tenant removals (each one small synced record): each whole or
// not at all, in place if acknowledged; records outside them untouched.
TEST_F(StorePowerLossTest, RemovalsAreAllOrNothing) {
  auto setup = [&](Store* s) {
    for (int i = 0; i < 20; ++i) {
      MKV_ASSERT_OK(s->Put(Synced(), kInode, "a", "d1/" + Key(i), Val(i)));
      MKV_ASSERT_OK(s->Put(Synced(), kDentry, "a", "d1/" + Key(i), Val(i)));
      MKV_ASSERT_OK(s->Put(Synced(), kInode, "a", "d2/" + Key(i), Val(i)));
      MKV_ASSERT_OK(s->Put(Synced(), kInode, "b", Key(i), Val(i)));
      if (i == 10) MKV_ASSERT_OK(s->Flush());
    }
  };
  bool tree_acked = false, tenant_acked = false;
  auto op = [&](Store* s) {
    tree_acked = s->RemoveTree(Synced(), "a", {{kInode, "d1/"}, {kDentry, "d1/"}},
                               RemoveMode::kHard)
                     .ok();
    if (!tree_acked) return;
    tenant_acked = s->RemoveTenant(Synced(), "b").ok();
  };
  const uint64_t calls = Trial(dir_.Sub("count"), -1, 0, setup, op);
  ASSERT_GT(calls, 1u);
  for (int64_t cut : CrashPoints(calls)) {
    SCOPED_TRACE("cut before file call " + std::to_string(cut) + " of " + std::to_string(calls));
    const std::string dir = dir_.Sub("cut" + std::to_string(cut));
    tree_acked = tenant_acked = false;
    Trial(dir, cut, static_cast<uint64_t>(cut), setup, op);
    auto store = Reopen(dir);
    ASSERT_NE(store, nullptr);
    int tree = 0, tenant = 0;
    for (int i = 0; i < 20; ++i) {
      tree += Get(store.get(), kInode, "a", "d1/" + Key(i)) == Val(i);
      tree += Get(store.get(), kDentry, "a", "d1/" + Key(i)) == Val(i);
      tenant += Get(store.get(), kInode, "b", Key(i)) == Val(i);
      EXPECT_EQ(Get(store.get(), kInode, "a", "d2/" + Key(i)), Val(i));
    }
    EXPECT_TRUE(tree == 0 || tree == 40) << tree;
    EXPECT_TRUE(tenant == 0 || tenant == 20) << tenant;
    if (tree_acked) {
      EXPECT_EQ(tree, 0);
    }
    if (tenant_acked) {
      EXPECT_EQ(tenant, 0);
    }
    MKV_EXPECT_OK(store->Close());
  }
}

// The purge (deadline compactions and whole-file drops, which delete
// files): nothing live lost, nothing deleted or removed back.
TEST_F(StorePowerLossTest, ThePurgeNeverLosesOrResurrects) {
  auto setup = [&](Store* s) {
    for (int i = 0; i < 40; ++i) MKV_ASSERT_OK(s->Put(Synced(), kInode, "t", Key(i), Val(i)));
    MKV_ASSERT_OK(s->Flush());
    for (int i = 0; i < 20; ++i) MKV_ASSERT_OK(s->Delete(Synced(), kInode, "t", Key(i)));
    for (int i = 0; i < 30; ++i) MKV_ASSERT_OK(s->Put(Synced(), kDentry, "r", Key(i), Val(i)));
    MKV_ASSERT_OK(s->Flush());
    MKV_ASSERT_OK(s->RemoveTenant(Synced(), "r"));
    clock_->AdvanceSeconds(400 * 86400);  // past every retention
  };
  auto op = [&](Store* s) {
    uint64_t n = 0;
    if (!DropPurgeableFilesNow(s, "", &n).ok()) return;
    PurgeDeadlineNow(s, &n).PermitUncheckedError();
  };
  const uint64_t calls = Trial(dir_.Sub("count"), -1, 0, setup, op);
  ASSERT_GT(calls, 3u);
  for (int64_t cut : CrashPoints(calls)) {
    SCOPED_TRACE("cut before file call " + std::to_string(cut) + " of " + std::to_string(calls));
    const std::string dir = dir_.Sub("cut" + std::to_string(cut));
    Trial(dir, cut, static_cast<uint64_t>(cut), setup, op);
    auto store = Reopen(dir);
    ASSERT_NE(store, nullptr);
    for (int i = 0; i < 40; ++i) {
      EXPECT_EQ(Get(store.get(), kInode, "t", Key(i)), i < 20 ? "NOT_FOUND" : Val(i)) << i;
    }
    for (int i = 0; i < 30; ++i) EXPECT_EQ(Get(store.get(), kDentry, "r", Key(i)), "NOT_FOUND");
    MKV_EXPECT_OK(store->Close());
  }
}

}  // namespace
}  // namespace metakv::test
