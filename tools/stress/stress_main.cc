// metakv-stress: a crash-safe, self-verifying stress test of a metakv store.
// Everything is in RunStress (tools/stress/stress_lib.h); run with --help.
#include <iostream>

#include "tools/stress/stress_lib.h"

int main(int argc, char** argv) {
  return metakv::stress::RunStress(argc, argv, std::cout, std::cerr);
}
