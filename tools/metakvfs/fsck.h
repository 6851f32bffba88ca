// metakvfs::CheckFileSystem: the consistency check of a metakvfs store
// (metakvfs-fsck). Reads only; run it on a store no daemon has mounted.
//
// Errors (the file system is damaged):
//   - an entry whose directory or inode is missing, or whose type byte is
//     not its inode's type;
//   - a directory without its ".." record, or whose ".." record does not
//     name the entry that holds it, or with other than one entry;
//   - a directory not reachable from the root;
//   - a link count that is not what the entries say (files: their
//     entries; directories: 2 + subdirectories);
//   - an inode with no entry and no orphan record (an orphan);
//   - a file whose contents are in a blob file that is missing.
// Notes (left for the next mount to finish, not damage):
//   - files unlinked while open (orphan records), tree removals under way;
//   - blob files that no live or deleted file owns (the mount sweeps them).
#ifndef METAKV_TOOLS_METAKVFS_FSCK_H_
#define METAKV_TOOLS_METAKVFS_FSCK_H_

#include <cstdint>
#include <string>
#include <vector>

#include "metakv/status.h"
#include "metakv/store.h"

namespace metakvfs {

struct FsckReport {
  uint64_t inodes = 0;       // live inodes
  uint64_t directories = 0;  // of them, directories
  uint64_t entries = 0;      // live directory entries
  uint64_t blob_files = 0;   // files under the data directory
  uint64_t trash = 0;        // deleted inodes in the recycle bin
  std::vector<std::string> errors;
  std::vector<std::string> notes;
};

// Checks tenant's file system in store, with its blob files under
// data_dir. A Status error only if the check itself could not run.
metakv::Status CheckFileSystem(metakv::Store* store, const std::string& tenant,
                               const std::string& data_dir, FsckReport* report);

}  // namespace metakvfs

#endif  // METAKV_TOOLS_METAKVFS_FSCK_H_
