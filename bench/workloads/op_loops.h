// The timed operation loops the workloads share: n puts, gets, deletes or
// short scans of keys chosen by a callback, split over --threads threads
// and stopped early after --duration seconds. Each operation's latency
// sample is the wall time of the engine call alone (key formatting and
// value generation excluded); the loop's seconds are the wall time of the
// whole loop, all threads together.
//
// Threads: operation numbers [0, n) are cut into --threads contiguous
// ranges, one per thread; each thread has its own histogram, value
// generator and Random64 (thread 0's seeded with ctx.seed, so one thread
// sees exactly the sequence a single-threaded run sees), merged at the end.
// The chooser must therefore only use its arguments and immutable state.
#ifndef METAKV_BENCH_WORKLOADS_OP_LOOPS_H_
#define METAKV_BENCH_WORKLOADS_OP_LOOPS_H_

#include <cstdint>
#include <functional>

#include "bench/random.h"
#include "bench/result.h"
#include "bench/workload.h"
#include "metakv/status.h"

namespace metakv::bench {

// Returns the key number (in [0, num)) of operation i, i = 0 .. n-1; rng is
// the calling thread's generator (for choosers that draw at random).
using KeyChooser = std::function<uint64_t(uint64_t i, Random64* rng)>;

// The seed of thread t's generators: ctx.seed for thread 0.
uint64_t ThreadSeed(uint64_t seed, uint64_t thread);

// Puts n keys, values from a ValueGenerator seeded with ThreadSeed. Fills
// result's op ("put"), ops, seconds, latency_ns and user_bytes (tenant +
// key + value bytes). Stops at the first failed Put, returning its status
// with the operation named.
Status RunPutLoop(const WorkloadContext& ctx, uint64_t n, const KeyChooser& choose,
                  WorkloadResult* result);

// Gets n keys. Fills result's op ("get"), ops, seconds, latency_ns and
// found. NotFound counts as a miss; any other error, or a found value whose
// size is not --value_size, stops the loop with a status naming the
// operation.
Status RunGetLoop(const WorkloadContext& ctx, uint64_t n, const KeyChooser& choose,
                  WorkloadResult* result);

// Deletes n keys. Fills result's op ("delete"), ops, seconds, latency_ns,
// found (deletes the engine reports as hitting a record; NotFound is a
// miss, not an error) and user_bytes (tenant + key bytes). Stops at the
// first other error.
Status RunDeleteLoop(const WorkloadContext& ctx, uint64_t n, const KeyChooser& choose,
                     WorkloadResult* result);

// n short scans: each Engine::Scan of up to limit records from the chosen
// key, within its tenant. Fills result's op ("scan"), ops (scans), seconds,
// latency_ns (one sample per scan), found (scans that read at least one
// record) and entries (records read). Stops at the first error.
Status RunScanLoop(const WorkloadContext& ctx, uint64_t n, uint64_t limit, const KeyChooser& choose,
                   WorkloadResult* result);

}  // namespace metakv::bench

#endif  // METAKV_BENCH_WORKLOADS_OP_LOOPS_H_
