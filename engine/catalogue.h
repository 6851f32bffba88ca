// The domain catalogue: which domains a database holds and their identity
// (name, temperature), persisted in the database's default column family so
// a reopen, an offline tool, or a wrong declaration sees the truth.
//
// Stored under kCatalogueKey as a record (codecs/record_codec.h, so it is
// checksummed) whose payload is text:
//   metakv-catalogue 1
//   domain <name> hot|cold [time-ordered]
//   ...
// A cold domain without a layout word is leveled (as every cold domain was
// before layouts existed).
// Pure functions: thread-safe.
#ifndef METAKV_ENGINE_CATALOGUE_H_
#define METAKV_ENGINE_CATALOGUE_H_

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "metakv/options.h"
#include "metakv/status.h"

namespace metakv {

inline constexpr std::string_view kCatalogueKey = "metakv.catalogue";

// The column family of shard `shard` of a domain: shard 0 is the domain's
// own name (so a domain without shards is the column family it always
// was), shard i > 0 is "name#i" ('#' is never in a domain name).
std::string ShardColumnFamily(std::string_view domain, uint32_t shard);
// The domain a column family belongs to: its name up to a '#'.
std::string_view DomainOfColumnFamily(std::string_view cf_name);
// The column families a declared domain spans: its tenant_shards if hot,
// 1 if cold (cold domains take no shards).
inline uint32_t ShardsOf(const DomainOptions& d) {
  return d.temperature == Temperature::kHot ? d.tenant_shards : 1;
}

struct CatalogueEntry {
  std::string name;
  Temperature temperature = Temperature::kHot;
  ColdLayout cold_layout = ColdLayout::kLeveled;  // cold domains only
  uint32_t tenant_shards = 1;                      // hot domains only

  // The entry of a domain created with options d.
  static CatalogueEntry Of(const DomainOptions& d);
};

struct Catalogue {
  std::vector<CatalogueEntry> domains;

  const CatalogueEntry* Find(std::string_view name) const;
  // The value to store under kCatalogueKey (write_time: seconds).
  std::string Encode(uint64_t write_time) const;
  // Decodes a stored value; Corruption naming the fault.
  static Status Decode(std::string_view value, Catalogue* out);
};

// What a store was last opened for writing with, of the domain options
// that decide what the purge may drop (the tombstone retention), so a tool
// that opens the store without the service's options judges as it does.
// Stored under kDomainSettingsKey, apart from the catalogue (versions that
// do not know it ignore it), as a checksummed record whose payload is:
//   metakv-domain-settings 1
//   retention <name> <seconds>
//   ...
inline constexpr std::string_view kDomainSettingsKey = "metakv.domain-settings";

struct DomainSettings {
  std::map<std::string, uint64_t> retention_seconds;  // by domain name

  // The settings of the domains declared.
  static DomainSettings Of(const std::vector<DomainOptions>& domains);
  bool operator==(const DomainSettings& o) const {
    return retention_seconds == o.retention_seconds;
  }
  std::string Encode(uint64_t write_time) const;
  // Decodes a stored value; Corruption naming the fault.
  static Status Decode(std::string_view value, DomainSettings* out);
};

std::string_view TemperatureName(Temperature t);

// Checks the declared domains against a stored catalogue. InvalidArgument
// naming the domain if a stored domain is not declared or is declared with
// another identity, or if a declared domain is new and create_missing is
// false. On success *merged is the stored catalogue followed by the new
// domains in declaration order. A stored domain keeps its stored layout.
Status ReconcileCatalogue(const Catalogue& stored, const std::vector<DomainOptions>& declared,
                          bool create_missing, Catalogue* merged);

}  // namespace metakv

#endif  // METAKV_ENGINE_CATALOGUE_H_
