// metakvfs::BlobStore: the contents of large files, one plain file per
// inode under the --data directory:
//
//   DATA/<tenant as hex>/<ino & 0xff as 2 hex digits>/<ino as 16 hex digits>
//
// The metadata (size, mtime, which files live here) is in metakv; a blob
// may be longer than its file (after a truncate that failed half-way) or
// shorter (holes at the end read as zeros). Keeps one open descriptor per
// inode while the file is open (Acquire/Release counts).
//
// Not thread-safe: the caller serializes calls (FileSystem holds its lock).
#ifndef METAKV_TOOLS_METAKVFS_BLOB_STORE_H_
#define METAKV_TOOLS_METAKVFS_BLOB_STORE_H_

#include <sys/statvfs.h>
#include <sys/types.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace metakvfs {

class BlobStore {
 public:
  BlobStore() = default;
  BlobStore(const BlobStore&) = delete;
  BlobStore& operator=(const BlobStore&) = delete;
  ~BlobStore();

  // Creates DATA/<tenant hex>/ and its 256 subdirectories if missing.
  // Returns 0 or an errno value.
  int Open(const std::string& data_dir, std::string_view tenant);

  std::string PathOf(uint64_t ino) const;

  // Reads up to n bytes at off into *out (resized to what was read: fewer
  // at the end of the blob; a missing blob reads as empty). 0 or errno.
  int Read(uint64_t ino, uint64_t off, size_t n, std::string* out);
  // Writes all of data at off, creating the blob if needed. 0 or errno.
  int Write(uint64_t ino, uint64_t off, std::string_view data);
  // Sets the blob's length (creating it if needed). 0 or errno.
  int Truncate(uint64_t ino, uint64_t size);
  // fdatasync/fsync of the blob, if it exists. 0 or errno.
  int Sync(uint64_t ino, bool datasync);
  // Deletes the blob (closing a cached descriptor). Missing: 0.
  int Remove(uint64_t ino);

  // Drops the cached descriptor of ino, if any (the last open handle of
  // the file went away).
  void Close(uint64_t ino);

  // The inodes that have a blob file, in no particular order (files whose
  // names are not 16 hex digits are left out). 0 or errno.
  int List(std::vector<uint64_t>* inos) const;

  // statvfs of the data directory. 0 or errno.
  int StatVfs(struct statvfs* st) const;

 private:
  // The cached descriptor of ino, opened (and with create, created) if
  // needed; -errno on failure (-ENOENT: no blob and !create).
  int Fd(uint64_t ino, bool create);

  std::string dir_;                       // DATA/<tenant hex>
  std::unordered_map<uint64_t, int> fds_;  // open descriptors
};

}  // namespace metakvfs

#endif  // METAKV_TOOLS_METAKVFS_BLOB_STORE_H_
