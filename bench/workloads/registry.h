// The workloads metakv-bench knows, by name. Adding a workload: write
// workloads/<name>.cc defining its class and New<Name>(), declare the
// factory below, and add a line to the table in registry.cc. Immutable
// tables: thread-safe.
#ifndef METAKV_BENCH_WORKLOADS_REGISTRY_H_
#define METAKV_BENCH_WORKLOADS_REGISTRY_H_

#include <memory>
#include <string_view>
#include <vector>

#include "bench/workload.h"

namespace metakv::bench {

struct WorkloadInfo {
  std::string_view name;
  std::string_view description;  // one line for --help
  std::unique_ptr<Workload> (*factory)();
};

// Every workload, in the order --help lists them.
const std::vector<WorkloadInfo>& AllWorkloads();

// A new instance of the named workload; nullptr if the name is unknown.
std::unique_ptr<Workload> NewWorkload(std::string_view name);

bool IsKnownWorkload(std::string_view name);

// Factories, one per file in workloads/.
std::unique_ptr<Workload> NewFillRandom();
std::unique_ptr<Workload> NewOverwrite();
std::unique_ptr<Workload> NewReadRandom();
std::unique_ptr<Workload> NewFillHistory();
std::unique_ptr<Workload> NewMetaMix();
std::unique_ptr<Workload> NewFillSeq();
std::unique_ptr<Workload> NewSeekRandom();
std::unique_ptr<Workload> NewDeleteRandom();
std::unique_ptr<Workload> NewRmTree();    // bulk_delete.cc
std::unique_ptr<Workload> NewRmTenant();  // bulk_delete.cc

}  // namespace metakv::bench

#endif  // METAKV_BENCH_WORKLOADS_REGISTRY_H_
