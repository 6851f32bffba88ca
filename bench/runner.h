// metakv-bench's driver: parses the command line, prepares the database
// directories, runs every workload on every chosen engine and prints the
// report. main() only calls RunBench.
#ifndef METAKV_BENCH_RUNNER_H_
#define METAKV_BENCH_RUNNER_H_

#include <ostream>
#include <string>
#include <vector>

#include "bench/flags.h"
#include "bench/result.h"
#include "metakv/status.h"

namespace metakv::bench {

// Runs config.benchmarks in order on one fresh database per engine, under
// root/<engine>, appending one EngineRun per engine to *runs (also when a
// workload fails: the failed run holds the workloads that completed).
// Progress lines go to progress. The first failure stops the run.
Status RunEngines(const BenchConfig& config, const std::string& root, std::ostream& progress,
                  std::vector<EngineRun>* runs);

// The whole program: args are argv[1..]. Report to out; progress, errors
// and usage problems to err. Returns the exit status: 0 success, 1 engine
// or I/O failure, 2 bad command line.
int RunBench(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);

}  // namespace metakv::bench

#endif  // METAKV_BENCH_RUNNER_H_
