// Value bytes for the write workloads, like db_bench's RandomGenerator with
// --compression_ratio=0.5: a buffer of at least 1 MiB made of 100-byte
// pieces, each 50 random printable bytes followed by a repeat of them, so a
// block compressor (snappy, zstd) shrinks values to about half. Values are
// successive value_size slices of the buffer, wrapping around; the buffer
// and the sequence depend only on the seed.
//
// Not thread-safe: one generator per thread.
#ifndef METAKV_BENCH_VALUES_H_
#define METAKV_BENCH_VALUES_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace metakv::bench {

class ValueGenerator {
 public:
  // REQUIRES: value_size > 0.
  ValueGenerator(uint64_t seed, size_t value_size);

  // The next value: exactly value_size bytes. The view stays valid as long
  // as the generator.
  std::string_view Next();

  size_t value_size() const { return value_size_; }

 private:
  size_t value_size_;
  std::string data_;
  size_t pos_ = 0;
};

}  // namespace metakv::bench

#endif  // METAKV_BENCH_VALUES_H_
