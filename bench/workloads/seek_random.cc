// seekrandom: --reads short scans, as db_bench's seekrandom: each seeks to
// a key number drawn uniformly (with replacement) from [0, num) and reads
// that record (or the next one of its tenant) and up to --seek_nexts
// following records of the same tenant. found counts scans that read at
// least one record; one latency sample per scan.
#include "bench/random.h"
#include "bench/workloads/op_loops.h"
#include "bench/workloads/registry.h"

namespace metakv::bench {

namespace {

class SeekRandom : public Workload {
 public:
  std::string_view name() const override { return "seekrandom"; }
  bool writes() const override { return false; }

  Status Run(const WorkloadContext& ctx, WorkloadResult* result) override {
    const uint64_t num = ctx.config->num;
    return RunScanLoop(
        ctx, ctx.config->reads, ctx.config->seek_nexts + 1,
        [num](uint64_t, Random64* rng) { return rng->Uniform(num); }, result);
  }
};

}  // namespace

std::unique_ptr<Workload> NewSeekRandom() { return std::make_unique<SeekRandom>(); }

}  // namespace metakv::bench
