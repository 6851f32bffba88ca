// verify: checks every live SST file (each block checksum, then each
// record's checksum and encoding: metakv-sst-dump's verify), then reads
// every record of every domain through the store, the recycle bin and what
// is still only in the write-ahead log included, with checksums verified.
// Exit 0 only when all of it checks.
#include <algorithm>
#include <sstream>

#include "common/format.h"
#include "tools/ctl/commands.h"
#include "tools/sst_dump_lib.h"

namespace metakv::tools::ctl {

namespace {

// Reads every record the spec selects; *records counts them.
Status ReadAll(Context* ctx, const std::string& domain, bool deleted, uint64_t* records) {
  ScanSpec spec;
  spec.deleted = deleted;
  ReadOptions ro;
  ro.verify_checksums = true;
  ro.fill_cache = false;
  std::unique_ptr<Iterator> it;
  Status s = ctx->store()->NewIterator(ro, domain, spec, &it);
  if (!s.ok()) return s;
  const std::string what = "domain " + domain + (deleted ? " (recycle bin)" : "") + ": ";
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    if (++*records % 4096 == 0) {
      ctx->progress().Set(what + common::CountOf(*records, "record", "records"));
    }
  }
  return it->status();
}

}  // namespace

int RunVerify(Context* ctx, Args* args) {
  if (auto exit = TakeArgs(ctx, args, 0, "verify", nullptr)) return *exit;

  // The files, as metakv-sst-dump verifies them (it reads them without
  // opening the store, so a running writer is not disturbed).
  ctx->progress().Set("checking the SST files");
  std::string db = ctx->db;
  std::string tool = "metakv-sst-dump", command = "--command=verify";
  char* argv[] = {tool.data(), command.data(), db.data()};
  std::ostringstream files_out, files_err;
  const int files_status = RunSstDump(3, argv, files_out, files_err);
  // Its problem lines, through the progress line's lock (its thread is
  // running).
  std::istringstream problems(files_err.str());
  for (std::string line; std::getline(problems, line);) ctx->progress().Line(line);
  ctx->out() << "## the SST files (as metakv-sst-dump --command=verify shows them)\n"
             << files_out.str();
  if (files_status == kExitError && files_out.str().empty()) {
    return ctx->Fail("the SST files cannot be read (see above)");
  }

  // The records, through the store.
  if (auto exit = ctx->OpenStore(Access::kRead)) return *exit;
  ctx->out() << "## the records, read through the store\n";
  int status = files_status;
  uint64_t total = 0;
  for (const std::string& domain : ctx->store()->DomainNames()) {
    uint64_t visible = 0, deleted = 0;
    Status s = ReadAll(ctx, domain, /*deleted=*/false, &visible);
    if (s.ok()) s = ReadAll(ctx, domain, /*deleted=*/true, &deleted);
    total += visible + deleted;
    ctx->out() << domain << ": " << common::CountOf(visible, "visible record", "visible records")
               << ", " << deleted << " in the recycle bin" << (s.ok() ? "" : ": ")
               << (s.ok() ? "" : s.ToString()) << '\n';
    if (!s.ok()) {
      ctx->progress().Line("metakv-ctl: verify: domain " + domain + ": " + s.ToString());
      status = std::max(status, s.IsCorruption() ? kExitCorruption : kExitError);
    }
  }
  ctx->progress().Finish(common::CountOf(total, "record", "records") + " read");
  ctx->out() << (status == kExitOk ? "# verify: ok\n" : "# verify: problems found\n");
  return ctx->Finish(status);
}

}  // namespace metakv::tools::ctl
