#include "bench/wait.h"

#include <string>
#include <thread>

namespace metakv::bench {

Status PollUntilIdle(std::string_view engine, const IdleProbe& probe,
                     std::chrono::seconds timeout) {
  constexpr auto kInterval = std::chrono::milliseconds(50);
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  int idle_in_a_row = 0;
  while (true) {
    bool idle = false;
    Status s = probe(&idle);
    if (!s.ok()) return s;
    idle_in_a_row = idle ? idle_in_a_row + 1 : 0;
    if (idle_in_a_row >= 2) return Status::OK();
    if (std::chrono::steady_clock::now() >= deadline) {
      return Status::Aborted(std::string(engine) + ": background work still pending after " +
                             std::to_string(timeout.count()) + " s");
    }
    std::this_thread::sleep_for(kInterval);
  }
}

}  // namespace metakv::bench
