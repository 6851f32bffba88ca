// metakvfs's command line:
//
//   metakvfs MOUNTPOINT --db=DIR --data=DIR [--tenant=NAME] [--foreground]
//            [--inline-max-bytes=N] [--mechanisms=on|off] [--write-buffer-bytes=N]
//
// Pure parsing, no I/O: thread-safe.
#ifndef METAKV_TOOLS_METAKVFS_FLAGS_H_
#define METAKV_TOOLS_METAKVFS_FLAGS_H_

#include <cstdint>
#include <string>
#include <vector>

namespace metakvfs {

struct MetakvfsFlags {
  std::string mountpoint;
  std::string db_dir;    // the metakv store (created if missing)
  std::string data_dir;  // large files' contents (created if missing)
  std::string tenant = "default";
  bool foreground = false;
  uint64_t inline_max_bytes = 4096;
  // off: metakv's write-amplification mechanisms (tombstone purge in
  // compaction, tenant partitioning, the adaptive flush controller) are
  // turned off, as the baseline the figures compare against.
  bool mechanisms = true;
  // Each domain's memtable size; 0: the library's default (64 MiB). Small
  // values make the LSM deep with little data (the figures use 1 MiB).
  uint64_t write_buffer_bytes = 0;
  bool help = false;
};

// The usage text.
std::string MetakvfsUsage();

// Parses args (without the program name). On error returns false with one
// line in *error.
bool ParseMetakvfsFlags(const std::vector<std::string>& args, MetakvfsFlags* flags,
                        std::string* error);

}  // namespace metakvfs

#endif  // METAKV_TOOLS_METAKVFS_FLAGS_H_
