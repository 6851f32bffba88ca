// removals: the pending bulk removals (Store::ListRemovals).
#include "codecs/coding.h"
#include "common/format.h"
#include "common/text_table.h"
#include "tools/ctl/commands.h"

namespace metakv::tools::ctl {

int RunRemovals(Context* ctx, Args* args) {
  if (auto exit = TakeArgs(ctx, args, 0, "removals", nullptr)) return *exit;
  if (auto exit = ctx->OpenStore(Access::kRead)) return *exit;
  std::vector<RemovalInfo> removals;
  const Status s = ctx->store()->ListRemovals(&removals);
  if (!s.ok()) return ctx->Finish(ctx->Fail(s));
  {
    common::TextTable table(&ctx->out(), {{"ID", common::TextTable::Align::kRight},
                                          {"TENANT"},
                                          {"MODE"},
                                          {"REMOVED"},
                                          {"PURGED FROM"},
                                          {"WHAT"}});
    for (const RemovalInfo& r : removals) {
      table.Cell(0) = std::to_string(r.id);
      table.Cell(1) = codecs::Printable(r.tenant);
      table.Cell(2) = r.mode == RemoveMode::kLogical ? "logical" : "hard";
      common::AppendIsoTime(r.time_seconds, &table.Cell(3));
      common::AppendIsoTime(r.purge_time_seconds, &table.Cell(4));
      std::string& what = table.Cell(5);
      for (const auto& [domain, prefix] : r.prefixes) {
        if (!what.empty()) what += ' ';
        what += domain + ":" + (prefix.empty() ? "(whole tenant)" : codecs::Printable(prefix));
      }
      table.EndRow();
    }
  }
  ctx->out() << "# " << common::CountOf(removals.size(), "pending removal", "pending removals")
             << '\n';
  return ctx->Finish(kExitOk);
}

}  // namespace metakv::tools::ctl
