// Latency histograms of the store's calls (Stats::latencies): fixed
// buckets from a microsecond to five seconds, counted with relaxed atomics
// (no lock on the calls' path). Kept when Options::enable_statistics is
// on; a LatencyTimer with a null histogram costs nothing.
#ifndef METAKV_ENGINE_LATENCY_H_
#define METAKV_ENGINE_LATENCY_H_

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>

#include "metakv/stats.h"

namespace metakv {

// The calls timed, in the order of Stats::latencies.
enum class LatencyOp : unsigned char {
  kGet,
  kMultiGet,
  kPut,
  kDelete,
  kUndelete,
  kHardDelete,
  kWrite,
  kIngestCold,
  kScanSeek,
  kCount,
};

// Its name in Stats (LatencyStats::operation).
const char* LatencyOpName(LatencyOp op);

class LatencyHistogram {
 public:
  // Upper bounds (inclusive) of the buckets, in microseconds; one more
  // bucket holds the rest.
  static constexpr std::array<uint64_t, 21> kBoundsMicros = {
      1,    2,     5,     10,    20,     50,     100,    200,     500,     1000,   2000,
      5000, 10000, 20000, 50000, 100000, 200000, 500000, 1000000, 2000000, 5000000};

  void Add(uint64_t nanos);
  // Copies the counts into *out (operation is left to the caller).
  void Into(LatencyStats* out) const;

 private:
  std::array<std::atomic<uint64_t>, kBoundsMicros.size() + 1> buckets_{};
  std::atomic<uint64_t> sum_nanos_{0};
};

// One histogram per LatencyOp.
using LatencyHistograms = std::array<LatencyHistogram, static_cast<size_t>(LatencyOp::kCount)>;

// Adds the time from construction to destruction to a histogram (none if
// null).
class LatencyTimer {
 public:
  explicit LatencyTimer(LatencyHistogram* h)
      : h_(h),
        start_(h != nullptr ? std::chrono::steady_clock::now()
                            : std::chrono::steady_clock::time_point()) {}
  ~LatencyTimer() {
    if (h_ == nullptr) return;
    const auto d = std::chrono::steady_clock::now() - start_;
    h_->Add(static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(d).count()));
  }
  LatencyTimer(const LatencyTimer&) = delete;
  LatencyTimer& operator=(const LatencyTimer&) = delete;

 private:
  LatencyHistogram* const h_;
  const std::chrono::steady_clock::time_point start_;
};

}  // namespace metakv

#endif  // METAKV_ENGINE_LATENCY_H_
