// deleterandom: deletes every key number of [0, num) once, in a seeded
// random order (db_bench draws with replacement; a permutation makes every
// delete hit a record after a fill, so both engines do the same logical
// work). metakv: a logical delete (Store::Delete; a key that is not live is
// a miss, not an error); rocksdb: a plain Delete. user bytes are tenant +
// key bytes per delete.
#include "bench/random.h"
#include "bench/workloads/op_loops.h"
#include "bench/workloads/registry.h"

namespace metakv::bench {

namespace {

class DeleteRandom : public Workload {
 public:
  std::string_view name() const override { return "deleterandom"; }
  bool writes() const override { return true; }

  Status Run(const WorkloadContext& ctx, WorkloadResult* result) override {
    const RandomPermutation order(ctx.config->num, ctx.seed);
    return RunDeleteLoop(
        ctx, ctx.config->num, [&order](uint64_t i, Random64*) { return order.At(i); }, result);
  }
};

}  // namespace

std::unique_ptr<Workload> NewDeleteRandom() { return std::make_unique<DeleteRandom>(); }

}  // namespace metakv::bench
