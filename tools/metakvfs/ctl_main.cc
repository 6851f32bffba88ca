// metakvfs-ctl: operator commands for a mounted metakvfs.
//
//   metakvfs-ctl rmtree PATH...   removes each directory tree with one
//                                 metakv RemoveTree (not restorable)
//
// rmtree renames PATH into the mount's .rmtree/ directory: the daemon
// removes the tree as it takes the rename, so the kernel's view of the
// namespace stays right without any cache invalidation. Exit status: 0
// done, 1 an error (one line on stderr per path), 2 bad usage.
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cstdio>
#include <string>

namespace {

const char kUsage[] =
    "usage: metakvfs-ctl rmtree PATH...\n"
    "  rmtree  remove each directory tree on a metakvfs mount at once (not restorable;\n"
    "          plain rm -rf puts every file in .trash instead)\n";

// The root of the mount holding path: the highest directory on the same
// device. Empty (with *error set) if it cannot be found.
std::string MountRoot(const std::string& path, std::string* error) {
  struct stat st;
  if (stat(path.c_str(), &st) != 0) {
    *error = strerror(errno);
    return {};
  }
  std::string root = path;
  while (root != "/") {
    const size_t slash = root.rfind('/');
    const std::string up = slash == 0 ? "/" : root.substr(0, slash);
    struct stat ust;
    if (stat(up.c_str(), &ust) != 0 || ust.st_dev != st.st_dev) break;
    root = up;
  }
  struct stat rst;
  if (stat((root + "/.rmtree").c_str(), &rst) != 0 || !S_ISDIR(rst.st_mode)) {
    *error = "not on a metakvfs mount (no .rmtree at " + root + ")";
    return {};
  }
  return root;
}

int RmTree(const char* arg) {
  char resolved[PATH_MAX];
  if (realpath(arg, resolved) == nullptr) {
    fprintf(stderr, "metakvfs-ctl: rmtree %s: %s\n", arg, strerror(errno));
    return 1;
  }
  const std::string path = resolved;
  struct stat st;
  if (lstat(path.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) {
    fprintf(stderr, "metakvfs-ctl: rmtree %s: not a directory\n", arg);
    return 1;
  }
  std::string error;
  const std::string root = MountRoot(path, &error);
  if (root.empty()) {
    fprintf(stderr, "metakvfs-ctl: rmtree %s: %s\n", arg, error.c_str());
    return 1;
  }
  if (path == root) {
    fprintf(stderr, "metakvfs-ctl: rmtree %s: the mount's root cannot be removed\n", arg);
    return 1;
  }
  // A name of its own under .rmtree: the kernel may still hold an earlier
  // removal's entry there for a second.
  static unsigned counter = 0;
  const std::string target = root + "/.rmtree/" + path.substr(path.rfind('/') + 1) + "." +
                             std::to_string(getpid()) + "." + std::to_string(counter++);
  struct timespec t0, t1;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  if (rename(path.c_str(), target.c_str()) != 0) {
    fprintf(stderr, "metakvfs-ctl: rmtree %s: %s\n", arg, strerror(errno));
    return 1;
  }
  clock_gettime(CLOCK_MONOTONIC, &t1);
  const double ms = (t1.tv_sec - t0.tv_sec) * 1e3 + (t1.tv_nsec - t0.tv_nsec) / 1e6;
  printf("removed %s (%.1f ms)\n", arg, ms);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc >= 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
    fputs(kUsage, stdout);
    return 0;
  }
  if (argc < 3 || strcmp(argv[1], "rmtree") != 0) {
    fputs(kUsage, stderr);
    return 2;
  }
  int rc = 0;
  for (int i = 2; i < argc; ++i) rc |= RmTree(argv[i]);
  return rc;
}
