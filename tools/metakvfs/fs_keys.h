// The key layout of metakvfs, one tenant per mount (docs/metakvfs.md):
//
//   domain "inode":   BE64(ino)                      -> EncodeInode(attrs)
//                     BE64(0) "super"                -> BE64(inode high-water mark)
//                     BE64(0) "orphan/" BE64(ino)    -> "1" (unlinked while open)
//   domain "dentry":  BE64(parent) name              -> BE64(child) type-byte
//                     BE64(dir)                      -> BE64(parent of dir)  (the ".." record)
//   domain "content": BE64(ino)                      -> the file's bytes (inline files),
//                                                       or a symlink's target
//
// A device node keeps its rdev in InodeAttributes::blocks (which st_blocks
// does not need for it).
//
// BE64 is 8 bytes big-endian, so a directory's entries are one key prefix
// in name order, preceded by its ".." record (the 8-byte key alone). Names
// never hold '/' or NUL and are 1 to 255 bytes. Inode 0 is never allocated,
// so the BE64(0) keys cannot collide with an inode. Pure functions:
// thread-safe.
#ifndef METAKV_TOOLS_METAKVFS_FS_KEYS_H_
#define METAKV_TOOLS_METAKVFS_FS_KEYS_H_

#include <cstdint>
#include <string>
#include <string_view>

namespace metakvfs {

inline constexpr std::string_view kContentDomain = "content";

// Appends v as 8 bytes big-endian.
void PutBE64(std::string* out, uint64_t v);
// Reads 8 bytes big-endian. REQUIRES: in.size() >= 8.
uint64_t GetBE64(std::string_view in);

std::string InodeKey(uint64_t ino);
std::string SuperKey();
std::string OrphanPrefix();
std::string OrphanKey(uint64_t ino);

// The key of entry name in directory parent; with an empty name, the
// directory's ".." record (and the prefix of all its entries).
std::string DentryKey(uint64_t parent, std::string_view name);

// A dentry's value: the child's inode and its file type (st_mode >> 12).
std::string EncodeDentry(uint64_t child, uint32_t mode);
// false if value is not 9 bytes.
bool DecodeDentry(std::string_view value, uint64_t* child, uint32_t* type);

std::string ContentKey(uint64_t ino);

}  // namespace metakvfs

#endif  // METAKV_TOOLS_METAKVFS_FS_KEYS_H_
