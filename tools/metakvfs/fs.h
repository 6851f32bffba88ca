// metakvfs::FileSystem: the file-system logic of metakvfs over a
// metakv::Store, free of FUSE so that it is testable alone. The FUSE
// adapter (fuse_adapter.h) maps each low-level request to one call here.
//
// Inode attributes, directory entries and small file contents live in the
// store (fs_keys.h has the layout); large contents in a BlobStore. Every
// metadata change that must be atomic (a create, an unlink, a rename) is
// one metakv WriteBatch. Calls return 0 or a positive errno value; store
// errors become EIO (and are logged to stderr).
//
// Thread-safety: every public method takes one internal mutex, so calls
// may come from several threads; they run one at a time.
#ifndef METAKV_TOOLS_METAKVFS_FS_H_
#define METAKV_TOOLS_METAKVFS_FS_H_

#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/types.h>

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "metakv/filesystem.h"
#include "metakv/status.h"
#include "metakv/store.h"
#include "tools/metakvfs/blob_store.h"
#include "tools/metakvfs/inode_allocator.h"

namespace metakvfs {

// The root directory's inode (FUSE_ROOT_ID).
inline constexpr uint64_t kRootIno = 1;

// InodeAttributes::flags bit: the contents are in the BlobStore, not inline.
inline constexpr uint32_t kFlagBlob = 1;

// The domains a metakvfs store is opened with: FileSystemDomains() (inode,
// dentry, history) and "content" (hot).
std::vector<metakv::DomainOptions> MetakvfsDomains();

struct FsConfig {
  // The tenant this mount's records belong to (1 to 255 bytes).
  std::string tenant = "default";
  // Where large files' contents go (must exist).
  std::string data_dir;
  // Files of at most this many bytes keep their contents inline, in the
  // "content" domain. Default: 4096 (docs/metakvfs.md says why).
  uint64_t inline_max_bytes = 4096;
  // Inode numbers reserved per store write. Default: 1024.
  uint64_t inode_block = 1024;
  // Owner of the root directory when it is created.
  uint32_t root_uid = 0;
  uint32_t root_gid = 0;
};

// What SetAttr changes (any combination).
struct SetAttrRequest {
  bool set_mode = false;
  uint32_t mode = 0;  // permission bits (the type bits are kept)
  bool set_uid = false;
  uint32_t uid = 0;
  bool set_gid = false;
  uint32_t gid = 0;
  bool set_size = false;
  uint64_t size = 0;
  bool set_atime = false;  // to atime_ns, or now if atime_now
  bool atime_now = false;
  int64_t atime_ns = 0;
  bool set_mtime = false;
  bool mtime_now = false;
  int64_t mtime_ns = 0;
};

// The state of one open directory (opendir .. releasedir): readdir offsets
// are small numbers handed out by this handle, each standing for the name
// of the entry it was returned with, so a later readdir resumes after that
// name (a Seek in the store), whatever was created or removed meanwhile.
// 0: the start; 1: after "."; 2: after "..".
struct DirHandle {
  std::unordered_map<uint64_t, std::string> names;  // offset -> entry name
  uint64_t next_offset = 3;
};

// One directory entry as ReadDir hands it out.
struct DirEntry {
  std::string name;
  uint64_t ino = 0;
  uint32_t mode = 0;  // the type bits only
  uint64_t offset = 0;  // resume after this entry
};

class FileSystem {
 public:
  // Opens the file system of config.tenant in store (which must have the
  // MetakvfsDomains and outlive it): creates the root directory if the
  // tenant has none, and removes the inodes left unlinked-but-open by an
  // earlier run.
  static metakv::Status Open(metakv::Store* store, const FsConfig& config,
                             std::unique_ptr<FileSystem>* out);

  FileSystem(const FileSystem&) = delete;
  FileSystem& operator=(const FileSystem&) = delete;
  ~FileSystem();

  // ---- Names ----
  int Lookup(uint64_t parent, std::string_view name, struct stat* st);
  // Creates a regular file, fifo, socket or device node (mode has the type).
  int MkNod(uint64_t parent, std::string_view name, uint32_t mode, uint64_t rdev, uint32_t uid,
            uint32_t gid, struct stat* st);
  int MkDir(uint64_t parent, std::string_view name, uint32_t mode, uint32_t uid, uint32_t gid,
            struct stat* st);
  int Symlink(uint64_t parent, std::string_view name, std::string_view target, uint32_t uid,
              uint32_t gid, struct stat* st);
  int Link(uint64_t ino, uint64_t newparent, std::string_view newname, struct stat* st);
  int Unlink(uint64_t parent, std::string_view name);
  int RmDir(uint64_t parent, std::string_view name);
  // flags: 0, RENAME_NOREPLACE, or RENAME_EXCHANGE.
  int Rename(uint64_t parent, std::string_view name, uint64_t newparent,
             std::string_view newname, unsigned flags);
  int ReadLink(uint64_t ino, std::string* target);

  // ---- Attributes ----
  int GetAttr(uint64_t ino, struct stat* st);
  int SetAttr(uint64_t ino, const SetAttrRequest& req, struct stat* st);
  int StatFs(struct statvfs* st);

  // ---- Files ----
  // Counts an open handle of ino (a regular file). EISDIR for a directory.
  int OpenFile(uint64_t ino);
  // The handle is gone; the last one of an unlinked file removes it.
  int ReleaseFile(uint64_t ino);
  int Read(uint64_t ino, uint64_t off, size_t n, std::string* out);
  int Write(uint64_t ino, uint64_t off, std::string_view data);
  // Makes the file's contents and metadata durable.
  int Fsync(uint64_t ino, bool datasync);

  // ---- Directories ----
  int OpenDir(uint64_t ino);
  // Emits the entries of directory ino after offset (see DirHandle) to
  // add, in name order, until add returns false (the entry it was given is
  // then not emitted, and comes first next time). "." and ".." first.
  int ReadDir(uint64_t ino, DirHandle* handle, uint64_t offset,
              const std::function<bool(const DirEntry&)>& add);
  // Makes the directory's entries durable.
  int FsyncDir(uint64_t ino);

  // How many inodes are open or unlinked-while-open: for tests.
  size_t TEST_OpenInodes() const;

 private:
  class Txn;
  friend class Txn;

  FileSystem(metakv::Store* store, const FsConfig& config);

  // All REQUIRE mu_ held.
  int LoadInode(uint64_t ino, metakv::InodeAttributes* attrs);
  int LookupEntry(uint64_t parent, std::string_view name, uint64_t* child, uint32_t* type);
  int ParentOf(uint64_t dir, uint64_t* parent);
  int DirIsEmpty(uint64_t dir, bool* empty);
  int CreateNode(uint64_t parent, std::string_view name, uint32_t mode, uint64_t rdev,
                 uint32_t uid, uint32_t gid, std::string_view content, struct stat* st);
  // After nlink reached 0 in txn: removes the inode now (and its contents
  // once txn commits) unless open, else records it as an orphan.
  void DropInodeIfUnlinked(Txn* txn, const metakv::InodeAttributes& attrs,
                           std::vector<uint64_t>* blobs_to_remove);
  int ReadContentInline(uint64_t ino, std::string* out);
  int Truncate(Txn* txn, metakv::InodeAttributes* attrs, uint64_t size);
  int PurgeOrphans();
  void ToStat(const metakv::InodeAttributes& attrs, struct stat* st) const;
  int StoreError(const metakv::Status& s, const char* what);
  int64_t NowNs() const;

  // Constant after construction.
  metakv::Store* const store_;
  const FsConfig config_;

  mutable std::mutex mu_;
  InodeAllocator alloc_;
  BlobStore blobs_;                                  // GUARDED_BY(mu_)
  std::unordered_map<uint64_t, uint32_t> open_;      // ino -> open handles; GUARDED_BY(mu_)
};

}  // namespace metakvfs

#endif  // METAKV_TOOLS_METAKVFS_FS_H_
