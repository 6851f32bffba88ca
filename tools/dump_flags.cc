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

bool IsBoolFlag(std::string_view name) { return name == "json" || name == "raw" || name == "help"; }

bool IsValueFlag(std::string_view name) {
  for (std::string_view known :
       {"command", "tenant", "from", "to", "limit", "top", "value-bytes", "now", "retention"}) {
    if (name == known) return true;
  }
  return false;
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
  std::vector<std::string> paths;
  bool command_set = false;
  bool raw_flag = false;
  bool only_paths = false;
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i] ? argv[i] : "";
    if (only_paths || arg.size() < 2 || arg[0] != '-') {
      paths.emplace_back(arg);
      continue;
    }
    if (arg == "--") {
      only_paths = true;
      continue;
    }
    if (arg == "-h") {
      flags->help = true;
      continue;
    }
    if (arg.substr(0, 2) != "--") {
      *error = "unknown option '" + std::string(arg) + "' (see --help)";
      return false;
    }
    std::string_view name = arg.substr(2);
    std::string_view value;
    bool has_value = false;
    if (const size_t eq = name.find('='); eq != std::string_view::npos) {
      value = name.substr(eq + 1);
      name = name.substr(0, eq);
      has_value = true;
    }
    if (IsBoolFlag(name)) {
      if (has_value) {
        *error = "option --" + std::string(name) + " takes no value";
        return false;
      }
      if (name == "json") flags->json = true;
      if (name == "raw") raw_flag = true;
      if (name == "help") flags->help = true;
      continue;
    }
    if (!IsValueFlag(name)) {
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
    const std::string shown = "--" + std::string(name) + "=" + std::string(value);
    auto bad_number = [&] {
      *error = "bad number in " + shown + ": expected a non-negative decimal integer";
      return false;
    };
    if (name == "command") {
      if (value == "scan")
        flags->command = Command::kScan;
      else if (value == "stats")
        flags->command = Command::kStats;
      else if (value == "verify")
        flags->command = Command::kVerify;
      else if (value == "raw")
        flags->command = Command::kRaw;
      else {
        *error = "unknown command in " + shown + " (scan, stats, verify or raw)";
        return false;
      }
      command_set = true;
    } else if (name == "tenant") {
      if (!common::ParseEscaped(value, &flags->tenant)) {
        *error = "bad escape in " + shown + " (use \\xNN or \\\\)";
        return false;
      }
      if (flags->tenant.empty() || flags->tenant.size() > 255) {
        *error = "bad tenant in " + shown + ": a tenant is 1 to 255 bytes";
        return false;
      }
      flags->has_tenant = true;
    } else if (name == "from" || name == "to") {
      std::string* dest = name == "from" ? &flags->from : &flags->to;
      if (!common::ParseEscaped(value, dest)) {
        *error = "bad escape in " + shown + " (use \\xNN or \\\\)";
        return false;
      }
    } else if (name == "limit") {
      if (!common::ParseUint64(value, &flags->limit)) return bad_number();
    } else if (name == "top") {
      if (!common::ParseUint64(value, &flags->top)) return bad_number();
    } else if (name == "value-bytes") {
      if (!common::ParseUint64(value, &flags->value_bytes)) return bad_number();
    } else if (name == "retention") {
      if (!common::ParseUint64(value, &flags->retention_seconds)) return bad_number();
    } else if (name == "now") {
      if (!common::ParseUint64(value, &flags->now_seconds)) return bad_number();
      flags->has_now = true;
    }
  }
  if (flags->help) return true;
  if (raw_flag) {
    if (command_set && flags->command != Command::kRaw) {
      *error = "--raw conflicts with --command=" + std::string(CommandName(flags->command));
      return false;
    }
    flags->command = Command::kRaw;
  }
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

}  // namespace metakv::tools
