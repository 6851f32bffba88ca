// What one workload measured on one engine. Plain value.
#ifndef METAKV_BENCH_RESULT_H_
#define METAKV_BENCH_RESULT_H_

#include <cstdint>
#include <map>
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
  // Workloads of several operation types (metamix): one histogram per type,
  // e.g. "stat", "create"; latency_ns then holds them all together.
  std::map<std::string, Histogram> op_latency_ns;

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
  // EngineStats::l0_l1_rewritten_bytes and l0_l1_for_others_bytes over the
  // same interval.
  uint64_t l0_l1_rewritten_bytes = 0;
  uint64_t l0_l1_for_others_bytes = 0;
  // Wall time of the Flush and WaitForCompactions after a write workload.
  double settle_seconds = 0;
  // Logical bytes (tenant + key + value) of the records a user can see at
  // the end of the workload; 0 when the workload cannot tell.
  uint64_t live_bytes = 0;
  // Bytes of the engine's live SST files once settled.
  uint64_t live_sst_bytes = 0;
  // Time writers were stalled during the workload (RocksDB's STALL_MICROS).
  uint64_t stall_micros = 0;
  // Peak resident memory of the process during the workload (VmHWM, reset
  // at its start); 0 if the system does not tell.
  uint64_t peak_rss_bytes = 0;

  // The bulk-delete workloads (rmtree, rmtenant): what was removed and what
  // the removal cost. Phase latencies are in op_latency_ns as
  // "readdir.before", "seek.removed", ... (see workloads/bulk_delete.cc).
  struct Removal {
    std::string mode;            // rmtree: "logical" or "hard"; rmtenant: "tenant"
    std::string method;          // how the engine removed (Engine::RemovalMethod)
    uint64_t records = 0;        // records removed
    uint64_t logical_bytes = 0;  // their tenant + key + value bytes
    // Engine::StoredBytes over their key ranges: before the removal, and
    // when the driver stopped waiting.
    uint64_t stored_bytes_before = 0;
    uint64_t stored_bytes_after = 0;
    // Flush + compaction bytes from the removal's start until the engine
    // settled after the wait (stock logical: markers, then their deletes).
    uint64_t device_bytes = 0;
    double remove_seconds = 0;  // the removal call(s)
    // Wall seconds from the moment the records became purgeable until the
    // stored bytes fell to kGoneFraction of stored_bytes_before; NaN if not
    // within the wait (wait_seconds).
    double gone_seconds = 0;
    double wait_seconds = 0;
    // metakv's configured bound (--purge_deadline_seconds); 0 for engines
    // without one.
    uint64_t purge_deadline_seconds = 0;
    bool restore_checked = false;  // rmtree logical: a small tree was removed and restored
  };
  bool has_removal = false;
  Removal removal;

  // Engines with a purge deadline: per domain, the largest age a purgeable
  // record reached past its purge time in the once-a-second samples while
  // the workload ran and once settled (EngineStats::purgeable_age_seconds).
  std::map<std::string, uint64_t> max_purgeable_age_seconds;

  // One sample a second while the workload runs (--csv, --plot).
  struct Sample {
    double seconds = 0;  // since the workload started
    uint64_t ops = 0;    // operations of the workload so far
    uint64_t user_bytes = 0;
    uint64_t device_bytes = 0;
  };
  std::vector<Sample> series;
  // Engine::Details() once settled.
  std::string engine_details;

  // The bulk-delete workloads' read phases, in order, and their operations.
  static const std::vector<std::string>& RemovalPhases();  // before, removed, purged
  // The latency histogram of op ("readdir", "seek") in phase; nullptr if
  // none was recorded.
  const Histogram* PhaseLatency(const std::string& op, const std::string& phase) const;
  // removal.device_bytes / removal.logical_bytes; NaN if nothing removed.
  double RemovalWriteRatio() const;

  // Adds the loop figures of one thread's partial result (ops, found,
  // entries, user bytes, latencies, per-operation latencies) to this one's.
  void MergeLoop(const WorkloadResult& partial);

  double OpsPerSecond() const;
  // device_bytes / user_bytes; NaN when no user bytes were written.
  double WriteAmplification() const;
  // live_sst_bytes / live_bytes; NaN when live_bytes is unknown.
  double SpaceAmplification() const;
};

// All workloads of a run on one engine, in run order.
struct EngineRun {
  std::string engine;  // "metakv", "rocksdb" or "rocksdb-universal"
  std::vector<WorkloadResult> results;
};

}  // namespace metakv::bench

#endif  // METAKV_BENCH_RESULT_H_
