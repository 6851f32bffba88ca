// The purge deadline's due age (compaction/deadline_policy.h).
#include "compaction/deadline_policy.h"

#include <gtest/gtest.h>

namespace metakv {
namespace {

TEST(DeadlinePolicyTest, HalfTheDeadlineUntilPassesAreMeasured) {
  EXPECT_EQ(DeadlineDueAge(30, 0, 1), 15u);
  EXPECT_EQ(DeadlineDueAge(86400, 0, 1), 43200u);
}

// Due age + two gaps + the margin never passes the deadline; with short
// gaps files wait for most of it.
TEST(DeadlinePolicyTest, LeavesTwoGapsAndAMarginBeforeTheDeadline) {
  for (uint64_t deadline : {1u, 10u, 30u, 3600u, 86400u}) {
    for (uint64_t gap : {1u, 2u, 3u, 7u, 15u, 60u, 100000u}) {
      const uint64_t due = DeadlineDueAge(deadline, gap, 1);
      EXPECT_LE(due + 2 * gap + kDeadlineMarginSeconds, std::max(deadline, 2 * gap +
                                                                  kDeadlineMarginSeconds))
          << deadline << " " << gap;
      if (deadline > 2 * gap + kDeadlineMarginSeconds) {
        EXPECT_EQ(due + 2 * gap + kDeadlineMarginSeconds, deadline);
      } else {
        EXPECT_EQ(due, 0u);  // passes slower than the deadline: everything purgeable is due
      }
    }
  }
  EXPECT_EQ(DeadlineDueAge(30, 3, 1), 22u);
  EXPECT_EQ(DeadlineDueAge(86400, 60, 1), 86278u);
}

// Each step further from the purge costs one more gap: the last step still
// ends within the deadline.
TEST(DeadlinePolicyTest, EachStepCostsAGap) {
  EXPECT_EQ(DeadlineDueAge(30, 3, 0), 22u);  // at least one step
  EXPECT_EQ(DeadlineDueAge(30, 3, 2), 19u);
  EXPECT_EQ(DeadlineDueAge(30, 3, 3), 16u);
  EXPECT_EQ(DeadlineDueAge(30, 3, 20), 0u);
  EXPECT_EQ(DeadlineDueAge(30, 0, 2), 10u);  // no gap known: D / (steps + 1)
  for (uint64_t steps = 1; steps < 6; ++steps) {
    const uint64_t due = DeadlineDueAge(1000, 7, steps);
    EXPECT_EQ(due + (steps + 1) * 7 + kDeadlineMarginSeconds, 1000u) << steps;
  }
  const DueAge fixed = DueAge::Fixed(5);
  EXPECT_EQ(fixed.ForSteps(1), 5u);
  EXPECT_EQ(fixed.ForSteps(4), 5u);
  const DueAge policy = DueAge::ForDeadline(30, 3);
  EXPECT_EQ(policy.ForSteps(1), 22u);
  EXPECT_EQ(policy.ForSteps(2), 19u);
  EXPECT_EQ(DueAge::Fixed(0).ForSteps(3), 0u);
}

TEST(DeadlinePolicyTest, TheLongestRecentGapCounts) {
  PassGaps gaps;
  EXPECT_EQ(gaps.MaxGap(), 0u);
  gaps.Start(100);
  EXPECT_EQ(gaps.MaxGap(), 0u);  // one pass: no gap yet
  gaps.Start(103);
  gaps.Start(104);
  EXPECT_EQ(gaps.MaxGap(), 3u);
  gaps.Start(104);  // the same second: counted as one tick
  EXPECT_EQ(gaps.MaxGap(), 3u);
  gaps.Start(124);  // a slow pass
  EXPECT_EQ(gaps.MaxGap(), 20u);
  // Forgotten after kPasses more passes.
  uint64_t t = 124;
  for (size_t i = 0; i < PassGaps::kPasses; ++i) gaps.Start(t += 2);
  EXPECT_EQ(gaps.MaxGap(), 2u);
}

}  // namespace
}  // namespace metakv
