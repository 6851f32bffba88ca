// fillhistory: writes --num version-history records, each once, in groups of
// --history_group records of one tenant (tenants in turn), as a versioning
// service snapshots a directory: one group per call, acknowledged durable
// and visible on return (Engine::WriteHistoryGroup). Keys are "h" and the
// record's sequence number, 12 digits; values as in every workload. One
// latency sample per group; ops counts records.
#include <chrono>
#include <cstdio>

#include "bench/values.h"
#include "bench/workloads/registry.h"

namespace metakv::bench {

namespace {

using SteadyClock = std::chrono::steady_clock;

class FillHistory : public Workload {
 public:
  std::string_view name() const override { return "fillhistory"; }
  bool writes() const override { return true; }

  Status Run(const WorkloadContext& ctx, WorkloadResult* result) override {
    ValueGenerator values(ctx.seed, static_cast<size_t>(ctx.config->value_size));
    const uint64_t n = ctx.config->num;
    const uint64_t group = ctx.config->history_group;
    std::vector<HistoryRecord> records;
    result->op = "history_group";
    const auto start = SteadyClock::now();
    for (uint64_t first = 0, g = 0; first < n; first += group, ++g) {
      const std::string tenant = "t" + std::to_string(g % ctx.config->tenants);
      records.clear();
      for (uint64_t i = first; i < n && i < first + group; ++i) {
        char key[24];
        snprintf(key, sizeof(key), "h%012llu", static_cast<unsigned long long>(i));
        records.push_back(HistoryRecord{key, std::string(values.Next())});
        result->user_bytes +=
            tenant.size() + records.back().key.size() + records.back().value.size();
      }
      const auto before = SteadyClock::now();
      Status s = ctx.engine->WriteHistoryGroup(tenant, records);
      const auto after = SteadyClock::now();
      if (!s.ok()) {
        return Status::IOError("history group " + std::to_string(g) + ": " + s.ToString());
      }
      result->latency_ns.Add(static_cast<uint64_t>(
          std::chrono::duration_cast<std::chrono::nanoseconds>(after - before).count()));
      result->ops += records.size();
      for (const HistoryRecord& r : records) {
        ctx.counters->OpDone(tenant.size() + r.key.size() + r.value.size());
      }
    }
    result->seconds = std::chrono::duration<double>(SteadyClock::now() - start).count();
    return Status::OK();
  }
};

}  // namespace

std::unique_ptr<Workload> NewFillHistory() { return std::make_unique<FillHistory>(); }

}  // namespace metakv::bench
