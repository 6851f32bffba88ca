// Waiting for an engine's background work, by polling. Blocks the calling
// thread; safe to call from any one thread.
#ifndef METAKV_BENCH_WAIT_H_
#define METAKV_BENCH_WAIT_H_

#include <chrono>
#include <functional>
#include <string_view>

#include "metakv/status.h"

namespace metakv::bench {

// Reports through *idle whether the engine has no background work now. A
// non-OK status stops the wait and is returned.
using IdleProbe = std::function<Status(bool* idle)>;

// Calls probe every 50 ms until it reports idle twice in a row (so work
// scheduled by the last finishing job is seen). Aborted, naming engine, if
// that has not happened within timeout.
Status PollUntilIdle(std::string_view engine, const IdleProbe& probe,
                     std::chrono::seconds timeout = std::chrono::hours(1));

}  // namespace metakv::bench

#endif  // METAKV_BENCH_WAIT_H_
