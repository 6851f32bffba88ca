// compact: compacts every domain, or one (or one tenant of it), to the last
// level; compactions purge what is purgeable on the way.
#include "common/format.h"
#include "tools/ctl/commands.h"

namespace metakv::tools::ctl {

namespace {

// The SST bytes of each domain.
std::vector<uint64_t> DomainBytes(Store* store) {
  Stats stats;
  std::vector<uint64_t> out;
  if (!store->GetStats(&stats).ok()) return out;
  for (const DomainStats& d : stats.domains) out.push_back(d.live_sst_bytes);
  return out;
}

}  // namespace

int RunCompact(Context* ctx, Args* args) {
  std::string domain, tenant_flag, tenant;
  const bool has_domain = args->Take("domain", &domain);
  const bool has_tenant = args->Take("tenant", &tenant_flag);
  if (auto exit = TakeArgs(ctx, args, 0, "compact [--domain=D [--tenant=T]]", nullptr)) {
    return *exit;
  }
  if (has_tenant && !ParseBytes(ctx, "--tenant", tenant_flag, &tenant)) return kExitError;
  if (has_tenant && !has_domain) return ctx->Fail("--tenant needs --domain");
  if (auto exit = ctx->OpenStore(Access::kWrite)) return *exit;
  Store* store = ctx->store();
  const std::vector<std::string> names = store->DomainNames();
  const std::vector<uint64_t> before = DomainBytes(store);
  Status s;
  size_t done = 0;
  for (size_t i = 0; i < names.size() && s.ok(); ++i) {
    if (has_domain && names[i] != domain) continue;
    ctx->progress().Set("domain " + names[i] + " (" + std::to_string(i + 1) + " of " +
                        std::to_string(names.size()) + ")");
    s = store->CompactRange(names[i], tenant);
    ++done;
  }
  if (s.ok() && has_domain && done == 0) s = Status::InvalidArgument("unknown domain '" + domain + "'");
  if (!s.ok()) return ctx->Finish(ctx->Fail(s));
  ctx->progress().Finish("done");
  const std::vector<uint64_t> after = DomainBytes(store);
  for (size_t i = 0; i < names.size() && i < before.size() && i < after.size(); ++i) {
    if (has_domain && names[i] != domain) continue;
    ctx->out() << "compacted " << names[i] << ": " << before[i] << " -> " << after[i]
               << " SST bytes\n";
  }
  return ctx->Finish(kExitOk);
}

}  // namespace metakv::tools::ctl
