// metakv-sst-dump on an arbitrary file: the input is written to a file and
// the tool's library entry point (RunSstDump) reads it in every mode:
// scan (the default), stats, verify and raw, and scan and verify with
// --json. Checks the contract in fuzz/sst_dump_check.h: a clear error
// (exit 1 or 2 with a line naming the file), never a crash, a hang or an
// escaped exception.
#include <string>

#include "fuzz/fuzz_util.h"
#include "fuzz/sst_dump_check.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const std::string path = metakv::fuzz::ScratchDir() + "/input.sst";
  metakv::fuzz::WriteFileOrDie(path, std::string_view(reinterpret_cast<const char*>(data), size));
  const std::string now = "--now=1700000000";
  using metakv::fuzz::RunAndCheckSstDump;
  RunAndCheckSstDump({now, path});
  RunAndCheckSstDump({"--command=stats", now, path});
  RunAndCheckSstDump({"--command=verify", now, path});
  RunAndCheckSstDump({"--raw", now, path});
  RunAndCheckSstDump({"--json", now, path});
  RunAndCheckSstDump({"--json", "--command=verify", now, path});
  return 0;
}
