// The verify command: every block checksum (through RocksDB), then every
// record's checksum and encoding; each bad record named by file and key.
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

}  // namespace

void RunVerify(RunContext* ctx) {
  const DumpFlags& flags = ctx->flags();
  const KeyFilter everything;
  std::ostream& out = ctx->out();
  if (!flags.json) ctx->WriteTextHeader();

  std::vector<FileResult> results;
  std::vector<BadRecord> listed;
  uint64_t total_records = 0;
  uint64_t total_bad = 0;
  uint64_t files_with_bad_blocks = 0;
  uint64_t unreadable_files = 0;
  DecodedEntry entry;
  bool printed_bad = false;
  for (const InputFile& f : ctx->files()) {
    FileResult result;
    result.file = &f;
    std::unique_ptr<SstFile> holder;
    const SstFile* file = nullptr;
    const size_t problems_before = ctx->problems().size();
    if (!ctx->OpenForReading(f, &holder, &file, &result.vanished)) {
      if (!result.vanished) {
        ++unreadable_files;
        if (ctx->problems().size() > problems_before) result.problem = ctx->problems().back();
      }
      results.push_back(std::move(result));
      continue;
    }
    result.opened = true;
    const Status blocks = file->VerifyBlockChecksums();
    result.blocks_ok = blocks.ok();
    if (!blocks.ok()) {
      ++files_with_bad_blocks;
      result.problem = blocks.message();
      ctx->Problem(blocks);
    }
    EntryCursor cursor(*file, everything);
    for (; cursor.Valid(); cursor.Next()) {
      ++result.records;
      Status s = DecodeEntry(f.key_mode, cursor.key(), cursor.value(), &entry);
      if (s.ok()) continue;
      ++result.bad;
      BadRecord bad;
      bad.key_decoded = DescribeKey(f.key_mode, cursor.key(), &bad.tenant, &bad.key);
      bad.error = s.message();
      std::string where =
          bad.tenant.empty() ? "key " + bad.key : "tenant " + bad.tenant + " key " + bad.key;
      ctx->BadRecord(f.path, "record: " + where + ": " + bad.error);
      if (flags.json) {
        if (total_bad + result.bad <= kMaxListedBadRecords) {
          bad.path = f.path;
          bad.domain = f.domain;
          bad.level = f.level;
          listed.push_back(std::move(bad));
        }
      } else {
        if (!printed_bad) out << '\n';
        printed_bad = true;
        out << "BAD  " << ctx->FileLabel(f) << "  " << where << ": " << bad.error << '\n';
      }
    }
    const Status walk = cursor.status();
    result.complete = walk.ok();
    if (!walk.ok() && blocks.ok()) {
      // The blocks checked out but reading failed (an I/O error).
      result.problem = walk.message();
      ctx->Problem(walk);
    }
    ctx->FinishFile(f.path);
    total_records += result.records;
    total_bad += result.bad;
    results.push_back(std::move(result));
  }

  const bool clean = ctx->ExitCode() == kExitOk;
  uint64_t files_checked = 0;
  for (const auto& r : results) files_checked += r.opened ? 1 : 0;

  if (flags.json) {
    common::JsonWriter json;
    ctx->WriteJsonHeader(&json);
    json.Key("files");
    json.BeginArray();
    for (const FileResult& r : results) {
      json.BeginObject();
      json.Field("path", r.file->path);
      json.Field("domain", r.file->domain);
      if (r.file->level >= 0) json.Field("level", r.file->level);
      if (r.vanished) {
        json.Field("status", "vanished");
      } else if (!r.opened) {
        json.Field("status", "unreadable");
      } else {
        json.Field("status", r.blocks_ok && r.complete && r.bad == 0 ? "ok" : "corrupt");
        json.Field("blocks_ok", r.blocks_ok);
        json.Field("records_checked", r.records);
        json.Field("all_records_reached", r.complete);
        json.Field("bad_records", r.bad);
      }
      if (!r.problem.empty()) json.Field("problem", r.problem);
      json.EndObject();
    }
    json.EndArray();
    json.Key("bad_records_listed");
    json.BeginArray();
    for (const BadRecord& b : listed) {
      json.BeginObject();
      json.Field("path", b.path);
      json.Field("domain", b.domain);
      if (b.level >= 0) json.Field("level", b.level);
      if (!b.tenant.empty()) json.Field("tenant", b.tenant);
      json.Field(b.key_decoded ? "key" : "stored_key", b.key);
      json.Field("error", b.error);
      json.EndObject();
    }
    json.EndArray();
    json.Field("files_checked", files_checked);
    json.Field("files_with_bad_blocks", files_with_bad_blocks);
    json.Field("unreadable_files", unreadable_files);
    json.Field("records_checked", total_records);
    json.Field("bad_records", total_bad);
    ctx->FinishJson(&json);
    return;
  }

  out << '\n';
  {
    common::TextTable table(&out, {{"FILE"},
                                   {"DOMAIN"},
                                   {"LEVEL", kRight},
                                   {"BLOCKS"},
                                   {"RECORDS", kRight},
                                   {"BAD", kRight},
                                   {"RESULT"}});
    for (const FileResult& r : results) {
      const InputFile& f = *r.file;
      std::vector<std::string> cells{ctx->input().is_database ? f.name : f.path,
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
        std::string result = r.blocks_ok && r.complete && r.bad == 0 ? "ok" : "CORRUPT";
        if (!r.problem.empty()) result += ": " + r.problem;
        cells.push_back(result);
      }
      table.AddRow(cells);
    }
  }
  out << '\n';
  ctx->WriteTextFooter();
  out << "verify: "
      << (clean                     ? "OK"
          : ctx->corruption_found() ? "CORRUPTION FOUND"
                                    : "INCOMPLETE")
      << ": " << common::CountOf(files_checked, "file", "files") << " checked, "
      << common::CountOf(total_records, "record", "records") << " checked, "
      << common::CountOf(total_bad, "bad record", "bad records") << ", "
      << common::CountOf(files_with_bad_blocks, "file", "files") << " with bad blocks, "
      << common::CountOf(unreadable_files, "file", "files") << " unreadable or missing\n";
}

}  // namespace metakv::tools
