// metakv::WriteBatch: a group of writes, possibly spanning domains, applied
// atomically by Store::Write: either every operation takes effect or none.
//
// A WriteBatch owns copies of everything added to it. Not thread-safe: one
// thread builds a batch; a finished batch may be read by several threads.
#ifndef METAKV_WRITE_BATCH_H_
#define METAKV_WRITE_BATCH_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace metakv {

class WriteBatch {
 public:
  enum class OpType : unsigned char { kPut, kDelete, kHardDelete, kUndelete };

  struct Op {
    OpType type;
    std::string domain;
    std::string tenant;
    std::string key;
    std::string value;         // kPut only
    uint64_t ttl_seconds = 0;  // kPut only; 0 = the domain's default TTL
  };

  // Writes a live record (replacing any earlier version, live or deleted).
  void Put(std::string_view domain, std::string_view tenant, std::string_view key,
           std::string_view value, uint64_t ttl_seconds = 0);
  // Logically deletes a live record (see Store::Delete). If the record is
  // not live when the batch is applied, the whole batch fails with NotFound.
  void Delete(std::string_view domain, std::string_view tenant, std::string_view key);
  // Removes a record and every deleted version of it at once
  // (see Store::HardDelete).
  void HardDelete(std::string_view domain, std::string_view tenant, std::string_view key);
  // Restores a logically deleted record (see Store::Undelete). If it is not
  // restorable when the batch is applied, the whole batch fails with the
  // error Undelete would return.
  void Undelete(std::string_view domain, std::string_view tenant, std::string_view key);

  void Clear() { ops_.clear(); }
  size_t Count() const { return ops_.size(); }
  const std::vector<Op>& ops() const { return ops_; }

 private:
  std::vector<Op> ops_;
};

}  // namespace metakv

#endif  // METAKV_WRITE_BATCH_H_
