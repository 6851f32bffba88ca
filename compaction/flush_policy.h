// The adaptive flush controller's policy: a pure, deterministic function from
// the figures observed for each domain over one window to that domain's next
// write_buffer_size and L0 compaction trigger, each with a reason a person
// can read. No I/O; the loop that observes and applies lives in
// compaction/flush_controller.h.
//
// Memtable size (write_buffer_size), kept within the domain's [min, max]:
// - A current size outside [min, max] is clamped first.
// - Grow signal (the domain is not idle, and either):
//   * fast: at the window's user write rate the memtable fills in less than
//     min_flush_interval_seconds. Frequent small flushes make many small L0
//     files and more L0->L1 rewriting per user byte; or
//   * absorbing: recent flushes wrote at most (1 - absorb_grow_ratio) of the
//     entries inserted into their memtables (absorption = 1 - entries out /
//     entries in >= absorb_grow_ratio): overwrites die in the memtable, and a
//     larger memtable lets more of them die before reaching disk. Counts only
//     while the memtable still fills within max_flush_interval_seconds, and
//     only from a sample of at least min_absorb_sample_entries entries.
// - Shrink signal: idle (user write rate below idle_bytes_per_second and no
//   flush in the window), or oversized (the memtable would take longer than
//   max_flush_interval_seconds to fill and does not absorb overwrites).
// - Hysteresis: the size doubles (capped at max) after grow_windows
//   consecutive windows with a grow signal, and halves (floored at min)
//   after shrink_windows consecutive windows with a shrink signal. A window
//   without the signal resets the streak, and a change resets it too, so
//   alternating inputs never change anything. The gap between the two
//   intervals (8x by default, more than the 2x step) keeps a halving from
//   re-arming growth.
// - Budget: the sum over domains of size * max_write_buffer_number stays
//   within the memtable budget (the WriteBufferManager's size). Over it, the
//   growth asked for is cut first (every growing domain gets the same share
//   of the growth it asked for); if the domains' present sizes alone overrun
//   it, every adaptive domain is scaled down between its min and its size in
//   proportion; if even the minimums overrun it, every adaptive domain gets
//   its min and the reason says so. Scaled sizes are rounded down to
//   size_granularity_bytes, never below min.
//
// L0 compaction trigger, kept within [base, cap] where
// cap = max(base, min(base * l0_max_trigger_multiplier,
//                     slowdown - max(2, slowdown / 4))),
// so the trigger always stays well below level0_slowdown_writes_trigger:
// - Pressure: a domain that is not idle holds at least `trigger` files in
//   L0 (L0->L1 compaction is behind), pending compaction bytes >=
//   pending_compaction_pressure_bytes (0 disables this signal), or the
//   domain stalled writes on its L0 file count or pending compaction bytes
//   in the window (memtable stalls do not count). After
//   l0_raise_windows consecutive pressure windows the trigger rises by
//   step = max(1, base / 2): fewer, larger L0->L1 compactions rewrite L1
//   less often per flushed byte.
// - Calm: L0 holds at most trigger / 2 files (or the domain is idle: it adds
//   no L0 files), pending bytes are below half the threshold and no stall.
//   After l0_relax_windows consecutive calm windows the trigger falls by one
//   step toward base.
// - Anything in between holds and resets both streaks. The gap between
//   "at least trigger" and "at most trigger / 2" files is the dead band
//   that keeps a steady L0 count from moving the trigger up and down.
//
// A domain with adapt_write_buffer (or adapt_l0_trigger) off keeps its
// present value unchanged (its memtable still counts against the budget).
//
// Thread-safety: plain values and pure functions; safe from any thread.
#ifndef METAKV_COMPACTION_FLUSH_POLICY_H_
#define METAKV_COMPACTION_FLUSH_POLICY_H_

#include <cstdint>
#include <string>
#include <vector>

namespace metakv {

// Tuning of the policy. Defaults suit the production bounds (64-512 MiB
// memtables); tests scale the byte figures down.
struct FlushPolicy {
  // Grow if the memtable fills faster than this. Default: 60.
  double min_flush_interval_seconds = 60;
  // Shrink a non-absorbing memtable that would take longer than this to
  // fill; absorption only counts as a grow signal below it. Default: 480.
  double max_flush_interval_seconds = 480;
  // Absorption (1 - entries flushed / entries inserted) at or above which
  // the memtable counts as absorbing overwrites. Default: 0.5.
  double absorb_grow_ratio = 0.5;
  // Absorption is trusted only over at least this many inserted entries.
  // Default: 10000.
  uint64_t min_absorb_sample_entries = 10000;
  // A domain writing less than this, with no flush in the window, is idle.
  // Default: 1024.
  double idle_bytes_per_second = 1024;
  // Consecutive windows a signal must hold before acting. Defaults: 2, 3.
  int grow_windows = 2;
  int shrink_windows = 3;
  // Same for the L0 trigger. Defaults: 2, 3.
  int l0_raise_windows = 2;
  int l0_relax_windows = 3;
  // The trigger never exceeds base * this (nor the slowdown cap). Default: 3.
  int l0_max_trigger_multiplier = 3;
  // Pending compaction bytes that count as pressure; 0 disables.
  // Default: 1 GiB.
  uint64_t pending_compaction_pressure_bytes = 1ull << 30;
  // Sizes scaled to fit the budget are multiples of this. Default: 64 KiB.
  uint64_t size_granularity_bytes = 64ull << 10;
};

// What was observed for one domain. "Window" figures cover the time since
// the previous observation; "now" figures are read at the end of it.
struct FlushObservation {
  std::string domain;

  // ---- Over the window ----
  uint64_t window_micros = 0;
  // Bytes callers wrote to the domain (DomainCounters::user_bytes).
  uint64_t user_bytes = 0;
  // Flushes completed and SST bytes they wrote.
  uint64_t flushes = 0;
  uint64_t flush_bytes = 0;
  // Write stall time in the window (RocksDB counts it database-wide; the
  // controller attributes it to the domains that stalled). Informative: the
  // policy acts on the causes below.
  uint64_t stall_micros = 0;
  // Stall counts of this domain by cause ("rocksdb.cfstats" io_stalls.*):
  // L0 file count or pending compaction bytes (slowdowns and stops), and
  // too many memtables. Only the first is L0 pressure: a higher L0 trigger
  // does nothing for a flush that cannot keep up.
  uint64_t l0_stalls = 0;
  uint64_t memtable_stalls = 0;

  // ---- Recent flushes (the last few, whatever window they fell in) ----
  // Entries inserted into the memtables those flushes persisted, and
  // entries they wrote. in - out is what the memtable absorbed.
  uint64_t flush_entries_in = 0;
  uint64_t flush_entries_out = 0;

  // ---- Now ----
  int l0_files = 0;
  uint64_t pending_compaction_bytes = 0;
  uint64_t memtable_bytes = 0;  // all memtables of the domain, informative
  uint64_t write_buffer_size = 0;
  int max_write_buffer_number = 2;
  int l0_trigger = 4;
  int l0_slowdown_trigger = 20;

  // ---- The domain's bounds ----
  uint64_t min_write_buffer_size = 64ull << 20;
  uint64_t max_write_buffer_size = 512ull << 20;
  int base_l0_trigger = 4;
  bool adapt_write_buffer = true;
  bool adapt_l0_trigger = true;
};

// Hysteresis state of one domain, carried from one decision to the next.
struct FlushPolicyState {
  int grow_streak = 0;
  int shrink_streak = 0;
  int raise_streak = 0;
  int relax_streak = 0;
  bool operator==(const FlushPolicyState& o) const {
    return grow_streak == o.grow_streak && shrink_streak == o.shrink_streak &&
           raise_streak == o.raise_streak && relax_streak == o.relax_streak;
  }
};

struct FlushDecision {
  std::string domain;
  uint64_t old_write_buffer_size = 0;
  uint64_t new_write_buffer_size = 0;
  int old_l0_trigger = 0;
  int new_l0_trigger = 0;
  // Why each value is what it is; never empty.
  std::string write_buffer_reason;
  std::string l0_reason;
  // "write_buffer_size: <write_buffer_reason>; L0 trigger: <l0_reason>".
  std::string reason;
  // The state to pass to the next decision for this domain.
  FlushPolicyState next_state;

  bool write_buffer_changed() const { return new_write_buffer_size != old_write_buffer_size; }
  bool l0_trigger_changed() const { return new_l0_trigger != old_l0_trigger; }
  bool changed() const { return write_buffer_changed() || l0_trigger_changed(); }
};

// Decides every domain's next settings. memtable_budget_bytes is the total
// memtable memory (0 means unlimited). states holds each domain's state from
// the previous decision, in the order of observations; empty means fresh
// state for all. Returns one decision per observation, in order. A domain
// with window_micros == 0 holds and keeps its state.
// REQUIRES: states is empty or states.size() == observations.size().
std::vector<FlushDecision> DecideFlushSettings(const FlushPolicy& policy,
                                               uint64_t memtable_budget_bytes,
                                               const std::vector<FlushObservation>& observations,
                                               const std::vector<FlushPolicyState>& states);

// Derived figures, as the policy sees them.
// User bytes per second over the window (0 if the window is empty).
double WriteRateBytesPerSecond(const FlushObservation& o);
// Absorption in [0, 1], or a negative value if the sample is too small.
double MemtableAbsorption(const FlushPolicy& policy, const FlushObservation& o);
bool IsIdle(const FlushPolicy& policy, const FlushObservation& o);
// The largest L0 trigger the policy will set for these figures.
int MaxL0Trigger(const FlushPolicy& policy, int base_trigger, int slowdown_trigger);

// One line describing an observation, for logs and history.
std::string DescribeObservation(const FlushObservation& o);
// "512 B", "64 KiB", "1.5 MiB".
std::string FormatBytes(uint64_t bytes);

}  // namespace metakv

#endif  // METAKV_COMPACTION_FLUSH_POLICY_H_
