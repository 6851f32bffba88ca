// metakv-bench's machine-readable report (--json=PATH): one JSON object
//
//   {"config": {...every parameter...}, "ok": true|false, "error": "...",
//    "runs": [{"engine", "workload", "op", "ops", "found", "entries",
//              "seconds", "settle_seconds", "ops_per_sec", "write_amp",
//              "user_bytes", "device_bytes", "flush_bytes",
//              "compaction_bytes", "ingest_bytes", "wal_bytes",
//              "latency_us": {op: {"p50", "p99", "p999", "mean", "max"}}}]}
//
// with one run per (engine, workload) in run order. write_amp is
// device_bytes / user_bytes (device_bytes = flush + compaction + ingest,
// WAL apart); a figure that is undefined (no user bytes, no time) is null.
// Pure functions except WriteFileAtomically: thread-safe.
#ifndef METAKV_BENCH_JSON_REPORT_H_
#define METAKV_BENCH_JSON_REPORT_H_

#include <string>
#include <vector>

#include "bench/flags.h"
#include "bench/result.h"
#include "metakv/status.h"

namespace metakv::bench {

// The document above; error is empty when the run succeeded. Ends with a
// newline.
std::string FormatJson(const BenchConfig& config, const std::vector<EngineRun>& runs,
                       const std::string& error);

// Writes contents to path through a temporary file in the same directory
// (path + ".tmp"), synced, then renamed over path: path holds either its
// old contents or all of the new ones, never part. IOError naming the file
// on failure (the temporary file is removed).
Status WriteFileAtomically(const std::string& path, const std::string& contents);

}  // namespace metakv::bench

#endif  // METAKV_BENCH_JSON_REPORT_H_
