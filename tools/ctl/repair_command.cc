// repair: rebuilds a store that will not open because RocksDB's files are
// damaged (metakv::RepairStore). The store must be closed.
#include "metakv/repair.h"
#include "tools/ctl/commands.h"

namespace metakv::tools::ctl {

int RunRepair(Context* ctx, Args* args) {
  std::string domains;
  if (args->Take("domains", &domains)) {
    if (domains != "filesystem") {
      return ctx->Fail("--domains must be 'filesystem' (the file-system model's domains), not '" +
                       domains + "'");
    }
    ctx->use_filesystem_domains = true;
  }
  if (auto exit = TakeArgs(ctx, args, 0, "repair [--domains=filesystem]", nullptr)) return *exit;
  if (ctx->mode != Mode::kAuto && ctx->mode != Mode::kClosed) {
    return ctx->Fail("repair rewrites the store: it needs --mode=closed");
  }
  Options options;
  Status s = ctx->StoreOptions(Access::kNone, &options);
  if (!s.ok()) return ctx->Fail(s);
  ctx->progress().Set("rebuilding the MANIFEST from the files that remain");
  s = RepairStore(options, ctx->db);
  if (!s.ok()) return ctx->Fail(s);
  ctx->progress().Finish("done");
  ctx->out() << "repaired " << ctx->db
             << " (files RocksDB could not use are in lost/; check the store with "
                "metakv-ctl verify)\n";
  return kExitOk;
}

}  // namespace metakv::tools::ctl
