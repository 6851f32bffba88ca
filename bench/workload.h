// A workload: a named sequence of operations run against one Engine, timing
// every operation. One file per workload under bench/workloads/; the
// registry (workloads/registry.h) maps names to them.
//
// A workload only runs its operation loop and fills the loop's figures of
// WorkloadResult (ops, seconds, latency, found, user bytes); the driver
// reads the engine's device bytes around it and, for write workloads,
// flushes and waits for compactions before reading them. Not thread-safe.
#ifndef METAKV_BENCH_WORKLOAD_H_
#define METAKV_BENCH_WORKLOAD_H_

#include <cstdint>
#include <string_view>

#include "bench/engine.h"
#include "bench/flags.h"
#include "bench/keys.h"
#include "bench/result.h"
#include "metakv/status.h"

namespace metakv::bench {

// What a workload runs with. The references outlive the Run call.
struct WorkloadContext {
  Engine* engine = nullptr;
  const BenchConfig* config = nullptr;
  const KeyFormatter* keys = nullptr;
  // Seed of this workload's key choice: derived from --seed and the
  // workload's position in --benchmarks, so each engine sees the same
  // sequence and two runs of one workload in a list see different ones.
  uint64_t seed = 0;
};

class Workload {
 public:
  virtual ~Workload() = default;

  virtual std::string_view name() const = 0;
  // True if the workload writes (then the driver settles the engine after it).
  virtual bool writes() const = 0;

  // Runs the operation loop, filling result's loop figures. A non-OK status
  // is an engine failure, naming the operation that failed; *result is then
  // partial.
  virtual Status Run(const WorkloadContext& ctx, WorkloadResult* result) = 0;
};

}  // namespace metakv::bench

#endif  // METAKV_BENCH_WORKLOAD_H_
