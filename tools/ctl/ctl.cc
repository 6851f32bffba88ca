#include "tools/ctl/ctl.h"

#include <unistd.h>

#include <exception>
#include <iostream>
#include <string>

#include "tools/ctl/commands.h"
#include "tools/ctl/context.h"

namespace metakv::tools::ctl {

const std::vector<Command>& Commands() {
  static const std::vector<Command> commands = {
      {"stats", Access::kRead, "stats [--format=text|json|prometheus]",
       "      the store's figures: per domain bytes written, files and bytes per level,\n"
       "      purgeable records and their age, pending removals, memtables, latencies\n"
       "      (write counters count from this tool's open of the store)\n",
       RunStats},
      {"get", Access::kRead, "get DOMAIN TENANT KEY",
       "      the value of one visible record\n", RunGet},
      {"scan", Access::kRead, "scan DOMAIN [--tenant=T] [--prefix=P] [--limit=N] [--value-bytes=N]",
       "      the visible records of a domain (or of one tenant, or one prefix of it):\n"
       "      tenant, key, write time, expiry, size, value (the first N bytes; default\n"
       "      64, 0 = all)\n",
       RunScan},
      {"recycle-bin", Access::kRead,
       "recycle-bin DOMAIN [--tenant=T] [--prefix=P] [--limit=N] [--value-bytes=N]",
       "      the deleted records still restorable, with their delete times\n", RunRecycleBin},
      {"removals", Access::kRead, "removals",
       "      the pending tree and tenant removals: id, tenant, mode, when, purged from\n"
       "      when, and what each covers\n",
       RunRemovals},
      {"restore-tree", Access::kWrite, "restore-tree ID",
       "      brings back what the logical tree removal ID hid\n", RunRestoreTree},
      {"checkpoint", Access::kWrite, "checkpoint DIR",
       "      a consistent copy of the store in DIR (hard links where it can), which\n"
       "      opens as a store: a backup is a checkpoint copied elsewhere\n",
       RunCheckpoint},
      {"compact", Access::kWrite, "compact [--domain=D [--tenant=T]]",
       "      compacts every domain (or one, or one tenant of it) to the last level\n",
       RunCompact},
      {"purge", Access::kWrite, "purge",
       "      enforces the purge deadline now: drops and compacts what is purgeable\n"
       "      (deleted records past retention, expired records, removed trees)\n",
       RunPurge},
      {"verify", Access::kRead, "verify",
       "      checks every SST file's blocks and records, then reads every record\n"
       "      through the store; exit 0 only if everything checks\n",
       RunVerify},
      {"repair", Access::kNone, "repair [--domains=filesystem]",
       "      rebuilds a store that will not open because RocksDB's files are damaged\n"
       "      (records only in lost files are lost; keep a copy first)\n",
       RunRepair},
  };
  return commands;
}

namespace {

std::string HelpText() {
  std::string text =
      "Usage: metakv-ctl --db=DIR [--mode=MODE] COMMAND [ARGS] [FLAGS]\n"
      "\n"
      "Looks at a metakv store and administers it.\n"
      "\n"
      "Commands:\n";
  for (const Command& c : Commands()) {
    text += "  " + std::string(c.usage) + (c.access == Access::kWrite ? "   [writes]" : "") +
            "\n" + std::string(c.help);
  }
  text +=
      "\n"
      "Modes (--mode), how the store is opened:\n"
      "  auto       (the default) commands that read: secondary; commands that\n"
      "             write: closed\n"
      "  secondary  a RocksDB secondary instance: reads a store as it is, also\n"
      "             while a service has it open for writing, without disturbing it\n"
      "  read-only  a read-only open, for a store no process has open\n"
      "  closed     opened for writing: the store must be closed in every other\n"
      "             process; the commands marked [writes] need it\n"
      "\n"
      "Flags:\n"
      "  --db=DIR               the store (required)\n"
      "  --mode=MODE            see above\n"
      "  --secondary-path=DIR   where a secondary instance keeps its info log;\n"
      "                         default: a temporary directory, removed at the end\n"
      "  --retention=SECONDS    the tombstone retention to judge and purge by;\n"
      "                         default: the one the store was last opened for\n"
      "                         writing with (recorded in the store)\n"
      "  --progress=auto|on|off a progress line on stderr for long commands;\n"
      "                         auto: when stderr is a terminal\n"
      "  -h, --help             this text\n"
      "\n"
      "Bytes that are not printable ASCII are shown as \\xNN (a backslash as \\x5c);\n"
      "TENANT, KEY, T and P accept the same escapes; arguments after \"--\" are never\n"
      "flags (a key that starts with '-').\n"
      "\n"
      "Exit status:\n"
      "  0  success\n"
      "  1  corruption found (a bad checksum, a record that does not decode, a\n"
      "     missing or damaged file)\n"
      "  2  a usage error, a store that cannot be opened, or a command that failed\n"
      "     (a record not found, a removal that cannot be restored, ...)\n"
      "Every problem is one line on stderr: \"metakv-ctl: COMMAND: Code: message\".\n";
  return text;
}

int Run(int argc, char** argv, std::ostream& out, std::ostream& err) {
  Context ctx(out, err);
  Args args;
  std::string error;
  if (!args.Parse(argc, argv, &error)) return ctx.Fail(error + " (see metakv-ctl --help)");
  std::string value;
  if (args.Take("help", &value)) {
    out << HelpText();
    return kExitOk;
  }
  if (args.positionals().empty()) return ctx.Fail("no command given (see metakv-ctl --help)");
  ctx.command = args.positionals().front();
  args.positionals().erase(args.positionals().begin());
  const Command* command = nullptr;
  for (const Command& c : Commands()) {
    if (c.name == ctx.command) command = &c;
  }
  if (command == nullptr) {
    const std::string name = ctx.command;
    ctx.command.clear();
    return ctx.Fail("unknown command '" + name + "' (see metakv-ctl --help)");
  }
  if (!args.Take("db", &ctx.db) || ctx.db.empty()) {
    return ctx.Fail("--db=DIR is required: the store's directory");
  }
  if (args.Take("mode", &value)) {
    if (value == "auto") {
      ctx.mode = Mode::kAuto;
    } else if (value == "closed") {
      ctx.mode = Mode::kClosed;
    } else if (value == "read-only") {
      ctx.mode = Mode::kReadOnly;
    } else if (value == "secondary") {
      ctx.mode = Mode::kSecondary;
    } else {
      return ctx.Fail("--mode must be auto, secondary, read-only or closed, not '" + value + "'");
    }
  }
  if (args.Take("secondary-path", &ctx.secondary_path) && ctx.secondary_path.empty()) {
    return ctx.Fail("--secondary-path needs a directory");
  }
  if (args.Take("retention", &value)) {
    uint64_t seconds = 0;
    if (!ParseNumber(&ctx, "--retention", value, &seconds)) return kExitError;
    ctx.retention_seconds = seconds;
  }
  std::string progress = "auto";
  args.Take("progress", &progress);
  if (progress == "on") {
    ctx.progress_enabled = true;
  } else if (progress == "auto") {
    ctx.progress_enabled = isatty(STDERR_FILENO) == 1 && &err == &std::cerr;
  } else if (progress != "off") {
    return ctx.Fail("--progress must be auto, on or off, not '" + progress + "'");
  }
  ctx.progress_in_place = ctx.progress_enabled && isatty(STDERR_FILENO) == 1 && &err == &std::cerr;
  return command->run(&ctx, &args);
}

}  // namespace

int RunCtl(int argc, char** argv, std::ostream& out, std::ostream& err) {
  try {
    return Run(argc, argv, out, err);
  } catch (const std::exception& e) {
    err << "metakv-ctl: internal error: " << e.what() << '\n';
  } catch (...) {
    err << "metakv-ctl: internal error\n";
  }
  return kExitError;
}

}  // namespace metakv::tools::ctl
