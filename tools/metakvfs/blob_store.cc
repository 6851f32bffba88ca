#include "tools/metakvfs/blob_store.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <cstdio>

namespace metakvfs {

namespace {

int MkdirIfMissing(const std::string& path) {
  if (mkdir(path.c_str(), 0700) == 0 || errno == EEXIST) return 0;
  return errno;
}

}  // namespace

BlobStore::~BlobStore() {
  for (auto& [ino, fd] : fds_) close(fd);
}

int BlobStore::Open(const std::string& data_dir, std::string_view tenant) {
  static const char kHex[] = "0123456789abcdef";
  dir_ = data_dir + "/";
  for (unsigned char c : tenant) {
    dir_.push_back(kHex[c >> 4]);
    dir_.push_back(kHex[c & 0xf]);
  }
  if (int e = MkdirIfMissing(dir_)) return e;
  for (int i = 0; i < 256; ++i) {
    char sub[8];
    std::snprintf(sub, sizeof(sub), "/%02x", i);
    if (int e = MkdirIfMissing(dir_ + sub)) return e;
  }
  return 0;
}

std::string BlobStore::PathOf(uint64_t ino) const {
  char name[40];
  std::snprintf(name, sizeof(name), "/%02x/%016llx", static_cast<unsigned>(ino & 0xff),
                static_cast<unsigned long long>(ino));
  return dir_ + name;
}

int BlobStore::List(std::vector<uint64_t>* inos) const {
  inos->clear();
  for (unsigned sub = 0; sub < 256; ++sub) {
    char name[8];
    std::snprintf(name, sizeof(name), "/%02x", sub);
    DIR* d = opendir((dir_ + name).c_str());
    if (d == nullptr) {
      if (errno == ENOENT) continue;
      return errno;
    }
    while (struct dirent* e = readdir(d)) {
      const std::string_view n(e->d_name);
      if (n.size() != 16 || n.find_first_not_of("0123456789abcdef") != std::string_view::npos) {
        continue;
      }
      inos->push_back(std::stoull(std::string(n), nullptr, 16));
    }
    closedir(d);
  }
  return 0;
}

int BlobStore::Fd(uint64_t ino, bool create) {
  auto it = fds_.find(ino);
  if (it != fds_.end()) return it->second;
  const int fd = open(PathOf(ino).c_str(), O_RDWR | O_CLOEXEC | (create ? O_CREAT : 0), 0600);
  if (fd < 0) return -errno;
  fds_[ino] = fd;
  return fd;
}

int BlobStore::Read(uint64_t ino, uint64_t off, size_t n, std::string* out) {
  out->clear();
  const int fd = Fd(ino, false);
  if (fd == -ENOENT) return 0;
  if (fd < 0) return -fd;
  out->resize(n);
  size_t done = 0;
  while (done < n) {
    const ssize_t r = pread(fd, out->data() + done, n - done, static_cast<off_t>(off + done));
    if (r < 0) {
      if (errno == EINTR) continue;
      return errno;
    }
    if (r == 0) break;
    done += static_cast<size_t>(r);
  }
  out->resize(done);
  return 0;
}

int BlobStore::Write(uint64_t ino, uint64_t off, std::string_view data) {
  const int fd = Fd(ino, true);
  if (fd < 0) return -fd;
  size_t done = 0;
  while (done < data.size()) {
    const ssize_t w =
        pwrite(fd, data.data() + done, data.size() - done, static_cast<off_t>(off + done));
    if (w < 0) {
      if (errno == EINTR) continue;
      return errno;
    }
    done += static_cast<size_t>(w);
  }
  return 0;
}

int BlobStore::Truncate(uint64_t ino, uint64_t size) {
  const int fd = Fd(ino, true);
  if (fd < 0) return -fd;
  return ftruncate(fd, static_cast<off_t>(size)) == 0 ? 0 : errno;
}

int BlobStore::Sync(uint64_t ino, bool datasync) {
  const int fd = Fd(ino, false);
  if (fd == -ENOENT) return 0;
  if (fd < 0) return -fd;
  return (datasync ? fdatasync(fd) : fsync(fd)) == 0 ? 0 : errno;
}

int BlobStore::Remove(uint64_t ino) {
  Close(ino);
  if (unlink(PathOf(ino).c_str()) == 0 || errno == ENOENT) return 0;
  return errno;
}

void BlobStore::Close(uint64_t ino) {
  auto it = fds_.find(ino);
  if (it == fds_.end()) return;
  close(it->second);
  fds_.erase(it);
}

int BlobStore::StatVfs(struct statvfs* st) const {
  return statvfs(dir_.c_str(), st) == 0 ? 0 : errno;
}

}  // namespace metakvfs
