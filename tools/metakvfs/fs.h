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
#include <set>
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

// The first inode number handed out for files and directories.
inline constexpr uint64_t kFirstIno = 256;

// InodeAttributes::flags bit: the contents are in the BlobStore, not inline.
inline constexpr uint32_t kFlagBlob = 1;

// The domains a metakvfs store is opened with: FileSystemDomains() (inode,
// dentry, history) and "content" (hot). mechanisms false: without metakv's
// write-amplification mechanisms (purge in compaction, tenant partitioning,
// adaptive memtables and level-0 triggers), the figures' baseline.
// write_buffer_bytes: each domain's memtable (0: the default).
std::vector<metakv::DomainOptions> MetakvfsDomains(bool mechanisms = true,
                                                   uint64_t write_buffer_bytes = 0);

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
struct DirEntry;
struct DirHandle {
  std::unordered_map<uint64_t, std::string> names;  // offset -> where to resume after it
  uint64_t next_offset = 3;

  // Where offset says to resume after: empty for 0 to 2. EINVAL for an
  // offset this handle never gave out.
  int ResumeAfter(uint64_t offset, std::string* after) const;
  // Gives entry the next offset and passes it to add; if add takes it,
  // remembers resume_at for that offset. Returns add's answer.
  bool Emit(DirEntry* entry, std::string resume_at,
            const std::function<bool(const DirEntry&)>& add);
};

// What FileSystem::RemoveTree did.
struct RmtreeResult {
  uint64_t directories = 0;  // removed directories, the top one included
  uint64_t inodes = 0;       // removed inodes (directories included)
  uint64_t kept = 0;         // inodes kept: linked from outside the tree, or open
  uint64_t prefixes = 0;     // key prefixes of the one Store::RemoveTree call
  uint64_t blobs = 0;        // blob files deleted
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
  // Removes the directory tree at (parent, name) with one Store::RemoveTree
  // (kHard) call, however large the tree: the entry goes from its parent in
  // one batch (with a record that a crash before the removal is finished
  // is redone at the next mount), then the removal, then the blob files.
  // Not restorable. Inodes the tree shares with the rest of the file system
  // (hard links) keep their other names; files still open stay readable
  // until closed. Rename into .rmtree/ calls it (metakvfs-ctl rmtree).
  int RemoveTree(uint64_t parent, std::string_view name, RmtreeResult* result);

  // ---- Attributes ----
  int GetAttr(uint64_t ino, struct stat* st);
  int SetAttr(uint64_t ino, const SetAttrRequest& req, struct stat* st);
  int StatFs(struct statvfs* st);

  // ---- Files ----
  // Counts an open handle of ino (a regular file). EISDIR for a directory.
  // created: the handle comes with the file's creation (no older version).
  int OpenFile(uint64_t ino, bool created = false);
  // The handle is gone; the last one of an unlinked file removes it, and
  // the last one of a file written through it records the attributes the
  // file had before (its version, under .versions/).
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

  // Writes the versions recorded since the last call to the history
  // domain (one cold ingest); also done every kHistoryGroup versions, when
  // .versions is read, and by the destructor. 0 or EIO.
  int FlushHistory();

  // How many inodes are open or unlinked-while-open: for tests.
  size_t TEST_OpenInodes() const;

  // Versions buffered before one cold ingest.
  static constexpr size_t kHistoryGroup = 256;

 private:
  class Txn;
  friend class Txn;

  FileSystem(metakv::Store* store, const FsConfig& config);

  // One file's open handles, and what its versions need.
  struct OpenState {
    uint32_t handles = 0;
    bool written = false;            // by a write or a truncate since the first open
    bool has_previous = false;       // false: created by the first handle
    metakv::InodeAttributes previous;  // the attributes at the first open
  };
  // An entry of a file's version list (.versions/PATH/NAME).
  struct VersionEntry {
    uint64_t file = 0;
    uint64_t time_ns = 0;  // when that version was replaced (its key)
    metakv::InodeAttributes attrs;
  };

  // All REQUIRE mu_ held.
  int LoadInode(uint64_t ino, metakv::InodeAttributes* attrs);
  // A record of the recycle bin (Store's ScanSpec::deleted) by its key:
  // 0, ENOENT, or EIO.
  int GetDeleted(std::string_view domain, std::string_view key, std::string* value);
  // The inode as the recycle bin holds it; ENOENT if it holds none.
  int ReadBinInode(uint64_t ino, metakv::InodeAttributes* attrs);
  // The same, if the inode is not live (a deleted file); ENOENT otherwise.
  int LoadDeletedInode(uint64_t ino, metakv::InodeAttributes* attrs);
  // The path of directory dir from the root ("" for the root), through
  // live or deleted ".." records; "?" for a part that cannot be found.
  std::string PathOf(uint64_t dir);
  // Removes the blob files whose inode is neither live nor in the recycle
  // bin with its blob flag (left by a crash, or by the purge).
  int SweepBlobs();
  // Finishes the tree removals a crash interrupted.
  int ResumeRemoveTrees();
  struct TreeWalk;
  // Every directory and inode under top (nothing if top is gone).
  int WalkTree(uint64_t top, TreeWalk* walk);
  // The one Store::RemoveTree call of a walked tree, its blob files, and
  // the end of its intent record.
  int FinishRemoveTree(uint64_t top, const TreeWalk& walk, const std::set<uint64_t>& kept,
                       RmtreeResult* result);
  int RecordVersion(uint64_t ino, const metakv::InodeAttributes& previous);
  int IngestHistory();
  int ReadVirtual(uint64_t ino, uint64_t off, size_t n, std::string* out);
  // Emits the entries of directory dir after offset (handle's cursor), each
  // passed through map first (false: left out), to add, in name order.
  int ScanEntries(uint64_t dir, DirHandle* handle, uint64_t offset,
                  const std::function<bool(DirEntry*)>& map,
                  const std::function<bool(const DirEntry&)>& add);
  // The virtual views (fs_views.cc).
  int VirtualLookup(uint64_t parent, std::string_view name, struct stat* st);
  int VirtualGetAttr(uint64_t ino, struct stat* st);
  int VirtualReadDir(uint64_t ino, DirHandle* handle, uint64_t offset,
                     const std::function<bool(const DirEntry&)>& add);
  int ReadTrash(DirHandle* handle, uint64_t offset,
                const std::function<bool(const DirEntry&)>& add);
  int Restore(std::string_view trash_name, uint64_t newparent, std::string_view newname);
  int LoadVersions(uint64_t file, std::vector<VersionEntry>* out);
  uint64_t VersionEntryIno(const VersionEntry& v);
  void VirtualDirStat(uint64_t ino, struct stat* st) const;
  int LookupEntry(uint64_t parent, std::string_view name, uint64_t* child, uint32_t* type);
  int ParentOf(uint64_t dir, uint64_t* parent);
  int DirIsEmpty(uint64_t dir, bool* empty);
  int CreateNode(uint64_t parent, std::string_view name, uint32_t mode, uint64_t rdev,
                 uint32_t uid, uint32_t gid, std::string_view content, struct stat* st);
  // After nlink reached 0 in txn: records the inode as an orphan if it is
  // open; else, with blobs_to_remove null, moves it to the recycle bin at
  // commit (its blob kept), and otherwise removes it for good at commit,
  // adding its blob to *blobs_to_remove for the caller to delete after.
  void DropInodeIfUnlinked(Txn* txn, const metakv::InodeAttributes& attrs,
                           std::vector<uint64_t>* blobs_to_remove);
  int ReadContentInline(uint64_t ino, std::string* out);
  // The inode, live or else in the recycle bin (*deleted says which).
  int LoadLiveOrDeleted(uint64_t ino, metakv::InodeAttributes* attrs, bool* deleted);
  // Inline contents, live or (deleted) from the recycle bin; empty if none.
  int ReadContent(uint64_t ino, bool deleted, std::string* out);
  // EROFS for a name in a virtual directory or a virtual directory's name.
  int CheckWritableName(uint64_t parent, std::string_view name) const;
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
  std::unordered_map<uint64_t, OpenState> open_;     // GUARDED_BY(mu_)
  std::vector<metakv::ColdRecord> history_;          // versions not yet ingested; GUARDED_BY(mu_)
  uint64_t last_version_ns_ = 0;                     // the newest version's time; GUARDED_BY(mu_)
  std::vector<VersionEntry> version_entries_;        // kVersionsEntryBase + i; GUARDED_BY(mu_)
  std::map<std::pair<uint64_t, uint64_t>, uint64_t> version_inos_;  // GUARDED_BY(mu_)
};

}  // namespace metakvfs

#endif  // METAKV_TOOLS_METAKVFS_FS_H_
