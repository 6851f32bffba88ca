// The raw command: stored keys and values as they are, undecoded.
#include <memory>
#include <string>

#include "tools/commands.h"
#include "tools/format.h"
#include "tools/key_filter.h"
#include "tools/text_table.h"

namespace metakv::tools {

namespace {
constexpr size_t kJsonFlushBytes = 1 << 20;
}

void RunRaw(RunContext* ctx) {
  const DumpFlags& flags = ctx->flags();
  const KeyFilter filter = KeyFilter::ForRaw(flags);
  std::ostream& out = ctx->out();
  JsonWriter json;
  if (flags.json) {
    ctx->WriteJsonHeader(&json);
    json.Key("files");
    json.BeginArray();
  } else {
    ctx->WriteTextHeader();
  }
  uint64_t shown = 0;
  uint64_t files_read = 0;
  bool limit_reached = false;
  std::string scratch;
  for (const InputFile& f : ctx->files()) {
    if (limit_reached) break;
    if (!filter.MayOverlap(f)) continue;
    std::unique_ptr<SstFile> holder;
    const SstFile* file = nullptr;
    bool vanished = false;
    if (!ctx->OpenForReading(f, &holder, &file, &vanished)) continue;
    ++files_read;
    std::unique_ptr<TextTable> table;
    if (flags.json) {
      json.BeginObject();
      json.Field("path", f.path);
      json.Field("column_family", file->properties().column_family_name);
      if (f.level >= 0) json.Field("level", f.level);
      json.Field("entries_in_table", file->properties().num_entries);
      json.Key("entries");
      json.BeginArray();
    } else {
      out << "\n# " << ctx->FileLabel(f) << ": "
          << CountOf(file->properties().num_entries, "entry", "entries") << ", column family '"
          << file->properties().column_family_name << "'\n";
      table = std::make_unique<TextTable>(
          &out, std::vector<TextTable::Column>{{"KEY", false}, {"VALUE_BYTES", true}, {"VALUE", false}});
    }
    EntryCursor cursor(*file, filter);
    for (; cursor.Valid(); cursor.Next()) {
      if (flags.json) {
        json.BeginObject();
        scratch.clear();
        AppendPrintable(cursor.key(), &scratch);
        json.Field("key", scratch);
        json.Field("value_bytes", static_cast<uint64_t>(cursor.value().size()));
        scratch.clear();
        AppendPrintableHead(cursor.value(), flags.value_bytes, &scratch);
        json.Field("value", scratch);
        json.EndObject();
        if (json.buffered_bytes() >= kJsonFlushBytes) json.WriteTo(&out);
      } else {
        AppendPrintable(cursor.key(), &table->Cell(0));
        table->Cell(1).append(std::to_string(cursor.value().size()));
        AppendPrintableHead(cursor.value(), flags.value_bytes, &table->Cell(2));
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
    if (flags.json) {
      json.EndArray();
      json.Field("complete", walk.ok() && !limit_reached);
      json.EndObject();
      json.WriteTo(&out);
    } else {
      table.reset();
      if (!walk.ok()) out << "# stopped early: " << walk.message() << '\n';
    }
  }
  if (flags.json) {
    json.EndArray();
    json.Field("files_read", files_read);
    json.Field("entries_shown", shown);
    json.Field("limit_reached", limit_reached);
    ctx->WriteJsonFooter(&json);
    json.WriteTo(&out);
    out << '\n';
  } else {
    out << "\n# " << CountOf(shown, "entry", "entries") << " shown from "
        << CountOf(files_read, "file", "files");
    if (limit_reached) out << "; stopped at --limit=" << flags.limit;
    out << '\n';
    ctx->WriteTextFooter();
  }
}

}  // namespace metakv::tools
