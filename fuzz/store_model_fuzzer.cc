// Model check of metakv::Store: the input is a sequence of operations,
// applied both to a small real Store (tiny memtables and files, a
// ManualClock, in a fresh directory) and to a std::map model of the
// semantics that include/metakv/store.h documents; every result is
// compared.
//
// Operations: Put (with a TTL or the domain's default), Get, MultiGet,
// logical Delete, Undelete, HardDelete, atomic Write batches, iterator
// scans (whole domain, tenant, prefix and bounds; forward, backward, Seek
// and SeekForPrev; of the visible records or of the recycle bin), snapshots and reads through them, IngestCold, Flush,
// CompactRange, RunMaintenance (purgeable files), bulk deletes (RemoveTree logical and
// hard, RestoreTree, RemoveTenant, RunMaintenance (purge deadline)), moving the clock
// past retentions and TTLs and stepping it back, reopening (also
// read-only), and moving a tenant (ExportTenant, then ImportTenant into a
// new store, which must hold exactly the model's rows of that tenant,
// visible and in the recycle bin, and nothing else). After every reopen the whole store
// is compared with the model. Invalid arguments (unknown domain, empty or
// long tenant and key, long value) must give InvalidArgument and change
// nothing. Tenant ids hold awkward bytes (0x00, 0xff, one a prefix of
// another), so every exact comparison with the model is also a check that
// no read, scan or recycle-bin listing shows another tenant's records. The first input byte picks the configuration: purge and
// partitioner on or off, and 1 to 4 tenant shards in the hot domains.
//
// Where compaction may or may not have purged a record (a tombstone past
// its retention, a record past its TTL) the model accepts both answers the
// API allows (Undelete: Expired or NotFound; RestoreTree past retention:
// Expired or NotFound). A logical tree removal moves the records it hides
// out of the model into the removal's hold, and RestoreTree moves back
// those no later write replaced; a logical removal overlapping another one
// still restorable is not issued (which of the two hides a record would
// then depend on compaction timing the API leaves open).
//
// Time: the model states the rule of include/metakv/store.h, that the
// store's time never runs backwards, within a run or across a reopen: at
// every call it is the latest of the clock and every time the store used
// before. When the clock steps back the model reads the store's time (a
// snapshot's) and checks it is no earlier than the latest time a read was
// judged at and no later than the latest the clock ever showed; from then
// on every result is judged at max(clock, that time).
//
// Work per input is bounded: at most kMaxOps operations, kMaxHeavy of them
// flushes, compactions, ingests, reopens or tenant moves.
#include <fuzzer/FuzzedDataProvider.h>

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

#include "codecs/coding.h"
#include "fuzz/fuzz_util.h"
#include "metakv/filesystem.h"
#include "metakv/store.h"
#include "metakv/testing.h"
#include "tests/small_options.h"

namespace {

using metakv::Status;
using metakv::codecs::Printable;
using metakv::codecs::SaturatingAdd;

constexpr int kMaxOps = 96;
constexpr int kMaxHeavy = 4;
constexpr size_t kMaxKeyBytes = 16;
constexpr size_t kMaxValueBytes = 64;
constexpr uint64_t kStartSeconds = 1700000000;

struct DomainSpec {
  const char* name;
  bool cold;
  uint64_t retention;
  uint64_t default_ttl;
};
// Short retentions and TTLs so the clock passes them within one input.
constexpr DomainSpec kDomains[] = {
    {"inode", false, 100, 0},
    {"dentry", false, 1000, 0},
    {"history", true, 50, 3000},
};
constexpr int kNumDomains = 3;

// ---- The model ----

struct Rec {
  bool tombstone = false;
  std::string value;
  uint64_t time = 0;    // write time, or delete time of a tombstone
  uint64_t expiry = 0;  // 0: none
};

// (domain index, tenant, key), ordered as the store orders a domain.
using Key = std::tuple<int, std::string, std::string>;
using Model = std::map<Key, Rec>;

// A tree or tenant removal as the model keeps it (hard ones only for the
// write times they give, already expired).
struct ModelRemoval {
  uint64_t id = 0;
  std::string tenant;
  std::vector<std::pair<int, std::string>> ranges;  // (domain, prefix)
  uint64_t time = 0;
  uint64_t purge_time = 0;
  Model held;            // the records it hides
  bool expired = false;  // retention passed: held records are gone for good

  bool Covers(int domain, const std::string& tenant_, const std::string& key) const {
    if (tenant_ != tenant) return false;
    for (const auto& [d, prefix] : ranges) {
      if (d == domain && key.compare(0, prefix.size(), prefix) == 0) return true;
    }
    return false;
  }
};

bool Visible(const Rec& r, uint64_t now) {
  return !r.tombstone && !(r.expiry != 0 && r.expiry <= now);
}

// ---- Arguments ----

struct Target {
  int domain = 0;  // -1: an unknown domain
  std::string tenant;
  std::string key;
};

std::string DomainName(int d) { return d < 0 ? "nope" : kDomains[d].name; }

bool ValidTenant(const std::string& t) { return !t.empty() && t.size() <= 255; }
bool ValidKey(const std::string& k) { return !k.empty() && k.size() <= kMaxKeyBytes; }
bool ValidTarget(const Target& t) {
  return t.domain >= 0 && ValidTenant(t.tenant) && ValidKey(t.key);
}

class Args {
 public:
  explicit Args(FuzzedDataProvider* in) : in_(in) {}

  int Domain() {
    const int d = in_->ConsumeIntegralInRange<int>(0, 15);
    return d < 15 ? d % kNumDomains : -1;
  }
  std::string Tenant() {
    static const char* const kTenants[] = {"t1", "t10", "t", "a"};
    switch (in_->ConsumeIntegralInRange<int>(0, 15)) {
      case 0:
        return std::string("\0", 1);
      case 1:
        return std::string("\0\x01", 2);
      case 2:
        return std::string("a\0b", 3);
      case 3:
        return "\xff";
      case 4:
        return in_->ConsumeBool() ? std::string() : std::string(256, 'x');  // invalid
      default:
        return kTenants[in_->ConsumeIntegralInRange<int>(0, 3)];
    }
  }
  // Bytes from a small alphabet (with 0x00 and 0xff) so keys collide often.
  std::string Bytes(size_t max) {
    static const char kAlphabet[] = {'a', 'b', 'c', '\0', '\x01', '\xff'};
    const size_t n = in_->ConsumeIntegralInRange<size_t>(0, max);
    std::string s;
    for (size_t i = 0; i < n; ++i) {
      s.push_back(kAlphabet[in_->ConsumeIntegralInRange<size_t>(0, sizeof(kAlphabet) - 1)]);
    }
    return s;
  }
  std::string Key() {
    switch (in_->ConsumeIntegralInRange<int>(0, 31)) {
      case 0:
        return std::string();  // invalid
      case 1:
        return std::string(kMaxKeyBytes, 'k');  // longest
      case 2:
        return std::string(kMaxKeyBytes + 1, 'k');  // invalid
      default:
        return Bytes(3).empty() ? "a" : Bytes(3);
    }
  }
  std::string Value() {
    if (in_->ConsumeIntegralInRange<int>(0, 31) == 0) return std::string(kMaxValueBytes + 1, 'v');
    return Bytes(8);
  }
  uint64_t Ttl() {
    static constexpr uint64_t kTtls[] = {0, 0, 0, 1, 5, 60, 200, 5000, UINT64_MAX};
    return kTtls[in_->ConsumeIntegralInRange<size_t>(0, std::size(kTtls) - 1)];
  }
  uint64_t Advance() {
    static constexpr uint64_t kSteps[] = {1, 10, 49, 50, 51, 99, 100, 101, 999, 1000, 3000, 86400};
    return kSteps[in_->ConsumeIntegralInRange<size_t>(0, std::size(kSteps) - 1)];
  }
  Target Where() {
    Target t;
    t.domain = Domain();
    t.tenant = Tenant();
    t.key = Key();
    return t;
  }
  bool Bool() { return in_->ConsumeBool(); }
  bool Done() const { return in_->remaining_bytes() == 0; }
  int Int(int lo, int hi) { return in_->ConsumeIntegralInRange<int>(lo, hi); }

 private:
  FuzzedDataProvider* in_;
};

// ---- The harness ----

class Harness {
 public:
  Harness(const std::string& path, bool purge, bool partition, uint32_t shards)
      : path_(path), clock_(std::make_shared<metakv::ManualClock>(kStartSeconds * 1000000)) {
    options_ = metakv::test::SmallOptions(clock_);
    options_.domains.clear();
    for (const DomainSpec& spec : kDomains) {
      metakv::DomainOptions d;
      d.name = spec.name;
      d.temperature = spec.cold ? metakv::Temperature::kCold : metakv::Temperature::kHot;
      d.tombstone_retention_seconds = spec.retention;
      d.default_ttl_seconds = spec.default_ttl;
      metakv::test::ScaleDownDomain(&d);
      d.bloom_bits_per_key = 10;
      d.purge_in_compaction = purge;
      d.partition_by_tenant = partition;
      if (!spec.cold) d.tenant_shards = shards;
      options_.domains.push_back(d);
    }
    options_.max_key_bytes = kMaxKeyBytes;
    options_.max_value_bytes = kMaxValueBytes;
    options_.memory_budget_bytes = 8 << 20;
    options_.maintenance_interval_seconds = 0;  // the drop of purgeable files is an operation
    options_.flush_controller_interval_seconds = 0;
    options_.enable_statistics = false;
    options_.info_log_level = 4;
    Status s = metakv::Store::Open(options_, path_, &store_);
    Check(s.ok(), "open: " + s.ToString());
  }

  ~Harness() {
    if (store_ == nullptr) return;
    ReleaseSnapshot();
    Status s = store_->Close();
    Check(s.ok(), "close: " + s.ToString());
  }

  void Run(Args* a) {
    int heavy = 0;
    for (int op = 0; op < kMaxOps && !a->Done(); ++op) {
      const int kind = a->Int(0, 38);
      const bool is_heavy = (kind >= 26 && kind <= 31) || kind == 36 || kind == 38;
      if (is_heavy && heavy >= kMaxHeavy) continue;
      if (is_heavy) ++heavy;
      switch (kind) {
        case 0:
        case 1:
        case 2:
        case 3:
        case 4:
          Put(a);
          break;
        case 5:
        case 6:
        case 7:
          Get(a);
          break;
        case 8:
        case 9:
        case 10:
          Delete(a);
          break;
        case 11:
        case 12:
          Undelete(a);
          break;
        case 13:
          HardDelete(a);
          break;
        case 14:
        case 15:
          WriteBatch(a);
          break;
        case 16:
        case 17:
          Scan(a, /*snapshot=*/false);
          break;
        case 18:
          MultiGet(a);
          break;
        case 19:
        case 20:
          AdvanceClock(a);
          break;
        case 21:
          TakeSnapshot();
          break;
        case 22:
          ReleaseSnapshot();
          break;
        case 23:
          SnapshotGet(a);
          break;
        case 24:
          Scan(a, /*snapshot=*/true);
          break;
        case 25:
          CheckAll();
          break;
        case 26:
          Flush(a);
          break;
        case 27:
          Compact(a);
          break;
        case 28:
          Ingest(a);
          break;
        case 29:
          Purge(a);
          break;
        case 30:
          Reopen(/*read_only_first=*/false);
          break;
        case 31:
          Reopen(/*read_only_first=*/true);
          break;
        case 32:
          RemoveTree(a, /*logical=*/true);
          break;
        case 33:
          RemoveTree(a, /*logical=*/false);
          break;
        case 34:
          RestoreTree(a);
          break;
        case 35:
          RemoveTenant(a);
          break;
        case 36:
          PurgeDeadline();
          break;
        case 37:
          StepClockBack(a);
          break;
        case 38:
          MoveTenant(a);
          break;
      }
    }
    CheckAll();
  }

 private:
  // The store's time by the rule above.
  uint64_t Now() const { return std::max(clock_->NowSeconds(), floor_); }

  void Check(bool ok, const std::string& what) {
    if (ok) return;
    metakv::fuzz::CheckFailed(__FILE__, __LINE__, "model mismatch",
                              what + "\noperations so far:\n" + log_);
  }
  void Log(const std::string& line) {
    if (log_.size() < (64 << 10)) log_ += "  " + line + "\n";
  }
  static std::string Describe(const Target& t) {
    return DomainName(t.domain) + " '" + Printable(t.tenant) + "' '" + Printable(t.key) + "'";
  }
  Key ModelKey(const Target& t) const { return Key{t.domain, t.tenant, t.key}; }

  uint64_t ExpiryFor(int domain, uint64_t ttl) const {
    const uint64_t t = ttl != 0 ? ttl : kDomains[domain].default_ttl;
    return t == 0 ? 0 : SaturatingAdd(Now(), t);
  }

  // The answer a Get must give for t under model m at time now.
  void CheckGet(const Model& m, uint64_t now, const Target& t, const Status& s,
                const std::string& value, const std::string& context) {
    if (ValidTarget(t)) judged_ = std::max(judged_, now);  // the store read its time
    if (!ValidTarget(t)) {
      Check(s.IsInvalidArgument(), context + ": expected InvalidArgument, got " + s.ToString());
      return;
    }
    auto it = m.find(ModelKey(t));
    if (it == m.end() || !Visible(it->second, now)) {
      Check(s.IsNotFound(), context + ": expected NotFound, got " + s.ToString() +
                                (s.ok() ? " value '" + Printable(value) + "'" : ""));
      return;
    }
    Check(s.ok(),
          context + ": expected '" + Printable(it->second.value) + "', got " + s.ToString());
    Check(value == it->second.value, context + ": expected '" + Printable(it->second.value) +
                                         "', got '" + Printable(value) + "'");
  }

  // ---- Writes ----

  void Put(Args* a) {
    const Target t = a->Where();
    const std::string value = a->Value();
    const uint64_t ttl = a->Ttl();
    Log("Put " + Describe(t) + " '" + Printable(value) + "' ttl " + std::to_string(ttl));
    const Status s =
        store_->Put(metakv::WriteOptions(), DomainName(t.domain), t.tenant, t.key, value, ttl);
    if (!ValidTarget(t) || value.size() > kMaxValueBytes) {
      Check(s.IsInvalidArgument(), "Put: expected InvalidArgument, got " + s.ToString());
      return;
    }
    Check(s.ok(), "Put: " + s.ToString());
    model_[ModelKey(t)] = Rec{false, value, WriteTime(t), ExpiryFor(t.domain, ttl)};
    NoteWrite(model_[ModelKey(t)].time);
  }

  void Delete(Args* a) {
    const Target t = a->Where();
    Log("Delete " + Describe(t));
    const Status s = store_->Delete(metakv::WriteOptions(), DomainName(t.domain), t.tenant, t.key);
    if (!ValidTarget(t)) {
      Check(s.IsInvalidArgument(), "Delete: expected InvalidArgument, got " + s.ToString());
      return;
    }
    auto it = model_.find(ModelKey(t));
    if (it == model_.end() || !Visible(it->second, Now())) {
      Check(s.IsNotFound(), "Delete: expected NotFound, got " + s.ToString());
      return;
    }
    Check(s.ok(), "Delete: " + s.ToString());
    it->second.tombstone = true;
    it->second.time = WriteTime(t);
    NoteWrite(it->second.time);
  }

  void Undelete(Args* a) {
    const Target t = a->Where();
    Log("Undelete " + Describe(t));
    const Status s =
        store_->Undelete(metakv::WriteOptions(), DomainName(t.domain), t.tenant, t.key);
    if (!ValidTarget(t)) {
      Check(s.IsInvalidArgument(), "Undelete: expected InvalidArgument, got " + s.ToString());
      return;
    }
    const uint64_t now = Now();
    auto it = model_.find(ModelKey(t));
    if (it == model_.end()) {
      Check(s.IsNotFound(), "Undelete of no record: expected NotFound, got " + s.ToString());
      return;
    }
    Rec& r = it->second;
    const bool expired = r.expiry != 0 && r.expiry <= now;
    if (!r.tombstone) {
      if (expired) {
        Check(s.IsNotFound(),
              "Undelete of an expired record: expected NotFound, got " + s.ToString());
      } else {
        Check(s.IsFailedPrecondition(),
              "Undelete of a live record: expected FailedPrecondition, got " + s.ToString());
      }
      return;
    }
    if (now >= SaturatingAdd(r.time, kDomains[t.domain].retention) || expired) {
      // Expired, or NotFound once compaction has purged the tombstone.
      Check(s.IsExpired() || s.IsNotFound(),
            "Undelete past retention or TTL: expected Expired or NotFound, got " + s.ToString());
      return;
    }
    Check(s.ok(), "Undelete: " + s.ToString());
    r.tombstone = false;
    r.time = WriteTime(t);
    NoteWrite(r.time);
  }

  void HardDelete(Args* a) {
    const Target t = a->Where();
    Log("HardDelete " + Describe(t));
    const Status s =
        store_->HardDelete(metakv::WriteOptions(), DomainName(t.domain), t.tenant, t.key);
    if (!ValidTarget(t)) {
      Check(s.IsInvalidArgument(), "HardDelete: expected InvalidArgument, got " + s.ToString());
      return;
    }
    Check(s.ok(), "HardDelete: " + s.ToString());
    model_.erase(ModelKey(t));
    for (auto& r : removals_) r.held.erase(ModelKey(t));
  }

  void WriteBatch(Args* a) {
    metakv::WriteBatch batch;
    Model next = model_;
    bool valid = true;
    bool not_found = false;
    std::vector<Key> hard_deleted;
    uint64_t batch_time = 0;
    const int n = a->Int(1, 4);
    std::string desc = "Write {";
    for (int i = 0; i < n; ++i) {
      const int type = a->Int(0, 2);
      const Target t = a->Where();
      valid = valid && ValidTarget(t);
      if (type == 0) {
        const std::string value = a->Value();
        const uint64_t ttl = a->Ttl();
        batch.Put(DomainName(t.domain), t.tenant, t.key, value, ttl);
        desc +=
            " Put " + Describe(t) + " '" + Printable(value) + "' ttl " + std::to_string(ttl) + ";";
        valid = valid && value.size() <= kMaxValueBytes;
        if (ValidTarget(t)) {
          next[ModelKey(t)] = Rec{false, value, WriteTime(t), ExpiryFor(t.domain, ttl)};
          batch_time = std::max(batch_time, next[ModelKey(t)].time);
        }
      } else if (type == 1) {
        batch.Delete(DomainName(t.domain), t.tenant, t.key);
        desc += " Delete " + Describe(t) + ";";
        if (ValidTarget(t)) {
          auto it = next.find(ModelKey(t));
          if (it == next.end() || !Visible(it->second, Now())) {
            not_found = true;
          } else {
            it->second.tombstone = true;
            it->second.time = WriteTime(t);
            batch_time = std::max(batch_time, it->second.time);
          }
        }
      } else {
        batch.HardDelete(DomainName(t.domain), t.tenant, t.key);
        desc += " HardDelete " + Describe(t) + ";";
        if (ValidTarget(t)) {
          next.erase(ModelKey(t));
          hard_deleted.push_back(ModelKey(t));
        }
      }
    }
    Log(desc + " }");
    const Status s = store_->Write(metakv::WriteOptions(), batch);
    if (!valid) {
      Check(s.IsInvalidArgument(), "Write: expected InvalidArgument, got " + s.ToString());
    } else if (not_found) {
      Check(s.IsNotFound(),
            "Write with a Delete of no live record: expected NotFound, got " + s.ToString());
    } else {
      Check(s.ok(), "Write: " + s.ToString());
      model_ = std::move(next);
      NoteWrite(batch_time);
      for (const Key& k : hard_deleted) {
        for (auto& r : removals_) r.held.erase(k);
      }
    }
  }

  void Ingest(Args* a) {
    const int domain = a->Domain();
    const std::string tenant = a->Tenant();
    std::vector<metakv::ColdRecord> records;
    const int n = a->Int(0, 4);
    std::string desc = "IngestCold " + DomainName(domain) + " '" + Printable(tenant) + "' {";
    bool valid = domain >= 0 && kDomains[domain].cold && n > 0 && ValidTenant(tenant);
    std::map<std::string, bool> seen;
    for (int i = 0; i < n; ++i) {
      metakv::ColdRecord r;
      r.key = a->Key();
      r.value = a->Value();
      r.ttl_seconds = a->Ttl();
      desc += " '" + Printable(r.key) + "' '" + Printable(r.value) + "' ttl " +
              std::to_string(r.ttl_seconds) + ";";
      valid = valid && ValidKey(r.key) && r.value.size() <= kMaxValueBytes &&
              seen.emplace(r.key, true).second;
      records.push_back(std::move(r));
    }
    Log(desc + " }");
    const Status s = store_->IngestCold(DomainName(domain), tenant, records);
    if (!valid) {
      Check(s.IsInvalidArgument(), "IngestCold: expected InvalidArgument, got " + s.ToString());
      return;
    }
    Check(s.ok(), "IngestCold: " + s.ToString());
    for (const auto& r : records) {
      const Target t{domain, tenant, r.key};
      model_[ModelKey(t)] = Rec{false, r.value, WriteTime(t), ExpiryFor(domain, r.ttl_seconds)};
      NoteWrite(std::max(Now(), model_[ModelKey(t)].time));
    }
  }

  // ---- Reads ----

  void Get(Args* a) {
    const Target t = a->Where();
    Log("Get " + Describe(t));
    std::string value;
    const Status s =
        store_->Get(metakv::ReadOptions(), DomainName(t.domain), t.tenant, t.key, &value);
    CheckGet(model_, Now(), t, s, value, "Get " + Describe(t));
  }

  void MultiGet(Args* a) {
    std::vector<Target> targets(static_cast<size_t>(a->Int(1, 4)));
    std::vector<std::string> names;
    std::string desc = "MultiGet {";
    for (auto& t : targets) {
      t = a->Where();
      names.push_back(DomainName(t.domain));
      desc += " " + Describe(t) + ";";
    }
    Log(desc + " }");
    std::vector<metakv::KeyRef> keys;
    for (size_t i = 0; i < targets.size(); ++i) {
      keys.push_back(metakv::KeyRef{names[i], targets[i].tenant, targets[i].key});
    }
    std::vector<std::string> values;
    std::vector<Status> statuses;
    const Status s = store_->MultiGet(metakv::ReadOptions(), keys, &values, &statuses);
    Check(s.ok(), "MultiGet: " + s.ToString());
    Check(values.size() == keys.size() && statuses.size() == keys.size(), "MultiGet sizes");
    for (size_t i = 0; i < targets.size(); ++i) {
      CheckGet(model_, Now(), targets[i], statuses[i], values[i],
               "MultiGet[" + std::to_string(i) + "] " + Describe(targets[i]));
    }
  }

  void TakeSnapshot() {
    Log("GetSnapshot");
    ReleaseSnapshot();
    snapshot_ = store_->GetSnapshot();
    Check(snapshot_ != nullptr, "GetSnapshot returned null");
    Check(snapshot_->time_seconds() == Now(), "snapshot time");
    snapshot_model_ = model_;
    snapshot_time_ = Now();
  }

  void ReleaseSnapshot() {
    if (snapshot_ == nullptr) return;
    Log("ReleaseSnapshot");
    store_->ReleaseSnapshot(snapshot_);
    snapshot_ = nullptr;
    snapshot_model_.clear();
  }

  void SnapshotGet(Args* a) {
    if (snapshot_ == nullptr) return;
    const Target t = a->Where();
    Log("Get (snapshot) " + Describe(t));
    metakv::ReadOptions ro;
    ro.snapshot = snapshot_;
    std::string value;
    const Status s = store_->Get(ro, DomainName(t.domain), t.tenant, t.key, &value);
    CheckGet(snapshot_model_, snapshot_time_, t, s, value, "Get (snapshot) " + Describe(t));
  }

  struct Row {
    std::string tenant, key, value;
    uint64_t time, expiry;
  };

  static std::string DescribeRows(const std::vector<Row>& rows) {
    std::string out;
    for (const Row& r : rows) {
      out += " ('" + Printable(r.tenant) + "' '" + Printable(r.key) + "' '" + Printable(r.value) +
             "' t" + std::to_string(r.time) + " e" + std::to_string(r.expiry) + ")";
    }
    return out.empty() ? " (none)" : out;
  }

  // The model's rows of a domain in spec's range, in order: the visible
  // ones, or with spec.deleted the recycle bin (tombstones in retention and
  // not expired; their time is the delete time).
  static std::vector<Row> ModelRows(const Model& m, uint64_t now, int domain,
                                    const metakv::ScanSpec& spec) {
    std::vector<Row> rows;
    for (const auto& [k, r] : m) {
      const auto& [d, tenant, key] = k;
      if (d != domain) continue;
      if (spec.deleted) {
        const bool expired = r.expiry != 0 && r.expiry <= now;
        if (!r.tombstone || expired || now >= SaturatingAdd(r.time, kDomains[d].retention)) {
          continue;
        }
      } else if (!Visible(r, now)) {
        continue;
      }
      if (!spec.tenant.empty()) {
        if (tenant != spec.tenant) continue;
        if (key.compare(0, spec.prefix.size(), spec.prefix) != 0) continue;
        if (!spec.lower_bound.empty() && key < spec.lower_bound) continue;
        if (!spec.upper_bound.empty() && key >= spec.upper_bound) continue;
      }
      rows.push_back(Row{tenant, key, r.value, r.time, r.expiry});
    }
    return rows;
  }

  static bool PairLess(const Row& r, const std::string& tenant, const std::string& key) {
    return std::tie(r.tenant, r.key) < std::tie(tenant, key);
  }

  void Scan(Args* a, bool use_snapshot) {
    if (use_snapshot && snapshot_ == nullptr) return;
    const int domain = a->Domain();
    metakv::ScanSpec spec;
    const int shape = a->Int(0, 7);
    if (shape > 0) {
      spec.tenant = a->Tenant();
      if (shape >= 2) spec.prefix = a->Bytes(2);
      if (shape >= 4) spec.lower_bound = a->Bytes(3);
      if (shape >= 6) spec.upper_bound = a->Bytes(3);
    } else if (a->Int(0, 15) == 0) {
      spec.prefix = "a";  // invalid: a prefix without a tenant
    }
    // The recycle bin one scan in four: it too must keep to its tenant.
    spec.deleted = a->Int(0, 3) == 0;
    const int mode = a->Int(0, 3);
    std::string seek_tenant = spec.tenant.empty() ? a->Tenant() : spec.tenant;
    if (!spec.tenant.empty() && a->Int(0, 15) == 0) seek_tenant = "other";  // invalid
    const std::string seek_key = a->Bytes(3);
    const int steps = a->Int(0, 6);
    Log(std::string(use_snapshot ? "Scan (snapshot) " : "Scan ") +
        (spec.deleted ? "recycle bin " : "") + DomainName(domain) +
        " tenant '" + Printable(spec.tenant) + "' prefix '" + Printable(spec.prefix) + "' lower '" +
        Printable(spec.lower_bound) + "' upper '" + Printable(spec.upper_bound) + "' mode " +
        std::to_string(mode) + " seek '" + Printable(seek_tenant) + "' '" + Printable(seek_key) +
        "' steps " + std::to_string(steps));

    metakv::ReadOptions ro;
    if (use_snapshot) ro.snapshot = snapshot_;
    std::unique_ptr<metakv::Iterator> it;
    const Status s = store_->NewIterator(ro, DomainName(domain), spec, &it);
    const bool bad_spec =
        domain < 0 ||
        (spec.tenant.empty() &&
         (!spec.prefix.empty() || !spec.lower_bound.empty() || !spec.upper_bound.empty())) ||
        spec.tenant.size() > 255;
    if (bad_spec) {
      Check(s.IsInvalidArgument(), "NewIterator: expected InvalidArgument, got " + s.ToString());
      return;
    }
    Check(s.ok() && it != nullptr, "NewIterator: " + s.ToString());

    const std::vector<Row> all = ModelRows(use_snapshot ? snapshot_model_ : model_,
                                           use_snapshot ? snapshot_time_ : Now(), domain, spec);
    std::vector<Row> expected;
    bool expect_invalid_argument = false;
    switch (mode) {
      case 0:  // SeekToFirst, Next to the end
        it->SeekToFirst();
        expected = all;
        break;
      case 1:  // SeekToLast, Prev to the start
        it->SeekToLast();
        expected.assign(all.rbegin(), all.rend());
        break;
      case 2: {  // Seek, then a few Next
        it->Seek(seek_tenant, seek_key);
        if ((!spec.tenant.empty() && seek_tenant != spec.tenant) || seek_tenant.size() > 255) {
          expect_invalid_argument = true;
          break;
        }
        for (const Row& r : all) {
          if (!PairLess(r, seek_tenant, seek_key) && expected.size() <= size_t(steps)) {
            expected.push_back(r);
          }
        }
        break;
      }
      default: {  // SeekForPrev, then a few Prev
        it->SeekForPrev(seek_tenant, seek_key);
        if ((!spec.tenant.empty() && seek_tenant != spec.tenant) || seek_tenant.size() > 255) {
          expect_invalid_argument = true;
          break;
        }
        for (auto r = all.rbegin(); r != all.rend(); ++r) {
          const bool after = PairLess(Row{seek_tenant, seek_key, "", 0, 0}, r->tenant, r->key);
          if (!after && expected.size() <= size_t(steps)) expected.push_back(*r);
        }
        break;
      }
    }
    if (expect_invalid_argument) {
      Check(!it->Valid() && it->status().IsInvalidArgument(),
            "Seek outside the scan's tenant: expected InvalidArgument, got " +
                it->status().ToString());
      return;
    }
    const bool forward = mode == 0 || mode == 2;
    const size_t limit = mode <= 1 ? SIZE_MAX : size_t(steps) + 1;
    std::vector<Row> got;
    while (it->Valid() && got.size() < limit && got.size() < 10000) {
      got.push_back(Row{std::string(it->tenant()), std::string(it->key()), std::string(it->value()),
                        spec.deleted ? it->delete_time() : it->write_time(), it->expiry_time()});
      if (forward) {
        it->Next();
      } else {
        it->Prev();
      }
    }
    Check(it->status().ok(), "iterator: " + it->status().ToString());
    bool same = got.size() == expected.size();
    for (size_t i = 0; same && i < got.size(); ++i) {
      const Row& g = got[i];
      const Row& e = expected[i];
      same = g.tenant == e.tenant && g.key == e.key && g.value == e.value && g.time == e.time &&
             g.expiry == e.expiry;
    }
    Check(same, "scan: expected" + DescribeRows(expected) + "\n  got" + DescribeRows(got));
  }

  // Every domain scanned whole, and every key the model knows read back.
  void CheckAll() {
    Log("CheckAll");
    for (int d = 0; d < kNumDomains; ++d) {
      std::unique_ptr<metakv::Iterator> it;
      Status s = store_->NewIterator(metakv::ReadOptions(), kDomains[d].name, {}, &it);
      Check(s.ok(), "NewIterator: " + s.ToString());
      std::vector<Row> got;
      for (it->SeekToFirst(); it->Valid() && got.size() < 10000; it->Next()) {
        got.push_back(Row{std::string(it->tenant()), std::string(it->key()),
                          std::string(it->value()), it->write_time(), it->expiry_time()});
      }
      Check(it->status().ok(), "iterator: " + it->status().ToString());
      const std::vector<Row> expected = ModelRows(model_, Now(), d, {});
      bool same = got.size() == expected.size();
      for (size_t i = 0; same && i < got.size(); ++i) {
        same = got[i].tenant == expected[i].tenant && got[i].key == expected[i].key &&
               got[i].value == expected[i].value && got[i].time == expected[i].time &&
               got[i].expiry == expected[i].expiry;
      }
      Check(same, std::string("domain ") + kDomains[d].name + ": expected" +
                      DescribeRows(expected) + "\n  got" + DescribeRows(got));
    }
    for (const auto& [k, r] : model_) {
      const Target t{std::get<0>(k), std::get<1>(k), std::get<2>(k)};
      std::string value;
      const Status s =
          store_->Get(metakv::ReadOptions(), DomainName(t.domain), t.tenant, t.key, &value);
      CheckGet(model_, Now(), t, s, value, "CheckAll Get " + Describe(t));
    }
  }

  // ---- Tenant export and import ----

  // Exports a tenant and imports it into a new store, which must then hold
  // exactly the model's rows of that tenant, visible and in the recycle
  // bin, with their times, and nothing of any other tenant.
  void MoveTenant(Args* a) {
    const std::string tenant = a->Tenant();
    Log("MoveTenant '" + Printable(tenant) + "'");
    // Fresh paths beside the store's (the input's directory goes at its end).
    const std::string n = std::to_string(moves_++);
    const std::string dir = path_ + ".export" + n, other_path = path_ + ".other" + n;
    Status s = store_->ExportTenant(tenant, dir);
    if (tenant.empty() || tenant.size() > 255) {
      Check(s.IsInvalidArgument(), "ExportTenant: expected InvalidArgument, got " + s.ToString());
      return;
    }
    Check(s.ok(), "ExportTenant: " + s.ToString());
    std::unique_ptr<metakv::Store> other;
    s = metakv::Store::Open(options_, other_path, &other);
    Check(s.ok(), "open for the import: " + s.ToString());
    s = other->ImportTenant(dir, metakv::ImportOptions());
    if (Now() > clock_->NowSeconds() + 3600) {
      // The store's time ran more than an hour ahead of the clock (a step
      // back): the import refuses times that far ahead.
      Check(s.IsInvalidArgument(), "ImportTenant: expected InvalidArgument, got " + s.ToString());
    } else {
      Check(s.ok(), "ImportTenant: " + s.ToString());
      for (int d = 0; d < kNumDomains; ++d) {
        for (bool deleted : {false, true}) {
          metakv::ScanSpec all;
          all.deleted = deleted;
          std::unique_ptr<metakv::Iterator> it;
          s = other->NewIterator(metakv::ReadOptions(), kDomains[d].name, all, &it);
          Check(s.ok(), "NewIterator after import: " + s.ToString());
          std::vector<Row> got;
          for (it->SeekToFirst(); it->Valid(); it->Next()) {
            got.push_back(Row{std::string(it->tenant()), std::string(it->key()),
                              std::string(it->value()),
                              deleted ? it->delete_time() : it->write_time(), it->expiry_time()});
          }
          Check(it->status().ok(), "iterator after import: " + it->status().ToString());
          metakv::ScanSpec spec;
          spec.tenant = tenant;
          spec.deleted = deleted;
          const std::vector<Row> expected = ModelRows(model_, Now(), d, spec);
          bool same = got.size() == expected.size();
          for (size_t i = 0; same && i < got.size(); ++i) {
            same = got[i].tenant == expected[i].tenant && got[i].key == expected[i].key &&
                   got[i].value == expected[i].value && got[i].time == expected[i].time &&
                   got[i].expiry == expected[i].expiry;
          }
          Check(same, std::string("after the import of '") + Printable(tenant) + "', domain " +
                          kDomains[d].name + (deleted ? " recycle bin" : "") + ": expected" +
                          DescribeRows(expected) + "\n  got" + DescribeRows(got));
        }
      }
    }
    s = other->Close();
    Check(s.ok(), "close after the import: " + s.ToString());
  }

  // ---- Time, maintenance, reopening ----

  void AdvanceClock(Args* a) {
    const uint64_t seconds = a->Advance();
    Log("AdvanceClock " + std::to_string(seconds));
    clock_->AdvanceSeconds(seconds);
    max_clock_ = std::max(max_clock_, clock_->NowSeconds());
    for (auto& r : removals_) {
      if (!r.expired && Now() >= r.purge_time) {
        r.expired = true;  // purgeable now: never restorable again
        r.held.clear();
      }
    }
  }

  void StepClockBack(Args* a) {
    const uint64_t clock = clock_->NowSeconds();
    const uint64_t seconds = std::min(a->Advance(), clock - kStartSeconds + 1000);
    Log("StepClockBack " + std::to_string(seconds));
    clock_->SetMicros((clock - seconds) * 1000000);
    const metakv::Snapshot* snap = store_->GetSnapshot();
    Check(snap != nullptr, "GetSnapshot returned null");
    const uint64_t store_time = snap->time_seconds();
    store_->ReleaseSnapshot(snap);
    Check(store_time >= judged_ && store_time >= floor_,
          "the store's time ran backwards: " + std::to_string(store_time) +
              " after a read judged at " + std::to_string(judged_));
    Check(store_time <= max_clock_, "the store's time " + std::to_string(store_time) +
                                        " is past the latest clock " + std::to_string(max_clock_));
    floor_ = store_time;
  }

  void Flush(Args* a) {
    const int d = a->Int(0, kNumDomains);
    const std::string name = d == kNumDomains ? "" : kDomains[d].name;
    Log("Flush '" + name + "'");
    const Status s = store_->Flush(name);
    Check(s.ok(), "Flush: " + s.ToString());
  }

  void Compact(Args* a) {
    const int d = a->Int(0, kNumDomains);
    const std::string name = d == kNumDomains ? "" : kDomains[d].name;
    const std::string tenant = a->Bool() ? a->Tenant() : "";
    Log("CompactRange '" + name + "' '" + Printable(tenant) + "'");
    const Status s = store_->CompactRange(name, tenant);
    if (!tenant.empty() && (name.empty() || !ValidTenant(tenant))) {
      Check(s.IsInvalidArgument(), "CompactRange: expected InvalidArgument, got " + s.ToString());
      return;
    }
    Check(s.ok(), "CompactRange: " + s.ToString());
  }

  void Purge(Args* a) {
    const int d = a->Int(0, kNumDomains);
    const std::string name = d == kNumDomains ? "" : kDomains[d].name;
    Log("RunMaintenance purgeable files '" + name + "'");
    const Status s =
        store_->RunMaintenance(metakv::MaintenanceOptions::DropPurgeableFilesOnly(name));
    Check(s.ok(), "RunMaintenance (purgeable files): " + s.ToString());
  }

  void Reopen(bool read_only_first) {
    Log(read_only_first ? "Reopen (read-only, then writable)" : "Reopen");
    ReleaseSnapshot();
    Status s = store_->Close();
    Check(s.ok(), "Close: " + s.ToString());
    store_.reset();
    if (read_only_first) {
      metakv::Options ro = options_;
      ro.read_only = true;
      ro.create_if_missing = false;
      s = metakv::Store::Open(ro, path_, &store_);
      Check(s.ok(), "Open read-only: " + s.ToString());
      CheckAll();
      s = store_->Put(metakv::WriteOptions(), "inode", "t", "k", "v");
      Check(s.IsNotSupported(), "Put on a read-only store: " + s.ToString());
      s = store_->Delete(metakv::WriteOptions(), "inode", "t", "k");
      Check(s.IsNotSupported(), "Delete on a read-only store: " + s.ToString());
      s = store_->Flush();
      Check(s.IsNotSupported(), "Flush on a read-only store: " + s.ToString());
      s = store_->Close();
      Check(s.ok(), "Close read-only: " + s.ToString());
      store_.reset();
    }
    s = metakv::Store::Open(options_, path_, &store_);
    Check(s.ok(), "Reopen: " + s.ToString());
    CheckAll();
  }

  // ---- Bulk deletes ----

  // The write time the store gives a record written now under t: one
  // second past the newest logical removal covering it, if that is later.
  uint64_t WriteTime(const Target& t) const {
    uint64_t time = Now();
    for (const auto& r : removals_) {
      if (r.Covers(t.domain, t.tenant, t.key)) time = std::max(time, SaturatingAdd(r.time, 1));
    }
    return time;
  }

  // Drops the records of (domain, tenant, prefix) from the model and from
  // every hold (a range deletion removes hidden records too).
  void EraseRange(int domain, const std::string& tenant, const std::string& prefix) {
    auto erase = [&](Model* m) {
      for (auto it = m->begin(); it != m->end();) {
        const auto& [d, t, k] = it->first;
        const bool in = d == domain && t == tenant && k.compare(0, prefix.size(), prefix) == 0;
        it = in ? m->erase(it) : std::next(it);
      }
    };
    erase(&model_);
    for (auto& r : removals_) erase(&r.held);
  }

  void RemoveTree(Args* a, bool logical) {
    const std::string tenant = a->Tenant();
    std::vector<std::pair<int, std::string>> ranges;
    const int n = a->Int(0, 2);
    for (int i = 0; i < n; ++i) ranges.emplace_back(a->Domain(), a->Bytes(2));
    std::string desc = std::string("RemoveTree ") + (logical ? "logical" : "hard") + " '" +
                       Printable(tenant) + "' {";
    bool valid = ValidTenant(tenant) && !ranges.empty();
    bool overlaps_restorable = false;
    for (size_t i = 0; i < ranges.size(); ++i) {
      const auto& [d, prefix] = ranges[i];
      desc += " " + DomainName(d) + " '" + Printable(prefix) + "';";
      valid = valid && d >= 0 && !prefix.empty() && prefix.size() <= kMaxKeyBytes &&
              !(logical && kDomains[d].cold);
      for (size_t j = 0; j < i && valid; ++j) {
        const auto& [d2, p2] = ranges[j];
        valid = !(d2 == d && (p2.rfind(prefix, 0) == 0 || prefix.rfind(p2, 0) == 0));
      }
      for (const auto& r : removals_) {
        if (r.expired || r.tenant != tenant) continue;
        for (const auto& [d2, p2] : r.ranges) {
          overlaps_restorable = overlaps_restorable ||
                                (d2 == d && (p2.rfind(prefix, 0) == 0 || prefix.rfind(p2, 0) == 0));
        }
      }
    }
    if (valid && logical && overlaps_restorable) return;  // not modelled: see the header
    const uint64_t time = std::max(Now(), max_write_time_);
    Log(desc + " }");
    std::vector<std::string> names;
    for (const auto& [d, prefix] : ranges) names.push_back(DomainName(d));
    std::vector<metakv::PrefixRef> refs;
    for (size_t i = 0; i < ranges.size(); ++i) refs.push_back({names[i], ranges[i].second});
    uint64_t id = 0;
    const Status s =
        store_->RemoveTree(metakv::WriteOptions(), tenant, refs,
                           logical ? metakv::RemoveMode::kLogical : metakv::RemoveMode::kHard, &id);
    if (!valid) {
      Check(s.IsInvalidArgument(), "RemoveTree: expected InvalidArgument, got " + s.ToString());
      return;
    }
    Check(s.ok(), "RemoveTree: " + s.ToString());
    Check(id == next_id_,
          "RemoveTree: id " + std::to_string(id) + ", expected " + std::to_string(next_id_));
    ++next_id_;
    if (!logical) {
      for (const auto& [d, prefix] : ranges) EraseRange(d, tenant, prefix);
      AddHardRemoval(id, tenant, ranges, time);
      return;
    }
    ModelRemoval r;
    r.id = id;
    r.tenant = tenant;
    r.ranges = ranges;
    r.time = time;
    uint64_t retention = UINT64_MAX;
    for (const auto& [d, prefix] : ranges) retention = std::min(retention, kDomains[d].retention);
    r.purge_time = SaturatingAdd(r.time, retention);
    for (auto it = model_.begin(); it != model_.end();) {
      const auto& [d, t, k] = it->first;
      if (r.Covers(d, t, k)) {
        r.held.insert(*it);
        it = model_.erase(it);
      } else {
        ++it;
      }
    }
    removals_.push_back(std::move(r));
  }

  void RestoreTree(Args* a) {
    const bool known = !removals_.empty() && a->Int(0, 3) != 0;
    const size_t index = known ? static_cast<size_t>(a->Int(0, int(removals_.size()) - 1)) : 0;
    const uint64_t id = known ? removals_[index].id : static_cast<uint64_t>(a->Int(0, 40));
    Log("RestoreTree " + std::to_string(id));
    const Status s = store_->RestoreTree(metakv::WriteOptions(), id);
    if (!known) {
      // An id the model does not hold as logical: unknown, hard, restored
      // or forgotten, unless it happens to be one of the model's.
      for (size_t i = 0; i < removals_.size(); ++i) {
        if (removals_[i].id == id) return;  // checked through the known path only
      }
      Check(s.IsNotFound(),
            "RestoreTree of no logical removal: expected NotFound, got " + s.ToString());
      return;
    }
    ModelRemoval& r = removals_[index];
    if (r.expired) {
      Check(s.IsExpired() || s.IsNotFound(),
            "RestoreTree past retention: expected Expired or NotFound, got " + s.ToString());
      return;
    }
    Check(s.ok(), "RestoreTree: " + s.ToString());
    for (auto& [k, rec] : r.held) model_.emplace(k, rec);  // later writes win
    removals_.erase(removals_.begin() + static_cast<std::ptrdiff_t>(index));
  }

  // A hard removal hides nothing the model still holds, but writes under
  // it in its own second get a later time, as under a logical one.
  void AddHardRemoval(uint64_t id, const std::string& tenant,
                      std::vector<std::pair<int, std::string>> ranges, uint64_t time) {
    ModelRemoval r;
    r.id = id;
    r.tenant = tenant;
    r.ranges = std::move(ranges);
    r.time = time;
    r.purge_time = time;
    r.expired = true;
    removals_.push_back(std::move(r));
  }

  // Every acknowledged write's time; a later removal is dated no earlier.
  void NoteWrite(uint64_t time) { max_write_time_ = std::max(max_write_time_, time); }

  void RemoveTenant(Args* a) {
    const std::string tenant = a->Tenant();
    Log("RemoveTenant '" + Printable(tenant) + "'");
    const Status s = store_->RemoveTenant(metakv::WriteOptions(), tenant);
    if (!ValidTenant(tenant)) {
      Check(s.IsInvalidArgument(), "RemoveTenant: expected InvalidArgument, got " + s.ToString());
      return;
    }
    Check(s.ok(), "RemoveTenant: " + s.ToString());
    const uint64_t time = std::max(Now(), max_write_time_);
    std::vector<std::pair<int, std::string>> ranges;
    for (int d = 0; d < kNumDomains; ++d) {
      EraseRange(d, tenant, "");
      ranges.emplace_back(d, "");
    }
    AddHardRemoval(next_id_++, tenant, ranges, time);
  }

  void PurgeDeadline() {
    Log("RunMaintenance purge deadline 0");
    const Status s = store_->RunMaintenance(metakv::MaintenanceOptions::PurgeDeadlineOnly(0));
    Check(s.ok(), "RunMaintenance (purge deadline): " + s.ToString());
  }

  const std::string path_;
  std::shared_ptr<metakv::ManualClock> clock_;
  metakv::Options options_;
  std::unique_ptr<metakv::Store> store_;
  Model model_;
  std::vector<ModelRemoval> removals_;  // logical ones, restorable or expired
  uint64_t next_id_ = 1;                // the id the next removal gets
  int moves_ = 0;                       // MoveTenant calls
  uint64_t max_write_time_ = 0;         // see NoteWrite; kept across a reopen
  // Time (see the file comment): the store's time read when the clock last
  // stepped back, the latest time a read was judged at, the latest clock.
  uint64_t floor_ = 0;
  uint64_t judged_ = 0;
  uint64_t max_clock_ = kStartSeconds;
  const metakv::Snapshot* snapshot_ = nullptr;
  Model snapshot_model_;
  uint64_t snapshot_time_ = 0;
  std::string log_;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  FuzzedDataProvider in(data, size);
  const uint8_t config = in.ConsumeIntegral<uint8_t>();
  metakv::fuzz::InputDir dir;
  // Bits 0 and 1 turn the purge and the partitioner off; bits 2 and 3 give
  // the hot domains 1 to 4 tenant shards.
  Harness harness(dir.path() + "/db", /*purge=*/(config & 1) == 0, /*partition=*/(config & 2) == 0,
                  /*shards=*/1 + ((config >> 2) & 3));
  Args args(&in);
  harness.Run(&args);
  return 0;
}
