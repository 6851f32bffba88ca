// Tree removal (metakvfs-ctl rmtree) and the blob sweep of metakvfs
// (docs/metakvfs.md, "Removing a tree").
#include <errno.h>

#include <algorithm>
#include <map>
#include <set>

#include "tools/metakvfs/fs.h"
#include "tools/metakvfs/fs_keys.h"
#include "tools/metakvfs/fs_txn.h"

namespace metakvfs {

using metakv::InodeAttributes;
using metakv::kDentryDomain;
using metakv::kInodeDomain;

namespace {

// The kept inodes of a removal, as its intent record holds them.
std::string EncodeKept(const std::set<uint64_t>& kept) {
  std::string v;
  for (uint64_t ino : kept) PutBE64(&v, ino);
  return v;
}

std::set<uint64_t> DecodeKept(std::string_view v) {
  std::set<uint64_t> kept;
  for (size_t i = 0; i + 8 <= v.size(); i += 8) kept.insert(GetBE64(v.substr(i)));
  return kept;
}

}  // namespace

// What a walk of a tree found.
struct FileSystem::TreeWalk {
  std::vector<uint64_t> dirs;                  // the top first
  std::map<uint64_t, uint32_t> names_inside;   // non-directory inode -> its names in the tree
  std::map<uint64_t, InodeAttributes> attrs;   // every inode found
};

int FileSystem::WalkTree(uint64_t top, TreeWalk* walk) {
  InodeAttributes top_attrs;
  const int e = LoadInode(top, &top_attrs);
  if (e == ENOENT) return 0;  // already removed
  if (e != 0) return e;
  if (!S_ISDIR(top_attrs.mode)) return ENOTDIR;
  walk->attrs[top] = top_attrs;
  walk->dirs.push_back(top);
  for (size_t next = 0; next < walk->dirs.size(); ++next) {
    const uint64_t dir = walk->dirs[next];
    metakv::ScanSpec spec;
    spec.tenant = config_.tenant;
    spec.prefix = DentryKey(dir, {});
    std::unique_ptr<metakv::Iterator> it;
    metakv::Status s = store_->NewIterator(metakv::ReadOptions(), kDentryDomain, spec, &it);
    if (!s.ok()) return StoreError(s, "rmtree iterator");
    for (it->Seek(config_.tenant, spec.prefix); it->Valid(); it->Next()) {
      if (it->key().size() <= 8) continue;  // the ".." record
      uint64_t child;
      uint32_t type;
      if (!DecodeDentry(it->value(), &child, &type)) {
        return StoreError(metakv::Status::Corruption("bad directory entry"), "rmtree");
      }
      if (walk->attrs.count(child) == 0) {
        InodeAttributes attrs;
        const int le = LoadInode(child, &attrs);
        if (le == ENOENT) continue;  // a dangling entry: its key goes with the directory's
        if (le != 0) return le;
        walk->attrs[child] = attrs;
        if (S_ISDIR(attrs.mode)) walk->dirs.push_back(child);
      }
      if (type != (S_IFDIR >> 12)) walk->names_inside[child]++;
    }
    if (!it->status().ok()) return StoreError(it->status(), "rmtree scan");
  }
  return 0;
}

int FileSystem::RemoveTree(uint64_t parent, std::string_view name, RmtreeResult* result) {
  *result = {};
  if (name.size() > 255) return ENAMETOOLONG;
  std::lock_guard<std::mutex> lock(mu_);
  if (int e = CheckWritableName(parent, name)) return e;
  uint64_t top;
  uint32_t type;
  if (int e = LookupEntry(parent, name, &top, &type)) return e;
  if (type != (S_IFDIR >> 12)) return ENOTDIR;
  TreeWalk walk;
  if (int e = WalkTree(top, &walk)) return e;

  // One batch takes the tree out of the namespace and settles what stays:
  // inodes with names outside the tree lose only the inside ones; open
  // files become orphans (their last close removes them). The intent
  // record lists the kept inodes, so a remount finishes the removal.
  Txn txn(this);
  InodeAttributes* dir;
  if (int e = txn.Get(parent, &dir)) return e;
  std::set<uint64_t> kept;
  const int64_t now = NowNs();
  for (const auto& [ino, inside] : walk.names_inside) {
    const InodeAttributes& a = walk.attrs[ino];
    const bool outside = a.nlink > inside;
    if (!outside && open_.count(ino) == 0) continue;
    InodeAttributes* k;
    if (int e = txn.Get(ino, &k)) return e;
    k->nlink = outside ? a.nlink - inside : 0;
    k->ctime_ns = now;
    txn.Dirty(ino);
    if (!outside) txn.PutOrphan(ino);
    kept.insert(ino);
  }
  txn.DeleteEntry(parent, name);
  if (dir->nlink > 2) dir->nlink--;
  dir->mtime_ns = dir->ctime_ns = now;
  txn.Dirty(parent);
  txn.PutRmtreeIntent(top, EncodeKept(kept));
  if (int c = txn.Commit()) return c;
  return FinishRemoveTree(top, walk, kept, result);
}

int FileSystem::FinishRemoveTree(uint64_t top, const TreeWalk& walk,
                                 const std::set<uint64_t>& kept, RmtreeResult* result) {
  std::set<uint64_t> removed;
  std::set<uint64_t> dirs(walk.dirs.begin(), walk.dirs.end());
  for (const auto& [ino, attrs] : walk.attrs) {
    if (kept.count(ino) == 0) removed.insert(ino);
  }
  // The prefixes: an aligned block of 256 inode numbers whose every record
  // (live or in the recycle bin) is an inode being removed is one 7-byte
  // prefix in each domain; other inodes get their own 8-byte prefix (in
  // the dentry domain only directories have one). Numbers never used yet
  // may fall in a block: RemoveTree leaves later writes alone.
  std::vector<metakv::PrefixRef> prefixes;
  std::vector<std::pair<std::string_view, std::string>> pending;
  auto block_is_ours = [&](uint64_t block, bool* ours) -> int {
    *ours = true;
    const std::string lo = InodeKey(block << 8);
    const std::string hi = InodeKey((block + 1) << 8);
    for (bool deleted : {false, true}) {
      metakv::ScanSpec spec;
      spec.tenant = config_.tenant;
      spec.lower_bound = lo;
      spec.upper_bound = hi;
      spec.deleted = deleted;
      std::unique_ptr<metakv::Iterator> it;
      metakv::Status s = store_->NewIterator(metakv::ReadOptions(), kInodeDomain, spec, &it);
      if (!s.ok()) return StoreError(s, "rmtree block scan");
      for (it->Seek(config_.tenant, lo); it->Valid(); it->Next()) {
        if (it->key().size() != 8 || removed.count(GetBE64(it->key())) == 0) {
          *ours = false;
          return 0;
        }
      }
      if (!it->status().ok()) return StoreError(it->status(), "rmtree block scan");
    }
    return 0;
  };
  for (auto it = removed.begin(); it != removed.end();) {
    const uint64_t block = *it >> 8;
    auto end = it;
    while (end != removed.end() && (*end >> 8) == block) ++end;
    bool ours = false;
    if (block != 0) {  // block 0 holds the root and the BE64(0) records
      if (int e = block_is_ours(block, &ours)) return e;
    }
    if (ours) {
      const std::string p = InodeKey(block << 8).substr(0, 7);
      for (std::string_view d : {kInodeDomain, kContentDomain, kDentryDomain}) {
        pending.emplace_back(d, p);
      }
    } else {
      for (auto m = it; m != end; ++m) {
        pending.emplace_back(kInodeDomain, InodeKey(*m));
        pending.emplace_back(kContentDomain, InodeKey(*m));
        if (dirs.count(*m)) pending.emplace_back(kDentryDomain, InodeKey(*m));
      }
    }
    it = end;
  }
  // (Kept inodes' names inside the tree go with their directories' prefixes.)
  for (const auto& [domain, prefix] : pending) prefixes.push_back({domain, prefix});
  if (!prefixes.empty()) {
    metakv::Status s = store_->RemoveTree(metakv::WriteOptions(), config_.tenant, prefixes,
                                          metakv::RemoveMode::kHard);
    if (!s.ok()) return StoreError(s, "RemoveTree");
  }
  for (uint64_t ino : removed) {
    const InodeAttributes& a = walk.attrs.at(ino);
    if ((a.flags & kFlagBlob) && blobs_.Remove(ino) == 0) result->blobs++;
  }
  Txn done(this);
  done.DeleteRmtreeIntent(top);
  if (int c = done.Commit()) return c;
  result->directories = walk.dirs.size();
  result->inodes = removed.size();
  result->kept = kept.size();
  result->prefixes = prefixes.size();
  return 0;
}

int FileSystem::ResumeRemoveTrees() {
  std::vector<std::pair<uint64_t, std::set<uint64_t>>> intents;
  {
    metakv::ScanSpec spec;
    spec.tenant = config_.tenant;
    spec.prefix = RmtreePrefix();
    std::unique_ptr<metakv::Iterator> it;
    metakv::Status s = store_->NewIterator(metakv::ReadOptions(), kInodeDomain, spec, &it);
    if (!s.ok()) return StoreError(s, "iterator");
    for (it->Seek(config_.tenant, spec.prefix); it->Valid(); it->Next()) {
      if (it->key().size() != spec.prefix.size() + 8) continue;
      intents.emplace_back(GetBE64(it->key().substr(spec.prefix.size())), DecodeKept(it->value()));
    }
    if (!it->status().ok()) return StoreError(it->status(), "scan");
  }
  for (const auto& [top, kept] : intents) {
    TreeWalk walk;
    if (int e = WalkTree(top, &walk)) return e;
    RmtreeResult result;
    if (int e = FinishRemoveTree(top, walk, kept, &result)) return e;
  }
  return 0;
}

int FileSystem::SweepBlobs() {
  std::vector<uint64_t> inos;
  if (int e = blobs_.List(&inos)) return e;
  for (uint64_t ino : inos) {
    InodeAttributes attrs;
    bool deleted;
    const int e = LoadLiveOrDeleted(ino, &attrs, &deleted);
    if (e != 0 && e != ENOENT) return e;
    if (e == 0 && (attrs.flags & kFlagBlob)) continue;
    blobs_.Remove(ino);
  }
  return 0;
}

}  // namespace metakvfs
