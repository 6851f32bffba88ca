// checkpoint: a consistent, openable copy of the store (Store::
// CreateCheckpoint).
#include "tools/ctl/commands.h"

namespace metakv::tools::ctl {

int RunCheckpoint(Context* ctx, Args* args) {
  std::vector<std::string> a;
  if (auto exit = TakeArgs(ctx, args, 1, "checkpoint DIR", &a)) return *exit;
  if (auto exit = ctx->OpenStore(Access::kWrite)) return *exit;
  ctx->progress().Set("writing " + a[0]);
  const Status s = ctx->store()->CreateCheckpoint(a[0]);
  if (!s.ok()) return ctx->Finish(ctx->Fail(s));
  ctx->progress().Finish("done");
  ctx->out() << "checkpoint written to " << a[0] << '\n';
  return ctx->Finish(kExitOk);
}

}  // namespace metakv::tools::ctl
