// The file-system model metakv was built for: its domains (inode
// attributes, directory entries, version history) and the inode attribute
// record with its compact encoding.
//
// An inode record packs its fields as varints (times zigzag-encoded), after
// a format version byte. DecodeInode rejects malformed input with
// Corruption naming the field; it never reads past the input. Pure
// functions: thread-safe.
#ifndef METAKV_FILESYSTEM_H_
#define METAKV_FILESYSTEM_H_

#include <cstdint>
#include <string>
#include <string_view>

#include <vector>

#include "metakv/options.h"
#include "metakv/status.h"

namespace metakv {

// Names of the file-system model's domains.
inline constexpr std::string_view kInodeDomain = "inode";
inline constexpr std::string_view kDentryDomain = "dentry";
inline constexpr std::string_view kHistoryDomain = "history";

// The file-system model's three domains, with their defaults:
// "inode" (hot), "dentry" (hot), "history" (cold, 30-day TTL).
std::vector<DomainOptions> FileSystemDomains();


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

#endif  // METAKV_FILESYSTEM_H_
