#include "bench/workloads/op_loops.h"

#include <atomic>
#include <chrono>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

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

// What one thread of a loop sees.
struct ThreadContext {
  uint64_t thread = 0;
  Random64* rng = nullptr;
};

// Runs op(tc, i, partial, after) for the operations i of [0, n), split over
// --threads threads, each filling its own partial result and setting *after
// to the time its operation ended. A thread stops at its first error (and
// stops the others), or once *after passes --duration. Merges the partial
// results into *result, sets its seconds and returns the first error.
using OpFn = std::function<Status(const ThreadContext& tc, uint64_t i, WorkloadResult* partial,
                                  Clock::time_point* after)>;

Status RunLoop(const WorkloadContext& ctx, uint64_t n, const OpFn& op, WorkloadResult* result) {
  const uint64_t threads = ctx.config->threads == 0 ? 1 : ctx.config->threads;
  std::atomic<bool> stop{false};
  std::mutex mu;
  Status first_error;  // GUARDED_BY(mu)
  std::vector<WorkloadResult> partials(threads);
  const Clock::time_point start = Clock::now();
  const Clock::time_point deadline =
      ctx.config->duration_seconds == 0
          ? Clock::time_point::max()
          : start + std::chrono::seconds(ctx.config->duration_seconds);

  auto body = [&](uint64_t t) {
    Random64 rng(ThreadSeed(ctx.seed, t));
    ThreadContext tc;
    tc.thread = t;
    tc.rng = &rng;
    const uint64_t begin = n / threads * t + (t < n % threads ? t : n % threads);
    const uint64_t end = begin + n / threads + (t < n % threads ? 1 : 0);
    for (uint64_t i = begin; i < end && !stop.load(std::memory_order_relaxed); ++i) {
      Clock::time_point after;
      const uint64_t bytes_before = partials[t].user_bytes;
      Status s = op(tc, i, &partials[t], &after);
      if (s.ok()) ctx.counters->OpDone(partials[t].user_bytes - bytes_before);
      if (!s.ok()) {
        std::lock_guard<std::mutex> lock(mu);
        if (first_error.ok()) first_error = s;
        stop.store(true);
        return;
      }
      if (after >= deadline) break;
    }
  };
  if (threads == 1) {
    body(0);
  } else {
    std::vector<std::thread> workers;
    workers.reserve(threads);
    for (uint64_t t = 0; t < threads; ++t) workers.emplace_back(body, t);
    for (std::thread& w : workers) w.join();
  }
  for (const WorkloadResult& p : partials) result->MergeLoop(p);
  result->seconds = static_cast<double>(Nanos(start, Clock::now())) / 1e9;
  return first_error;
}

}  // namespace

uint64_t ThreadSeed(uint64_t seed, uint64_t thread) {
  return thread == 0 ? seed : Mix64(seed ^ Mix64(~thread));
}

Status RunPutLoop(const WorkloadContext& ctx, uint64_t n, const KeyChooser& choose,
                  WorkloadResult* result) {
  result->op = "put";
  const uint64_t threads = ctx.config->threads == 0 ? 1 : ctx.config->threads;
  std::vector<ValueGenerator> values;
  values.reserve(threads);
  for (uint64_t t = 0; t < threads; ++t) {
    values.emplace_back(ThreadSeed(ctx.seed, t), static_cast<size_t>(ctx.config->value_size));
  }
  return RunLoop(
      ctx, n,
      [&](const ThreadContext& tc, uint64_t i, WorkloadResult* partial, Clock::time_point* after) {
        std::string tenant, key;
        ctx.keys->Format(choose(i, tc.rng), &tenant, &key);
        const std::string_view value = values[tc.thread].Next();
        const Clock::time_point before = Clock::now();
        Status s = ctx.engine->Put(tenant, key, value);
        *after = Clock::now();
        if (!s.ok()) return Annotate(s, Describe("Put", i, tenant, key));
        partial->latency_ns.Add(Nanos(before, *after));
        partial->user_bytes += tenant.size() + key.size() + value.size();
        ++partial->ops;
        return Status::OK();
      },
      result);
}

Status RunGetLoop(const WorkloadContext& ctx, uint64_t n, const KeyChooser& choose,
                  WorkloadResult* result) {
  result->op = "get";
  return RunLoop(
      ctx, n,
      [&](const ThreadContext& tc, uint64_t i, WorkloadResult* partial, Clock::time_point* after) {
        std::string tenant, key, value;
        ctx.keys->Format(choose(i, tc.rng), &tenant, &key);
        const Clock::time_point before = Clock::now();
        Status s = ctx.engine->Get(tenant, key, &value);
        *after = Clock::now();
        if (s.ok()) {
          if (value.size() != ctx.config->value_size) {
            return Status::Corruption(Describe("Get", i, tenant, key) + ": value of " +
                                      std::to_string(value.size()) + " bytes, expected " +
                                      std::to_string(ctx.config->value_size));
          }
          ++partial->found;
        } else if (!s.IsNotFound()) {
          return Annotate(s, Describe("Get", i, tenant, key));
        }
        partial->latency_ns.Add(Nanos(before, *after));
        ++partial->ops;
        return Status::OK();
      },
      result);
}

Status RunDeleteLoop(const WorkloadContext& ctx, uint64_t n, const KeyChooser& choose,
                     WorkloadResult* result) {
  result->op = "delete";
  return RunLoop(
      ctx, n,
      [&](const ThreadContext& tc, uint64_t i, WorkloadResult* partial, Clock::time_point* after) {
        std::string tenant, key;
        ctx.keys->Format(choose(i, tc.rng), &tenant, &key);
        const Clock::time_point before = Clock::now();
        Status s = ctx.engine->Delete(tenant, key);
        *after = Clock::now();
        if (s.ok()) {
          ++partial->found;
        } else if (!s.IsNotFound()) {
          return Annotate(s, Describe("Delete", i, tenant, key));
        }
        partial->latency_ns.Add(Nanos(before, *after));
        partial->user_bytes += tenant.size() + key.size();
        ++partial->ops;
        return Status::OK();
      },
      result);
}

Status RunScanLoop(const WorkloadContext& ctx, uint64_t n, uint64_t limit, const KeyChooser& choose,
                   WorkloadResult* result) {
  result->op = "scan";
  return RunLoop(
      ctx, n,
      [&](const ThreadContext& tc, uint64_t i, WorkloadResult* partial, Clock::time_point* after) {
        std::string tenant, key;
        ctx.keys->Format(choose(i, tc.rng), &tenant, &key);
        uint64_t count = 0;
        const Clock::time_point before = Clock::now();
        Status s = ctx.engine->Scan(tenant, key, limit, &count);
        *after = Clock::now();
        if (!s.ok()) return Annotate(s, Describe("Scan", i, tenant, key));
        if (count > 0) ++partial->found;
        partial->entries += count;
        partial->latency_ns.Add(Nanos(before, *after));
        ++partial->ops;
        return Status::OK();
      },
      result);
}

}  // namespace metakv::bench
