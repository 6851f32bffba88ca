#include "bench/histogram.h"

#include <algorithm>
#include <cmath>

namespace metakv::bench {

namespace {
constexpr int kSubBits = 7;  // 128 buckets per power of two
constexpr uint64_t kSubCount = uint64_t{1} << kSubBits;
constexpr uint64_t kExactLimit = 2 * kSubCount;  // values below are their own bucket
}  // namespace

Histogram::Histogram() : buckets_(kNumBuckets, 0) {}

size_t Histogram::BucketIndex(uint64_t value) {
  if (value < kExactLimit) return static_cast<size_t>(value);
  const int top_bit = 63 - __builtin_clzll(value);  // >= kSubBits + 1
  const int shift = top_bit - kSubBits;             // >= 1
  const uint64_t mantissa = value >> shift;         // in [kSubCount, 2 * kSubCount)
  return static_cast<size_t>(kExactLimit + (shift - 1) * kSubCount + (mantissa - kSubCount));
}

uint64_t Histogram::BucketLow(size_t index) {
  if (index < kExactLimit) return index;
  const uint64_t rel = index - kExactLimit;
  const int shift = static_cast<int>(rel / kSubCount) + 1;
  const uint64_t mantissa = kSubCount + rel % kSubCount;
  return mantissa << shift;
}

uint64_t Histogram::BucketHigh(size_t index) {
  if (index < kExactLimit) return index;
  if (index + 1 >= kNumBuckets) return UINT64_MAX;
  return BucketLow(index + 1) - 1;
}

void Histogram::Add(uint64_t value) {
  ++buckets_[BucketIndex(value)];
  ++count_;
  min_ = std::min(min_, value);
  max_ = std::max(max_, value);
  sum_ += value;
}

void Histogram::Merge(const Histogram& other) {
  for (size_t i = 0; i < kNumBuckets; ++i) buckets_[i] += other.buckets_[i];
  count_ += other.count_;
  min_ = std::min(min_, other.min_);
  max_ = std::max(max_, other.max_);
  sum_ += other.sum_;
}

void Histogram::Clear() {
  std::fill(buckets_.begin(), buckets_.end(), 0);
  count_ = 0;
  min_ = UINT64_MAX;
  max_ = 0;
  sum_ = 0;
}

double Histogram::Mean() const { return count_ == 0 ? 0.0 : static_cast<double>(sum_ / count_); }

double Histogram::Percentile(double p) const {
  if (count_ == 0) return 0.0;
  p = std::clamp(p, 0.0, 100.0);
  // The rank of the wanted sample, 1-based: the smallest r with r >= p% of count.
  uint64_t rank = static_cast<uint64_t>(std::ceil(p / 100.0 * static_cast<double>(count_)));
  rank = std::clamp<uint64_t>(rank, 1, count_);
  uint64_t seen = 0;
  for (size_t i = 0; i < kNumBuckets; ++i) {
    seen += buckets_[i];
    if (seen >= rank) {
      const double low = static_cast<double>(BucketLow(i));
      const double high = static_cast<double>(BucketHigh(i));
      const double mid = i < kExactLimit ? low : (low + high) / 2;
      return std::clamp(mid, static_cast<double>(min_), static_cast<double>(max_));
    }
  }
  return static_cast<double>(max_);
}

}  // namespace metakv::bench
