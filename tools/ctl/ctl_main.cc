// metakv-ctl: the admin tool of a metakv store. Everything is in RunCtl
// (tools/ctl/ctl.h); run with --help. The tool runs in a child process
// (tools/isolated_main.h).
#include <iostream>

#include "tools/ctl/ctl.h"
#include "tools/isolated_main.h"

namespace {

int RunHere(int argc, char** argv) {
  std::ios::sync_with_stdio(false);
  return metakv::tools::ctl::RunCtl(argc, argv, std::cout, std::cerr);
}

}  // namespace

int main(int argc, char** argv) {
  return metakv::tools::RunIsolated("metakv-ctl", RunHere, argc, argv);
}
