// The time series metakv-bench samples once a second (WorkloadResult's
// series): as CSV (--csv) and as a gnuplot picture (--plot) of write
// amplification and throughput over time, every engine on one picture.
#ifndef METAKV_BENCH_SERIES_H_
#define METAKV_BENCH_SERIES_H_

#include <string>
#include <vector>

#include "bench/result.h"
#include "metakv/status.h"

namespace metakv::bench {

// One row per sample: engine, workload, run_seconds (since the engine's
// first workload began, workloads laid end to end), seconds (since the
// workload began), ops, user_bytes, device_bytes (since the workload
// began), ops_per_sec (over the interval since the previous sample) and
// write_amp (device_bytes / user_bytes so far; empty before any user byte).
// A header line first.
std::string FormatSeriesCsv(const std::vector<EngineRun>& runs);

// Draws the series with gnuplot into png_path: write amplification (top)
// and throughput (bottom) over run time, one line per engine. IOError if
// gnuplot is missing or fails; the picture is then not written.
Status PlotSeries(const std::vector<EngineRun>& runs, const std::string& png_path);

}  // namespace metakv::bench

#endif  // METAKV_BENCH_SERIES_H_
