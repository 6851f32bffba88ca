// What the metakv-bench suites share: reading a --json report back.
#ifndef METAKV_TESTS_BENCH_BENCH_TEST_UTIL_H_
#define METAKV_TESTS_BENCH_BENCH_TEST_UTIL_H_

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>

#include "common/json_reader.h"
#include "tests/testutil.h"

namespace metakv::bench {

// Reads and parses a JSON report, failing the test on a syntax error.
inline common::JsonValue ReadReport(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  common::JsonValue doc;
  std::string error;
  EXPECT_TRUE(common::ParseJson(text.str(), &doc, &error)) << error << "\n" << text.str();
  return doc;
}

}  // namespace metakv::bench

#endif  // METAKV_TESTS_BENCH_BENCH_TEST_UTIL_H_
