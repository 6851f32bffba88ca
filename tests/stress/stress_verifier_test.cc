// metakv-stress end to end on a real store: clean runs verify clean, and the
// verifier reports damage done behind the tool's back (records removed or
// brought back through raw RocksDB, a wrong expected state) and updates a
// crash left half done (a batch applied in part).
#include <gtest/gtest.h>

#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <set>
#include <sstream>
#include <vector>

#include "codecs/key_codec.h"
#include "codecs/record_codec.h"
#include "engine/catalogue.h"
#include "metakv/store.h"
#include "tests/engine/raw_rocksdb.h"
#include "tests/testutil.h"
#include "tools/stress/expected_state.h"
#include "tools/stress/key_space.h"
#include "tools/stress/stress_context.h"
#include "tools/stress/stress_lib.h"

namespace metakv::stress {
namespace {

constexpr uint32_t kKeys = 32;

struct Result {
  int code = -1;
  std::string out;
  std::string err;
};

Result Stress(std::vector<std::string> args) {
  args.insert(args.begin(), "metakv-stress");
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  std::ostringstream out, err;
  Result r;
  r.code = RunStress(static_cast<int>(argv.size()), argv.data(), out, err);
  r.out = out.str();
  r.err = err.str();
  return r;
}

class StressVerifierTest : public ::testing::Test {
 protected:
  StressVerifierTest() : db_(dir_.Sub("db")), space_(kKeys) {}

  // A short clean run leaving a store with every kind of record.
  Result CleanRun(const std::string& extra = "--seed=7") {
    const Result r = Stress({"--db=" + db_, "--ops=1500", "--threads=2", "--duration=60",
                             "--keys=" + std::to_string(kKeys), extra});
    EXPECT_EQ(r.code, kExitOk) << r.out << r.err;
    EXPECT_NE(r.out.find("metakv-stress: done: ops=1500"), std::string::npos) << r.out;
    return r;
  }
  Result Verify() { return Stress({"--db=" + db_, "--verify"}); }

  std::unique_ptr<ExpectedState> OpenExpected() {
    std::unique_ptr<ExpectedState> ex;
    Status s = ExpectedState::Open(ExpectedStatePath(db_), &ex);
    EXPECT_TRUE(s.ok()) << s.ToString();
    return ex;
  }
  // The store on the stress clock, as the tool opens it.
  std::unique_ptr<Store> OpenStore(uint64_t clock_seconds) {
    Options o = StressStoreOptions(std::make_shared<ManualClock>(clock_seconds * 1000000));
    o.create_if_missing = false;
    std::unique_ptr<Store> store;
    Status s = Store::Open(o, db_, &store);
    EXPECT_TRUE(s.ok()) << s.ToString();
    return store;
  }
  // The first unlinked slot (of `domain` if given) whose expected state
  // satisfies pred.
  template <typename Pred>
  uint64_t Find(ExpectedState* ex, Pred pred, int domain = -1) {
    for (uint64_t slot = 0; slot < space_.slots(); ++slot) {
      if (domain >= 0 && space_.DomainOf(slot) != static_cast<uint32_t>(domain)) continue;
      if (!space_.IsLinkedSlot(slot) && pred(ex->Committed(slot))) return slot;
    }
    ADD_FAILURE() << "no such slot";
    return 0;
  }
  std::string Domain(uint64_t slot) const {
    return std::string(KeySpace::DomainName(space_.DomainOf(slot)));
  }
  // The column family holding slot: its domain's, or the tenant's shard of
  // it if the store was made with tenant_shards_ shards.
  std::string Cf(uint64_t slot) const {
    const std::string domain = Domain(slot);
    uint32_t shards = 1;
    for (const DomainOptions& d : StressStoreOptions(nullptr, tenant_shards_).domains) {
      if (d.name == domain) shards = d.tenant_shards;
    }
    return ShardColumnFamily(
        domain, codecs::TenantShard(space_.TenantName(space_.TenantOf(slot)), shards));
  }
  std::string Encoded(uint64_t slot) const {
    return codecs::EncodeKey(space_.TenantName(space_.TenantOf(slot)),
                             KeySpace::KeyName(space_.KeyOf(slot)));
  }
  Status Put(Store* store, uint64_t slot, uint32_t id) {
    WriteOptions wo;
    wo.sync = true;
    return store->Put(wo, Domain(slot), space_.TenantName(space_.TenantOf(slot)),
                      KeySpace::KeyName(space_.KeyOf(slot)), space_.MakeValue(slot, id));
  }

  test::TempDir dir_;
  const std::string db_;
  const KeySpace space_;
  uint32_t tenant_shards_ = 1;  // the count the test makes its store with
};

TEST_F(StressVerifierTest, ACleanRunVerifiesClean) {
  const Result run = CleanRun();
  // The run removed whole tenants too (RemoveTenant is in the mix).
  const size_t at = run.out.find("remove_tenant=");
  ASSERT_NE(at, std::string::npos) << run.out;
  EXPECT_GT(std::atoi(run.out.c_str() + at + std::strlen("remove_tenant=")), 0) << run.out;
  const Result v = Verify();
  EXPECT_EQ(v.code, kExitOk) << v.out << v.err;
  EXPECT_NE(v.out.find("metakv-stress: verify OK: keys=384"), std::string::npos) << v.out;
  EXPECT_NE(v.out.find("ops_total=1500"), std::string::npos) << v.out;
  EXPECT_TRUE(v.err.empty()) << v.err;
  // A second run resumes the same expected state and clock.
  CleanRun("--seed=8");
  EXPECT_EQ(OpenExpected()->ops(), 3000u);
  EXPECT_EQ(Verify().code, kExitOk);
}

TEST_F(StressVerifierTest, ReopeningDuringARunVerifiesClean) {
  const Result r = Stress({"--db=" + db_, "--ops=1200", "--threads=2", "--duration=60", "--keys=32",
                           "--reopen_every=400"});
  ASSERT_EQ(r.code, kExitOk) << r.out << r.err;
  EXPECT_NE(r.out.find("reopens="), std::string::npos);
  EXPECT_EQ(r.out.find("reopens=0"), std::string::npos) << r.out;
  EXPECT_EQ(Verify().code, kExitOk);
}

TEST_F(StressVerifierTest, ALostWriteIsReported) {
  CleanRun();
  uint64_t slot = 0;
  {
    auto ex = OpenExpected();
    const uint64_t now = ex->clock_seconds();
    slot = Find(ex.get(), [&](const KeyState& s) { return s.VisibleAt(now); });
  }
  test::RawDb(db_).Delete(Cf(slot), Encoded(slot));
  const Result v = Verify();
  EXPECT_EQ(v.code, kExitViolation) << v.out << v.err;
  EXPECT_NE(v.err.find("VIOLATION: LOST WRITE " + space_.Describe(slot)), std::string::npos)
      << v.err;
  EXPECT_NE(v.out.find("verify FAILED"), std::string::npos) << v.out;
}

// The lanes of unsynced puts: after a clean run each lane shows puts 1..m
// with nothing lost; a put lost in the middle of a lane (a hole), a synced
// put lost, and a put the tool never made are each reported.
class LaneTest : public StressVerifierTest {
 protected:
  // A lane the clean run wrote at least kLaneKeys + 3 puts to, and its
  // state.
  uint32_t BusyLane(ExpectedState::Lane* lane) {
    auto ex = OpenExpected();
    for (uint32_t j = 0; j < 2; ++j) {
      *lane = ex->GetLane(j);
      if (lane->acked >= kLaneKeys + 3) return j;
    }
    ADD_FAILURE() << "no lane got " << kLaneKeys + 3 << " puts";
    return 0;
  }
  void PutLane(uint32_t lane, uint64_t n) {
    auto store = OpenStore(OpenExpected()->clock_seconds());
    ASSERT_NE(store, nullptr);
    const Status s = store->Put(WriteOptions(), kLaneDomain, LaneTenant(lane),
                                LaneKey(static_cast<uint32_t>(n % kLaneKeys)), LaneValue(n));
    EXPECT_TRUE(s.ok()) << s.ToString();
    EXPECT_TRUE(store->Close().ok());
  }
};

TEST_F(LaneTest, ACleanRunLeavesEveryLaneWhole) {
  const Result run = CleanRun();
  EXPECT_NE(run.out.find("lane_put="), std::string::npos) << run.out;
  ExpectedState::Lane lane;
  BusyLane(&lane);
  EXPECT_EQ(lane.attempted, lane.acked);
  const Result v = Verify();
  EXPECT_EQ(v.code, kExitOk) << v.out << v.err;
  EXPECT_NE(v.out.find("unsynced_lost=0"), std::string::npos) << v.out;
}

TEST_F(LaneTest, AHoleIsReported) {
  CleanRun();
  ExpectedState::Lane lane;
  const uint32_t j = BusyLane(&lane);
  // Put acked - 2 replaced by the put before it on that key: as if it were
  // lost while the two after it survived.
  PutLane(j, lane.acked - 2 - kLaneKeys);
  const Result v = Verify();
  EXPECT_EQ(v.code, kExitViolation) << v.out << v.err;
  EXPECT_NE(v.err.find("VIOLATION: HOLE lane " + std::to_string(j) + ": put " +
                       std::to_string(lane.acked - 2) + " is lost while the later put " +
                       std::to_string(lane.acked) + " survived"),
            std::string::npos)
      << v.err;
}

TEST_F(LaneTest, ALostSyncedPutAndAPhantomPutAreReported) {
  CleanRun();
  ExpectedState::Lane lane;
  const uint32_t j = BusyLane(&lane);
  {
    // The expected state claims one more put, synced: the store lacks it.
    auto ex = OpenExpected();
    ex->SetLaneAttempted(j, lane.acked + 1);
    ex->SetLaneAcked(j, lane.acked + 1, /*synced=*/true);
  }
  Result v = Verify();
  EXPECT_EQ(v.code, kExitViolation) << v.out << v.err;
  EXPECT_NE(v.err.find("VIOLATION: LOST WRITE lane " + std::to_string(j) + ": put " +
                       std::to_string(lane.acked + 1) + " was synced"),
            std::string::npos)
      << v.err;
  // A put beyond any the tool made.
  {
    auto ex = OpenExpected();
    ex->ResetLane(j, lane.acked);
  }
  PutLane(j, lane.acked + 1);
  v = Verify();
  EXPECT_EQ(v.code, kExitViolation) << v.out << v.err;
  EXPECT_NE(v.err.find("VIOLATION: PHANTOM WRITE lane " + std::to_string(j) + ": the store shows put " +
                       std::to_string(lane.acked + 1)),
            std::string::npos)
      << v.err;
}

// With tenant shards, the run and the verify go through the tenants'
// shards, and a write lost in a shard is caught.
TEST_F(StressVerifierTest, ALostWriteInATenantShardIsReported) {
  tenant_shards_ = 3;
  CleanRun("--tenant_shards=3");
  uint64_t slot = 0;
  {
    auto ex = OpenExpected();
    const uint64_t now = ex->clock_seconds();
    slot = Find(
        ex.get(), [&](const KeyState& s) { return s.VisibleAt(now); }, KeySpace::kInode);
  }
  std::set<std::string> shard_cfs;
  {
    test::RawDb raw(db_, /*read_only=*/true);
    for (const std::string& cf : raw.Names()) {
      if (cf.rfind(std::string(kInodeDomain) + "#", 0) == 0) shard_cfs.insert(cf);
    }
  }
  EXPECT_EQ(shard_cfs.size(), 2u);  // inode#1, inode#2 beside inode
  test::RawDb(db_).Delete(Cf(slot), Encoded(slot));
  const Result v = Verify();
  EXPECT_EQ(v.code, kExitViolation) << v.out << v.err;
  EXPECT_NE(v.err.find("VIOLATION: LOST WRITE " + space_.Describe(slot)), std::string::npos)
      << v.err;
}

TEST_F(StressVerifierTest, ADeletedRecordComingBackIsReported) {
  CleanRun();
  uint64_t slot = 0, now = 0;
  uint32_t id = 0;
  {
    auto ex = OpenExpected();
    now = ex->clock_seconds();
    slot = Find(ex.get(),
                [&](const KeyState& s) { return s.kind != KeyKind::kLive && s.value_id > 0; });
    id = ex->Committed(slot).value_id;
  }
  // The deleted version, live again, as if a delete had been lost.
  codecs::Record record;
  record.time = now;
  const std::string payload = space_.MakeValue(slot, id);
  record.payload = payload;
  std::string value;
  codecs::EncodeRecord(Encoded(slot), record, &value);
  test::RawDb(db_).Put(Cf(slot), Encoded(slot), value);
  const Result v = Verify();
  EXPECT_EQ(v.code, kExitViolation) << v.out << v.err;
  EXPECT_NE(v.err.find("VIOLATION: DELETED RECORD BACK " + space_.Describe(slot)),
            std::string::npos)
      << v.err;
}

TEST_F(StressVerifierTest, ATombstonePurgedBeforeItsRetentionIsReported) {
  CleanRun();
  uint64_t slot = 0;
  {
    // Delete a live key now, as the tool would, so its retention is ahead.
    auto ex = OpenExpected();
    const uint64_t now = ex->clock_seconds();
    slot = Find(ex.get(), [&](const KeyState& s) { return s.VisibleAt(now); });
    KeyState next = ex->Committed(slot);
    next.kind = KeyKind::kTombstone;
    next.delete_time = now;
    ex->Prepare(slot, next);
    auto store = OpenStore(now);
    WriteOptions wo;
    wo.sync = true;
    ASSERT_TRUE(store
                    ->Delete(wo, Domain(slot), space_.TenantName(space_.TenantOf(slot)),
                             KeySpace::KeyName(space_.KeyOf(slot)))
                    .ok());
    ex->Commit(slot);
    ASSERT_TRUE(store->Close().ok());
  }
  ASSERT_EQ(Verify().code, kExitOk);
  test::RawDb(db_).Delete(Cf(slot), Encoded(slot));
  const Result v = Verify();
  EXPECT_EQ(v.code, kExitViolation) << v.out << v.err;
  EXPECT_NE(v.err.find("VIOLATION: PURGED BEFORE RETENTION " + space_.Describe(slot)),
            std::string::npos)
      << v.err;
}

TEST_F(StressVerifierTest, AnExpectedStateAheadOfTheStoreIsReported) {
  CleanRun();
  uint64_t slot = 0;
  {
    auto ex = OpenExpected();
    const uint64_t now = ex->clock_seconds();
    slot = Find(ex.get(), [&](const KeyState& s) { return s.VisibleAt(now); });
    KeyState newer = ex->Committed(slot);
    ++newer.value_id;
    ex->Prepare(slot, newer);
    ex->Commit(slot);
  }
  const Result v = Verify();
  EXPECT_EQ(v.code, kExitViolation) << v.out << v.err;
  EXPECT_NE(v.err.find("LOST WRITE " + space_.Describe(slot)), std::string::npos) << v.err;
}

TEST_F(StressVerifierTest, AnInterruptedBatchMustShowAllOldOrAllNew) {
  CleanRun();
  const uint64_t a = space_.Slot(KeySpace::kInode, 0, 1);
  const uint64_t b = space_.Slot(KeySpace::kDentry, 3, 2);
  auto prepare = [&](ExpectedState* ex, std::vector<KeyState>* next) {
    for (uint64_t s : {a, b}) {
      KeyState n;
      n.kind = KeyKind::kLive;
      n.value_id = ex->Committed(s).value_id + 1;
      next->push_back(n);
    }
    ex->PrepareGroup(0, {a, b}, *next);
  };
  // Nothing applied: recovery keeps the old states.
  {
    auto ex = OpenExpected();
    const KeyState old_a = ex->Committed(a);
    std::vector<KeyState> next;
    prepare(ex.get(), &next);
    ex.reset();
    const Result v = Verify();
    EXPECT_EQ(v.code, kExitOk) << v.out << v.err;
    EXPECT_NE(v.out.find("in_flight_resolved=1"), std::string::npos) << v.out;
    EXPECT_EQ(OpenExpected()->Committed(a), old_a);
  }
  // All applied: recovery takes the new states.
  {
    auto ex = OpenExpected();
    std::vector<KeyState> next;
    prepare(ex.get(), &next);
    auto store = OpenStore(ex->clock_seconds());
    WriteBatch batch;
    for (size_t i = 0; i < 2; ++i) {
      const uint64_t s = i == 0 ? a : b;
      batch.Put(Domain(s), space_.TenantName(space_.TenantOf(s)),
                KeySpace::KeyName(space_.KeyOf(s)), space_.MakeValue(s, next[i].value_id));
    }
    WriteOptions wo;
    wo.sync = true;
    ASSERT_TRUE(store->Write(wo, batch).ok());
    ASSERT_TRUE(store->Close().ok());
    ex.reset();
    const Result v = Verify();
    EXPECT_EQ(v.code, kExitOk) << v.out << v.err;
    EXPECT_EQ(OpenExpected()->Committed(b), next[1]);
  }
  // Half applied: a violation naming both keys.
  {
    auto ex = OpenExpected();
    std::vector<KeyState> next;
    prepare(ex.get(), &next);
    auto store = OpenStore(ex->clock_seconds());
    ASSERT_TRUE(Put(store.get(), a, next[0].value_id).ok());
    ASSERT_TRUE(store->Close().ok());
    ex.reset();
    const Result v = Verify();
    EXPECT_EQ(v.code, kExitViolation) << v.out << v.err;
    EXPECT_NE(v.err.find("VIOLATION: BATCH NOT ATOMIC after a crash"), std::string::npos) << v.err;
    EXPECT_NE(v.err.find(space_.Describe(a) + " new"), std::string::npos) << v.err;
    EXPECT_NE(v.err.find(space_.Describe(b) + " old"), std::string::npos) << v.err;
  }
}

// Tree removals change what Get returns, not the stored records: the
// verifier resolves an interrupted removal by Get (to old when the store
// never saw it, to removed when it did) and reports a removed tree that
// comes back.
TEST_F(StressVerifierTest, TreeRemovalsAreFollowedThroughGet) {
  CleanRun();
  const uint32_t t = 1;
  const std::string& tenant = space_.TenantName(t);
  std::vector<uint64_t> slots;
  for (uint32_t d : {KeySpace::kInode, KeySpace::kDentry}) {
    for (uint32_t k = 10; k < 20; ++k) slots.push_back(space_.Slot(d, t, k));
  }
  const uint64_t marker = space_.Slot(KeySpace::kInode, t, 11);
  auto stage_removal = [&](ExpectedState* ex) {
    std::vector<KeyState> next;
    for (uint64_t slot : slots) {
      KeyState r;
      r.kind = KeyKind::kRemoved;
      r.value_id = ex->Committed(slot).value_id;
      r.delete_time = ex->clock_seconds();
      next.push_back(r);
    }
    ex->PrepareGroup(0, slots, next);
  };
  WriteOptions wo;
  wo.sync = true;
  const std::vector<PrefixRef> tree = {{"inode", "k0001"}, {"dentry", "k0001"}};
  {
    // A live key in the tree, then a removal the store never saw.
    auto ex = OpenExpected();
    auto store = OpenStore(ex->clock_seconds());
    KeyState next;
    next.kind = KeyKind::kLive;
    next.value_id = ex->Committed(marker).value_id + 1;
    ex->Prepare(marker, next);
    ASSERT_TRUE(Put(store.get(), marker, next.value_id).ok());
    ex->Commit(marker);
    stage_removal(ex.get());
    ASSERT_TRUE(store->Close().ok());
  }
  Result v = Verify();
  EXPECT_EQ(v.code, kExitOk) << v.out << v.err;
  EXPECT_NE(v.out.find("in_flight_resolved=1"), std::string::npos) << v.out;
  EXPECT_EQ(OpenExpected()->Committed(marker).kind, KeyKind::kLive);

  uint64_t id = 0;
  {
    // A removal the store made, interrupted before the tool committed it.
    auto ex = OpenExpected();
    stage_removal(ex.get());
    auto store = OpenStore(ex->clock_seconds());
    ASSERT_TRUE(store->RemoveTree(wo, tenant, tree, RemoveMode::kLogical, &id).ok());
    ASSERT_TRUE(store->Close().ok());
  }
  v = Verify();
  EXPECT_EQ(v.code, kExitOk) << v.out << v.err;
  EXPECT_NE(v.out.find("in_flight_resolved=1"), std::string::npos) << v.out;
  EXPECT_EQ(OpenExpected()->Committed(marker).kind, KeyKind::kRemoved);

  {
    // The tree restored behind the tool's back.
    auto ex = OpenExpected();
    auto store = OpenStore(ex->clock_seconds());
    ASSERT_TRUE(store->RestoreTree(wo, id).ok());
    ASSERT_TRUE(store->Close().ok());
  }
  v = Verify();
  EXPECT_EQ(v.code, kExitViolation) << v.out << v.err;
  EXPECT_NE(v.err.find("VIOLATION: DELETED RECORD BACK " + space_.Describe(marker)),
            std::string::npos)
      << v.err;
}

// A tenant removal is a group of every key of the tenant, journaled as
// slot ranges: the verifier resolves an interrupted one by Get (to old when
// the store never saw it, to removed when it did), and reports one whose
// commit had begun (so RemoveTenant had returned) while the store shows
// the tenant whole.
TEST_F(StressVerifierTest, TenantRemovalsAreFollowedThroughGet) {
  CleanRun();
  auto stage_removal = [&](ExpectedState* ex, uint32_t t) {
    std::vector<ExpectedState::SlotRange> ranges;
    std::vector<KeyState> next;
    for (uint32_t d = 0; d < KeySpace::kDomains; ++d) {
      ranges.push_back(ExpectedState::SlotRange{space_.Slot(d, t, 0), kKeys});
      for (uint32_t k = 0; k < kKeys; ++k) {
        KeyState r;
        r.kind = KeyKind::kRemoved;
        r.value_id = ex->Committed(space_.Slot(d, t, k)).value_id;
        r.delete_time = ex->clock_seconds();
        next.push_back(r);
      }
    }
    ex->PrepareRangeGroup(0, ranges, next);
  };
  // A live key of tenant t, written as the tool would.
  auto make_live = [&](ExpectedState* ex, Store* store, uint64_t slot) {
    KeyState next;
    next.kind = KeyKind::kLive;
    next.value_id = ex->Committed(slot).value_id + 1;
    ex->Prepare(slot, next);
    ASSERT_TRUE(Put(store, slot, next.value_id).ok());
    ex->Commit(slot);
  };
  WriteOptions wo;
  wo.sync = true;
  const uint64_t marker = space_.Slot(KeySpace::kInode, 1, 1);
  {
    // A removal the store never saw.
    auto ex = OpenExpected();
    auto store = OpenStore(ex->clock_seconds());
    make_live(ex.get(), store.get(), marker);
    stage_removal(ex.get(), 1);
    ASSERT_TRUE(store->Close().ok());
  }
  Result v = Verify();
  EXPECT_EQ(v.code, kExitOk) << v.out << v.err;
  EXPECT_NE(v.out.find("in_flight_resolved=1"), std::string::npos) << v.out;
  EXPECT_EQ(OpenExpected()->Committed(marker).kind, KeyKind::kLive);
  {
    // A removal the store made, interrupted before the tool committed it.
    auto ex = OpenExpected();
    stage_removal(ex.get(), 1);
    auto store = OpenStore(ex->clock_seconds());
    ASSERT_TRUE(store->RemoveTenant(wo, space_.TenantName(1)).ok());
    ASSERT_TRUE(store->Close().ok());
  }
  v = Verify();
  EXPECT_EQ(v.code, kExitOk) << v.out << v.err;
  EXPECT_NE(v.out.find("in_flight_resolved=1"), std::string::npos) << v.out;
  {
    auto ex = OpenExpected();
    for (uint32_t d = 0; d < KeySpace::kDomains; ++d) {
      for (uint32_t k = 0; k < kKeys; ++k) {
        EXPECT_EQ(ex->Committed(space_.Slot(d, 1, k)).kind, KeyKind::kRemoved) << d << " " << k;
      }
    }
  }
  const uint64_t other = space_.Slot(KeySpace::kInode, 3, 1);
  {
    // An acknowledged removal (the commit had begun) the store does not
    // have: the tenant is still whole.
    auto ex = OpenExpected();
    auto store = OpenStore(ex->clock_seconds());
    make_live(ex.get(), store.get(), other);
    ASSERT_TRUE(store->Close().ok());
    stage_removal(ex.get(), 3);
    ex->TEST_CrashAfterStores(static_cast<int64_t>(ex->TEST_stores()) + 1);
    ex->CommitGroup(0);  // only the committing bit is stored
    ASSERT_EQ(ex->OpenGroups().size(), 1u);
    ASSERT_TRUE(ex->OpenGroups()[0].committing);
  }
  v = Verify();
  EXPECT_EQ(v.code, kExitViolation) << v.out << v.err;
  EXPECT_NE(v.err.find("VIOLATION: LOST WRITE after a crash: an acknowledged group of " +
                       std::to_string(3 * kKeys) + " keys"),
            std::string::npos)
      << v.err;
  EXPECT_NE(v.err.find(space_.Describe(other) + " old"), std::string::npos) << v.err;
}

TEST_F(StressVerifierTest, AnInterruptedUpdateMustShowItsOldOrNewState) {
  CleanRun();
  const uint64_t slot = space_.Slot(KeySpace::kInode, 1, 3);
  KeyState next;
  {
    auto ex = OpenExpected();
    next.kind = KeyKind::kLive;
    next.value_id = ex->Committed(slot).value_id + 1;
    ex->Prepare(slot, next);
    auto store = OpenStore(ex->clock_seconds());
    ASSERT_TRUE(Put(store.get(), slot, next.value_id).ok());
    ASSERT_TRUE(store->Close().ok());
  }
  ASSERT_EQ(Verify().code, kExitOk);
  EXPECT_EQ(OpenExpected()->Committed(slot), next);
  {
    // Neither: the store holds a version the update never wrote.
    auto ex = OpenExpected();
    KeyState again = next;
    ++again.value_id;
    ex->Prepare(slot, again);
    auto store = OpenStore(ex->clock_seconds());
    ASSERT_TRUE(Put(store.get(), slot, again.value_id + 5).ok());
    ASSERT_TRUE(store->Close().ok());
  }
  const Result v = Verify();
  EXPECT_EQ(v.code, kExitViolation) << v.out << v.err;
  EXPECT_NE(v.err.find("an interrupted update shows neither"), std::string::npos) << v.err;
}

TEST_F(StressVerifierTest, DamageBeforeARunIsCaughtByTheRun) {
  CleanRun();
  uint64_t slot = 0;
  {
    auto ex = OpenExpected();
    const uint64_t now = ex->clock_seconds();
    slot = Find(ex.get(), [&](const KeyState& s) { return s.VisibleAt(now) && s.expiry == 0; });
  }
  test::RawDb(db_).Delete(Cf(slot), Encoded(slot));
  const Result r = Stress({"--db=" + db_, "--ops=3000", "--threads=2", "--duration=60"});
  EXPECT_EQ(r.code, kExitViolation) << r.out << r.err;
  EXPECT_NE(r.err.find("VIOLATION: LOST WRITE " + space_.Describe(slot)), std::string::npos)
      << r.err;
}

TEST_F(StressVerifierTest, ExitStatuses) {
  EXPECT_EQ(Stress({"--db=" + db_, "--bogus"}).code, kExitUsage);
  const Result nothing = Verify();
  EXPECT_EQ(nothing.code, kExitOk) << nothing.err;
  EXPECT_NE(nothing.out.find("nothing to verify"), std::string::npos);
  CleanRun();
  const Result keys = Stress({"--db=" + db_, "--verify", "--keys=64"});
  EXPECT_EQ(keys.code, kExitUsage);
  EXPECT_NE(keys.err.find("was made with 32 keys per tenant"), std::string::npos) << keys.err;
  std::filesystem::resize_file(ExpectedStatePath(db_), 1000);
  const Result broken = Verify();
  EXPECT_EQ(broken.code, kExitError);
  EXPECT_NE(broken.err.find("shorter than the header"), std::string::npos) << broken.err;
  std::filesystem::remove(ExpectedStatePath(db_));
  const Result orphan = Verify();
  EXPECT_EQ(orphan.code, kExitUsage);
  EXPECT_NE(orphan.err.find("is missing"), std::string::npos) << orphan.err;
}

}  // namespace
}  // namespace metakv::stress
