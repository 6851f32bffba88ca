// What one workload measured on one engine. Plain value.
#ifndef METAKV_BENCH_RESULT_H_
#define METAKV_BENCH_RESULT_H_

#include <cstdint>
#include <string>
#include <vector>

#include "bench/histogram.h"

namespace metakv::bench {

struct WorkloadResult {
  std::string workload;  // e.g. "fillrandom"
  bool writes = false;   // a write workload (settled before its stats are read)
  // What one latency sample times: "put", "get", "delete", "scan" or
  // "history_group" (the key of latency_us in the JSON report).
  std::string op;

  // The timed operation loop:
  uint64_t ops = 0;
  double seconds = 0;    // wall time of the loop only (no flush or settling)
  Histogram latency_ns;  // one sample per operation, nanoseconds
  uint64_t found = 0;    // read workloads: gets that found their key
  uint64_t entries = 0;  // scan workloads: records read

  // Bytes of tenant + key + value the workload wrote, as the user sees them.
  uint64_t user_bytes = 0;
  // Flush + compaction bytes the engine wrote from the workload's start
  // until it settled (write workloads: after Flush and WaitForCompactions).
  uint64_t device_bytes = 0;
  // device_bytes by source, and WAL bytes (not in device_bytes), over the
  // same interval.
  uint64_t flush_bytes = 0;
  uint64_t compaction_bytes = 0;
  uint64_t ingest_bytes = 0;
  uint64_t wal_bytes = 0;
  // Wall time of the Flush and WaitForCompactions after a write workload.
  double settle_seconds = 0;

  double OpsPerSecond() const;
  // device_bytes / user_bytes; NaN when no user bytes were written.
  double WriteAmplification() const;
};

// All workloads of a run on one engine, in run order.
struct EngineRun {
  std::string engine;  // "metakv" or "rocksdb"
  std::vector<WorkloadResult> results;
};

}  // namespace metakv::bench

#endif  // METAKV_BENCH_RESULT_H_
