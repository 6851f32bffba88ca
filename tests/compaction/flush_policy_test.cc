// Table-driven tests of the flush controller's pure decision function
// (compaction/flush_policy.h): no I/O, no clock.
#include "compaction/flush_policy.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace metakv {
namespace {

constexpr uint64_t KiB = 1024;
constexpr uint64_t MiB = 1024 * 1024;
constexpr uint64_t kWindow = 10 * 1000 * 1000;  // 10 s

// The policy at test scale: 64 KiB - 1 MiB memtables.
FlushPolicy TestPolicy() {
  FlushPolicy p;
  p.min_absorb_sample_entries = 100;
  p.pending_compaction_pressure_bytes = 1 * MiB;
  return p;
}

// A domain writing nothing, at min size and base trigger.
FlushObservation Base(const std::string& name = "d") {
  FlushObservation o;
  o.domain = name;
  o.window_micros = kWindow;
  o.write_buffer_size = 64 * KiB;
  o.min_write_buffer_size = 64 * KiB;
  o.max_write_buffer_size = 1 * MiB;
  o.max_write_buffer_number = 2;
  o.l0_trigger = 2;
  o.base_l0_trigger = 2;
  o.l0_slowdown_trigger = 20;
  return o;
}

// Feeds one domain the same observation for `windows` windows, carrying its
// state and applying each decision as the next window's present values.
struct Trace {
  std::vector<FlushDecision> decisions;
  const FlushDecision& last() const { return decisions.back(); }
};
Trace Simulate(const FlushPolicy& p, FlushObservation o, int windows, uint64_t budget = 0) {
  Trace run;
  std::vector<FlushPolicyState> states(1);
  for (int w = 0; w < windows; ++w) {
    auto d = DecideFlushSettings(p, budget, {o}, states);
    states[0] = d[0].next_state;
    o.write_buffer_size = d[0].new_write_buffer_size;
    o.l0_trigger = d[0].new_l0_trigger;
    run.decisions.push_back(d[0]);
  }
  return run;
}

// Inputs of the write-buffer table.
void Overwrites(FlushObservation* o) {
  // 500 B/s: a 64 KiB memtable fills in 131 s (neither fast nor oversized);
  // recent flushes wrote 50 of 1000 inserted entries (95% absorbed).
  o->user_bytes = 5000;
  o->flushes = 1;
  o->flush_entries_in = 1000;
  o->flush_entries_out = 50;
}
void HighRate(FlushObservation* o) { o->user_bytes = 10 * MiB; }  // 1 MiB/s
void Idle(FlushObservation* o) { o->user_bytes = 0; }
void Slow(FlushObservation* o) { o->user_bytes = 20000; }  // 2000 B/s

struct SizeCase {
  const char* name;
  uint64_t start;
  std::function<void(FlushObservation*)> input;
  int windows;
  uint64_t want;
  const char* reason_has;
};

TEST(FlushPolicyTest, WriteBufferTable) {
  const FlushPolicy p = TestPolicy();
  const std::vector<SizeCase> cases = {
      {"absorption: one window is not enough", 64 * KiB, Overwrites, 1, 64 * KiB,
       "growing: memtable absorbs 95%"},
      {"absorption: doubles after two windows", 64 * KiB, Overwrites, 2, 128 * KiB,
       "grow 64 KiB -> 128 KiB: memtable absorbs 95% of entries as overwrites"},
      {"absorption: stops once the memtable no longer fills in 480 s", 64 * KiB, Overwrites, 20,
       256 * KiB, "hold 256 KiB"},
      {"high rate: doubles every two windows", 64 * KiB, HighRate, 4, 256 * KiB, "fills in"},
      {"high rate: stops at max", 64 * KiB, HighRate, 20, 1 * MiB, "(max)"},
      {"idle: two windows hold", 1 * MiB, Idle, 2, 1 * MiB, "shrinking: idle"},
      {"idle: halves after three windows", 1 * MiB, Idle, 3, 512 * KiB,
       "shrink 1 MiB -> 512 KiB: idle"},
      {"idle: reaches min and stays", 1 * MiB, Idle, 15, 64 * KiB, "(min)"},
      {"oversized, not absorbing: halves", 1 * MiB, Slow, 3, 512 * KiB, "oversized"},
      {"oversized: stops once it fills in time", 1 * MiB, Slow, 30, 512 * KiB, "hold 512 KiB"},
      {"absorbing but slow: holds", 1 * MiB,
       [](FlushObservation* o) {
         Overwrites(o);
         o->user_bytes = 20000;
       },
       10, 1 * MiB, "hold 1 MiB"},
      {"below min: clamped", 32 * KiB, Slow, 1, 64 * KiB, "clamped 32 KiB into [64 KiB, 1 MiB]"},
      {"above max: clamped", 4 * MiB, HighRate, 1, 1 * MiB, "clamped 4 MiB"},
      {"small absorption sample: unknown", 64 * KiB,
       [](FlushObservation* o) {
         Overwrites(o);
         o->flush_entries_in = 99;
         o->flush_entries_out = 1;
       },
       4, 64 * KiB, "absorbs n/a"},
      {"no absorption: holds", 64 * KiB,
       [](FlushObservation* o) {
         Overwrites(o);
         o->flush_entries_out = 1000;
       },
       4, 64 * KiB, "absorbs 0%"},
      {"empty window: holds", 64 * KiB,
       [](FlushObservation* o) {
         HighRate(o);
         o->window_micros = 0;
       },
       4, 64 * KiB, "empty window"},
  };
  for (const SizeCase& c : cases) {
    SCOPED_TRACE(c.name);
    FlushObservation o = Base();
    o.write_buffer_size = c.start;
    c.input(&o);
    const Trace run = Simulate(p, o, c.windows);
    EXPECT_EQ(run.last().new_write_buffer_size, c.want) << run.last().reason;
    EXPECT_NE(run.last().write_buffer_reason.find(c.reason_has), std::string::npos)
        << "reason: " << run.last().write_buffer_reason;
    for (const FlushDecision& d : run.decisions) {
      EXPECT_FALSE(d.write_buffer_reason.empty());
      EXPECT_FALSE(d.l0_reason.empty());
      EXPECT_GE(d.new_write_buffer_size, o.min_write_buffer_size);
      EXPECT_LE(d.new_write_buffer_size, o.max_write_buffer_size);
    }
  }
}

TEST(FlushPolicyTest, AdaptiveOffKeepsPresentValues) {
  FlushObservation o = Base();
  HighRate(&o);
  o.write_buffer_size = 32 * KiB;  // out of bounds, but not ours to touch
  o.adapt_write_buffer = false;
  o.adapt_l0_trigger = false;
  o.l0_files = 50;
  o.l0_trigger = 7;
  const Trace run = Simulate(TestPolicy(), o, 10);
  EXPECT_EQ(run.last().new_write_buffer_size, 32 * KiB);
  EXPECT_EQ(run.last().new_l0_trigger, 7);
  EXPECT_FALSE(run.last().changed());
  EXPECT_NE(run.last().reason.find("fixed"), std::string::npos);
}

struct L0Case {
  const char* name;
  int start;
  std::function<void(FlushObservation*)> input;
  int windows;
  int want;
  const char* reason_has;
};

void Busy(FlushObservation* o) { o->user_bytes = 50000; }  // 5 KB/s, not idle

TEST(FlushPolicyTest, L0TriggerTable) {
  const FlushPolicy p = TestPolicy();
  const std::vector<L0Case> cases = {
      {"L0 behind: one window is not enough", 2,
       [](FlushObservation* o) {
         Busy(o);
         o->l0_files = 3;
       },
       1, 2, "hold 2, pressure: L0 has 3 files >= trigger 2"},
      {"L0 behind: raises after two windows", 2,
       [](FlushObservation* o) {
         Busy(o);
         o->l0_files = 3;
       },
       2, 3, "raise 2 -> 3"},
      {"steady L0 count settles in the dead band", 2,
       [](FlushObservation* o) {
         Busy(o);
         o->l0_files = 3;
       },
       30, 4, "hold 4: L0 has 3 files"},
      {"pending compaction bytes raise", 2,
       [](FlushObservation* o) {
         Busy(o);
         o->pending_compaction_bytes = 2 * MiB;
       },
       4, 4, "pending compaction 2 MiB >= 1 MiB"},
      {"stalls raise", 2,
       [](FlushObservation* o) {
         Busy(o);
         o->stall_micros = 5000;
         o->l0_stalls = 3;
       },
       2, 3, "3 write stalls on L0 files or pending compaction (5000 us stalled)"},
      {"memtable stalls do not raise", 2,
       [](FlushObservation* o) {
         Busy(o);
         o->stall_micros = 5000;
         o->memtable_stalls = 3;
       },
       6, 2, "hold 2 (base)"},
      {"sustained pressure stops at the cap (base x3)", 2,
       [](FlushObservation* o) {
         Busy(o);
         o->l0_files = 100;
       },
       50, 6, "(cap, slowdown 20)"},
      {"cap stays below the slowdown trigger", 4,
       [](FlushObservation* o) {
         Busy(o);
         o->base_l0_trigger = 4;
         o->l0_slowdown_trigger = 8;
         o->l0_files = 100;
       },
       50, 6, "(cap, slowdown 8)"},
      {"calm: lowers after three windows", 6,
       [](FlushObservation* o) {
         Busy(o);
         o->l0_files = 1;
       },
       3, 5, "lower 6 -> 5 (base 2): calm"},
      {"calm: returns to base and stays", 6,
       [](FlushObservation* o) {
         Busy(o);
         o->l0_files = 0;
       },
       30, 2, "hold 2 (base)"},
      {"idle with leftover L0 files returns to base", 6,
       [](FlushObservation* o) {
         Idle(o);
         o->l0_files = 5;
       },
       30, 2, "hold 2 (base)"},
      {"above cap: clamped", 40,
       [](FlushObservation* o) {
         Busy(o);
         o->l0_files = 0;
       },
       1, 6, "clamped 40 into [2, 6]"},
  };
  for (const L0Case& c : cases) {
    SCOPED_TRACE(c.name);
    FlushObservation o = Base();
    o.l0_trigger = c.start;
    c.input(&o);
    const Trace run = Simulate(p, o, c.windows);
    EXPECT_EQ(run.last().new_l0_trigger, c.want) << run.last().reason;
    EXPECT_NE(run.last().l0_reason.find(c.reason_has), std::string::npos)
        << "reason: " << run.last().l0_reason;
    for (const FlushDecision& d : run.decisions) {
      EXPECT_LT(d.new_l0_trigger, o.l0_slowdown_trigger);
      EXPECT_GE(d.new_l0_trigger, o.base_l0_trigger);
    }
  }
}

TEST(FlushPolicyTest, MaxL0TriggerAlwaysBelowSlowdown) {
  const FlushPolicy p = TestPolicy();
  for (int slowdown = 4; slowdown <= 64; ++slowdown) {
    for (int base = 1; base + 2 <= slowdown; ++base) {
      const int cap = MaxL0Trigger(p, base, slowdown);
      EXPECT_GE(cap, base) << base << "/" << slowdown;
      EXPECT_LE(cap, slowdown - 2) << base << "/" << slowdown;
      EXPECT_LE(cap, base * p.l0_max_trigger_multiplier);
    }
  }
}

// Inputs alternating every window between opposite signals never change
// anything: each streak is broken before it completes.
TEST(FlushPolicyTest, HysteresisNoFlipFlop) {
  const FlushPolicy p = TestPolicy();
  FlushObservation hot = Base();
  hot.write_buffer_size = 256 * KiB;
  hot.l0_trigger = 4;
  HighRate(&hot);
  hot.l0_files = 10;  // pressure
  FlushObservation cold = hot;
  Idle(&cold);
  cold.l0_files = 0;  // calm
  std::vector<FlushPolicyState> states(1);
  FlushObservation o;
  for (int w = 0; w < 40; ++w) {
    o = (w % 2 == 0) ? hot : cold;
    auto d = DecideFlushSettings(p, 0, {o}, states);
    states[0] = d[0].next_state;
    EXPECT_FALSE(d[0].changed()) << "window " << w << ": " << d[0].reason;
  }
  // Two hot windows in a row do act.
  for (int w = 0; w < 2; ++w) {
    auto d = DecideFlushSettings(p, 0, {hot}, states);
    states[0] = d[0].next_state;
    if (w == 1) {
      EXPECT_EQ(d[0].new_write_buffer_size, 512 * KiB);
      EXPECT_EQ(d[0].new_l0_trigger, 5);
    }
  }
}

// After growing, a moderately busy domain does not shrink right back.
TEST(FlushPolicyTest, HysteresisGrowThenHold) {
  FlushPolicy p = TestPolicy();
  FlushObservation o = Base();
  o.user_bytes = 20 * KiB;  // 2 KiB/s: 64 KiB fills in 32 s (fast), 128 KiB in 64 s
  const Trace run = Simulate(p, o, 40);
  int changes = 0;
  for (const auto& d : run.decisions) changes += d.write_buffer_changed() ? 1 : 0;
  EXPECT_EQ(changes, 1);
  EXPECT_EQ(run.last().new_write_buffer_size, 128 * KiB);
}

// ---- Several domains and the memtable budget ----

uint64_t Reserved(const std::vector<FlushDecision>& ds, const std::vector<FlushObservation>& os) {
  uint64_t sum = 0;
  for (size_t i = 0; i < ds.size(); ++i) {
    sum += ds[i].new_write_buffer_size * static_cast<uint64_t>(os[i].max_write_buffer_number);
  }
  return sum;
}

// Runs all domains together for `windows` windows, checking the budget and
// bounds every window; returns the last decisions.
std::vector<FlushDecision> SimulateAll(const FlushPolicy& p, std::vector<FlushObservation> os,
                                       int windows, uint64_t budget) {
  std::vector<FlushPolicyState> states(os.size());
  std::vector<FlushDecision> last;
  for (int w = 0; w < windows; ++w) {
    last = DecideFlushSettings(p, budget, os, states);
    EXPECT_LE(Reserved(last, os), budget) << "window " << w;
    for (size_t i = 0; i < os.size(); ++i) {
      EXPECT_GE(last[i].new_write_buffer_size, os[i].min_write_buffer_size);
      EXPECT_LE(last[i].new_write_buffer_size, os[i].max_write_buffer_size);
      EXPECT_FALSE(last[i].reason.empty());
      states[i] = last[i].next_state;
      os[i].write_buffer_size = last[i].new_write_buffer_size;
      os[i].l0_trigger = last[i].new_l0_trigger;
    }
  }
  return last;
}

TEST(FlushPolicyTest, BudgetCutsGrowthEvenly) {
  std::vector<FlushObservation> os = {Base("a"), Base("b"), Base("c")};
  for (auto& o : os) HighRate(&o);
  const auto last = SimulateAll(TestPolicy(), os, 20, 2 * MiB);
  // 3 x 256 KiB x 2 = 1.5 MiB; the remaining 512 KiB is shared evenly and
  // rounded down to 64 KiB: 320 KiB each.
  for (const auto& d : last) EXPECT_EQ(d.new_write_buffer_size, 320 * KiB) << d.reason;
  EXPECT_NE(last[0].reason.find("memtable budget 2 MiB is full"), std::string::npos)
      << last[0].reason;
}

TEST(FlushPolicyTest, IdleDomainGivesBudgetToHotDomain) {
  FlushObservation hot = Base("hot"), idle = Base("idle");
  HighRate(&hot);
  idle.write_buffer_size = 1 * MiB;
  Idle(&idle);
  // Hot can reach 1 MiB only once idle has shrunk: 1 MiB x 2 + 64 KiB x 2.
  const uint64_t budget = 2 * MiB + 128 * KiB;
  std::vector<FlushObservation> os = {hot, idle};
  std::vector<FlushPolicyState> states(2);
  bool cut = false;
  std::vector<FlushDecision> last;
  for (int w = 0; w < 30; ++w) {
    last = DecideFlushSettings(TestPolicy(), budget, os, states);
    EXPECT_LE(Reserved(last, os), budget);
    cut = cut || last[0].reason.find("budget") != std::string::npos;
    for (size_t i = 0; i < 2; ++i) {
      states[i] = last[i].next_state;
      os[i].write_buffer_size = last[i].new_write_buffer_size;
    }
  }
  EXPECT_TRUE(cut) << "the hot domain should have been held back by the budget "
                      "at some point";
  EXPECT_EQ(last[0].new_write_buffer_size, 1 * MiB);
  EXPECT_EQ(last[1].new_write_buffer_size, 64 * KiB);
}

TEST(FlushPolicyTest, BudgetBelowMinimumsGivesEveryoneMin) {
  std::vector<FlushObservation> os = {Base("a"), Base("b")};
  for (auto& o : os) {
    o.min_write_buffer_size = 1 * MiB;
    o.max_write_buffer_size = 4 * MiB;
    o.write_buffer_size = 2 * MiB;
    HighRate(&o);
  }
  const auto d = DecideFlushSettings(TestPolicy(), 2 * MiB, os, {});
  for (const auto& x : d) {
    EXPECT_EQ(x.new_write_buffer_size, 1 * MiB);
    EXPECT_NE(x.reason.find("below the minimum sizes"), std::string::npos) << x.reason;
  }
}

TEST(FlushPolicyTest, PresentSizesOverBudgetAreScaledDown) {
  std::vector<FlushObservation> os = {Base("a"), Base("b"), Base("c")};
  for (auto& o : os) {
    o.write_buffer_size = 1 * MiB;
    o.user_bytes = 30 * KiB;  // 3 KiB/s: neither growing nor shrinking at 1 MiB
    o.flush_entries_in = 1000;
    o.flush_entries_out = 100;
    o.flushes = 1;
  }
  os[2].write_buffer_size = 512 * KiB;
  const uint64_t budget = 2 * MiB;
  const auto d = DecideFlushSettings(TestPolicy(), budget, os, {});
  EXPECT_LE(Reserved(d, os), budget);
  // Proportional above min: a and b keep twice c's share above 64 KiB.
  EXPECT_EQ(d[0].new_write_buffer_size, d[1].new_write_buffer_size);
  EXPECT_GT(d[0].new_write_buffer_size, d[2].new_write_buffer_size);
  for (const auto& x : d) {
    EXPECT_NE(x.reason.find("to fit memtable budget 2 MiB"), std::string::npos) << x.reason;
  }
}

TEST(FlushPolicyTest, FixedDomainCountsAgainstBudget) {
  FlushObservation fixed = Base("fixed"), hot = Base("hot");
  fixed.adapt_write_buffer = false;
  fixed.write_buffer_size = 768 * KiB;
  HighRate(&hot);
  const auto last = SimulateAll(TestPolicy(), {fixed, hot}, 20, 2 * MiB);
  EXPECT_EQ(last[0].new_write_buffer_size, 768 * KiB);
  EXPECT_EQ(last[1].new_write_buffer_size, 256 * KiB);  // 2 MiB - 1.5 MiB, / 2
}

// Random observations over many windows: invariants hold and equal inputs
// give equal outputs.
TEST(FlushPolicyTest, RandomInputsKeepInvariantsAndAreDeterministic) {
  const FlushPolicy p = TestPolicy();
  uint64_t x = 42;
  auto next = [&x](uint64_t n) {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    return x % n;
  };
  const uint64_t budget = 3 * MiB;
  std::vector<FlushObservation> os = {Base("a"), Base("b"), Base("c"), Base("d")};
  os[3].adapt_l0_trigger = false;
  std::vector<FlushPolicyState> states(os.size());
  for (int w = 0; w < 500; ++w) {
    for (auto& o : os) {
      o.user_bytes = next(4) == 0 ? 0 : next(20 * MiB);
      o.flushes = next(3);
      o.flush_entries_in = next(2000);
      o.flush_entries_out = next(2000);
      o.l0_files = static_cast<int>(next(30));
      o.pending_compaction_bytes = next(3 * MiB);
      o.stall_micros = next(10) == 0 ? next(100000) : 0;
      o.l0_stalls = next(10) == 0 ? next(5) : 0;
      o.memtable_stalls = next(10) == 0 ? next(5) : 0;
    }
    const auto d1 = DecideFlushSettings(p, budget, os, states);
    const auto d2 = DecideFlushSettings(p, budget, os, states);
    ASSERT_EQ(d1.size(), d2.size());
    EXPECT_LE(Reserved(d1, os), budget);
    for (size_t i = 0; i < os.size(); ++i) {
      EXPECT_EQ(d1[i].new_write_buffer_size, d2[i].new_write_buffer_size);
      EXPECT_EQ(d1[i].new_l0_trigger, d2[i].new_l0_trigger);
      EXPECT_EQ(d1[i].reason, d2[i].reason);
      EXPECT_TRUE(d1[i].next_state == d2[i].next_state);
      EXPECT_GE(d1[i].new_write_buffer_size, os[i].min_write_buffer_size);
      EXPECT_LE(d1[i].new_write_buffer_size, os[i].max_write_buffer_size);
      EXPECT_FALSE(d1[i].write_buffer_reason.empty());
      EXPECT_FALSE(d1[i].l0_reason.empty());
      if (os[i].adapt_l0_trigger) {
        EXPECT_GE(d1[i].new_l0_trigger, os[i].base_l0_trigger);
        EXPECT_LE(d1[i].new_l0_trigger, MaxL0Trigger(p, os[i].base_l0_trigger, 20));
      } else {
        EXPECT_EQ(d1[i].new_l0_trigger, os[i].l0_trigger);
      }
      states[i] = d1[i].next_state;
      os[i].write_buffer_size = d1[i].new_write_buffer_size;
      os[i].l0_trigger = d1[i].new_l0_trigger;
    }
  }
}

TEST(FlushPolicyTest, FormatsFigures) {
  EXPECT_EQ(FormatBytes(0), "0 B");
  EXPECT_EQ(FormatBytes(1023), "1023 B");
  EXPECT_EQ(FormatBytes(64 * KiB), "64 KiB");
  EXPECT_EQ(FormatBytes(1536 * KiB), "1.5 MiB");
  EXPECT_EQ(FormatBytes(512 * MiB), "512 MiB");
  FlushObservation o = Base("inode");
  Overwrites(&o);
  const std::string s = DescribeObservation(o);
  EXPECT_NE(s.find("recent flushes 1000 -> 50 entries"), std::string::npos) << s;
  EXPECT_NE(s.find("L0 0 files (trigger 2, base 2, slowdown 20)"), std::string::npos) << s;
}

}  // namespace
}  // namespace metakv
