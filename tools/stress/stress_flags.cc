#include "tools/stress/stress_flags.h"

#include <cerrno>
#include <cmath>
#include <cstdlib>

#include "common/format.h"

namespace metakv::stress {

namespace {

constexpr std::string_view kHelp =
    R"HELP(Usage: metakv-stress --db=DIR [--verify] [options]

Runs several threads of random metakv operations (put, get, multiget, logical
delete, undelete, hard delete, cross-domain batches, cold ingest, tree
removals and restores, tenant removals, scans, snapshot reads, flushes,
compactions and purges) against the store in DIR, on tiny memtables so that flushes,
compactions, purges and flush-controller changes run all the time, while
keeping the expected state of every key in DIR.expected, a file that stays
usable whenever the process is killed.
A run starts by resolving what a crash left in flight and checking the
whole store, checks every read as it goes, and checks the whole store again
at the end.
Every write is synced. The store runs on a clock the tool moves (persisted
in DIR.expected), so retention and TTLs pass within seconds.

With --verify it reopens the store instead, resolves the operations a crash
left in flight, and checks every key and every scan: no acknowledged write
lost, no deleted record back, no record purged before its retention, no
tenant's scan showing another tenant's keys, batches, cold ingests and
tree and tenant removals all or nothing.

Options:
  --db=DIR             the store (required); expected state in DIR.expected
  --verify             verify and exit (no operations)
  --ops=N              stop after N operations in all; 0 = no limit (20000)
  --duration=SECONDS   stop after this long; 0 = no limit (60)
  --threads=N          worker threads, 1..32 (4)
  --seed=N             seed of the operation mix (1)
  --keys=N             keys per tenant per domain, 16..100000 (1000); fixed
                       when DIR.expected is created
  --reopen_every=N     close and reopen the store every N operations (0: never)
  --tenant_shards=N    tenant shards of the hot domains, 1..64 (1); fixed when
                       the store is created
  --power_cut_ms=N     cut the power N ms after start (0: never): the store
                       runs on a file system that then drops every unsynced
                       byte and directory entry, and the process exits with
                       status 4; verify with --verify afterwards. With an odd
                       --seed the cut waits (up to 200 ms more) for a WAL
                       write not yet synced
  --power_tail=MODE    drop (default): a cut loses every unsynced byte;
                       random: it keeps a random prefix of each unsynced tail
  --verify_every_ms=N  check one tenant of one domain every N ms (200; 0: never)
  --clock_tick_ms=N    move the clock every N ms (20)
  --clock_step_max=N   ... by 1 to N seconds (3)
  -h, --help           this text

Exit status:
  0  no violation found
  1  a violation (each printed as a line starting with VIOLATION:)
  2  usage error
  3  I/O or environment error (the store or the expected state cannot be
     opened or written)
  4  the power was cut (--power_cut_ms), as asked
)HELP";

bool ParseUint(std::string_view text, uint64_t* out) {
  if (text.empty() || text.size() > 19) return false;
  uint64_t v = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return false;
    v = v * 10 + static_cast<uint64_t>(c - '0');
  }
  *out = v;
  return true;
}

bool ParseSeconds(std::string_view text, double* out) {
  const std::string s(text);
  if (s.empty()) return false;
  char* end = nullptr;
  errno = 0;
  const double v = std::strtod(s.c_str(), &end);
  if (errno != 0 || end != s.c_str() + s.size() || !std::isfinite(v) || v < 0) return false;
  *out = v;
  return true;
}

}  // namespace

std::string_view StressHelpText() { return kHelp; }

bool ParseStressFlags(int argc, char** argv, StressFlags* flags, std::string* error) {
  *flags = StressFlags();
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i] ? argv[i] : "";
    if (arg == "-h" || arg == "--help") {
      flags->help = true;
      continue;
    }
    if (arg.size() < 3 || arg.substr(0, 2) != "--") {
      *error = "unexpected argument '" + std::string(arg) + "' (see --help)";
      return false;
    }
    const common::FlagArg flag_arg = common::SplitFlag(arg);
    const std::string_view name = flag_arg.name;
    std::string_view value = flag_arg.value;
    const bool has_value = flag_arg.has_value;
    if (name == "verify") {
      if (has_value && value != "1" && value != "true" && value != "0" && value != "false") {
        *error = "bad value for --verify: '" + std::string(value) + "'";
        return false;
      }
      flags->verify = !has_value || value == "1" || value == "true";
      continue;
    }
    const bool known = name == "db" || name == "ops" || name == "duration" || name == "threads" ||
                       name == "seed" || name == "keys" || name == "reopen_every" ||
                       name == "verify_every_ms" || name == "clock_tick_ms" ||
                       name == "clock_step_max" || name == "tenant_shards" ||
                       name == "power_cut_ms" || name == "power_tail";
    if (!known) {
      *error = "unknown option '--" + std::string(name) + "' (see --help)";
      return false;
    }
    if (!has_value) {
      if (i + 1 >= argc) {
        *error = "option --" + std::string(name) + " needs a value";
        return false;
      }
      value = argv[++i];
    }
    auto bad = [&](std::string_view why) {
      *error = "bad value for --" + std::string(name) + ": '" + std::string(value) + "' (" +
               std::string(why) + ")";
      return false;
    };
    uint64_t n = 0;
    if (name == "db") {
      if (value.empty()) return bad("empty path");
      flags->db = std::string(value);
      while (flags->db.size() > 1 && flags->db.back() == '/') flags->db.pop_back();
    } else if (name == "power_tail") {
      if (value != "drop" && value != "random") return bad("drop or random");
      flags->power_random_tail = value == "random";
    } else if (name == "duration") {
      if (!ParseSeconds(value, &flags->duration_seconds)) return bad("seconds, >= 0");
    } else if (!ParseUint(value, &n)) {
      return bad("a whole number");
    } else if (name == "ops") {
      flags->ops = n;
    } else if (name == "threads") {
      if (n < 1 || n > 32) return bad("1 to 32");
      flags->threads = static_cast<uint32_t>(n);
    } else if (name == "seed") {
      flags->seed = n;
    } else if (name == "keys") {
      if (n < 16 || n > 100000) return bad("16 to 100000");
      flags->keys = static_cast<uint32_t>(n);
      flags->keys_given = true;
    } else if (name == "reopen_every") {
      flags->reopen_every = n;
    } else if (name == "verify_every_ms") {
      flags->verify_every_ms = n;
    } else if (name == "clock_tick_ms") {
      if (n < 1 || n > 60000) return bad("1 to 60000");
      flags->clock_tick_ms = n;
    } else if (name == "power_cut_ms") {
      if (n > 86400000) return bad("0 to 86400000");
      flags->power_cut_ms = n;
    } else if (name == "tenant_shards") {
      if (n < 1 || n > 64) return bad("1 to 64");
      flags->tenant_shards = static_cast<uint32_t>(n);
    } else if (name == "clock_step_max") {
      if (n < 1 || n > 86400) return bad("1 to 86400");
      flags->clock_step_max = n;
    }
  }
  if (flags->help) return true;
  if (flags->db.empty()) {
    *error = "--db=DIR is required (see --help)";
    return false;
  }
  if (!flags->verify && flags->ops == 0 && flags->duration_seconds == 0) {
    *error = "--ops=0 and --duration=0: the run would never end; give a bound";
    return false;
  }
  return true;
}

}  // namespace metakv::stress
