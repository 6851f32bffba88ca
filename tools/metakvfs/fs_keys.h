// The key layout of metakvfs, one tenant per mount (docs/metakvfs.md):
//
//   domain "inode":   BE64(ino)                      -> EncodeInode(attrs)
//                     BE64(0) "super"                -> BE64(inode high-water mark)
//                     BE64(0) "orphan/" BE64(ino)    -> "1" (unlinked while open)
//                     BE64(0) "rmtree/" BE64(dir)    -> "1" (a tree removal under way)
//   domain "dentry":  BE64(parent) name              -> BE64(child) type-byte
//                     BE64(dir)                      -> BE64(parent of dir) name of dir
//                                                       (the ".." record)
//   domain "content": BE64(ino)                      -> the file's bytes (inline files),
//                                                       or a symlink's target
//   domain "history": BE64(ino) BE64(time ns)        -> EncodeInode(attributes the file
//                                                       had before that close)
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

std::string RmtreePrefix();
std::string RmtreeKey(uint64_t dir);

// The ".." record's value: the parent and the directory's own name in it
// (empty for the root), so that a path can be rebuilt walking up.
std::string EncodeParent(uint64_t parent, std::string_view name);
// false if value is shorter than 8 bytes.
bool DecodeParent(std::string_view value, uint64_t* parent, std::string* name);

// A version of file ino recorded at time_ns (history domain).
std::string HistoryKey(uint64_t ino, uint64_t time_ns);

// ---- Virtual inode numbers ----
//
// Real inode numbers stay below kVirtualBase. The virtual ones are the
// read-only views: .trash/ and .versions/ at the root, the .rmtree/ drop
// directory, the .metakv-stats file, a directory's view under .versions (kVersionsViewBit | dir),
// a file's list of versions (kVersionsListBit | file) and the entries of
// such lists (kVersionsEntryBase + n, n from a table of the mount).
inline constexpr uint64_t kVirtualBase = 1ull << 61;
inline constexpr uint64_t kTrashIno = kVirtualBase + 1;
inline constexpr uint64_t kVersionsIno = kVirtualBase + 2;
inline constexpr uint64_t kRmtreeIno = kVirtualBase + 3;
inline constexpr uint64_t kStatsIno = kVirtualBase + 4;
inline constexpr uint64_t kVersionsEntryBase = kVirtualBase + 16;
inline constexpr uint64_t kVersionsViewBit = 1ull << 62;
inline constexpr uint64_t kVersionsListBit = 1ull << 63;
inline constexpr uint64_t kVirtualMask = kVersionsViewBit | kVersionsListBit;

// The names of the virtual directories at the root.
inline constexpr std::string_view kTrashName = ".trash";
inline constexpr std::string_view kVersionsName = ".versions";
inline constexpr std::string_view kRmtreeName = ".rmtree";
// A read-only file: the store's figures (metakv::StatsToJson), read anew
// at each read from its start.
inline constexpr std::string_view kStatsName = ".metakv-stats";

// The virtual directory (or file) the root shows under name; 0 if none.
uint64_t VirtualRootChild(std::string_view name);

// A deleted entry's name under .trash: its original path (from the root,
// without the leading '/'; '%' written "%25", '/' written "%2F"), '@',
// and its parent directory's inode number in decimal, which with the last
// path component names the entry's key. Parse gives back the parent and
// the entry's name (false if name is not of that form).
std::string TrashName(std::string_view path, uint64_t parent);
bool ParseTrashName(std::string_view name, uint64_t* parent, std::string* leaf);

}  // namespace metakvfs

#endif  // METAKV_TOOLS_METAKVFS_FS_KEYS_H_
