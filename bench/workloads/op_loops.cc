#include "bench/workloads/op_loops.h"

#include <chrono>
#include <string>

#include "bench/values.h"

namespace metakv::bench {

namespace {

using Clock = std::chrono::steady_clock;

uint64_t Nanos(Clock::time_point from, Clock::time_point to) {
  return static_cast<uint64_t>(
      std::chrono::duration_cast<std::chrono::nanoseconds>(to - from).count());
}

std::string Describe(std::string_view op, uint64_t i, const std::string& tenant,
                     const std::string& key) {
  return std::string(op) + " #" + std::to_string(i) + " (tenant \"" + tenant + "\", key \"" + key +
         "\")";
}

Status Annotate(const Status& s, const std::string& what) {
  const std::string msg = what + ": " + s.ToString();
  if (s.IsCorruption()) return Status::Corruption(msg);
  if (s.IsInvalidArgument()) return Status::InvalidArgument(msg);
  if (s.IsNotSupported()) return Status::NotSupported(msg);
  if (s.IsBusy()) return Status::Busy(msg);
  return Status::IOError(msg);
}

}  // namespace

Status RunPutLoop(const WorkloadContext& ctx, uint64_t n, const KeyChooser& choose,
                  WorkloadResult* result) {
  ValueGenerator values(ctx.seed, static_cast<size_t>(ctx.config->value_size));
  std::string tenant, key;
  const Clock::time_point start = Clock::now();
  for (uint64_t i = 0; i < n; ++i) {
    ctx.keys->Format(choose(i), &tenant, &key);
    const std::string_view value = values.Next();
    const Clock::time_point before = Clock::now();
    Status s = ctx.engine->Put(tenant, key, value);
    const Clock::time_point after = Clock::now();
    if (!s.ok()) return Annotate(s, Describe("Put", i, tenant, key));
    result->latency_ns.Add(Nanos(before, after));
    result->user_bytes += tenant.size() + key.size() + value.size();
    ++result->ops;
  }
  result->seconds = static_cast<double>(Nanos(start, Clock::now())) / 1e9;
  return Status::OK();
}

Status RunGetLoop(const WorkloadContext& ctx, uint64_t n, const KeyChooser& choose,
                  WorkloadResult* result) {
  std::string tenant, key, value;
  const Clock::time_point start = Clock::now();
  for (uint64_t i = 0; i < n; ++i) {
    ctx.keys->Format(choose(i), &tenant, &key);
    const Clock::time_point before = Clock::now();
    Status s = ctx.engine->Get(tenant, key, &value);
    const Clock::time_point after = Clock::now();
    if (s.ok()) {
      if (value.size() != ctx.config->value_size) {
        return Status::Corruption(Describe("Get", i, tenant, key) + ": value of " +
                                  std::to_string(value.size()) + " bytes, expected " +
                                  std::to_string(ctx.config->value_size));
      }
      ++result->found;
    } else if (!s.IsNotFound()) {
      return Annotate(s, Describe("Get", i, tenant, key));
    }
    result->latency_ns.Add(Nanos(before, after));
    ++result->ops;
  }
  result->seconds = static_cast<double>(Nanos(start, Clock::now())) / 1e9;
  return Status::OK();
}

}  // namespace metakv::bench
