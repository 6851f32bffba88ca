#include "compaction/tenant_partitioner.h"

#include "codecs/key_codec.h"

namespace metakv {

namespace {

// The encoded tenant prefix of key, or empty if key does not decode.
std::string_view TenantOf(const rocksdb::Slice& key) {
  const std::string_view k(key.data(), key.size());
  size_t length = 0;
  if (!codecs::TenantPrefixLength(k, &length).ok()) return {};
  return k.substr(0, length);
}

class TenantPartitioner : public rocksdb::SstPartitioner {
 public:
  TenantPartitioner(uint64_t min_file_bytes, std::shared_ptr<const TenantSet> large)
      : min_file_bytes_(min_file_bytes), large_(std::move(large)) {}

  const char* Name() const override { return "metakv.TenantPartitioner"; }

  rocksdb::PartitionerResult ShouldPartition(const rocksdb::PartitionerRequest& request) override {
    const std::string_view prev = TenantOf(*request.prev_user_key);
    const std::string_view cur = TenantOf(*request.current_user_key);
    if (prev.empty() || cur.empty() || prev == cur) return rocksdb::kNotRequired;
    if (request.current_output_file_size >= min_file_bytes_) return rocksdb::kRequired;
    if (large_->count(prev) != 0 || large_->count(cur) != 0) return rocksdb::kRequired;
    return rocksdb::kNotRequired;
  }

  // Files move down whole whatever they hold: a move writes nothing.
  bool CanDoTrivialMove(const rocksdb::Slice&, const rocksdb::Slice&) override { return true; }

 private:
  const uint64_t min_file_bytes_;
  const std::shared_ptr<const TenantSet> large_;
};

}  // namespace

TenantPartitionerFactory::TenantPartitionerFactory(uint64_t min_file_bytes)
    : min_file_bytes_(min_file_bytes), large_(std::make_shared<const TenantSet>()) {}

void TenantPartitionerFactory::SetLargeTenants(std::shared_ptr<const TenantSet> tenants) {
  if (!tenants) tenants = std::make_shared<const TenantSet>();
  std::lock_guard<std::mutex> lock(mu_);
  large_ = std::move(tenants);
}

std::shared_ptr<const TenantSet> TenantPartitionerFactory::LargeTenants() const {
  std::lock_guard<std::mutex> lock(mu_);
  return large_;
}

std::unique_ptr<rocksdb::SstPartitioner> TenantPartitionerFactory::CreatePartitioner(
    const rocksdb::SstPartitioner::Context& /*context*/) const {
  return std::make_unique<TenantPartitioner>(min_file_bytes_, LargeTenants());
}

}  // namespace metakv
