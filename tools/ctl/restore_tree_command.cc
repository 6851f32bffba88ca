// restore-tree: brings back what a logical tree removal hid
// (Store::RestoreTree).
#include "tools/ctl/commands.h"

namespace metakv::tools::ctl {

int RunRestoreTree(Context* ctx, Args* args) {
  std::vector<std::string> a;
  if (auto exit = TakeArgs(ctx, args, 1, "restore-tree ID", &a)) return *exit;
  uint64_t id = 0;
  if (!ParseNumber(ctx, "ID", a[0], &id)) return kExitError;
  if (auto exit = ctx->OpenStore(Access::kWrite)) return *exit;
  WriteOptions wo;
  wo.sync = true;
  const Status s = ctx->store()->RestoreTree(wo, id);
  if (!s.ok()) return ctx->Finish(ctx->Fail(s));
  ctx->out() << "restored removal " << id << '\n';
  return ctx->Finish(kExitOk);
}

}  // namespace metakv::tools::ctl
