#include "engine/latency.h"

#include <algorithm>

namespace metakv {

const char* LatencyOpName(LatencyOp op) {
  switch (op) {
    case LatencyOp::kGet:
      return "get";
    case LatencyOp::kMultiGet:
      return "multi_get";
    case LatencyOp::kPut:
      return "put";
    case LatencyOp::kDelete:
      return "delete";
    case LatencyOp::kUndelete:
      return "undelete";
    case LatencyOp::kHardDelete:
      return "hard_delete";
    case LatencyOp::kWrite:
      return "write";
    case LatencyOp::kIngestCold:
      return "ingest_cold";
    case LatencyOp::kScanSeek:
      return "scan_seek";
    case LatencyOp::kCount:
      break;
  }
  return "unknown";
}

void LatencyHistogram::Add(uint64_t nanos) {
  // The first bucket whose bound (in nanoseconds) holds it; the last if none.
  const uint64_t micros_up = (nanos + 999) / 1000;
  const size_t i =
      static_cast<size_t>(std::lower_bound(kBoundsMicros.begin(), kBoundsMicros.end(), micros_up) -
                          kBoundsMicros.begin());
  buckets_[i].fetch_add(1, std::memory_order_relaxed);
  sum_nanos_.fetch_add(nanos, std::memory_order_relaxed);
}

void LatencyHistogram::Into(LatencyStats* out) const {
  out->bucket_bounds_micros.assign(kBoundsMicros.begin(), kBoundsMicros.end());
  out->bucket_counts.clear();
  out->count = 0;
  for (const auto& b : buckets_) {
    out->bucket_counts.push_back(b.load(std::memory_order_relaxed));
    out->count += out->bucket_counts.back();  // consistent with the buckets
  }
  out->sum_nanos = sum_nanos_.load(std::memory_order_relaxed);
}

}  // namespace metakv
