// Tests of metakvfs's file-system logic (FileSystem over a real Store in a
// temporary directory), without FUSE: what the kernel would ask, called
// directly, including what the kernel checks itself before asking (a
// directory moved into itself). A plain program: prints each failed check
// and exits non-zero if any failed.
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "metakv/store.h"
#include "tools/metakvfs/flags.h"
#include "tools/metakvfs/fs.h"
#include "tools/metakvfs/fs_keys.h"
#include "tools/metakvfs/fsck.h"

#ifndef RENAME_NOREPLACE
#define RENAME_NOREPLACE (1 << 0)
#endif
#ifndef RENAME_EXCHANGE
#define RENAME_EXCHANGE (1 << 1)
#endif

namespace metakvfs {
namespace {

int failures = 0;

#define CHECK(cond)                                                      \
  do {                                                                   \
    if (!(cond)) {                                                       \
      fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond); \
      ++failures;                                                        \
    }                                                                    \
  } while (0)
#define CHECK_EQ(a, b) CHECK((a) == (b))

// A store and a file system in a fresh temporary directory.
class Env {
 public:
  Env() {
    char tmpl[] = "/tmp/metakvfs_test.XXXXXX";
    dir_ = mkdtemp(tmpl);
    std::filesystem::create_directories(dir_ + "/data");
    Open();
  }
  ~Env() {
    Close();
    std::filesystem::remove_all(dir_);
  }
  void Open() {
    metakv::Options options;
    options.create_if_missing = true;
    options.domains = MetakvfsDomains();
    options.memory_budget_bytes = 64 << 20;
    options.maintenance_interval_seconds = 0;
    options.flush_controller_interval_seconds = 0;
    metakv::Status s = metakv::Store::Open(options, dir_ + "/db", &store_);
    if (!s.ok()) {
      fprintf(stderr, "open: %s\n", s.ToString().c_str());
      exit(1);
    }
    FsConfig config;
    config.data_dir = dir_ + "/data";
    config.inline_max_bytes = 100;
    config.inode_block = 4;
    s = FileSystem::Open(store_.get(), config, &fs_);
    if (!s.ok()) {
      fprintf(stderr, "fs open: %s\n", s.ToString().c_str());
      exit(1);
    }
  }
  // Closes without releasing anything: as a crash would leave it.
  void Close() {
    fs_.reset();
    if (store_) store_->Close().PermitUncheckedError();
    store_.reset();
  }
  void Reopen() {
    Close();
    Open();
  }
  FileSystem* fs() { return fs_.get(); }
  metakv::Store* store() { return store_.get(); }
  size_t BlobFiles() const {
    size_t n = 0;
    for (auto& e : std::filesystem::recursive_directory_iterator(dir_ + "/data")) {
      if (e.is_regular_file()) ++n;
    }
    return n;
  }

  std::string data() const { return dir_ + "/data"; }
  // fsck's errors, joined (empty: clean).
  std::string Fsck() {
    FsckReport r;
    metakv::Status s = CheckFileSystem(store_.get(), "default", data(), &r);
    if (!s.ok()) return "fsck: " + s.ToString();
    std::string out;
    for (const std::string& e : r.errors) out += e + "\n";
    return out;
  }

 private:
  std::string dir_;
  std::unique_ptr<metakv::Store> store_;
  std::unique_ptr<FileSystem> fs_;
};

uint64_t Ino(FileSystem* fs, uint64_t parent, const std::string& name) {
  struct stat st;
  return fs->Lookup(parent, name, &st) == 0 ? st.st_ino : 0;
}

nlink_t Nlink(FileSystem* fs, uint64_t ino) {
  struct stat st;
  return fs->GetAttr(ino, &st) == 0 ? st.st_nlink : 0;
}

std::string ReadAll(FileSystem* fs, uint64_t ino) {
  std::string out;
  CHECK_EQ(fs->Read(ino, 0, 1 << 20, &out), 0);
  return out;
}

std::vector<std::string> List(FileSystem* fs, uint64_t dir) {
  DirHandle h;
  std::vector<std::string> names;
  CHECK_EQ(fs->ReadDir(dir, &h, 0,
                       [&](const DirEntry& e) {
                         names.push_back(e.name);
                         return true;
                       }),
           0);
  return names;
}

// The same as List, one entry per ReadDir call, each resuming at the
// offset of the last entry taken (as the kernel does with a small buffer).
std::vector<std::string> ListPaged(FileSystem* fs, uint64_t dir) {
  DirHandle h;
  std::vector<std::string> names;
  uint64_t offset = 0;
  for (int calls = 0; calls < 100000; ++calls) {
    bool took = false;
    CHECK_EQ(fs->ReadDir(dir, &h, offset,
                         [&](const DirEntry& e) {
                           if (took) return false;
                           took = true;
                           names.push_back(e.name);
                           offset = e.offset;
                           return true;
                         }),
             0);
    if (!took) break;
  }
  return names;
}

void TestCreateLookup() {
  Env env;
  FileSystem* fs = env.fs();
  struct stat st;
  CHECK_EQ(fs->GetAttr(kRootIno, &st), 0);
  CHECK(S_ISDIR(st.st_mode));
  CHECK_EQ(st.st_nlink, 2u);
  CHECK_EQ(fs->MkNod(kRootIno, "f", S_IFREG | 0640, 0, 7, 8, &st), 0);
  const uint64_t f = st.st_ino;
  CHECK(f > kRootIno);
  CHECK_EQ(st.st_uid, 7u);
  CHECK_EQ(fs->MkNod(kRootIno, "f", S_IFREG | 0640, 0, 0, 0, &st), EEXIST);
  CHECK_EQ(fs->MkDir(kRootIno, "d", 0755, 0, 0, &st), 0);
  CHECK_EQ(Nlink(fs, kRootIno), 3u);
  CHECK_EQ(fs->Lookup(kRootIno, "nope", &st), ENOENT);
  CHECK_EQ(fs->MkNod(f, "x", S_IFREG | 0644, 0, 0, 0, &st), ENOTDIR);
  CHECK_EQ(fs->MkNod(kRootIno, std::string(256, 'n'), S_IFREG, 0, 0, 0, &st), ENAMETOOLONG);
  CHECK_EQ(fs->MkNod(kRootIno, "dev", S_IFCHR | 0600, 0x0103, 0, 0, &st), 0);
  CHECK_EQ(st.st_rdev, 0x0103u);
  CHECK_EQ(fs->OpenDir(f), ENOTDIR);
  CHECK_EQ(fs->OpenFile(Ino(fs, kRootIno, "d")), EISDIR);
  // Inode numbers survive a reopen and are never handed out twice.
  std::set<uint64_t> seen = {f, Ino(fs, kRootIno, "d"), Ino(fs, kRootIno, "dev")};
  for (int round = 0; round < 3; ++round) {
    env.Reopen();
    fs = env.fs();
    for (int i = 0; i < 5; ++i) {
      CHECK_EQ(fs->MkNod(kRootIno, "n" + std::to_string(round * 10 + i), S_IFREG | 0644, 0, 0,
                         0, &st),
               0);
      CHECK(seen.insert(st.st_ino).second);
    }
  }
  CHECK_EQ(Ino(env.fs(), kRootIno, "f"), f);
}

void TestContents() {
  Env env;
  FileSystem* fs = env.fs();
  struct stat st;
  CHECK_EQ(fs->MkNod(kRootIno, "f", S_IFREG | 0644, 0, 0, 0, &st), 0);
  const uint64_t f = st.st_ino;
  CHECK_EQ(fs->OpenFile(f), 0);
  CHECK_EQ(fs->Write(f, 0, "hello"), 0);
  CHECK_EQ(fs->Write(f, 10, "world"), 0);  // a hole, inline
  CHECK_EQ(ReadAll(fs, f), std::string("hello\0\0\0\0\0world", 15));
  CHECK_EQ(env.BlobFiles(), 0u);
  // Past the threshold (100 bytes here): the contents move to a blob.
  const std::string big(300, 'b');
  CHECK_EQ(fs->Write(f, 50, big), 0);
  CHECK_EQ(env.BlobFiles(), 1u);
  std::string want = std::string("hello\0\0\0\0\0world", 15) + std::string(35, '\0') + big;
  CHECK_EQ(ReadAll(fs, f), want);
  std::string part;
  CHECK_EQ(fs->Read(f, 340, 100, &part), 0);
  CHECK_EQ(part, want.substr(340));
  SetAttrRequest trunc;
  trunc.set_size = true;
  trunc.size = 3;
  CHECK_EQ(fs->SetAttr(f, trunc, &st), 0);
  CHECK_EQ(ReadAll(fs, f), "hel");
  CHECK_EQ(fs->Fsync(f, false), 0);
  CHECK_EQ(fs->ReleaseFile(f), 0);
  // An inline file truncated up past the threshold.
  CHECK_EQ(fs->MkNod(kRootIno, "g", S_IFREG | 0644, 0, 0, 0, &st), 0);
  const uint64_t g = st.st_ino;
  CHECK_EQ(fs->Write(g, 0, "abc"), 0);
  trunc.size = 1000;
  CHECK_EQ(fs->SetAttr(g, trunc, &st), 0);
  CHECK_EQ(st.st_size, 1000);
  CHECK_EQ(ReadAll(fs, g), "abc" + std::string(997, '\0'));
  // chmod keeps the type; utimens.
  SetAttrRequest attrs;
  attrs.set_mode = true;
  attrs.mode = 0600;
  attrs.set_mtime = true;
  attrs.mtime_ns = 123456789012345678;
  CHECK_EQ(fs->SetAttr(g, attrs, &st), 0);
  CHECK_EQ(st.st_mode, static_cast<mode_t>(S_IFREG | 0600));
  CHECK_EQ(st.st_mtim.tv_sec, 123456789);
  CHECK_EQ(st.st_mtim.tv_nsec, 12345678);
  // Symlinks.
  CHECK_EQ(fs->Symlink(kRootIno, "s", "some/where", 0, 0, &st), 0);
  std::string target;
  CHECK_EQ(fs->ReadLink(st.st_ino, &target), 0);
  CHECK_EQ(target, "some/where");
  CHECK_EQ(st.st_size, 10);
  CHECK_EQ(fs->ReadLink(g, &target), EINVAL);
  env.Reopen();
  CHECK_EQ(ReadAll(env.fs(), f), "hel");
  CHECK_EQ(ReadAll(env.fs(), g), "abc" + std::string(997, '\0'));
}

void TestLinksAndUnlink() {
  Env env;
  FileSystem* fs = env.fs();
  struct stat st;
  CHECK_EQ(fs->MkDir(kRootIno, "d", 0755, 0, 0, &st), 0);
  const uint64_t d = st.st_ino;
  CHECK_EQ(fs->MkNod(kRootIno, "f", S_IFREG | 0644, 0, 0, 0, &st), 0);
  const uint64_t f = st.st_ino;
  CHECK_EQ(fs->Write(f, 0, std::string(500, 'x')), 0);  // a blob
  CHECK_EQ(fs->Link(f, d, "f2", &st), 0);
  CHECK_EQ(st.st_nlink, 2u);
  CHECK_EQ(fs->Link(f, d, "f2", &st), EEXIST);
  CHECK_EQ(fs->Link(d, kRootIno, "d2", &st), EPERM);
  CHECK_EQ(fs->Unlink(kRootIno, "f"), 0);
  CHECK_EQ(Nlink(fs, f), 1u);
  CHECK_EQ(fs->Unlink(kRootIno, "d"), EISDIR);
  CHECK_EQ(fs->RmDir(kRootIno, "d"), ENOTEMPTY);
  // Open, unlinked: readable until released, then in the recycle bin
  // (read-only, its blob kept for a restore).
  CHECK_EQ(fs->OpenFile(f), 0);
  CHECK_EQ(fs->Unlink(d, "f2"), 0);
  CHECK_EQ(Nlink(fs, f), 0u);
  CHECK_EQ(ReadAll(fs, f), std::string(500, 'x'));
  CHECK_EQ(env.BlobFiles(), 1u);
  CHECK_EQ(fs->ReleaseFile(f), 0);
  CHECK_EQ(fs->GetAttr(f, &st), 0);
  CHECK_EQ(st.st_mode & 0222, 0u);
  CHECK_EQ(fs->Write(f, 0, "y"), ENOENT);
  CHECK_EQ(ReadAll(fs, f), std::string(500, 'x'));
  CHECK_EQ(env.BlobFiles(), 1u);
  CHECK_EQ(fs->RmDir(kRootIno, "d"), 0);
  CHECK_EQ(Nlink(fs, kRootIno), 2u);
  CHECK(List(fs, kRootIno) == (std::vector<std::string>{".", ".."}));
  // Unlinked while open, then a crash: the next open removes it.
  CHECK_EQ(fs->MkNod(kRootIno, "o", S_IFREG | 0644, 0, 0, 0, &st), 0);
  const uint64_t o = st.st_ino;
  CHECK_EQ(fs->Write(o, 0, std::string(500, 'o')), 0);
  CHECK_EQ(fs->OpenFile(o), 0);
  CHECK_EQ(fs->Unlink(kRootIno, "o"), 0);
  env.Reopen();
  CHECK_EQ(env.fs()->GetAttr(o, &st), 0);  // in the recycle bin now
  CHECK_EQ(st.st_nlink, 0u);
  CHECK_EQ(env.fs()->TEST_OpenInodes(), 0u);
  CHECK_EQ(env.BlobFiles(), 2u);
  CHECK(List(env.fs(), kTrashIno) == (std::vector<std::string>{
                                         ".", "..", TrashName("f", kRootIno), TrashName("o", kRootIno),
                                         TrashName("d/f2", d)}));  // in key order
}

// Unlinked files go to .trash, listed under their paths; a rename out of
// .trash restores one, contents and all; the views refuse writes.
void TestTrashAndRestore() {
  Env env;
  FileSystem* fs = env.fs();
  struct stat st;
  CHECK_EQ(fs->MkDir(kRootIno, "docs", 0755, 0, 0, &st), 0);
  const uint64_t docs = st.st_ino;
  CHECK_EQ(fs->MkDir(docs, "old%/x", 0755, 0, 0, &st), EINVAL);  // no '/' in a name
  CHECK_EQ(fs->MkDir(docs, "old%", 0755, 0, 0, &st), 0);
  const uint64_t old = st.st_ino;
  CHECK_EQ(fs->MkNod(old, "small", S_IFREG | 0640, 0, 5, 6, &st), 0);
  const uint64_t small = st.st_ino;
  CHECK_EQ(fs->Write(small, 0, "inline bytes"), 0);
  CHECK_EQ(fs->MkNod(docs, "big", S_IFREG | 0600, 0, 0, 0, &st), 0);
  const uint64_t big = st.st_ino;
  CHECK_EQ(fs->Write(big, 0, std::string(300, 'b')), 0);  // a blob
  CHECK_EQ(fs->Symlink(docs, "ln", "target/path", 0, 0, &st), 0);
  CHECK_EQ(fs->MkNod(docs, "empty", S_IFREG | 0644, 0, 0, 0, &st), 0);
  CHECK(List(fs, kTrashIno) == (std::vector<std::string>{".", ".."}));

  CHECK_EQ(fs->Unlink(old, "small"), 0);
  CHECK_EQ(fs->RmDir(docs, "old%"), 0);
  CHECK_EQ(fs->Unlink(docs, "big"), 0);
  CHECK_EQ(fs->Unlink(docs, "ln"), 0);
  CHECK_EQ(fs->Unlink(docs, "empty"), 0);
  CHECK_EQ(Ino(fs, docs, "big"), 0u);
  const std::string small_name = TrashName("docs/old%/small", old);
  CHECK_EQ(small_name, "docs%2Fold%25%2Fsmall@" + std::to_string(old));
  const std::vector<std::string> trash = List(fs, kTrashIno);
  CHECK(trash == (std::vector<std::string>{".", "..", TrashName("docs/big", docs),
                                           TrashName("docs/empty", docs),
                                           TrashName("docs/ln", docs), small_name}));
  CHECK(ListPaged(fs, kTrashIno) == trash);
  // Read-only, readable, with its attributes.
  CHECK_EQ(fs->Lookup(kTrashIno, small_name, &st), 0);
  CHECK_EQ(st.st_ino, small);
  CHECK_EQ(st.st_mode, static_cast<mode_t>(S_IFREG | 0440));
  CHECK_EQ(st.st_uid, 5u);
  CHECK_EQ(ReadAll(fs, small), "inline bytes");
  CHECK_EQ(fs->Lookup(kTrashIno, "nonsense", &st), ENOENT);
  CHECK_EQ(fs->Lookup(kTrashIno, "docs%2Fbig@999", &st), ENOENT);
  CHECK_EQ(fs->MkNod(kTrashIno, "x", S_IFREG | 0644, 0, 0, 0, &st), EROFS);
  CHECK_EQ(fs->Unlink(kTrashIno, small_name), EROFS);
  CHECK_EQ(fs->MkDir(kRootIno, ".trash", 0755, 0, 0, &st), EROFS);
  CHECK_EQ(fs->Rename(docs, "x", kTrashIno, "y", 0), EROFS);
  CHECK_EQ(fs->Lookup(kRootIno, ".trash", &st), 0);
  CHECK(S_ISDIR(st.st_mode));
  CHECK(List(fs, kRootIno) == (std::vector<std::string>{".", "..", "docs"}));  // hidden

  // Restore: to another place and name; a taken name is refused.
  CHECK_EQ(fs->MkNod(kRootIno, "taken", S_IFREG | 0644, 0, 0, 0, &st), 0);
  CHECK_EQ(fs->Rename(kTrashIno, small_name, kRootIno, "taken", 0), EEXIST);
  CHECK_EQ(fs->Rename(kTrashIno, small_name, kRootIno, "restored", 0), 0);
  CHECK_EQ(Ino(fs, kRootIno, "restored"), small);
  CHECK_EQ(ReadAll(fs, small), "inline bytes");
  CHECK_EQ(fs->GetAttr(small, &st), 0);
  CHECK_EQ(st.st_mode, static_cast<mode_t>(S_IFREG | 0640));
  CHECK_EQ(st.st_nlink, 1u);
  CHECK_EQ(fs->Write(small, 0, "I"), 0);  // writable again
  CHECK_EQ(ReadAll(fs, small), "Inline bytes");
  CHECK_EQ(fs->Rename(kTrashIno, small_name, kRootIno, "again", 0), ENOENT);
  // A blob file, a symlink and an empty file, back where they were, after
  // a remount (the blob survives the mount's sweep while in the bin).
  env.Reopen();
  fs = env.fs();
  CHECK_EQ(env.BlobFiles(), 1u);
  CHECK_EQ(fs->Rename(kTrashIno, TrashName("docs/big", docs), docs, "big", 0), 0);
  CHECK_EQ(ReadAll(fs, big), std::string(300, 'b'));
  CHECK_EQ(fs->Rename(kTrashIno, TrashName("docs/ln", docs), docs, "ln", 0), 0);
  std::string target;
  CHECK_EQ(fs->ReadLink(Ino(fs, docs, "ln"), &target), 0);
  CHECK_EQ(target, "target/path");
  CHECK_EQ(fs->Rename(kTrashIno, TrashName("docs/empty", docs), docs, "empty", 0), 0);
  CHECK_EQ(Nlink(fs, docs), 2u);
  CHECK(List(fs, docs) == (std::vector<std::string>{".", "..", "big", "empty", "ln"}));
  CHECK(List(fs, kTrashIno) == (std::vector<std::string>{".", ".."}));
  // Deleted again, and a file replaced by a rename: only the first is in
  // the bin (a replaced file's blob goes at once).
  CHECK_EQ(fs->MkNod(docs, "tmp", S_IFREG | 0644, 0, 0, 0, &st), 0);
  CHECK_EQ(fs->Rename(docs, "tmp", docs, "big", 0), 0);
  CHECK_EQ(env.BlobFiles(), 0u);
  CHECK_EQ(fs->Unlink(docs, "empty"), 0);
  CHECK(List(fs, kTrashIno) == (std::vector<std::string>{".", "..", TrashName("docs/empty", docs)}));
  CHECK_EQ(env.Fsck(), "");
}

// A tree goes with one RemoveTree call, its blobs with it; links from
// outside and open files stay; a remount finishes an interrupted removal.
void TestRemoveTree() {
  Env env;
  FileSystem* fs = env.fs();
  struct stat st;
  CHECK_EQ(fs->MkDir(kRootIno, "keep", 0755, 0, 0, &st), 0);
  const uint64_t keep = st.st_ino;
  CHECK_EQ(fs->MkNod(keep, "k", S_IFREG | 0644, 0, 0, 0, &st), 0);
  CHECK_EQ(fs->MkDir(kRootIno, "tree", 0755, 0, 0, &st), 0);
  const uint64_t tree = st.st_ino;
  std::vector<uint64_t> dirs{tree};
  uint64_t linked = 0, open = 0;
  for (int i = 0; i < 2000; ++i) {  // keep/k300 breaks one block of 256 numbers
    const uint64_t parent = dirs[i % dirs.size()];
    if (i % 7 == 0) {
      CHECK_EQ(fs->MkDir(parent, "d" + std::to_string(i), 0755, 0, 0, &st), 0);
      dirs.push_back(st.st_ino);
      continue;
    }
    CHECK_EQ(fs->MkNod(parent, "f" + std::to_string(i), S_IFREG | 0644, 0, 0, 0, &st), 0);
    const uint64_t f = st.st_ino;
    CHECK_EQ(fs->Write(f, 0, std::string(i % 3 == 0 ? 200 : 10, 'a')), 0);
    if (i == 100) linked = f;
    if (i == 200) open = f;
    if (i == 300) CHECK_EQ(fs->MkNod(keep, "k300", S_IFREG, 0, 0, 0, &st), 0);
  }
  CHECK_EQ(fs->Link(linked, keep, "outside", &st), 0);
  CHECK_EQ(fs->Write(open, 0, std::string(200, 'o')), 0);
  CHECK_EQ(fs->OpenFile(open), 0);
  const size_t keep_before = List(fs, keep).size();
  const size_t blobs_before = env.BlobFiles();
  CHECK(blobs_before > 150u);
  RmtreeResult r;
  CHECK_EQ(fs->RemoveTree(kRootIno, "keep/k", &r), ENOENT);
  CHECK_EQ(fs->RemoveTree(keep, "k", &r), ENOTDIR);
  CHECK_EQ(fs->RemoveTree(kRootIno, "tree", &r), 0);
  CHECK_EQ(r.directories, dirs.size());
  CHECK_EQ(r.kept, 2u);
  CHECK_EQ(r.inodes, 2000u + 1 - 2);
  // Inode numbers start at 256: block 1 (256-511) also holds keep/, keep/k
  // and the two kept files, block 2 keep/k300: their other inodes get a
  // prefix each (2, or 3 for a directory); blocks 3 to 8 are the tree's
  // alone: 3 prefixes each. (1106 here; a prefix per inode would be 2 *
  // 1999 + 286 directories.)
  CHECK(r.prefixes <= 2 * 512 + r.directories + 3 * 8);
  CHECK_EQ(Ino(fs, kRootIno, "tree"), 0u);
  CHECK_EQ(Nlink(fs, kRootIno), 3u);
  for (uint64_t d : dirs) CHECK_EQ(fs->GetAttr(d, &st), ENOENT);
  CHECK_EQ(List(fs, keep).size(), keep_before);
  CHECK_EQ(Nlink(fs, linked), 1u);
  CHECK_EQ(ReadAll(fs, open), std::string(200, 'o'));
  CHECK_EQ(Nlink(fs, open), 0u);
  CHECK_EQ(env.BlobFiles(), 1u);  // the open one's (linked's contents are inline)
  CHECK_EQ(fs->ReleaseFile(open), 0);
  CHECK_EQ(env.BlobFiles(), 1u);  // in the recycle bin now
  CHECK(List(fs, kTrashIno).size() == 2u);  // a tree removal is not restorable
  CHECK(List(fs, kRootIno) == (std::vector<std::string>{".", "..", "keep"}));
  // Nothing of the tree under any key: the file system is back to keep/.
  std::vector<metakv::RemovalInfo> removals;
  CHECK(env.store()->ListRemovals(&removals).ok());
  CHECK_EQ(removals.size(), 1u);

  // A removal cut short after its first batch (as a crash would leave it):
  // the next mount finishes it.
  CHECK_EQ(fs->MkDir(kRootIno, "t2", 0755, 0, 0, &st), 0);
  const uint64_t t2 = st.st_ino;
  CHECK_EQ(fs->MkNod(t2, "x", S_IFREG | 0644, 0, 0, 0, &st), 0);
  const uint64_t x = st.st_ino;
  CHECK_EQ(fs->Write(x, 0, std::string(200, 'x')), 0);
  CHECK_EQ(env.BlobFiles(), 2u);
  // (RemoveTree's first batch: the entry, the root's link count, the intent.)
  CHECK(env.store()->HardDelete(metakv::WriteOptions(), metakv::kDentryDomain, "default",
                                DentryKey(kRootIno, "t2")).ok());
  std::string root;
  CHECK(env.store()->Get(metakv::ReadOptions(), metakv::kInodeDomain, "default",
                         InodeKey(kRootIno), &root).ok());
  metakv::InodeAttributes ra;
  CHECK(metakv::DecodeInode(root, &ra).ok());
  ra.nlink--;
  root.clear();
  metakv::EncodeInode(ra, &root);
  CHECK(env.store()->Put(metakv::WriteOptions(), metakv::kInodeDomain, "default",
                         InodeKey(kRootIno), root).ok());
  CHECK(env.store()->Put(metakv::WriteOptions(), metakv::kInodeDomain, "default", RmtreeKey(t2),
                         "").ok());
  env.Reopen();
  fs = env.fs();
  CHECK_EQ(fs->GetAttr(t2, &st), ENOENT);
  CHECK_EQ(fs->GetAttr(x, &st), ENOENT);
  CHECK_EQ(Nlink(fs, linked), 1u);
  CHECK_EQ(env.BlobFiles(), 1u);  // x's went with its tree
  std::string v;
  CHECK(env.store()->Get(metakv::ReadOptions(), metakv::kInodeDomain, "default", RmtreeKey(t2),
                         &v).IsNotFound());
  CHECK_EQ(env.Fsck(), "");
}

// Closing a written file records the attributes it had; .versions shows
// them under the file's path; a file created by the handle has none.
void TestVersions() {
  Env env;
  FileSystem* fs = env.fs();
  struct stat st;
  CHECK_EQ(fs->MkDir(kRootIno, "d", 0755, 0, 0, &st), 0);
  const uint64_t d = st.st_ino;
  CHECK_EQ(fs->MkNod(d, "f", S_IFREG | 0644, 0, 0, 0, &st), 0);
  const uint64_t f = st.st_ino;
  CHECK_EQ(fs->OpenFile(f, /*created=*/true), 0);
  CHECK_EQ(fs->Write(f, 0, "one"), 0);
  CHECK_EQ(fs->ReleaseFile(f), 0);
  CHECK_EQ(fs->Lookup(kVersionsIno, "d", &st), 0);
  const uint64_t vd = st.st_ino;
  CHECK_EQ(fs->Lookup(vd, "f", &st), 0);
  const uint64_t vf = st.st_ino;
  CHECK(S_ISDIR(st.st_mode));
  CHECK(List(fs, vf) == (std::vector<std::string>{".", ".."}));
  // Opened and read only: no version.
  CHECK_EQ(fs->OpenFile(f), 0);
  CHECK_EQ(fs->ReleaseFile(f), 0);
  CHECK(List(fs, vf).size() == 2u);
  for (const char* text : {"two!", "three"}) {
    CHECK_EQ(fs->OpenFile(f), 0);
    CHECK_EQ(fs->Write(f, 0, text), 0);
    CHECK_EQ(fs->ReleaseFile(f), 0);
  }
  env.Reopen();  // buffered versions are ingested on close
  fs = env.fs();
  CHECK_EQ(fs->Lookup(kVersionsIno, "d", &st), 0);
  CHECK_EQ(fs->Lookup(st.st_ino, "f", &st), 0);
  const std::vector<std::string> versions = List(fs, st.st_ino);
  CHECK_EQ(versions.size(), 4u);
  CHECK(ListPaged(fs, st.st_ino) == versions);
  CHECK(ListPaged(fs, kVersionsIno) == (std::vector<std::string>{".", "..", "d"}));
  if (versions.size() == 4u) {
    CHECK(versions[2] < versions[3]);
    struct stat vst;
    CHECK_EQ(fs->Lookup(st.st_ino, versions[2], &vst), 0);
    CHECK(S_ISREG(vst.st_mode));
    std::string text;
    CHECK_EQ(fs->OpenFile(vst.st_ino), 0);
    CHECK_EQ(fs->Read(vst.st_ino, 0, 4096, &text), 0);
    CHECK(text.find("size 3\n") == 0);  // before "two!": "one"
    CHECK_EQ(text.size(), static_cast<size_t>(vst.st_size));
    CHECK_EQ(fs->Lookup(st.st_ino, versions[3], &vst), 0);
    CHECK_EQ(fs->Read(vst.st_ino, 0, 4096, &text), 0);
    CHECK(text.find("size 4\n") == 0);
    CHECK_EQ(fs->Write(vst.st_ino, 0, "x"), EROFS);
  }
  CHECK_EQ(fs->Lookup(kVersionsIno, "missing", &st), ENOENT);
  CHECK_EQ(fs->MkNod(kVersionsIno, "x", S_IFREG, 0, 0, 0, &st), EROFS);
}

// fsck finds nothing on a file system the calls made, and each kind of
// damage when it is made by hand.
void TestFsck() {
  Env env;
  FileSystem* fs = env.fs();
  struct stat st;
  CHECK_EQ(env.Fsck(), "");
  CHECK_EQ(fs->MkDir(kRootIno, "d", 0755, 0, 0, &st), 0);
  const uint64_t d = st.st_ino;
  CHECK_EQ(fs->MkDir(d, "e", 0755, 0, 0, &st), 0);
  const uint64_t e = st.st_ino;
  CHECK_EQ(fs->MkNod(e, "big", S_IFREG | 0644, 0, 0, 0, &st), 0);
  const uint64_t big = st.st_ino;
  CHECK_EQ(fs->Write(big, 0, std::string(300, 'b')), 0);
  CHECK_EQ(fs->Link(big, kRootIno, "big-link", &st), 0);
  CHECK_EQ(fs->MkNod(d, "gone", S_IFREG | 0644, 0, 0, 0, &st), 0);
  CHECK_EQ(fs->Unlink(d, "gone"), 0);
  CHECK_EQ(fs->MkNod(d, "open", S_IFREG | 0644, 0, 0, 0, &st), 0);
  const uint64_t open = st.st_ino;
  CHECK_EQ(fs->OpenFile(open), 0);
  CHECK_EQ(fs->Unlink(d, "open"), 0);  // an orphan record: a note, not damage
  CHECK_EQ(fs->Rename(d, "e", kRootIno, "e2", 0), 0);
  CHECK_EQ(env.Fsck(), "");
  metakv::Store* store = env.store();
  const metakv::WriteOptions wo;
  std::string v;
  // A link count off by one.
  CHECK(store->Get(metakv::ReadOptions(), metakv::kInodeDomain, "default", InodeKey(big), &v).ok());
  metakv::InodeAttributes a;
  CHECK(metakv::DecodeInode(v, &a).ok());
  a.nlink = 3;
  std::string bad;
  metakv::EncodeInode(a, &bad);
  CHECK(store->Put(wo, metakv::kInodeDomain, "default", InodeKey(big), bad).ok());
  CHECK(env.Fsck().find("link count 3, entries say 2") != std::string::npos);
  CHECK(store->Put(wo, metakv::kInodeDomain, "default", InodeKey(big), v).ok());
  CHECK_EQ(env.Fsck(), "");
  // The blob file gone.
  BlobStore paths;
  CHECK_EQ(paths.Open(env.data(), "default"), 0);
  std::filesystem::rename(paths.PathOf(big), env.data() + "/aside");
  CHECK(env.Fsck().find("blob file is missing") != std::string::npos);
  // An entry to nowhere, a directory whose ".." lies, an orphan inode.
  CHECK(store->Put(wo, metakv::kDentryDomain, "default", DentryKey(d, "ghost"),
                   EncodeDentry(999999, S_IFREG)).ok());
  CHECK(store->Put(wo, metakv::kDentryDomain, "default", DentryKey(e, {}),
                   EncodeParent(d, "e")).ok());
  a.ino = 777777;
  a.nlink = 1;
  a.flags = 0;
  bad.clear();  // EncodeInode appends
  metakv::EncodeInode(a, &bad);
  CHECK(store->Put(wo, metakv::kInodeDomain, "default", InodeKey(777777), bad).ok());
  const std::string report = env.Fsck();
  CHECK(report.find("points to missing inode 999999") != std::string::npos);
  CHECK(report.find("names another entry") != std::string::npos);
  CHECK(report.find("inode 777777: orphan") != std::string::npos);
}

void TestRename() {
  Env env;
  FileSystem* fs = env.fs();
  struct stat st;
  CHECK_EQ(fs->MkDir(kRootIno, "a", 0755, 0, 0, &st), 0);
  const uint64_t a = st.st_ino;
  CHECK_EQ(fs->MkDir(a, "b", 0755, 0, 0, &st), 0);
  const uint64_t b = st.st_ino;
  CHECK_EQ(fs->MkDir(b, "c", 0755, 0, 0, &st), 0);
  const uint64_t c = st.st_ino;
  CHECK_EQ(fs->MkNod(kRootIno, "x", S_IFREG | 0644, 0, 0, 0, &st), 0);
  const uint64_t x = st.st_ino;
  CHECK_EQ(fs->Write(x, 0, "xx"), 0);
  CHECK_EQ(fs->MkNod(kRootIno, "y", S_IFREG | 0644, 0, 0, 0, &st), 0);
  const uint64_t y = st.st_ino;

  // A directory into itself or below itself.
  CHECK_EQ(fs->Rename(kRootIno, "a", c, "a", 0), EINVAL);
  CHECK_EQ(fs->Rename(kRootIno, "a", a, "a2", 0), EINVAL);
  CHECK_EQ(fs->Rename(a, "b", b, "b", 0), EINVAL);
  // NOREPLACE, type clashes, non-empty target.
  CHECK_EQ(fs->Rename(kRootIno, "x", kRootIno, "y", RENAME_NOREPLACE), EEXIST);
  CHECK_EQ(fs->Rename(kRootIno, "x", kRootIno, "a", 0), EISDIR);
  CHECK_EQ(fs->Rename(kRootIno, "a", kRootIno, "x", 0), ENOTDIR);
  CHECK_EQ(fs->MkDir(kRootIno, "e", 0755, 0, 0, &st), 0);
  CHECK_EQ(fs->Rename(kRootIno, "e", a, "b", 0), ENOTEMPTY);
  CHECK_EQ(fs->Rename(kRootIno, "missing", a, "z", 0), ENOENT);
  CHECK_EQ(fs->Rename(kRootIno, "x", kRootIno, "y", RENAME_NOREPLACE | RENAME_EXCHANGE), EINVAL);
  // Replace a file: the old one goes.
  CHECK_EQ(fs->Rename(kRootIno, "x", kRootIno, "y", 0), 0);
  CHECK_EQ(Ino(fs, kRootIno, "y"), x);
  CHECK_EQ(Ino(fs, kRootIno, "x"), 0u);
  CHECK_EQ(fs->GetAttr(y, &st), ENOENT);
  // Move a directory: link counts and "..".
  CHECK_EQ(Nlink(fs, kRootIno), 4u);  // a, e
  CHECK_EQ(fs->Rename(b, "c", kRootIno, "c", 0), 0);
  CHECK_EQ(Nlink(fs, kRootIno), 5u);
  CHECK_EQ(Nlink(fs, b), 2u);
  DirHandle h;
  std::vector<DirEntry> entries;
  CHECK_EQ(fs->ReadDir(c, &h, 0,
                       [&](const DirEntry& e) {
                         entries.push_back(e);
                         return true;
                       }),
           0);
  CHECK(entries.size() == 2 && entries[1].name == ".." && entries[1].ino == kRootIno);
  // Replace an empty directory by a directory.
  CHECK_EQ(fs->Rename(kRootIno, "c", kRootIno, "e", 0), 0);
  CHECK_EQ(Nlink(fs, kRootIno), 4u);
  CHECK_EQ(Ino(fs, kRootIno, "e"), c);
  // Exchange a file and a directory across directories.
  CHECK_EQ(fs->Rename(kRootIno, "y", a, "b", RENAME_EXCHANGE), 0);
  CHECK_EQ(Ino(fs, kRootIno, "y"), b);
  CHECK_EQ(Ino(fs, a, "b"), x);
  CHECK_EQ(Nlink(fs, a), 2u);
  CHECK_EQ(Nlink(fs, kRootIno), 5u);
  // Two names of one inode: nothing happens.
  CHECK_EQ(fs->Link(x, kRootIno, "x2", &st), 0);
  CHECK_EQ(fs->Rename(a, "b", kRootIno, "x2", 0), 0);
  CHECK_EQ(Ino(fs, a, "b"), x);
  CHECK_EQ(Nlink(fs, x), 2u);
  env.Reopen();
  CHECK(List(env.fs(), kRootIno) == (std::vector<std::string>{".", "..", "a", "e", "x2", "y"}));
}

void TestReadDirCursor() {
  Env env;
  FileSystem* fs = env.fs();
  struct stat st;
  std::vector<std::string> all;
  for (int i = 0; i < 100; ++i) {
    char name[16];
    snprintf(name, sizeof(name), "n%03d", i);
    all.push_back(name);
    CHECK_EQ(fs->MkNod(kRootIno, name, S_IFREG | 0644, 0, 0, 0, &st), 0);
  }
  DirHandle h;
  std::vector<std::string> seen;
  uint64_t offset = 0;
  // Pages of 10; between pages, remove the last entry returned and the
  // next one, and add a name before the cursor and one after it.
  for (int page = 0; page < 50; ++page) {
    int n = 0;
    std::string last;
    CHECK_EQ(fs->ReadDir(kRootIno, &h, offset,
                         [&](const DirEntry& e) {
                           if (n == 10) return false;
                           ++n;
                           seen.push_back(e.name);
                           offset = e.offset;
                           last = e.name;
                           return true;
                         }),
             0);
    if (n == 0) break;
    if (page == 2) {
      CHECK_EQ(fs->Unlink(kRootIno, last), 0);
      const std::string next = "n0" + std::to_string(std::stoi(last.substr(1)) + 1);
      CHECK_EQ(fs->Unlink(kRootIno, next), 0);
      all.erase(std::find(all.begin(), all.end(), next));
      CHECK_EQ(fs->MkNod(kRootIno, "a-before", S_IFREG | 0644, 0, 0, 0, &st), 0);
      CHECK_EQ(fs->MkNod(kRootIno, "z-after", S_IFREG | 0644, 0, 0, 0, &st), 0);
      all.push_back("z-after");
    }
  }
  std::vector<std::string> want = {".", ".."};
  want.insert(want.end(), all.begin(), all.end());
  CHECK(seen == want);
  // An offset handed out earlier still resumes there (seekdir).
  std::vector<std::string> again;
  CHECK_EQ(fs->ReadDir(kRootIno, &h, 2,
                       [&](const DirEntry& e) {
                         again.push_back(e.name);
                         return again.size() < 1;
                       }),
           0);
  CHECK(again.size() == 1 && again[0] == "a-before");
  CHECK_EQ(fs->ReadDir(kRootIno, &h, 999999, [](const DirEntry&) { return true; }), EINVAL);
}

void TestKeysAndFlags() {
  CHECK_EQ(GetBE64(InodeKey(0x0102030405060708ull)), 0x0102030405060708ull);
  CHECK(DentryKey(1, "b") < DentryKey(2, "a"));
  CHECK(DentryKey(1, "") < DentryKey(1, "a"));
  uint64_t child;
  uint32_t type;
  CHECK(DecodeDentry(EncodeDentry(77, S_IFLNK | 0777), &child, &type));
  CHECK(child == 77 && (type << 12) == S_IFLNK);
  CHECK(!DecodeDentry("short", &child, &type));

  MetakvfsFlags flags;
  std::string error;
  CHECK(ParseMetakvfsFlags({"/mnt", "--db=/d", "--data=/x", "--tenant=t", "-f"}, &flags, &error));
  CHECK(flags.mountpoint == "/mnt" && flags.db_dir == "/d" && flags.tenant == "t" &&
        flags.foreground);
  MetakvfsFlags bad;
  CHECK(!ParseMetakvfsFlags({"/mnt", "--data=/x"}, &bad, &error));
  CHECK(error.find("--db") != std::string::npos);
  CHECK(!ParseMetakvfsFlags({"/mnt", "/other", "--db=/d", "--data=/x"}, &bad, &error));
  CHECK(!ParseMetakvfsFlags({"/mnt", "--db=/d", "--data=/x", "--inline-max-bytes=x"}, &bad,
                            &error));
  CHECK(!ParseMetakvfsFlags({"/mnt", "--db=/d", "--data=/x", "--what"}, &bad, &error));
}

}  // namespace
}  // namespace metakvfs

int main() {
  metakvfs::TestKeysAndFlags();
  metakvfs::TestCreateLookup();
  metakvfs::TestContents();
  metakvfs::TestLinksAndUnlink();
  metakvfs::TestTrashAndRestore();
  metakvfs::TestRemoveTree();
  metakvfs::TestVersions();
  metakvfs::TestFsck();
  metakvfs::TestRename();
  metakvfs::TestReadDirCursor();
  if (metakvfs::failures != 0) {
    fprintf(stderr, "metakvfs_test: %d checks failed\n", metakvfs::failures);
    return 1;
  }
  printf("metakvfs_test: all checks passed\n");
  return 0;
}
