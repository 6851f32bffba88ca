#include "tools/dump_flags.h"

#include <vector>

#include "common/format.h"

namespace metakv::tools {

namespace {

constexpr std::string_view kHelp =
    R"HELP(Usage: metakv-sst-dump [--command=scan|stats|verify|raw] [options] PATH

Inspects metakv data offline. PATH is one SST file, or a database directory:
then every live SST file (from the MANIFEST) is read, grouped by domain and
level. The database is opened read-only; a running writer is not disturbed.
Records still only in the write-ahead log (not yet flushed) are counted in a
note, not shown.

Commands:
  scan    one line per record: domain, tenant, key, kind, time, expiry, value
          (the default). KIND is live, expiring, expired (an expiring record
          whose expiry has passed at --now, still present) or tombstone (a
          logical delete, keeping its value); TIME is the write time, or the
          delete time of a tombstone
  stats   per file and in total: records and bytes per tenant and per kind
          (live, expiring, tombstone), tombstone ("ghost") records and bytes
          and their share, expired records still present, purgeable records
          (expired, or tombstones past --retention) and how long the oldest
          has been purgeable, key range, table properties, compression
  verify  checks every block checksum (through RocksDB) and every record's
          checksum and encoding; lists each bad record with file and key and
          ends with a count
  raw     undecoded keys and values, for SST files metakv did not write

Options:
  --command=CMD      one of the commands above
  --raw              same as --command=raw
  --tenant=T         only records of tenant T (scan, stats, raw)
  --from=K           only user keys >= K (scan, stats; raw: encoded keys)
  --to=K             only user keys <  K (scan, stats; raw: encoded keys)
  --limit=N          print at most N records in all (scan, raw); 0 = all
  --top=N            tenants listed per table by stats, the rest summed as
                     "(other)"; default 10
  --value-bytes=N    bytes of each value shown by scan and raw; 0 = all;
                     default 32
  --now=SECONDS      judge expiry at this time (seconds since the epoch);
                     default: now
  --retention=SECONDS
                     tombstone retention of the domains, for stats' purgeable
                     records; default 604800 (metakv's default, 7 days)
  --json             one JSON document on stdout instead of text
  -h, --help         this text

Bytes that are not printable ASCII are shown as \xNN (a backslash as \x5c);
T and K accept the same escapes.

Exit status:
  0  success: everything read was intact
  1  corruption found: a bad block or record checksum, a record that does not
     decode, a database file that is truncated or missing
  2  usage error, or input that cannot be read: a missing path, a directory
     that is not a database, an empty or truncated file, a file that is not
     an SST file, a database or SST file not written by metakv (read those
     with --command=raw)
Every problem is reported as one line on stderr naming the file. With
--json, a document is printed only when it is complete.
)HELP";

// What the command line holds, before the checks that need all of it.
struct ParsedArgs {
  DumpFlags* flags = nullptr;
  std::vector<std::string> paths;
  bool command_set = false;
  bool raw_flag = false;
};

// Sets what a flag with a value sets. shown: "--name=value", for messages.
using Setter = bool (*)(std::string_view value, const std::string& shown, ParsedArgs* args,
                        std::string* error);

bool SetCommand(std::string_view value, const std::string& shown, ParsedArgs* args,
                std::string* error) {
  static constexpr Command kCommands[] = {Command::kScan, Command::kStats, Command::kVerify,
                                          Command::kRaw};
  for (Command c : kCommands) {
    if (value == CommandName(c)) {
      args->flags->command = c;
      args->command_set = true;
      return true;
    }
  }
  *error = "unknown command in " + shown + " (scan, stats, verify or raw)";
  return false;
}

bool SetEscaped(std::string_view value, const std::string& shown, std::string* dest,
                std::string* error) {
  if (common::ParseEscaped(value, dest)) return true;
  *error = "bad escape in " + shown + " (use \\xNN or \\\\)";
  return false;
}

bool SetTenant(std::string_view value, const std::string& shown, ParsedArgs* args,
               std::string* error) {
  DumpFlags* flags = args->flags;
  if (!SetEscaped(value, shown, &flags->tenant, error)) return false;
  if (flags->tenant.empty() || flags->tenant.size() > 255) {
    *error = "bad tenant in " + shown + ": a tenant is 1 to 255 bytes";
    return false;
  }
  flags->has_tenant = true;
  return true;
}

bool SetFrom(std::string_view value, const std::string& shown, ParsedArgs* args,
             std::string* error) {
  return SetEscaped(value, shown, &args->flags->from, error);
}

bool SetTo(std::string_view value, const std::string& shown, ParsedArgs* args, std::string* error) {
  return SetEscaped(value, shown, &args->flags->to, error);
}

bool SetNow(std::string_view value, const std::string& shown, ParsedArgs* args,
            std::string* error) {
  args->flags->has_now = true;
  return true;
}

// The flags that take a value: a decimal number into a field, then (or
// instead) a setter.
struct ValueFlag {
  std::string_view name;
  uint64_t DumpFlags::*number;  // null: not a number
  Setter set;                   // null: nothing more
};

constexpr ValueFlag kValueFlags[] = {
    {"command", nullptr, &SetCommand},
    {"tenant", nullptr, &SetTenant},
    {"from", nullptr, &SetFrom},
    {"to", nullptr, &SetTo},
    {"limit", &DumpFlags::limit, nullptr},
    {"top", &DumpFlags::top, nullptr},
    {"value-bytes", &DumpFlags::value_bytes, nullptr},
    {"now", &DumpFlags::now_seconds, &SetNow},
    {"retention", &DumpFlags::retention_seconds, nullptr},
};

const ValueFlag* FindValueFlag(std::string_view name) {
  for (const ValueFlag& f : kValueFlags) {
    if (f.name == name) return &f;
  }
  return nullptr;
}

bool IsBoolFlag(std::string_view name) { return name == "json" || name == "raw" || name == "help"; }

void SetBoolFlag(std::string_view name, ParsedArgs* args) {
  if (name == "json") args->flags->json = true;
  if (name == "raw") args->raw_flag = true;
  if (name == "help") args->flags->help = true;
}

bool SetValueFlag(const ValueFlag& flag, std::string_view value, ParsedArgs* args,
                  std::string* error) {
  const std::string shown = "--" + std::string(flag.name) + "=" + std::string(value);
  if (flag.number != nullptr && !common::ParseUint64(value, &(args->flags->*flag.number))) {
    *error = "bad number in " + shown + ": expected a non-negative decimal integer";
    return false;
  }
  return flag.set == nullptr || flag.set(value, shown, args, error);
}

// Reads argv into *args: paths, and flags set as they come.
bool ReadArgs(int argc, char** argv, ParsedArgs* args, std::string* error) {
  bool only_paths = false;
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i] ? argv[i] : "";
    if (only_paths || arg.size() < 2 || arg[0] != '-') {
      args->paths.emplace_back(arg);
      continue;
    }
    if (arg == "--") {
      only_paths = true;
      continue;
    }
    if (arg == "-h") {
      args->flags->help = true;
      continue;
    }
    if (arg.substr(0, 2) != "--") {
      *error = "unknown option '" + std::string(arg) + "' (see --help)";
      return false;
    }
    const common::FlagArg flag_arg = common::SplitFlag(arg);
    const std::string_view name = flag_arg.name;
    std::string_view value = flag_arg.value;
    const bool has_value = flag_arg.has_value;
    if (IsBoolFlag(name)) {
      if (has_value) {
        *error = "option --" + std::string(name) + " takes no value";
        return false;
      }
      SetBoolFlag(name, args);
      continue;
    }
    const ValueFlag* flag = FindValueFlag(name);
    if (flag == nullptr) {
      *error = "unknown option '--" + std::string(name) + "' (see --help)";
      return false;
    }
    if (!has_value) {
      if (i + 1 >= argc || argv[i + 1] == nullptr) {
        *error = "option --" + std::string(name) + " needs a value";
        return false;
      }
      value = argv[++i];
    }
    if (!SetValueFlag(*flag, value, args, error)) return false;
  }
  return true;
}

// The checks that need the whole command line; fills in flags->path.
bool CheckArgs(const ParsedArgs& args, std::string* error) {
  DumpFlags* flags = args.flags;
  if (args.raw_flag) {
    if (args.command_set && flags->command != Command::kRaw) {
      *error = "--raw conflicts with --command=" + std::string(CommandName(flags->command));
      return false;
    }
    flags->command = Command::kRaw;
  }
  const std::vector<std::string>& paths = args.paths;
  if (paths.empty()) {
    *error = "no input: give an SST file or a database directory (see --help)";
    return false;
  }
  if (paths.size() > 1) {
    *error = "one input at a time, got " + std::to_string(paths.size()) + " ('" + paths[0] +
             "', '" + paths[1] + "', ...)";
    return false;
  }
  flags->path = paths[0];
  if (flags->path.empty()) {
    *error = "empty input path";
    return false;
  }
  const bool filtered = flags->has_tenant || !flags->from.empty() || !flags->to.empty();
  if (flags->command == Command::kVerify && (filtered || flags->limit != 0)) {
    *error = "verify checks every record: --tenant, --from, --to and --limit do not apply";
    return false;
  }
  if (flags->command == Command::kStats && flags->limit != 0) {
    *error = "--limit applies to scan and raw, not stats";
    return false;
  }
  if (!flags->from.empty() && !flags->to.empty() && flags->to <= flags->from) {
    *error = "empty range: --to must be greater than --from";
    return false;
  }
  return true;
}

}  // namespace

std::string_view CommandName(Command c) {
  switch (c) {
    case Command::kScan:
      return "scan";
    case Command::kStats:
      return "stats";
    case Command::kVerify:
      return "verify";
    case Command::kRaw:
      return "raw";
  }
  return "?";
}

std::string_view HelpText() { return kHelp; }

bool ParseDumpFlags(int argc, char** argv, DumpFlags* flags, std::string* error) {
  *flags = DumpFlags();
  ParsedArgs args;
  args.flags = flags;
  if (!ReadArgs(argc, argv, &args, error)) return false;
  if (flags->help) return true;
  return CheckArgs(args, error);
}

}  // namespace metakv::tools
