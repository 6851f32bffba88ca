// The raw command: stored keys and values as they are, undecoded.
#include <string>

#include "codecs/coding.h"
#include "tools/commands.h"
#include "tools/entry_listing.h"
#include "tools/record_format.h"

namespace metakv::tools {

namespace {

class RawShower : public EntryShower {
 public:
  explicit RawShower(const DumpFlags& flags) : flags_(flags) {}

  std::string_view Noun() const override { return "entry"; }
  std::string_view Nouns() const override { return "entries"; }
  bool Decodes() const override { return false; }
  std::vector<common::TextTable::Column> Columns() const override {
    return {{"KEY"}, {"VALUE_BYTES", common::TextTable::Align::kRight}, {"VALUE"}};
  }

  void BeginFile(const InputFile& f, const SstFile& file, common::JsonWriter* json) override {
    if (json == nullptr) return;
    json->Field("column_family", file.properties().column_family_name);
    json->Field("entries_in_table", file.properties().num_entries);
  }
  std::string HeadingSuffix(const SstFile& file) const override {
    return ", column family '" + file.properties().column_family_name + "'";
  }

  Shown Show(const InputFile& f, std::string_view key, std::string_view value,
             common::JsonWriter* json, common::TextTable* table) override {
    if (json != nullptr) {
      json->BeginObject();
      scratch_.clear();
      codecs::AppendPrintable(key, &scratch_);
      json->Field("key", scratch_);
      json->Field("value_bytes", static_cast<uint64_t>(value.size()));
      scratch_.clear();
      AppendPrintableHead(value, flags_.value_bytes, &scratch_);
      json->Field("value", scratch_);
      json->EndObject();
    } else {
      codecs::AppendPrintable(key, &table->Cell(0));
      table->Cell(1).append(std::to_string(value.size()));
      AppendPrintableHead(value, flags_.value_bytes, &table->Cell(2));
    }
    return Shown::kShown;
  }

 private:
  const DumpFlags& flags_;
  std::string scratch_;
};

}  // namespace

void RunRaw(RunContext* ctx) {
  RawShower shower(ctx->flags());
  RunEntryListing(ctx, KeyFilter::ForRaw(ctx->flags()), &shower);
}

}  // namespace metakv::tools
