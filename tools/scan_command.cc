// The scan command: one line (or JSON object) per record.
#include <memory>
#include <string>

#include "tools/commands.h"
#include "tools/entry_decoder.h"
#include "tools/format.h"
#include "tools/key_filter.h"
#include "tools/record_format.h"
#include "tools/text_table.h"

namespace metakv::tools {

namespace {

// Stream the JSON document in pieces of about this size.
constexpr size_t kJsonFlushBytes = 1 << 20;

enum Col { kDomain, kTenant, kKey, kKind, kTime, kExpiry, kBytes, kValue };

std::vector<TextTable::Column> ScanColumns() {
  return {{"DOMAIN", false}, {"TENANT", false}, {"KEY", false},   {"KIND", false},
          {"TIME", false},   {"EXPIRY", false}, {"BYTES", true},  {"VALUE", false}};
}

}  // namespace

void RunScan(RunContext* ctx) {
  const DumpFlags& flags = ctx->flags();
  const KeyFilter filter = KeyFilter::ForDecoded(flags);
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
  uint64_t bad = 0;
  uint64_t files_read = 0;
  bool limit_reached = false;
  TenantTracker tenant;
  TimeCache times;
  TimeCache expiries;
  DecodedEntry entry;
  std::string scratch;
  for (const InputFile& f : ctx->files()) {
    if (limit_reached) break;
    if (!filter.MayOverlap(f)) continue;
    std::unique_ptr<SstFile> holder;
    const SstFile* file = nullptr;
    bool vanished = false;
    if (!ctx->OpenForReading(f, &holder, &file, &vanished)) continue;
    ++files_read;
    tenant.Reset();
    const std::string domain = f.domain.empty() ? "-" : f.domain;
    std::unique_ptr<TextTable> table;
    if (flags.json) {
      json.BeginObject();
      json.Field("path", f.path);
      json.Field("domain", f.domain);
      if (f.level >= 0) json.Field("level", f.level);
      json.Key("records");
      json.BeginArray();
    } else {
      out << "\n# " << ctx->FileLabel(f) << ": "
          << CountOf(file->properties().num_entries, "entry", "entries") << '\n';
      table = std::make_unique<TextTable>(&out, ScanColumns());
    }
    EntryCursor cursor(*file, filter);
    for (; cursor.Valid(); cursor.Next()) {
      Status s = DecodeEntry(f.key_mode, cursor.key(), cursor.value(), &entry);
      if (s.ok() && !filter.AcceptsUserKey(entry.user_key)) continue;
      if (s.ok() && f.key_mode == KeyMode::kTenant) tenant.Update(entry.tenant_prefix);
      const bool plain = f.key_mode == KeyMode::kPlain;
      if (!s.ok()) {
        ++bad;
        ctx->BadRecord(f.path, s.message());
      }
      if (flags.json) {
        json.BeginObject();
        if (s.ok()) {
          if (!plain) json.Field("tenant", tenant.printable());
          scratch.clear();
          AppendPrintable(entry.user_key, &scratch);
          json.Field("key", scratch);
          json.Field("kind", codecs::RecordKindName(entry.record));
          json.Field("time", entry.record.time);
          json.Field("expiry", entry.record.expiry);
          json.Field("expired", entry.record.IsExpiredAt(ctx->now()));
          json.Field("value_bytes", static_cast<uint64_t>(entry.record.payload.size()));
          scratch.clear();
          AppendPrintableHead(entry.record.payload, flags.value_bytes, &scratch);
          json.Field("value", scratch);
        } else {
          json.Field("bad", true);
          scratch.clear();
          AppendPrintable(cursor.key(), &scratch);
          json.Field("stored_key", scratch);
          json.Field("value_bytes", static_cast<uint64_t>(cursor.value().size()));
          json.Field("error", s.message());
        }
        json.EndObject();
        if (json.buffered_bytes() >= kJsonFlushBytes) json.WriteTo(&out);
      } else {
        table->Cell(kDomain).append(domain);
        if (s.ok()) {
          table->Cell(kTenant).append(plain ? std::string_view("-") : tenant.printable());
          AppendPrintable(entry.user_key, &table->Cell(kKey));
          table->Cell(kKind).append(KindLabel(entry.record, ctx->now()));
          times.Append(entry.record.time, &table->Cell(kTime));
          expiries.Append(entry.record.expiry, &table->Cell(kExpiry));
          table->Cell(kBytes).append(std::to_string(entry.record.payload.size()));
          AppendPrintableHead(entry.record.payload, flags.value_bytes, &table->Cell(kValue));
        } else {
          table->Cell(kTenant).append("?");
          AppendPrintable(cursor.key(), &table->Cell(kKey));
          table->Cell(kKind).append("BAD");
          table->Cell(kTime).append("-");
          table->Cell(kExpiry).append("-");
          table->Cell(kBytes).append(std::to_string(cursor.value().size()));
          table->Cell(kValue).append(s.message());
        }
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
    json.Field("records_shown", shown);
    json.Field("bad_records", bad);
    json.Field("limit_reached", limit_reached);
    ctx->WriteJsonFooter(&json);
    json.WriteTo(&out);
    out << '\n';
  } else {
    out << "\n# " << CountOf(shown, "record", "records") << " shown";
    if (bad > 0) out << " (" << bad << " bad)";
    out << " from " << CountOf(files_read, "file", "files");
    if (limit_reached) out << "; stopped at --limit=" << flags.limit;
    out << '\n';
    ctx->WriteTextFooter();
  }
}

}  // namespace metakv::tools
