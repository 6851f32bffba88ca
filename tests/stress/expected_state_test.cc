// The expected-state file of metakv-stress: round trips, refusal of damaged
// files, and crash consistency: a kill after any word store of an update
// (single key or group) leaves a file from which recovery can only accept
// the old or the new state, and accepts the true one.
#include "tools/stress/expected_state.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <set>

#include "tests/testutil.h"

namespace metakv::stress {
namespace {

ExpectedLayout SmallLayout() {
  ExpectedLayout layout;
  layout.slots = 48;
  layout.keys_per_tenant = 16;
  layout.journals = 4;
  return layout;
}

KeyState Live(uint32_t id, uint64_t expiry = 0) {
  KeyState s;
  s.kind = KeyKind::kLive;
  s.value_id = id;
  s.expiry = expiry;
  return s;
}

KeyState Tombstone(uint32_t id, uint64_t when, uint64_t expiry = 0) {
  KeyState s = Live(id, expiry);
  s.kind = KeyKind::kTombstone;
  s.delete_time = when;
  return s;
}

KeyState Absent(uint32_t id) {
  KeyState s;
  s.value_id = id;
  return s;
}

std::unique_ptr<ExpectedState> MustCreate(const std::string& path) {
  std::unique_ptr<ExpectedState> st;
  Status s = ExpectedState::Create(path, SmallLayout(), 1700000000, &st);
  EXPECT_TRUE(s.ok()) << s.ToString();
  return st;
}

std::unique_ptr<ExpectedState> MustOpen(const std::string& path) {
  std::unique_ptr<ExpectedState> st;
  Status s = ExpectedState::Open(path, &st);
  EXPECT_TRUE(s.ok()) << s.ToString();
  return st;
}

void Update(ExpectedState* st, uint64_t slot, const KeyState& next) {
  st->Prepare(slot, next);
  st->Commit(slot);
}

// A new file in which slots[i] holds states[i] in one half of its record and
// a stale state in the other.
std::unique_ptr<ExpectedState> MustCreateWith(const std::string& path,
                                              const std::vector<uint64_t>& slots,
                                              const std::vector<KeyState>& states) {
  auto st = MustCreate(path);
  for (size_t i = 0; i < slots.size(); ++i) {
    Update(st.get(), slots[i], Live(77));  // the stale half
    Update(st.get(), slots[i], states[i]);
  }
  return st;
}

TEST(ExpectedStateTest, NewFileHasEveryKeyAbsentAndTheBaseTime) {
  test::TempDir dir;
  auto st = MustCreate(dir.Sub("e"));
  EXPECT_EQ(st->clock_seconds(), 1700000000u);
  EXPECT_EQ(st->ops(), 0u);
  for (uint64_t slot = 0; slot < SmallLayout().slots; ++slot) {
    EXPECT_FALSE(st->IsPending(slot));
    EXPECT_EQ(st->Committed(slot), KeyState());
  }
  EXPECT_TRUE(st->OpenGroups().empty());
  EXPECT_FALSE(std::filesystem::exists(dir.Sub("e.tmp")));
}

TEST(ExpectedStateTest, StatesCountersAndClockSurviveReopen) {
  test::TempDir dir;
  {
    auto st = MustCreate(dir.Sub("e"));
    Update(st.get(), 3, Live(1, 1700000500));
    Update(st.get(), 3, Tombstone(1, 1700000100, 1700000500));
    Update(st.get(), 7, Live(9));
    st->Prepare(8, Live(2));  // left pending
    st->AddOps(42);
    st->AddRun();
    st->AddVerify();
    EXPECT_EQ(st->AdvanceClockTo(1700000200), 1700000200u);
    EXPECT_EQ(st->AdvanceClockTo(1700000100), 1700000200u) << "the clock never goes back";
  }
  auto st = MustOpen(dir.Sub("e"));
  EXPECT_EQ(st->Committed(3), Tombstone(1, 1700000100, 1700000500));
  EXPECT_EQ(st->Committed(7), Live(9));
  EXPECT_TRUE(st->IsPending(8));
  EXPECT_EQ(st->Old(8), KeyState());
  EXPECT_EQ(st->New(8), Live(2));
  st->Abort(8);
  EXPECT_FALSE(st->IsPending(8));
  EXPECT_EQ(st->Committed(8), KeyState());
  EXPECT_EQ(st->ops(), 42u);
  EXPECT_EQ(st->runs(), 1u);
  EXPECT_EQ(st->verifies(), 1u);
  EXPECT_EQ(st->clock_seconds(), 1700000200u);
}

TEST(ExpectedStateTest, CreateRefusesAnExistingFile) {
  test::TempDir dir;
  MustCreate(dir.Sub("e"));
  std::unique_ptr<ExpectedState> st;
  EXPECT_TRUE(ExpectedState::Create(dir.Sub("e"), SmallLayout(), 1, &st).IsInvalidArgument());
}

void Overwrite(const std::string& path, off_t offset, uint64_t word) {
  std::fstream f(path, std::ios::in | std::ios::out | std::ios::binary);
  f.seekp(offset);
  f.write(reinterpret_cast<const char*>(&word), sizeof(word));
}

TEST(ExpectedStateTest, DamagedFilesAreRefusedNamingTheFile) {
  test::TempDir dir;
  const std::string path = dir.Sub("e");
  const uint64_t bytes = ExpectedStateFileBytes(SmallLayout());
  struct Case {
    const char* name;
    std::function<void()> damage;
    const char* message;
  } cases[] = {
      {"truncated", [&] { std::filesystem::resize_file(path, bytes - 64); }, "truncated"},
      {"empty", [&] { std::filesystem::resize_file(path, 0); }, "shorter than the header"},
      {"bad magic", [&] { Overwrite(path, 0, 12345); }, "bad magic"},
      {"layout changed", [&] { Overwrite(path, 16, 96); }, "checksum"},
      {"bad slot control", [&] { Overwrite(path, bytes - 64, 0xff00); }, "bad control word"},
      {"bad key kind", [&] { Overwrite(path, bytes - 56, 7); }, "bad key kind"},
      {"bad journal", [&] { Overwrite(path, 4096, 0x7700); }, "journal 0"},
      {"committing slot group", [&] { Overwrite(path, 4096, 0x105); }, "journal 0: bad control"},
      {"range out of the layout",
       [&] {
         Overwrite(path, 4096 + 8, 40);  // slots 40 to 49 of 48
         Overwrite(path, 4096 + 16, 10);
         Overwrite(path, 4096, 0x103);  // open, ranges, one range
       },
       "journal 0: entry names a slot out of range"},
  };
  for (const Case& c : cases) {
    std::filesystem::remove(path);
    MustCreate(path);
    c.damage();
    std::unique_ptr<ExpectedState> st;
    Status s = ExpectedState::Open(path, &st);
    EXPECT_TRUE(s.IsCorruption()) << c.name << ": " << s.ToString();
    EXPECT_NE(s.message().find(path), std::string::npos) << c.name << ": " << s.ToString();
    EXPECT_NE(s.message().find(c.message), std::string::npos) << c.name << ": " << s.ToString();
    EXPECT_EQ(st, nullptr);
  }
}

// What recovery would accept for the given slots after a crash: the joint
// assignments (one state per slot) the file allows.
std::set<std::vector<std::string>> Candidates(ExpectedState* st,
                                              const std::vector<uint64_t>& slots) {
  std::set<std::vector<std::string>> out;
  for (const auto& g : st->OpenGroups()) {
    std::vector<std::string> old_side, new_side;
    for (uint64_t slot : slots) {
      const auto it = std::find(g.slots.begin(), g.slots.end(), slot);
      if (it == g.slots.end()) return {{"group misses a slot"}};
      old_side.push_back(g.old_states[it - g.slots.begin()].ToString());
      new_side.push_back(g.new_states[it - g.slots.begin()].ToString());
    }
    out.insert(old_side);
    out.insert(new_side);
    return out;
  }
  // No group: each slot on its own.
  std::vector<std::vector<std::string>> partial{{}};
  for (uint64_t slot : slots) {
    std::vector<KeyState> options;
    if (st->IsPending(slot)) {
      options = {st->Old(slot), st->New(slot)};
    } else {
      options = {st->Committed(slot)};
    }
    std::vector<std::vector<std::string>> next;
    for (const auto& p : partial) {
      for (const auto& o : options) {
        auto q = p;
        q.push_back(o.ToString());
        next.push_back(q);
      }
    }
    partial = next;
  }
  out.insert(partial.begin(), partial.end());
  return out;
}

std::vector<std::string> Strings(const std::vector<KeyState>& states) {
  std::vector<std::string> out;
  for (const auto& s : states) out.push_back(s.ToString());
  return out;
}

TEST(ExpectedStateTest, AKillAtAnyStoreOfAnUpdateLeavesOnlyTheOldOrTheNewState) {
  test::TempDir dir;
  const std::string path = dir.Sub("e");
  const uint64_t slot = 5;
  // History, so the inactive half holds a stale state that must never count.
  const KeyState stale = Live(1), old_state = Tombstone(1, 1700000010), new_state = Live(2, 99);
  uint64_t total = 0;
  for (int64_t kill_at = 0;; ++kill_at) {
    std::filesystem::remove(path);
    {
      auto st = MustCreate(path);
      Update(st.get(), slot, stale);
      Update(st.get(), slot, old_state);
      const uint64_t before = st->TEST_stores();
      st->TEST_CrashAfterStores(static_cast<int64_t>(before) + kill_at);
      st->Prepare(slot, new_state);
      const uint64_t prepare_stores = st->TEST_stores() - before;
      st->Commit(slot);
      total = st->TEST_stores() - before;
      auto again = MustOpen(path);
      const auto got = Candidates(again.get(), {slot});
      const std::vector<std::string> old_side{old_state.ToString()}, new_side{new_state.ToString()};
      for (const auto& c : got) {
        EXPECT_TRUE(c == old_side || c == new_side) << "kill at store " << kill_at << ": " << c[0];
      }
      // Killed inside Prepare: the store operation never ran, the store
      // holds the old state. Killed between Prepare and Commit: either.
      // Killed later: the new one.
      const uint64_t k = static_cast<uint64_t>(kill_at);
      if (k <= prepare_stores) {
        EXPECT_TRUE(got.count(old_side)) << "kill at store " << kill_at;
      }
      if (k >= prepare_stores) {
        EXPECT_TRUE(got.count(new_side)) << "kill at store " << kill_at;
      }
      if (k >= total) {
        EXPECT_EQ(got.size(), 1u);
        break;
      }
    }
  }
  EXPECT_EQ(total, 5u);  // three state words, pending, commit
}

TEST(ExpectedStateTest, AKillAtAnyStoreOfAGroupLeavesAllOldOrAllNew) {
  test::TempDir dir;
  const std::string path = dir.Sub("e");
  const std::vector<uint64_t> slots{2, 17, 40};
  const std::vector<KeyState> old_states{Live(3), Absent(4), Tombstone(1, 1700000005)};
  const std::vector<KeyState> new_states{Tombstone(3, 1700000020), Live(5, 1700000900), Absent(1)};
  uint64_t total = 0;
  for (int64_t kill_at = 0;; ++kill_at) {
    std::filesystem::remove(path);
    auto st = MustCreateWith(path, slots, old_states);
    const uint64_t before = st->TEST_stores();
    st->TEST_CrashAfterStores(static_cast<int64_t>(before) + kill_at);
    st->PrepareGroup(1, slots, new_states);
    const uint64_t prepare_stores = st->TEST_stores() - before;
    st->CommitGroup(1);
    total = st->TEST_stores() - before;
    auto again = MustOpen(path);
    const auto got = Candidates(again.get(), slots);
    for (const auto& c : got) {
      EXPECT_TRUE(c == Strings(old_states) || c == Strings(new_states))
          << "kill at store " << kill_at << ": a mixed or stale assignment";
    }
    const uint64_t k = static_cast<uint64_t>(kill_at);
    if (k <= prepare_stores) {
      EXPECT_TRUE(got.count(Strings(old_states))) << "kill at " << k;
    }
    if (k >= prepare_stores) {
      EXPECT_TRUE(got.count(Strings(new_states))) << "kill at " << k;
    }
    // A group is never left with a slot pending outside it.
    if (again->OpenGroups().empty()) {
      for (uint64_t slot : slots) EXPECT_FALSE(again->IsPending(slot)) << kill_at;
    }
    // Recovery leaves nothing in flight.
    for (const auto& g : again->OpenGroups()) again->ResolveGroup(g.journal, true);
    for (uint64_t slot : slots) EXPECT_FALSE(again->IsPending(slot)) << kill_at;
    if (static_cast<uint64_t>(kill_at) >= total) {
      EXPECT_EQ(got.size(), 1u);
      break;
    }
  }
  // 3 x 3 state words, 3 journal entries, the journal word, 3 pending
  // marks; then 3 commits and the journal word.
  EXPECT_EQ(total, 3u * 3 + 3 + 1 + 3 + 3 + 1);
}

KeyState Removed(uint32_t id, uint64_t when) {
  KeyState s;
  s.kind = KeyKind::kRemoved;
  s.value_id = id;
  s.delete_time = when;
  return s;
}

// A range group (a tenant removal) journals its ranges, not its slots; a
// kill after any word store of its prepare, its commit, or of a recovery
// resolving it either way (itself killed anywhere) leaves a file whose
// group reads as exactly the old or the new states, and a finished
// resolution the side it chose.
TEST(ExpectedStateTest, AKillAtAnyStoreOfARangeGroupLeavesAllOldOrAllNew) {
  test::TempDir dir;
  const std::string path = dir.Sub("e"), scratch = dir.Sub("scratch");
  const std::vector<ExpectedState::SlotRange> ranges{{1, 2}, {17, 1}, {40, 3}};
  const std::vector<uint64_t> slots{1, 2, 17, 40, 41, 42};
  const std::vector<KeyState> old_states{Live(3),    Absent(4), Tombstone(1, 1700000005),
                                         Live(2, 9), Live(8),   Removed(5, 1700000001)};
  std::vector<KeyState> new_states;
  for (const KeyState& o : old_states) new_states.push_back(Removed(o.value_id, 1700000030));
  // The assignment a file shows for the slots: "group" candidates or the
  // committed states.
  auto sides = [&](const std::string& file) { return Candidates(MustOpen(file).get(), slots); };
  uint64_t total = 0, resolutions = 0;
  for (int64_t kill_at = 0;; ++kill_at) {
    std::filesystem::remove(path);
    uint64_t prepare_stores = 0;
    {
      auto st = MustCreateWith(path, slots, old_states);
      const uint64_t before = st->TEST_stores();
      st->TEST_CrashAfterStores(static_cast<int64_t>(before) + kill_at);
      st->PrepareRangeGroup(2, ranges, new_states);
      prepare_stores = st->TEST_stores() - before;
      st->CommitGroup(2);
      total = st->TEST_stores() - before;
    }
    const uint64_t k = static_cast<uint64_t>(kill_at);
    const auto got = sides(path);
    for (const auto& c : got) {
      EXPECT_TRUE(c == Strings(old_states) || c == Strings(new_states))
          << "kill at store " << k << ": a mixed or stale assignment";
    }
    if (k <= prepare_stores) {
      EXPECT_TRUE(got.count(Strings(old_states))) << "kill at " << k;
    }
    if (k >= prepare_stores) {
      EXPECT_TRUE(got.count(Strings(new_states))) << "kill at " << k;
    }
    {
      auto again = MustOpen(path);
      const auto groups = again->OpenGroups();
      if (groups.empty()) {
        for (uint64_t slot : slots) EXPECT_FALSE(again->IsPending(slot)) << k;
      } else {
        // The commit began only once the prepare was complete.
        EXPECT_EQ(groups[0].committing, k > prepare_stores) << k;
      }
    }
    // Recovery, resolving to either side, killed at any store.
    for (bool to_new : {false, true}) {
      for (int64_t resolve_at = 0;; ++resolve_at) {
        std::filesystem::copy_file(path, scratch,
                                   std::filesystem::copy_options::overwrite_existing);
        uint64_t resolve_stores = 0;
        {
          auto st = MustOpen(scratch);
          const auto groups = st->OpenGroups();
          if (groups.empty()) break;
          const uint64_t before = st->TEST_stores();
          st->TEST_CrashAfterStores(static_cast<int64_t>(before) + resolve_at);
          st->ResolveGroup(groups[0].journal, to_new);
          resolve_stores = st->TEST_stores() - before;
        }
        ++resolutions;
        const auto after = sides(scratch);
        for (const auto& c : after) {
          EXPECT_TRUE(c == Strings(old_states) || c == Strings(new_states))
              << "kill at " << k << ", resolving to " << (to_new ? "new" : "old")
              << " killed at store " << resolve_at << ": a mixed or stale assignment";
        }
        if (static_cast<uint64_t>(resolve_at) >= resolve_stores) {
          const std::set<std::vector<std::string>> want{to_new ? Strings(new_states)
                                                               : Strings(old_states)};
          EXPECT_EQ(after, want) << "kill at " << k << ", resolved to " << to_new;
          auto st = MustOpen(scratch);
          EXPECT_TRUE(st->OpenGroups().empty());
          for (uint64_t slot : slots) EXPECT_FALSE(st->IsPending(slot)) << k;
          break;
        }
      }
    }
    if (k >= total) {
      EXPECT_EQ(got.size(), 1u);
      break;
    }
  }
  // 6 x 3 state words, 3 x 2 range words, the journal word, 6 pending
  // marks; then the committing bit, 6 flips and the journal word.
  EXPECT_EQ(total, 6u * 3 + 3 * 2 + 1 + 6 + 1 + 6 + 1);
  EXPECT_GT(resolutions, 0u);
}

TEST(ExpectedStateTest, ResolveGroupPicksOneSide) {
  test::TempDir dir;
  auto st = MustCreate(dir.Sub("e"));
  st->PrepareGroup(0, {1, 2}, {Live(1), Live(1)});
  ASSERT_EQ(st->OpenGroups().size(), 1u);
  st->ResolveGroup(0, false);
  EXPECT_TRUE(st->OpenGroups().empty());
  EXPECT_EQ(st->Committed(1), KeyState());
  EXPECT_FALSE(st->IsPending(2));
  st->PrepareGroup(0, {1, 2}, {Live(1), Live(1)});
  st->ResolveGroup(0, true);
  EXPECT_EQ(st->Committed(1), Live(1));
  EXPECT_EQ(st->Committed(2), Live(1));
}

TEST(ExpectedStateTest, AKilledClockAdvanceNeverLosesATimeTheStoreSaw) {
  test::TempDir dir;
  auto st = MustCreate(dir.Sub("e"));
  st->TEST_CrashAfterStores(static_cast<int64_t>(st->TEST_stores()));
  st->AdvanceClockTo(1700000300);  // killed before its store
  // The caller sets the store's clock only after AdvanceClockTo returns,
  // so nothing saw 1700000300; the persisted clock is still valid.
  EXPECT_EQ(MustOpen(dir.Sub("e"))->clock_seconds(), 1700000000u);
}

}  // namespace
}  // namespace metakv::stress
