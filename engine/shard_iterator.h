// ShardMergeIterator: one metakv::Iterator over a domain whose tenants are
// spread over shards (DomainOptions::tenant_shards), merging one iterator per
// shard in key order. Each tenant lives wholly in one shard, so the children
// never hold the same key; all children read one view (the caller gives them
// one snapshot). Not thread-safe (like every Iterator).
#ifndef METAKV_ENGINE_SHARD_ITERATOR_H_
#define METAKV_ENGINE_SHARD_ITERATOR_H_

#include <functional>
#include <memory>
#include <vector>

#include "metakv/iterator.h"

namespace metakv {

class ShardMergeIterator : public Iterator {
 public:
  // on_close runs when the iterator is destroyed, after the children are.
  ShardMergeIterator(std::vector<std::unique_ptr<Iterator>> children,
                     std::function<void()> on_close);
  ~ShardMergeIterator() override;

  bool Valid() const override { return current_ != nullptr && status_.ok(); }
  void SeekToFirst() override;
  void SeekToLast() override;
  void Seek(std::string_view tenant, std::string_view key) override;
  void SeekForPrev(std::string_view tenant, std::string_view key) override;
  void Next() override;
  void Prev() override;
  std::string_view tenant() const override { return current_->tenant(); }
  std::string_view key() const override { return current_->key(); }
  std::string_view value() const override { return current_->value(); }
  uint64_t write_time() const override { return current_->write_time(); }
  uint64_t delete_time() const override { return current_->delete_time(); }
  uint64_t expiry_time() const override { return current_->expiry_time(); }
  Status status() const override { return status_; }

 private:
  // Picks the child at the smallest (forward) or largest key and gathers
  // the children's first error: a shard that failed makes the whole
  // iterator invalid rather than silently missing its records.
  void Pick(bool forward);
  // Next (forward) or Prev.
  void Step(bool forward);

  std::vector<std::unique_ptr<Iterator>> children_;
  std::function<void()> on_close_;
  Iterator* current_ = nullptr;
  bool forward_ = true;
  Status status_;
};

}  // namespace metakv

#endif  // METAKV_ENGINE_SHARD_ITERATOR_H_
