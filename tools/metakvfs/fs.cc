#include "tools/metakvfs/fs.h"

#include <errno.h>
#include <stdio.h>
#include <time.h>

#include <algorithm>
#include <cstring>
#include <set>
#include <utility>

#include "tools/metakvfs/fs_keys.h"
#include "tools/metakvfs/fs_txn.h"

#ifndef RENAME_NOREPLACE
#define RENAME_NOREPLACE (1 << 0)
#endif
#ifndef RENAME_EXCHANGE
#define RENAME_EXCHANGE (1 << 1)
#endif

namespace metakvfs {

using metakv::InodeAttributes;
using metakv::kDentryDomain;
using metakv::kInodeDomain;

namespace {

constexpr size_t kMaxName = 255;

int CheckName(std::string_view name) {
  if (name.empty() || name == "." || name == "..") return EINVAL;
  if (name.size() > kMaxName) return ENAMETOOLONG;
  if (name.find('/') != std::string_view::npos || name.find('\0') != std::string_view::npos) {
    return EINVAL;
  }
  return 0;
}

bool IsDir(uint32_t mode) { return S_ISDIR(mode); }

bool IsDevice(uint32_t mode) { return S_ISCHR(mode) || S_ISBLK(mode); }

}  // namespace

std::vector<metakv::DomainOptions> MetakvfsDomains(bool mechanisms, uint64_t write_buffer_bytes) {
  std::vector<metakv::DomainOptions> domains = metakv::FileSystemDomains();
  metakv::DomainOptions content;
  content.name = std::string(kContentDomain);
  domains.push_back(content);
  for (metakv::DomainOptions& d : domains) {
    if (!mechanisms) {
      d.purge_in_compaction = false;
      d.partition_by_tenant = false;
      d.adaptive_write_buffer = false;
      d.adaptive_level0_trigger = false;
    }
    if (write_buffer_bytes != 0) {
      d.write_buffer_bytes = write_buffer_bytes;
      d.max_write_buffer_bytes = 8 * write_buffer_bytes;
      d.target_file_size_bytes = write_buffer_bytes;
      d.max_bytes_for_level_base = 4 * write_buffer_bytes;
    }
  }
  return domains;
}

int DirHandle::ResumeAfter(uint64_t offset, std::string* after) const {
  after->clear();
  if (offset <= 2) return 0;
  auto it = names.find(offset);
  if (it == names.end()) return EINVAL;
  *after = it->second;
  return 0;
}

bool DirHandle::Emit(DirEntry* entry, std::string resume_at,
                     const std::function<bool(const DirEntry&)>& add) {
  entry->offset = next_offset;
  if (!add(*entry)) return false;
  names[entry->offset] = std::move(resume_at);
  next_offset++;
  return true;
}

FileSystem::FileSystem(metakv::Store* store, const FsConfig& config)
    : store_(store), config_(config), alloc_(store, config.tenant, config.inode_block) {}

FileSystem::~FileSystem() { FlushHistory(); }

metakv::Status FileSystem::Open(metakv::Store* store, const FsConfig& config,
                                std::unique_ptr<FileSystem>* out) {
  out->reset();
  if (config.tenant.empty() || config.tenant.size() > 255) {
    return metakv::Status::InvalidArgument("metakvfs: the tenant must be 1 to 255 bytes");
  }
  if (config.data_dir.empty()) {
    return metakv::Status::InvalidArgument("metakvfs: no data directory");
  }
  std::unique_ptr<FileSystem> fs(new FileSystem(store, config));
  if (int e = fs->blobs_.Open(config.data_dir, config.tenant)) {
    return metakv::Status::IOError("metakvfs: data directory " + config.data_dir + ": " +
                                   strerror(e));
  }
  // Numbers from 256 on: block 0 of 256 holds the root and the BE64(0)
  // records, so a tree's first inodes would never share a block prefix
  // (RemoveTree, fs_rmtree.cc).
  metakv::Status s = fs->alloc_.Load(kFirstIno);
  if (!s.ok()) return s;
  std::lock_guard<std::mutex> lock(fs->mu_);
  InodeAttributes root;
  const int e = fs->LoadInode(kRootIno, &root);
  if (e == ENOENT) {
    root.ino = kRootIno;
    root.mode = S_IFDIR | 0755;
    root.uid = config.root_uid;
    root.gid = config.root_gid;
    root.nlink = 2;
    root.atime_ns = root.mtime_ns = root.ctime_ns = fs->NowNs();
    root.generation = 1;
    Txn txn(fs.get());
    txn.Add(root);
    txn.PutParent(kRootIno, kRootIno, {});
    if (txn.Commit(true) != 0) return metakv::Status::IOError("metakvfs: cannot create the root");
  } else if (e != 0) {
    return metakv::Status::IOError("metakvfs: cannot read the root inode");
  }
  if (fs->ResumeRemoveTrees() != 0) {
    return metakv::Status::IOError("metakvfs: cannot finish an interrupted tree removal");
  }
  if (fs->PurgeOrphans() != 0) return metakv::Status::IOError("metakvfs: cannot purge orphans");
  if (fs->SweepBlobs() != 0) return metakv::Status::IOError("metakvfs: cannot sweep blob files");
  *out = std::move(fs);
  return metakv::Status::OK();
}

int FileSystem::CheckWritableName(uint64_t parent, std::string_view name) const {
  if (parent >= kVirtualBase) return EROFS;
  if (parent == kRootIno && VirtualRootChild(name) != 0) return EROFS;
  return 0;
}

int FileSystem::StoreError(const metakv::Status& s, const char* what) {
  fprintf(stderr, "metakvfs: %s: %s\n", what, s.ToString().c_str());
  return EIO;
}

int64_t FileSystem::NowNs() const {
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return static_cast<int64_t>(ts.tv_sec) * 1000000000 + ts.tv_nsec;
}

int FileSystem::LoadInode(uint64_t ino, InodeAttributes* attrs) {
  if (ino == 0) return ENOENT;
  std::string value;
  metakv::Status s =
      store_->Get(metakv::ReadOptions(), kInodeDomain, config_.tenant, InodeKey(ino), &value);
  if (s.IsNotFound()) return ENOENT;
  if (!s.ok()) return StoreError(s, "read inode");
  s = metakv::DecodeInode(value, attrs);
  if (!s.ok()) return StoreError(s, "decode inode");
  return 0;
}

int FileSystem::LookupEntry(uint64_t parent, std::string_view name, uint64_t* child,
                            uint32_t* type) {
  std::string value;
  metakv::Status s = store_->Get(metakv::ReadOptions(), kDentryDomain, config_.tenant,
                                 DentryKey(parent, name), &value);
  if (s.IsNotFound()) return ENOENT;
  if (!s.ok()) return StoreError(s, "read entry");
  if (!DecodeDentry(value, child, type)) {
    return StoreError(metakv::Status::Corruption("bad directory entry"), "decode entry");
  }
  return 0;
}

int FileSystem::ParentOf(uint64_t dir, uint64_t* parent) {
  std::string value;
  metakv::Status s = store_->Get(metakv::ReadOptions(), kDentryDomain, config_.tenant,
                                 DentryKey(dir, {}), &value);
  if (s.IsNotFound()) return ENOENT;
  if (!s.ok()) return StoreError(s, "read parent");
  std::string name;
  if (!DecodeParent(value, parent, &name)) {
    return StoreError(metakv::Status::Corruption("bad parent record"), "decode parent");
  }
  return 0;
}

int FileSystem::DirIsEmpty(uint64_t dir, bool* empty) {
  metakv::ScanSpec spec;
  spec.tenant = config_.tenant;
  spec.prefix = DentryKey(dir, {});
  std::unique_ptr<metakv::Iterator> it;
  metakv::Status s = store_->NewIterator(metakv::ReadOptions(), kDentryDomain, spec, &it);
  if (!s.ok()) return StoreError(s, "iterator");
  *empty = true;
  for (it->Seek(config_.tenant, spec.prefix); it->Valid(); it->Next()) {
    if (it->key().size() > 8) {
      *empty = false;
      break;
    }
  }
  if (!it->status().ok()) return StoreError(it->status(), "scan");
  return 0;
}

void FileSystem::ToStat(const InodeAttributes& a, struct stat* st) const {
  *st = {};
  st->st_ino = a.ino;
  st->st_mode = a.mode;
  st->st_nlink = a.nlink;
  st->st_uid = a.uid;
  st->st_gid = a.gid;
  st->st_size = static_cast<off_t>(a.size);
  st->st_blksize = 4096;
  if (IsDevice(a.mode)) {
    st->st_rdev = static_cast<dev_t>(a.blocks);
  } else if (S_ISREG(a.mode)) {
    st->st_blocks = static_cast<blkcnt_t>((a.size + 4095) / 4096 * 8);
  }
  st->st_atim.tv_sec = a.atime_ns / 1000000000;
  st->st_atim.tv_nsec = a.atime_ns % 1000000000;
  st->st_mtim.tv_sec = a.mtime_ns / 1000000000;
  st->st_mtim.tv_nsec = a.mtime_ns % 1000000000;
  st->st_ctim.tv_sec = a.ctime_ns / 1000000000;
  st->st_ctim.tv_nsec = a.ctime_ns % 1000000000;
  // Negative times: keep tv_nsec in [0, 1e9).
  for (struct timespec* ts : {&st->st_atim, &st->st_mtim, &st->st_ctim}) {
    if (ts->tv_nsec < 0) {
      ts->tv_nsec += 1000000000;
      ts->tv_sec -= 1;
    }
  }
}

int FileSystem::LoadLiveOrDeleted(uint64_t ino, InodeAttributes* attrs, bool* deleted) {
  *deleted = false;
  int e = LoadInode(ino, attrs);
  if (e != ENOENT) return e;
  e = ReadBinInode(ino, attrs);  // not live (just read): the bin's, if any
  *deleted = e == 0;
  return e;
}

int FileSystem::ReadContent(uint64_t ino, bool deleted, std::string* out) {
  if (!deleted) return ReadContentInline(ino, out);
  const int e = GetDeleted(kContentDomain, ContentKey(ino), out);
  if (e == ENOENT) out->clear();
  return e == ENOENT ? 0 : e;
}

int FileSystem::ReadContentInline(uint64_t ino, std::string* out) {
  out->clear();
  metakv::Status s =
      store_->Get(metakv::ReadOptions(), kContentDomain, config_.tenant, ContentKey(ino), out);
  if (s.IsNotFound()) {
    out->clear();
    return 0;
  }
  if (!s.ok()) return StoreError(s, "read content");
  return 0;
}

int FileSystem::PurgeOrphans() {
  metakv::ScanSpec spec;
  spec.tenant = config_.tenant;
  spec.prefix = OrphanPrefix();
  std::vector<uint64_t> orphans;
  {
    std::unique_ptr<metakv::Iterator> it;
    metakv::Status s = store_->NewIterator(metakv::ReadOptions(), kInodeDomain, spec, &it);
    if (!s.ok()) return StoreError(s, "iterator");
    for (it->Seek(config_.tenant, spec.prefix); it->Valid(); it->Next()) {
      if (it->key().size() == spec.prefix.size() + 8) {
        orphans.push_back(GetBE64(it->key().substr(spec.prefix.size())));
      }
    }
    if (!it->status().ok()) return StoreError(it->status(), "scan");
  }
  for (uint64_t ino : orphans) {
    Txn txn(this);
    InodeAttributes* attrs;
    const int e = txn.Get(ino, &attrs);
    if (e != 0 && e != ENOENT) return e;
    // Into the recycle bin, as a file whose last handle closed would go
    // (its blob stays until the bin is purged).
    if (e == 0 && attrs->nlink == 0) txn.Trash(ino);
    txn.DeleteOrphan(ino);
    if (int c = txn.Commit()) return c;
  }
  return 0;
}

void FileSystem::DropInodeIfUnlinked(Txn* txn, const InodeAttributes& attrs,
                                     std::vector<uint64_t>* blobs_to_remove) {
  if (attrs.nlink != 0) return;
  if (open_.count(attrs.ino) != 0) {
    txn->PutOrphan(attrs.ino);
    return;
  }
  if (blobs_to_remove == nullptr) {
    txn->Trash(attrs.ino);  // the blob stays while the bin holds the inode
    return;
  }
  txn->Remove(attrs.ino);
  if (attrs.flags & kFlagBlob) blobs_to_remove->push_back(attrs.ino);
}

// ---- Names ----

int FileSystem::Lookup(uint64_t parent, std::string_view name, struct stat* st) {
  std::lock_guard<std::mutex> lock(mu_);
  if (parent >= kVirtualBase || (parent == kRootIno && VirtualRootChild(name) != 0)) {
    return VirtualLookup(parent, name, st);
  }
  if (name.size() > kMaxName) return ENAMETOOLONG;
  uint64_t child;
  uint32_t type;
  if (int e = LookupEntry(parent, name, &child, &type)) return e;
  InodeAttributes attrs;
  if (int e = LoadInode(child, &attrs)) return e;
  ToStat(attrs, st);
  return 0;
}

int FileSystem::CreateNode(uint64_t parent, std::string_view name, uint32_t mode, uint64_t rdev,
                           uint32_t uid, uint32_t gid, std::string_view content,
                           struct stat* st) {
  if (int e = CheckName(name)) return e;
  if (int e = CheckWritableName(parent, name)) return e;
  Txn txn(this);
  InodeAttributes* dir;
  if (int e = txn.Get(parent, &dir)) return e;
  if (!IsDir(dir->mode)) return ENOTDIR;
  if (dir->nlink == 0) return ENOENT;  // removed while someone sits in it
  uint64_t existing;
  uint32_t type;
  const int e = LookupEntry(parent, name, &existing, &type);
  if (e == 0) return EEXIST;
  if (e != ENOENT) return e;

  InodeAttributes attrs;
  metakv::Status s = alloc_.Allocate(&attrs.ino);
  if (!s.ok()) return StoreError(s, "allocate inode");
  attrs.mode = mode;
  attrs.uid = uid;
  // A setgid directory hands its group (and, to directories, the bit) on.
  if (dir->mode & S_ISGID) {
    attrs.gid = dir->gid;
    if (IsDir(mode)) attrs.mode |= S_ISGID;
  } else {
    attrs.gid = gid;
  }
  attrs.nlink = IsDir(mode) ? 2 : 1;
  attrs.size = content.size();
  if (IsDevice(mode)) attrs.blocks = rdev;
  attrs.atime_ns = attrs.mtime_ns = attrs.ctime_ns = NowNs();
  attrs.generation = 1;
  txn.Add(attrs);
  txn.PutEntry(parent, name, attrs.ino, mode);
  if (IsDir(mode)) {
    txn.PutParent(attrs.ino, parent, name);
    dir->nlink++;
  }
  if (!content.empty()) txn.PutContent(attrs.ino, content);
  dir->mtime_ns = dir->ctime_ns = attrs.ctime_ns;
  txn.Dirty(parent);
  if (int c = txn.Commit()) return c;
  ToStat(attrs, st);
  return 0;
}

int FileSystem::MkNod(uint64_t parent, std::string_view name, uint32_t mode, uint64_t rdev,
                      uint32_t uid, uint32_t gid, struct stat* st) {
  const uint32_t type = mode & S_IFMT;
  if (type == 0) mode |= S_IFREG;
  if (!(S_ISREG(mode) || S_ISFIFO(mode) || S_ISSOCK(mode) || IsDevice(mode))) return EINVAL;
  std::lock_guard<std::mutex> lock(mu_);
  return CreateNode(parent, name, mode, rdev, uid, gid, {}, st);
}

int FileSystem::MkDir(uint64_t parent, std::string_view name, uint32_t mode, uint32_t uid,
                      uint32_t gid, struct stat* st) {
  std::lock_guard<std::mutex> lock(mu_);
  return CreateNode(parent, name, S_IFDIR | (mode & 07777), 0, uid, gid, {}, st);
}

int FileSystem::Symlink(uint64_t parent, std::string_view name, std::string_view target,
                        uint32_t uid, uint32_t gid, struct stat* st) {
  if (target.empty()) return ENOENT;
  if (target.size() >= 4096) return ENAMETOOLONG;
  std::lock_guard<std::mutex> lock(mu_);
  return CreateNode(parent, name, S_IFLNK | 0777, 0, uid, gid, target, st);
}

int FileSystem::Link(uint64_t ino, uint64_t newparent, std::string_view newname,
                     struct stat* st) {
  if (int e = CheckName(newname)) return e;
  if (ino >= kVirtualBase) return EROFS;
  std::lock_guard<std::mutex> lock(mu_);
  if (int e = CheckWritableName(newparent, newname)) return e;
  Txn txn(this);
  InodeAttributes* attrs;
  if (int e = txn.Get(ino, &attrs)) return e;
  if (IsDir(attrs->mode)) return EPERM;
  InodeAttributes* dir;
  if (int e = txn.Get(newparent, &dir)) return e;
  if (!IsDir(dir->mode)) return ENOTDIR;
  if (dir->nlink == 0) return ENOENT;
  uint64_t existing;
  uint32_t type;
  const int e = LookupEntry(newparent, newname, &existing, &type);
  if (e == 0) return EEXIST;
  if (e != ENOENT) return e;
  if (attrs->nlink == 0) txn.DeleteOrphan(ino);  // linkat of an open, unlinked file
  attrs->nlink++;
  const int64_t now = NowNs();
  attrs->ctime_ns = now;
  dir->mtime_ns = dir->ctime_ns = now;
  txn.Dirty(ino);
  txn.Dirty(newparent);
  txn.PutEntry(newparent, newname, ino, attrs->mode);
  if (int c = txn.Commit()) return c;
  ToStat(*attrs, st);
  return 0;
}

int FileSystem::Unlink(uint64_t parent, std::string_view name) {
  if (name.size() > kMaxName) return ENAMETOOLONG;
  std::lock_guard<std::mutex> lock(mu_);
  if (int e = CheckWritableName(parent, name)) return e;
  uint64_t child;
  uint32_t type;
  if (int e = LookupEntry(parent, name, &child, &type)) return e;
  Txn txn(this);
  InodeAttributes* attrs;
  if (int e = txn.Get(child, &attrs)) return e;
  if (IsDir(attrs->mode)) return EISDIR;
  InodeAttributes* dir;
  if (int e = txn.Get(parent, &dir)) return e;
  const int64_t now = NowNs();
  if (attrs->nlink > 0) attrs->nlink--;
  attrs->ctime_ns = now;
  dir->mtime_ns = dir->ctime_ns = now;
  txn.Dirty(child);
  txn.Dirty(parent);
  txn.TrashEntry(parent, name);
  DropInodeIfUnlinked(&txn, *attrs, nullptr);
  return txn.Commit();
}

int FileSystem::RmDir(uint64_t parent, std::string_view name) {
  if (name == ".") return EINVAL;
  if (name == "..") return ENOTEMPTY;
  if (name.size() > kMaxName) return ENAMETOOLONG;
  std::lock_guard<std::mutex> lock(mu_);
  if (int e = CheckWritableName(parent, name)) return e;
  uint64_t child;
  uint32_t type;
  if (int e = LookupEntry(parent, name, &child, &type)) return e;
  Txn txn(this);
  InodeAttributes* attrs;
  if (int e = txn.Get(child, &attrs)) return e;
  if (!IsDir(attrs->mode)) return ENOTDIR;
  bool empty;
  if (int e = DirIsEmpty(child, &empty)) return e;
  if (!empty) return ENOTEMPTY;
  InodeAttributes* dir;
  if (int e = txn.Get(parent, &dir)) return e;
  const int64_t now = NowNs();
  attrs->nlink = 0;
  attrs->ctime_ns = now;
  if (dir->nlink > 2) dir->nlink--;
  dir->mtime_ns = dir->ctime_ns = now;
  txn.Dirty(parent);
  txn.TrashEntry(parent, name);
  txn.Trash(child);
  return txn.Commit();
}

int FileSystem::Rename(uint64_t parent, std::string_view name, uint64_t newparent,
                       std::string_view newname, unsigned flags) {
  if (flags & ~static_cast<unsigned>(RENAME_NOREPLACE | RENAME_EXCHANGE)) return EINVAL;
  if ((flags & RENAME_NOREPLACE) && (flags & RENAME_EXCHANGE)) return EINVAL;
  if (newparent == kRmtreeIno && parent < kVirtualBase && flags == 0) {
    RmtreeResult r;
    const int e = RemoveTree(parent, name, &r);
    if (e == 0) {
      fprintf(stderr,
              "metakvfs: rmtree: %llu directories, %llu inodes removed, %llu kept, %llu prefixes, "
              "%llu blob files\n",
              static_cast<unsigned long long>(r.directories),
              static_cast<unsigned long long>(r.inodes), static_cast<unsigned long long>(r.kept),
              static_cast<unsigned long long>(r.prefixes), static_cast<unsigned long long>(r.blobs));
    }
    return e;
  }
  if (name.size() > kMaxName) return ENAMETOOLONG;
  if (int e = CheckName(newname)) return e;
  const bool exchange = flags & RENAME_EXCHANGE;
  std::lock_guard<std::mutex> lock(mu_);
  if (parent == kTrashIno && flags != RENAME_EXCHANGE) return Restore(name, newparent, newname);
  if (int e = CheckWritableName(parent, name)) return e;
  if (int e = CheckWritableName(newparent, newname)) return e;

  uint64_t src, dst = 0;
  uint32_t type;
  if (int e = LookupEntry(parent, name, &src, &type)) return e;
  const int de = LookupEntry(newparent, newname, &dst, &type);
  if (de != 0 && de != ENOENT) return de;
  const bool dst_exists = de == 0;
  if (exchange && !dst_exists) return ENOENT;
  if ((flags & RENAME_NOREPLACE) && dst_exists) return EEXIST;
  if (dst_exists && dst == src) return 0;  // two names of one inode: nothing to do

  Txn txn(this);
  InodeAttributes *s, *d = nullptr, *from, *to;
  if (int e = txn.Get(src, &s)) return e;
  if (dst_exists) {
    if (int e = txn.Get(dst, &d)) return e;
  }
  if (int e = txn.Get(parent, &from)) return e;
  if (int e = txn.Get(newparent, &to)) return e;
  if (!IsDir(to->mode) || !IsDir(from->mode)) return ENOTDIR;
  if (to->nlink == 0) return ENOENT;

  // A directory may not move into itself or below itself: walk up from
  // the target directory to the root.
  auto is_inside = [this](uint64_t dir, uint64_t ancestor, bool* inside) {
    *inside = false;
    for (uint64_t cur = dir;;) {
      if (cur == ancestor) {
        *inside = true;
        return 0;
      }
      if (cur == kRootIno) return 0;
      uint64_t up;
      if (int e = ParentOf(cur, &up)) return e;
      if (up == cur) return 0;
      cur = up;
    }
  };
  const bool sdir = IsDir(s->mode);
  const bool ddir = d != nullptr && IsDir(d->mode);
  bool inside;
  if (sdir && parent != newparent) {
    if (int e = is_inside(newparent, src, &inside)) return e;
    if (inside) return EINVAL;
  }
  if (exchange && ddir && parent != newparent) {
    if (int e = is_inside(parent, dst, &inside)) return e;
    if (inside) return EINVAL;
  }
  if (dst_exists && !exchange) {
    if (sdir && !ddir) return ENOTDIR;
    if (!sdir && ddir) return EISDIR;
    if (ddir) {
      bool empty;
      if (int e = DirIsEmpty(dst, &empty)) return e;
      if (!empty) return ENOTEMPTY;
    }
  }

  const int64_t now = NowNs();
  std::vector<uint64_t> blobs;
  if (exchange) {
    txn.PutEntry(parent, name, dst, d->mode);
    txn.PutEntry(newparent, newname, src, s->mode);
    if (sdir) txn.PutParent(src, newparent, newname);
    if (ddir) txn.PutParent(dst, parent, name);
    if (parent != newparent) {
      if (sdir) {
        from->nlink--;
        to->nlink++;
      }
      if (ddir) {
        to->nlink--;
        from->nlink++;
      }
    }
    d->ctime_ns = now;
    txn.Dirty(dst);
  } else {
    txn.DeleteEntry(parent, name);
    txn.PutEntry(newparent, newname, src, s->mode);
    if (dst_exists) {
      d->ctime_ns = now;
      if (ddir) {
        d->nlink = 0;
        to->nlink--;  // the replaced directory's ".." goes
      } else if (d->nlink > 0) {
        d->nlink--;
      }
      txn.Dirty(dst);
      DropInodeIfUnlinked(&txn, *d, &blobs);
    }
    if (sdir) txn.PutParent(src, newparent, newname);
    if (sdir && parent != newparent) {
      from->nlink--;
      to->nlink++;
    }
  }
  s->ctime_ns = now;
  from->mtime_ns = from->ctime_ns = now;
  to->mtime_ns = to->ctime_ns = now;
  txn.Dirty(src);
  txn.Dirty(parent);
  txn.Dirty(newparent);
  if (int c = txn.Commit()) return c;
  for (uint64_t ino : blobs) blobs_.Remove(ino);
  return 0;
}

int FileSystem::ReadLink(uint64_t ino, std::string* target) {
  std::lock_guard<std::mutex> lock(mu_);
  if (ino >= kVirtualBase) return EINVAL;
  InodeAttributes attrs;
  bool deleted;
  if (int e = LoadLiveOrDeleted(ino, &attrs, &deleted)) return e;
  if (!S_ISLNK(attrs.mode)) return EINVAL;
  return ReadContent(ino, deleted, target);
}

// ---- Attributes ----

int FileSystem::GetAttr(uint64_t ino, struct stat* st) {
  std::lock_guard<std::mutex> lock(mu_);
  if (ino >= kVirtualBase) return VirtualGetAttr(ino, st);
  InodeAttributes attrs;
  bool deleted;
  if (int e = LoadLiveOrDeleted(ino, &attrs, &deleted)) return e;
  ToStat(attrs, st);
  if (deleted) st->st_mode &= ~static_cast<mode_t>(0222);  // in .trash: read-only
  return 0;
}

int FileSystem::Truncate(Txn* txn, InodeAttributes* attrs, uint64_t size) {
  const uint64_t ino = attrs->ino;
  if (attrs->flags & kFlagBlob) {
    if (int e = blobs_.Truncate(ino, size)) return e;
  } else {
    std::string content;
    if (int e = ReadContentInline(ino, &content)) return e;
    if (size <= config_.inline_max_bytes) {
      content.resize(size, '\0');
      txn->PutContent(ino, content);
    } else {
      // Grows past the threshold: the contents move to a blob first; the
      // inode says so once the blob is written.
      if (int e = blobs_.Write(ino, 0, content)) return e;
      if (int e = blobs_.Truncate(ino, size)) return e;
      txn->DeleteContent(ino);
      attrs->flags |= kFlagBlob;
    }
  }
  attrs->size = size;
  return 0;
}

int FileSystem::SetAttr(uint64_t ino, const SetAttrRequest& req, struct stat* st) {
  if (ino >= kVirtualBase) return EROFS;
  std::lock_guard<std::mutex> lock(mu_);
  Txn txn(this);
  InodeAttributes* attrs;
  if (int e = txn.Get(ino, &attrs)) return e;
  const int64_t now = NowNs();
  if (req.set_mode) attrs->mode = (attrs->mode & S_IFMT) | (req.mode & 07777);
  if (req.set_uid) attrs->uid = req.uid;
  if (req.set_gid) attrs->gid = req.gid;
  if (req.set_size) {
    if (IsDir(attrs->mode)) return EISDIR;
    if (!S_ISREG(attrs->mode)) return EINVAL;
    if (int e = Truncate(&txn, attrs, req.size)) return e;
    attrs->mtime_ns = now;
  }
  if (req.set_atime) attrs->atime_ns = req.atime_now ? now : req.atime_ns;
  if (req.set_mtime) attrs->mtime_ns = req.mtime_now ? now : req.mtime_ns;
  attrs->ctime_ns = now;
  txn.Dirty(ino);
  if (int c = txn.Commit()) return c;
  auto open = open_.find(ino);
  if (req.set_size && open == open_.end()) blobs_.Close(ino);
  if (open != open_.end() && (req.set_size || req.set_mode || req.set_uid || req.set_gid)) {
    open->second.written = true;
  }
  ToStat(*attrs, st);
  return 0;
}

int FileSystem::StatFs(struct statvfs* st) {
  std::lock_guard<std::mutex> lock(mu_);
  *st = {};
  if (int e = blobs_.StatVfs(st)) return e;
  const uint64_t used = alloc_.high_water();
  st->f_files = used + (1ull << 32);
  st->f_ffree = st->f_favail = 1ull << 32;
  st->f_namemax = kMaxName;
  return 0;
}

// ---- Files ----

int FileSystem::OpenFile(uint64_t ino, bool created) {
  std::lock_guard<std::mutex> lock(mu_);
  if (ino >= kVirtualBase) {
    struct stat st;
    if (int e = VirtualGetAttr(ino, &st)) return e;
    return S_ISDIR(st.st_mode) ? EISDIR : 0;  // a version: read-only, not counted
  }
  InodeAttributes attrs;
  bool deleted;
  if (int e = LoadLiveOrDeleted(ino, &attrs, &deleted)) return e;
  if (IsDir(attrs.mode)) return EISDIR;
  if (deleted) return 0;  // in .trash: read-only, not counted
  OpenState& state = open_[ino];
  if (state.handles++ == 0) {
    state.has_previous = !created;
    state.previous = attrs;
  }
  return 0;
}

int FileSystem::ReleaseFile(uint64_t ino) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = open_.find(ino);
  if (it == open_.end()) return 0;
  if (--it->second.handles > 0) return 0;
  const OpenState state = it->second;
  open_.erase(it);
  blobs_.Close(ino);
  Txn txn(this);
  InodeAttributes* attrs;
  const int e = txn.Get(ino, &attrs);
  if (e == ENOENT) return 0;
  if (e != 0) return e;
  if (attrs->nlink != 0) {
    if (state.written && state.has_previous) return RecordVersion(ino, state.previous);
    return 0;
  }
  // The last handle of an unlinked file: it goes now, to the recycle bin
  // (its blob stays until the bin is purged).
  txn.Trash(ino);
  txn.DeleteOrphan(ino);
  return txn.Commit();
}

int FileSystem::Read(uint64_t ino, uint64_t off, size_t n, std::string* out) {
  std::lock_guard<std::mutex> lock(mu_);
  out->clear();
  if (ino >= kVirtualBase) return ReadVirtual(ino, off, n, out);
  InodeAttributes attrs;
  bool deleted;
  if (int e = LoadLiveOrDeleted(ino, &attrs, &deleted)) return e;
  if (IsDir(attrs.mode)) return EISDIR;
  if (!S_ISREG(attrs.mode)) return EINVAL;
  if (off >= attrs.size) return 0;
  n = static_cast<size_t>(std::min<uint64_t>(n, attrs.size - off));
  if (attrs.flags & kFlagBlob) {
    if (int e = blobs_.Read(ino, off, n, out)) return e;
    out->resize(n, '\0');  // a blob shorter than the file: zeros
    return 0;
  }
  std::string content;
  if (int e = ReadContent(ino, deleted, &content)) return e;
  content.resize(attrs.size, '\0');
  out->assign(content, off, n);
  return 0;
}

int FileSystem::Write(uint64_t ino, uint64_t off, std::string_view data) {
  if (ino >= kVirtualBase) return EROFS;
  std::lock_guard<std::mutex> lock(mu_);
  Txn txn(this);
  InodeAttributes* attrs;
  if (int e = txn.Get(ino, &attrs)) return e;
  if (IsDir(attrs->mode)) return EISDIR;
  if (!S_ISREG(attrs->mode)) return EINVAL;
  const uint64_t end = off + data.size();
  if (end < off) return EFBIG;
  if (attrs->flags & kFlagBlob) {
    if (int e = blobs_.Write(ino, off, data)) return e;
  } else {
    std::string content;
    if (int e = ReadContentInline(ino, &content)) return e;
    content.resize(attrs->size, '\0');
    if (end <= config_.inline_max_bytes) {
      if (content.size() < end) content.resize(end, '\0');
      content.replace(off, data.size(), data);
      txn.PutContent(ino, content);
    } else {
      // Past the threshold: the contents move to a blob file; the inode
      // says so in the same batch that drops the inline record.
      if (!content.empty()) {
        if (int e = blobs_.Write(ino, 0, content)) return e;
      }
      if (int e = blobs_.Write(ino, off, data)) return e;
      txn.DeleteContent(ino);
      attrs->flags |= kFlagBlob;
    }
  }
  if (end > attrs->size) attrs->size = end;
  attrs->mtime_ns = attrs->ctime_ns = NowNs();
  // Writing drops setuid and setgid-with-group-exec, as local file systems do.
  if (attrs->mode & (S_ISUID | S_ISGID)) {
    attrs->mode &= ~static_cast<uint32_t>(S_ISUID);
    if (attrs->mode & S_IXGRP) attrs->mode &= ~static_cast<uint32_t>(S_ISGID);
  }
  txn.Dirty(ino);
  if (int c = txn.Commit()) return c;
  if (auto open = open_.find(ino); open != open_.end()) open->second.written = true;
  return 0;
}

int FileSystem::Fsync(uint64_t ino, bool datasync) {
  if (ino >= kVirtualBase) return 0;
  std::lock_guard<std::mutex> lock(mu_);
  Txn txn(this);
  InodeAttributes* attrs;
  if (int e = txn.Get(ino, &attrs)) return e;
  if (attrs->flags & kFlagBlob) {
    if (int e = blobs_.Sync(ino, datasync)) return e;
  }
  // Rewriting the inode with sync syncs the store's WAL, and with it every
  // earlier metadata write.
  txn.Dirty(ino);
  return txn.Commit(true);
}

// ---- Directories ----

int FileSystem::OpenDir(uint64_t ino) {
  std::lock_guard<std::mutex> lock(mu_);
  if (ino >= kVirtualBase) {
    struct stat st;
    if (int e = VirtualGetAttr(ino, &st)) return e;
    return S_ISDIR(st.st_mode) ? 0 : ENOTDIR;
  }
  InodeAttributes attrs;
  if (int e = LoadInode(ino, &attrs)) return e;
  return IsDir(attrs.mode) ? 0 : ENOTDIR;
}

int FileSystem::ReadDir(uint64_t ino, DirHandle* handle, uint64_t offset,
                        const std::function<bool(const DirEntry&)>& add) {
  std::lock_guard<std::mutex> lock(mu_);
  if (ino >= kVirtualBase) return VirtualReadDir(ino, handle, offset, add);
  InodeAttributes attrs;
  if (int e = LoadInode(ino, &attrs)) return e;
  if (!IsDir(attrs.mode)) return ENOTDIR;
  DirEntry entry;
  if (offset == 0) {
    entry.name = ".";
    entry.ino = ino;
    entry.mode = S_IFDIR;
    entry.offset = 1;
    if (!add(entry)) return 0;
    offset = 1;
  }
  if (offset == 1) {
    uint64_t parent = ino;
    if (int e = ParentOf(ino, &parent); e != 0 && e != ENOENT) return e;
    entry.name = "..";
    entry.ino = parent;
    entry.mode = S_IFDIR;
    entry.offset = 2;
    if (!add(entry)) return 0;
    offset = 2;
  }
  return ScanEntries(ino, handle, offset, [](DirEntry*) { return true; }, add);
}

int FileSystem::ScanEntries(uint64_t dir, DirHandle* handle, uint64_t offset,
                            const std::function<bool(DirEntry*)>& map,
                            const std::function<bool(const DirEntry&)>& add) {
  const std::string prefix = DentryKey(dir, {});
  std::string after;  // resume after this name; empty: from the first
  if (int e = handle->ResumeAfter(offset, &after)) return e;
  metakv::ScanSpec spec;
  spec.tenant = config_.tenant;
  spec.prefix = prefix;
  std::unique_ptr<metakv::Iterator> it;
  metakv::Status s = store_->NewIterator(metakv::ReadOptions(), kDentryDomain, spec, &it);
  if (!s.ok()) return StoreError(s, "iterator");
  DirEntry entry;
  for (it->Seek(config_.tenant, prefix + after); it->Valid(); it->Next()) {
    const std::string_view key = it->key();
    const std::string_view name = key.substr(prefix.size());
    if (name.empty() || name == after) continue;  // the ".." record, the resume point
    uint32_t type;
    if (!DecodeDentry(it->value(), &entry.ino, &type)) {
      return StoreError(metakv::Status::Corruption("bad directory entry"), "readdir");
    }
    entry.name.assign(name);
    entry.mode = type << 12;
    if (!map(&entry)) continue;
    if (!handle->Emit(&entry, entry.name, add)) break;
  }
  if (!it->status().ok()) return StoreError(it->status(), "readdir scan");
  return 0;
}

int FileSystem::FsyncDir(uint64_t ino) {
  if (ino >= kVirtualBase) return 0;
  std::lock_guard<std::mutex> lock(mu_);
  Txn txn(this);
  InodeAttributes* attrs;
  if (int e = txn.Get(ino, &attrs)) return e;
  txn.Dirty(ino);
  return txn.Commit(true);
}

size_t FileSystem::TEST_OpenInodes() const {
  std::lock_guard<std::mutex> lock(mu_);
  return open_.size();
}

}  // namespace metakvfs
