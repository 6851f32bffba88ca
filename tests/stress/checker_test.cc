// metakv-stress's judgement rules, from tables: each expected key state
// against what a store could show, and scans against the expected records;
// plus the key space's values and order.
#include "tools/stress/checker.h"

#include <gtest/gtest.h>

#include "tools/stress/key_space.h"

namespace metakv::stress {
namespace {

constexpr uint64_t kNow = 1700001000;
constexpr uint64_t kRetention = 100;

const KeySpace& Space() {
  static const KeySpace space(32);
  return space;
}

KeyState State(KeyKind kind, uint32_t id, uint64_t deleted = 0, uint64_t expiry = 0) {
  KeyState s;
  s.kind = kind;
  s.value_id = id;
  s.delete_time = deleted;
  s.expiry = expiry;
  return s;
}

RawRecord Missing() { return RawRecord(); }

RawRecord Stored(uint64_t slot, uint32_t id, bool tombstone, uint64_t time = kNow - 50,
                 uint64_t expiry = 0) {
  RawRecord r;
  r.state = RawRecord::State::kPresent;
  r.tombstone = tombstone;
  r.time = time;
  r.expiry = expiry;
  r.payload = Space().MakeValue(slot, id);
  return r;
}

GetResult NotFound() { return GetResult(); }

GetResult Found(uint64_t slot, uint32_t id) {
  GetResult g;
  g.state = GetResult::State::kFound;
  g.value = Space().MakeValue(slot, id);
  return g;
}

// "" if consistent, else the violation's first word(s).
std::string Verdict(const KeyState& expected, const RawRecord& raw, const GetResult& get,
                    uint64_t slot = 5) {
  const std::string problem = CheckKey(Space(), slot, expected, kNow, kRetention, raw, get);
  if (problem.empty()) return "";
  const size_t at = problem.find(" inode/");
  return at == std::string::npos ? problem : problem.substr(0, at);
}

TEST(CheckerTest, KeyRules) {
  const uint64_t s = 5;
  const KeyKind live = KeyKind::kLive, gone = KeyKind::kAbsent, dead = KeyKind::kTombstone;
  const KeyKind removed = KeyKind::kRemoved;
  struct Case {
    const char* name;
    KeyState expected;
    RawRecord raw;
    GetResult get;
    const char* verdict;
  } cases[] = {
      {"never written", State(gone, 0), Missing(), NotFound(), ""},
      {"hard deleted", State(gone, 3), Missing(), NotFound(), ""},
      {"hard-deleted record back", State(gone, 3), Stored(s, 3, false), Found(s, 3),
       "DELETED RECORD BACK"},
      {"hard-deleted record back as a tombstone", State(gone, 3), Stored(s, 3, true), NotFound(),
       "DELETED RECORD BACK"},
      {"live", State(live, 4), Stored(s, 4, false), Found(s, 4), ""},
      {"live, lost", State(live, 4), Missing(), NotFound(), "LOST WRITE"},
      {"live, older version", State(live, 4), Stored(s, 3, false), Found(s, 3), "LOST WRITE"},
      {"live, newer version", State(live, 4), Stored(s, 5, false), Found(s, 5), "WRONG VERSION"},
      {"live, Get misses it", State(live, 4), Stored(s, 4, false), NotFound(), "LOST WRITE"},
      {"live, stored deleted", State(live, 4), Stored(s, 4, true), NotFound(), "LOST WRITE"},
      {"live, expiry differs", State(live, 4, 0, kNow + 10), Stored(s, 4, false, 1, kNow + 11),
       Found(s, 4), "WRONG VERSION"},
      {"expiring, not yet", State(live, 4, 0, kNow + 1), Stored(s, 4, false, 1, kNow + 1),
       Found(s, 4), ""},
      {"expired, still stored", State(live, 4, 0, kNow), Stored(s, 4, false, 1, kNow), NotFound(),
       ""},
      {"expired, purged", State(live, 4, 0, kNow), Missing(), NotFound(), ""},
      {"expired but visible", State(live, 4, 0, kNow), Stored(s, 4, false, 1, kNow), Found(s, 4),
       "EXPIRED RECORD VISIBLE"},
      {"tombstone kept", State(dead, 4, kNow - 10), Stored(s, 4, true, kNow - 10), NotFound(), ""},
      {"tombstone purged before retention", State(dead, 4, kNow - kRetention + 1), Missing(),
       NotFound(), "PURGED BEFORE RETENTION"},
      {"tombstone purged at retention", State(dead, 4, kNow - kRetention), Missing(), NotFound(),
       ""},
      {"tombstone purged by its TTL", State(dead, 4, kNow - 10, kNow), Missing(), NotFound(), ""},
      {"deleted record back (Get)", State(dead, 4, kNow - 10), Stored(s, 4, true, kNow - 10),
       Found(s, 4), "DELETED RECORD BACK"},
      {"deleted record back (stored live)", State(dead, 4, kNow - 10), Stored(s, 4, false),
       NotFound(), "DELETED RECORD BACK"},
      {"older version back after purge", State(dead, 4, kNow - 500), Stored(s, 2, false),
       NotFound(), "DELETED RECORD BACK"},
      {"tombstone of another delete", State(dead, 4, kNow - 10), Stored(s, 4, true, kNow - 11),
       NotFound(), "WRONG VERSION"},
      {"removed, hidden record still stored", State(removed, 4, kNow - 10),
       Stored(s, 4, false, kNow - 20), NotFound(), ""},
      {"removed, an older version stored", State(removed, 4, kNow - 10), Stored(s, 2, true),
       NotFound(), ""},
      {"removed, purged", State(removed, 4, kNow - 10), Missing(), NotFound(), ""},
      {"removed but visible", State(removed, 4, kNow - 10), Stored(s, 4, false), Found(s, 4),
       "DELETED RECORD BACK"},
      {"removed, a newer version stored", State(removed, 4, kNow - 10), Stored(s, 5, false),
       NotFound(), "WRONG VERSION"},
      {"value of another key", State(live, 4), Stored(s + 1, 4, false), Found(s, 4),
       "MISPLACED VALUE"},
      {"Get returns another key's value", State(live, 4), Stored(s, 4, false), Found(s + 32, 4),
       "MISPLACED VALUE"},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(Verdict(c.expected, c.raw, c.get), c.verdict) << c.name;
  }
  RawRecord error;
  error.state = RawRecord::State::kError;
  error.error = "Corruption: bad checksum";
  EXPECT_EQ(Verdict(State(live, 1), error, Found(s, 1)), "READ ERROR");
}

TEST(CheckerTest, MessagesNameTheKeyTheExpectationAndWhatWasFound) {
  const uint64_t slot = Space().Slot(KeySpace::kDentry, 1, 7);
  const std::string m = CheckKey(Space(), slot, State(KeyKind::kLive, 9), kNow, kRetention,
                                 Stored(slot, 8, false), Found(slot, 8));
  EXPECT_EQ(m,
            "LOST WRITE dentry/t10/k00007: expected live v9 at time 1700001000; "
            "Get returns v8 (stored live record v8)");
}

TEST(CheckerTest, RawConsistentIgnoresGet) {
  EXPECT_TRUE(
      RawConsistent(Space(), 5, State(KeyKind::kLive, 2), kNow, kRetention, Stored(5, 2, false)));
  EXPECT_FALSE(
      RawConsistent(Space(), 5, State(KeyKind::kLive, 3), kNow, kRetention, Stored(5, 2, false)));
}

ScanItem Item(uint64_t slot, uint32_t id) {
  const KeySpace& sp = Space();
  return ScanItem{sp.TenantName(sp.TenantOf(slot)), KeySpace::KeyName(sp.KeyOf(slot)),
                  sp.MakeValue(slot, id)};
}

TEST(CheckerTest, ScanRules) {
  const KeySpace& sp = Space();
  ScanExpectation want;
  want.domain = KeySpace::kInode;
  want.tenant = 0;  // "t1"
  want.description = "inode/t1";
  const uint64_t a = sp.Slot(0, 0, 1), b = sp.Slot(0, 0, 2), c = sp.Slot(0, 0, 3);
  want.visible = {{a, 1}, {b, 2}, {c, 3}};
  EXPECT_TRUE(CheckScan(sp, want, {Item(a, 1), Item(b, 2), Item(c, 3)}).empty());

  auto first_word = [&](const std::vector<ScanItem>& got) {
    const auto lines = CheckScan(sp, want, got);
    return lines.empty() ? std::string() : lines[0].substr(0, lines[0].find(" scan"));
  };
  EXPECT_EQ(first_word({Item(a, 1), Item(c, 3)}), "LOST WRITE");
  EXPECT_EQ(first_word({Item(a, 1), Item(b, 1), Item(c, 3)}), "LOST WRITE");
  EXPECT_EQ(first_word({Item(a, 1), Item(b, 2), Item(c, 3), Item(sp.Slot(0, 0, 4), 1)}),
            "DELETED RECORD BACK");
  EXPECT_EQ(first_word({Item(a, 1), Item(c, 3), Item(b, 2)}), "ORDER");
  // Tenant "t10" (index 1) and "t1\0z" (index 2) share t1's prefix.
  EXPECT_EQ(first_word({Item(a, 1), Item(b, 2), Item(c, 3), Item(sp.Slot(0, 1, 1), 1)}),
            "TENANT LEAK");
  EXPECT_EQ(first_word({Item(a, 1), Item(b, 2), Item(c, 3), Item(sp.Slot(0, 2, 1), 1)}),
            "TENANT LEAK");
  EXPECT_EQ(first_word({Item(a, 1), Item(b, 2), Item(c, 3), ScanItem{"t1", "zzz", "x"}}),
            "TENANT LEAK");
  ScanItem moved = Item(b, 2);
  moved.value = sp.MakeValue(sp.Slot(0, 1, 2), 2);  // t10's value under t1's key
  EXPECT_EQ(first_word({Item(a, 1), moved, Item(c, 3)}), "MISPLACED VALUE");

  // A whole-domain scan accepts every tenant, in store order.
  ScanExpectation all;
  all.domain = KeySpace::kInode;
  all.tenant = -1;
  all.description = "inode/*";
  std::vector<uint64_t> slots{sp.Slot(0, 3, 0), sp.Slot(0, 1, 0), sp.Slot(0, 0, 0),
                              sp.Slot(0, 2, 0)};
  SortSlotsInStoreOrder(sp, &slots);
  for (uint64_t s : slots) all.visible.emplace_back(s, 1);
  std::vector<ScanItem> got;
  for (uint64_t s : slots) got.push_back(Item(s, 1));
  EXPECT_TRUE(CheckScan(sp, all, got).empty());
}

TEST(KeySpaceTest, StoreOrderOfTenantsThatSharePrefixes) {
  const KeySpace& sp = Space();
  std::vector<uint64_t> slots;
  for (uint32_t t = 0; t < sp.tenants(); ++t) slots.push_back(sp.Slot(0, t, 0));
  SortSlotsInStoreOrder(sp, &slots);
  std::vector<std::string> order;
  for (uint64_t s : slots) order.push_back(codecs::Printable(sp.TenantName(sp.TenantOf(s))));
  EXPECT_EQ(order, (std::vector<std::string>{"t1", "t1\\x00z", "t10", "t2"}));
}

TEST(KeySpaceTest, ValuesNameTheirKeyAndVersion) {
  const KeySpace& sp = Space();
  for (uint64_t slot : {uint64_t{0}, uint64_t{77}, sp.slots() - 1}) {
    for (uint32_t id : {1u, 2u, 4000000000u}) {
      uint32_t got = 0;
      std::string owner;
      EXPECT_TRUE(sp.ParseValue(slot, sp.MakeValue(slot, id), &got, &owner));
      EXPECT_EQ(got, id);
    }
  }
  uint32_t id = 0;
  std::string owner;
  EXPECT_FALSE(sp.ParseValue(0, sp.MakeValue(1, 3), &id, &owner));
  EXPECT_EQ(owner, "inode/t1/k00001 v3");
  std::string damaged = sp.MakeValue(0, 3);
  damaged.back() ^= 1;
  EXPECT_FALSE(sp.ParseValue(0, damaged, &id, &owner));
  EXPECT_FALSE(sp.ParseValue(0, "", &id, &owner));
  EXPECT_EQ(owner, "unrecognisable");
  EXPECT_EQ(sp.Describe(sp.Slot(KeySpace::kHistory, 2, 31)), "history/t1\\x00z/k00031");
  uint32_t k = 0;
  EXPECT_TRUE(sp.ParseKeyName("k00031", &k));
  EXPECT_EQ(k, 31u);
  EXPECT_FALSE(sp.ParseKeyName("k00032", &k));  // outside the space
  EXPECT_FALSE(sp.ParseKeyName("k0003", &k));
}

TEST(KeySpaceTest, LinkedPairs) {
  const KeySpace& sp = Space();
  EXPECT_TRUE(sp.IsLinkedSlot(sp.Slot(KeySpace::kInode, 1, 8)));
  EXPECT_FALSE(sp.IsLinkedSlot(sp.Slot(KeySpace::kInode, 1, 9)));
  EXPECT_FALSE(sp.IsLinkedSlot(sp.Slot(KeySpace::kHistory, 1, 8)));
  EXPECT_EQ(sp.LinkPartner(sp.Slot(KeySpace::kInode, 3, 16)), sp.Slot(KeySpace::kDentry, 3, 16));
  EXPECT_EQ(sp.LinkPartner(sp.Slot(KeySpace::kDentry, 3, 16)), sp.Slot(KeySpace::kInode, 3, 16));
}

}  // namespace
}  // namespace metakv::stress
