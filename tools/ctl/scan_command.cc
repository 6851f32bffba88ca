// scan: the visible records of a domain, or of one tenant or prefix of it,
// decoded, one table row each. ListRecords also serves recycle-bin.
#include "codecs/coding.h"
#include "common/format.h"
#include "common/text_table.h"
#include "tools/ctl/commands.h"

namespace metakv::tools::ctl {

int ListRecords(Context* ctx, Args* args, bool deleted) {
  const std::string_view usage =
      deleted ? "recycle-bin DOMAIN [--tenant=T] [--prefix=P] [--limit=N] [--value-bytes=N]"
              : "scan DOMAIN [--tenant=T] [--prefix=P] [--limit=N] [--value-bytes=N]";
  std::string tenant_flag, prefix_flag, limit_flag, value_bytes_flag;
  const bool has_tenant = args->Take("tenant", &tenant_flag);
  const bool has_prefix = args->Take("prefix", &prefix_flag);
  const bool has_limit = args->Take("limit", &limit_flag);
  const bool has_value_bytes = args->Take("value-bytes", &value_bytes_flag);
  std::vector<std::string> a;
  if (auto exit = TakeArgs(ctx, args, 1, usage, &a)) return *exit;
  ScanSpec spec;
  spec.deleted = deleted;
  uint64_t limit = 0, value_bytes = 64;
  if ((has_tenant && !ParseBytes(ctx, "--tenant", tenant_flag, &spec.tenant)) ||
      (has_prefix && !ParseBytes(ctx, "--prefix", prefix_flag, &spec.prefix)) ||
      (has_limit && !ParseNumber(ctx, "--limit", limit_flag, &limit)) ||
      (has_value_bytes && !ParseNumber(ctx, "--value-bytes", value_bytes_flag, &value_bytes))) {
    return kExitError;
  }
  if (has_prefix && !has_tenant) return ctx->Fail("--prefix needs --tenant");
  if (auto exit = ctx->OpenStore(Access::kRead)) return *exit;

  std::unique_ptr<Iterator> it;
  ReadOptions ro;
  ro.verify_checksums = true;
  Status s = ctx->store()->NewIterator(ro, a[0], spec, &it);
  if (!s.ok()) return ctx->Finish(ctx->Fail(s));
  uint64_t shown = 0;
  {
    common::TextTable table(&ctx->out(),
                            {{"TENANT"},
                             {"KEY"},
                             {deleted ? "DELETED" : "WRITTEN"},
                             {"EXPIRES"},
                             {"BYTES", common::TextTable::Align::kRight},
                             {"VALUE"}});
    for (it->SeekToFirst(); it->Valid() && (limit == 0 || shown < limit); it->Next()) {
      table.Cell(0) = codecs::Printable(it->tenant());
      table.Cell(1) = codecs::Printable(it->key());
      common::AppendIsoTime(deleted ? it->delete_time() : it->write_time(), &table.Cell(2));
      common::AppendIsoTime(it->expiry_time(), &table.Cell(3));
      table.Cell(4) = std::to_string(it->value().size());
      const std::string_view value = it->value();
      table.Cell(5) = value_bytes == 0 || value.size() <= value_bytes
                          ? codecs::Printable(value)
                          : codecs::Printable(value.substr(0, value_bytes)) + "...";
      table.EndRow();
      ++shown;
    }
    s = it->status();
  }
  it.reset();
  if (!s.ok()) return ctx->Finish(ctx->Fail(s));
  ctx->out() << "# " << common::CountOf(shown, "record", "records")
             << (deleted ? " in the recycle bin" : "")
             << (limit != 0 && shown == limit ? " (--limit reached)" : "") << '\n';
  return ctx->Finish(kExitOk);
}

int RunScan(Context* ctx, Args* args) { return ListRecords(ctx, args, /*deleted=*/false); }

}  // namespace metakv::tools::ctl
