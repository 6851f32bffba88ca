// metakvfs: a FUSE file system whose metadata lives in metakv
// (docs/metakvfs.md). The work is in fuse_adapter.cc and fs.cc.
#include "tools/metakvfs/fuse_adapter.h"

int main(int argc, char** argv) { return metakvfs::RunMetakvfs(argc, argv); }
