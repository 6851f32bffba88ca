#include "bench/values.h"

#include "bench/random.h"

namespace metakv::bench {

namespace {
constexpr size_t kMinBufferBytes = 1 << 20;
constexpr size_t kPieceBytes = 100;
constexpr double kCompressionRatio = 0.5;
}  // namespace

ValueGenerator::ValueGenerator(uint64_t seed, size_t value_size) : value_size_(value_size) {
  // Distinct from the key sequences' seeds derived from the same flag.
  Random64 rng(Mix64(seed ^ 0x76616c7565736564ull));
  const size_t target = value_size > kMinBufferBytes ? value_size : kMinBufferBytes;
  data_.reserve(target + kPieceBytes);
  const size_t raw_bytes = static_cast<size_t>(kPieceBytes * kCompressionRatio);
  std::string raw;
  while (data_.size() < target) {
    raw.clear();
    for (size_t i = 0; i < raw_bytes; ++i) raw.push_back(static_cast<char>(' ' + rng.Uniform(95)));
    for (size_t i = 0; i < kPieceBytes; ++i) data_.push_back(raw[i % raw_bytes]);
  }
}

std::string_view ValueGenerator::Next() {
  if (pos_ + value_size_ > data_.size()) pos_ = 0;
  std::string_view v(data_.data() + pos_, value_size_);
  pos_ += value_size_;
  return v;
}

}  // namespace metakv::bench
