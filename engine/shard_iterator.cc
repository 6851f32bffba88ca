#include "engine/shard_iterator.h"

#include <string>

namespace metakv {

namespace {

// Keys in the store's order: tenant, then key (codecs/key_codec.h encodes
// them so that this is also the encoded keys' bytewise order).
int Compare(const Iterator& a, const Iterator& b) {
  const int t = a.tenant().compare(b.tenant());
  return t != 0 ? t : a.key().compare(b.key());
}

}  // namespace

ShardMergeIterator::ShardMergeIterator(std::vector<std::unique_ptr<Iterator>> children,
                                       std::function<void()> on_close)
    : children_(std::move(children)), on_close_(std::move(on_close)) {}

ShardMergeIterator::~ShardMergeIterator() {
  children_.clear();
  if (on_close_) on_close_();
}

void ShardMergeIterator::Pick(bool forward) {
  forward_ = forward;
  current_ = nullptr;
  status_ = Status::OK();
  for (const auto& child : children_) {
    if (!child->status().ok()) {
      if (status_.ok()) status_ = child->status();
      continue;
    }
    if (!child->Valid()) continue;
    if (current_ == nullptr || (forward ? Compare(*child, *current_) < 0
                                        : Compare(*child, *current_) > 0)) {
      current_ = child.get();
    }
  }
}

void ShardMergeIterator::SeekToFirst() {
  for (auto& child : children_) child->SeekToFirst();
  Pick(true);
}

void ShardMergeIterator::SeekToLast() {
  for (auto& child : children_) child->SeekToLast();
  Pick(false);
}

void ShardMergeIterator::Seek(std::string_view tenant, std::string_view key) {
  for (auto& child : children_) child->Seek(tenant, key);
  Pick(true);
}

void ShardMergeIterator::SeekForPrev(std::string_view tenant, std::string_view key) {
  for (auto& child : children_) child->SeekForPrev(tenant, key);
  Pick(false);
}

void ShardMergeIterator::Next() {
  if (!Valid()) return;
  if (!forward_) {
    // The other children stand before the current key: move each to the
    // first key after it (no child but the current one holds it).
    const std::string tenant(current_->tenant());
    const std::string key(current_->key());
    for (auto& child : children_) {
      if (child.get() != current_) child->Seek(tenant, key);
    }
  }
  current_->Next();
  Pick(true);
}

void ShardMergeIterator::Prev() {
  if (!Valid()) return;
  if (forward_) {
    const std::string tenant(current_->tenant());
    const std::string key(current_->key());
    for (auto& child : children_) {
      if (child.get() != current_) child->SeekForPrev(tenant, key);
    }
  }
  current_->Prev();
  Pick(false);
}

}  // namespace metakv
