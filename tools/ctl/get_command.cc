// get: one visible record's value.
#include "codecs/coding.h"
#include "tools/ctl/commands.h"

namespace metakv::tools::ctl {

int RunGet(Context* ctx, Args* args) {
  std::vector<std::string> a;
  if (auto exit = TakeArgs(ctx, args, 3, "get DOMAIN TENANT KEY", &a)) return *exit;
  std::string tenant, key;
  if (!ParseBytes(ctx, "TENANT", a[1], &tenant) || !ParseBytes(ctx, "KEY", a[2], &key)) {
    return kExitError;
  }
  if (auto exit = ctx->OpenStore(Access::kRead)) return *exit;
  std::string value;
  const Status s = ctx->store()->Get(ReadOptions(), a[0], tenant, key, &value);
  if (!s.ok()) return ctx->Finish(ctx->Fail(s));
  ctx->out() << codecs::Printable(value) << '\n';
  return ctx->Finish(kExitOk);
}

}  // namespace metakv::tools::ctl
