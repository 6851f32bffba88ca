// stats: the store's figures (Store::GetStats) as text, JSON or Prometheus.
#include "metakv/stats.h"
#include "tools/ctl/commands.h"

namespace metakv::tools::ctl {

int RunStats(Context* ctx, Args* args) {
  std::string format = "text";
  args->Take("format", &format);
  if (auto exit = TakeArgs(ctx, args, 0, "stats [--format=text|json|prometheus]", nullptr)) {
    return *exit;
  }
  if (format != "text" && format != "json" && format != "prometheus") {
    return ctx->Fail("--format must be text, json or prometheus, not '" + format + "'");
  }
  if (auto exit = ctx->OpenStore(Access::kRead)) return *exit;
  Stats stats;
  const Status s = ctx->store()->GetStats(&stats);
  if (!s.ok()) return ctx->Fail(s);
  if (format == "text") {
    ctx->out() << StatsToText(stats);
  } else if (format == "json") {
    ctx->out() << StatsToJson(stats) << '\n';
  } else {
    ctx->out() << StatsToPrometheus(stats);
  }
  return ctx->Finish(kExitOk);
}

}  // namespace metakv::tools::ctl
