// The tenant partitioner: an SstPartitionerFactory that cuts compaction
// output files at tenant boundaries where that pays.
//
// Cutting at every tenant boundary (what RocksDB's fixed-prefix partitioner
// does) makes hundreds of tiny files with many small tenants, saves no write
// bytes and slows point reads. So a boundary is cut only
//   - when the current output file has reached min_file_bytes, or
//   - when the tenant being left or entered is large (its bytes in the
//     domain reached the large-tenant threshold),
// so a large tenant's data lies in files of its own and moves down by
// trivial moves, while small tenants share files.
//
// Thread-safety: the factory is shared by concurrent compactions; the set of
// large tenants may be replaced at any time (SetLargeTenants) and each
// partitioner works with the set current when its compaction began.
#ifndef METAKV_COMPACTION_TENANT_PARTITIONER_H_
#define METAKV_COMPACTION_TENANT_PARTITIONER_H_

#include <rocksdb/sst_partitioner.h>

#include <cstdint>
#include <memory>
#include <mutex>
#include <set>
#include <string>

namespace metakv {

// Encoded tenant prefixes (codecs::AppendTenantPrefix) of the large tenants.
using TenantSet = std::set<std::string, std::less<>>;

class TenantPartitionerFactory : public rocksdb::SstPartitionerFactory {
 public:
  explicit TenantPartitionerFactory(uint64_t min_file_bytes);

  // Replaces the set of large tenants.
  void SetLargeTenants(std::shared_ptr<const TenantSet> tenants);
  std::shared_ptr<const TenantSet> LargeTenants() const;

  std::unique_ptr<rocksdb::SstPartitioner> CreatePartitioner(
      const rocksdb::SstPartitioner::Context& context) const override;
  const char* Name() const override { return "metakv.TenantPartitionerFactory"; }

  uint64_t min_file_bytes() const { return min_file_bytes_; }

 private:
  const uint64_t min_file_bytes_;
  mutable std::mutex mu_;
  std::shared_ptr<const TenantSet> large_;  // GUARDED_BY(mu_), never null
};

}  // namespace metakv

#endif  // METAKV_COMPACTION_TENANT_PARTITIONER_H_
