#include "tools/stress/checker.h"

#include <algorithm>
#include <map>
#include <set>

#include "codecs/key_codec.h"

namespace metakv::stress {

namespace {

std::string DescribeRaw(const KeySpace& space, uint64_t slot, const RawRecord& raw) {
  switch (raw.state) {
    case RawRecord::State::kMissing:
      return "no record stored";
    case RawRecord::State::kError:
      return "read error: " + raw.error;
    case RawRecord::State::kPresent:
      break;
  }
  uint32_t id = 0;
  std::string owner;
  std::string s = raw.tombstone ? "stored tombstone" : "stored live record";
  if (space.ParseValue(slot, raw.payload, &id, &owner)) {
    s += " v" + std::to_string(id);
  } else {
    s += " holding " + owner;
  }
  if (raw.tombstone) s += " deleted at " + std::to_string(raw.time);
  if (raw.expiry != 0) s += " expiry " + std::to_string(raw.expiry);
  return s;
}

std::string Head(std::string_view kind, const KeySpace& space, uint64_t slot,
                 const KeyState& expected, uint64_t now) {
  return std::string(kind) + " " + space.Describe(slot) + ": expected " + expected.ToString() +
         " at time " + std::to_string(now) + "; ";
}

// The stored record against the expected state; empty if consistent.
std::string RawProblem(const KeySpace& space, uint64_t slot, const KeyState& expected, uint64_t now,
                       uint64_t retention, const RawRecord& raw) {
  if (raw.state == RawRecord::State::kError) {
    return Head("READ ERROR", space, slot, expected, now) + raw.error;
  }
  const std::string actual = DescribeRaw(space, slot, raw);
  uint32_t id = 0;
  if (raw.state == RawRecord::State::kPresent) {
    std::string owner;
    if (!space.ParseValue(slot, raw.payload, &id, &owner)) {
      return Head("MISPLACED VALUE", space, slot, expected, now) + actual;
    }
  }
  const bool present = raw.state == RawRecord::State::kPresent;
  switch (expected.kind) {
    case KeyKind::kAbsent:
      if (present) return Head("DELETED RECORD BACK", space, slot, expected, now) + actual;
      return "";
    case KeyKind::kLive: {
      const bool expired = expected.expiry != 0 && expected.expiry <= now;
      if (!present) {
        return expired ? "" : Head("LOST WRITE", space, slot, expected, now) + actual;
      }
      if (raw.tombstone) return Head("LOST WRITE", space, slot, expected, now) + actual;
      if (id < expected.value_id) return Head("LOST WRITE", space, slot, expected, now) + actual;
      if (id > expected.value_id || raw.expiry != expected.expiry) {
        return Head("WRONG VERSION", space, slot, expected, now) + actual;
      }
      return "";
    }
    case KeyKind::kTombstone: {
      const bool expired = expected.expiry != 0 && expected.expiry <= now;
      const bool retained = now < expected.delete_time + retention;
      if (!present) {
        if (expired || !retained) return "";
        return Head("PURGED BEFORE RETENTION", space, slot, expected, now) + actual +
               " (retention " + std::to_string(retention) + " s ends at " +
               std::to_string(expected.delete_time + retention) + ")";
      }
      if (!raw.tombstone) {
        return Head(id <= expected.value_id ? "DELETED RECORD BACK" : "WRONG VERSION", space, slot,
                    expected, now) +
               actual;
      }
      if (id < expected.value_id) return Head("LOST WRITE", space, slot, expected, now) + actual;
      if (id > expected.value_id || raw.time != expected.delete_time ||
          raw.expiry != expected.expiry) {
        return Head("WRONG VERSION", space, slot, expected, now) + actual;
      }
      return "";
    }
    case KeyKind::kRemoved:
      // Any version the removal hid, or nothing once purged; never a newer
      // one (a write after the removal would have changed the expected
      // state).
      if (present && id > expected.value_id) {
        return Head("WRONG VERSION", space, slot, expected, now) + actual;
      }
      return "";
  }
  return Head("WRONG VERSION", space, slot, expected, now) + "unknown expected kind";
}

}  // namespace

bool RawConsistent(const KeySpace& space, uint64_t slot, const KeyState& expected, uint64_t now,
                   uint64_t retention_seconds, const RawRecord& raw) {
  return RawProblem(space, slot, expected, now, retention_seconds, raw).empty();
}

std::string CheckGet(const KeySpace& space, uint64_t slot, const KeyState& expected, uint64_t now,
                     const GetResult& get) {
  if (get.state == GetResult::State::kError) {
    return Head("READ ERROR", space, slot, expected, now) + "Get failed: " + get.error;
  }
  const bool visible = expected.VisibleAt(now);
  if (get.state == GetResult::State::kFound) {
    uint32_t id = 0;
    std::string owner;
    if (!space.ParseValue(slot, get.value, &id, &owner)) {
      return Head("MISPLACED VALUE", space, slot, expected, now) + "Get returns " + owner;
    }
    if (!visible) {
      const bool expired_live = expected.kind == KeyKind::kLive;
      return Head(expired_live ? "EXPIRED RECORD VISIBLE" : "DELETED RECORD BACK", space, slot,
                  expected, now) +
             "Get returns v" + std::to_string(id);
    }
    if (id != expected.value_id) {
      return Head(id < expected.value_id ? "LOST WRITE" : "WRONG VERSION", space, slot, expected,
                  now) +
             "Get returns v" + std::to_string(id);
    }
  } else if (visible) {
    return Head("LOST WRITE", space, slot, expected, now) + "Get finds nothing";
  }
  return "";
}

std::string CheckKey(const KeySpace& space, uint64_t slot, const KeyState& expected, uint64_t now,
                     uint64_t retention_seconds, const RawRecord& raw, const GetResult& get) {
  std::string problem = CheckGet(space, slot, expected, now, get);
  if (!problem.empty()) return problem + " (" + DescribeRaw(space, slot, raw) + ")";
  return RawProblem(space, slot, expected, now, retention_seconds, raw);
}

void SortSlotsInStoreOrder(const KeySpace& space, std::vector<uint64_t>* slots) {
  std::vector<std::pair<std::string, uint64_t>> keyed;
  keyed.reserve(slots->size());
  for (uint64_t s : *slots) {
    keyed.emplace_back(
        codecs::EncodeKey(space.TenantName(space.TenantOf(s)), KeySpace::KeyName(space.KeyOf(s))),
        s);
  }
  std::sort(keyed.begin(), keyed.end());
  for (size_t i = 0; i < keyed.size(); ++i) (*slots)[i] = keyed[i].second;
}

std::vector<std::string> CheckScan(const KeySpace& space, const ScanExpectation& expected,
                                   const std::vector<ScanItem>& got, size_t max_lines) {
  std::vector<std::string> lines;
  size_t suppressed = 0;
  auto add = [&](std::string line) {
    if (lines.size() < max_lines) {
      lines.push_back(std::move(line));
    } else {
      ++suppressed;
    }
  };
  const std::string scan = "scan " + expected.description + ": ";
  std::map<uint64_t, uint32_t> want(expected.visible.begin(), expected.visible.end());
  std::vector<uint64_t> got_slots;
  std::set<uint64_t> seen;
  for (const ScanItem& item : got) {
    uint32_t tenant = 0, key = 0;
    const std::string where = codecs::Printable(item.tenant) + "/" + codecs::Printable(item.key);
    if (!space.FindTenant(item.tenant, &tenant) || !space.ParseKeyName(item.key, &key)) {
      add("TENANT LEAK " + scan + "returns " + where + ", a key outside the key space");
      continue;
    }
    if (expected.tenant >= 0 && tenant != static_cast<uint32_t>(expected.tenant)) {
      add("TENANT LEAK " + scan + "returns " + where + " of another tenant");
      continue;
    }
    const uint64_t slot = space.Slot(expected.domain, tenant, key);
    uint32_t id = 0;
    std::string owner;
    if (!space.ParseValue(slot, item.value, &id, &owner)) {
      add("MISPLACED VALUE " + scan + space.Describe(slot) + " holds " + owner);
      continue;
    }
    if (!seen.insert(slot).second) {
      add("ORDER " + scan + space.Describe(slot) + " returned twice");
      continue;
    }
    got_slots.push_back(slot);
    auto it = want.find(slot);
    if (it == want.end()) {
      add("DELETED RECORD BACK " + scan + space.Describe(slot) + " v" + std::to_string(id) +
          " is returned but not expected visible");
    } else if (it->second != id) {
      add(std::string(id < it->second ? "LOST WRITE " : "WRONG VERSION ") + scan +
          space.Describe(slot) + " returned as v" + std::to_string(id) + ", expected v" +
          std::to_string(it->second));
    }
  }
  for (const auto& [slot, id] : expected.visible) {
    if (seen.count(slot) == 0) {
      add("LOST WRITE " + scan + space.Describe(slot) + " v" + std::to_string(id) +
          " expected visible but not returned");
    }
  }
  if (lines.empty()) {
    std::vector<uint64_t> order;
    for (const auto& [slot, id] : expected.visible) order.push_back(slot);
    if (order != got_slots) add("ORDER " + scan + "records returned out of order");
  }
  if (suppressed > 0) lines.push_back("... and " + std::to_string(suppressed) + " more");
  return lines;
}

}  // namespace metakv::stress
