// metakv-sst-dump's flag parser (tools/dump_flags.h ParseDumpFlags) on
// arbitrary command lines: the input's lines are the arguments.
//
// Checks: parsing never crashes or throws and reads no argv entry past
// argc; a rejected line gives a one-line message; an accepted one (without
// --help) names one non-empty path and satisfies the documented rules: a
// tenant of 1 to 255 bytes, --to above --from, no filter or limit with
// verify, no limit with stats.
#include <string>
#include <vector>

#include "fuzz/fuzz_util.h"
#include "tools/dump_flags.h"

namespace tools = metakv::tools;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  metakv::fuzz::ArgV argv(
      metakv::fuzz::SplitArgs(std::string_view(reinterpret_cast<const char*>(data), size), 32));
  tools::DumpFlags flags;
  std::string error;
  const bool ok = tools::ParseDumpFlags(argv.argc(), argv.argv(), &flags, &error);
  if (!ok) {
    FUZZ_CHECK(!error.empty(), "rejected without a message");
    FUZZ_CHECK(error.find('\n') == std::string::npos, error);
    return 0;
  }
  if (flags.help) return 0;
  FUZZ_CHECK(!flags.path.empty(), "no path");
  if (flags.has_tenant) {
    FUZZ_CHECK(!flags.tenant.empty() && flags.tenant.size() <= 255, flags.tenant);
  }
  if (!flags.from.empty() && !flags.to.empty()) FUZZ_CHECK(flags.from < flags.to, flags.from);
  if (flags.command == tools::Command::kVerify) {
    FUZZ_CHECK(!flags.has_tenant && flags.from.empty() && flags.to.empty() && flags.limit == 0,
               "verify with a filter");
  }
  if (flags.command == tools::Command::kStats) FUZZ_CHECK(flags.limit == 0, "stats with a limit");
  FUZZ_CHECK(tools::CommandName(flags.command) != "?", "bad command");
  return 0;
}
