// Tests of common/text_table.h: the report form metakv-bench prints and the
// streaming form metakv-sst-dump prints.
#include "common/text_table.h"

#include <gtest/gtest.h>

#include <cmath>
#include <sstream>
#include <string>
#include <vector>

namespace metakv::common {
namespace {

// The report form metakv-bench prints: group labels (columns widen to fit
// them), " | " between groups, a rule, blank missing cells.
TEST(TextTableTest, ReportWithGroups) {
  using Align = TextTable::Align;
  TextTable table({{"workload", Align::kLeft, ""},
                   {"ops/s", Align::kRight, "metakv"},
                   {"WA", Align::kRight, "metakv"},
                   {"ops/s", Align::kRight, "a-long-group-label"},
                   {"x", Align::kLeft, ""}});
  table.AddRow({"fillrandom", "92191", "0.64", "1", "last"});
  table.AddRow({"overwrite", "964"});
  EXPECT_EQ(table.rows(), 2u);
  EXPECT_EQ(table.Format(),
            "           |   metakv    | a-long-group-label |\n"
            "workload   | ops/s    WA |              ops/s | x\n"
            "---------- | -----  ---- | ------------------ | ----\n"
            "fillrandom | 92191  0.64 |                  1 | last\n"
            "overwrite  |   964       |                    |\n");
  TextTable empty({{"h1", Align::kLeft, ""}, {"h2", Align::kRight, ""}});
  EXPECT_EQ(empty.Format(), "h1  h2\n--  --\n");
  EXPECT_EQ(TextTable(std::vector<TextTable::Column>{}).Format(), "");
  EXPECT_EQ(FormatFixed(1234.5678, 2), "1234.57");
  EXPECT_EQ(FormatInteger(1234.5), "1235");
  EXPECT_EQ(FormatFixed(std::nan(""), 1), "-");
}

// The streaming form the tool prints: chunks of rows, columns that only
// widen, no trailing spaces, nothing for an empty table.
TEST(TextTableTest, StreamsInChunks) {
  std::ostringstream out;
  {
    TextTable table(&out, {{"K"}, {"N", TextTable::Align::kRight}, {"V"}}, 2);
    for (const char* k : {"a", "bb", "c"}) {
      table.Cell(0).append(k);
      table.Cell(1).append(std::to_string(std::string(k).size() * 100));
      table.EndRow();
      if (k[0] == 'b') {  // the first chunk is out
        EXPECT_EQ(out.str(), "K     N  V\na   100\nbb  200\n");
      }
    }
    table.AddRow({"dddd", "1", "v"});
  }
  EXPECT_EQ(out.str(), "K     N  V\na   100\nbb  200\nc     100\ndddd    1  v\n");
  std::ostringstream none;
  { TextTable table(&none, {{"K"}}); }
  EXPECT_EQ(none.str(), "");
}

}  // namespace
}  // namespace metakv::common
