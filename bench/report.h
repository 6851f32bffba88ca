// metakv-bench's text report: a parameter line, a note on what the figures
// mean, the side-by-side table (one row per workload, a column group per
// engine, a metakv/rocksdb ratio group when both ran) and a details table.
// Pure functions: thread-safe.
#ifndef METAKV_BENCH_REPORT_H_
#define METAKV_BENCH_REPORT_H_

#include <string>
#include <vector>

#include "bench/flags.h"
#include "bench/result.h"

namespace metakv::bench {

// One line: every parameter of the run. db_description says where the
// databases live ("temporary: /tmp/..." or the --db directory).
std::string FormatParameters(const BenchConfig& config, const std::string& db_description);

// The two tables for runs (one per engine, all with the workloads of
// config.benchmarks in order; a run cut short by a failure may hold fewer
// results, shown as "-").
std::string FormatReport(const BenchConfig& config, const std::vector<EngineRun>& runs);

}  // namespace metakv::bench

#endif  // METAKV_BENCH_REPORT_H_
