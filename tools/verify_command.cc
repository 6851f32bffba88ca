// The verify command: every block checksum (through RocksDB), then every
// record's checksum and encoding; each bad record named by file and key.
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "common/format.h"
#include "common/text_table.h"
#include "tools/commands.h"
#include "tools/entry_decoder.h"
#include "tools/key_filter.h"
#include "tools/record_format.h"

namespace metakv::tools {

namespace {

constexpr common::TextTable::Align kRight = common::TextTable::Align::kRight;

// The JSON document lists at most this many bad records (all are counted).
constexpr uint64_t kMaxListedBadRecords = 1000;

struct BadRecord {
  std::string path;
  std::string domain;
  int level = -1;
  std::string tenant;  // printable; empty if the key does not decode
  std::string key;     // printable user key, or the whole stored key
  bool key_decoded = false;
  std::string error;
};

struct FileResult {
  const InputFile* file = nullptr;
  bool opened = false;
  bool vanished = false;
  bool blocks_ok = false;
  bool complete = false;  // every record was reached
  uint64_t records = 0;
  uint64_t bad = 0;
  std::string problem;
};

// What the command shows: each file's result, the bad records the JSON
// document lists, and the totals.
struct VerifyReport {
  std::vector<FileResult> results;
  std::vector<BadRecord> listed;  // the first kMaxListedBadRecords (JSON only)
  uint64_t files_checked = 0;
  uint64_t total_records = 0;
  uint64_t total_bad = 0;
  uint64_t files_with_bad_blocks = 0;
  uint64_t unreadable_files = 0;
};

// "key K" or "tenant T key K".
std::string Where(const BadRecord& bad) {
  return bad.tenant.empty() ? "key " + bad.key : "tenant " + bad.tenant + " key " + bad.key;
}

// Checks every file, reporting problems and bad records on the error stream
// as it goes. Each bad record also goes to on_bad when found, so the text
// output lists it at once rather than after the whole walk.
class Verifier {
 public:
  using BadRecordSink = std::function<void(const InputFile& f, const BadRecord& bad)>;

  Verifier(RunContext* ctx, BadRecordSink on_bad) : ctx_(ctx), on_bad_(std::move(on_bad)) {}

  VerifyReport Run() {
    for (const InputFile& f : ctx_->files()) {
      FileResult result = CheckFile(f);
      report_.files_checked += result.opened ? 1 : 0;
      report_.total_records += result.records;
      report_.total_bad += result.bad;
      report_.results.push_back(std::move(result));
    }
    return std::move(report_);
  }

 private:
  FileResult CheckFile(const InputFile& f) {
    FileResult result;
    result.file = &f;
    std::unique_ptr<SstFile> holder;
    const SstFile* file = nullptr;
    const size_t problems_before = ctx_->problems().size();
    if (!ctx_->OpenForReading(f, &holder, &file, &result.vanished)) {
      if (!result.vanished) {
        ++report_.unreadable_files;
        if (ctx_->problems().size() > problems_before) result.problem = ctx_->problems().back();
      }
      return result;
    }
    result.opened = true;
    const Status blocks = file->VerifyBlockChecksums();
    result.blocks_ok = blocks.ok();
    if (!blocks.ok()) {
      ++report_.files_with_bad_blocks;
      result.problem = blocks.message();
      ctx_->Problem(blocks);
    }
    CheckRecords(f, *file, &result);
    ctx_->FinishFile(f.path);
    return result;
  }

  void CheckRecords(const InputFile& f, const SstFile& file, FileResult* result) {
    EntryCursor cursor(file, everything_);
    for (; cursor.Valid(); cursor.Next()) {
      ++result->records;
      Status s = DecodeEntry(f.key_mode, cursor.key(), cursor.value(), &entry_);
      if (s.ok()) continue;
      ++result->bad;
      BadRecord bad;
      bad.key_decoded = DescribeKey(f.key_mode, cursor.key(), &bad.tenant, &bad.key);
      bad.error = s.message();
      ctx_->BadRecord(f.path, "record: " + Where(bad) + ": " + bad.error);
      on_bad_(f, bad);
      if (ctx_->flags().json && report_.total_bad + result->bad <= kMaxListedBadRecords) {
        bad.path = f.path;
        bad.domain = f.domain;
        bad.level = f.level;
        report_.listed.push_back(std::move(bad));
      }
    }
    const Status walk = cursor.status();
    result->complete = walk.ok();
    if (!walk.ok() && result->blocks_ok) {
      // The blocks checked out but reading failed (an I/O error).
      result->problem = walk.message();
      ctx_->Problem(walk);
    }
  }

  RunContext* const ctx_;
  const BadRecordSink on_bad_;
  const KeyFilter everything_;  // the cursor keeps a reference
  DecodedEntry entry_;  // reused from record to record
  VerifyReport report_;
};

bool FileIsClean(const FileResult& r) { return r.blocks_ok && r.complete && r.bad == 0; }

void FileResultJson(common::JsonWriter* json, const FileResult& r) {
  json->BeginObject();
  json->Field("path", r.file->path);
  json->Field("domain", r.file->domain);
  if (r.file->level >= 0) json->Field("level", r.file->level);
  if (r.vanished) {
    json->Field("status", "vanished");
  } else if (!r.opened) {
    json->Field("status", "unreadable");
  } else {
    json->Field("status", FileIsClean(r) ? "ok" : "corrupt");
    json->Field("blocks_ok", r.blocks_ok);
    json->Field("records_checked", r.records);
    json->Field("all_records_reached", r.complete);
    json->Field("bad_records", r.bad);
  }
  if (!r.problem.empty()) json->Field("problem", r.problem);
  json->EndObject();
}

void BadRecordJson(common::JsonWriter* json, const BadRecord& b) {
  json->BeginObject();
  json->Field("path", b.path);
  json->Field("domain", b.domain);
  if (b.level >= 0) json->Field("level", b.level);
  if (!b.tenant.empty()) json->Field("tenant", b.tenant);
  json->Field(b.key_decoded ? "key" : "stored_key", b.key);
  json->Field("error", b.error);
  json->EndObject();
}

void WriteVerifyJson(RunContext* ctx, const VerifyReport& report) {
  common::JsonWriter json;
  ctx->WriteJsonHeader(&json);
  json.Key("files");
  json.BeginArray();
  for (const FileResult& r : report.results) FileResultJson(&json, r);
  json.EndArray();
  json.Key("bad_records_listed");
  json.BeginArray();
  for (const BadRecord& b : report.listed) BadRecordJson(&json, b);
  json.EndArray();
  json.Field("files_checked", report.files_checked);
  json.Field("files_with_bad_blocks", report.files_with_bad_blocks);
  json.Field("unreadable_files", report.unreadable_files);
  json.Field("records_checked", report.total_records);
  json.Field("bad_records", report.total_bad);
  ctx->FinishJson(&json);
}

void ResultsTable(std::ostream& out, const RunContext& ctx, const VerifyReport& report) {
  common::TextTable table(&out, {{"FILE"},
                                 {"DOMAIN"},
                                 {"LEVEL", kRight},
                                 {"BLOCKS"},
                                 {"RECORDS", kRight},
                                 {"BAD", kRight},
                                 {"RESULT"}});
  for (const FileResult& r : report.results) {
    const InputFile& f = *r.file;
    std::vector<std::string> cells{ctx.input().is_database ? f.name : f.path,
                                   f.domain.empty() ? "-" : f.domain,
                                   f.level >= 0 ? std::to_string(f.level) : "-"};
    if (r.vanished) {
      cells.insert(cells.end(), {"-", "-", "-", "skipped: removed by a concurrent compaction"});
    } else if (!r.opened) {
      cells.insert(cells.end(), {"-", "-", "-", "UNREADABLE: " + r.problem});
    } else {
      cells.push_back(r.blocks_ok ? "ok" : "CORRUPT");
      cells.push_back(std::to_string(r.records) + (r.complete ? "" : "+"));
      cells.push_back(std::to_string(r.bad));
      std::string result = FileIsClean(r) ? "ok" : "CORRUPT";
      if (!r.problem.empty()) result += ": " + r.problem;
      cells.push_back(result);
    }
    table.AddRow(cells);
  }
}

void WriteVerifyText(RunContext* ctx, const VerifyReport& report) {
  std::ostream& out = ctx->out();
  out << '\n';
  ResultsTable(out, *ctx, report);
  out << '\n';
  ctx->WriteTextFooter();
  out << "verify: "
      << (ctx->ExitCode() == kExitOk ? "OK"
          : ctx->corruption_found()  ? "CORRUPTION FOUND"
                                     : "INCOMPLETE")
      << ": " << common::CountOf(report.files_checked, "file", "files") << " checked, "
      << common::CountOf(report.total_records, "record", "records") << " checked, "
      << common::CountOf(report.total_bad, "bad record", "bad records") << ", "
      << common::CountOf(report.files_with_bad_blocks, "file", "files") << " with bad blocks, "
      << common::CountOf(report.unreadable_files, "file", "files") << " unreadable or missing\n";
}

}  // namespace

void RunVerify(RunContext* ctx) {
  const bool json = ctx->flags().json;
  if (!json) ctx->WriteTextHeader();
  bool printed_bad = false;
  auto print_bad = [&](const InputFile& f, const BadRecord& bad) {
    if (json) return;
    std::ostream& out = ctx->out();
    if (!printed_bad) out << '\n';
    printed_bad = true;
    out << "BAD  " << ctx->FileLabel(f) << "  " << Where(bad) << ": " << bad.error << '\n';
  };
  const VerifyReport report = Verifier(ctx, print_bad).Run();
  if (json) {
    WriteVerifyJson(ctx, report);
  } else {
    WriteVerifyText(ctx, report);
  }
}

}  // namespace metakv::tools
