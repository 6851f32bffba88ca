// Zipf-distributed choice among n items: item i (0-based) with probability
// proportional to 1 / (i + 1)^theta. theta = 0 is uniform; YCSB's skew is
// 0.99. Draws by binary search in the precomputed cumulative distribution
// (n doubles of memory), so any theta >= 0 works, 1 included.
// Immutable after construction: thread-safe (each thread its own Random64).
#ifndef METAKV_BENCH_ZIPF_H_
#define METAKV_BENCH_ZIPF_H_

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <vector>

#include "bench/random.h"

namespace metakv::bench {

class ZipfDistribution {
 public:
  // REQUIRES: n >= 1, theta >= 0 and finite.
  ZipfDistribution(uint64_t n, double theta) : cdf_(n) {
    double sum = 0;
    for (uint64_t i = 0; i < n; ++i) {
      sum += 1.0 / std::pow(static_cast<double>(i + 1), theta);
      cdf_[i] = sum;
    }
    for (double& c : cdf_) c /= sum;
  }

  // Probability of item i.
  double Probability(uint64_t i) const { return cdf_[i] - (i == 0 ? 0.0 : cdf_[i - 1]); }

  uint64_t Next(Random64* rng) const {
    // 53 random bits -> [0, 1).
    const double u = static_cast<double>(rng->Next() >> 11) * (1.0 / 9007199254740992.0);
    const auto it = std::upper_bound(cdf_.begin(), cdf_.end(), u);
    return it == cdf_.end() ? cdf_.size() - 1 : static_cast<uint64_t>(it - cdf_.begin());
  }

  uint64_t size() const { return cdf_.size(); }

 private:
  std::vector<double> cdf_;
};

}  // namespace metakv::bench

#endif  // METAKV_BENCH_ZIPF_H_
