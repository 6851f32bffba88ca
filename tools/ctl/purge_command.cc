// purge: enforces the purge deadline now, whatever the records' age: drops
// the files whose records are all purgeable, compacts the rest that hold
// purgeable records or removed trees, and forgets removals whose bytes are
// gone (Store::RunMaintenance with purge_min_age_seconds 0).
#include "tools/ctl/commands.h"

namespace metakv::tools::ctl {

int RunPurge(Context* ctx, Args* args) {
  if (auto exit = TakeArgs(ctx, args, 0, "purge", nullptr)) return *exit;
  if (auto exit = ctx->OpenStore(Access::kWrite)) return *exit;
  MaintenanceOptions mo;
  mo.merge_small_cold_files = false;
  mo.refresh_large_tenants = false;
  mo.purge_min_age_seconds = 0;
  MaintenanceResult result;
  ctx->progress().Set("dropping and compacting purgeable files");
  Status s = ctx->store()->RunMaintenance(mo, &result);
  std::vector<RemovalInfo> removals;
  if (s.ok()) s = ctx->store()->ListRemovals(&removals);
  if (!s.ok()) return ctx->Finish(ctx->Fail(s));
  ctx->progress().Finish("done");
  ctx->out() << "purged: " << result.purgeable_files_dropped << " files dropped whole, "
             << result.deadline_compactions << " compactions; " << removals.size()
             << " removals still pending (logical ones in retention)\n";
  return ctx->Finish(kExitOk);
}

}  // namespace metakv::tools::ctl
