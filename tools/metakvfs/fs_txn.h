// FileSystem::Txn: one atomic metadata change of metakvfs, private to the
// FileSystem's source files (fs.cc, fs_views.cc, fs_rmtree.cc). REQUIRES:
// the FileSystem's mutex held for the Txn's whole life.
#ifndef METAKV_TOOLS_METAKVFS_FS_TXN_H_
#define METAKV_TOOLS_METAKVFS_FS_TXN_H_

#include <sys/stat.h>

#include <map>
#include <set>
#include <string>
#include <string_view>

#include "metakv/filesystem.h"
#include "metakv/write_batch.h"
#include "tools/metakvfs/fs.h"
#include "tools/metakvfs/fs_keys.h"

namespace metakvfs {

// One atomic metadata change: the inodes it touches (loaded once, written
// once at commit) and a WriteBatch for everything else.
class FileSystem::Txn {
 public:
  using InodeAttributes = metakv::InodeAttributes;
  static constexpr std::string_view kInodeDomain = metakv::kInodeDomain;
  static constexpr std::string_view kDentryDomain = metakv::kDentryDomain;

  explicit Txn(FileSystem* fs) : fs_(fs), tenant_(fs->config_.tenant) {}

  // Loads ino into the transaction (once); *out stays valid until Commit.
  int Get(uint64_t ino, InodeAttributes** out) {
    auto it = inodes_.find(ino);
    if (it == inodes_.end()) {
      InodeAttributes attrs;
      if (int e = fs_->LoadInode(ino, &attrs)) return e;
      it = inodes_.emplace(ino, attrs).first;
    }
    *out = &it->second;
    return 0;
  }
  // A new inode, written at commit.
  InodeAttributes* Add(const InodeAttributes& attrs) {
    dirty_.insert(attrs.ino);
    return &(inodes_[attrs.ino] = attrs);
  }
  void Dirty(uint64_t ino) { dirty_.insert(ino); }
  // The inode and its inline contents go at commit, not restorable.
  void Remove(uint64_t ino) { removed_.insert(ino); }
  // The inode and its inline contents go to the recycle bin at commit
  // (with the attributes the transaction leaves them), restorable.
  void Trash(uint64_t ino) { trashed_.insert(ino); }

  void PutEntry(uint64_t parent, std::string_view name, uint64_t child, uint32_t mode) {
    batch_.Put(kDentryDomain, tenant_, DentryKey(parent, name), EncodeDentry(child, mode));
  }
  // The entry goes (a rename moves it, a replace drops it).
  void DeleteEntry(uint64_t parent, std::string_view name) {
    batch_.HardDelete(kDentryDomain, tenant_, DentryKey(parent, name));
  }
  // The entry goes to the recycle bin (unlink, rmdir): .trash lists it.
  void TrashEntry(uint64_t parent, std::string_view name) {
    batch_.Delete(kDentryDomain, tenant_, DentryKey(parent, name));
  }
  void PutParent(uint64_t dir, uint64_t parent, std::string_view name) {
    batch_.Put(kDentryDomain, tenant_, DentryKey(dir, {}), EncodeParent(parent, name));
  }
  void PutContent(uint64_t ino, std::string_view content) {
    if (content.empty()) {
      batch_.HardDelete(kContentDomain, tenant_, ContentKey(ino));
    } else {
      batch_.Put(kContentDomain, tenant_, ContentKey(ino), content);
    }
  }
  // Brings a deleted inode (and its inline contents) back from the
  // recycle bin; Add or Dirty it after to write new attributes over it.
  void UndeleteInode(uint64_t ino, bool content) {
    batch_.Undelete(kInodeDomain, tenant_, InodeKey(ino));
    if (content) batch_.Undelete(kContentDomain, tenant_, ContentKey(ino));
  }
  // A tree removal under way (FileSystem::RemoveTree): redone at mount.
  void PutRmtreeIntent(uint64_t dir, std::string_view kept) {
    batch_.Put(kInodeDomain, tenant_, RmtreeKey(dir), kept);
  }
  void DeleteRmtreeIntent(uint64_t dir) {
    batch_.HardDelete(kInodeDomain, tenant_, RmtreeKey(dir));
  }
  void DeleteContent(uint64_t ino) { batch_.HardDelete(kContentDomain, tenant_, ContentKey(ino)); }
  void PutOrphan(uint64_t ino) { batch_.Put(kInodeDomain, tenant_, OrphanKey(ino), "1"); }
  void DeleteOrphan(uint64_t ino) { batch_.HardDelete(kInodeDomain, tenant_, OrphanKey(ino)); }

  // Applies everything as one WriteBatch. 0 or EIO.
  int Commit(bool sync = false) {
    for (uint64_t ino : dirty_) {
      if (removed_.count(ino)) continue;
      std::string value;
      metakv::EncodeInode(inodes_[ino], &value);
      batch_.Put(kInodeDomain, tenant_, InodeKey(ino), value);
    }
    for (uint64_t ino : removed_) {
      batch_.HardDelete(kInodeDomain, tenant_, InodeKey(ino));
      batch_.HardDelete(kContentDomain, tenant_, ContentKey(ino));
      if (S_ISDIR(inodes_[ino].mode)) batch_.HardDelete(kDentryDomain, tenant_, DentryKey(ino, {}));
    }
    for (uint64_t ino : trashed_) {
      if (removed_.count(ino)) continue;
      batch_.Delete(kInodeDomain, tenant_, InodeKey(ino));
      // A logical delete needs a live record: inline contents (or a
      // symlink's target) only if there are any. A directory has none, nor
      // has a file whose contents are in a blob (the flag flips in the
      // batch that drops them): no read for those.
      const InodeAttributes& a = inodes_[ino];
      if (S_ISDIR(a.mode)) {
        batch_.Delete(kDentryDomain, tenant_, DentryKey(ino, {}));
      } else if (!(a.flags & kFlagBlob)) {
        std::string content;
        if (int e = fs_->ReadContentInline(ino, &content)) return e;
        if (!content.empty()) batch_.Delete(kContentDomain, tenant_, ContentKey(ino));
      }
    }
    metakv::WriteOptions wo;
    wo.sync = sync;
    metakv::Status s = fs_->store_->Write(wo, batch_);
    if (!s.ok()) return fs_->StoreError(s, "write");
    return 0;
  }

 private:
  FileSystem* const fs_;
  const std::string& tenant_;
  std::map<uint64_t, InodeAttributes> inodes_;
  std::set<uint64_t> dirty_;
  std::set<uint64_t> removed_;
  std::set<uint64_t> trashed_;
  metakv::WriteBatch batch_;
};

}  // namespace metakvfs

#endif  // METAKV_TOOLS_METAKVFS_FS_TXN_H_
