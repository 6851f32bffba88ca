// A thread that runs a pass every interval seconds of a given clock or of
// real time, whichever passes first: a clock faster than real time (a
// simulation) gets passes at its own pace, a stopped one still gets them.
// The store's maintenance thread.
//
// Thread-safety: Start and Stop from one thread; the pass runs on the
// thread, never two at once.
#ifndef METAKV_ENGINE_PERIODIC_THREAD_H_
#define METAKV_ENGINE_PERIODIC_THREAD_H_

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <thread>

namespace metakv {

class PeriodicThread {
 public:
  // How often the thread looks at the clocks.
  static constexpr std::chrono::milliseconds kPoll{20};

  PeriodicThread() = default;
  PeriodicThread(const PeriodicThread&) = delete;
  PeriodicThread& operator=(const PeriodicThread&) = delete;
  ~PeriodicThread() { Stop(); }

  // Starts the thread. now gives the clock's time in seconds.
  void Start(uint64_t interval_seconds, std::function<uint64_t()> now, std::function<void()> pass);
  // Stops the thread once a running pass has returned, and joins it.
  // Idempotent.
  void Stop();

 private:
  void Run(uint64_t interval_seconds, const std::function<uint64_t()>& now,
           const std::function<void()>& pass);

  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;  // GUARDED_BY(mu_)
  std::thread thread_;
};

}  // namespace metakv

#endif  // METAKV_ENGINE_PERIODIC_THREAD_H_
