#include "tools/stress/workload.h"

#include <algorithm>
#include <chrono>
#include <set>
#include <thread>

#include "codecs/key_codec.h"
#include "tools/stress/verifier.h"

namespace metakv::stress {

namespace {

struct Weight {
  OpType op;
  uint32_t weight;
};

// The operation mix, in parts per 100.
constexpr Weight kMix[] = {
    {OpType::kPut, 20},           {OpType::kGet, 8},          {OpType::kMultiGet, 4},
    {OpType::kDelete, 14},        {OpType::kUndelete, 10},    {OpType::kHardDelete, 5},
    {OpType::kBatch, 10},         {OpType::kFailingBatch, 2}, {OpType::kIngest, 5},
    {OpType::kScan, 6},           {OpType::kUnlockedScan, 3}, {OpType::kSnapshot, 5},
    {OpType::kLinkedSnapshot, 4}, {OpType::kMaintenance, 1},  {OpType::kRemoveTree, 2},
    {OpType::kRemoveTenant, 1},   {OpType::kLaneWrite, 8},
};

WriteOptions Synced() {
  WriteOptions wo;
  wo.sync = true;
  return wo;
}

}  // namespace

std::string_view OpName(OpType op) {
  switch (op) {
    case OpType::kPut:
      return "put";
    case OpType::kGet:
      return "get";
    case OpType::kMultiGet:
      return "multiget";
    case OpType::kDelete:
      return "delete";
    case OpType::kUndelete:
      return "undelete";
    case OpType::kHardDelete:
      return "hard_delete";
    case OpType::kBatch:
      return "batch";
    case OpType::kFailingBatch:
      return "failing_batch";
    case OpType::kIngest:
      return "ingest";
    case OpType::kRemoveTree:
      return "remove_tree";
    case OpType::kRemoveTenant:
      return "remove_tenant";
    case OpType::kScan:
      return "scan";
    case OpType::kUnlockedScan:
      return "unlocked_scan";
    case OpType::kSnapshot:
      return "snapshot";
    case OpType::kLinkedSnapshot:
      return "linked_snapshot";
    case OpType::kMaintenance:
      return "maintenance";
    case OpType::kLaneWrite:
      return "lane_put";
    case OpType::kHeldSnapshot:
      return "held_snapshot";
    case OpType::kCount:
      break;
  }
  return "?";
}

uint64_t OpCounters::Total() const {
  uint64_t n = 0;
  for (const auto& c : done) n += c.load();
  return n;
}

std::string OpCounters::ToString() const {
  std::string s;
  for (size_t i = 0; i < done.size(); ++i) {
    if (!s.empty()) s += " ";
    s += std::string(OpName(static_cast<OpType>(i))) + "=" + std::to_string(done[i].load());
  }
  s += " (undelete restored=" + std::to_string(undelete_restored.load()) +
       " expired_or_purged=" + std::to_string(undelete_expired.load()) +
       "; delete of a non-live key=" + std::to_string(delete_not_live.load()) +
       "; tree removals hard=" + std::to_string(remove_hard.load()) +
       " logical=" + std::to_string(remove_logical.load()) +
       " restored=" + std::to_string(remove_restored.load()) + ")";
  return s;
}

Worker::Worker(StressContext* ctx, OpCounters* counters, std::atomic<uint64_t>* ops_started,
               const WorkloadOptions& options, uint32_t index, uint64_t seed)
    : ctx_(ctx),
      counters_(counters),
      ops_started_(ops_started),
      options_(options),
      index_(index),
      rng_(seed) {}

void Worker::Run() {
  while (!ctx_->ShouldStop()) {
    if (options_.max_ops != 0 && ops_started_->fetch_add(1) >= options_.max_ops) break;
    RunOne(PickOp());
  }
}

OpType Worker::PickOp() {
  uint32_t total = 0;
  for (const Weight& w : kMix) total += w.weight;
  uint64_t r = Rand(total);
  for (const Weight& w : kMix) {
    if (r < w.weight) return w.op;
    r -= w.weight;
  }
  return OpType::kPut;
}

void Worker::RunOne(OpType op) {
  switch (op) {
    case OpType::kPut:
      DoPut();
      break;
    case OpType::kGet:
      DoGet();
      break;
    case OpType::kMultiGet:
      DoMultiGet();
      break;
    case OpType::kDelete:
      DoDelete();
      break;
    case OpType::kUndelete:
      DoUndelete();
      break;
    case OpType::kHardDelete:
      DoHardDelete();
      break;
    case OpType::kBatch:
      DoBatch(false);
      break;
    case OpType::kFailingBatch:
      DoBatch(true);
      break;
    case OpType::kIngest:
      DoIngest();
      break;
    case OpType::kRemoveTree:
      DoRemoveTree();
      break;
    case OpType::kRemoveTenant:
      DoRemoveTenant();
      break;
    case OpType::kScan:
      DoScan();
      break;
    case OpType::kUnlockedScan:
      DoUnlockedScan();
      break;
    case OpType::kSnapshot:
      DoSnapshot();
      break;
    case OpType::kLinkedSnapshot:
      DoLinkedSnapshot();
      break;
    case OpType::kMaintenance:
      DoMaintenance();
      break;
    case OpType::kLaneWrite:
      DoLaneWrite();
      break;
    case OpType::kHeldSnapshot:
      DoHeldSnapshot();
      break;
    case OpType::kCount:
      break;
  }
}

uint64_t Worker::RandomSlot() {
  const KeySpace& space = ctx_->space;
  const uint32_t keys = space.keys_per_tenant();
  const uint32_t k =
      static_cast<uint32_t>(Chance(70) ? Rand(std::min(keys, kHotKeys)) : Rand(keys));
  return space.Slot(static_cast<uint32_t>(Rand(KeySpace::kDomains)),
                    static_cast<uint32_t>(Rand(space.tenants())), k);
}

uint64_t Worker::RecentOr(std::vector<uint64_t>* recent) {
  if (!recent->empty() && Chance(60)) return (*recent)[Rand(recent->size())];
  return RandomUnlinkedSlot();
}

void Worker::Remember(std::vector<uint64_t>* recent, uint64_t slot) {
  constexpr size_t kRecent = 32;
  if (recent->size() < kRecent) {
    recent->push_back(slot);
  } else {
    (*recent)[Rand(kRecent)] = slot;
  }
}

uint64_t Worker::RandomUnlinkedSlot() {
  while (true) {
    const uint64_t slot = RandomSlot();
    if (!ctx_->space.IsLinkedSlot(slot)) return slot;
  }
}

uint64_t Worker::PickTtl(uint32_t domain) {
  if (KeySpace::IsCold(domain)) return Chance(50) ? 0 : 20 + Rand(380);
  return Chance(15) ? 10 + Rand(190) : 0;
}

uint64_t Worker::ExpiryFor(uint32_t domain, uint64_t now, uint64_t ttl) const {
  if (ttl == 0 && KeySpace::IsCold(domain)) ttl = kHistoryDefaultTtlSeconds;
  return ttl == 0 ? 0 : now + ttl;
}

KeyState Worker::AfterPut(const KeyState& cur, uint32_t domain, uint64_t now, uint64_t ttl) const {
  KeyState next;
  next.kind = KeyKind::kLive;
  next.value_id = cur.value_id + 1;
  next.expiry = ExpiryFor(domain, now, ttl);
  return next;
}

// A hard delete leaves a key absent; under a tree removal it stays removed:
// the removal's purge drops the rest of its range without asking about each
// record (kRemoveAndSkipUntil), the new deletion marker included, so older
// versions the removal hides may show again beneath the API until it is
// purged (see compaction/tombstone_filter.h).
KeyState Worker::AfterHardDelete(const KeyState& cur) {
  if (cur.kind == KeyKind::kRemoved) return cur;
  KeyState next;
  next.value_id = cur.value_id;
  return next;
}

void Worker::Done(OpType op) {
  counters_->done[static_cast<size_t>(op)].fetch_add(1, std::memory_order_relaxed);
  ctx_->expected->AddOps(1);
}

void Worker::Unexpected(std::string_view op, uint64_t slot, const Status& got,
                        std::string_view wanted) {
  ctx_->reporter.Violation(
      "UNEXPECTED STATUS " + std::string(op) + " " + ctx_->space.Describe(slot) + ": got " +
      got.ToString() + ", expected " + std::string(wanted) + " (expected state " +
      ctx_->expected->Committed(slot).ToString() + " at time " + std::to_string(ctx_->now()) + ")");
}

// ------------------------------------------------------------ Single key ----

void Worker::DoPut() {
  const KeySpace& space = ctx_->space;
  const uint64_t slot = RandomUnlinkedSlot();
  const uint32_t d = space.DomainOf(slot);
  const uint64_t ttl = PickTtl(d);
  KeysHold hold(&ctx_->store_gate, ctx_->locks, {slot}, &ctx_->time_gate);
  if (ctx_->ShouldStop()) return;
  const uint64_t now = ctx_->now();
  const KeyState next = AfterPut(ctx_->expected->Committed(slot), d, now, ttl);
  ctx_->expected->Prepare(slot, next);
  Status s = ctx_->store->Put(
      Synced(), KeySpace::DomainName(d), space.TenantName(space.TenantOf(slot)),
      KeySpace::KeyName(space.KeyOf(slot)), space.MakeValue(slot, next.value_id), ttl);
  if (!s.ok()) return Unexpected("Put", slot, s, "OK");
  ctx_->expected->Commit(slot);
  Remember(&recent_puts_, slot);
  Done(OpType::kPut);
}

void Worker::DoLaneWrite() {
  SharedHold store(&ctx_->store_gate);
  if (ctx_->ShouldStop()) return;
  ExpectedState* ex = ctx_->expected.get();
  // A burst of 1 to 16 puts, the last synced one time in five: a power cut
  // in the burst loses the unsynced puts acknowledged before it.
  const uint64_t burst = 1 + Rand(16);
  const bool sync_last = Chance(20);
  for (uint64_t i = 0; i < burst; ++i) {
    const uint64_t n = ex->GetLane(index_).attempted + 1;
    WriteOptions wo;
    wo.sync = sync_last && i + 1 == burst;
    ex->SetLaneAttempted(index_, n);
    const Status s = ctx_->store->Put(wo, kLaneDomain, LaneTenant(index_),
                                      LaneKey(static_cast<uint32_t>(n % kLaneKeys)), LaneValue(n));
    if (!s.ok()) {
      ctx_->reporter.Violation("UNEXPECTED STATUS lane put " + std::to_string(n) + " of lane " +
                               std::to_string(index_) + ": " + s.ToString());
      return;
    }
    ex->SetLaneAcked(index_, n, wo.sync);
  }
  Done(OpType::kLaneWrite);
}

void Worker::DoGet() {
  const uint64_t slot = RandomSlot();
  KeysHold hold(&ctx_->store_gate, ctx_->locks, {slot}, &ctx_->time_gate);
  if (ctx_->ShouldStop()) return;
  CheckSlots(ctx_, {slot}, ctx_->now());
  Done(OpType::kGet);
}

void Worker::DoMultiGet() {
  const KeySpace& space = ctx_->space;
  std::set<uint64_t> chosen;
  const size_t n = 2 + Rand(7);
  while (chosen.size() < n) chosen.insert(RandomSlot());
  const std::vector<uint64_t> slots(chosen.begin(), chosen.end());
  KeysHold hold(&ctx_->store_gate, ctx_->locks, slots, &ctx_->time_gate);
  if (ctx_->ShouldStop()) return;
  const uint64_t now = ctx_->now();
  std::vector<std::string> tenants, keys;
  std::vector<KeyRef> refs;
  for (uint64_t slot : slots) {
    tenants.push_back(space.TenantName(space.TenantOf(slot)));
    keys.push_back(KeySpace::KeyName(space.KeyOf(slot)));
  }
  for (size_t i = 0; i < slots.size(); ++i) {
    refs.push_back(KeyRef{KeySpace::DomainName(space.DomainOf(slots[i])), tenants[i], keys[i]});
  }
  std::vector<std::string> values;
  std::vector<Status> statuses;
  Status s = ctx_->store->MultiGet(ReadOptions(), refs, &values, &statuses);
  if (!s.ok()) return Unexpected("MultiGet", slots[0], s, "OK");
  for (size_t i = 0; i < slots.size(); ++i) {
    const std::string problem =
        CheckKey(space, slots[i], ctx_->expected->Committed(slots[i]), now,
                 ctx_->retention(space.DomainOf(slots[i])), ReadRaw(*ctx_, slots[i]),
                 ToGetResult(statuses[i], values[i]));
    if (!problem.empty()) ctx_->reporter.Violation("(MultiGet) " + problem);
  }
  Done(OpType::kMultiGet);
}

void Worker::DoDelete() {
  const KeySpace& space = ctx_->space;
  const uint64_t slot = RecentOr(&recent_puts_);
  KeysHold hold(&ctx_->store_gate, ctx_->locks, {slot}, &ctx_->time_gate);
  if (ctx_->ShouldStop()) return;
  const uint64_t now = ctx_->now();
  const KeyState cur = ctx_->expected->Committed(slot);
  const std::string_view domain = KeySpace::DomainName(space.DomainOf(slot));
  const std::string& tenant = space.TenantName(space.TenantOf(slot));
  const std::string key = KeySpace::KeyName(space.KeyOf(slot));
  if (!cur.VisibleAt(now)) {
    Status s = ctx_->store->Delete(Synced(), domain, tenant, key);
    if (!s.IsNotFound()) return Unexpected("Delete", slot, s, "NotFound (no live record)");
    counters_->delete_not_live.fetch_add(1, std::memory_order_relaxed);
    Done(OpType::kDelete);
    return;
  }
  KeyState next = cur;
  next.kind = KeyKind::kTombstone;
  next.delete_time = now;
  ctx_->expected->Prepare(slot, next);
  Status s = ctx_->store->Delete(Synced(), domain, tenant, key);
  if (!s.ok()) {
    return Unexpected("Delete", slot, s,
                      s.IsNotFound() ? "OK (LOST WRITE: the live record is gone)" : "OK");
  }
  ctx_->expected->Commit(slot);
  Remember(&recent_deletes_, slot);
  Done(OpType::kDelete);
}

void Worker::DoUndelete() {
  const KeySpace& space = ctx_->space;
  const uint64_t slot = RecentOr(&recent_deletes_);
  KeysHold hold(&ctx_->store_gate, ctx_->locks, {slot}, &ctx_->time_gate);
  if (ctx_->ShouldStop()) return;
  const uint64_t now = ctx_->now();
  const KeyState cur = ctx_->expected->Committed(slot);
  const uint32_t d = space.DomainOf(slot);
  const std::string_view domain = KeySpace::DomainName(d);
  const std::string& tenant = space.TenantName(space.TenantOf(slot));
  const std::string key = KeySpace::KeyName(space.KeyOf(slot));
  const bool expired = cur.expiry != 0 && cur.expiry <= now;
  if (cur.kind == KeyKind::kTombstone && !expired && now < cur.delete_time + ctx_->retention(d)) {
    KeyState next = cur;
    next.kind = KeyKind::kLive;
    next.delete_time = 0;
    ctx_->expected->Prepare(slot, next);
    Status s = ctx_->store->Undelete(Synced(), domain, tenant, key);
    if (!s.ok()) {
      ctx_->expected->Abort(slot);
      return Unexpected("Undelete", slot, s,
                        s.IsNotFound() ? "OK (PURGED BEFORE RETENTION: the tombstone is gone)"
                                       : "OK (within retention)");
    }
    ctx_->expected->Commit(slot);
    counters_->undelete_restored.fetch_add(1, std::memory_order_relaxed);
    Done(OpType::kUndelete);
    return;
  }
  Status s = ctx_->store->Undelete(Synced(), domain, tenant, key);
  bool as_expected = false;
  std::string_view wanted;
  switch (cur.kind) {
    case KeyKind::kAbsent:
      as_expected = s.IsNotFound();
      wanted = "NotFound (absent)";
      break;
    case KeyKind::kLive:
      as_expected = expired ? s.IsNotFound() : s.IsFailedPrecondition();
      wanted = expired ? "NotFound (live but expired)" : "FailedPrecondition (live)";
      break;
    case KeyKind::kRemoved:
      as_expected = s.IsNotFound();
      wanted = "NotFound (under a tree removal)";
      break;
    case KeyKind::kTombstone:
      as_expected = s.IsExpired() || s.IsNotFound();
      wanted = "Expired or NotFound (retention or TTL passed)";
      if (as_expected) counters_->undelete_expired.fetch_add(1, std::memory_order_relaxed);
      break;
  }
  if (!as_expected) return Unexpected("Undelete", slot, s, wanted);
  Done(OpType::kUndelete);
}

void Worker::DoHardDelete() {
  const KeySpace& space = ctx_->space;
  const uint64_t slot = RandomUnlinkedSlot();
  KeysHold hold(&ctx_->store_gate, ctx_->locks, {slot}, &ctx_->time_gate);
  if (ctx_->ShouldStop()) return;
  const KeyState next = AfterHardDelete(ctx_->expected->Committed(slot));
  ctx_->expected->Prepare(slot, next);
  Status s = ctx_->store->HardDelete(Synced(), KeySpace::DomainName(space.DomainOf(slot)),
                                     space.TenantName(space.TenantOf(slot)),
                                     KeySpace::KeyName(space.KeyOf(slot)));
  if (!s.ok()) return Unexpected("HardDelete", slot, s, "OK");
  ctx_->expected->Commit(slot);
  Done(OpType::kHardDelete);
}

// ------------------------------------------------------- Groups of keys ----

void Worker::DoBatch(bool must_fail) {
  const KeySpace& space = ctx_->space;
  std::vector<uint64_t> slots;
  bool linked = Chance(60);
  if (linked) {
    const uint32_t t = static_cast<uint32_t>(Rand(space.tenants()));
    const uint32_t keys =
        Chance(70) ? std::min(space.keys_per_tenant(), kHotKeys) : space.keys_per_tenant();
    const uint32_t k =
        static_cast<uint32_t>(Rand((keys + kLinkStride - 1) / kLinkStride) * kLinkStride);
    slots.push_back(space.Slot(KeySpace::kInode, t, k));
    slots.push_back(space.Slot(KeySpace::kDentry, t, k));
  }
  const size_t extra = 1 + Rand(5);
  while (slots.size() < (linked ? 2 : 0) + extra) {
    const uint64_t s = RandomUnlinkedSlot();
    if (std::find(slots.begin(), slots.end(), s) == slots.end()) slots.push_back(s);
  }
  KeysHold hold(&ctx_->store_gate, ctx_->locks, slots, &ctx_->time_gate);
  if (ctx_->ShouldStop()) return;
  const uint64_t now = ctx_->now();
  ExpectedState* ex = ctx_->expected.get();

  enum class Op { kPut, kDelete, kHardDelete };
  std::vector<Op> ops(slots.size());
  std::vector<uint64_t> ttls(slots.size(), 0);
  std::vector<KeyState> next(slots.size());
  size_t first_unlinked = 0;
  if (linked) {
    const KeyState cur = ex->Committed(slots[0]);
    if (cur != ex->Committed(slots[1])) {
      ctx_->reporter.Violation("LINK BROKEN: " + space.Describe(slots[0]) + " expected " +
                               cur.ToString() + " but " + space.Describe(slots[1]) + " expected " +
                               ex->Committed(slots[1]).ToString());
      return;
    }
    const uint64_t r = Rand(100);
    Op op = Op::kPut;
    if (cur.VisibleAt(now)) {
      op = r < 50 ? Op::kPut : r < 85 ? Op::kDelete : Op::kHardDelete;
    } else {
      op = r < 80 ? Op::kPut : Op::kHardDelete;
    }
    ops[0] = ops[1] = op;
    first_unlinked = 2;
  }
  size_t failing = slots.size();  // index of the Delete bound to fail
  for (size_t i = first_unlinked; i < slots.size(); ++i) {
    const KeyState cur = ex->Committed(slots[i]);
    const uint64_t r = Rand(100);
    if (must_fail && failing == slots.size() && !cur.VisibleAt(now)) {
      ops[i] = Op::kDelete;
      failing = i;
    } else if (r < 30 && cur.VisibleAt(now)) {
      ops[i] = Op::kDelete;
    } else if (r < 85) {
      ops[i] = Op::kPut;
      ttls[i] = PickTtl(space.DomainOf(slots[i]));
    } else {
      ops[i] = Op::kHardDelete;
    }
  }
  if (must_fail && failing == slots.size()) must_fail = false;  // every key was live

  for (size_t i = 0; i < slots.size(); ++i) {
    const KeyState cur = ex->Committed(slots[i]);
    switch (ops[i]) {
      case Op::kPut:
        next[i] = AfterPut(cur, space.DomainOf(slots[i]), now, ttls[i]);
        break;
      case Op::kDelete:
        next[i] = cur;
        next[i].kind = KeyKind::kTombstone;
        next[i].delete_time = now;
        break;
      case Op::kHardDelete:
        next[i] = AfterHardDelete(cur);
        break;
    }
  }
  // The batch in a random order (the keys are distinct, so order does not
  // change the outcome).
  std::vector<size_t> order(slots.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::shuffle(order.begin(), order.end(), rng_);
  WriteBatch batch;
  for (size_t i : order) {
    const uint64_t slot = slots[i];
    const std::string_view domain = KeySpace::DomainName(space.DomainOf(slot));
    const std::string& tenant = space.TenantName(space.TenantOf(slot));
    const std::string key = KeySpace::KeyName(space.KeyOf(slot));
    switch (ops[i]) {
      case Op::kPut:
        batch.Put(domain, tenant, key, space.MakeValue(slot, next[i].value_id), ttls[i]);
        break;
      case Op::kDelete:
        batch.Delete(domain, tenant, key);
        break;
      case Op::kHardDelete:
        batch.HardDelete(domain, tenant, key);
        break;
    }
  }
  if (must_fail) {
    Status s = ctx_->store->Write(Synced(), batch);
    if (!s.IsNotFound()) {
      return Unexpected("Write (batch with a Delete of a non-live key)", slots[failing], s,
                        "NotFound, nothing applied");
    }
    // All or nothing: every key of the failed batch is unchanged.
    CheckSlots(ctx_, slots, now);
    Done(OpType::kFailingBatch);
    return;
  }
  ex->PrepareGroup(index_, slots, next);
  Status s = ctx_->store->Write(Synced(), batch);
  if (!s.ok()) return Unexpected("Write (batch)", slots[0], s, "OK");
  ex->CommitGroup(index_);
  Done(OpType::kBatch);
}

void Worker::DoIngest() {
  const KeySpace& space = ctx_->space;
  const uint32_t t = static_cast<uint32_t>(Rand(space.tenants()));
  const size_t n = std::min<size_t>(1 + Rand(16), space.keys_per_tenant());
  std::set<uint64_t> chosen;
  while (chosen.size() < n) {
    const uint32_t keys = space.keys_per_tenant();
    const uint32_t k =
        static_cast<uint32_t>(Chance(70) ? Rand(std::min(keys, kHotKeys)) : Rand(keys));
    chosen.insert(space.Slot(KeySpace::kHistory, t, k));
  }
  const std::vector<uint64_t> slots(chosen.begin(), chosen.end());
  std::vector<uint64_t> ttls;
  for (size_t i = 0; i < slots.size(); ++i) ttls.push_back(PickTtl(KeySpace::kHistory));
  KeysHold hold(&ctx_->store_gate, ctx_->locks, slots, &ctx_->time_gate);
  if (ctx_->ShouldStop()) return;
  const uint64_t now = ctx_->now();
  std::vector<KeyState> next;
  std::vector<ColdRecord> records;
  for (size_t i = 0; i < slots.size(); ++i) {
    next.push_back(AfterPut(ctx_->expected->Committed(slots[i]), KeySpace::kHistory, now, ttls[i]));
    records.push_back(ColdRecord{KeySpace::KeyName(space.KeyOf(slots[i])),
                                 space.MakeValue(slots[i], next.back().value_id), ttls[i]});
  }
  std::shuffle(records.begin(), records.end(), rng_);  // IngestCold sorts them
  ctx_->expected->PrepareGroup(index_, slots, next);
  Status s = ctx_->store->IngestCold(KeySpace::DomainName(KeySpace::kHistory), space.TenantName(t),
                                     records);
  if (!s.ok()) return Unexpected("IngestCold", slots[0], s, "OK");
  ctx_->expected->CommitGroup(index_);
  Done(OpType::kIngest);
}

// A tree is the keys of a tenant that share their first four digits (ten
// keys, "k0001" for k00010 to k00019), in inode and dentry together (a tree
// always holds a linked key, so both domains go) or in history alone.
// Hard, logical, or logical and then restored at once. The group's slots
// are staged as removed (and back) like a batch; before the removal one key
// of the tree is made live if none is, so that after a crash Get tells
// which side the store is on. A write under the tree in the removal's
// second would be stamped a second later than the stress clock says (see
// Store::RemoveTree), so the tree's keys stay locked until the clock has
// moved past it (a restarted run starts a second later).
void Worker::DoRemoveTree() {
  const KeySpace& space = ctx_->space;
  const uint32_t keys = space.keys_per_tenant();
  const uint32_t t = static_cast<uint32_t>(Rand(space.tenants()));
  const uint32_t trees = (Chance(70) ? std::min(keys, kHotKeys) : keys) / 10;
  const uint32_t lo = static_cast<uint32_t>(Rand(std::max(trees, 1u))) * 10;
  const uint32_t hi = std::min(keys, lo + 10);
  const bool history = Chance(25);
  const std::string prefix = KeySpace::KeyName(lo).substr(0, 5);
  const RemoveMode mode = history || Chance(50) ? RemoveMode::kHard : RemoveMode::kLogical;
  const bool restore = mode == RemoveMode::kLogical && Chance(50);
  std::vector<uint32_t> domains;
  if (history) {
    domains = {KeySpace::kHistory};
  } else {
    domains = {KeySpace::kInode, KeySpace::kDentry};
  }
  std::vector<uint64_t> slots;
  std::vector<PrefixRef> prefixes;
  for (uint32_t d : domains) {
    prefixes.push_back(PrefixRef{KeySpace::DomainName(d), prefix});
    for (uint32_t k = lo; k < hi; ++k) slots.push_back(space.Slot(d, t, k));
  }
  // lo + 1 is odd, so never a linked key.
  const uint64_t marker = space.Slot(domains[0], t, lo + 1);
  SharedHold store(&ctx_->store_gate);
  auto locks = ctx_->locks.Lock(slots);
  uint64_t now = 0;
  {
    SharedHold time(&ctx_->time_gate);
    if (ctx_->ShouldStop()) return;
    now = ctx_->now();
    ExpectedState* ex = ctx_->expected.get();
    const std::string& tenant = space.TenantName(t);
    if (!MakeOneVisible(slots, marker, tenant, now, "a tree removal")) return;
    std::vector<KeyState> before;
    for (uint64_t slot : slots) before.push_back(ex->Committed(slot));
    const std::vector<KeyState> removed = RemovedStates(slots, now);
    auto check_tree = [&](const char* when) {
      bool ok = CheckSlots(ctx_, slots, now);
      for (uint32_t d : domains) {
        ScanRange range;
        range.domain = d;
        range.tenant = static_cast<int>(t);
        range.prefix = prefix;
        range.lo = lo;
        range.hi = hi;
        range.reverse = Chance(50);
        ok = CheckScanRange(ctx_, range, now) && ok;
      }
      if (!ok) {
        ctx_->reporter.Violation(std::string("(the violations above are ") + when + " " +
                                 codecs::Printable(tenant) + "/" + prefix + ")");
      }
    };
    ex->PrepareGroup(index_, slots, removed);
    uint64_t id = 0;
    Status s = ctx_->store->RemoveTree(Synced(), tenant, prefixes, mode, &id);
    if (!s.ok()) return Unexpected("RemoveTree", slots[0], s, "OK");
    ex->CommitGroup(index_);
    check_tree("after removing the tree");
    if (mode == RemoveMode::kHard) {
      counters_->remove_hard.fetch_add(1, std::memory_order_relaxed);
    } else {
      counters_->remove_logical.fetch_add(1, std::memory_order_relaxed);
    }
    if (restore) {
      ex->PrepareGroup(index_, slots, before);
      s = ctx_->store->RestoreTree(Synced(), id);
      if (!s.ok()) return Unexpected("RestoreTree", slots[0], s, "OK (within retention)");
      ex->CommitGroup(index_);
      check_tree("after restoring the tree");
      counters_->remove_restored.fetch_add(1, std::memory_order_relaxed);
    }
  }
  while (ctx_->now() <= now && !ctx_->ShouldStop()) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  Done(OpType::kRemoveTree);
}

bool Worker::MakeOneVisible(const std::vector<uint64_t>& slots, uint64_t marker,
                            const std::string& tenant, uint64_t now, std::string_view before_what) {
  const KeySpace& space = ctx_->space;
  ExpectedState* ex = ctx_->expected.get();
  for (uint64_t slot : slots) {
    if (ex->Committed(slot).VisibleAt(now)) return true;
  }
  const uint32_t d = space.DomainOf(marker);
  const KeyState next = AfterPut(ex->Committed(marker), d, now, 0);
  ex->Prepare(marker, next);
  Status s = ctx_->store->Put(Synced(), KeySpace::DomainName(d), tenant,
                              KeySpace::KeyName(space.KeyOf(marker)),
                              space.MakeValue(marker, next.value_id));
  if (!s.ok()) {
    Unexpected("Put (before " + std::string(before_what) + ")", marker, s, "OK");
    return false;
  }
  ex->Commit(marker);
  return true;
}

std::vector<KeyState> Worker::RemovedStates(const std::vector<uint64_t>& slots,
                                            uint64_t now) const {
  std::vector<KeyState> removed;
  for (uint64_t slot : slots) {
    KeyState r;
    r.kind = KeyKind::kRemoved;
    r.value_id = ctx_->expected->Committed(slot).value_id;
    r.delete_time = now;
    removed.push_back(r);
  }
  return removed;
}

// A tenant removal: every key of a tenant in every domain, more than a
// journal's slot entries, so the group is journaled as the tenant's three
// slot ranges (ExpectedState::PrepareRangeGroup). As for a tree, one key is
// made live first if none is visible, so that after a crash Get tells which
// side the store is on, and the tenant's keys stay locked until the clock
// has moved past the removal's second.
void Worker::DoRemoveTenant() {
  const KeySpace& space = ctx_->space;
  const uint32_t t = static_cast<uint32_t>(Rand(space.tenants()));
  const uint32_t keys = space.keys_per_tenant();
  std::vector<ExpectedState::SlotRange> ranges;
  std::vector<uint64_t> slots;
  for (uint32_t d = 0; d < KeySpace::kDomains; ++d) {
    ranges.push_back(ExpectedState::SlotRange{space.Slot(d, t, 0), keys});
    for (uint32_t k = 0; k < keys; ++k) slots.push_back(space.Slot(d, t, k));
  }
  // Key 1 is odd, so never a linked key.
  const uint64_t marker = space.Slot(KeySpace::kInode, t, 1);
  const std::string& tenant = space.TenantName(t);
  SharedHold store(&ctx_->store_gate);
  auto locks = ctx_->locks.Lock(slots);
  uint64_t now = 0;
  {
    SharedHold time(&ctx_->time_gate);
    if (ctx_->ShouldStop()) return;
    now = ctx_->now();
    ExpectedState* ex = ctx_->expected.get();
    if (!MakeOneVisible(slots, marker, tenant, now, "a tenant removal")) return;
    ex->PrepareRangeGroup(index_, ranges, RemovedStates(slots, now));
    Status s = ctx_->store->RemoveTenant(Synced(), tenant);
    if (!s.ok()) return Unexpected("RemoveTenant", marker, s, "OK");
    ex->CommitGroup(index_);
    // Gone from every domain: each key and a scan of the tenant, both ways.
    bool ok = CheckSlots(ctx_, slots, now);
    for (uint32_t d = 0; d < KeySpace::kDomains; ++d) {
      ScanRange range;
      range.domain = d;
      range.tenant = static_cast<int>(t);
      range.reverse = Chance(50);
      ok = CheckScanRange(ctx_, range, now) && ok;
    }
    if (!ok) {
      ctx_->reporter.Violation("(the violations above are after removing tenant " +
                               codecs::Printable(tenant) + ")");
    }
  }
  while (ctx_->now() <= now && !ctx_->ShouldStop()) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  Done(OpType::kRemoveTenant);
}

// ---------------------------------------------------------------- Scans ----

void Worker::DoScan() {
  const KeySpace& space = ctx_->space;
  ScanRange range;
  range.domain = static_cast<uint32_t>(Rand(KeySpace::kDomains));
  range.tenant = static_cast<int>(Rand(space.tenants()));
  range.reverse = Chance(50);
  const uint32_t keys = space.keys_per_tenant();
  const uint64_t mode = Rand(10);
  if (mode < 5) {
    range.lo = static_cast<uint32_t>(Rand(keys));
    range.hi = range.lo + 1 + static_cast<uint32_t>(Rand(64));
    if (range.hi >= keys) range.hi = 0;
  } else if (mode < 9) {
    const uint32_t digits = Chance(50) ? 3 : 4;  // of the 5 after 'k'
    uint32_t width = 1;
    for (uint32_t i = digits; i < 5; ++i) width *= 10;
    const uint32_t k = static_cast<uint32_t>(Rand(keys));
    range.prefix = KeySpace::KeyName(k).substr(0, 1 + digits);
    range.lo = k / width * width;
    range.hi = std::min(keys, range.lo + width);
  }  // else: the whole tenant
  const std::vector<uint64_t> slots = SlotsOf(space, range);
  KeysHold hold(&ctx_->store_gate, ctx_->locks, slots, &ctx_->time_gate);
  if (ctx_->ShouldStop()) return;
  CheckScanRange(ctx_, range, ctx_->now());
  Done(OpType::kScan);
}

void Worker::DoUnlockedScan() {
  // Keys change under this scan, so only what must hold whatever the
  // timing is checked: tenant isolation, values in their own keys, order.
  const KeySpace& space = ctx_->space;
  const uint32_t d = static_cast<uint32_t>(Rand(KeySpace::kDomains));
  const int tenant = Chance(30) ? -1 : static_cast<int>(Rand(space.tenants()));
  ScanSpec spec;
  if (tenant >= 0) spec.tenant = space.TenantName(static_cast<uint32_t>(tenant));
  // The recycle bin one scan in four: it keeps to its tenant as well.
  spec.deleted = Chance(25);
  const std::string desc =
      std::string(spec.deleted ? "recycle bin " : "") + std::string(KeySpace::DomainName(d)) +
      "/" +
      (tenant < 0 ? std::string("*")
                  : codecs::Printable(space.TenantName(static_cast<uint32_t>(tenant))));
  SharedHold store(&ctx_->store_gate);
  if (ctx_->ShouldStop()) return;
  std::unique_ptr<Iterator> it;
  Status s = ctx_->store->NewIterator(ReadOptions(), KeySpace::DomainName(d), spec, &it);
  if (!s.ok()) return Unexpected("NewIterator", space.Slot(d, 0, 0), s, "OK");
  if (tenant >= 0 && Chance(50)) {
    it->Seek(spec.tenant, KeySpace::KeyName(static_cast<uint32_t>(Rand(space.keys_per_tenant()))));
  } else {
    it->SeekToFirst();
  }
  std::string prev;
  for (int n = 0; it->Valid() && n < 400; ++n, it->Next()) {
    uint32_t t = 0, k = 0, id = 0;
    std::string owner;
    const std::string where = codecs::Printable(it->tenant()) + "/" + codecs::Printable(it->key());
    if (!space.FindTenant(it->tenant(), &t) || !space.ParseKeyName(it->key(), &k)) {
      ctx_->reporter.Violation("TENANT LEAK unlocked scan " + desc + " returns " + where +
                               ", a key outside the key space");
      return;
    }
    if (tenant >= 0 && t != static_cast<uint32_t>(tenant)) {
      ctx_->reporter.Violation("TENANT LEAK unlocked scan " + desc + " returns " + where +
                               " of another tenant");
      return;
    }
    const uint64_t slot = space.Slot(d, t, k);
    if (!space.ParseValue(slot, it->value(), &id, &owner)) {
      ctx_->reporter.Violation("MISPLACED VALUE unlocked scan " + desc + ": " + where + " holds " +
                               owner);
      return;
    }
    std::string encoded = codecs::EncodeKey(it->tenant(), it->key());
    if (!prev.empty() && encoded <= prev) {
      ctx_->reporter.Violation("ORDER unlocked scan " + desc + ": " + where +
                               " after a key not smaller");
      return;
    }
    prev = std::move(encoded);
  }
  if (!it->status().ok()) return Unexpected("iterator", space.Slot(d, 0, 0), it->status(), "OK");
  Done(OpType::kUnlockedScan);
}

// ------------------------------------------------------------ Snapshots ----

void Worker::DoSnapshot() {
  const KeySpace& space = ctx_->space;
  ScanRange range;
  range.domain = static_cast<uint32_t>(Rand(KeySpace::kDomains));
  range.tenant = static_cast<int>(Rand(space.tenants()));
  range.lo = static_cast<uint32_t>(Rand(space.keys_per_tenant()));
  range.hi = std::min(space.keys_per_tenant(), range.lo + 4 + static_cast<uint32_t>(Rand(13)));
  range.reverse = Chance(50);
  const std::vector<uint64_t> slots = SlotsOf(space, range);
  SharedHold store(&ctx_->store_gate);
  auto locks = ctx_->locks.Lock(slots);
  if (ctx_->ShouldStop()) return;
  const Snapshot* snap = nullptr;
  std::vector<KeyState> states;
  uint64_t ts = 0;
  {
    SharedHold time(&ctx_->time_gate);
    snap = ctx_->store->GetSnapshot();
    ts = ctx_->now();
    for (uint64_t slot : slots) states.push_back(ctx_->expected->Committed(slot));
  }
  if (snap == nullptr) return ctx_->reporter.Error("GetSnapshot returned null");
  if (snap->time_seconds() != ts) {
    ctx_->reporter.Violation("SNAPSHOT TIME: snapshot says " +
                             std::to_string(snap->time_seconds()) + ", the clock said " +
                             std::to_string(ts));
  }
  // Change some of the keys (and let the clock move) before reading through
  // the snapshot.
  const uint64_t changes = Rand(4);
  for (uint64_t c = 0; c < changes && !ctx_->ShouldStop(); ++c) {
    const uint64_t slot = slots[Rand(slots.size())];
    if (space.IsLinkedSlot(slot)) continue;
    SharedHold time(&ctx_->time_gate);
    const uint64_t now = ctx_->now();
    const KeyState cur = ctx_->expected->Committed(slot);
    const uint32_t d = space.DomainOf(slot);
    const std::string_view domain = KeySpace::DomainName(d);
    const std::string& tenant = space.TenantName(space.TenantOf(slot));
    const std::string key = KeySpace::KeyName(space.KeyOf(slot));
    KeyState next;
    Status s;
    if (cur.VisibleAt(now) && Chance(50)) {
      next = cur;
      next.kind = KeyKind::kTombstone;
      next.delete_time = now;
      ctx_->expected->Prepare(slot, next);
      s = ctx_->store->Delete(Synced(), domain, tenant, key);
    } else {
      const uint64_t ttl = PickTtl(d);
      next = AfterPut(cur, d, now, ttl);
      ctx_->expected->Prepare(slot, next);
      s = ctx_->store->Put(Synced(), domain, tenant, key, space.MakeValue(slot, next.value_id),
                           ttl);
    }
    if (!s.ok()) {
      ctx_->store->ReleaseSnapshot(snap);
      return Unexpected("write under a snapshot", slot, s, "OK");
    }
    ctx_->expected->Commit(slot);
  }
  CheckThroughSnapshot(snap, ts, range, slots, states);
  ctx_->store->ReleaseSnapshot(snap);
  Done(OpType::kSnapshot);
}

void Worker::CheckThroughSnapshot(const Snapshot* snap, uint64_t ts, const ScanRange& range,
                                  const std::vector<uint64_t>& slots,
                                  const std::vector<KeyState>& states) {
  // Point reads, a MultiGet and a scan, all through the snapshot, judged
  // at the snapshot's time against the states it was taken with.
  const KeySpace& space = ctx_->space;
  ReadOptions ro;
  ro.snapshot = snap;
  std::vector<std::string> tenants, keys;
  std::vector<KeyRef> refs;
  for (uint64_t slot : slots) {
    tenants.push_back(space.TenantName(space.TenantOf(slot)));
    keys.push_back(KeySpace::KeyName(space.KeyOf(slot)));
  }
  for (size_t i = 0; i < slots.size(); ++i) {
    refs.push_back(KeyRef{KeySpace::DomainName(range.domain), tenants[i], keys[i]});
  }
  std::vector<std::string> values;
  std::vector<Status> statuses;
  Status s = ctx_->store->MultiGet(ro, refs, &values, &statuses);
  if (!s.ok()) return Unexpected("MultiGet through a snapshot", slots[0], s, "OK");
  for (size_t i = 0; i < slots.size(); ++i) {
    std::string problem = CheckGet(space, slots[i], states[i], ts, ReadGet(*ctx_, slots[i], snap));
    if (problem.empty()) {
      problem = CheckGet(space, slots[i], states[i], ts, ToGetResult(statuses[i], values[i]));
      if (!problem.empty()) problem = "(MultiGet) " + problem;
    }
    if (!problem.empty()) ctx_->reporter.Violation("(through a snapshot) " + problem);
  }
  CheckScanRange(ctx_, range, ts, snap, states);
}

void Worker::RunHeldSnapshots(uint64_t interval_ms) {
  while (!ctx_->ShouldStop()) {
    const auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(interval_ms);
    while (!ctx_->ShouldStop() && std::chrono::steady_clock::now() < until) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    if (ctx_->ShouldStop()) break;
    if (options_.max_ops != 0 && ops_started_->fetch_add(1) >= options_.max_ops) break;
    DoHeldSnapshot();
  }
}

void Worker::DoHeldSnapshot() {
  const KeySpace& space = ctx_->space;
  ScanRange range;
  range.domain = static_cast<uint32_t>(Rand(KeySpace::kDomains));
  range.tenant = static_cast<int>(Rand(space.tenants()));
  range.lo = static_cast<uint32_t>(Rand(std::min(space.keys_per_tenant(), kHotKeys)));
  range.hi = std::min(space.keys_per_tenant(), range.lo + 8);
  const std::vector<uint64_t> slots = SlotsOf(space, range);
  SharedHold store(&ctx_->store_gate);
  const Snapshot* snap = nullptr;
  uint64_t ts = 0, last_expiry = 0;
  std::vector<KeyState> states;
  {
    auto locks = ctx_->locks.Lock(slots);
    SharedHold time(&ctx_->time_gate);
    if (ctx_->ShouldStop()) return;
    ts = ctx_->now();
    // Records that expire soon, so the clock passes their expiry while the
    // snapshot still sees them.
    for (uint64_t slot : slots) {
      if (space.IsLinkedSlot(slot) || Chance(50)) continue;
      const uint64_t ttl = 2 + Rand(10);
      const KeyState next = AfterPut(ctx_->expected->Committed(slot), range.domain, ts, ttl);
      ctx_->expected->Prepare(slot, next);
      Status s = ctx_->store->Put(
          Synced(), KeySpace::DomainName(range.domain), space.TenantName(space.TenantOf(slot)),
          KeySpace::KeyName(space.KeyOf(slot)), space.MakeValue(slot, next.value_id), ttl);
      if (!s.ok()) return Unexpected("Put", slot, s, "OK");
      ctx_->expected->Commit(slot);
    }
    snap = ctx_->store->GetSnapshot();
    if (snap == nullptr) return ctx_->reporter.Error("GetSnapshot returned null");
    for (uint64_t slot : slots) {
      states.push_back(ctx_->expected->Committed(slot));
      last_expiry = std::max(last_expiry, states.back().expiry);
    }
  }
  // Other threads change these keys now; the snapshot must not see it.
  const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(2);
  const uint64_t wait_until = std::min(last_expiry, ts + 30) + 1;
  while (!ctx_->ShouldStop() && ctx_->now() < wait_until &&
         std::chrono::steady_clock::now() < give_up) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  const std::string_view domain = KeySpace::DomainName(range.domain);
  Status s = ctx_->store->Flush(domain);
  if (s.ok()) s = ctx_->store->CompactRange(domain, space.TenantName(range.tenant));
  if (!s.ok()) {
    ctx_->store->ReleaseSnapshot(snap);
    ctx_->reporter.Violation("UNEXPECTED STATUS flush or compaction under a held snapshot of " +
                             std::string(domain) + ": " + s.ToString());
    return;
  }
  CheckThroughSnapshot(snap, ts, range, slots, states);
  ctx_->store->ReleaseSnapshot(snap);
  Done(OpType::kHeldSnapshot);
}

void Worker::DoLinkedSnapshot() {
  const KeySpace& space = ctx_->space;
  const uint32_t t = static_cast<uint32_t>(Rand(space.tenants()));
  const uint32_t lo = static_cast<uint32_t>(Rand(space.keys_per_tenant()));
  SharedHold store(&ctx_->store_gate);
  if (ctx_->ShouldStop()) return;
  CheckLinkedUnderSnapshot(ctx_, t, lo, lo + 16 * kLinkStride);
  Done(OpType::kLinkedSnapshot);
}

void Worker::DoMaintenance() {
  const KeySpace& space = ctx_->space;
  const uint32_t d = static_cast<uint32_t>(Rand(KeySpace::kDomains));
  const std::string_view domain = KeySpace::DomainName(d);
  SharedHold store(&ctx_->store_gate);
  if (ctx_->ShouldStop()) return;
  Status s;
  std::string what;
  switch (Rand(5)) {
    case 4:
      what = "RunMaintenance (purge deadline)";
      s = ctx_->store->RunMaintenance(MaintenanceOptions::PurgeDeadlineOnly(0));
      break;
    case 0:
      what = "Flush";
      s = ctx_->store->Flush(domain);
      break;
    case 1:
      what = "CompactRange of a tenant";
      s = ctx_->store->CompactRange(domain,
                                    space.TenantName(static_cast<uint32_t>(Rand(space.tenants()))));
      break;
    case 2:
      what = "CompactRange";
      s = ctx_->store->CompactRange(domain);
      break;
    default:
      what = "RunMaintenance (purgeable files)";
      s = ctx_->store->RunMaintenance(MaintenanceOptions::DropPurgeableFilesOnly(domain));
      break;
  }
  if (!s.ok()) {
    ctx_->reporter.Violation("UNEXPECTED STATUS " + what + " of " + std::string(domain) + ": " +
                             s.ToString());
    return;
  }
  Done(OpType::kMaintenance);
}

}  // namespace metakv::stress
