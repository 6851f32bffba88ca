#include "tools/stress/verifier.h"


#include <algorithm>

#include "codecs/key_codec.h"
#include "codecs/record_codec.h"
#include "engine/inspect.h"

namespace metakv::stress {

RawRecord ReadRaw(const StressContext& ctx, uint64_t slot) {
  const KeySpace& space = ctx.space;
  RawRecord raw;
  const std::string key = codecs::EncodeKey(space.TenantName(space.TenantOf(slot)),
                                            KeySpace::KeyName(space.KeyOf(slot)));
  std::string value;
  Status read = ReadStoredValue(ctx.store.get(), KeySpace::DomainName(space.DomainOf(slot)), key,
                                &value);
  if (read.IsNotFound()) return raw;
  if (!read.ok()) {
    raw.state = RawRecord::State::kError;
    raw.error = read.code() == Status::Code::kAborted ? "store is closed" : read.ToString();
    return raw;
  }
  codecs::Record record;
  Status s = codecs::DecodeRecord(key, value, &record);
  if (!s.ok()) {
    raw.state = RawRecord::State::kError;
    raw.error = s.ToString();
    return raw;
  }
  raw.state = RawRecord::State::kPresent;
  raw.tombstone = record.IsTombstone();
  raw.time = record.time;
  raw.expiry = record.expiry;
  raw.payload.assign(record.payload.data(), record.payload.size());
  return raw;
}

GetResult ToGetResult(const Status& s, std::string value) {
  GetResult g;
  if (s.ok()) {
    g.state = GetResult::State::kFound;
    g.value = std::move(value);
  } else if (s.IsNotFound()) {
    g.state = GetResult::State::kNotFound;
  } else {
    g.state = GetResult::State::kError;
    g.error = s.ToString();
  }
  return g;
}

GetResult ReadGet(const StressContext& ctx, uint64_t slot, const Snapshot* snapshot) {
  const KeySpace& space = ctx.space;
  ReadOptions ro;
  ro.snapshot = snapshot;
  std::string value;
  Status s = ctx.store->Get(ro, KeySpace::DomainName(space.DomainOf(slot)),
                            space.TenantName(space.TenantOf(slot)),
                            KeySpace::KeyName(space.KeyOf(slot)), &value);
  return ToGetResult(s, std::move(value));
}

bool CheckSlots(StressContext* ctx, const std::vector<uint64_t>& slots, uint64_t now,
                const std::vector<KeyState>& states) {
  bool ok = true;
  for (size_t i = 0; i < slots.size(); ++i) {
    const uint64_t slot = slots[i];
    const KeyState expected = states.empty() ? ctx->expected->Committed(slot) : states[i];
    const std::string problem =
        CheckKey(ctx->space, slot, expected, now, ctx->retention(ctx->space.DomainOf(slot)),
                 ReadRaw(*ctx, slot), ReadGet(*ctx, slot));
    if (!problem.empty()) {
      ctx->reporter.Violation(problem);
      ok = false;
    }
  }
  return ok;
}

std::string ScanRange::Describe(const KeySpace& space) const {
  std::string s = std::string(KeySpace::DomainName(domain)) + "/";
  if (tenant < 0) return s + "* (whole domain)" + (reverse ? " backward" : " forward");
  s += Printable(space.TenantName(static_cast<uint32_t>(tenant)));
  if (!prefix.empty()) {
    s += " prefix " + prefix;
  } else {
    s += " [" + KeySpace::KeyName(lo) + ", " +
         (hi == 0 || hi >= space.keys_per_tenant() ? std::string("end") : KeySpace::KeyName(hi)) +
         ")";
  }
  return s + (reverse ? " backward" : " forward");
}

std::vector<uint64_t> SlotsOf(const KeySpace& space, const ScanRange& range) {
  std::vector<uint64_t> slots;
  if (range.tenant < 0) {
    for (uint32_t t = 0; t < space.tenants(); ++t) {
      for (uint32_t k = 0; k < space.keys_per_tenant(); ++k) {
        slots.push_back(space.Slot(range.domain, t, k));
      }
    }
    SortSlotsInStoreOrder(space, &slots);
    return slots;
  }
  const uint32_t hi =
      range.hi == 0 ? space.keys_per_tenant() : std::min(range.hi, space.keys_per_tenant());
  for (uint32_t k = range.lo; k < hi; ++k) {
    slots.push_back(space.Slot(range.domain, static_cast<uint32_t>(range.tenant), k));
  }
  return slots;
}

bool CheckScanRange(StressContext* ctx, const ScanRange& range, uint64_t now,
                    const Snapshot* snapshot, const std::vector<KeyState>& states) {
  const KeySpace& space = ctx->space;
  ScanSpec spec;
  if (range.tenant >= 0) {
    spec.tenant = space.TenantName(static_cast<uint32_t>(range.tenant));
    if (!range.prefix.empty()) {
      spec.prefix = range.prefix;
    } else {
      if (range.lo > 0) spec.lower_bound = KeySpace::KeyName(range.lo);
      if (range.hi != 0 && range.hi < space.keys_per_tenant()) {
        spec.upper_bound = KeySpace::KeyName(range.hi);
      }
    }
  }
  const std::vector<uint64_t> slots = SlotsOf(space, range);
  ScanExpectation want;
  want.domain = range.domain;
  want.tenant = range.tenant;
  want.description = range.Describe(space);
  for (size_t i = 0; i < slots.size(); ++i) {
    const KeyState st = states.empty() ? ctx->expected->Committed(slots[i]) : states[i];
    if (st.VisibleAt(now)) want.visible.emplace_back(slots[i], st.value_id);
  }
  if (range.reverse) std::reverse(want.visible.begin(), want.visible.end());

  std::vector<ScanItem> got;
  {
    ReadOptions ro;
    ro.snapshot = snapshot;
    std::unique_ptr<Iterator> it;
    Status s = ctx->store->NewIterator(ro, KeySpace::DomainName(range.domain), spec, &it);
    if (!s.ok()) {
      ctx->reporter.Violation("READ ERROR scan " + want.description + ": " + s.ToString());
      return false;
    }
    if (range.reverse) {
      it->SeekToLast();
    } else {
      it->SeekToFirst();
    }
    while (it->Valid()) {
      got.push_back(
          ScanItem{std::string(it->tenant()), std::string(it->key()), std::string(it->value())});
      if (got.size() > slots.size() + 16) break;  // enough to show what is wrong
      if (range.reverse) {
        it->Prev();
      } else {
        it->Next();
      }
    }
    if (!it->status().ok()) {
      ctx->reporter.Violation("READ ERROR scan " + want.description + ": " +
                              it->status().ToString());
      return false;
    }
  }
  const std::vector<std::string> problems = CheckScan(space, want, got);
  for (const auto& p : problems)
    ctx->reporter.Violation(p + " (at time " + std::to_string(now) + ")");
  return problems.empty();
}

bool CheckLinkedUnderSnapshot(StressContext* ctx, uint32_t tenant, uint32_t lo, uint32_t hi) {
  const KeySpace& space = ctx->space;
  const Snapshot* snap = ctx->store->GetSnapshot();
  if (snap == nullptr) {
    ctx->reporter.Error("GetSnapshot returned null");
    return false;
  }
  bool ok = true;
  hi = std::min(hi, space.keys_per_tenant());
  for (uint32_t k = lo; k < hi && ok; ++k) {
    if (!KeySpace::IsLinked(KeySpace::kInode, k)) continue;
    const uint64_t a = space.Slot(KeySpace::kInode, tenant, k);
    const uint64_t b = space.Slot(KeySpace::kDentry, tenant, k);
    const GetResult ga = ReadGet(*ctx, a, snap);
    const GetResult gb = ReadGet(*ctx, b, snap);
    uint32_t ia = 0, ib = 0;
    std::string owner;
    auto show = [&](uint64_t slot, const GetResult& g, uint32_t* id) -> std::string {
      switch (g.state) {
        case GetResult::State::kNotFound:
          return "not found";
        case GetResult::State::kError:
          return "error " + g.error;
        case GetResult::State::kFound:
          break;
      }
      if (!space.ParseValue(slot, g.value, id, &owner)) return "a value of " + owner;
      return "v" + std::to_string(*id);
    };
    const std::string sa = show(a, ga, &ia);
    const std::string sb = show(b, gb, &ib);
    if (sa != sb) {
      ctx->reporter.Violation("BATCH NOT ATOMIC under a snapshot (time " +
                              std::to_string(snap->time_seconds()) + "): " + space.Describe(a) +
                              " reads " + sa + " but " + space.Describe(b) + " reads " + sb);
      ok = false;
    }
  }
  ctx->store->ReleaseSnapshot(snap);
  return ok;
}

uint64_t RecoverInFlight(StressContext* ctx) {
  ExpectedState* ex = ctx->expected.get();
  const KeySpace& space = ctx->space;
  const uint64_t now = ctx->now();
  uint64_t resolved = 0;
  for (const ExpectedState::Group& g : ex->OpenGroups()) {
    bool all_old = true, all_new = true;
    std::vector<std::string> sides;
    for (size_t i = 0; i < g.slots.size(); ++i) {
      const uint64_t slot = g.slots[i];
      const uint64_t retention = ctx->retention(space.DomainOf(slot));
      // Judged by the stored record and by Get: a tree removal changes only
      // what Get returns.
      const RawRecord raw = ReadRaw(*ctx, slot);
      const GetResult get = ReadGet(*ctx, slot);
      const bool is_old = CheckKey(space, slot, g.old_states[i], now, retention, raw, get).empty();
      const bool is_new = CheckKey(space, slot, g.new_states[i], now, retention, raw, get).empty();
      all_old = all_old && is_old;
      all_new = all_new && is_new;
      // A range group (a tenant) has hundreds of keys: those that tell the
      // sides apart are named, at most kMaxGroupSlots of them.
      if ((is_old && is_new) && g.slots.size() > ExpectedState::kMaxGroupSlots) continue;
      if (sides.size() == ExpectedState::kMaxGroupSlots) {
        sides.push_back("...");
        continue;
      }
      if (sides.size() > ExpectedState::kMaxGroupSlots) continue;
      sides.push_back(space.Describe(slot) + " " +
                      (is_old && is_new ? "either"
                       : is_old         ? "old"
                       : is_new         ? "new"
                                        : "neither") +
                      " (old " + g.old_states[i].ToString() + ", new " +
                      g.new_states[i].ToString() + ")");
    }
    if (!all_old && !all_new) {
      std::string line = "BATCH NOT ATOMIC after a crash: an interrupted group of " +
                         std::to_string(g.slots.size()) +
                         " keys shows neither all old nor all new states at time " +
                         std::to_string(now) + ":";
      for (const auto& s : sides) line += " [" + s + "]";
      ctx->reporter.Violation(line);
      continue;
    }
    if (g.committing && !all_new) {
      // Its store operation was acknowledged before the commit began.
      std::string line =
          "LOST WRITE after a crash: an acknowledged group of " + std::to_string(g.slots.size()) +
          " keys (a tenant removal) shows its old states at time " + std::to_string(now) + ":";
      for (const auto& s : sides) line += " [" + s + "]";
      ctx->reporter.Violation(line);
      continue;
    }
    ex->ResolveGroup(g.journal, all_new);
    ++resolved;
  }
  for (uint64_t slot = 0; slot < space.slots(); ++slot) {
    if (!ex->IsPending(slot)) continue;
    const uint64_t retention = ctx->retention(space.DomainOf(slot));
    const RawRecord raw = ReadRaw(*ctx, slot);
    const KeyState old_state = ex->Old(slot), new_state = ex->New(slot);
    if (RawConsistent(space, slot, new_state, now, retention, raw)) {
      ex->Commit(slot);
    } else if (RawConsistent(space, slot, old_state, now, retention, raw)) {
      ex->Abort(slot);
    } else {
      // Judged against the new state, for the message.
      const std::string problem =
          CheckKey(space, slot, new_state, now, retention, raw, ReadGet(*ctx, slot));
      ctx->reporter.Violation("after a crash, an interrupted update shows neither its old (" +
                              old_state.ToString() + ") nor its new state: " + problem);
      continue;
    }
    ++resolved;
  }
  return resolved;
}

bool VerifyAll(StressContext* ctx, uint64_t* keys_checked, uint64_t* scans_checked) {
  const KeySpace& space = ctx->space;
  const uint64_t now = ctx->now();
  bool ok = true;
  *keys_checked = 0;
  *scans_checked = 0;
  for (uint32_t d = 0; d < KeySpace::kDomains; ++d) {
    for (uint32_t t = 0; t < space.tenants(); ++t) {
      ScanRange range;
      range.domain = d;
      range.tenant = static_cast<int>(t);
      const std::vector<uint64_t> slots = SlotsOf(space, range);
      ok = CheckSlots(ctx, slots, now) && ok;
      *keys_checked += slots.size();
      for (bool reverse : {false, true}) {
        range.reverse = reverse;
        ok = CheckScanRange(ctx, range, now) && ok;
        ++*scans_checked;
      }
    }
    ScanRange whole;
    whole.domain = d;
    whole.tenant = -1;
    ok = CheckScanRange(ctx, whole, now) && ok;
    ++*scans_checked;
  }
  // Linked pairs are only written together, so their expected states agree.
  for (uint32_t t = 0; t < space.tenants(); ++t) {
    for (uint32_t k = 0; k < space.keys_per_tenant(); k += kLinkStride) {
      const uint64_t a = space.Slot(KeySpace::kInode, t, k);
      const uint64_t b = space.Slot(KeySpace::kDentry, t, k);
      const KeyState sa = ctx->expected->Committed(a), sb = ctx->expected->Committed(b);
      if (sa != sb) {
        ctx->reporter.Violation("LINK BROKEN: " + space.Describe(a) + " expected " + sa.ToString() +
                                " but " + space.Describe(b) + " expected " + sb.ToString());
        ok = false;
      }
    }
  }
  return ok;
}

bool CheckLanes(StressContext* ctx, uint64_t* lost) {
  ExpectedState* ex = ctx->expected.get();
  *lost = 0;
  bool ok = true;
  for (uint32_t j = 0; j < ex->layout().journals && j < ExpectedState::kMaxJournals; ++j) {
    const ExpectedState::Lane lane = ex->GetLane(j);
    if (lane.attempted == 0) continue;
    const std::string name = "lane " + std::to_string(j);
    uint64_t found[kLaneKeys] = {};
    uint64_t m = 0;
    for (uint32_t k = 0; k < kLaneKeys; ++k) {
      std::string value;
      const Status s =
          ctx->store->Get(ReadOptions(), kLaneDomain, LaneTenant(j), LaneKey(k), &value);
      if (s.IsNotFound()) continue;
      if (!s.ok()) {
        ctx->reporter.Violation("READ ERROR " + name + " key " + LaneKey(k) + ": " + s.ToString());
        return false;
      }
      found[k] = ParseLaneValue(value);
      if (found[k] == 0 || found[k] % kLaneKeys != k) {
        ctx->reporter.Violation("MISPLACED VALUE " + name + " key " + LaneKey(k) + ": '" +
                                codecs::PrintableHead(value) + "'");
        return false;
      }
      m = std::max(m, found[k]);
    }
    if (m > lane.attempted) {
      ok = false;
      ctx->reporter.Violation("PHANTOM WRITE " + name + ": the store shows put " +
                              std::to_string(m) + " but only " + std::to_string(lane.attempted) +
                              " were made");
    }
    if (m < lane.durable) {
      ok = false;
      ctx->reporter.Violation("LOST WRITE " + name + ": put " + std::to_string(lane.durable) +
                              " was synced, but the store shows puts up to " + std::to_string(m));
    }
    for (uint64_t n = m >= kLaneKeys ? m - kLaneKeys + 1 : 1; n <= m; ++n) {
      if (found[n % kLaneKeys] != n) {
        ok = false;
        ctx->reporter.Violation("HOLE " + name + ": put " + std::to_string(n) +
                                " is lost while the later put " + std::to_string(m) +
                                " survived (its key holds put " +
                                std::to_string(found[n % kLaneKeys]) + ")");
      }
    }
    if (lane.acked > m) *lost += lane.acked - m;
    if (ok) ex->ResetLane(j, m);
  }
  return ok;
}

}  // namespace metakv::stress
