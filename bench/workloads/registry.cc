#include "bench/workloads/registry.h"

namespace metakv::bench {

const std::vector<WorkloadInfo>& AllWorkloads() {
  static const std::vector<WorkloadInfo> kWorkloads = {
      {"fillseq", "write keys 0 .. --num - 1 once each, in order", &NewFillSeq},
      {"fillrandom", "write --num keys once each, in a seeded random order", &NewFillRandom},
      {"overwrite", "write --num keys drawn uniformly from [0, num) (existing keys)",
       &NewOverwrite},
      {"readrandom", "get --reads keys drawn uniformly from [0, num); counts those found",
       &NewReadRandom},
      {"seekrandom",
       "--reads seeks to keys drawn uniformly from [0, num), each reading up to 1 + --seek_nexts "
       "records of the key's tenant",
       &NewSeekRandom},
      {"deleterandom", "delete --num keys once each, in a seeded random order (metakv: logical)",
       &NewDeleteRandom},
      {"fillhistory",
       "write --num version-history records once each, in groups of --history_group per tenant "
       "(metakv: cold ingest; rocksdb: synced write batch)",
       &NewFillHistory},
      {"metamix",
       "the file-system metadata mix: load --num files over Zipf-popular tenants, then --mix_ops "
       "of stat, setattr, create, unlink, readdir, rename and snapshot (see docs/bench.md)",
       &NewMetaMix},
      {"rmtree",
       "load --num files in --trees_per_tenant directory trees per tenant, then remove one tree "
       "holding --remove_share of them (--remove_mode): readdir and seek latency before, right "
       "after and after the purge, bytes written, time until its bytes are gone",
       &NewRmTree},
      {"rmtenant",
       "load --num files over Zipf-sized tenants, then remove --remove_tenants whole tenants: "
       "the same figures as rmtree, reading in the remaining tenants",
       &NewRmTenant},
  };
  return kWorkloads;
}

std::unique_ptr<Workload> NewWorkload(std::string_view name) {
  for (const WorkloadInfo& w : AllWorkloads()) {
    if (w.name == name) return w.factory();
  }
  return nullptr;
}

bool IsKnownWorkload(std::string_view name) {
  for (const WorkloadInfo& w : AllWorkloads()) {
    if (w.name == name) return true;
  }
  return false;
}

}  // namespace metakv::bench
