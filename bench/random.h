// Deterministic pseudo-random numbers for the workloads: the same seed gives
// the same sequence on every platform and compiler (unlike the standard
// library's distributions), so both engines see identical operations.
//
// Not thread-safe: one generator per thread.
#ifndef METAKV_BENCH_RANDOM_H_
#define METAKV_BENCH_RANDOM_H_

#include <cstdint>

namespace metakv::bench {

// SplitMix64's finalizer: a bijective 64-bit mix. Pure.
inline uint64_t Mix64(uint64_t z) {
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

// SplitMix64: fast, full 2^64 period, good enough statistics for key choice.
class Random64 {
 public:
  explicit Random64(uint64_t seed) : state_(seed) {}

  uint64_t Next() {
    state_ += 0x9e3779b97f4a7c15ull;
    return Mix64(state_);
  }

  // Uniform in [0, n) (Lemire's multiply-shift; the bias is below 2^-40 for
  // any n a benchmark uses). REQUIRES: n > 0.
  uint64_t Uniform(uint64_t n) {
    return static_cast<uint64_t>((static_cast<unsigned __int128>(Next()) * n) >> 64);
  }

 private:
  uint64_t state_;
};

// A pseudo-random permutation of [0, n) that needs no memory: a 4-round
// Feistel network over the smallest even number of bits covering n, with
// cycle walking back into [0, n) (on average fewer than 4 steps). At(i) for
// i = 0 .. n-1 visits every value of [0, n) exactly once, in an order fixed
// by the seed.
class RandomPermutation {
 public:
  // REQUIRES: n > 0.
  RandomPermutation(uint64_t n, uint64_t seed) : n_(n) {
    int bits = 2;
    while (bits < 64 && (uint64_t{1} << bits) < n) bits += 2;
    half_bits_ = bits / 2;
    half_mask_ = (uint64_t{1} << half_bits_) - 1;
    Random64 rng(seed);
    for (uint64_t& k : round_keys_) k = rng.Next();
  }

  // REQUIRES: i < n.
  uint64_t At(uint64_t i) const {
    uint64_t x = i;
    do {
      x = Encrypt(x);
    } while (x >= n_);
    return x;
  }

  uint64_t size() const { return n_; }

 private:
  uint64_t Encrypt(uint64_t x) const {
    uint64_t left = x >> half_bits_;
    uint64_t right = x & half_mask_;
    for (uint64_t k : round_keys_) {
      const uint64_t next = left ^ (Mix64(right ^ k) & half_mask_);
      left = right;
      right = next;
    }
    return (left << half_bits_) | right;
  }

  uint64_t n_;
  int half_bits_ = 1;
  uint64_t half_mask_ = 1;
  uint64_t round_keys_[4] = {};
};

}  // namespace metakv::bench

#endif  // METAKV_BENCH_RANDOM_H_
