// IteratorImpl: a metakv::Iterator over a RocksDB iterator of one domain,
// bounded to a tenant or key prefix, that shows the records a read may see
// (or, for the recycle bin, the restorable tombstones) and skips the rest in
// both directions: by the rules of compaction/record_rules.h. A removed
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
#include "engine/latency.h"
#include "metakv/iterator.h"

namespace metakv {

class IteratorImpl : public Iterator {
 public:
  // What an iterator shows, fixed at creation.
  struct View {
    // Bounds are encoded keys; empty means unbounded.
    std::string lower;
    std::string upper;
    // Empty: a domain-wide scan.
    std::string scope_tenant;
    // The time reads are judged at, seconds.
    uint64_t now = 0;
    // The removals in force for the read's view (null: none) and the
    // domain's index in them.
    std::shared_ptr<const RemovalSet> removals;
    size_t domain_index = 0;
    // The recycle bin instead of the visible records: the tombstones still
    // restorable at now under the domain's retention (compaction/record_rules.h).
    bool recycle_bin = false;
    uint64_t retention_seconds = 0;
    // Where seeks are timed (null: not timed); outlives the iterator.
    LatencyHistogram* seek_latency = nullptr;
  };
  // on_close runs when the iterator is destroyed.
  static std::unique_ptr<IteratorImpl> Create(rocksdb::DB* db, rocksdb::ColumnFamilyHandle* cf,
                                              rocksdb::ReadOptions ro, View view,
                                              std::function<void()> on_close);
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
  uint64_t delete_time() const override { return view_.recycle_bin ? record_.time : 0; }
  uint64_t expiry_time() const override { return record_.expiry; }
  Status status() const override { return status_; }

 private:
  IteratorImpl(View view, std::function<void()> on_close);
  // True if the iterator shows the record at encoded; *hiding gets the
  // removal entry that hides it, if any.
  bool Shows(std::string_view encoded, const RemovalSet::Entry** hiding) const;
  // Moves past hidden records (tombstones, expired) in the given direction,
  // decoding the record it stops on.
  void Settle(bool forward);
  // Encodes a seek target; false (and the iterator invalid) if tenant is
  // outside a tenant scan or too long.
  bool Target(std::string_view tenant, std::string_view key, std::string* target);

  // Constant after construction.
  const View view_;
  rocksdb::Slice lower_slice_;
  rocksdb::Slice upper_slice_;
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
