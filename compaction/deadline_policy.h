// When the purge deadline's maintenance work takes a file: the age (in the
// store's seconds, past the time its oldest record became purgeable) at
// which a file is due for its purge compaction.
//
// The deadline D bounds how long a purgeable record may lie in the files.
// The maintenance pass finds due files and compacts them in the same pass.
// A file that turns due just after a pass started is found by the next
// pass, and compacted before that pass ends: with G the longest time from
// one pass's start to the next one's, it is gone by due age + 2G. So the
// due age is D - 2G - a margin: each file is rewritten once per about D,
// not twice (as a fixed D/2 did), and the bound still holds when passes
// slow down, since G follows them. Until a few passes have been seen, D/2.
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

// The due age for deadline seconds, given the longest recent gap between
// pass starts (0: none measured yet, then deadline / 2).
inline uint64_t DeadlineDueAge(uint64_t deadline, uint64_t max_gap) {
  if (max_gap == 0) return deadline / 2;
  const uint64_t slack = 2 * max_gap + kDeadlineMarginSeconds;
  return deadline > slack ? deadline - slack : 0;
}

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
