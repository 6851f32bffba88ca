// Model-based randomized test: a seeded RNG drives 8000 random
// operations (Put with and without TTL, Delete, Undelete, HardDelete,
// batches) over a few tenants and all three domains, with the clock moving,
// periodic Flush, CompactRange, snapshots and Close+reopen. A model of every
// key's state predicts each result and, at checkpoints, every Get and every
// scan. Small-LSM options keep several levels in play.
#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "metakv/store.h"
#include "tests/engine/store_fixture.h"

namespace metakv::test {
namespace {

constexpr uint64_t kRetention = 600;  // seconds, every domain
// The model does not decide visibility within this many seconds of an
// expiry or retention boundary (rounding of write times is the engine's).
constexpr uint64_t kMargin = 2;

// One key's state in the model.
struct KeyState {
  enum Kind { kNone, kLive, kTombstone } kind = kNone;
  std::string value;
  uint64_t expiry = 0;        // kLive: 0 = never (within this test's time span)
  bool explicit_ttl = false;  // the value was written with a TTL of its own
  uint64_t delete_time = 0;   // kTombstone
};

enum class Visibility { kVisible, kHidden, kUnsure };

using Key = std::tuple<std::string, std::string, std::string>;  // domain, tenant, key
using Model = std::map<Key, KeyState>;

Visibility VisibleAt(const KeyState& s, uint64_t now) {
  if (s.kind != KeyState::kLive) return Visibility::kHidden;
  if (s.expiry == 0 || now + kMargin < s.expiry) return Visibility::kVisible;
  if (now >= s.expiry + kMargin) return Visibility::kHidden;
  return Visibility::kUnsure;
}

enum class Restorable { kYes, kNo, kUnsure };

Restorable RestorableAt(const KeyState& s, uint64_t now) {
  if (now + kMargin < s.delete_time + kRetention) return Restorable::kYes;
  if (now >= s.delete_time + kRetention + kMargin) return Restorable::kNo;
  return Restorable::kUnsure;
}

// The parameter: the hot domains' tenant shards (1: none).
class ModelTest : public StoreTest, public ::testing::WithParamInterface<uint32_t> {
 protected:
  void SetUp() override {
    clock_ = std::make_shared<ManualClock>(1700000000ull * 1000000 + 500000);  // mid-second
    options_ = SmallOptions(clock_);
    for (auto& d : options_.domains) {
      d.tombstone_retention_seconds = kRetention;
      if (d.temperature == Temperature::kHot) d.tenant_shards = GetParam();
    }
    OpenStore();
    domains_ = {kInode, kDentry, kHistory};
    tenants_ = {
        "1", "10", "100", std::string("\0", 1), std::string("a\xff"), std::string("a\xff\0", 3)};
    for (int i = 0; i < 80; ++i) {
      char buf[16];
      snprintf(buf, sizeof(buf), "k%03d", i);
      keys_.push_back(buf);
    }
    keys_.push_back(std::string(1, '\0'));
    keys_.push_back(std::string("\xff\xff"));
    keys_.push_back(std::string("k\0", 2));
  }

  uint64_t Now() const { return clock_->NowSeconds(); }

  // Half the time a recently written key, so Deletes and Undeletes often
  // find something to act on.
  Key RandomKey() {
    if (!recent_.empty() && rng_() % 2 == 0) return recent_[rng_() % recent_.size()];
    return Key{domains_[rng_() % domains_.size()], tenants_[rng_() % tenants_.size()],
               keys_[rng_() % keys_.size()]};
  }
  void Touched(const Key& k) {
    if (recent_.size() < 64) {
      recent_.push_back(k);
    } else {
      recent_[rng_() % recent_.size()] = k;
    }
  }
  std::string NextValue() {
    ++serial_;
    return "v" + std::to_string(serial_) + ":" + RandomBytes(40 + rng_() % 300, serial_);
  }

  // ---- Single operations, checked against the model ----

  void DoPut(const Key& k) {
    const auto& [d, t, key] = k;
    const std::string v = NextValue();
    uint64_t ttl = 0;
    if (rng_() % 6 == 0) ttl = 20 + rng_() % 400;
    MKV_ASSERT_OK(store_->Put(WriteOptions(), d, t, key, v, ttl));
    ++counts_[ttl ? "put with ttl" : "put"];
    Touched(k);
    KeyState& s = model_[k];
    s.kind = KeyState::kLive;
    s.value = v;
    s.expiry = ttl ? Now() + ttl : 0;  // history's 30-day default never comes due here
    s.explicit_ttl = ttl != 0;
  }

  void DoDelete(const Key& k) {
    const auto& [d, t, key] = k;
    KeyState& s = model_[k];
    const Visibility vis = VisibleAt(s, Now());
    if (s.kind == KeyState::kLive && vis != Visibility::kVisible) return DoPut(k);
    const Status st = store_->Delete(WriteOptions(), d, t, key);
    if (vis == Visibility::kVisible) {
      ASSERT_TRUE(st.ok()) << Describe(k) << " Delete: " << st.ToString();
      ++counts_["delete"];
      Touched(k);
      if (deleted_.size() < 200) {
        deleted_.push_back(k);
      } else {
        deleted_[rng_() % deleted_.size()] = k;
      }
      s.kind = KeyState::kTombstone;
      s.delete_time = Now();
    } else {
      ASSERT_TRUE(st.IsNotFound()) << Describe(k) << " Delete: " << st.ToString();
      ++counts_["delete not found"];
    }
  }

  void DoUndelete(const Key& k) {
    const auto& [d, t, key] = k;
    KeyState& s = model_[k];
    const Status st = store_->Undelete(WriteOptions(), d, t, key);
    switch (s.kind) {
      case KeyState::kNone:
        ASSERT_TRUE(st.IsNotFound()) << Describe(k) << " Undelete: " << st.ToString();
        ++counts_["undelete of nothing"];
        return;
      case KeyState::kLive:
        if (VisibleAt(s, Now()) == Visibility::kVisible) {
          ASSERT_TRUE(st.IsFailedPrecondition()) << Describe(k) << " Undelete: " << st.ToString();
          ++counts_["undelete of live"];
        } else {
          // Undelete of an expired live record is not specified; re-establish
          // a known state.
          MKV_ASSERT_OK(store_->HardDelete(WriteOptions(), d, t, key));
          s = KeyState();
        }
        return;
      case KeyState::kTombstone:
        break;
    }
    if (s.explicit_ttl) {
      // What expiry a restored TTL record gets is not specified; only
      // accept a decided answer and then forget the key.
      ASSERT_TRUE(st.ok() || st.IsExpired() || st.IsNotFound())
          << Describe(k) << " Undelete: " << st.ToString();
      MKV_ASSERT_OK(store_->HardDelete(WriteOptions(), d, t, key));
      s = KeyState();
      return;
    }
    switch (RestorableAt(s, Now())) {
      case Restorable::kYes:
        ASSERT_TRUE(st.ok()) << Describe(k) << " Undelete: " << st.ToString();
        ++counts_["undelete"];
        break;
      case Restorable::kNo:
        // Expired, or NotFound once compaction has purged the tombstone.
        ASSERT_TRUE(st.IsExpired() || st.IsNotFound())
            << Describe(k) << " Undelete: " << st.ToString();
        ++counts_[st.IsExpired() ? "undelete past retention: expired"
                                 : "undelete past retention: purged"];
        break;
      case Restorable::kUnsure:
        ASSERT_TRUE(st.ok() || st.IsExpired() || st.IsNotFound())
            << Describe(k) << " Undelete: " << st.ToString();
        break;
    }
    if (st.ok()) {
      s.kind = KeyState::kLive;
      s.expiry = 0;
    }
  }

  void DoHardDelete(const Key& k) {
    const auto& [d, t, key] = k;
    MKV_ASSERT_OK(store_->HardDelete(WriteOptions(), d, t, key));
    model_[k] = KeyState();
  }

  // A batch over distinct keys; sometimes with a Delete of a record that is
  // not live, which must fail the batch and apply nothing.
  void DoBatch() {
    WriteBatch batch;
    std::set<Key> used;
    Model after = model_;
    const int n = 1 + static_cast<int>(rng_() % 6);
    const bool poison = rng_() % 8 == 0;
    for (int i = 0; i < n; ++i) {
      const Key k = RandomKey();
      if (!used.insert(k).second) continue;
      const auto& [d, t, key] = k;
      KeyState& s = after[k];
      const Visibility vis = VisibleAt(s, Now());
      const unsigned r = rng_() % 4;
      if (r == 0 && vis == Visibility::kVisible) {
        batch.Delete(d, t, key);
        s.kind = KeyState::kTombstone;
        s.delete_time = Now();
      } else if (r == 1) {
        batch.HardDelete(d, t, key);
        s = KeyState();
      } else {
        const std::string v = NextValue();
        batch.Put(d, t, key, v);
        s.kind = KeyState::kLive;
        s.value = v;
        s.expiry = 0;
        s.explicit_ttl = false;
      }
    }
    if (poison) {
      // A key no other op of the batch touches, with no visible record.
      for (int tries = 0; tries < 50; ++tries) {
        const Key k = RandomKey();
        if (used.count(k)) continue;
        const KeyState& s = model_[k];
        if (s.kind == KeyState::kLive) continue;
        const auto& [d, t, key] = k;
        batch.Delete(d, t, key);
        const Status st = store_->Write(WriteOptions(), batch);
        ASSERT_TRUE(st.IsNotFound()) << "poisoned batch: " << st.ToString();
        ++counts_["poisoned batch"];
        return;  // nothing applied: model_ unchanged
      }
    }
    const Status st = store_->Write(WriteOptions(), batch);
    ASSERT_TRUE(st.ok()) << "batch of " << batch.Count() << ": " << st.ToString();
    ++counts_["batch"];
    model_ = after;
  }

  // ---- Full comparison ----

  // Every key through Get (and some through MultiGet) and every domain and
  // tenant through forward and reverse scans. With a snapshot, reads go
  // through it and are judged at its time against `model`.
  void CheckAll(const Model& model, const Snapshot* snap, uint64_t now) {
    std::set<Key> unsure;
    std::map<std::string, DomainModel> visible;
    for (const auto& [k, s] : model) {
      const auto& [d, t, key] = k;
      switch (VisibleAt(s, now)) {
        case Visibility::kVisible:
          visible[d][{t, key}] = s.value;
          break;
        case Visibility::kUnsure:
          unsure.insert(k);
          break;
        case Visibility::kHidden:
          break;
      }
    }
    // Point reads of every key the model knows, plus a few never written.
    std::vector<KeyRef> refs;
    std::vector<Key> ref_keys;
    for (const auto& [k, s] : model) {
      if (unsure.count(k)) continue;
      const auto& [d, t, key] = k;
      const auto it = visible[d].find({t, key});
      const std::string want = it == visible[d].end() ? "NOT_FOUND" : it->second;
      ASSERT_EQ(Get(d, t, key, snap), want) << Describe(k);
      if (refs.size() < 300) {
        refs.push_back({std::get<0>(k), std::get<1>(k), std::get<2>(k)});
        ref_keys.push_back(k);
      }
    }
    EXPECT_EQ(Get(kInode, "1", "never-written", snap), "NOT_FOUND");
    ReadOptions ro;
    ro.snapshot = snap;
    std::vector<std::string> values;
    std::vector<Status> statuses;
    MKV_ASSERT_OK(store_->MultiGet(ro, refs, &values, &statuses));
    ASSERT_EQ(statuses.size(), refs.size());
    for (size_t i = 0; i < refs.size(); ++i) {
      const auto& [d, t, key] = ref_keys[i];
      const auto it = visible[d].find({t, key});
      if (it == visible[d].end()) {
        ASSERT_TRUE(statuses[i].IsNotFound())
            << Describe(ref_keys[i]) << " MultiGet " << statuses[i].ToString();
      } else {
        ASSERT_TRUE(statuses[i].ok())
            << Describe(ref_keys[i]) << " MultiGet " << statuses[i].ToString();
        ASSERT_EQ(values[i], it->second) << Describe(ref_keys[i]) << " MultiGet";
      }
    }
    // Scans; records whose visibility is undecided are dropped from both sides.
    auto drop_unsure = [&](const std::string& d, std::vector<Entry> v) {
      std::vector<Entry> out;
      for (auto& e : v) {
        if (!unsure.count(Key{d, e.tenant, e.key})) out.push_back(std::move(e));
      }
      return out;
    };
    for (const std::string& d : domains_) {
      std::vector<ScanSpec> specs = {ScanSpec()};
      for (const auto& t : tenants_) {
        specs.push_back(TenantSpec(t));
        specs.push_back(TenantSpec(t, "k0"));
        specs.push_back(TenantSpec(t, "", "k030", "k070"));
      }
      for (const ScanSpec& spec : specs) {
        const std::vector<Entry> want = ModelScan(visible[d], spec);
        ASSERT_EQ(drop_unsure(d, ScanForward(store_.get(), d, spec, snap)), want)
            << "forward scan of " << d << " tenant " << P(spec.tenant) << " prefix " << spec.prefix
            << " lower " << spec.lower_bound;
        ASSERT_EQ(drop_unsure(d, Reversed(ScanBackward(store_.get(), d, spec, snap))), want)
            << "reverse scan of " << d << " tenant " << P(spec.tenant) << " prefix " << spec.prefix
            << " lower " << spec.lower_bound;
      }
    }
  }

  // A tenant moved: exported from the store, imported into a new one
  // (with the other tenant-shard count), which must then read exactly as
  // the model says for that tenant and hold nothing of any other.
  void CheckTenantTransfer() {
    const std::string tenant = tenants_[rng_() % tenants_.size()];
    SCOPED_TRACE("transfer of tenant " + P(tenant) + " at op " + std::to_string(op_));
    TempDir dir;
    TenantFiles out, in;
    MKV_ASSERT_OK(store_->ExportTenant(tenant, dir.Sub("export"), &out));
    Options o = options_;
    for (DomainOptions& d : o.domains) {
      if (d.temperature == Temperature::kHot) d.tenant_shards = GetParam() == 1 ? 3 : 1;
    }
    std::unique_ptr<Store> other;
    MKV_ASSERT_OK(Store::Open(o, dir.Sub("other"), &other));
    MKV_ASSERT_OK(other->ImportTenant(dir.Sub("export"), ImportOptions(), &in));
    EXPECT_EQ(in.records, out.records);
    EXPECT_EQ(in.files, out.files);
    Model only = model_;
    size_t keys = 0;
    for (auto& [k, state] : only) {
      if (std::get<1>(k) != tenant) {
        state = KeyState();
      } else {
        keys += state.kind != KeyState::kNone;
      }
    }
    // Every record the model holds of the tenant travelled (hard deletes
    // and purges aside, which leave nothing).
    EXPECT_GE(out.records, 1u) << keys << " keys in the model";
    std::swap(store_, other);
    CheckAll(only, nullptr, Now());
    // Its recycle bin too: every tombstone in retention is restorable there.
    for (const auto& [k, state] : only) {
      // (What a restored TTL record becomes is not specified: see DoUndelete.)
      if (state.kind != KeyState::kTombstone || state.explicit_ttl ||
          RestorableAt(state, Now()) != Restorable::kYes) {
        continue;
      }
      const auto& [d, t, key] = k;
      MKV_EXPECT_OK(store_->Undelete(WriteOptions(), d, t, key));
      EXPECT_EQ(Get(d, t, key), state.value) << Describe(k);
    }
    std::swap(store_, other);
    MKV_ASSERT_OK(other->Close());
    ++counts_["tenant transfer"];
  }

  std::string Describe(const Key& k) const {
    const auto& [d, t, key] = k;
    std::string out = d + "/" + P(t) + "/" + P(key) + " at op " + std::to_string(op_) + " (now " +
                      std::to_string(Now()) + ")";
    const auto it = model_.find(k);
    if (it != model_.end()) {
      const KeyState& s = it->second;
      out += " model: ";
      out += s.kind == KeyState::kNone ? "none" : s.kind == KeyState::kLive ? "live" : "tombstone";
      out += " expiry " + std::to_string(s.expiry) + " deleted " + std::to_string(s.delete_time);
    }
    return out;
  }

  bool DeeperLevelsHaveFiles() {
    Stats stats;
    const Status s = store_->GetStats(&stats);
    EXPECT_TRUE(s.ok()) << s.ToString();
    for (const auto& d : stats.domains) {
      for (const auto& l : d.levels) {
        if (l.level > 0 && l.files > 0) return true;
      }
    }
    return false;
  }

  std::mt19937 rng_{20240501};
  std::vector<std::string> domains_, tenants_, keys_;
  Model model_;
  uint64_t serial_ = 0;
  std::map<std::string, int> counts_;
  std::vector<Key> recent_;
  std::vector<Key> deleted_;  // keys logically deleted at some point  // outcomes seen, to show the
                              // run did something
  int op_ = 0;
};

TEST_P(ModelTest, RandomOperationsMatchModel) {
  constexpr int kOps = 8000;
  bool saw_deeper_levels = false;
  // An open snapshot with a copy of the model and the time it was taken.
  const Snapshot* snap = nullptr;
  Model snap_model;
  uint64_t snap_time = 0;

  for (op_ = 1; op_ <= kOps; ++op_) {
    const unsigned r = rng_() % 100;
    const Key k = RandomKey();
    if (r < 45) {
      ASSERT_NO_FATAL_FAILURE(DoPut(k));
    } else if (r < 60) {
      ASSERT_NO_FATAL_FAILURE(DoDelete(k));
    } else if (r < 72) {
      const Key u = !deleted_.empty() && rng_() % 2 == 0 ? deleted_[rng_() % deleted_.size()] : k;
      ASSERT_NO_FATAL_FAILURE(DoUndelete(u));
    } else if (r < 78) {
      ASSERT_NO_FATAL_FAILURE(DoHardDelete(k));
    } else if (r < 88) {
      ASSERT_NO_FATAL_FAILURE(DoBatch());
    } else {
      // A point read of a random key.
      const KeyState& s = model_[k];
      const Visibility vis = VisibleAt(s, Now());
      if (vis != Visibility::kUnsure) {
        const auto& [d, t, key] = k;
        ASSERT_EQ(Get(d, t, key), vis == Visibility::kVisible ? s.value : "NOT_FOUND")
            << Describe(k);
      }
    }

    if (op_ % 20 == 0) clock_->AdvanceSeconds(rng_() % 60);
    if (op_ % 250 == 0) MKV_ASSERT_OK(store_->Flush(domains_[rng_() % domains_.size()]));
    if (op_ % 900 == 0) {
      if (rng_() % 2) {
        MKV_ASSERT_OK(store_->CompactRange());
      } else {
        MKV_ASSERT_OK(store_->CompactRange(domains_[rng_() % domains_.size()],
                                           tenants_[rng_() % tenants_.size()]));
      }
    }
    if (op_ % 400 == 0) saw_deeper_levels = saw_deeper_levels || DeeperLevelsHaveFiles();
    if (op_ % 700 == 100 && snap == nullptr) {
      snap = store_->GetSnapshot();
      ASSERT_NE(snap, nullptr);
      snap_model = model_;
      snap_time = Now();
      ASSERT_EQ(snap->time_seconds(), snap_time);
    }
    if (op_ % 700 == 600 && snap != nullptr) {
      SCOPED_TRACE("snapshot taken at " + std::to_string(snap_time) + ", op " +
                   std::to_string(op_));
      ASSERT_NO_FATAL_FAILURE(CheckAll(snap_model, snap, snap_time));
      store_->ReleaseSnapshot(snap);
      snap = nullptr;
    }
    if (op_ % 500 == 0) {
      SCOPED_TRACE("checkpoint at op " + std::to_string(op_));
      ASSERT_NO_FATAL_FAILURE(CheckAll(model_, nullptr, Now()));
    }
    if (op_ % 1300 == 650) {
      ASSERT_NO_FATAL_FAILURE(CheckTenantTransfer());
    }
    if (op_ % 1300 == 0) {
      if (snap != nullptr) {
        store_->ReleaseSnapshot(snap);
        snap = nullptr;
      }
      Reopen();
    }
  }
  if (snap != nullptr) store_->ReleaseSnapshot(snap);
  {
    SCOPED_TRACE("end");
    ASSERT_NO_FATAL_FAILURE(CheckAll(model_, nullptr, Now()));
  }
  FlushAndCompact();
  saw_deeper_levels = saw_deeper_levels || DeeperLevelsHaveFiles();
  {
    SCOPED_TRACE("end, compacted");
    ASSERT_NO_FATAL_FAILURE(CheckAll(model_, nullptr, Now()));
  }
  ASSERT_NO_FATAL_FAILURE(CheckTenantTransfer());
  Reopen();
  {
    SCOPED_TRACE("end, reopened");
    ASSERT_NO_FATAL_FAILURE(CheckAll(model_, nullptr, Now()));
  }
  EXPECT_TRUE(saw_deeper_levels) << "the LSM never grew past L0";
  // Enough happened to make the run meaningful.
  size_t live = 0, tombstones = 0;
  for (const auto& [k, s] : model_) {
    live += s.kind == KeyState::kLive;
    tombstones += s.kind == KeyState::kTombstone;
  }
  EXPECT_GT(live, 200u);
  EXPECT_GT(tombstones, 50u);
  for (const char* outcome :
       {"put", "put with ttl", "delete", "delete not found", "undelete", "undelete of live",
        "undelete of nothing", "batch", "poisoned batch"}) {
    EXPECT_GT(counts_[outcome], 5) << outcome;
  }
  EXPECT_GT(
      counts_["undelete past retention: expired"] + counts_["undelete past retention: purged"], 5);
  for (const auto& [outcome, n] : counts_) RecordProperty(outcome, n);
}

// Without tenant shards, and with three: each tenant's records in one
// shard, domain-wide scans (forward, backward, at snapshots) merging them.
INSTANTIATE_TEST_SUITE_P(TenantShards, ModelTest, ::testing::Values(1u, 3u));

}  // namespace
}  // namespace metakv::test
