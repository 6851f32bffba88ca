// metakv-sst-dump: offline inspection of metakv SST files and databases.
// Everything is in RunSstDump (tools/sst_dump_lib.h); run with --help. The
// tool runs in a child process (tools/isolated_main.h).
#include <iostream>

#include "tools/isolated_main.h"
#include "tools/sst_dump_lib.h"

namespace {

int RunHere(int argc, char** argv) {
  std::ios::sync_with_stdio(false);
  return metakv::tools::RunSstDump(argc, argv, std::cout, std::cerr);
}

}  // namespace

int main(int argc, char** argv) {
  return metakv::tools::RunIsolated("metakv-sst-dump", RunHere, argc, argv);
}
