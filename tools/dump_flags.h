// The command line of metakv-sst-dump: what to run on which input.
//
// ParseDumpFlags accepts "--name=value" and "--name value". Pure: thread-safe.
#ifndef METAKV_TOOLS_DUMP_FLAGS_H_
#define METAKV_TOOLS_DUMP_FLAGS_H_

#include <cstdint>
#include <string>
#include <string_view>

namespace metakv::tools {

enum class Command { kScan, kStats, kVerify, kRaw };

std::string_view CommandName(Command c);

struct DumpFlags {
  // An SST file or a database directory. Default: empty (must be given).
  std::string path;
  // Default: Command::kScan.
  Command command = Command::kScan;
  // Only this tenant (bytes, after unescaping \xNN). Default: empty (all).
  std::string tenant;
  bool has_tenant = false;
  // Only user keys in [from, to) (raw: encoded keys). Empty: unbounded.
  // Default: empty.
  std::string from;
  std::string to;
  // scan and raw print at most this many records in all; 0 = no limit.
  // Default: 0.
  uint64_t limit = 0;
  // stats lists this many tenants per table, the rest as one "(other)" row.
  // Default: 10.
  uint64_t top = 10;
  // scan and raw show at most this many bytes of each value; 0 = all.
  // Default: 32.
  uint64_t value_bytes = 32;
  // The time at which expiry is judged, seconds since the epoch.
  // Default: the system clock at start.
  uint64_t now_seconds = 0;
  bool has_now = false;
  // The tombstone retention stats judges purgeable tombstones by, seconds.
  // Default: 7 days (metakv's default retention).
  uint64_t retention_seconds = 7 * 24 * 3600;
  // One JSON document instead of text. Default: false.
  bool json = false;
  // --help was given. Default: false.
  bool help = false;
};

// Parses argv[1..argc). On failure returns false and sets *error to one line
// naming the bad argument.
bool ParseDumpFlags(int argc, char** argv, DumpFlags* flags, std::string* error);

// The --help text.
std::string_view HelpText();

}  // namespace metakv::tools

#endif  // METAKV_TOOLS_DUMP_FLAGS_H_
