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
  // Open, unlinked: readable until released, then gone with its blob.
  CHECK_EQ(fs->OpenFile(f), 0);
  CHECK_EQ(fs->Unlink(d, "f2"), 0);
  CHECK_EQ(Nlink(fs, f), 0u);
  CHECK_EQ(ReadAll(fs, f), std::string(500, 'x'));
  CHECK_EQ(env.BlobFiles(), 1u);
  CHECK_EQ(fs->ReleaseFile(f), 0);
  CHECK_EQ(fs->GetAttr(f, &st), ENOENT);
  CHECK_EQ(env.BlobFiles(), 0u);
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
  CHECK_EQ(env.fs()->GetAttr(o, &st), ENOENT);
  CHECK_EQ(env.BlobFiles(), 0u);
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
  metakvfs::TestRename();
  metakvfs::TestReadDirCursor();
  if (metakvfs::failures != 0) {
    fprintf(stderr, "metakvfs_test: %d checks failed\n", metakvfs::failures);
    return 1;
  }
  printf("metakvfs_test: all checks passed\n");
  return 0;
}
