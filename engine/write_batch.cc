#include "metakv/write_batch.h"

namespace metakv {

void WriteBatch::Put(std::string_view domain, std::string_view tenant, std::string_view key,
                     std::string_view value, uint64_t ttl_seconds) {
  ops_.push_back(Op{OpType::kPut, std::string(domain), std::string(tenant), std::string(key),
                    std::string(value), ttl_seconds});
}

void WriteBatch::Delete(std::string_view domain, std::string_view tenant, std::string_view key) {
  ops_.push_back(Op{OpType::kDelete, std::string(domain), std::string(tenant), std::string(key),
                    std::string(), 0});
}

void WriteBatch::HardDelete(std::string_view domain, std::string_view tenant,
                            std::string_view key) {
  ops_.push_back(Op{OpType::kHardDelete, std::string(domain), std::string(tenant), std::string(key),
                    std::string(), 0});
}

void WriteBatch::Undelete(std::string_view domain, std::string_view tenant, std::string_view key) {
  ops_.push_back(Op{OpType::kUndelete, std::string(domain), std::string(tenant), std::string(key),
                    std::string(), 0});
}

}  // namespace metakv
