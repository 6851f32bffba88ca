#include "compaction/flush_policy.h"

#include <algorithm>
#include <cassert>
#include <cinttypes>
#include <cstdarg>
#include <cstdint>
#include <cstdio>
#include <limits>

namespace metakv {

namespace {

using u128 = unsigned __int128;

std::string Printf(const char* fmt, ...) __attribute__((format(printf, 1, 2)));
std::string Printf(const char* fmt, ...) {
  char buf[512];
  va_list ap;
  va_start(ap, fmt);
  const int n = std::vsnprintf(buf, sizeof(buf), fmt, ap);
  va_end(ap);
  if (n < 0) return std::string();
  return std::string(buf, std::min<size_t>(static_cast<size_t>(n), sizeof(buf) - 1));
}

std::string Seconds(double s) {
  if (s == std::numeric_limits<double>::infinity()) return "never";
  return Printf("%.1f s", s);
}

std::string Percent(double ratio) { return Printf("%.0f%%", ratio * 100); }

// Seconds for the present memtable to fill at the window's rate.
double FillSeconds(uint64_t size, double rate) {
  if (rate <= 0) return std::numeric_limits<double>::infinity();
  return static_cast<double>(size) / rate;
}

std::string Streak(int have, int need) { return Printf(" (%d/%d windows)", have, need); }

// What the write-buffer pass decided before the budget pass.
struct SizePlan {
  bool adaptive = true;
  uint64_t lo = 0;
  uint64_t keep = 0;    // present size clamped to bounds, or the shrunk target
  uint64_t target = 0;  // wanted size (> keep only when growing)
  int buffers = 2;
  std::string why;
};

SizePlan PlanWriteBuffer(const FlushPolicy& p, const FlushObservation& o, FlushPolicyState* st) {
  SizePlan plan;
  plan.buffers = std::max(1, o.max_write_buffer_number);
  const uint64_t cur = o.write_buffer_size;
  if (!o.adapt_write_buffer) {
    st->grow_streak = st->shrink_streak = 0;
    plan.adaptive = false;
    plan.lo = plan.keep = plan.target = cur;
    plan.why = "fixed at " + FormatBytes(cur) + " (adaptive write buffer off)";
    return plan;
  }
  const uint64_t lo = o.min_write_buffer_size;
  const uint64_t hi = std::max(o.max_write_buffer_size, lo);
  const uint64_t base = std::clamp(cur, lo, hi);
  plan.lo = lo;
  plan.keep = plan.target = base;
  std::string prefix;
  if (base != cur) {
    prefix = "clamped " + FormatBytes(cur) + " into [" + FormatBytes(lo) + ", " + FormatBytes(hi) +
             "]; ";
  }
  if (o.window_micros == 0) {
    plan.why = prefix + "hold " + FormatBytes(base) + ": empty window";
    return plan;
  }

  const double rate = WriteRateBytesPerSecond(o);
  const double fill = FillSeconds(base, rate);
  const double absorb = MemtableAbsorption(p, o);
  const bool idle = IsIdle(p, o);
  const bool absorbing = absorb >= 0 && absorb >= p.absorb_grow_ratio;
  const bool fast = fill < p.min_flush_interval_seconds;
  const bool absorb_grow = absorbing && fill < p.max_flush_interval_seconds;
  const bool grow = !idle && (fast || absorb_grow);
  const bool oversized = !absorbing && fill > p.max_flush_interval_seconds;
  const bool shrink = !grow && (idle || oversized);

  const std::string figures = FormatBytes(static_cast<uint64_t>(rate)) + "/s, fills " +
                              FormatBytes(base) + " in " + Seconds(fill) + ", absorbs " +
                              (absorb < 0 ? std::string("n/a") : Percent(absorb));

  std::string cause;
  if (grow) {
    if (absorb_grow) cause = "memtable absorbs " + Percent(absorb) + " of entries as overwrites";
    if (fast) {
      if (!cause.empty()) cause += " and ";
      cause += "fills in " + Seconds(fill) + " < " + Seconds(p.min_flush_interval_seconds) +
               " at " + FormatBytes(static_cast<uint64_t>(rate)) + "/s";
    }
  } else if (shrink) {
    cause = idle ? "idle (" + FormatBytes(static_cast<uint64_t>(rate)) + "/s, no flush)"
                 : "oversized: fills in " + Seconds(fill) + " > " +
                       Seconds(p.max_flush_interval_seconds) + " and absorbs " +
                       (absorb < 0 ? std::string("n/a") : Percent(absorb));
  }

  if (grow && base < hi) {
    st->shrink_streak = 0;
    ++st->grow_streak;
    if (st->grow_streak >= p.grow_windows) {
      plan.target = base > hi / 2 ? hi : std::min(base * 2, hi);
      plan.why = prefix + "grow " + FormatBytes(base) + " -> " + FormatBytes(plan.target) + ": " +
                 cause + Streak(st->grow_streak, p.grow_windows);
      st->grow_streak = 0;
    } else {
      plan.why = prefix + "hold " + FormatBytes(base) + ", growing: " + cause +
                 Streak(st->grow_streak, p.grow_windows);
    }
  } else if (shrink && base > lo) {
    st->grow_streak = 0;
    ++st->shrink_streak;
    if (st->shrink_streak >= p.shrink_windows) {
      plan.keep = plan.target = std::max(base / 2, lo);
      plan.why = prefix + "shrink " + FormatBytes(base) + " -> " + FormatBytes(plan.target) + ": " +
                 cause + Streak(st->shrink_streak, p.shrink_windows);
      st->shrink_streak = 0;
    } else {
      plan.why = prefix + "hold " + FormatBytes(base) + ", shrinking: " + cause +
                 Streak(st->shrink_streak, p.shrink_windows);
    }
  } else {
    st->grow_streak = st->shrink_streak = 0;
    if (grow) {
      plan.why = prefix + "hold " + FormatBytes(base) + " (max): " + cause;
    } else if (shrink) {
      plan.why = prefix + "hold " + FormatBytes(base) + " (min): " + cause;
    } else {
      plan.why = prefix + "hold " + FormatBytes(base) + ": " + figures + " (grow below " +
                 Seconds(p.min_flush_interval_seconds) +
                 " or absorbing >= " + Percent(p.absorb_grow_ratio) +
                 ", shrink when idle or above " + Seconds(p.max_flush_interval_seconds) + ")";
    }
  }
  return plan;
}

int PlanL0Trigger(const FlushPolicy& p, const FlushObservation& o, FlushPolicyState* st,
                  std::string* why) {
  const int cur = o.l0_trigger;
  if (!o.adapt_l0_trigger) {
    st->raise_streak = st->relax_streak = 0;
    *why = Printf("fixed at %d (adaptive L0 trigger off)", cur);
    return cur;
  }
  const int base = std::max(1, o.base_l0_trigger);
  const int cap = MaxL0Trigger(p, base, o.l0_slowdown_trigger);
  const int now = std::clamp(cur, base, cap);
  std::string prefix;
  if (now != cur) prefix = Printf("clamped %d into [%d, %d]; ", cur, base, cap);
  if (o.window_micros == 0) {
    *why = prefix + Printf("hold %d: empty window", now);
    return now;
  }
  const int step = std::max(1, base / 2);
  const uint64_t thr = p.pending_compaction_pressure_bytes;
  const bool idle = IsIdle(p, o);
  const bool stalled = o.l0_stalls > 0;
  // An idle domain adds no L0 files: what it has is compacted anyway.
  const bool l0_behind = !idle && o.l0_files >= now;
  const bool l0_drained = idle || o.l0_files <= now / 2;
  const bool pending_high = thr > 0 && o.pending_compaction_bytes >= thr;
  const bool pressure = l0_behind || pending_high || stalled;
  const bool calm = l0_drained && (thr == 0 || o.pending_compaction_bytes < thr / 2) && !stalled;

  std::string cause;
  if (pressure) {
    if (l0_behind) cause = Printf("L0 has %d files >= trigger %d", o.l0_files, now);
    if (pending_high) {
      if (!cause.empty()) cause += ", ";
      cause += "pending compaction " + FormatBytes(o.pending_compaction_bytes) +
               " >= " + FormatBytes(thr);
    }
    if (stalled) {
      if (!cause.empty()) cause += ", ";
      cause += Printf("%" PRIu64 " write stalls on L0 files or pending compaction (%" PRIu64
                      " us stalled)",
                      o.l0_stalls, o.stall_micros);
    }
  } else {
    cause = Printf("L0 has %d files (trigger %d)%s, pending compaction ", o.l0_files, now,
                   idle ? ", idle" : "") +
            FormatBytes(o.pending_compaction_bytes) + ", no stall";
  }

  int target = now;
  if (pressure && now < cap) {
    st->relax_streak = 0;
    ++st->raise_streak;
    if (st->raise_streak >= p.l0_raise_windows) {
      target = std::min(cap, now + step);
      *why = prefix +
             Printf("raise %d -> %d (cap %d, slowdown %d): ", now, target, cap,
                    o.l0_slowdown_trigger) +
             cause + Streak(st->raise_streak, p.l0_raise_windows);
      st->raise_streak = 0;
    } else {
      *why = prefix + Printf("hold %d, pressure: ", now) + cause +
             Streak(st->raise_streak, p.l0_raise_windows);
    }
  } else if (calm && now > base) {
    st->raise_streak = 0;
    ++st->relax_streak;
    if (st->relax_streak >= p.l0_relax_windows) {
      target = std::max(base, now - step);
      *why = prefix + Printf("lower %d -> %d (base %d): calm, ", now, target, base) + cause +
             Streak(st->relax_streak, p.l0_relax_windows);
      st->relax_streak = 0;
    } else {
      *why = prefix + Printf("hold %d, calm: ", now) + cause +
             Streak(st->relax_streak, p.l0_relax_windows);
    }
  } else {
    st->raise_streak = st->relax_streak = 0;
    if (pressure) {
      *why = prefix + Printf("hold %d (cap, slowdown %d): ", now, o.l0_slowdown_trigger) + cause;
    } else if (now == base) {
      *why = prefix + Printf("hold %d (base): ", now) + cause;
    } else {
      *why = prefix + Printf("hold %d: ", now) + cause;
    }
  }
  return target;
}

uint64_t RoundDown(uint64_t v, uint64_t granularity) {
  return granularity > 1 ? v - v % granularity : v;
}

// Brings the plans within the budget (see the header) and appends the
// reason to each plan it changed.
void FitBudget(const FlushPolicy& p, uint64_t budget, std::vector<SizePlan>* plans) {
  if (budget == 0) return;
  u128 fixed = 0, floor = 0, keep = 0, want = 0;
  for (const SizePlan& s : *plans) {
    const u128 n = static_cast<u128>(s.buffers);
    if (!s.adaptive) {
      fixed += n * s.target;
      continue;
    }
    floor += n * s.lo;
    keep += n * s.keep;
    want += n * s.target;
  }
  if (fixed + want <= budget) return;
  const std::string b = FormatBytes(budget);

  if (fixed + floor > budget) {
    for (SizePlan& s : *plans) {
      if (!s.adaptive) continue;
      s.keep = s.target = s.lo;
      s.why += "; memtable budget " + b + " is below the minimum sizes (" +
               FormatBytes(static_cast<uint64_t>(std::min<u128>(fixed + floor, UINT64_MAX))) +
               " with x" + std::to_string(s.buffers) + " buffers): set to min " + FormatBytes(s.lo);
    }
    return;
  }
  if (fixed + keep <= budget) {
    // Cut growth: every growing domain gets the same share of its growth.
    const u128 room = budget - fixed - keep;
    const u128 asked = want - keep;
    for (SizePlan& s : *plans) {
      if (!s.adaptive || s.target <= s.keep) continue;
      const uint64_t wanted = s.target;
      const u128 inc = static_cast<u128>(s.target - s.keep) * room / asked;
      const uint64_t granted = RoundDown(static_cast<uint64_t>(inc), p.size_granularity_bytes);
      s.target = s.keep + granted;
      if (granted == 0) {
        s.why +=
            "; growth to " + FormatBytes(wanted) + " refused: memtable budget " + b + " is full";
      } else {
        s.why += "; growth cut to " + FormatBytes(s.target) + " to fit memtable budget " + b;
      }
    }
    return;
  }
  // Present sizes alone overrun the budget: scale every adaptive domain
  // between its min and its kept size.
  const u128 room = budget - fixed - floor;
  const u128 above = keep - floor;
  for (SizePlan& s : *plans) {
    if (!s.adaptive) continue;
    const uint64_t before = s.keep;
    const bool was_growing = s.target > s.keep;
    const u128 extra = static_cast<u128>(s.keep - s.lo) * room / above;
    s.keep = s.target = s.lo + RoundDown(static_cast<uint64_t>(extra), p.size_granularity_bytes);
    if (was_growing) s.why += "; growth refused: memtable budget " + b + " is overrun";
    if (s.target != before) {
      s.why += "; scaled " + FormatBytes(before) + " -> " + FormatBytes(s.target) +
               " to fit memtable budget " + b;
    }
  }
}

}  // namespace

std::string FormatBytes(uint64_t bytes) {
  static const char* const kUnits[] = {"B", "KiB", "MiB", "GiB", "TiB"};
  if (bytes < 1024) return Printf("%" PRIu64 " B", bytes);
  double v = static_cast<double>(bytes);
  int unit = 0;
  while (v >= 1024 && unit < 4) {
    v /= 1024;
    ++unit;
  }
  if (v == static_cast<double>(static_cast<uint64_t>(v))) {
    return Printf("%" PRIu64 " %s", static_cast<uint64_t>(v), kUnits[unit]);
  }
  return Printf("%.1f %s", v, kUnits[unit]);
}

double WriteRateBytesPerSecond(const FlushObservation& o) {
  if (o.window_micros == 0) return 0;
  return static_cast<double>(o.user_bytes) * 1e6 / static_cast<double>(o.window_micros);
}

double MemtableAbsorption(const FlushPolicy& policy, const FlushObservation& o) {
  if (o.flush_entries_in == 0 || o.flush_entries_in < policy.min_absorb_sample_entries) {
    return -1;
  }
  if (o.flush_entries_out >= o.flush_entries_in) return 0;
  return 1.0 - static_cast<double>(o.flush_entries_out) / static_cast<double>(o.flush_entries_in);
}

bool IsIdle(const FlushPolicy& policy, const FlushObservation& o) {
  return o.flushes == 0 && WriteRateBytesPerSecond(o) < policy.idle_bytes_per_second;
}

int MaxL0Trigger(const FlushPolicy& policy, int base_trigger, int slowdown_trigger) {
  const int base = std::max(1, base_trigger);
  const int headroom = std::max(2, slowdown_trigger / 4);
  const int by_multiplier = base * std::max(1, policy.l0_max_trigger_multiplier);
  return std::max(base, std::min(by_multiplier, slowdown_trigger - headroom));
}

std::string DescribeObservation(const FlushObservation& o) {
  std::string absorb = "n/a";
  if (o.flush_entries_in > 0) {
    absorb = Printf("%" PRIu64 " -> %" PRIu64 " entries", o.flush_entries_in, o.flush_entries_out);
  }
  return Printf("window %.1f s, user ", static_cast<double>(o.window_micros) / 1e6) +
         FormatBytes(o.user_bytes) + " (" +
         FormatBytes(static_cast<uint64_t>(WriteRateBytesPerSecond(o))) + "/s), " +
         Printf("flushes %" PRIu64 " (", o.flushes) + FormatBytes(o.flush_bytes) +
         "), recent flushes " + absorb +
         Printf(", L0 %d files (trigger %d, base %d, slowdown %d)", o.l0_files, o.l0_trigger,
                o.base_l0_trigger, o.l0_slowdown_trigger) +
         ", pending compaction " + FormatBytes(o.pending_compaction_bytes) +
         Printf(", stalls %" PRIu64 " us (L0/pending %" PRIu64 ", memtable %" PRIu64 ")",
                o.stall_micros, o.l0_stalls, o.memtable_stalls) +
         ", memtables " + FormatBytes(o.memtable_bytes) + ", write buffer " +
         FormatBytes(o.write_buffer_size) + Printf(" x%d", o.max_write_buffer_number) + " in [" +
         FormatBytes(o.min_write_buffer_size) + ", " + FormatBytes(o.max_write_buffer_size) + "]";
}

std::vector<FlushDecision> DecideFlushSettings(const FlushPolicy& policy,
                                               uint64_t memtable_budget_bytes,
                                               const std::vector<FlushObservation>& observations,
                                               const std::vector<FlushPolicyState>& states) {
  assert(states.empty() || states.size() == observations.size());
  std::vector<FlushDecision> out(observations.size());
  std::vector<SizePlan> plans(observations.size());
  for (size_t i = 0; i < observations.size(); ++i) {
    const FlushObservation& o = observations[i];
    FlushDecision& d = out[i];
    d.domain = o.domain;
    d.next_state = states.empty() || i >= states.size() ? FlushPolicyState() : states[i];
    d.old_write_buffer_size = o.write_buffer_size;
    d.old_l0_trigger = o.l0_trigger;
    plans[i] = PlanWriteBuffer(policy, o, &d.next_state);
    d.new_l0_trigger = PlanL0Trigger(policy, o, &d.next_state, &d.l0_reason);
  }
  FitBudget(policy, memtable_budget_bytes, &plans);
  for (size_t i = 0; i < out.size(); ++i) {
    FlushDecision& d = out[i];
    d.new_write_buffer_size = plans[i].target;
    d.write_buffer_reason = std::move(plans[i].why);
    d.reason = "write_buffer_size: " + d.write_buffer_reason + "; L0 trigger: " + d.l0_reason;
  }
  return out;
}

}  // namespace metakv
