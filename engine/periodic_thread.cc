#include "engine/periodic_thread.h"

#include <algorithm>
#include <utility>

namespace metakv {

void PeriodicThread::Start(uint64_t interval_seconds, std::function<uint64_t()> now,
                           std::function<void()> pass) {
  thread_ = std::thread([this, interval_seconds, now = std::move(now), pass = std::move(pass)] {
    Run(interval_seconds, now, pass);
  });
}

void PeriodicThread::Run(uint64_t interval_seconds, const std::function<uint64_t()>& now,
                         const std::function<void()>& pass) {
  const auto interval = std::chrono::seconds(interval_seconds);
  // Wakes often enough to follow a clock faster than real time.
  const auto poll = std::min<std::chrono::milliseconds>(interval, kPoll);
  auto wall_start = std::chrono::steady_clock::now();
  uint64_t clock_start = now();
  std::unique_lock<std::mutex> lock(mu_);
  while (!cv_.wait_for(lock, poll, [this] { return stop_; })) {
    const auto wall_now = std::chrono::steady_clock::now();
    const uint64_t clock_now = now();
    if (wall_now - wall_start < interval && clock_now < clock_start + interval_seconds) continue;
    wall_start = wall_now;
    clock_start = clock_now;
    lock.unlock();
    pass();
    lock.lock();
  }
}

void PeriodicThread::Stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

}  // namespace metakv
