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

void ShardMergeIterator::Next() { Step(true); }

void ShardMergeIterator::Prev() { Step(false); }

void ShardMergeIterator::Step(bool forward) {
  if (!Valid()) return;
  if (forward != forward_) {
    // The other children stand on the wrong side of the current key: move
    // each to its nearest key on the new side (no child but the current
    // one holds the key itself).
    const std::string tenant(current_->tenant());
    const std::string key(current_->key());
    for (auto& child : children_) {
      if (child.get() == current_) continue;
      if (forward) {
        child->Seek(tenant, key);
      } else {
        child->SeekForPrev(tenant, key);
      }
    }
  }
  if (forward) {
    current_->Next();
  } else {
    current_->Prev();
  }
  Pick(forward);
}

}  // namespace metakv
