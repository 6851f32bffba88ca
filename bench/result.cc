#include "bench/result.h"

#include <cmath>

namespace metakv::bench {

const std::vector<std::string>& WorkloadResult::RemovalPhases() {
  static const std::vector<std::string> kPhases = {"before", "removed", "purged"};
  return kPhases;
}

const Histogram* WorkloadResult::PhaseLatency(const std::string& op,
                                              const std::string& phase) const {
  const auto it = op_latency_ns.find(op + "." + phase);
  if (it == op_latency_ns.end() || it->second.count() == 0) return nullptr;
  return &it->second;
}

double WorkloadResult::RemovalWriteRatio() const {
  if (!has_removal || removal.logical_bytes == 0) return std::nan("");
  return static_cast<double>(removal.device_bytes) / static_cast<double>(removal.logical_bytes);
}

void WorkloadResult::MergeLoop(const WorkloadResult& partial) {
  ops += partial.ops;
  found += partial.found;
  entries += partial.entries;
  user_bytes += partial.user_bytes;
  latency_ns.Merge(partial.latency_ns);
  for (const auto& [op, h] : partial.op_latency_ns) op_latency_ns[op].Merge(h);
}

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
