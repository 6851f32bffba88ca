// The commands of metakv-ctl, one file each. A command takes its flags and
// arguments from args (TakeArgs reports the rest as usage errors), opens
// the store through ctx in the access it needs, does its work, and returns
// the exit status (kExit* in context.h), reporting problems through ctx.
#ifndef METAKV_TOOLS_CTL_COMMANDS_H_
#define METAKV_TOOLS_CTL_COMMANDS_H_

#include <string_view>
#include <vector>

#include "tools/ctl/context.h"

namespace metakv::tools::ctl {

struct Command {
  std::string_view name;
  Access access;
  std::string_view usage;  // "get DOMAIN TENANT KEY"
  std::string_view help;   // lines for --help, each indented
  int (*run)(Context* ctx, Args* args);
};

// Every command, in the order --help lists them.
const std::vector<Command>& Commands();

int RunStats(Context* ctx, Args* args);
int RunGet(Context* ctx, Args* args);
int RunScan(Context* ctx, Args* args);
int RunRecycleBin(Context* ctx, Args* args);
int RunRemovals(Context* ctx, Args* args);
int RunRestoreTree(Context* ctx, Args* args);
int RunCheckpoint(Context* ctx, Args* args);
int RunCompact(Context* ctx, Args* args);
int RunPurge(Context* ctx, Args* args);
int RunVerify(Context* ctx, Args* args);
int RunRepair(Context* ctx, Args* args);

// scan and recycle-bin: the records of one domain (the recycle bin's if
// deleted), as a table.
int ListRecords(Context* ctx, Args* args, bool deleted);

}  // namespace metakv::tools::ctl

#endif  // METAKV_TOOLS_CTL_COMMANDS_H_
