// readrandom: --reads point gets of key numbers drawn uniformly (with
// replacement) from [0, num), as db_bench's readrandom; counts the keys
// found.
#include "bench/random.h"
#include "bench/workloads/op_loops.h"
#include "bench/workloads/registry.h"

namespace metakv::bench {

namespace {

class ReadRandom : public Workload {
 public:
  std::string_view name() const override { return "readrandom"; }
  bool writes() const override { return false; }

  Status Run(const WorkloadContext& ctx, WorkloadResult* result) override {
    const uint64_t num = ctx.config->num;
    return RunGetLoop(
        ctx, ctx.config->reads, [num](uint64_t, Random64* rng) { return rng->Uniform(num); },
        result);
  }
};

}  // namespace

std::unique_ptr<Workload> NewReadRandom() { return std::make_unique<ReadRandom>(); }

}  // namespace metakv::bench
