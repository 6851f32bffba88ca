#include "tools/metakvfs/fsck.h"

#include <sys/stat.h>

#include <cstring>
#include <deque>
#include <functional>
#include <map>
#include <set>
#include <unordered_map>

#include "metakv/filesystem.h"
#include "tools/metakvfs/blob_store.h"
#include "tools/metakvfs/fs.h"
#include "tools/metakvfs/fs_keys.h"

namespace metakvfs {

using metakv::InodeAttributes;

namespace {

// Every record of the tenant in domain (live, or with deleted the recycle
// bin), in key order, to fn.
metakv::Status ScanAll(metakv::Store* store, std::string_view domain, const std::string& tenant,
                       bool deleted,
                       const std::function<void(std::string_view, std::string_view)>& fn) {
  metakv::ScanSpec spec;
  spec.tenant = tenant;
  spec.deleted = deleted;
  std::unique_ptr<metakv::Iterator> it;
  metakv::Status s = store->NewIterator(metakv::ReadOptions(), domain, spec, &it);
  if (!s.ok()) return s;
  for (it->Seek(tenant, {}); it->Valid(); it->Next()) fn(it->key(), it->value());
  return it->status();
}

std::string Ino(uint64_t ino) { return "inode " + std::to_string(ino); }

struct Entry {
  uint64_t parent;
  std::string name;
};

}  // namespace

metakv::Status CheckFileSystem(metakv::Store* store, const std::string& tenant,
                               const std::string& data_dir, FsckReport* report) {
  *report = FsckReport();
  auto error = [&](const std::string& e) {
    if (report->errors.size() < 1000) report->errors.push_back(e);
  };
  std::map<uint64_t, InodeAttributes> inodes;
  std::set<uint64_t> orphans;
  std::set<uint64_t> deleted_blobs;  // deleted inodes whose contents are a blob
  metakv::Status s = ScanAll(store, metakv::kInodeDomain, tenant, false,
                             [&](std::string_view key, std::string_view value) {
    if (key.size() == 8) {
      InodeAttributes a;
      if (!metakv::DecodeInode(value, &a).ok() || a.ino != GetBE64(key)) {
        error(Ino(GetBE64(key)) + ": undecodable record");
        return;
      }
      inodes[a.ino] = a;
    } else if (key.substr(0, OrphanPrefix().size()) == OrphanPrefix() &&
               key.size() == OrphanPrefix().size() + 8) {
      orphans.insert(GetBE64(key.substr(OrphanPrefix().size())));
    } else if (key.substr(0, RmtreePrefix().size()) == RmtreePrefix()) {
      report->notes.push_back("a tree removal under way (the next mount finishes it)");
    }
  });
  if (!s.ok()) return s;
  s = ScanAll(store, metakv::kInodeDomain, tenant, true,
              [&](std::string_view key, std::string_view value) {
    InodeAttributes a;
    if (key.size() != 8 || !metakv::DecodeInode(value, &a).ok()) return;
    report->trash++;
    if (a.flags & kFlagBlob) deleted_blobs.insert(a.ino);
  });
  if (!s.ok()) return s;

  std::map<uint64_t, Entry> dotdot;                    // directory -> its ".." record
  std::unordered_map<uint64_t, std::vector<Entry>> names;  // inode -> its entries
  std::unordered_map<uint64_t, uint64_t> subdirs;      // directory -> subdirectories
  std::unordered_map<uint64_t, std::vector<uint64_t>> children;  // directory -> subdirectories
  s = ScanAll(store, metakv::kDentryDomain, tenant, false,
              [&](std::string_view key, std::string_view value) {
    const uint64_t parent = GetBE64(key);
    if (key.size() == 8) {
      Entry e;
      if (!DecodeParent(value, &e.parent, &e.name)) {
        error(Ino(parent) + ": bad \"..\" record");
        return;
      }
      dotdot[parent] = e;
      return;
    }
    report->entries++;
    const std::string name(key.substr(8));
    uint64_t child;
    uint32_t type;
    if (!DecodeDentry(value, &child, &type)) {
      error("entry '" + name + "' in " + Ino(parent) + ": undecodable");
      return;
    }
    auto p = inodes.find(parent);
    if (p == inodes.end() || !S_ISDIR(p->second.mode)) {
      error("entry '" + name + "' in " + Ino(parent) + ": no such directory");
    }
    auto c = inodes.find(child);
    if (c == inodes.end()) {
      error("entry '" + name + "' in " + Ino(parent) + ": points to missing " + Ino(child));
      return;
    }
    if ((c->second.mode >> 12) != type) {
      error("entry '" + name + "' in " + Ino(parent) + ": type byte differs from " + Ino(child));
    }
    names[child].push_back({parent, name});
    if (S_ISDIR(c->second.mode)) {
      subdirs[parent]++;
      children[parent].push_back(child);
    }
  });
  if (!s.ok()) return s;

  // Reachability: every directory from the root.
  std::set<uint64_t> reached{kRootIno};
  std::deque<uint64_t> queue{kRootIno};
  while (!queue.empty()) {
    const uint64_t d = queue.front();
    queue.pop_front();
    for (uint64_t c : children[d]) {
      if (reached.insert(c).second) queue.push_back(c);
    }
  }
  if (inodes.count(kRootIno) == 0) error("no root directory");

  BlobStore blobs;
  if (int e = blobs.Open(data_dir, tenant)) {
    return metakv::Status::IOError("data directory " + data_dir + ": " + strerror(e));
  }
  for (const auto& [ino, a] : inodes) {
    report->inodes++;
    const auto& n = names[ino];
    if (S_ISDIR(a.mode)) {
      report->directories++;
      auto dd = dotdot.find(ino);
      if (dd == dotdot.end()) {
        error(Ino(ino) + ": directory without its \"..\" record");
      } else if (ino != kRootIno) {
        if (n.size() != 1) {
          error(Ino(ino) + ": directory with " + std::to_string(n.size()) + " entries");
        } else if (n[0].parent != dd->second.parent || n[0].name != dd->second.name) {
          error(Ino(ino) + ": \"..\" record names another entry than the one holding it");
        }
      }
      if (!reached.count(ino)) error(Ino(ino) + ": directory not reachable from the root");
      const uint64_t want = 2 + subdirs[ino];
      if (a.nlink != want) {
        error(Ino(ino) + ": link count " + std::to_string(a.nlink) + ", subdirectories say " +
              std::to_string(want));
      }
      continue;
    }
    if (a.nlink != n.size()) {
      error(Ino(ino) + ": link count " + std::to_string(a.nlink) + ", entries say " +
            std::to_string(n.size()));
    }
    if (n.empty()) {
      if (orphans.count(ino)) {
        report->notes.push_back(Ino(ino) + ": unlinked while open (the next mount removes it)");
      } else {
        error(Ino(ino) + ": orphan (no entry, no orphan record)");
      }
    }
    if (a.flags & kFlagBlob) {
      struct stat st;
      if (stat(blobs.PathOf(ino).c_str(), &st) != 0) error(Ino(ino) + ": its blob file is missing");
    }
  }
  std::vector<uint64_t> blob_inos;
  if (int e = blobs.List(&blob_inos)) {
    return metakv::Status::IOError("data directory " + data_dir + ": " + strerror(e));
  }
  report->blob_files = blob_inos.size();
  uint64_t stray = 0;
  for (uint64_t ino : blob_inos) {
    auto it = inodes.find(ino);
    const bool live = it != inodes.end() && (it->second.flags & kFlagBlob);
    if (!live && !deleted_blobs.count(ino)) stray++;
  }
  if (stray != 0) {
    report->notes.push_back(std::to_string(stray) +
                            " blob files owned by no file (the next mount removes them)");
  }
  return metakv::Status::OK();
}

}  // namespace metakvfs
