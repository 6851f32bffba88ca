// The scan command: one line (or JSON object) per record.
#include <string>

#include "codecs/coding.h"
#include "common/format.h"
#include "tools/commands.h"
#include "tools/entry_decoder.h"
#include "tools/entry_listing.h"
#include "tools/record_format.h"

namespace metakv::tools {

namespace {

enum Col { kDomain, kTenant, kKey, kKind, kTime, kExpiry, kBytes, kValue };

class ScanShower : public EntryShower {
 public:
  ScanShower(const DumpFlags& flags, const KeyFilter& filter, RunContext* ctx)
      : flags_(flags), filter_(filter), ctx_(ctx) {}

  std::string_view Noun() const override { return "record"; }
  std::string_view Nouns() const override { return "records"; }
  bool Decodes() const override { return true; }
  std::vector<common::TextTable::Column> Columns() const override {
    constexpr common::TextTable::Align kRight = common::TextTable::Align::kRight;
    return {{"DOMAIN"}, {"TENANT"}, {"KEY"},           {"KIND"},
            {"TIME"},   {"EXPIRY"}, {"BYTES", kRight}, {"VALUE"}};
  }

  void BeginFile(const InputFile& f, const SstFile& file, common::JsonWriter* json) override {
    tenant_.Reset();
    domain_ = f.domain.empty() ? "-" : f.domain;
    if (json != nullptr) json->Field("domain", f.domain);
  }

  Shown Show(const InputFile& f, std::string_view key, std::string_view value,
             common::JsonWriter* json, common::TextTable* table) override {
    const Status s = DecodeEntry(f.key_mode, key, value, &entry_);
    const bool plain = f.key_mode == KeyMode::kPlain;
    if (s.ok()) {
      if (!filter_.AcceptsUserKey(entry_.user_key)) return Shown::kSkipped;
      if (!plain) tenant_.Update(entry_.tenant_prefix);
    } else {
      ctx_->BadRecord(f.path, s.message());
    }
    if (json != nullptr) {
      json->BeginObject();
      if (s.ok()) {
        if (!plain) json->Field("tenant", tenant_.printable());
        scratch_.clear();
        codecs::AppendPrintable(entry_.user_key, &scratch_);
        json->Field("key", scratch_);
        json->Field("kind", codecs::RecordKindName(entry_.record));
        json->Field("time", entry_.record.time);
        json->Field("expiry", entry_.record.expiry);
        json->Field("expired", entry_.record.IsExpiredAt(ctx_->now()));
        json->Field("value_bytes", static_cast<uint64_t>(entry_.record.payload.size()));
        scratch_.clear();
        AppendPrintableHead(entry_.record.payload, flags_.value_bytes, &scratch_);
        json->Field("value", scratch_);
      } else {
        json->Field("bad", true);
        scratch_.clear();
        codecs::AppendPrintable(key, &scratch_);
        json->Field("stored_key", scratch_);
        json->Field("value_bytes", static_cast<uint64_t>(value.size()));
        json->Field("error", s.message());
      }
      json->EndObject();
    } else {
      table->Cell(kDomain).append(domain_);
      if (s.ok()) {
        table->Cell(kTenant).append(plain ? std::string_view("-") : tenant_.printable());
        codecs::AppendPrintable(entry_.user_key, &table->Cell(kKey));
        table->Cell(kKind).append(KindLabel(entry_.record, ctx_->now()));
        times_.Append(entry_.record.time, &table->Cell(kTime));
        expiries_.Append(entry_.record.expiry, &table->Cell(kExpiry));
        table->Cell(kBytes).append(std::to_string(entry_.record.payload.size()));
        AppendPrintableHead(entry_.record.payload, flags_.value_bytes, &table->Cell(kValue));
      } else {
        table->Cell(kTenant).append("?");
        codecs::AppendPrintable(key, &table->Cell(kKey));
        table->Cell(kKind).append("BAD");
        table->Cell(kTime).append("-");
        table->Cell(kExpiry).append("-");
        table->Cell(kBytes).append(std::to_string(value.size()));
        table->Cell(kValue).append(s.message());
      }
    }
    return s.ok() ? Shown::kShown : Shown::kBad;
  }

 private:
  const DumpFlags& flags_;
  const KeyFilter& filter_;
  RunContext* const ctx_;
  std::string domain_;  // of the current file, as shown
  TenantTracker tenant_;
  TimeCache times_;
  TimeCache expiries_;
  DecodedEntry entry_;
  std::string scratch_;
};

}  // namespace

void RunScan(RunContext* ctx) {
  const KeyFilter filter = KeyFilter::ForDecoded(ctx->flags());
  ScanShower shower(ctx->flags(), filter, ctx);
  RunEntryListing(ctx, filter, &shower);
}

}  // namespace metakv::tools
