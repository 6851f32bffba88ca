#include "engine/catalogue.h"

#include <charconv>
#include <sstream>

#include "codecs/record_codec.h"
#include "engine/options_check.h"

namespace metakv {

namespace {
constexpr std::string_view kHeader = "metakv-catalogue 1";
constexpr std::string_view kTimeOrdered = "time-ordered";
constexpr std::string_view kShards = "shards=";
constexpr std::string_view kSettingsHeader = "metakv-domain-settings 1";

// The catalogue and the domain settings are each a record whose payload is
// a header line and then one line per entry.
std::string EncodeText(std::string_view key, std::string_view header, const std::string& lines,
                       uint64_t write_time) {
  codecs::Record record;
  record.time = write_time;
  const std::string text = std::string(header) + "\n" + lines;
  record.payload = text;
  std::string out;
  codecs::EncodeRecord(key, record, &out);
  return out;
}

// The lines after the header; Corruption naming what (and the fault) if the
// value is not such a record.
Status DecodeText(std::string_view key, std::string_view value, std::string_view header,
                  const std::string& what, std::vector<std::string>* lines) {
  codecs::Record record;
  Status s = codecs::DecodeRecord(key, value, &record);
  if (!s.ok()) return Status::Corruption(what + ": " + s.message());
  std::istringstream in{std::string(record.payload)};
  std::string line;
  if (!std::getline(in, line) || line != header) {
    return Status::Corruption(what + ": unknown header '" + line + "'");
  }
  lines->clear();
  while (std::getline(in, line)) lines->push_back(line);
  return Status::OK();
}
}  // namespace

std::string ShardColumnFamily(std::string_view domain, uint32_t shard) {
  std::string name(domain);
  if (shard != 0) name += "#" + std::to_string(shard);
  return name;
}

std::string_view DomainOfColumnFamily(std::string_view cf_name) {
  return cf_name.substr(0, cf_name.find('#'));
}

CatalogueEntry CatalogueEntry::Of(const DomainOptions& d) {
  CatalogueEntry e{d.name, d.temperature, ColdLayout::kLeveled, 1};
  if (d.temperature == Temperature::kCold) e.cold_layout = d.cold_layout;
  if (d.temperature == Temperature::kHot) e.tenant_shards = d.tenant_shards;
  return e;
}

std::string_view TemperatureName(Temperature t) { return t == Temperature::kCold ? "cold" : "hot"; }

const CatalogueEntry* Catalogue::Find(std::string_view name) const {
  for (const auto& d : domains) {
    if (d.name == name) return &d;
  }
  return nullptr;
}

std::string Catalogue::Encode(uint64_t write_time) const {
  std::string text;
  for (const auto& d : domains) {
    text += "domain " + d.name + " " + std::string(TemperatureName(d.temperature));
    if (d.temperature == Temperature::kCold && d.cold_layout == ColdLayout::kTimeOrdered) {
      text += " " + std::string(kTimeOrdered);
    }
    // Written only when there are shards, so a store without them stays
    // readable by versions that do not know them.
    if (d.tenant_shards > 1) text += " " + std::string(kShards) + std::to_string(d.tenant_shards);
    text += "\n";
  }
  return EncodeText(kCatalogueKey, kHeader, text, write_time);
}

Status Catalogue::Decode(std::string_view value, Catalogue* out) {
  std::vector<std::string> lines;
  Status s = DecodeText(kCatalogueKey, value, kHeader, "domain catalogue", &lines);
  if (!s.ok()) return s;
  Catalogue result;
  for (const std::string& line : lines) {
    std::istringstream fields(line);
    std::string word, name, temperature, extra;
    if (!(fields >> word >> name >> temperature) || word != "domain") {
      return Status::Corruption("domain catalogue: bad line '" + line + "'");
    }
    // Then "time-ordered" (cold) or "shards=N" (hot, N from 2), at most one.
    bool has_layout = false;
    uint32_t shards = 1;
    if (fields >> extra) {
      if (extra == kTimeOrdered && temperature == "cold") {
        has_layout = true;
      } else if (extra.rfind(kShards, 0) == 0 && temperature == "hot") {
        const char* first = extra.data() + kShards.size();
        const char* last = extra.data() + extra.size();
        const auto [end, ec] = std::from_chars(first, last, shards);
        if (ec != std::errc() || end != last || shards < 2 || shards > kMaxTenantShards) {
          return Status::Corruption("domain catalogue: bad line '" + line + "'");
        }
      } else {
        return Status::Corruption("domain catalogue: bad line '" + line + "'");
      }
      if (fields >> extra) return Status::Corruption("domain catalogue: bad line '" + line + "'");
    }
    if (!ValidateDomainName(name).ok()) {
      return Status::Corruption("domain catalogue: bad domain name '" + name + "'");
    }
    if (result.Find(name) != nullptr) {
      return Status::Corruption("domain catalogue: domain '" + name + "' listed twice");
    }
    CatalogueEntry entry{name, Temperature::kHot, ColdLayout::kLeveled, shards};
    if (has_layout) entry.cold_layout = ColdLayout::kTimeOrdered;
    if (temperature == "cold") {
      entry.temperature = Temperature::kCold;
    } else if (temperature != "hot") {
      return Status::Corruption("domain catalogue: bad temperature '" + temperature + "'");
    }
    result.domains.push_back(std::move(entry));
  }
  *out = std::move(result);
  return Status::OK();
}

DomainSettings DomainSettings::Of(const std::vector<DomainOptions>& domains) {
  DomainSettings s;
  for (const auto& d : domains) s.retention_seconds[d.name] = d.tombstone_retention_seconds;
  return s;
}

std::string DomainSettings::Encode(uint64_t write_time) const {
  std::string text;
  for (const auto& [name, seconds] : retention_seconds) {
    text += "retention " + name + " " + std::to_string(seconds) + "\n";
  }
  return EncodeText(kDomainSettingsKey, kSettingsHeader, text, write_time);
}

Status DomainSettings::Decode(std::string_view value, DomainSettings* out) {
  std::vector<std::string> lines;
  Status s = DecodeText(kDomainSettingsKey, value, kSettingsHeader, "domain settings", &lines);
  if (!s.ok()) return s;
  DomainSettings result;
  for (const std::string& line : lines) {
    std::istringstream fields(line);
    std::string word, name, seconds, extra;
    uint64_t value = 0;
    const bool read = static_cast<bool>(fields >> word >> name >> seconds);
    const auto [end, ec] = std::from_chars(seconds.data(), seconds.data() + seconds.size(), value);
    if (!read || word != "retention" || (fields >> extra) || !ValidateDomainName(name).ok() ||
        ec != std::errc() || end != seconds.data() + seconds.size() ||
        result.retention_seconds.count(name) != 0) {
      return Status::Corruption("domain settings: bad line '" + line + "'");
    }
    result.retention_seconds[name] = value;
  }
  *out = std::move(result);
  return Status::OK();
}

Status ReconcileCatalogue(const Catalogue& stored, const std::vector<DomainOptions>& declared,
                          bool create_missing, Catalogue* merged) {
  for (const CatalogueEntry& entry : stored.domains) {
    const DomainOptions* match = nullptr;
    for (const auto& d : declared) {
      if (d.name == entry.name) match = &d;
    }
    if (match == nullptr) {
      return Status::InvalidArgument("domain '" + entry.name +
                                     "' exists in the database but is not declared in "
                                     "Options::domains");
    }
    if (match->temperature != entry.temperature) {
      return Status::InvalidArgument("domain '" + entry.name + "' is declared " +
                                     std::string(TemperatureName(match->temperature)) +
                                     " but the database holds it as " +
                                     std::string(TemperatureName(entry.temperature)));
    }
  }
  Catalogue result = stored;
  for (const auto& d : declared) {
    if (stored.Find(d.name) != nullptr) continue;
    if (!create_missing) {
      return Status::InvalidArgument("domain '" + d.name +
                                     "' is declared but not in the database, and "
                                     "create_missing_domains is false");
    }
    result.domains.push_back(CatalogueEntry::Of(d));
  }
  *merged = std::move(result);
  return Status::OK();
}

}  // namespace metakv
