// A latency histogram with log-linear buckets: exact below 256, then 128
// buckets per power of two, so a bucket spans less than 1/128 (0.8%) of its
// values and a percentile, reported as its bucket's midpoint, is within
// 0.4% of the true sample (and clamped to the observed min and max). Fixed
// memory (7424 counters, 58 KiB) whatever the number of samples.
//
// Values are unitless; the workloads record nanoseconds. Not thread-safe:
// one histogram per thread, combined with Merge.
#ifndef METAKV_BENCH_HISTOGRAM_H_
#define METAKV_BENCH_HISTOGRAM_H_

#include <cstddef>
#include <cstdint>
#include <vector>

namespace metakv::bench {

class Histogram {
 public:
  Histogram();

  void Add(uint64_t value);
  // Adds every sample of other.
  void Merge(const Histogram& other);
  void Clear();

  uint64_t count() const { return count_; }
  // 0 when empty.
  uint64_t min() const { return count_ == 0 ? 0 : min_; }
  uint64_t max() const { return max_; }
  double Mean() const;
  // The value below which p percent of the samples fall (p in [0, 100]),
  // to the precision stated above; 0 when empty.
  double Percentile(double p) const;

  // Bucket arithmetic, exposed for tests. BucketLow(i) <= v <= BucketHigh(i)
  // for i = BucketIndex(v).
  static size_t BucketIndex(uint64_t value);
  static uint64_t BucketLow(size_t index);
  static uint64_t BucketHigh(size_t index);
  static constexpr size_t kNumBuckets = 256 + 56 * 128;

 private:
  std::vector<uint64_t> buckets_;
  uint64_t count_ = 0;
  uint64_t min_ = UINT64_MAX;
  uint64_t max_ = 0;
  long double sum_ = 0;
};

}  // namespace metakv::bench

#endif  // METAKV_BENCH_HISTOGRAM_H_
