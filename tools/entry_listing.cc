#include "tools/entry_listing.h"

#include <memory>

#include "common/format.h"

namespace metakv::tools {

namespace {
// Stream the JSON document in pieces of about this size.
constexpr size_t kJsonFlushBytes = 1 << 20;
}  // namespace

void RunEntryListing(RunContext* ctx, const KeyFilter& filter, EntryShower* shower) {
  const DumpFlags& flags = ctx->flags();
  std::ostream& out = ctx->out();
  const std::string nouns(shower->Nouns());
  common::JsonWriter json;
  common::JsonWriter* const json_or_null = flags.json ? &json : nullptr;
  if (flags.json) {
    ctx->WriteJsonHeader(&json);
    json.Key("files");
    json.BeginArray();
  } else {
    ctx->WriteTextHeader();
  }

  uint64_t shown = 0;
  uint64_t bad = 0;
  uint64_t files_read = 0;
  bool limit_reached = false;
  for (const InputFile& f : ctx->files()) {
    if (limit_reached) break;
    if (!filter.MayOverlap(f)) continue;
    std::unique_ptr<SstFile> holder;
    const SstFile* file = nullptr;
    bool vanished = false;
    if (!ctx->OpenForReading(f, &holder, &file, &vanished)) continue;
    ++files_read;
    std::unique_ptr<common::TextTable> table;
    if (flags.json) {
      json.BeginObject();
      json.Field("path", f.path);
      shower->BeginFile(f, *file, &json);
      if (f.level >= 0) json.Field("level", f.level);
      json.Key(nouns);
      json.BeginArray();
    } else {
      shower->BeginFile(f, *file, nullptr);
      out << "\n# " << ctx->FileLabel(f) << ": "
          << common::CountOf(file->properties().num_entries, "entry", "entries")
          << shower->HeadingSuffix(*file) << '\n';
      table = std::make_unique<common::TextTable>(&out, shower->Columns());
    }
    EntryCursor cursor(*file, filter);
    for (; cursor.Valid(); cursor.Next()) {
      const EntryShower::Shown s =
          shower->Show(f, cursor.key(), cursor.value(), json_or_null, table.get());
      if (s == EntryShower::Shown::kSkipped) continue;
      if (s == EntryShower::Shown::kBad) ++bad;
      if (flags.json) {
        if (json.buffered_bytes() >= kJsonFlushBytes) json.WriteTo(&out);
      } else {
        table->EndRow();
      }
      ++shown;
      if (flags.limit != 0 && shown >= flags.limit) {
        limit_reached = true;
        break;
      }
    }
    const Status walk = cursor.status();
    if (!walk.ok()) ctx->Problem(walk);
    ctx->FinishFile(f.path);
    if (flags.json) {
      json.EndArray();
      json.Field("complete", walk.ok() && !limit_reached);
      json.EndObject();
      json.WriteTo(&out);
    } else {
      table.reset();  // prints the rows
      if (!walk.ok()) out << "# stopped early: " << walk.message() << '\n';
    }
  }

  if (flags.json) {
    json.EndArray();
    json.Field("files_read", files_read);
    json.Field(nouns + "_shown", shown);
    if (shower->Decodes()) json.Field("bad_records", bad);
    json.Field("limit_reached", limit_reached);
    ctx->FinishJson(&json);
    return;
  }
  out << "\n# " << common::CountOf(shown, shower->Noun(), shower->Nouns()) << " shown";
  if (bad > 0) out << " (" << bad << " bad)";
  out << " from " << common::CountOf(files_read, "file", "files");
  if (limit_reached) out << "; stopped at --limit=" << flags.limit;
  out << '\n';
  ctx->WriteTextFooter();
}

}  // namespace metakv::tools
