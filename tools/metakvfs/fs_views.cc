// The recycle bin (.trash), the version history (.versions) and the other
// virtual directories of metakvfs (docs/metakvfs.md, "What metakv shows").
#include <errno.h>
#include <stdio.h>
#include <time.h>

#include <algorithm>
#include <cstring>
#include <unordered_map>

#include "metakv/stats.h"
#include "tools/metakvfs/fs.h"
#include "tools/metakvfs/fs_keys.h"
#include "tools/metakvfs/fs_txn.h"

namespace metakvfs {

using metakv::InodeAttributes;
using metakv::kDentryDomain;
using metakv::kHistoryDomain;
using metakv::kInodeDomain;

namespace {

// "2026-12-06T12:34:56.123456789Z": a version's name, in the order of time.
std::string FormatTime(uint64_t time_ns) {
  const time_t secs = static_cast<time_t>(time_ns / 1000000000);
  struct tm tm;
  gmtime_r(&secs, &tm);
  char buf[64];
  const size_t n = strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%S", &tm);
  snprintf(buf + n, sizeof(buf) - n, ".%09lluZ",
           static_cast<unsigned long long>(time_ns % 1000000000));
  return buf;
}

// The text a version entry reads as: the attributes the file had.
std::string VersionText(const InodeAttributes& a, uint64_t replaced_ns) {
  char buf[512];
  snprintf(buf, sizeof(buf),
           "size %llu\nmode %o\nuid %u\ngid %u\nnlink %u\nmtime %s\nctime %s\nreplaced %s\n",
           static_cast<unsigned long long>(a.size), a.mode, a.uid, a.gid, a.nlink,
           FormatTime(static_cast<uint64_t>(a.mtime_ns)).c_str(),
           FormatTime(static_cast<uint64_t>(a.ctime_ns)).c_str(), FormatTime(replaced_ns).c_str());
  return buf;
}

}  // namespace

uint64_t VirtualRootChild(std::string_view name) {
  if (name == kTrashName) return kTrashIno;
  if (name == kVersionsName) return kVersionsIno;
  if (name == kRmtreeName) return kRmtreeIno;
  if (name == kStatsName) return kStatsIno;
  return 0;
}

namespace {

bool IsVersionsView(uint64_t ino) { return (ino & kVirtualMask) == kVersionsViewBit; }
bool IsVersionsList(uint64_t ino) { return (ino & kVersionsListBit) != 0; }
uint64_t RealOf(uint64_t ino) { return ino & ~kVirtualMask; }

}  // namespace

// ---- Recycle bin ----

int FileSystem::GetDeleted(std::string_view domain, std::string_view key, std::string* value) {
  metakv::ScanSpec spec;
  spec.tenant = config_.tenant;
  spec.prefix = std::string(key);
  spec.deleted = true;
  std::unique_ptr<metakv::Iterator> it;
  metakv::Status s = store_->NewIterator(metakv::ReadOptions(), domain, spec, &it);
  if (!s.ok()) return StoreError(s, "recycle-bin iterator");
  it->Seek(config_.tenant, key);
  if (!it->status().ok()) return StoreError(it->status(), "recycle-bin read");
  if (!it->Valid() || it->key() != key) return ENOENT;
  value->assign(it->value());
  return 0;
}

int FileSystem::ReadBinInode(uint64_t ino, InodeAttributes* attrs) {
  std::string value;
  if (int e = GetDeleted(kInodeDomain, InodeKey(ino), &value)) return e;
  metakv::Status s = metakv::DecodeInode(value, attrs);
  if (!s.ok()) return StoreError(s, "decode deleted inode");
  return 0;
}

int FileSystem::LoadDeletedInode(uint64_t ino, InodeAttributes* attrs) {
  InodeAttributes live;
  const int e = LoadInode(ino, &live);
  if (e == 0) return ENOENT;  // live: not a deleted file
  if (e != ENOENT) return e;
  return ReadBinInode(ino, attrs);
}

std::string FileSystem::PathOf(uint64_t dir) {
  std::vector<std::string> parts;
  for (int depth = 0; dir != kRootIno && depth < 4096; ++depth) {
    std::string value;
    metakv::Status s = store_->Get(metakv::ReadOptions(), kDentryDomain, config_.tenant,
                                   DentryKey(dir, {}), &value);
    if (s.IsNotFound()) {
      if (GetDeleted(kDentryDomain, DentryKey(dir, {}), &value) != 0) value.clear();
    } else if (!s.ok()) {
      value.clear();
    }
    uint64_t up;
    std::string name;
    if (!DecodeParent(value, &up, &name) || name.empty() || up == dir) {
      parts.push_back("?");
      break;
    }
    parts.push_back(name);
    dir = up;
  }
  std::string path;
  for (auto it = parts.rbegin(); it != parts.rend(); ++it) {
    if (!path.empty()) path.push_back('/');
    path += *it;
  }
  return path;
}

int FileSystem::ReadTrash(DirHandle* handle, uint64_t offset,
                          const std::function<bool(const DirEntry&)>& add) {
  std::string after;  // resume after this dentry key
  if (int e = handle->ResumeAfter(offset, &after)) return e;
  metakv::ScanSpec spec;
  spec.tenant = config_.tenant;
  spec.deleted = true;
  std::unique_ptr<metakv::Iterator> it;
  metakv::Status s = store_->NewIterator(metakv::ReadOptions(), kDentryDomain, spec, &it);
  if (!s.ok()) return StoreError(s, "recycle-bin iterator");
  std::unordered_map<uint64_t, std::string> paths;  // directory -> path, for this call
  DirEntry entry;
  for (it->Seek(config_.tenant, after); it->Valid(); it->Next()) {
    const std::string_view key = it->key();
    if (key.size() <= 8 || key == after) continue;  // ".." records, the resume point
    uint64_t child;
    uint32_t type;
    if (!DecodeDentry(it->value(), &child, &type)) continue;
    if (type == (S_IFDIR >> 12)) continue;  // files only: a directory comes back empty
    InodeAttributes attrs;
    const int e = LoadDeletedInode(child, &attrs);
    if (e == ENOENT) continue;  // a name of a file still live, or purged
    if (e != 0) return e;
    const uint64_t parent = GetBE64(key);
    auto p = paths.find(parent);
    if (p == paths.end()) p = paths.emplace(parent, PathOf(parent)).first;
    const std::string_view leaf = key.substr(8);
    entry.name = TrashName(p->second.empty() ? std::string(leaf) : p->second + "/" + std::string(leaf),
                           parent);
    entry.ino = child;
    entry.mode = type << 12;
    if (!handle->Emit(&entry, std::string(key), add)) break;
  }
  if (!it->status().ok()) return StoreError(it->status(), "recycle-bin scan");
  return 0;
}

int FileSystem::Restore(std::string_view trash_name, uint64_t newparent,
                        std::string_view newname) {
  uint64_t parent;
  std::string leaf;
  if (!ParseTrashName(trash_name, &parent, &leaf)) return ENOENT;
  std::string value;
  if (int e = GetDeleted(kDentryDomain, DentryKey(parent, leaf), &value)) return e;
  uint64_t child;
  uint32_t type;
  if (!DecodeDentry(value, &child, &type)) return EIO;
  InodeAttributes attrs;
  if (int e = LoadDeletedInode(child, &attrs)) return e;
  if (S_ISDIR(attrs.mode)) return ENOENT;
  if (newparent >= kVirtualBase) return EROFS;
  Txn txn(this);
  InodeAttributes* to;
  if (int e = txn.Get(newparent, &to)) return e;
  if (!S_ISDIR(to->mode)) return ENOTDIR;
  if (to->nlink == 0) return ENOENT;
  uint64_t existing;
  const int le = LookupEntry(newparent, newname, &existing, &type);
  if (le == 0) return EEXIST;  // a restore never replaces
  if (le != ENOENT) return le;
  std::string content;
  const int ce = GetDeleted(kContentDomain, ContentKey(child), &content);
  if (ce != 0 && ce != ENOENT) return ce;
  // The inode and its contents come back as they were (Undelete); the
  // inode then gets its one name and a new ctime.
  txn.UndeleteInode(child, ce == 0);
  const int64_t now = NowNs();
  attrs.nlink = 1;
  attrs.ctime_ns = now;
  txn.Add(attrs);
  txn.DeleteEntry(parent, leaf);
  txn.PutEntry(newparent, newname, child, attrs.mode);
  to->mtime_ns = to->ctime_ns = now;
  txn.Dirty(newparent);
  return txn.Commit();
}

// ---- Versions ----

int FileSystem::RecordVersion(uint64_t ino, const InodeAttributes& previous) {
  metakv::ColdRecord r;
  // Strictly increasing times: two versions within a nanosecond still get
  // keys of their own.
  last_version_ns_ = std::max(static_cast<uint64_t>(NowNs()), last_version_ns_ + 1);
  r.key = HistoryKey(ino, last_version_ns_);
  metakv::EncodeInode(previous, &r.value);
  history_.push_back(std::move(r));
  if (history_.size() >= kHistoryGroup) return IngestHistory();
  return 0;
}

int FileSystem::IngestHistory() {
  if (history_.empty()) return 0;
  metakv::Status s = store_->IngestCold(kHistoryDomain, config_.tenant, history_);
  if (!s.ok()) return StoreError(s, "ingest versions");
  history_.clear();
  return 0;
}

int FileSystem::FlushHistory() {
  std::lock_guard<std::mutex> lock(mu_);
  return IngestHistory();
}

int FileSystem::LoadVersions(uint64_t file, std::vector<VersionEntry>* out) {
  out->clear();
  if (int e = IngestHistory()) return e;
  metakv::ScanSpec spec;
  spec.tenant = config_.tenant;
  spec.prefix = InodeKey(file);
  std::unique_ptr<metakv::Iterator> it;
  metakv::Status s = store_->NewIterator(metakv::ReadOptions(), kHistoryDomain, spec, &it);
  if (!s.ok()) return StoreError(s, "history iterator");
  for (it->Seek(config_.tenant, spec.prefix); it->Valid(); it->Next()) {
    if (it->key().size() != 16) continue;
    VersionEntry v;
    v.file = file;
    v.time_ns = GetBE64(it->key().substr(8));
    if (!metakv::DecodeInode(it->value(), &v.attrs).ok()) continue;
    out->push_back(std::move(v));
  }
  if (!it->status().ok()) return StoreError(it->status(), "history scan");
  return 0;
}

uint64_t FileSystem::VersionEntryIno(const VersionEntry& v) {
  auto [it, added] = version_inos_.emplace(std::make_pair(v.file, v.time_ns), 0);
  if (added) {
    it->second = kVersionsEntryBase + version_entries_.size();
    version_entries_.push_back(v);
  }
  return it->second;
}

// ---- The virtual directories ----

void FileSystem::VirtualDirStat(uint64_t ino, struct stat* st) const {
  *st = {};
  st->st_ino = ino;
  // .trash and .rmtree take renames (out of .trash: a restore; into
  // .rmtree: a tree removal), so they are writable and sticky, as /tmp:
  // the kernel lets only a file's owner (or root) move it. The daemon
  // refuses anything else in them; the .versions views are read-only.
  st->st_mode = S_IFDIR | (ino == kRmtreeIno || ino == kTrashIno ? 01777 : 0555);
  st->st_nlink = 2;
  st->st_uid = config_.root_uid;
  st->st_gid = config_.root_gid;
  st->st_blksize = 4096;
}

int FileSystem::VirtualLookup(uint64_t parent, std::string_view name, struct stat* st) {
  if (parent == kRootIno) {
    const uint64_t ino = VirtualRootChild(name);
    return ino == 0 ? ENOENT : VirtualGetAttr(ino, st);
  }
  if (parent == kTrashIno) {
    uint64_t dir;
    std::string leaf;
    if (!ParseTrashName(name, &dir, &leaf)) return ENOENT;
    std::string value;
    if (int e = GetDeleted(kDentryDomain, DentryKey(dir, leaf), &value)) return e;
    uint64_t child;
    uint32_t type;
    if (!DecodeDentry(value, &child, &type) || type == (S_IFDIR >> 12)) return ENOENT;
    InodeAttributes attrs;
    if (int e = LoadDeletedInode(child, &attrs)) return e;
    ToStat(attrs, st);
    st->st_mode &= ~static_cast<mode_t>(0222);
    return 0;
  }
  if (parent == kVersionsIno || IsVersionsView(parent)) {
    const uint64_t dir = parent == kVersionsIno ? kRootIno : RealOf(parent);
    uint64_t child;
    uint32_t type;
    if (int e = LookupEntry(dir, name, &child, &type)) return e;
    if (type == (S_IFDIR >> 12)) {
      VirtualDirStat(kVersionsViewBit | child, st);
    } else if (type == (S_IFREG >> 12)) {
      VirtualDirStat(kVersionsListBit | child, st);
    } else {
      return ENOENT;  // only regular files have versions
    }
    return 0;
  }
  if (IsVersionsList(parent)) {
    std::vector<VersionEntry> versions;
    if (int e = LoadVersions(RealOf(parent), &versions)) return e;
    for (const VersionEntry& v : versions) {
      if (FormatTime(v.time_ns) != name) continue;
      return VirtualGetAttr(VersionEntryIno(v), st);
    }
    return ENOENT;
  }
  return ENOENT;  // .rmtree and version entries hold nothing
}

int FileSystem::VirtualGetAttr(uint64_t ino, struct stat* st) {
  if (ino == kStatsIno) {
    VirtualDirStat(ino, st);
    st->st_mode = S_IFREG | 0444;  // size 0: read with direct I/O
    st->st_nlink = 1;
    return 0;
  }
  if (ino == kTrashIno || ino == kVersionsIno || ino == kRmtreeIno) {
    VirtualDirStat(ino, st);
    return 0;
  }
  if (IsVersionsView(ino) || IsVersionsList(ino)) {
    InodeAttributes attrs;
    if (int e = LoadInode(RealOf(ino), &attrs)) return e;
    VirtualDirStat(ino, st);
    st->st_mtim.tv_sec = attrs.mtime_ns / 1000000000;
    st->st_mtim.tv_nsec = attrs.mtime_ns % 1000000000;
    return 0;
  }
  if (ino >= kVersionsEntryBase && ino - kVersionsEntryBase < version_entries_.size()) {
    const VersionEntry& v = version_entries_[ino - kVersionsEntryBase];
    ToStat(v.attrs, st);
    st->st_ino = ino;
    st->st_mode = S_IFREG | (v.attrs.mode & 0444);
    st->st_nlink = 1;
    st->st_size = static_cast<off_t>(VersionText(v.attrs, v.time_ns).size());
    st->st_blocks = 1;
    return 0;
  }
  return ENOENT;
}

int FileSystem::ReadVirtual(uint64_t ino, uint64_t off, size_t n, std::string* out) {
  if (ino == kStatsIno) {
    metakv::Stats stats;
    metakv::Status s = store_->GetStats(&stats);
    if (!s.ok()) return StoreError(s, "stats");
    const std::string text = metakv::StatsToJson(stats) + "\n";
    if (off < text.size()) out->assign(text, off, n);
    return 0;
  }
  if (ino < kVersionsEntryBase || ino - kVersionsEntryBase >= version_entries_.size()) {
    return ENOENT;
  }
  const VersionEntry& v = version_entries_[ino - kVersionsEntryBase];
  const std::string text = VersionText(v.attrs, v.time_ns);
  if (off < text.size()) out->assign(text, off, n);
  return 0;
}

int FileSystem::VirtualReadDir(uint64_t ino, DirHandle* handle, uint64_t offset,
                               const std::function<bool(const DirEntry&)>& add) {
  struct stat st;
  if (int e = VirtualGetAttr(ino, &st)) return e;
  if (!S_ISDIR(st.st_mode)) return ENOTDIR;
  DirEntry entry;
  entry.mode = S_IFDIR;
  for (; offset < 2; ++offset) {
    entry.name = offset == 0 ? "." : "..";
    entry.ino = offset == 0 ? ino : kRootIno;
    entry.offset = offset + 1;
    if (!add(entry)) return 0;
  }
  if (ino == kTrashIno) return ReadTrash(handle, offset, add);
  if (ino == kRmtreeIno) return 0;
  if (ino == kVersionsIno || IsVersionsView(ino)) {
    const uint64_t dir = ino == kVersionsIno ? kRootIno : RealOf(ino);
    return ScanEntries(dir, handle, offset, [&](DirEntry* e) {
      if (e->mode == S_IFDIR) {
        e->ino = kVersionsViewBit | e->ino;
      } else if (e->mode == S_IFREG) {
        e->ino = kVersionsListBit | e->ino;
        e->mode = S_IFDIR;
      } else {
        return false;  // no versions: left out
      }
      return true;
    }, add);
  }
  // A file's versions, oldest first.
  std::vector<VersionEntry> versions;
  if (int e = LoadVersions(RealOf(ino), &versions)) return e;
  std::string after;
  if (int e = handle->ResumeAfter(offset, &after)) return e;
  for (const VersionEntry& v : versions) {
    entry.name = FormatTime(v.time_ns);
    if (!after.empty() && entry.name <= after) continue;
    entry.ino = VersionEntryIno(v);
    entry.mode = S_IFREG;
    if (!handle->Emit(&entry, entry.name, add)) break;
  }
  return 0;
}

}  // namespace metakvfs
