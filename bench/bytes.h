// Small encodings and clock readings the bench's engines and workloads
// share. Pure functions: thread-safe.
#ifndef METAKV_BENCH_BYTES_H_
#define METAKV_BENCH_BYTES_H_

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

namespace metakv::bench {

// Appends v as 8 big-endian bytes (so numbers sort as their encodings).
inline void AppendBigEndian64(uint64_t v, std::string* out) {
  for (int shift = 56; shift >= 0; shift -= 8) out->push_back(static_cast<char>(v >> shift));
}

// The number in the first 8 bytes of in, big-endian (fewer bytes: those).
inline uint64_t ReadBigEndian64(std::string_view in) {
  uint64_t v = 0;
  for (size_t i = 0; i < 8 && i < in.size(); ++i) v = (v << 8) | static_cast<unsigned char>(in[i]);
  return v;
}

// The real time, microseconds since the epoch: where every engine's
// simulated clock starts.
inline uint64_t RealTimeMicros() {
  return static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::microseconds>(
                                   std::chrono::system_clock::now().time_since_epoch())
                                   .count());
}

}  // namespace metakv::bench

#endif  // METAKV_BENCH_BYTES_H_
