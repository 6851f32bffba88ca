// The file-system model's inode attribute record and its compact encoding.
//
// An inode record packs its fields as varints (times zigzag-encoded), after
// a format version byte. DecodeInode rejects malformed input with
// Corruption naming the field; it never reads past the input. Pure
// functions: thread-safe.
#ifndef METAKV_INODE_H_
#define METAKV_INODE_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "metakv/status.h"

namespace metakv {

struct InodeAttributes {
  uint64_t ino = 0;
  uint32_t mode = 0;  // type and permission bits, as st_mode
  uint32_t uid = 0;
  uint32_t gid = 0;
  uint32_t nlink = 0;
  uint64_t size = 0;
  uint64_t blocks = 0;
  int64_t atime_ns = 0;  // nanoseconds since the epoch; may be negative
  int64_t mtime_ns = 0;
  int64_t ctime_ns = 0;
  uint64_t generation = 0;
  uint32_t flags = 0;

  bool operator==(const InodeAttributes& o) const;
  bool operator!=(const InodeAttributes& o) const { return !(*this == o); }
};

// Appends the encoding of attrs to *out.
void EncodeInode(const InodeAttributes& attrs, std::string* out);

// Decodes a whole encoded inode. Corruption on truncation, an unknown format
// version, a field out of range, or trailing bytes.
Status DecodeInode(std::string_view input, InodeAttributes* attrs);

}  // namespace metakv

#endif  // METAKV_INODE_H_
