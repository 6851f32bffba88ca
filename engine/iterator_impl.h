// IteratorImpl: a metakv::Iterator over a RocksDB iterator of one domain,
// bounded to a tenant or key prefix, that skips tombstones, expired records
// and records hidden by logical tree removals in both directions. A removed
// range nothing was written under since its removal is skipped with one
// seek, so a scan never crawls through a removed tree. Not thread-safe (like every Iterator).
#ifndef METAKV_ENGINE_ITERATOR_IMPL_H_
#define METAKV_ENGINE_ITERATOR_IMPL_H_

#include <rocksdb/db.h>

#include <functional>
#include <memory>
#include <string>

#include "codecs/record_codec.h"
#include "compaction/removals.h"
#include "metakv/iterator.h"

namespace metakv {

class IteratorImpl : public Iterator {
 public:
  // Bounds are encoded keys; empty means unbounded. scope_tenant empty means
  // a domain-wide scan. removals (null: none) are the logical removals in
  // force for ro's view; domain_index is the domain's index in them.
  // on_close runs when the iterator is destroyed.
  static std::unique_ptr<IteratorImpl> Create(rocksdb::DB* db, rocksdb::ColumnFamilyHandle* cf,
                                              rocksdb::ReadOptions ro, std::string scope_tenant,
                                              std::string lower, std::string upper,
                                              uint64_t now_seconds,
                                              std::shared_ptr<const RemovalSet> removals,
                                              size_t domain_index, std::function<void()> on_close);
  ~IteratorImpl() override;

  bool Valid() const override { return valid_; }
  void SeekToFirst() override;
  void SeekToLast() override;
  void Seek(std::string_view tenant, std::string_view key) override;
  void SeekForPrev(std::string_view tenant, std::string_view key) override;
  void Next() override;
  void Prev() override;
  std::string_view tenant() const override { return tenant_; }
  std::string_view key() const override { return key_; }
  std::string_view value() const override { return record_.payload; }
  uint64_t write_time() const override { return record_.time; }
  uint64_t expiry_time() const override { return record_.expiry; }
  Status status() const override { return status_; }

 private:
  IteratorImpl(std::string scope_tenant, std::string lower, std::string upper, uint64_t now,
               std::shared_ptr<const RemovalSet> removals, size_t domain_index,
               std::function<void()> on_close);
  // Moves past hidden records (tombstones, expired) in the given direction,
  // decoding the record it stops on.
  void Settle(bool forward);
  // Encodes a seek target; false (and the iterator invalid) if tenant is
  // outside a tenant scan or too long.
  bool Target(std::string_view tenant, std::string_view key, std::string* target);

  // Constant after construction.
  const std::string scope_tenant_;
  const std::string lower_;
  const std::string upper_;
  rocksdb::Slice lower_slice_;
  rocksdb::Slice upper_slice_;
  const uint64_t now_;
  const std::shared_ptr<const RemovalSet> removals_;  // null if none in the domain
  const size_t domain_index_;
  std::function<void()> on_close_;

  std::unique_ptr<rocksdb::Iterator> it_;  // declared after the bounds it uses
  bool valid_ = false;
  Status status_;
  std::string tenant_;
  std::string_view key_;
  codecs::Record record_;
};

}  // namespace metakv

#endif  // METAKV_ENGINE_ITERATOR_IMPL_H_
