// The FUSE side of metakvfs: libfuse3 low-level operations that map each
// request to one FileSystem call, and RunMetakvfs, which the thin main
// calls. Requests are served by one thread (fuse_session_loop).
#ifndef METAKV_TOOLS_METAKVFS_FUSE_ADAPTER_H_
#define METAKV_TOOLS_METAKVFS_FUSE_ADAPTER_H_

namespace metakvfs {

// The whole daemon: parses argv, opens the store, mounts, serves until
// unmounted or signalled (SIGINT, SIGTERM, SIGHUP), then closes the store.
// Returns the exit status: 0 on a clean unmount, 1 on a failure, 2 on bad
// arguments (one message on stderr).
int RunMetakvfs(int argc, char** argv);

}  // namespace metakvfs

#endif  // METAKV_TOOLS_METAKVFS_FUSE_ADAPTER_H_
