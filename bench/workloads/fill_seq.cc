// fillseq: writes key numbers 0, 1, ..., num-1 in order, as db_bench's
// fillseq. With the bench key layout (keys.h) the keys of each tenant
// arrive in ascending order, so flushes produce non-overlapping files.
#include "bench/workloads/op_loops.h"
#include "bench/workloads/registry.h"

namespace metakv::bench {

namespace {

class FillSeq : public Workload {
 public:
  std::string_view name() const override { return "fillseq"; }
  bool writes() const override { return true; }

  Status Run(const WorkloadContext& ctx, WorkloadResult* result) override {
    Status s = RunPutLoop(
        ctx, ctx.config->num, [](uint64_t i, Random64*) { return i; }, result);
    // Every key of [0, num) was written once: all of them are live.
    if (s.ok() && result->ops == ctx.config->num) {
      result->live_bytes = ctx.config->num * (ctx.config->key_size + ctx.config->value_size);
    }
    return s;
  }
};

}  // namespace

std::unique_ptr<Workload> NewFillSeq() { return std::make_unique<FillSeq>(); }

}  // namespace metakv::bench
