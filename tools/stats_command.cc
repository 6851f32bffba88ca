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

}  // namespace

void RunStats(RunContext* ctx) {
  const DumpFlags& flags = ctx->flags();
  const KeyFilter filter = KeyFilter::ForDecoded(flags);
  const size_t top_n = static_cast<size_t>(flags.top);

  std::vector<FileReport> files;
  std::vector<DomainReport> domains;
  auto domain_report = [&](const std::string& name) -> DomainReport& {
    for (auto& d : domains) {
      if (d.name == name) return d;
    }
    domains.emplace_back();
    domains.back().name = name;
    return domains.back();
  };
  if (ctx->input().is_database) {
    for (const DomainInfo& d : ctx->input().domains) domain_report(d.name);
  }
  RecordTotals total;
  TenantTable all_tenants;
  bool any_tenants = false;

  TenantTracker tenant;
  DecodedEntry entry;
  for (const InputFile& f : ctx->files()) {
    if (!filter.MayOverlap(f)) continue;
    std::unique_ptr<SstFile> holder;
    const SstFile* file = nullptr;
    bool vanished = false;
    if (!ctx->OpenForReading(f, &holder, &file, &vanished)) continue;
    DomainReport& domain = domain_report(f.domain.empty() ? "-" : f.domain);

    FileReport report;
    report.file = f;
    report.file_bytes = file->file_bytes();
    report.props = Summarize(file->properties());
    ReadKeyRange(*file, f.key_mode, &report);

    TopTenants top(top_n);
    RecordTotals current;  // of the tenant being walked
    bool in_tenant = false;
    auto end_tenant = [&] {
      if (!in_tenant) return;
      top.Add(tenant.printable(), current);
      domain.tenants.Add(tenant.printable(), current);
      all_tenants.Add(tenant.printable(), current);
      domain.has_tenants = any_tenants = true;
      report.totals.Merge(current);
      current = RecordTotals();
      in_tenant = false;
    };
    tenant.Reset();
    EntryCursor cursor(*file, filter);
    for (; cursor.Valid(); cursor.Next()) {
      const std::string_view key = cursor.key();
      const std::string_view value = cursor.value();
      Status s = DecodeEntry(f.key_mode, key, value, &entry);
      if (!s.ok()) {
        report.totals.AddBad(key.size() + value.size());
        ctx->BadRecord(f.path, s.message());
        continue;
      }
      if (!filter.AcceptsUserKey(entry.user_key)) continue;
      if (f.key_mode == KeyMode::kPlain) {
        report.totals.Add(entry.record, key.size(), value.size(), ctx->now(),
                          ctx->flags().retention_seconds);
        continue;
      }
      if (!tenant.Matches(entry.tenant_prefix)) {
        end_tenant();
        tenant.Update(entry.tenant_prefix);
        in_tenant = true;
      }
      current.Add(entry.record, key.size(), value.size(), ctx->now(),
                  ctx->flags().retention_seconds);
    }
    end_tenant();
    const Status walk = cursor.status();
    report.complete = walk.ok();
    if (!walk.ok()) {
      report.stopped = walk.message();
      ctx->Problem(walk);
    }
    ctx->FinishFile(f.path);
    report.top = top.Sorted();
    report.other = top.other();
    report.other_tenants = top.other_tenants();
    report.tenants = top.tenants();
    if (report.complete && filter.selects_all()) {
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
    total.Merge(report.totals);
    files.push_back(std::move(report));
  }

  uint64_t total_files = 0;
  uint64_t total_file_bytes = 0;
  for (const auto& d : domains) {
    total_files += d.files;
    total_file_bytes += d.file_bytes;
  }
  auto unflushed = [&](const std::string& name) -> uint64_t {
    for (const DomainInfo& d : ctx->input().domains) {
      if (d.name == name) return d.unflushed_entries;
    }
    return 0;
  };

  std::ostream& out = ctx->out();
  if (flags.json) {
    common::JsonWriter json;
    ctx->WriteJsonHeader(&json);
    json.Key("files");
    json.BeginArray();
    for (const FileReport& r : files) {
      json.BeginObject();
      json.Field("path", r.file.path);
      json.Field("name", r.file.name);
      json.Field("domain", r.file.domain);
      if (r.file.level >= 0) json.Field("level", r.file.level);
      json.Field("file_bytes", r.file_bytes);
      json.Field("complete", r.complete);
      if (!r.complete) json.Field("stopped", r.stopped);
      TotalsJson(&json, "totals", r.totals);
      if (r.file.key_mode == KeyMode::kTenant) {
        json.Field("tenant_count", r.tenants);
        TenantsJson(&json, r.top, r.other, r.other_tenants, false);
      }
      json.Key("key_range");
      json.BeginObject();
      KeyPointJson(&json, "smallest", r.smallest);
      KeyPointJson(&json, "largest", r.largest);
      json.EndObject();
      if (r.hidden_known) json.Field("entries_not_shown", r.hidden);
      PropertiesJson(&json, r.props);
      json.EndObject();
    }
    json.EndArray();
    json.Key("by_domain");
    json.BeginArray();
    for (const DomainReport& d : domains) {
      if (d.files == 0 && !ctx->input().is_database) continue;
      json.BeginObject();
      json.Field("domain", d.name);
      json.Field("files", d.files);
      json.Field("file_bytes", d.file_bytes);
      json.Field("unflushed_entries", unflushed(d.name));
      TotalsJson(&json, "totals", d.totals);
      json.Key("levels");
      json.BeginArray();
      for (const auto& [level, l] : d.levels) {
        json.BeginObject();
        if (level >= 0) json.Field("level", level);
        json.Field("files", l.files);
        json.Field("file_bytes", l.file_bytes);
        TotalsJson(&json, "totals", l.totals);
        json.EndObject();
      }
      json.EndArray();
      if (d.has_tenants) {
        std::vector<TenantRow> top;
        RecordTotals other;
        uint64_t other_count = 0;
        d.tenants.Top(top_n, &top, &other, &other_count);
        json.Field("tenant_count", d.tenants.tracked());
        TenantsJson(&json, top, other, other_count, d.tenants.untracked());
      }
      json.EndObject();
    }
    json.EndArray();
    json.Key("total");
    json.BeginObject();
    json.Field("files", total_files);
    json.Field("file_bytes", total_file_bytes);
    TotalsJson(&json, "totals", total);
    {
      std::vector<TenantRow> top;
      RecordTotals other;
      uint64_t other_count = 0;
      all_tenants.Top(top_n, &top, &other, &other_count);
      json.Field("tenant_count", all_tenants.tracked());
      TenantsJson(&json, top, other, other_count, all_tenants.untracked());
    }
    json.EndObject();
    ctx->FinishJson(&json);
    return;
  }

  ctx->WriteTextHeader();
  out << "\nFiles\n";
  {
    common::TextTable table(
        &out,
        WithTotalsColumns(
            {{"FILE"}, {"DOMAIN"}, {"LEVEL", kRight}, {"FILE_BYTES", kRight}, {"COMPRESSION"}}));
    for (const FileReport& r : files) {
      std::vector<std::string> cells{r.file.name, r.file.domain.empty() ? "-" : r.file.domain,
                                     r.file.level >= 0 ? std::to_string(r.file.level) : "-",
                                     std::to_string(r.file_bytes), r.props.compression};
      TotalsCells(r.totals, ctx->now(), &cells);
      table.AddRow(cells);
    }
  }

  out << "\nDomains\n";
  {
    common::TextTable table(
        &out, WithTotalsColumns(
                  {{"DOMAIN"}, {"LEVEL", kRight}, {"FILES", kRight}, {"FILE_BYTES", kRight}}));
    for (const DomainReport& d : domains) {
      if (d.files == 0 && !ctx->input().is_database) continue;
      for (const auto& [level, l] : d.levels) {
        std::vector<std::string> cells{d.name, level >= 0 ? std::to_string(level) : "-",
                                       std::to_string(l.files), std::to_string(l.file_bytes)};
        TotalsCells(l.totals, ctx->now(), &cells);
        table.AddRow(cells);
      }
      std::vector<std::string> cells{d.name, "all", std::to_string(d.files),
                                     std::to_string(d.file_bytes)};
      TotalsCells(d.totals, ctx->now(), &cells);
      table.AddRow(cells);
    }
    std::vector<std::string> cells{"(total)", "all", std::to_string(total_files),
                                   std::to_string(total_file_bytes)};
    TotalsCells(total, ctx->now(), &cells);
    table.AddRow(cells);
  }
  out << "GHOST% is the share of bytes in tombstones; EXPIRED counts records whose expiry has "
         "passed; PURGEABLE counts expired records and tombstones past --retention, "
         "PURGEABLE_FOR how long the oldest of them has been purgeable.\n";

  for (const DomainReport& d : domains) {
    if (!d.has_tenants) continue;
    std::vector<TenantRow> top;
    RecordTotals other;
    uint64_t other_count = 0;
    d.tenants.Top(top_n, &top, &other, &other_count);
    out << '\n';
    TenantTableText(out, ctx->now(),
                    "Tenants of " + d.name + " (" +
                        common::CountOf(d.tenants.tracked(), "tenant", "tenants") + "; top " +
                        std::to_string(top_n) + " by bytes)",
                    top, other, other_count, d.tenants.untracked(), "");
  }
  if (any_tenants && ctx->input().is_database) {
    std::vector<TenantRow> top;
    RecordTotals other;
    uint64_t other_count = 0;
    all_tenants.Top(top_n, &top, &other, &other_count);
    out << '\n';
    TenantTableText(out, ctx->now(),
                    "Tenants of all domains (" +
                        common::CountOf(all_tenants.tracked(), "tenant", "tenants") + "; top " +
                        std::to_string(top_n) + " by bytes)",
                    top, other, other_count, all_tenants.untracked(), "");
  }

  out << "\nFile details\n";
  for (const FileReport& r : files) {
    const Properties& p = r.props;
    out << '\n' << ctx->FileLabel(r.file) << '\n';
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
                                     Ratio(p.raw_key_bytes + p.raw_value_bytes, p.data_bytes) +
                                     ")"});
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
          out, ctx->now(),
          "tenants (" + std::to_string(r.tenants) + "; top " + std::to_string(top_n) + " by bytes)",
          r.top, r.other, r.other_tenants, false, "  ");
    }
  }
  out << '\n';
  ctx->WriteTextFooter();
}

}  // namespace metakv::tools
