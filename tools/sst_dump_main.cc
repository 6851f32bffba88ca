// metakv-sst-dump: offline inspection of metakv SST files and databases.
// Everything is in RunSstDump (tools/sst_dump_lib.h); run with --help.
#include <iostream>

#include "tools/sst_dump_lib.h"

int main(int argc, char** argv) {
  std::ios::sync_with_stdio(false);
  return metakv::tools::RunSstDump(argc, argv, std::cout, std::cerr);
}
