#include "engine/iterator_impl.h"

#include "codecs/key_codec.h"
#include "engine/rocksdb_util.h"

namespace metakv {

std::unique_ptr<IteratorImpl> IteratorImpl::Create(rocksdb::DB* db, rocksdb::ColumnFamilyHandle* cf,
                                                   rocksdb::ReadOptions ro,
                                                   std::string scope_tenant, std::string lower,
                                                   std::string upper, uint64_t now_seconds,
                                                   std::shared_ptr<const RemovalSet> removals,
                                                   size_t domain_index,
                                                   std::function<void()> on_close) {
  std::unique_ptr<IteratorImpl> it(
      new IteratorImpl(std::move(scope_tenant), std::move(lower), std::move(upper), now_seconds,
                       std::move(removals), domain_index, std::move(on_close)));
  ro.iterate_lower_bound = it->lower_.empty() ? nullptr : &it->lower_slice_;
  ro.iterate_upper_bound = it->upper_.empty() ? nullptr : &it->upper_slice_;
  it->it_.reset(db->NewIterator(ro, cf));
  return it;
}

IteratorImpl::IteratorImpl(std::string scope_tenant, std::string lower, std::string upper,
                           uint64_t now, std::shared_ptr<const RemovalSet> removals,
                           size_t domain_index, std::function<void()> on_close)
    : scope_tenant_(std::move(scope_tenant)),
      lower_(std::move(lower)),
      upper_(std::move(upper)),
      lower_slice_(lower_),
      upper_slice_(upper_),
      now_(now),
      removals_(removals && !removals->Empty(domain_index) ? std::move(removals) : nullptr),
      domain_index_(domain_index),
      on_close_(std::move(on_close)) {}

IteratorImpl::~IteratorImpl() {
  it_.reset();
  if (on_close_) on_close_();
}

void IteratorImpl::Settle(bool forward) {
  valid_ = false;
  while (it_->Valid()) {
    const rocksdb::Slice k = it_->key();
    const rocksdb::Slice v = it_->value();
    const std::string_view encoded(k.data(), k.size());
    Status s = codecs::DecodeKey(encoded, &tenant_, &key_);
    if (s.ok()) s = codecs::DecodeRecord(encoded, std::string_view(v.data(), v.size()), &record_);
    if (!s.ok()) {
      status_ = s;
      return;
    }
    const RemovalSet::Entry* removed =
        removals_ ? removals_->Hiding(domain_index_, encoded, record_.time) : nullptr;
    if (!record_.IsTombstone() && !record_.IsExpiredAt(now_) && removed == nullptr) {
      valid_ = true;
      return;
    }
    if (removed != nullptr && !removed->written_under) {
      // Nothing written under the removed range since: every record in it
      // is hidden, so leave the range with one seek.
      if (forward) {
        it_->Seek(removed->end);
      } else {
        it_->SeekForPrev(removed->begin);
        if (it_->Valid() && it_->key() == rocksdb::Slice(removed->begin)) it_->Prev();
      }
      continue;
    }
    if (forward) {
      it_->Next();
    } else {
      it_->Prev();
    }
  }
  if (!it_->status().ok()) status_ = FromRocks(it_->status(), "iterator");
}

bool IteratorImpl::Target(std::string_view tenant, std::string_view key, std::string* target) {
  if (!scope_tenant_.empty() && tenant != scope_tenant_) {
    valid_ = false;
    status_ = Status::InvalidArgument("Seek outside the iterator's tenant");
    return false;
  }
  if (tenant.size() > codecs::kMaxTenantBytes) {
    valid_ = false;
    status_ = Status::InvalidArgument("Seek: tenant id too long");
    return false;
  }
  codecs::AppendKey(tenant, key, target);
  return true;
}

void IteratorImpl::SeekToFirst() {
  status_ = Status::OK();
  it_->SeekToFirst();
  Settle(true);
}

void IteratorImpl::SeekToLast() {
  status_ = Status::OK();
  it_->SeekToLast();
  Settle(false);
}

void IteratorImpl::Seek(std::string_view tenant, std::string_view key) {
  status_ = Status::OK();
  std::string target;
  if (!Target(tenant, key, &target)) return;
  if (!lower_.empty() && target < lower_) target = lower_;
  it_->Seek(target);
  Settle(true);
}

void IteratorImpl::SeekForPrev(std::string_view tenant, std::string_view key) {
  status_ = Status::OK();
  std::string target;
  if (!Target(tenant, key, &target)) return;
  if (!upper_.empty() && target >= upper_) {
    it_->SeekToLast();
  } else {
    it_->SeekForPrev(target);
  }
  Settle(false);
}

void IteratorImpl::Next() {
  if (!valid_) return;
  it_->Next();
  Settle(true);
}

void IteratorImpl::Prev() {
  if (!valid_) return;
  it_->Prev();
  Settle(false);
}

}  // namespace metakv
