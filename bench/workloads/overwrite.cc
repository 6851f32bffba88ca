// overwrite: num writes of key numbers drawn uniformly (with replacement)
// from [0, num), as db_bench's overwrite. After a fill every write replaces
// an existing key.
#include "bench/random.h"
#include "bench/workloads/op_loops.h"
#include "bench/workloads/registry.h"

namespace metakv::bench {

namespace {

class Overwrite : public Workload {
 public:
  std::string_view name() const override { return "overwrite"; }
  bool writes() const override { return true; }

  Status Run(const WorkloadContext& ctx, WorkloadResult* result) override {
    const uint64_t num = ctx.config->num;
    return RunPutLoop(
        ctx, num, [num](uint64_t, Random64* rng) { return rng->Uniform(num); }, result);
  }
};

}  // namespace

std::unique_ptr<Workload> NewOverwrite() { return std::make_unique<Overwrite>(); }

}  // namespace metakv::bench
