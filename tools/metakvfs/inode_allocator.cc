#include "tools/metakvfs/inode_allocator.h"

#include <utility>

#include "metakv/filesystem.h"
#include "tools/metakvfs/fs_keys.h"

namespace metakvfs {

InodeAllocator::InodeAllocator(metakv::Store* store, std::string tenant, uint64_t block_size)
    : store_(store), tenant_(std::move(tenant)), block_size_(block_size == 0 ? 1 : block_size) {}

metakv::Status InodeAllocator::Load(uint64_t first_ino) {
  std::string value;
  metakv::Status s =
      store_->Get(metakv::ReadOptions(), metakv::kInodeDomain, tenant_, SuperKey(), &value);
  if (s.IsNotFound()) {
    next_ = limit_ = first_ino;
    return metakv::Status::OK();
  }
  if (!s.ok()) return s;
  if (value.size() != 8) return metakv::Status::Corruption("metakvfs: superblock: bad size");
  next_ = limit_ = GetBE64(value);
  return metakv::Status::OK();
}

metakv::Status InodeAllocator::Allocate(uint64_t* ino) {
  for (;;) {
    uint64_t n = next_.load();
    if (n < limit_.load()) {
      if (next_.compare_exchange_weak(n, n + 1)) {
        *ino = n;
        return metakv::Status::OK();
      }
      continue;
    }
    std::lock_guard<std::mutex> lock(mu_);
    if (next_.load() < limit_.load()) continue;  // another thread reserved
    const uint64_t new_limit = limit_.load() + block_size_;
    if (new_limit > kVirtualBase) {
      return metakv::Status::NotSupported("metakvfs: inode numbers exhausted");
    }
    std::string value;
    PutBE64(&value, new_limit);
    metakv::Status s = store_->Put(metakv::WriteOptions(), metakv::kInodeDomain, tenant_,
                                   SuperKey(), value);
    if (!s.ok()) return s;
    next_ = limit_.load();
    limit_ = new_limit;
  }
}

}  // namespace metakvfs
