// The purge deadline's due age (compaction/deadline_policy.h).
#include "compaction/deadline_policy.h"

#include <gtest/gtest.h>

namespace metakv {
namespace {

TEST(DeadlinePolicyTest, HalfTheDeadlineUntilPassesAreMeasured) {
  EXPECT_EQ(DeadlineDueAge(30, 0), 15u);
  EXPECT_EQ(DeadlineDueAge(86400, 0), 43200u);
}

// Due age + two gaps + the margin never passes the deadline; with short
// gaps files wait for most of it.
TEST(DeadlinePolicyTest, LeavesTwoGapsAndAMarginBeforeTheDeadline) {
  for (uint64_t deadline : {1u, 10u, 30u, 3600u, 86400u}) {
    for (uint64_t gap : {1u, 2u, 3u, 7u, 15u, 60u, 100000u}) {
      const uint64_t due = DeadlineDueAge(deadline, gap);
      EXPECT_LE(due + 2 * gap + kDeadlineMarginSeconds,
                std::max(deadline, 2 * gap + kDeadlineMarginSeconds))
          << deadline << " " << gap;
      if (deadline > 2 * gap + kDeadlineMarginSeconds) {
        EXPECT_EQ(due + 2 * gap + kDeadlineMarginSeconds, deadline);
      } else {
        EXPECT_EQ(due, 0u);  // passes slower than the deadline: everything purgeable is due
      }
    }
  }
  EXPECT_EQ(DeadlineDueAge(30, 3), 22u);
  EXPECT_EQ(DeadlineDueAge(86400, 60), 86278u);
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
