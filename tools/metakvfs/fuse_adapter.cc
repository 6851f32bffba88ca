#define FUSE_USE_VERSION 35

#include "tools/metakvfs/fuse_adapter.h"

#include <errno.h>
#include <fcntl.h>
#include <fuse_lowlevel.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <memory>
#include <string>
#include <vector>

#include "metakv/store.h"
#include "tools/metakvfs/flags.h"
#include "tools/metakvfs/fs.h"
#include "tools/metakvfs/fs_keys.h"

namespace metakvfs {

namespace {

// How long the kernel may cache attributes and names: one mount per store,
// so nothing changes behind its back.
constexpr double kCacheSeconds = 1.0;

FileSystem* Fs(fuse_req_t req) { return static_cast<FileSystem*>(fuse_req_userdata(req)); }

// The entry reply of an inode with attributes st.
struct fuse_entry_param EntryOf(const struct stat& st) {
  struct fuse_entry_param e;
  memset(&e, 0, sizeof(e));
  e.ino = st.st_ino;
  e.generation = 1;
  e.attr = st;
  e.attr_timeout = kCacheSeconds;
  e.entry_timeout = kCacheSeconds;
  return e;
}

void ReplyEntry(fuse_req_t req, const struct stat& st) {
  const struct fuse_entry_param e = EntryOf(st);
  fuse_reply_entry(req, &e);
}

void OpLookup(fuse_req_t req, fuse_ino_t parent, const char* name) {
  struct stat st;
  if (int e = Fs(req)->Lookup(parent, name, &st)) {
    fuse_reply_err(req, e);
    return;
  }
  ReplyEntry(req, st);
}

void OpForget(fuse_req_t req, fuse_ino_t, uint64_t) { fuse_reply_none(req); }

void OpForgetMulti(fuse_req_t req, size_t, struct fuse_forget_data*) { fuse_reply_none(req); }

void OpGetAttr(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info*) {
  struct stat st;
  if (int e = Fs(req)->GetAttr(ino, &st)) {
    fuse_reply_err(req, e);
    return;
  }
  fuse_reply_attr(req, &st, kCacheSeconds);
}

int64_t TimespecNs(const struct timespec& ts) {
  return static_cast<int64_t>(ts.tv_sec) * 1000000000 + ts.tv_nsec;
}

void OpSetAttr(fuse_req_t req, fuse_ino_t ino, struct stat* attr, int to_set,
               struct fuse_file_info*) {
  SetAttrRequest r;
  r.set_mode = to_set & FUSE_SET_ATTR_MODE;
  r.mode = attr->st_mode;
  r.set_uid = to_set & FUSE_SET_ATTR_UID;
  r.uid = attr->st_uid;
  r.set_gid = to_set & FUSE_SET_ATTR_GID;
  r.gid = attr->st_gid;
  r.set_size = to_set & FUSE_SET_ATTR_SIZE;
  r.size = static_cast<uint64_t>(attr->st_size);
  r.set_atime = to_set & (FUSE_SET_ATTR_ATIME | FUSE_SET_ATTR_ATIME_NOW);
  r.atime_now = to_set & FUSE_SET_ATTR_ATIME_NOW;
  r.atime_ns = TimespecNs(attr->st_atim);
  r.set_mtime = to_set & (FUSE_SET_ATTR_MTIME | FUSE_SET_ATTR_MTIME_NOW);
  r.mtime_now = to_set & FUSE_SET_ATTR_MTIME_NOW;
  r.mtime_ns = TimespecNs(attr->st_mtim);
  struct stat st;
  if (int e = Fs(req)->SetAttr(ino, r, &st)) {
    fuse_reply_err(req, e);
    return;
  }
  fuse_reply_attr(req, &st, kCacheSeconds);
}

void OpReadLink(fuse_req_t req, fuse_ino_t ino) {
  std::string target;
  if (int e = Fs(req)->ReadLink(ino, &target)) {
    fuse_reply_err(req, e);
    return;
  }
  fuse_reply_readlink(req, target.c_str());
}

void OpMkNod(fuse_req_t req, fuse_ino_t parent, const char* name, mode_t mode, dev_t rdev) {
  const struct fuse_ctx* ctx = fuse_req_ctx(req);
  struct stat st;
  if (int e = Fs(req)->MkNod(parent, name, mode, rdev, ctx->uid, ctx->gid, &st)) {
    fuse_reply_err(req, e);
    return;
  }
  ReplyEntry(req, st);
}

void OpMkDir(fuse_req_t req, fuse_ino_t parent, const char* name, mode_t mode) {
  const struct fuse_ctx* ctx = fuse_req_ctx(req);
  struct stat st;
  if (int e = Fs(req)->MkDir(parent, name, mode, ctx->uid, ctx->gid, &st)) {
    fuse_reply_err(req, e);
    return;
  }
  ReplyEntry(req, st);
}

void OpUnlink(fuse_req_t req, fuse_ino_t parent, const char* name) {
  fuse_reply_err(req, Fs(req)->Unlink(parent, name));
}

void OpRmDir(fuse_req_t req, fuse_ino_t parent, const char* name) {
  fuse_reply_err(req, Fs(req)->RmDir(parent, name));
}

void OpSymlink(fuse_req_t req, const char* link, fuse_ino_t parent, const char* name) {
  const struct fuse_ctx* ctx = fuse_req_ctx(req);
  struct stat st;
  if (int e = Fs(req)->Symlink(parent, name, link, ctx->uid, ctx->gid, &st)) {
    fuse_reply_err(req, e);
    return;
  }
  ReplyEntry(req, st);
}

void OpRename(fuse_req_t req, fuse_ino_t parent, const char* name, fuse_ino_t newparent,
              const char* newname, unsigned int flags) {
  fuse_reply_err(req, Fs(req)->Rename(parent, name, newparent, newname, flags));
}

void OpLink(fuse_req_t req, fuse_ino_t ino, fuse_ino_t newparent, const char* newname) {
  struct stat st;
  if (int e = Fs(req)->Link(ino, newparent, newname, &st)) {
    fuse_reply_err(req, e);
    return;
  }
  ReplyEntry(req, st);
}

void OpOpen(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info* fi) {
  if (int e = Fs(req)->OpenFile(ino)) {
    fuse_reply_err(req, e);
    return;
  }
  fi->fh = 0;
  if (ino == kStatsIno) fi->direct_io = 1;  // generated at each read; its size says 0
  if (fuse_reply_open(req, fi) != 0) Fs(req)->ReleaseFile(ino);  // interrupted
}

void OpCreate(fuse_req_t req, fuse_ino_t parent, const char* name, mode_t mode,
              struct fuse_file_info* fi) {
  const struct fuse_ctx* ctx = fuse_req_ctx(req);
  FileSystem* fs = Fs(req);
  struct stat st;
  if (int e = fs->MkNod(parent, name, S_IFREG | (mode & 07777), 0, ctx->uid, ctx->gid, &st)) {
    fuse_reply_err(req, e);
    return;
  }
  if (int e = fs->OpenFile(st.st_ino, /*created=*/true)) {
    fuse_reply_err(req, e);
    return;
  }
  const struct fuse_entry_param e = EntryOf(st);
  fi->fh = 0;
  if (fuse_reply_create(req, &e, fi) != 0) fs->ReleaseFile(st.st_ino);
}

void OpRead(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off, struct fuse_file_info*) {
  std::string data;
  if (int e = Fs(req)->Read(ino, static_cast<uint64_t>(off), size, &data)) {
    fuse_reply_err(req, e);
    return;
  }
  fuse_reply_buf(req, data.data(), data.size());
}

void OpWrite(fuse_req_t req, fuse_ino_t ino, const char* buf, size_t size, off_t off,
             struct fuse_file_info*) {
  if (int e = Fs(req)->Write(ino, static_cast<uint64_t>(off), std::string_view(buf, size))) {
    fuse_reply_err(req, e);
    return;
  }
  fuse_reply_write(req, size);
}

void OpFlush(fuse_req_t req, fuse_ino_t, struct fuse_file_info*) { fuse_reply_err(req, 0); }

void OpRelease(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info*) {
  fuse_reply_err(req, Fs(req)->ReleaseFile(ino));
}

void OpFsync(fuse_req_t req, fuse_ino_t ino, int datasync, struct fuse_file_info*) {
  fuse_reply_err(req, Fs(req)->Fsync(ino, datasync != 0));
}

void OpOpenDir(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info* fi) {
  if (int e = Fs(req)->OpenDir(ino)) {
    fuse_reply_err(req, e);
    return;
  }
  auto* handle = new DirHandle;
  fi->fh = reinterpret_cast<uint64_t>(handle);
  if (fuse_reply_open(req, fi) != 0) delete handle;
}

void OpReadDir(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off,
               struct fuse_file_info* fi) {
  auto* handle = reinterpret_cast<DirHandle*>(fi->fh);
  std::vector<char> buf(size);
  size_t used = 0;
  const int e = Fs(req)->ReadDir(ino, handle, static_cast<uint64_t>(off),
                                 [&](const DirEntry& entry) {
                                   struct stat st;
                                   memset(&st, 0, sizeof(st));
                                   st.st_ino = entry.ino;
                                   st.st_mode = entry.mode;
                                   const size_t need = fuse_add_direntry(
                                       req, buf.data() + used, size - used, entry.name.c_str(),
                                       &st, static_cast<off_t>(entry.offset));
                                   if (need > size - used) return false;
                                   used += need;
                                   return true;
                                 });
  if (e != 0 && used == 0) {
    fuse_reply_err(req, e);
    return;
  }
  fuse_reply_buf(req, buf.data(), used);
}

void OpReleaseDir(fuse_req_t req, fuse_ino_t, struct fuse_file_info* fi) {
  delete reinterpret_cast<DirHandle*>(fi->fh);
  fuse_reply_err(req, 0);
}

void OpFsyncDir(fuse_req_t req, fuse_ino_t ino, int, struct fuse_file_info*) {
  fuse_reply_err(req, Fs(req)->FsyncDir(ino));
}

void OpStatFs(fuse_req_t req, fuse_ino_t) {
  struct statvfs st;
  if (int e = Fs(req)->StatFs(&st)) {
    fuse_reply_err(req, e);
    return;
  }
  fuse_reply_statfs(req, &st);
}

struct fuse_lowlevel_ops MakeOps() {
  struct fuse_lowlevel_ops ops;
  memset(&ops, 0, sizeof(ops));
  ops.lookup = OpLookup;
  ops.forget = OpForget;
  ops.forget_multi = OpForgetMulti;
  ops.getattr = OpGetAttr;
  ops.setattr = OpSetAttr;
  ops.readlink = OpReadLink;
  ops.mknod = OpMkNod;
  ops.mkdir = OpMkDir;
  ops.unlink = OpUnlink;
  ops.rmdir = OpRmDir;
  ops.symlink = OpSymlink;
  ops.rename = OpRename;
  ops.link = OpLink;
  ops.open = OpOpen;
  ops.create = OpCreate;
  ops.read = OpRead;
  ops.write = OpWrite;
  ops.flush = OpFlush;
  ops.release = OpRelease;
  ops.fsync = OpFsync;
  ops.opendir = OpOpenDir;
  ops.readdir = OpReadDir;
  ops.releasedir = OpReleaseDir;
  ops.fsyncdir = OpFsyncDir;
  ops.statfs = OpStatFs;
  return ops;
}

bool IsDirectory(const std::string& path) {
  struct stat st;
  return stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

// Without --foreground: the process forks before anything opens threads
// (RocksDB's) and the parent waits for the child to say whether the mount
// worked, so the exit status and the error message still reach the caller.
class Daemon {
 public:
  // Returns true in the child (or in the foreground: no fork); in the
  // parent it exits with the child's verdict.
  bool Start(bool foreground) {
    if (foreground) return true;
    int fds[2];
    if (pipe(fds) != 0) {
      perror("metakvfs: pipe");
      exit(1);
    }
    const pid_t pid = fork();
    if (pid < 0) {
      perror("metakvfs: fork");
      exit(1);
    }
    if (pid > 0) {
      close(fds[1]);
      char status = 1;
      if (read(fds[0], &status, 1) != 1) status = 1;
      _exit(status);
    }
    close(fds[0]);
    fd_ = fds[1];
    setsid();
    return true;
  }
  // Mounted (0) or failed (the exit status): tells the waiting parent.
  void Report(char status) {
    if (fd_ < 0) return;
    if (write(fd_, &status, 1) != 1) {
      // The parent is gone; nothing to tell.
    }
    close(fd_);
    fd_ = -1;
    if (status == 0) {
      const int null = open("/dev/null", O_RDWR);
      if (null >= 0) {
        dup2(null, 0);
        dup2(null, 1);
        dup2(null, 2);
        if (null > 2) close(null);
      }
      if (chdir("/") != 0) {
        // Harmless: every path is absolute by now.
      }
    }
  }

 private:
  int fd_ = -1;
};

std::string Absolute(const std::string& path) {
  if (!path.empty() && path[0] == '/') return path;
  char* cwd = getcwd(nullptr, 0);
  std::string out = std::string(cwd ? cwd : ".") + "/" + path;
  free(cwd);
  return out;
}

}  // namespace

int RunMetakvfs(int argc, char** argv) {
  MetakvfsFlags flags;
  std::string error;
  std::vector<std::string> args(argv + 1, argv + argc);
  if (!ParseMetakvfsFlags(args, &flags, &error)) {
    fprintf(stderr, "metakvfs: %s (metakvfs --help for usage)\n", error.c_str());
    return 2;
  }
  if (flags.help) {
    fputs(MetakvfsUsage().c_str(), stdout);
    return 0;
  }
  if (!IsDirectory(flags.mountpoint)) {
    fprintf(stderr, "metakvfs: mount point %s is not a directory\n", flags.mountpoint.c_str());
    return 2;
  }
  if (mkdir(flags.data_dir.c_str(), 0700) != 0 && errno != EEXIST) {
    fprintf(stderr, "metakvfs: cannot create data directory %s: %s\n", flags.data_dir.c_str(),
            strerror(errno));
    return 2;
  }
  if (!IsDirectory(flags.data_dir)) {
    fprintf(stderr, "metakvfs: data directory %s is not a directory\n", flags.data_dir.c_str());
    return 2;
  }
  flags.db_dir = Absolute(flags.db_dir);
  flags.data_dir = Absolute(flags.data_dir);
  flags.mountpoint = Absolute(flags.mountpoint);

  // One descriptor per open large file: allow as many as the hard limit.
  struct rlimit files;
  if (getrlimit(RLIMIT_NOFILE, &files) == 0 && files.rlim_cur < files.rlim_max) {
    files.rlim_cur = files.rlim_max;
    setrlimit(RLIMIT_NOFILE, &files);
  }

  Daemon daemon;
  daemon.Start(flags.foreground);

  metakv::Options options;
  options.create_if_missing = true;
  options.domains = MetakvfsDomains(flags.mechanisms, flags.write_buffer_bytes);
  if (!flags.mechanisms) options.flush_controller_interval_seconds = 0;
  std::unique_ptr<metakv::Store> store;
  metakv::Status s = metakv::Store::Open(options, flags.db_dir, &store);
  if (!s.ok()) {
    fprintf(stderr, "metakvfs: cannot open the store %s: %s%s\n", flags.db_dir.c_str(),
            s.ToString().c_str(),
            s.message().find("LOCK") != std::string::npos
                ? " (is another metakvfs or metakv process using it?)"
                : "");
    daemon.Report(1);
    return 1;
  }
  FsConfig config;
  config.tenant = flags.tenant;
  config.data_dir = flags.data_dir;
  config.inline_max_bytes = flags.inline_max_bytes;
  config.root_uid = getuid();
  config.root_gid = getgid();
  std::unique_ptr<FileSystem> fs;
  s = FileSystem::Open(store.get(), config, &fs);
  if (!s.ok()) {
    fprintf(stderr, "metakvfs: %s\n", s.ToString().c_str());
    store->Close().PermitUncheckedError();
    daemon.Report(1);
    return 1;
  }

  std::vector<std::string> fuse_args_s = {"metakvfs", "-o",
                                          "default_permissions,fsname=metakvfs,subtype=metakvfs"};
  std::vector<char*> fuse_argv;
  for (std::string& a : fuse_args_s) fuse_argv.push_back(a.data());
  struct fuse_args fargs = FUSE_ARGS_INIT(static_cast<int>(fuse_argv.size()), fuse_argv.data());
  const struct fuse_lowlevel_ops ops = MakeOps();
  struct fuse_session* se = fuse_session_new(&fargs, &ops, sizeof(ops), fs.get());
  int status = 1;
  if (se == nullptr) {
    fprintf(stderr, "metakvfs: cannot create the FUSE session\n");
  } else if (fuse_set_signal_handlers(se) != 0) {
    fprintf(stderr, "metakvfs: cannot set signal handlers\n");
    fuse_session_destroy(se);
    se = nullptr;
  } else if (fuse_session_mount(se, flags.mountpoint.c_str()) != 0) {
    fprintf(stderr, "metakvfs: cannot mount on %s\n", flags.mountpoint.c_str());
    fuse_remove_signal_handlers(se);
    fuse_session_destroy(se);
    se = nullptr;
  } else {
    daemon.Report(0);
    // 0: unmounted; a signal number: stopped by SIGINT, SIGTERM or SIGHUP
    // (a clean stop too); negative: an error.
    status = fuse_session_loop(se) >= 0 ? 0 : 1;
    fuse_session_unmount(se);
    fuse_remove_signal_handlers(se);
    fuse_session_destroy(se);
  }
  if (status != 0) daemon.Report(static_cast<char>(status));
  fs.reset();
  s = store->Close();
  if (!s.ok()) {
    fprintf(stderr, "metakvfs: closing the store: %s\n", s.ToString().c_str());
    status = 1;
  }
  fuse_opt_free_args(&fargs);
  return status;
}

}  // namespace metakvfs
