// Helpers for tests and simulations of code that embeds metakv.
#ifndef METAKV_TESTING_H_
#define METAKV_TESTING_H_

#include <atomic>
#include <cstdint>

#include "metakv/options.h"

namespace metakv {

// A clock that moves only when told to. Thread-safe.
class ManualClock : public Clock {
 public:
  explicit ManualClock(uint64_t now_micros = 1700000000ull * 1000000) : now_(now_micros) {}
  uint64_t NowMicros() const override { return now_.load(std::memory_order_acquire); }
  void SetMicros(uint64_t micros) { now_.store(micros, std::memory_order_release); }
  void AdvanceSeconds(uint64_t seconds) {
    now_.fetch_add(seconds * 1000000, std::memory_order_acq_rel);
  }

 private:
  std::atomic<uint64_t> now_;
};

}  // namespace metakv

#endif  // METAKV_TESTING_H_
