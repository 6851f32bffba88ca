// When the purge deadline's maintenance work takes a file: the age (in the
// store's seconds, past the time its oldest record became purgeable) at
// which a file is due for its purge compaction.
//
// The deadline D bounds how long a purgeable record may lie in the files.
// The maintenance pass finds due files and compacts each one step: a file
// at the last level in place, a file above it one level down (its deletion
// markers keep their time, so the next pass takes them on), a memtable by a
// flush. A record s steps from its purge that turns due just after a pass
// started is found by the next pass, and its last step ends before the
// (s+1)-th pass after that one starts: with G the longest time from one
// pass's start to the next one's, it is gone by due age + (s + 1) G. So the
// due age is D - (s + 1) G - a margin: each file is rewritten about once
// per deadline (not twice, as a fixed D/2 did), and the bound still holds
// when passes slow down, since G follows them. Until two passes have been
// seen, D / (s + 1).
// Pure functions and a plain value type: thread-compatible.
#ifndef METAKV_COMPACTION_DEADLINE_POLICY_H_
#define METAKV_COMPACTION_DEADLINE_POLICY_H_

#include <algorithm>
#include <array>
#include <cstdint>

namespace metakv {

// Seconds of margin on top of twice the longest gap between passes: the
// store's clock counts whole seconds.
inline constexpr uint64_t kDeadlineMarginSeconds = 2;

// The due age for deadline seconds of a record steps (>= 1) compactions or
// flushes from its purge, given the longest recent gap between pass starts
// (0: none measured yet).
inline uint64_t DeadlineDueAge(uint64_t deadline, uint64_t max_gap, uint64_t steps) {
  steps = std::max<uint64_t>(steps, 1);
  if (max_gap == 0) return deadline / (steps + 1);
  const uint64_t slack = (steps + 1) * max_gap + kDeadlineMarginSeconds;
  return deadline > slack ? deadline - slack : 0;
}

// The due age of each step count: the deadline's (above), or one fixed age
// whatever the steps (Store::EnforcePurgeDeadline(min_age)).
class DueAge {
 public:
  static DueAge Fixed(uint64_t age) { return DueAge(age, 0, 0); }
  static DueAge ForDeadline(uint64_t deadline, uint64_t max_gap) {
    return DueAge(0, deadline, max_gap);
  }

  uint64_t ForSteps(uint64_t steps) const {
    return deadline_ == 0 ? fixed_ : DeadlineDueAge(deadline_, max_gap_, steps);
  }

 private:
  DueAge(uint64_t fixed, uint64_t deadline, uint64_t max_gap)
      : fixed_(fixed), deadline_(deadline), max_gap_(max_gap) {}
  uint64_t fixed_;
  uint64_t deadline_;  // 0: fixed
  uint64_t max_gap_;
};

// The start times of the last few maintenance passes (store seconds) and
// the longest gap between them.
class PassGaps {
 public:
  static constexpr size_t kPasses = 8;

  // A pass starts at now (store seconds, never decreasing).
  void Start(uint64_t now) {
    if (count_ > 0) {
      const uint64_t gap = now >= last_ ? now - last_ : 0;
      gaps_[next_] = std::max<uint64_t>(gap, 1);  // at least a tick
      next_ = (next_ + 1) % kPasses;
      filled_ = std::min(filled_ + 1, kPasses);
    }
    last_ = now;
    ++count_;
  }

  // The longest of the recent gaps; 0 before two passes have started.
  uint64_t MaxGap() const {
    uint64_t m = 0;
    for (size_t i = 0; i < filled_; ++i) m = std::max(m, gaps_[i]);
    return m;
  }

 private:
  std::array<uint64_t, kPasses> gaps_{};
  size_t next_ = 0;
  size_t filled_ = 0;
  uint64_t last_ = 0;
  uint64_t count_ = 0;
};

}  // namespace metakv

#endif  // METAKV_COMPACTION_DEADLINE_POLICY_H_
