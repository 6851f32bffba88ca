// The timed operation loops the workloads share: n puts or n gets of keys
// chosen by a callback. Each operation's latency sample is the wall time of
// the engine call alone (key formatting and value generation excluded); the
// loop's seconds cover everything.
// Not thread-safe: one loop per thread.
#ifndef METAKV_BENCH_WORKLOADS_OP_LOOPS_H_
#define METAKV_BENCH_WORKLOADS_OP_LOOPS_H_

#include <cstdint>
#include <functional>

#include "bench/result.h"
#include "bench/workload.h"
#include "metakv/status.h"

namespace metakv::bench {

// Returns the key number (in [0, num)) of operation i, i = 0 .. n-1.
using KeyChooser = std::function<uint64_t(uint64_t i)>;

// Puts n keys, values from a ValueGenerator seeded with ctx.seed. Fills
// result's ops, seconds, latency_ns and user_bytes (tenant + key + value
// bytes). Stops at the first failed Put, returning its status with the
// operation named.
Status RunPutLoop(const WorkloadContext& ctx, uint64_t n, const KeyChooser& choose,
                  WorkloadResult* result);

// Gets n keys. Fills result's ops, seconds, latency_ns and found. NotFound
// counts as a miss; any other error, or a found value whose size is not
// --value_size, stops the loop with a status naming the operation.
Status RunGetLoop(const WorkloadContext& ctx, uint64_t n, const KeyChooser& choose,
                  WorkloadResult* result);

}  // namespace metakv::bench

#endif  // METAKV_BENCH_WORKLOADS_OP_LOOPS_H_
