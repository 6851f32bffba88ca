// The stats command: records and bytes by kind and tenant, per file, per
// level, per domain and in total, with each file's key range and table
// properties.
#include <algorithm>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "common/format.h"
#include "common/text_table.h"
#include "tools/commands.h"
#include "tools/entry_decoder.h"
#include "tools/key_filter.h"
#include "tools/record_format.h"
#include "tools/record_stats.h"

namespace metakv::tools {

namespace {

constexpr common::TextTable::Align kRight = common::TextTable::Align::kRight;

struct Properties {
  uint64_t entries = 0;
  uint64_t deletions = 0;
  uint64_t range_deletions = 0;
  uint64_t merge_operands = 0;
  uint64_t data_bytes = 0;
  uint64_t index_bytes = 0;
  uint64_t filter_bytes = 0;
  uint64_t data_blocks = 0;
  uint64_t raw_key_bytes = 0;
  uint64_t raw_value_bytes = 0;
  uint64_t format_version = 0;
  uint64_t creation_time = 0;
  uint64_t oldest_key_time = 0;
  uint64_t file_creation_time = 0;
  std::string compression;
  std::string compression_options;
  std::string column_family;
  std::string comparator;
  std::string filter_policy;
};

Properties Summarize(const rocksdb::TableProperties& p) {
  Properties s;
  s.entries = p.num_entries;
  s.deletions = p.num_deletions;
  s.range_deletions = p.num_range_deletions;
  s.merge_operands = p.num_merge_operands;
  s.data_bytes = p.data_size;
  s.index_bytes = p.index_size;
  s.filter_bytes = p.filter_size;
  s.data_blocks = p.num_data_blocks;
  s.raw_key_bytes = p.raw_key_size;
  s.raw_value_bytes = p.raw_value_size;
  s.format_version = p.format_version;
  s.creation_time = p.creation_time;
  s.oldest_key_time = p.oldest_key_time;
  s.file_creation_time = p.file_creation_time;
  s.compression = p.compression_name;
  s.compression_options = p.compression_options;
  s.column_family = p.column_family_name;
  s.comparator = p.comparator_name;
  s.filter_policy = p.filter_policy_name;
  return s;
}

struct KeyPoint {
  bool present = false;
  bool decoded = false;
  std::string tenant;  // printable; empty for plain keys or keys that do not decode
  std::string key;     // printable user key (or the whole stored key)
};

struct FileReport {
  InputFile file;
  uint64_t file_bytes = 0;
  bool complete = false;
  std::string stopped;  // why the walk stopped early
  RecordTotals totals;
  std::vector<TenantRow> top;
  RecordTotals other;
  uint64_t other_tenants = 0;
  uint64_t tenants = 0;
  KeyPoint smallest;
  KeyPoint largest;
  Properties props;
  // Entries in the table that the walk cannot show: older versions of a
  // key and RocksDB point deletions. Known only for a full, unfiltered walk.
  bool hidden_known = false;
  uint64_t hidden = 0;
};

struct LevelReport {
  uint64_t files = 0;
  uint64_t file_bytes = 0;
  RecordTotals totals;
};

struct DomainReport {
  std::string name;
  uint64_t files = 0;
  uint64_t file_bytes = 0;
  RecordTotals totals;
  std::map<int, LevelReport> levels;
  TenantTable tenants;
  bool has_tenants = false;
};

void ReadKeyRange(const SstFile& file, KeyMode mode, FileReport* report) {
  std::unique_ptr<rocksdb::Iterator> it = file.NewIterator();
  auto describe = [&](KeyPoint* point) {
    point->present = true;
    const std::string_view key(it->key().data(), it->key().size());
    point->decoded = DescribeKey(mode, key, &point->tenant, &point->key);
  };
  it->SeekToFirst();
  if (it->Valid()) describe(&report->smallest);
  it->SeekToLast();
  if (it->Valid()) describe(&report->largest);
}

std::string KeyPointText(const KeyPoint& p) {
  if (!p.present) return "-";
  if (p.tenant.empty()) return p.key;
  return p.tenant + " " + p.key;
}

// ---------------------------------------------------------------- text ----

std::vector<common::TextTable::Column> WithTotalsColumns(
    std::vector<common::TextTable::Column> lead) {
  for (const char* h : {"RECORDS", "BYTES", "LIVE", "EXPIRING", "TOMBSTONE", "GHOST_BYTES",
                        "GHOST%", "EXPIRED", "PURGEABLE", "PURGEABLE_FOR", "BAD"}) {
    lead.push_back({h, kRight});
  }
  return lead;
}

// How long the oldest purgeable record has been purgeable at now: "-" if
// none is.
std::string PurgeableFor(const RecordTotals& t, uint64_t now) {
  if (t.oldest_purgeable == 0 || t.oldest_purgeable > now) return "-";
  return std::to_string(now - t.oldest_purgeable) + "s";
}

void TotalsCells(const RecordTotals& t, uint64_t now, std::vector<std::string>* cells) {
  cells->push_back(std::to_string(t.all.records));
  cells->push_back(std::to_string(t.all.bytes));
  cells->push_back(std::to_string(t.live.records));
  cells->push_back(std::to_string(t.expiring.records));
  cells->push_back(std::to_string(t.tombstone.records));
  cells->push_back(std::to_string(t.tombstone.bytes));
  std::string pct;
  common::AppendPercent(common::Share(t.tombstone.bytes, t.all.bytes), &pct);
  cells->push_back(pct);
  cells->push_back(std::to_string(t.expired.records));
  cells->push_back(std::to_string(t.purgeable.records));
  cells->push_back(PurgeableFor(t, now));
  cells->push_back(std::to_string(t.bad.records));
}

void TenantTableText(std::ostream& out, uint64_t now, const std::string& title,
                     const std::vector<TenantRow>& top, const RecordTotals& other,
                     uint64_t other_tenants, bool untracked, const std::string& indent) {
  out << indent << title << '\n';
  common::TextTable table(&out, WithTotalsColumns({{indent + "TENANT"}}));
  for (const TenantRow& row : top) {
    std::vector<std::string> cells{indent + row.tenant};
    TotalsCells(row.totals, now, &cells);
    table.AddRow(cells);
  }
  if (!other.empty()) {
    std::string label = indent + "(other: " + common::CountOf(other_tenants, "tenant", "tenants");
    if (untracked) label += " and more not tracked";
    label += ")";
    std::vector<std::string> cells{label};
    TotalsCells(other, now, &cells);
    table.AddRow(cells);
  }
}

std::string Ratio(uint64_t raw, uint64_t stored) {
  if (stored == 0) return "-";
  return common::FormatFixed(static_cast<double>(raw) / static_cast<double>(stored), 2) + "x";
}

// ---------------------------------------------------------------- json ----

void CounterJson(common::JsonWriter* json, std::string_view name, const Counter& c) {
  json->Key(name);
  json->BeginObject();
  json->Field("records", c.records);
  json->Field("bytes", c.bytes);
  json->EndObject();
}

void TotalsFields(common::JsonWriter* json, const RecordTotals& t) {
  json->Field("records", t.all.records);
  json->Field("bytes", t.all.bytes);
  json->Field("key_bytes", t.key_bytes);
  json->Field("value_bytes", t.value_bytes);
  CounterJson(json, "live", t.live);
  CounterJson(json, "expiring", t.expiring);
  CounterJson(json, "tombstone", t.tombstone);
  CounterJson(json, "expired", t.expired);
  CounterJson(json, "purgeable", t.purgeable);
  json->Key("oldest_purgeable_time");
  if (t.oldest_purgeable == 0) {
    json->Null();
  } else {
    json->Uint(t.oldest_purgeable);
  }
  CounterJson(json, "bad", t.bad);
  json->Field("ghost_records_share", common::Share(t.tombstone.records, t.all.records));
  json->Field("ghost_bytes_share", common::Share(t.tombstone.bytes, t.all.bytes));
}

void TotalsJson(common::JsonWriter* json, std::string_view name, const RecordTotals& t) {
  json->Key(name);
  json->BeginObject();
  TotalsFields(json, t);
  json->EndObject();
}

void TenantsJson(common::JsonWriter* json, const std::vector<TenantRow>& top,
                 const RecordTotals& other, uint64_t other_tenants, bool untracked) {
  json->Key("tenants");
  json->BeginArray();
  for (const TenantRow& row : top) {
    json->BeginObject();
    json->Field("tenant", row.tenant);
    TotalsFields(json, row.totals);
    json->EndObject();
  }
  json->EndArray();
  json->Key("other_tenants");
  json->BeginObject();
  json->Field("tenants", other_tenants);
  json->Field("untracked", untracked);
  TotalsFields(json, other);
  json->EndObject();
}

void KeyPointJson(common::JsonWriter* json, std::string_view name, const KeyPoint& p) {
  json->Key(name);
  if (!p.present) {
    json->Null();
    return;
  }
  json->BeginObject();
  if (!p.tenant.empty()) json->Field("tenant", p.tenant);
  json->Field(p.decoded ? "key" : "stored_key", p.key);
  json->EndObject();
}

void PropertiesJson(common::JsonWriter* json, const Properties& p) {
  json->Key("properties");
  json->BeginObject();
  json->Field("entries", p.entries);
  json->Field("deletions", p.deletions);
  json->Field("range_deletions", p.range_deletions);
  json->Field("merge_operands", p.merge_operands);
  json->Field("data_bytes", p.data_bytes);
  json->Field("index_bytes", p.index_bytes);
  json->Field("filter_bytes", p.filter_bytes);
  json->Field("data_blocks", p.data_blocks);
  json->Field("raw_key_bytes", p.raw_key_bytes);
  json->Field("raw_value_bytes", p.raw_value_bytes);
  json->Field("compression", p.compression);
  json->Field("compression_options", p.compression_options);
  json->Field("format_version", p.format_version);
  json->Field("column_family", p.column_family);
  json->Field("comparator", p.comparator);
  json->Field("filter_policy", p.filter_policy);
  json->Field("creation_time", p.creation_time);
  json->Field("oldest_key_time", p.oldest_key_time);
  json->Field("file_creation_time", p.file_creation_time);
  json->EndObject();
}

// A tenant table's top n rows and what the rest add up to.
struct TopRows {
  std::vector<TenantRow> top;
  RecordTotals other;
  uint64_t other_count = 0;
};

TopRows TopOf(const TenantTable& tenants, size_t n) {
  TopRows rows;
  tenants.Top(n, &rows.top, &rows.other, &rows.other_count);
  return rows;
}

// "tenant_count" and the top tenants of a domain or of all domains.
void TenantSummaryJson(common::JsonWriter* json, const TenantTable& tenants, size_t top_n) {
  const TopRows rows = TopOf(tenants, top_n);
  json->Field("tenant_count", tenants.tracked());
  TenantsJson(json, rows.top, rows.other, rows.other_count, tenants.untracked());
}

// ----------------------------------------------------------- computing ----

// Everything the command shows, computed over every file before any of it
// is printed.
struct StatsReport {
  std::vector<FileReport> files;
  // The database's domains in its order (empty ones too), then any other
  // domain as its first file is met.
  std::vector<DomainReport> domains;
  RecordTotals total;
  TenantTable all_tenants;
  bool any_tenants = false;
  uint64_t total_files = 0;
  uint64_t total_file_bytes = 0;
};

// Walks the input's files into a StatsReport. The decoding buffers are
// reused from file to file.
class StatsCollector {
 public:
  explicit StatsCollector(RunContext* ctx)
      : ctx_(ctx),
        filter_(KeyFilter::ForDecoded(ctx->flags())),
        top_n_(static_cast<size_t>(ctx->flags().top)) {}

  StatsReport Collect() {
    if (ctx_->input().is_database) {
      for (const DomainInfo& d : ctx_->input().domains) DomainNamed(d.name);
    }
    for (const InputFile& f : ctx_->files()) {
      if (filter_.MayOverlap(f)) AddFile(f);
    }
    for (const auto& d : stats_.domains) {
      stats_.total_files += d.files;
      stats_.total_file_bytes += d.file_bytes;
    }
    return std::move(stats_);
  }

 private:
  DomainReport& DomainNamed(const std::string& name) {
    for (auto& d : stats_.domains) {
      if (d.name == name) return d;
    }
    stats_.domains.emplace_back();
    stats_.domains.back().name = name;
    return stats_.domains.back();
  }

  void AddFile(const InputFile& f) {
    std::unique_ptr<SstFile> holder;
    const SstFile* file = nullptr;
    bool vanished = false;
    if (!ctx_->OpenForReading(f, &holder, &file, &vanished)) return;
    DomainReport& domain = DomainNamed(f.domain.empty() ? "-" : f.domain);

    FileReport report;
    report.file = f;
    report.file_bytes = file->file_bytes();
    report.props = Summarize(file->properties());
    ReadKeyRange(*file, f.key_mode, &report);
    TopTenants top(top_n_);
    Walk(f, *file, &top, &domain, &report);
    ctx_->FinishFile(f.path);
    report.top = top.Sorted();
    report.other = top.other();
    report.other_tenants = top.other_tenants();
    report.tenants = top.tenants();
    if (report.complete && filter_.selects_all()) {
      const uint64_t seen = report.totals.all.records + report.totals.bad.records;
      report.hidden_known = true;
      report.hidden = report.props.entries > seen ? report.props.entries - seen : 0;
    }

    domain.files += 1;
    domain.file_bytes += report.file_bytes;
    domain.totals.Merge(report.totals);
    LevelReport& level = domain.levels[f.level];
    level.files += 1;
    level.file_bytes += report.file_bytes;
    level.totals.Merge(report.totals);
    stats_.total.Merge(report.totals);
    stats_.files.push_back(std::move(report));
  }

  // Counts the file's records into report->totals, tenant by tenant (into
  // *top, the domain's and all domains' tenant tables) for tenant keys.
  void Walk(const InputFile& f, const SstFile& file, TopTenants* top, DomainReport* domain,
            FileReport* report) {
    RecordTotals current;  // of the tenant being walked
    bool in_tenant = false;
    auto end_tenant = [&] {
      if (!in_tenant) return;
      top->Add(tenant_.printable(), current);
      domain->tenants.Add(tenant_.printable(), current);
      stats_.all_tenants.Add(tenant_.printable(), current);
      domain->has_tenants = stats_.any_tenants = true;
      report->totals.Merge(current);
      current = RecordTotals();
      in_tenant = false;
    };
    const uint64_t retention = ctx_->flags().retention_seconds;
    tenant_.Reset();
    EntryCursor cursor(file, filter_);
    for (; cursor.Valid(); cursor.Next()) {
      const std::string_view key = cursor.key();
      const std::string_view value = cursor.value();
      Status s = DecodeEntry(f.key_mode, key, value, &entry_);
      if (!s.ok()) {
        report->totals.AddBad(key.size() + value.size());
        ctx_->BadRecord(f.path, s.message());
        continue;
      }
      if (!filter_.AcceptsUserKey(entry_.user_key)) continue;
      if (f.key_mode == KeyMode::kPlain) {
        report->totals.Add(entry_.record, key.size(), value.size(), ctx_->now(), retention);
        continue;
      }
      if (!tenant_.Matches(entry_.tenant_prefix)) {
        end_tenant();
        tenant_.Update(entry_.tenant_prefix);
        in_tenant = true;
      }
      current.Add(entry_.record, key.size(), value.size(), ctx_->now(), retention);
    }
    end_tenant();
    const Status walk = cursor.status();
    report->complete = walk.ok();
    if (!walk.ok()) {
      report->stopped = walk.message();
      ctx_->Problem(walk);
    }
  }

  RunContext* const ctx_;
  const KeyFilter filter_;
  const size_t top_n_;
  TenantTracker tenant_;
  DecodedEntry entry_;
  StatsReport stats_;
};

// ------------------------------------------------------------ printing ----

uint64_t UnflushedEntries(const RunContext& ctx, const std::string& domain) {
  for (const DomainInfo& d : ctx.input().domains) {
    if (d.name == domain) return d.unflushed_entries;
  }
  return 0;
}

// Domains the output lists: every domain of a database, only those with
// files for files given alone.
bool Listed(const RunContext& ctx, const DomainReport& d) {
  return d.files != 0 || ctx.input().is_database;
}

void FileJson(common::JsonWriter* json, const FileReport& r) {
  json->BeginObject();
  json->Field("path", r.file.path);
  json->Field("name", r.file.name);
  json->Field("domain", r.file.domain);
  if (r.file.level >= 0) json->Field("level", r.file.level);
  json->Field("file_bytes", r.file_bytes);
  json->Field("complete", r.complete);
  if (!r.complete) json->Field("stopped", r.stopped);
  TotalsJson(json, "totals", r.totals);
  if (r.file.key_mode == KeyMode::kTenant) {
    json->Field("tenant_count", r.tenants);
    TenantsJson(json, r.top, r.other, r.other_tenants, false);
  }
  json->Key("key_range");
  json->BeginObject();
  KeyPointJson(json, "smallest", r.smallest);
  KeyPointJson(json, "largest", r.largest);
  json->EndObject();
  if (r.hidden_known) json->Field("entries_not_shown", r.hidden);
  PropertiesJson(json, r.props);
  json->EndObject();
}

void DomainJson(common::JsonWriter* json, const DomainReport& d, uint64_t unflushed, size_t top_n) {
  json->BeginObject();
  json->Field("domain", d.name);
  json->Field("files", d.files);
  json->Field("file_bytes", d.file_bytes);
  json->Field("unflushed_entries", unflushed);
  TotalsJson(json, "totals", d.totals);
  json->Key("levels");
  json->BeginArray();
  for (const auto& [level, l] : d.levels) {
    json->BeginObject();
    if (level >= 0) json->Field("level", level);
    json->Field("files", l.files);
    json->Field("file_bytes", l.file_bytes);
    TotalsJson(json, "totals", l.totals);
    json->EndObject();
  }
  json->EndArray();
  if (d.has_tenants) TenantSummaryJson(json, d.tenants, top_n);
  json->EndObject();
}

void WriteStatsJson(RunContext* ctx, const StatsReport& stats, size_t top_n) {
  common::JsonWriter json;
  ctx->WriteJsonHeader(&json);
  json.Key("files");
  json.BeginArray();
  for (const FileReport& r : stats.files) FileJson(&json, r);
  json.EndArray();
  json.Key("by_domain");
  json.BeginArray();
  for (const DomainReport& d : stats.domains) {
    if (Listed(*ctx, d)) DomainJson(&json, d, UnflushedEntries(*ctx, d.name), top_n);
  }
  json.EndArray();
  json.Key("total");
  json.BeginObject();
  json.Field("files", stats.total_files);
  json.Field("file_bytes", stats.total_file_bytes);
  TotalsJson(&json, "totals", stats.total);
  TenantSummaryJson(&json, stats.all_tenants, top_n);
  json.EndObject();
  ctx->FinishJson(&json);
}

void FilesTable(std::ostream& out, const StatsReport& stats, uint64_t now) {
  common::TextTable table(
      &out,
      WithTotalsColumns(
          {{"FILE"}, {"DOMAIN"}, {"LEVEL", kRight}, {"FILE_BYTES", kRight}, {"COMPRESSION"}}));
  for (const FileReport& r : stats.files) {
    std::vector<std::string> cells{r.file.name, r.file.domain.empty() ? "-" : r.file.domain,
                                   r.file.level >= 0 ? std::to_string(r.file.level) : "-",
                                   std::to_string(r.file_bytes), r.props.compression};
    TotalsCells(r.totals, now, &cells);
    table.AddRow(cells);
  }
}

void DomainsTable(std::ostream& out, const RunContext& ctx, const StatsReport& stats) {
  common::TextTable table(
      &out, WithTotalsColumns(
                {{"DOMAIN"}, {"LEVEL", kRight}, {"FILES", kRight}, {"FILE_BYTES", kRight}}));
  auto add_row = [&](std::string name, std::string level, uint64_t files, uint64_t bytes,
                     const RecordTotals& totals) {
    std::vector<std::string> cells{std::move(name), std::move(level), std::to_string(files),
                                   std::to_string(bytes)};
    TotalsCells(totals, ctx.now(), &cells);
    table.AddRow(cells);
  };
  for (const DomainReport& d : stats.domains) {
    if (!Listed(ctx, d)) continue;
    for (const auto& [level, l] : d.levels) {
      add_row(d.name, level >= 0 ? std::to_string(level) : "-", l.files, l.file_bytes, l.totals);
    }
    add_row(d.name, "all", d.files, d.file_bytes, d.totals);
  }
  add_row("(total)", "all", stats.total_files, stats.total_file_bytes, stats.total);
}

// The top tenants of one domain, or of all: a title line and a table.
void TenantSummaryText(std::ostream& out, uint64_t now, const std::string& of,
                       const TenantTable& tenants, size_t top_n) {
  const TopRows rows = TopOf(tenants, top_n);
  out << '\n';
  TenantTableText(out, now,
                  "Tenants of " + of + " (" +
                      common::CountOf(tenants.tracked(), "tenant", "tenants") + "; top " +
                      std::to_string(top_n) + " by bytes)",
                  rows.top, rows.other, rows.other_count, tenants.untracked(), "");
}

void FileDetailsText(std::ostream& out, const RunContext& ctx, const FileReport& r, size_t top_n) {
  const Properties& p = r.props;
  out << '\n' << ctx.FileLabel(r.file) << '\n';
  common::TextTable table(&out, {{""}, {""}});
  table.HideHeader();
  table.AddRow({"  key range", KeyPointText(r.smallest) + "  ..  " + KeyPointText(r.largest)});
  std::string entries = std::to_string(p.entries) + " in the table; " +
                        std::to_string(p.deletions) + " RocksDB deletions, " +
                        std::to_string(p.range_deletions) + " range deletions";
  if (r.hidden_known) {
    entries += "; " + std::to_string(r.hidden) + " not shown (deletions, older versions)";
  }
  table.AddRow({"  entries", entries});
  if (!r.complete) table.AddRow({"  stopped early", r.stopped});
  table.AddRow({"  sizes", "file " + std::to_string(r.file_bytes) + ", data " +
                               std::to_string(p.data_bytes) + ", index " +
                               std::to_string(p.index_bytes) + ", filter " +
                               std::to_string(p.filter_bytes) + "; " +
                               common::CountOf(p.data_blocks, "data block", "data blocks")});
  table.AddRow({"  raw sizes", "keys " + std::to_string(p.raw_key_bytes) + ", values " +
                                   std::to_string(p.raw_value_bytes) + " (compression ratio " +
                                   Ratio(p.raw_key_bytes + p.raw_value_bytes, p.data_bytes) + ")"});
  table.AddRow({"  compression", p.compression + (p.compression_options.empty()
                                                      ? std::string()
                                                      : " (" + p.compression_options + ")")});
  table.AddRow({"  format", "block-based table, comparator " + p.comparator + ", filter " +
                                (p.filter_policy.empty() ? "none" : p.filter_policy)});
  table.AddRow({"  column family", p.column_family.empty() ? "-" : p.column_family});
  table.AddRow({"  created", common::IsoTime(p.file_creation_time) + " (oldest key " +
                                 common::IsoTime(p.oldest_key_time) + ")"});
  table.Flush();
  if (r.file.key_mode == KeyMode::kTenant && !r.top.empty()) {
    TenantTableText(
        out, ctx.now(),
        "tenants (" + std::to_string(r.tenants) + "; top " + std::to_string(top_n) + " by bytes)",
        r.top, r.other, r.other_tenants, false, "  ");
  }
}

void WriteStatsText(RunContext* ctx, const StatsReport& stats, size_t top_n) {
  std::ostream& out = ctx->out();
  ctx->WriteTextHeader();
  out << "\nFiles\n";
  FilesTable(out, stats, ctx->now());
  out << "\nDomains\n";
  DomainsTable(out, *ctx, stats);
  out << "GHOST% is the share of bytes in tombstones; EXPIRED counts records whose expiry has "
         "passed; PURGEABLE counts expired records and tombstones past --retention, "
         "PURGEABLE_FOR how long the oldest of them has been purgeable.\n";
  for (const DomainReport& d : stats.domains) {
    if (d.has_tenants) TenantSummaryText(out, ctx->now(), d.name, d.tenants, top_n);
  }
  if (stats.any_tenants && ctx->input().is_database) {
    TenantSummaryText(out, ctx->now(), "all domains", stats.all_tenants, top_n);
  }
  out << "\nFile details\n";
  for (const FileReport& r : stats.files) FileDetailsText(out, *ctx, r, top_n);
  out << '\n';
  ctx->WriteTextFooter();
}

}  // namespace

void RunStats(RunContext* ctx) {
  const StatsReport stats = StatsCollector(ctx).Collect();
  const size_t top_n = static_cast<size_t>(ctx->flags().top);
  if (ctx->flags().json) {
    WriteStatsJson(ctx, stats, top_n);
  } else {
    WriteStatsText(ctx, stats, top_n);
  }
}

}  // namespace metakv::tools
