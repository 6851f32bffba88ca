// Tests of metakv-sst-dump's command line and the escapes it shows and
// reads: --help, every kind of bad argument.
#include "tests/tools/sst_dump_test_util.h"

namespace metakv::tools {
namespace {

// ------------------------------------------------------------ format ----

TEST(SstDumpFormatTest, PrintableRoundTrips) {
  const std::string all = [] {
    std::string s;
    for (int c = 0; c < 256; ++c) s.push_back(static_cast<char>(c));
    return s;
  }();
  const std::string shown = codecs::Printable(all);
  for (char c : shown) EXPECT_TRUE(c >= 0x20 && c < 0x7f);
  std::string back;
  ASSERT_TRUE(common::ParseEscaped(shown, &back));
  EXPECT_EQ(back, all);
  EXPECT_TRUE(common::ParseEscaped("a\\\\b", &back));  // a, two backslashes, b
  EXPECT_EQ(back, "a\\b");
  for (const char* bad : {"\\", "\\x", "\\x4", "\\xg0", "\\q"}) {
    EXPECT_FALSE(common::ParseEscaped(bad, &back)) << bad;
  }
}

TEST(SstDumpFormatTest, PrintableForms) {
  // The escapes, spelled out (the tool and codecs share AppendPrintable).
  EXPECT_EQ(codecs::Printable(std::string("a\0\\\x7f\xff~ z", 8)), "a\\x00\\x5c\\x7f\\xff~ z");
  std::string out = "kept:";
  codecs::AppendPrintable(std::string_view("\x01"
                                           "b",
                                           2),
                          &out);  // appends
  EXPECT_EQ(out, "kept:\\x01b");
  out.clear();
  AppendPrintableHead("abcdef", 3, &out);
  EXPECT_EQ(out, "abc...");
  out.clear();
  AppendPrintableHead("abc", 3, &out);
  AppendPrintableHead("\x02", 0, &out);
  EXPECT_EQ(out, "abc\\x02");
}

// ------------------------------------------------------------- usage ----

TEST(SstDumpUsageTest, HelpDocumentsExitStatus) {
  const RunResult r = Dump({"--help"});
  EXPECT_EQ(r.code, 0);
  EXPECT_NE(r.out.find("Exit status"), std::string::npos);
  EXPECT_NE(r.out.find("1  corruption found"), std::string::npos);
  EXPECT_NE(r.out.find("2  usage error"), std::string::npos);
  EXPECT_TRUE(r.err.empty());
}

TEST(SstDumpUsageTest, BadArgumentsExitTwoWithOneLine) {
  const std::vector<std::vector<std::string>> cases = {
      {},
      {"--command=bogus", "x"},
      {"--limit=abc", "x"},
      {"--limit=-1", "x"},
      {"--frobnicate", "x"},
      {"--tenant", "x"},  // the path is taken as the tenant: then no path
      {"a", "b"},
      {"--command=verify", "--tenant=acme", "x"},
      {"--command=stats", "--limit=3", "x"},
      {"--raw", "--command=scan", "x"},
      {"--from=b", "--to=a", "x"},
      {"--tenant=\\xZZ", "x"},
      {"--json=yes", "x"},
  };
  for (const auto& args : cases) {
    const RunResult r = Dump(args);
    EXPECT_EQ(r.code, 2) << ::testing::PrintToString(args);
    EXPECT_TRUE(r.out.empty());
    EXPECT_EQ(Lines(r.err).size(), 1u) << r.err;
  }
  // An unknown option is named as such, with or without a value after it.
  for (const auto& args : std::vector<std::vector<std::string>>{{"--frob"}, {"--frob", "x"}}) {
    const RunResult r = Dump(args);
    EXPECT_EQ(r.code, 2);
    EXPECT_EQ(r.err, "metakv-sst-dump: unknown option '--frob' (see --help)\n");
  }
}

}  // namespace
}  // namespace metakv::tools
