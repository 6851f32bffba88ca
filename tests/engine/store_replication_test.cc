// Replication support: the applied index stored with writes
// (WriteOptions::applied_index), and tenant export and import
// (Store::ExportTenant, Store::ImportTenant). The model test
// (store_model_test.cc) moves tenants of its random runs too.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "tests/engine/store_fixture.h"

namespace metakv::test {
namespace {

WriteOptions At(uint64_t term, uint64_t index) {
  WriteOptions wo;
  wo.applied_index = AppliedIndex{term, index};
  return wo;
}

class ReplicationTest : public StoreTest {
 protected:
  AppliedIndex Applied(Store* s = nullptr) {
    AppliedIndex a{99, 99};
    const Status st = (s ? s : store_.get())->GetAppliedIndex(&a);
    EXPECT_TRUE(st.ok()) << st.ToString();
    return a;
  }
  // A second store beside the first, on the same clock.
  std::unique_ptr<Store> OpenOther(const std::string& name, Options o) {
    std::unique_ptr<Store> s;
    const Status st = Store::Open(o, others_.Sub(name), &s);
    EXPECT_TRUE(st.ok()) << st.ToString();
    return s;
  }
  std::unique_ptr<Store> OpenOther(const std::string& name) { return OpenOther(name, options_); }
  static std::string GetFrom(Store* s, const std::string& d, const std::string& t,
                             const std::string& k) {
    std::string v;
    const Status st = s->Get(ReadOptions(), d, t, k, &v);
    return st.ok() ? v : st.IsNotFound() ? "NOT_FOUND" : st.ToString();
  }
  static std::vector<Entry> All(Store* s, const std::string& d, bool deleted = false) {
    ScanSpec spec;
    spec.deleted = deleted;
    return ScanForward(s, d, spec);
  }
  TempDir others_;
};

}  // namespace
}  // namespace metakv::test

namespace metakv {
void PrintTo(const AppliedIndex& a, std::ostream* os) {
  *os << "{" << a.term << ", " << a.index << "}";
}
}  // namespace metakv

namespace metakv::test {
namespace {

// ---- The applied index ----

TEST_F(ReplicationTest, EveryWriteCallStoresTheAppliedIndexWithItsData) {
  EXPECT_EQ(Applied(), (AppliedIndex{0, 0}));
  MKV_ASSERT_OK(store_->Put(At(1, 1), kInode, "t", "a", "1"));
  EXPECT_EQ(Applied(), (AppliedIndex{1, 1}));
  MKV_ASSERT_OK(store_->Delete(At(1, 2), kInode, "t", "a"));
  EXPECT_EQ(Applied(), (AppliedIndex{1, 2}));
  MKV_ASSERT_OK(store_->Undelete(At(1, 3), kInode, "t", "a"));
  EXPECT_EQ(Applied(), (AppliedIndex{1, 3}));
  WriteBatch b;
  b.Put(kDentry, "t", "d/x", "2");
  b.Delete(kInode, "t", "a");
  b.Undelete(kInode, "t", "a");  // sees the Delete before it
  MKV_ASSERT_OK(store_->Write(At(2, 4), b));
  EXPECT_EQ(Applied(), (AppliedIndex{2, 4}));
  EXPECT_EQ(Get(kInode, "t", "a"), "1");
  uint64_t id = 0;
  MKV_ASSERT_OK(store_->RemoveTree(At(2, 5), "t", {{kDentry, "d/"}}, RemoveMode::kLogical, &id));
  EXPECT_EQ(Applied(), (AppliedIndex{2, 5}));
  MKV_ASSERT_OK(store_->RestoreTree(At(2, 6), id));
  EXPECT_EQ(Applied(), (AppliedIndex{2, 6}));
  MKV_ASSERT_OK(store_->HardDelete(At(2, 7), kDentry, "t", "d/x"));
  EXPECT_EQ(Applied(), (AppliedIndex{2, 7}));
  MKV_ASSERT_OK(store_->RemoveTenant(At(3, 8), "t"));
  EXPECT_EQ(Applied(), (AppliedIndex{3, 8}));
  // An empty batch stores the index alone (an entry whose operation failed).
  MKV_ASSERT_OK(store_->Write(At(3, 9), WriteBatch()));
  EXPECT_EQ(Applied(), (AppliedIndex{3, 9}));
  // A write without one leaves it.
  MKV_ASSERT_OK(Put(kInode, "u", "b", "3"));
  EXPECT_EQ(Applied(), (AppliedIndex{3, 9}));
  Reopen();
  EXPECT_EQ(Applied(), (AppliedIndex{3, 9}));
  FlushAndCompact();
  Reopen();
  EXPECT_EQ(Applied(), (AppliedIndex{3, 9}));
}

TEST_F(ReplicationTest, AFailedWriteStoresNeitherItsDataNorItsIndex) {
  MKV_ASSERT_OK(store_->Put(At(1, 1), kInode, "t", "a", "1"));
  WriteBatch b;
  b.Put(kInode, "t", "b", "2");
  b.Delete(kInode, "t", "never");  // not live: the batch fails
  MKV_EXPECT_CODE(kNotFound, store_->Write(At(1, 2), b));
  EXPECT_EQ(Applied(), (AppliedIndex{1, 1}));
  EXPECT_EQ(Get(kInode, "t", "b"), "NOT_FOUND");
  WriteBatch u;
  u.Undelete(kInode, "t", "a");  // live: FailedPrecondition
  MKV_EXPECT_CODE(kFailedPrecondition, store_->Write(At(1, 3), u));
  EXPECT_EQ(Applied(), (AppliedIndex{1, 1}));
  MKV_EXPECT_CODE(kNotFound, store_->RestoreTree(At(1, 4), 12345));
  EXPECT_EQ(Applied(), (AppliedIndex{1, 1}));
}

// ---- Export and import ----

// A tenant with a little of everything, beside tenants whose ids are
// prefixes or extensions of it.
class TransferTest : public ReplicationTest {
 protected:
  void SetUp() override {
    ReplicationTest::SetUp();
    const std::string nul("t\0", 2);
    for (const std::string& other : {std::string("t1"), nul, std::string("s")}) {
      MKV_ASSERT_OK(Put(kInode, other, "a", "other-" + other));
      MKV_ASSERT_OK(Put(kDentry, other, "d/a", "other"));
    }
    MKV_ASSERT_OK(Put(kInode, "t", "live", "1"));
    MKV_ASSERT_OK(Put(kInode, "t", "ttl", "2", /*ttl=*/1000));
    MKV_ASSERT_OK(Put(kInode, "t", "binned", "3"));
    MKV_ASSERT_OK(Delete(kInode, "t", "binned"));
    MKV_ASSERT_OK(Put(kInode, "t", "hard", "4"));
    MKV_ASSERT_OK(HardDelete(kInode, "t", "hard"));
    MKV_ASSERT_OK(store_->Flush(kInode));  // some in files, some in memtables
    MKV_ASSERT_OK(Put(kDentry, "t", "d/a", "5"));
    MKV_ASSERT_OK(Put(kDentry, "t", "d/b", "6"));
    MKV_ASSERT_OK(Put(kDentry, "t", "e/a", "7"));
    MKV_ASSERT_OK(Put(kDentry, "t", "gone/a", "8"));
    MKV_ASSERT_OK(store_->RemoveTree(WriteOptions(), "t", {{kDentry, "d/"}}, RemoveMode::kLogical,
                                     &logical_));
    MKV_ASSERT_OK(store_->RemoveTree(WriteOptions(), "t", {{kDentry, "gone/"}}, RemoveMode::kHard));
    MKV_ASSERT_OK(store_->IngestCold(kHistory, "t", {{"h1", "old", 0, 0, 0}, {"h2", "old2", 0, 0, 0}}));
    clock_->AdvanceSeconds(10);
    MKV_ASSERT_OK(Put(kDentry, "t", "d/c", "9"));  // written under the removed tree
  }
  uint64_t logical_ = 0;
};

TEST_F(TransferTest, AnImportedTenantReadsAsItDidAndNothingElseTravels) {
  const std::string dir = others_.Sub("export");
  TenantFiles out;
  MKV_ASSERT_OK(store_->ExportTenant("t", dir, &out));
  EXPECT_EQ(out.tenant, "t");
  EXPECT_EQ(out.files, 3u);
  // live, ttl, binned; d/a d/b (hidden, travel with their removal), d/c,
  // e/a; h1 h2. Not "hard" (hard deleted) nor gone/a (hard removal).
  EXPECT_EQ(out.records, 9u);
  EXPECT_EQ(out.removals, 1u);
  // The export holds the files it says, and no temporary leftovers.
  uint64_t bytes = 0;
  for (const auto& e : std::filesystem::directory_iterator(dir)) {
    if (e.path().extension() == ".sst") bytes += e.file_size();
  }
  EXPECT_EQ(bytes, out.bytes);

  Options o = options_;
  for (DomainOptions& d : o.domains) d.tenant_shards = d.temperature == Temperature::kHot ? 3 : 1;
  std::unique_ptr<Store> other = OpenOther("other", o);
  ASSERT_NE(other, nullptr);
  MKV_ASSERT_OK(other->Put(WriteOptions(), kInode, "x", "a", "x's"));
  TenantFiles in;
  ImportOptions io;
  io.applied_index = AppliedIndex{4, 40};
  MKV_ASSERT_OK(other->ImportTenant(dir, io, &in));
  EXPECT_EQ(in.records, out.records);
  EXPECT_EQ(in.removals, 1u);
  EXPECT_EQ(Applied(other.get()), (AppliedIndex{4, 40}));
  // The export is left as it was.
  EXPECT_TRUE(std::filesystem::exists(dir + "/MANIFEST-TENANT"));

  // Every domain reads the same for the tenant, and holds nothing of the
  // others but what the other store had.
  for (const std::string& d : {kInode, kDentry, kHistory}) {
    for (bool deleted : {false, true}) {
      std::vector<Entry> want;
      for (const Entry& e : All(store_.get(), d, deleted)) {
        if (e.tenant == "t") want.push_back(e);
      }
      std::vector<Entry> got;
      for (const Entry& e : All(other.get(), d, deleted)) {
        if (e.tenant != "x") got.push_back(e);
      }
      EXPECT_EQ(got, want) << d << (deleted ? " recycle bin" : "");
    }
  }
  EXPECT_EQ(GetFrom(other.get(), kInode, "t", "live"), "1");
  EXPECT_EQ(GetFrom(other.get(), kDentry, "t", "d/a"), "NOT_FOUND");
  EXPECT_EQ(GetFrom(other.get(), kDentry, "t", "d/c"), "9");
  EXPECT_EQ(GetFrom(other.get(), kDentry, "t", "gone/a"), "NOT_FOUND");
  EXPECT_EQ(GetFrom(other.get(), kInode, "t1", "a"), "NOT_FOUND");
  EXPECT_EQ(GetFrom(other.get(), kInode, std::string("t\0", 2), "a"), "NOT_FOUND");
  // The removal came along, restorable, under a new id of this store.
  std::vector<RemovalInfo> removals;
  MKV_ASSERT_OK(other->ListRemovals(&removals));
  ASSERT_EQ(removals.size(), 1u);
  EXPECT_EQ(removals[0].tenant, "t");
  EXPECT_EQ(removals[0].mode, RemoveMode::kLogical);
  MKV_ASSERT_OK(other->RestoreTree(WriteOptions(), removals[0].id));
  EXPECT_EQ(GetFrom(other.get(), kDentry, "t", "d/a"), "5");
  // The recycle bin: restorable there as here.
  MKV_ASSERT_OK(other->Undelete(WriteOptions(), kInode, "t", "binned"));
  EXPECT_EQ(GetFrom(other.get(), kInode, "t", "binned"), "3");
  // Expiry travels: the TTL record goes when its time comes.
  clock_->AdvanceSeconds(1000);
  EXPECT_EQ(GetFrom(other.get(), kInode, "t", "ttl"), "NOT_FOUND");
  // And all of it survives compaction and a reopen.
  MKV_ASSERT_OK(other->Flush());
  MKV_ASSERT_OK(other->CompactRange());
  MKV_ASSERT_OK(other->Close());
  other = OpenOther("other", o);
  EXPECT_EQ(GetFrom(other.get(), kDentry, "t", "d/a"), "5");
  EXPECT_EQ(GetFrom(other.get(), kHistory, "t", "h2"), "old2");
  EXPECT_EQ(GetFrom(other.get(), kInode, "x", "a"), "x's");
  MKV_ASSERT_OK(other->Close());
}

TEST_F(TransferTest, ATenantThatIsThereIsReplacedOnlyWhenAsked) {
  const std::string dir = others_.Sub("export");
  MKV_ASSERT_OK(store_->ExportTenant("t", dir));
  std::unique_ptr<Store> other = OpenOther("other");
  MKV_ASSERT_OK(other->Put(WriteOptions(), kInode, "t", "stale", "old"));
  MKV_ASSERT_OK(other->Put(WriteOptions(), kInode, "t", "live", "old"));
  MKV_ASSERT_OK(other->Flush());
  MKV_EXPECT_CODE(kFailedPrecondition, other->ImportTenant(dir, ImportOptions()));
  EXPECT_EQ(GetFrom(other.get(), kInode, "t", "live"), "old");  // untouched
  // A deleted record in the recycle bin counts as there, too.
  MKV_ASSERT_OK(other->Delete(WriteOptions(), kInode, "t", "stale"));
  MKV_ASSERT_OK(other->Delete(WriteOptions(), kInode, "t", "live"));
  MKV_EXPECT_CODE(kFailedPrecondition, other->ImportTenant(dir, ImportOptions()));
  ImportOptions replace;
  replace.replace = true;
  MKV_ASSERT_OK(other->ImportTenant(dir, replace));
  EXPECT_EQ(GetFrom(other.get(), kInode, "t", "live"), "1");
  EXPECT_EQ(GetFrom(other.get(), kInode, "t", "stale"), "NOT_FOUND");
  MKV_EXPECT_CODE(kNotFound, other->Undelete(WriteOptions(), kInode, "t", "stale"));
  // Only the imported removal is pending.
  std::vector<RemovalInfo> removals;
  MKV_ASSERT_OK(other->ListRemovals(&removals));
  ASSERT_EQ(removals.size(), 1u);
  EXPECT_EQ(removals[0].mode, RemoveMode::kLogical);
  MKV_ASSERT_OK(other->Close());
}

TEST_F(TransferTest, ATenantRemovedHereCanComeBack) {
  // A tenant moved away and back: the source removed it, the removal is
  // still pending, its records still stored.
  const std::string dir = others_.Sub("export");
  MKV_ASSERT_OK(store_->ExportTenant("t", dir));
  MKV_ASSERT_OK(store_->RemoveTenant(WriteOptions(), "t"));
  EXPECT_EQ(Get(kInode, "t", "live"), "NOT_FOUND");
  clock_->AdvanceSeconds(5);
  MKV_ASSERT_OK(store_->ImportTenant(dir, ImportOptions()));
  EXPECT_EQ(Get(kInode, "t", "live"), "1");
  EXPECT_EQ(Get(kDentry, "t", "d/c"), "9");
  EXPECT_EQ(Get(kHistory, "t", "h1"), "old");
  EXPECT_EQ(Get(kInode, "t1", "a"), "other-t1");
  std::vector<RemovalInfo> removals;
  MKV_ASSERT_OK(store_->ListRemovals(&removals));
  ASSERT_EQ(removals.size(), 1u);  // the imported logical one
  // And the old records under the removal are gone for good: compaction
  // with the new removals keeps what was imported.
  FlushAndCompact();
  EXPECT_EQ(Get(kInode, "t", "ttl"), "2");
  Reopen();
  EXPECT_EQ(Get(kInode, "t", "live"), "1");
}

TEST_F(TransferTest, BadExportsAreRefusedAndChangeNothing) {
  const std::string dir = others_.Sub("export");
  MKV_EXPECT_CODE(kInvalidArgument, store_->ExportTenant("t", ""));
  MKV_EXPECT_CODE(kInvalidArgument, store_->ExportTenant("", dir));
  MKV_ASSERT_OK(store_->ExportTenant("t", dir));
  MKV_EXPECT_CODE(kInvalidArgument, store_->ExportTenant("t", dir));  // exists
  MKV_ASSERT_OK(store_->ExportTenant("s", others_.Sub("s")));
  std::unique_ptr<Store> other = OpenOther("other");
  MKV_ASSERT_OK(other->Put(WriteOptions(), kInode, "x", "a", "1"));

  auto copy_to = [&](const std::string& name) {
    const std::string to = others_.Sub(name);
    std::filesystem::copy(dir, to);
    return to;
  };
  MKV_EXPECT_CODE(kInvalidArgument, other->ImportTenant(others_.Sub("nothing"), ImportOptions()));
  MKV_EXPECT_CODE(kInvalidArgument, other->ImportTenant("", ImportOptions()));
  {  // A flipped byte in the manifest.
    const std::string d = copy_to("flipped");
    std::fstream f(d + "/MANIFEST-TENANT", std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(30);
    f.put('\x7f');
    f.close();
    MKV_EXPECT_CODE(kCorruption, other->ImportTenant(d, ImportOptions()));
  }
  {  // Another tenant's file in place of one of t's.
    const std::string d = copy_to("swapped");
    std::filesystem::copy_file(others_.Sub("s") + "/d0.sst", d + "/d0.sst",
                               std::filesystem::copy_options::overwrite_existing);
    MKV_EXPECT_CODE(kCorruption, other->ImportTenant(d, ImportOptions()));
  }
  {  // A file missing.
    const std::string d = copy_to("missing");
    std::filesystem::remove(d + "/d1.sst");
    const Status s = other->ImportTenant(d, ImportOptions());
    EXPECT_FALSE(s.ok());
  }
  {  // A truncated file.
    const std::string d = copy_to("truncated");
    std::filesystem::resize_file(d + "/d0.sst", std::filesystem::file_size(d + "/d0.sst") / 2);
    const Status s = other->ImportTenant(d, ImportOptions());
    EXPECT_FALSE(s.ok());
  }
  {  // A store without the domain.
    Options o = options_;
    o.domains.pop_back();  // no history
    std::unique_ptr<Store> small = OpenOther("small", o);
    MKV_EXPECT_CODE(kInvalidArgument, small->ImportTenant(dir, ImportOptions()));
    MKV_ASSERT_OK(small->Close());
  }
  // Nothing of t arrived anywhere; what was there is still there.
  for (const std::string& d : {kInode, kDentry, kHistory}) {
    for (const Entry& e : All(other.get(), d)) EXPECT_EQ(e.tenant, "x") << d;
  }
  std::vector<RemovalInfo> removals;
  MKV_ASSERT_OK(other->ListRemovals(&removals));
  EXPECT_TRUE(removals.empty());
  // The intact export still imports.
  MKV_ASSERT_OK(other->ImportTenant(dir, ImportOptions()));
  EXPECT_EQ(GetFrom(other.get(), kInode, "t", "live"), "1");
  MKV_ASSERT_OK(other->Close());
}

TEST_F(TransferTest, ExportIsOneMomentWhileWritersRun) {
  // Records written after the export began are not in it: an export of
  // an idle tenant equals the state when it was called, whatever comes
  // after.
  const std::string dir = others_.Sub("export");
  MKV_ASSERT_OK(store_->ExportTenant("t", dir));
  MKV_ASSERT_OK(Put(kInode, "t", "after", "x"));
  std::unique_ptr<Store> other = OpenOther("other");
  MKV_ASSERT_OK(other->ImportTenant(dir, ImportOptions()));
  EXPECT_EQ(GetFrom(other.get(), kInode, "t", "after"), "NOT_FOUND");
  EXPECT_EQ(GetFrom(other.get(), kInode, "t", "live"), "1");
  MKV_ASSERT_OK(other->Close());
}

TEST_F(TransferTest, AnImportIntoAStoreWhoseClockIsBehindMovesItsTimeUp) {
  const std::string dir = others_.Sub("export");
  MKV_ASSERT_OK(store_->ExportTenant("t", dir));
  const uint64_t exported_at = clock_->NowSeconds();
  auto behind = std::make_shared<ManualClock>((exported_at - 500) * 1000000);
  Options o = options_;
  o.clock = behind;
  std::unique_ptr<Store> other = OpenOther("behind", o);
  MKV_ASSERT_OK(other->ImportTenant(dir, ImportOptions()));
  const Snapshot* snap = other->GetSnapshot();
  EXPECT_GE(snap->time_seconds(), exported_at - 10);  // the newest record's time, at least
  other->ReleaseSnapshot(snap);
  EXPECT_EQ(GetFrom(other.get(), kInode, "t", "live"), "1");
  // A clock far behind (more than an hour) is refused: check the clocks.
  auto far = std::make_shared<ManualClock>((exported_at - 7200) * 1000000);
  o.clock = far;
  std::unique_ptr<Store> third = OpenOther("far", o);
  MKV_EXPECT_CODE(kInvalidArgument, third->ImportTenant(dir, ImportOptions()));
  MKV_ASSERT_OK(third->Close());
  MKV_ASSERT_OK(other->Close());
}

}  // namespace
}  // namespace metakv::test
