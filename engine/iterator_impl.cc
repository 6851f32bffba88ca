#include "engine/iterator_impl.h"

#include "codecs/key_codec.h"
#include "compaction/record_rules.h"
#include "engine/rocksdb_util.h"

namespace metakv {

std::unique_ptr<IteratorImpl> IteratorImpl::Create(rocksdb::DB* db, rocksdb::ColumnFamilyHandle* cf,
                                                   rocksdb::ReadOptions ro, View view,
                                                   std::function<void()> on_close) {
  if (view.removals && view.removals->Empty(view.domain_index)) view.removals = nullptr;
  std::unique_ptr<IteratorImpl> it(new IteratorImpl(std::move(view), std::move(on_close)));
  ro.iterate_lower_bound = it->view_.lower.empty() ? nullptr : &it->lower_slice_;
  ro.iterate_upper_bound = it->view_.upper.empty() ? nullptr : &it->upper_slice_;
  it->it_.reset(db->NewIterator(ro, cf));
  return it;
}

IteratorImpl::IteratorImpl(View view, std::function<void()> on_close)
    : view_(std::move(view)),
      lower_slice_(view_.lower),
      upper_slice_(view_.upper),
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
    const RemovalSet::Entry* removed = nullptr;
    if (Shows(encoded, &removed)) {
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

bool IteratorImpl::Shows(std::string_view encoded, const RemovalSet::Entry** hiding) const {
  const Visibility v =
      VisibilityOf(record_, view_.now, view_.removals.get(), view_.domain_index, encoded, hiding);
  if (!view_.recycle_bin) return v == Visibility::kVisible;
  return v == Visibility::kDeleted &&
         RestorableAt(record_, view_.now, view_.retention_seconds) == Restorable::kYes;
}

bool IteratorImpl::Target(std::string_view tenant, std::string_view key, std::string* target) {
  if (!view_.scope_tenant.empty() && tenant != view_.scope_tenant) {
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
  LatencyTimer timer(view_.seek_latency);
  status_ = Status::OK();
  it_->SeekToFirst();
  Settle(true);
}

void IteratorImpl::SeekToLast() {
  LatencyTimer timer(view_.seek_latency);
  status_ = Status::OK();
  it_->SeekToLast();
  Settle(false);
}

void IteratorImpl::Seek(std::string_view tenant, std::string_view key) {
  LatencyTimer timer(view_.seek_latency);
  status_ = Status::OK();
  std::string target;
  if (!Target(tenant, key, &target)) return;
  if (!view_.lower.empty() && target < view_.lower) target = view_.lower;
  it_->Seek(target);
  Settle(true);
}

void IteratorImpl::SeekForPrev(std::string_view tenant, std::string_view key) {
  LatencyTimer timer(view_.seek_latency);
  status_ = Status::OK();
  std::string target;
  if (!Target(tenant, key, &target)) return;
  if (!view_.upper.empty() && target >= view_.upper) {
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
