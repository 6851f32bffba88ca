#include "bench/result.h"

#include <cmath>

namespace metakv::bench {

double WorkloadResult::OpsPerSecond() const {
  if (seconds <= 0) return std::nan("");
  return static_cast<double>(ops) / seconds;
}

double WorkloadResult::WriteAmplification() const {
  if (user_bytes == 0) return std::nan("");
  return static_cast<double>(device_bytes) / static_cast<double>(user_bytes);
}

double WorkloadResult::SpaceAmplification() const {
  if (live_bytes == 0) return std::nan("");
  return static_cast<double>(live_sst_bytes) / static_cast<double>(live_bytes);
}

}  // namespace metakv::bench
