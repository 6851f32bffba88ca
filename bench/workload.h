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

#include <atomic>
#include <cstdint>
#include <string_view>

#include "bench/engine.h"
#include "bench/flags.h"
#include "bench/keys.h"
#include "bench/result.h"
#include "metakv/status.h"

namespace metakv::bench {

// An engine run's operations and user bytes so far, counted by the
// workloads as they go. The progress line and the time series read them;
// each operation also moves the engine's simulated clock, one second per
// --ops_per_sim_second operations of the run (Engine::SetTime). Thread-safe.
class RunCounters {
 public:
  // REQUIRES: ops_per_sim_second > 0; engine outlives this.
  RunCounters(Engine* engine, uint64_t start_micros, uint64_t ops_per_sim_second)
      : engine_(engine), start_micros_(start_micros), ops_per_sim_second_(ops_per_sim_second) {}

  // One operation done that wrote user_bytes (0 for a read).
  void OpDone(uint64_t user_bytes) {
    const uint64_t n = ops_.fetch_add(1, std::memory_order_relaxed) + 1;
    if (user_bytes != 0) user_bytes_.fetch_add(user_bytes, std::memory_order_relaxed);
    engine_->SetTime(TimeAt(n));
  }

  // Moves the clock forward by micros at once, as if that much time passed
  // with no operation (e.g. past a retention, or at real speed while the
  // driver waits for background work).
  void Advance(uint64_t micros) {
    offset_micros_.fetch_add(micros, std::memory_order_relaxed);
    engine_->SetTime(TimeAt(ops()));
  }

  uint64_t ops() const { return ops_.load(std::memory_order_relaxed); }
  uint64_t user_bytes() const { return user_bytes_.load(std::memory_order_relaxed); }
  // The simulated time now, microseconds since the epoch.
  uint64_t NowMicros() const { return TimeAt(ops()); }

 private:
  uint64_t TimeAt(uint64_t ops) const {
    return start_micros_ + offset_micros_.load(std::memory_order_relaxed) +
           static_cast<uint64_t>(static_cast<unsigned __int128>(ops) * 1000000 /
                                 ops_per_sim_second_);
  }

  Engine* const engine_;
  const uint64_t start_micros_;
  const uint64_t ops_per_sim_second_;
  std::atomic<uint64_t> offset_micros_{0};
  std::atomic<uint64_t> ops_{0};
  std::atomic<uint64_t> user_bytes_{0};
};

// What a workload runs with. The references outlive the Run call.
struct WorkloadContext {
  Engine* engine = nullptr;
  const BenchConfig* config = nullptr;
  const KeyFormatter* keys = nullptr;
  // Seed of this workload's key choice: derived from --seed and the
  // workload's position in --benchmarks, so each engine sees the same
  // sequence and two runs of one workload in a list see different ones.
  uint64_t seed = 0;
  // The engine run's counters and clock; every operation is counted here.
  RunCounters* counters = nullptr;
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
