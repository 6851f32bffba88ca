#include "tools/sst_dump_lib.h"

#include <chrono>
#include <exception>
#include <string>

#include "tools/commands.h"
#include "tools/dump_flags.h"
#include "tools/dump_input.h"
#include "tools/run_context.h"

namespace metakv::tools {

namespace {

constexpr std::string_view kTool = "metakv-sst-dump";

uint64_t SystemNowSeconds() {
  return static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::seconds>(
                                   std::chrono::system_clock::now().time_since_epoch())
                                   .count());
}

int Run(int argc, char** argv, std::ostream& out, std::ostream& err) {
  DumpFlags flags;
  std::string error;
  if (!ParseDumpFlags(argc, argv, &flags, &error)) {
    err << kTool << ": " << error << '\n';
    return kExitUnreadable;
  }
  if (flags.help) {
    out << HelpText();
    return kExitOk;
  }
  const uint64_t now = flags.has_now ? flags.now_seconds : SystemNowSeconds();
  const bool decode = flags.command != Command::kRaw;
  DumpInput input;
  Status s = ResolveInput(flags.path, decode, &input);
  if (!s.ok()) {
    err << kTool << ": " << s.message() << '\n';
    return s.IsCorruption() ? kExitCorruption : kExitUnreadable;
  }
  // A lone file whose first entries cannot be read: verify reports it in
  // its table; scan and stats cannot even tell what the file holds.
  if (!input.probe_status.ok() && flags.command != Command::kVerify) {
    err << kTool << ": " << input.probe_status.message() << '\n';
    return input.probe_status.IsCorruption() ? kExitCorruption : kExitUnreadable;
  }
  if (decode && !input.is_database && input.lone_flavor == FileFlavor::kForeign) {
    err << kTool << ": " << flags.path
        << ": foreign SST file, not written by metakv: " << input.foreign_reason
        << "; read it with --command=raw\n";
    return kExitUnreadable;
  }
  RunContext ctx(flags, input, out, err, now);
  switch (flags.command) {
    case Command::kScan:
      RunScan(&ctx);
      break;
    case Command::kStats:
      RunStats(&ctx);
      break;
    case Command::kVerify:
      RunVerify(&ctx);
      break;
    case Command::kRaw:
      RunRaw(&ctx);
      break;
  }
  out.flush();
  return ctx.ExitCode();
}

}  // namespace

int RunSstDump(int argc, char** argv, std::ostream& out, std::ostream& err) {
  try {
    return Run(argc, argv, out, err);
  } catch (const std::exception& e) {
    err << kTool << ": internal error: " << e.what() << '\n';
  } catch (...) {
    err << kTool << ": internal error\n";
  }
  return kExitUnreadable;
}

}  // namespace metakv::tools
