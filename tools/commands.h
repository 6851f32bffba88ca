// The commands of metakv-sst-dump (see dump_flags.cc for what each shows).
//
// Each writes its whole output, text or one JSON document, to ctx->out()
// and reports problems through ctx; ctx->ExitCode() then says how the run
// went. Memory stays bounded whatever the size of the files: entries are
// streamed; what is kept is per file, per level, per domain and per tenant
// (capped). Not thread-safe: one run, one thread.
#ifndef METAKV_TOOLS_COMMANDS_H_
#define METAKV_TOOLS_COMMANDS_H_

#include "tools/run_context.h"

namespace metakv::tools {

void RunScan(RunContext* ctx);
void RunStats(RunContext* ctx);
void RunVerify(RunContext* ctx);
void RunRaw(RunContext* ctx);

}  // namespace metakv::tools

#endif  // METAKV_TOOLS_COMMANDS_H_
