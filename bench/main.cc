// metakv-bench: db_bench-style workloads on metakv and stock RocksDB.
// See bench/runner.h and `metakv-bench --help`.
#include <iostream>
#include <string>
#include <vector>

#include "bench/runner.h"

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  return metakv::bench::RunBench(args, std::cout, std::cerr);
}
