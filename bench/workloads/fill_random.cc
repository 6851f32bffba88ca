// fillrandom: writes every key number of [0, num) exactly once, in an order
// given by a seeded random permutation (db_bench's fillrandom draws keys
// with replacement instead; a permutation makes every key exist afterwards,
// so readrandom's hit rate is 100%).
#include "bench/random.h"
#include "bench/workloads/op_loops.h"
#include "bench/workloads/registry.h"

namespace metakv::bench {

namespace {

class FillRandom : public Workload {
 public:
  std::string_view name() const override { return "fillrandom"; }
  bool writes() const override { return true; }

  Status Run(const WorkloadContext& ctx, WorkloadResult* result) override {
    const RandomPermutation order(ctx.config->num, ctx.seed);
    Status s = RunPutLoop(
        ctx, ctx.config->num, [&order](uint64_t i, Random64*) { return order.At(i); }, result);
    // Every key of [0, num) was written once: all of them are live.
    if (s.ok() && result->ops == ctx.config->num) {
      result->live_bytes = ctx.config->num * (ctx.config->key_size + ctx.config->value_size);
    }
    return s;
  }
};

}  // namespace

std::unique_ptr<Workload> NewFillRandom() { return std::make_unique<FillRandom>(); }

}  // namespace metakv::bench
