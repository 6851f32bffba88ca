// Tests of common/format.h: ISO-8601 times against the C library's gmtime,
// percentages, counts, escaped byte strings and decimal numbers.
#include "common/format.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <ctime>
#include <string>
#include <vector>

namespace metakv::common {
namespace {

TEST(FormatTest, IsoTimeMatchesGmtime) {
  uint64_t x = 12345;
  std::vector<uint64_t> samples{
      1,           59, 86399, 86400, 951782400 /* 2000-02-29 */, 4107542400 /* 2100-03-01 */,
      253402300799 /* 9999-12-31 */};
  for (int i = 0; i < 2000; ++i) {
    x = x * 6364136223846793005ull + 1442695040888963407ull;
    samples.push_back(1 + (x >> 20) % 253402300799ull);
  }
  for (uint64_t t : samples) {
    const std::time_t tt = static_cast<std::time_t>(t);
    std::tm tm{};
    gmtime_r(&tt, &tm);
    char want[32];
    std::strftime(want, sizeof(want), "%Y-%m-%dT%H:%M:%SZ", &tm);
    ASSERT_EQ(IsoTime(t), want) << t;
  }
  EXPECT_EQ(IsoTime(0), "-");
}

TEST(FormatTest, AppendIsoTimeAppendsAndPassesYear9999) {
  std::string out = "at ";
  AppendIsoTime(1700000000, &out);
  EXPECT_EQ(out, "at 2023-11-14T22:13:20Z");
  EXPECT_EQ(IsoTime(253402300800ull), "253402300800");  // past the fixed format
}

TEST(FormatTest, PercentShareAndCount) {
  std::string out;
  AppendPercent(Share(1, 6), &out);
  EXPECT_EQ(out, "16.7%");
  out.clear();
  AppendPercent(1.0, &out);
  EXPECT_EQ(out, "100.0%");
  EXPECT_EQ(Share(5, 0), 0.0);
  EXPECT_DOUBLE_EQ(Share(1, 4), 0.25);
  EXPECT_EQ(CountOf(1, "entry", "entries"), "1 entry");
  EXPECT_EQ(CountOf(0, "entry", "entries"), "0 entries");
  EXPECT_EQ(CountOf(2, "file", "files"), "2 files");
}

TEST(FormatTest, ParseEscaped) {
  std::string out;
  ASSERT_TRUE(ParseEscaped("a\\x00\\x5c\\xFFz", &out));
  EXPECT_EQ(out, std::string("a\0\\\xff"
                             "z",
                             5));
  ASSERT_TRUE(ParseEscaped("", &out));
  EXPECT_EQ(out, "");
  for (const char* bad : {"\\", "\\x", "\\x4", "\\xg0", "\\q", "ok\\x0"}) {
    EXPECT_FALSE(ParseEscaped(bad, &out)) << bad;
  }
}

TEST(FormatTest, ParseUint64) {
  uint64_t v = 7;
  ASSERT_TRUE(ParseUint64("0", &v));
  EXPECT_EQ(v, 0u);
  ASSERT_TRUE(ParseUint64("18446744073709551615", &v));
  EXPECT_EQ(v, UINT64_MAX);
  v = 7;
  for (const char* bad :
       {"", "-1", "+1", "1x", " 1", "18446744073709551616", "99999999999999999999"}) {
    EXPECT_FALSE(ParseUint64(bad, &v)) << bad;
  }
  EXPECT_EQ(v, 7u);  // untouched on failure
}

TEST(FormatTest, SplitFlag) {
  FlagArg f = SplitFlag("--name=a=b");
  EXPECT_EQ(f.name, "name");
  EXPECT_EQ(f.value, "a=b");  // at the first '='
  EXPECT_TRUE(f.has_value);
  f = SplitFlag("--name=");
  EXPECT_EQ(f.name, "name");
  EXPECT_EQ(f.value, "");
  EXPECT_TRUE(f.has_value);
  f = SplitFlag("--json");
  EXPECT_EQ(f.name, "json");
  EXPECT_FALSE(f.has_value);
  f = SplitFlag("--");
  EXPECT_EQ(f.name, "");
  EXPECT_FALSE(f.has_value);
}

}  // namespace
}  // namespace metakv::common
