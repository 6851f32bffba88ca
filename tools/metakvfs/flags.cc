#include "tools/metakvfs/flags.h"

#include <cstdlib>

namespace metakvfs {

std::string MetakvfsUsage() {
  return "usage: metakvfs MOUNTPOINT --db=DIR --data=DIR [--tenant=NAME] [--foreground]\n"
         "                [--inline-max-bytes=N] [--mechanisms=on|off] [--write-buffer-bytes=N]\n"
         "  Mounts a FUSE file system whose metadata lives in the metakv store DIR\n"
         "  (one tenant per mount, default \"default\") and whose large files' contents\n"
         "  live under the --data DIR. Files of at most --inline-max-bytes (default 4096,\n"
         "  at most 1048576) are stored inline in the store. Without --foreground it\n"
         "  runs in the background once mounted. Unmount with fusermount3 -u MOUNTPOINT.\n"
         "  --mechanisms=off turns metakv's write-amplification mechanisms off (the\n"
         "  baseline of the figures); --write-buffer-bytes sets each domain's memtable\n"
         "  (at least 65536; default: the library's, 64 MiB).\n";
}

bool ParseMetakvfsFlags(const std::vector<std::string>& args, MetakvfsFlags* flags,
                        std::string* error) {
  auto value_of = [](const std::string& arg, const char* name, std::string* value) {
    const std::string prefix = std::string(name) + "=";
    if (arg.compare(0, prefix.size(), prefix) != 0) return false;
    *value = arg.substr(prefix.size());
    return true;
  };
  for (const std::string& arg : args) {
    std::string v;
    if (arg == "--help" || arg == "-h") {
      flags->help = true;
      return true;
    } else if (arg == "--foreground" || arg == "-f") {
      flags->foreground = true;
    } else if (value_of(arg, "--db", &v)) {
      flags->db_dir = v;
    } else if (value_of(arg, "--data", &v)) {
      flags->data_dir = v;
    } else if (value_of(arg, "--tenant", &v)) {
      if (v.empty() || v.size() > 255) {
        *error = "--tenant must be 1 to 255 bytes";
        return false;
      }
      flags->tenant = v;
    } else if (value_of(arg, "--inline-max-bytes", &v)) {
      char* end = nullptr;
      const unsigned long long n = std::strtoull(v.c_str(), &end, 10);
      if (v.empty() || *end != '\0' || n > (1u << 20)) {
        *error = "--inline-max-bytes must be a number from 0 to 1048576, not '" + v + "'";
        return false;
      }
      flags->inline_max_bytes = n;
    } else if (value_of(arg, "--mechanisms", &v)) {
      if (v != "on" && v != "off") {
        *error = "--mechanisms must be on or off, not '" + v + "'";
        return false;
      }
      flags->mechanisms = v == "on";
    } else if (value_of(arg, "--write-buffer-bytes", &v)) {
      char* end = nullptr;
      const unsigned long long n = std::strtoull(v.c_str(), &end, 10);
      if (v.empty() || *end != '\0' || n < (1u << 16) || n > (1ull << 32)) {
        *error = "--write-buffer-bytes must be a number from 65536 to 4294967296, not '" + v + "'";
        return false;
      }
      flags->write_buffer_bytes = n;
    } else if (!arg.empty() && arg[0] == '-') {
      *error = "unknown flag " + arg;
      return false;
    } else if (flags->mountpoint.empty()) {
      flags->mountpoint = arg;
    } else {
      *error = "one mount point only (got '" + flags->mountpoint + "' and '" + arg + "')";
      return false;
    }
  }
  if (flags->mountpoint.empty()) {
    *error = "no MOUNTPOINT given";
  } else if (flags->db_dir.empty()) {
    *error = "--db=DIR is required";
  } else if (flags->data_dir.empty()) {
    *error = "--data=DIR is required";
  } else {
    return true;
  }
  return false;
}

}  // namespace metakvfs
