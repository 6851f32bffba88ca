// Runs metakv-sst-dump (tools/sst_dump_lib.h) in-process on one path and
// checks the documented contract of its outcome, whatever the input:
// exit status 0, 1 or 2; a failing run says why on stderr, every line of
// which starts with "metakv-sst-dump: "; no "internal error" (an exception
// escaped); with --json, stdout is empty or exactly one valid JSON document
// whose "exit_code" is the exit status.
#ifndef METAKV_FUZZ_SST_DUMP_CHECK_H_
#define METAKV_FUZZ_SST_DUMP_CHECK_H_

#include <sstream>
#include <string>
#include <vector>

#include "codecs/coding.h"
#include "common/json_reader.h"
#include "fuzz/fuzz_util.h"
#include "tools/sst_dump_lib.h"

namespace metakv::fuzz {

inline int RunAndCheckSstDump(std::vector<std::string> args) {
  bool json = false;
  std::string shown;
  for (const auto& a : args) {
    json |= a == "--json";
    shown += " " + codecs::Printable(a);
  }
  ArgV argv(std::move(args));
  std::ostringstream out, err;
  const int rc = tools::RunSstDump(argv.argc(), argv.argv(), out, err);
  const std::string o = out.str();
  const std::string e = err.str();
  const std::string context = "metakv-sst-dump" + shown + ": exit " + std::to_string(rc) +
                              "\nstderr: " + codecs::PrintableHead(e, 2000);
  FUZZ_CHECK(rc == 0 || rc == 1 || rc == 2, context);
  FUZZ_CHECK(rc == 0 || !e.empty(), context);
  size_t begin = 0;
  while (begin < e.size()) {
    size_t nl = e.find('\n', begin);
    FUZZ_CHECK(nl != std::string::npos, "stderr does not end in a newline; " + context);
    FUZZ_CHECK(e.compare(begin, 17, "metakv-sst-dump: ") == 0,
               "stderr line without the tool's name; " + context);
    // The tool's own "internal error" line (an escaped exception), not those
    // words inside a key or value an error line shows.
    FUZZ_CHECK(e.compare(begin, 31, "metakv-sst-dump: internal error") != 0, context);
    begin = nl + 1;
  }
  if (json && !o.empty()) {
    std::string where;
    FUZZ_CHECK(common::IsValidJson(o, &where),
               where + "; " + context + "\nstdout: " + codecs::PrintableHead(o, 4000));
    FUZZ_CHECK(o.find("\"exit_code\":" + std::to_string(rc)) != std::string::npos,
               "exit_code in the document differs; " + context +
                   "\nstdout: " + codecs::PrintableHead(o, 4000));
  }
  return rc;
}

}  // namespace metakv::fuzz

#endif  // METAKV_FUZZ_SST_DUMP_CHECK_H_
