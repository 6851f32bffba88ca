// metakvfs::InodeAllocator: hands out inode numbers from blocks reserved in
// the store, so a create costs no store write of its own: one write (of the
// new high-water mark, BE64(0) "super" in the inode domain) per block.
//
// After a restart allocation resumes at the stored high-water mark: the
// unused rest of the last block is skipped, never reused. Numbers are
// never reused at all (a 64-bit counter does not run out). The reservation
// needs no sync: the store's WAL is one ordered log, so any later write
// that survives a crash implies the reservation survived too.
//
// Thread-safe: Allocate takes an internal mutex only when a block runs out.
#ifndef METAKV_TOOLS_METAKVFS_INODE_ALLOCATOR_H_
#define METAKV_TOOLS_METAKVFS_INODE_ALLOCATOR_H_

#include <atomic>
#include <cstdint>
#include <mutex>
#include <string>

#include "metakv/status.h"
#include "metakv/store.h"

namespace metakvfs {

class InodeAllocator {
 public:
  // store must outlive the allocator. block_size >= 1.
  InodeAllocator(metakv::Store* store, std::string tenant, uint64_t block_size);

  // Reads the high-water mark (first_ino if none is stored yet: a new file
  // system). Call once before Allocate.
  metakv::Status Load(uint64_t first_ino);

  // Sets *ino to a number never handed out before.
  metakv::Status Allocate(uint64_t* ino);

  // The stored high-water mark: every number handed out is below it.
  uint64_t high_water() const { return limit_.load(); }

 private:
  metakv::Store* const store_;
  const std::string tenant_;
  const uint64_t block_size_;

  std::mutex mu_;                  // serializes block reservations
  std::atomic<uint64_t> next_{0};  // next number to try
  std::atomic<uint64_t> limit_{0};  // end of the reserved block (stored)
};

}  // namespace metakvfs

#endif  // METAKV_TOOLS_METAKVFS_INODE_ALLOCATOR_H_
