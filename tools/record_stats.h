// Counters of records by kind and by tenant, for the stats command.
//
// RecordTotals counts records and bytes (stored key + value) by kind. The
// tenant tables stay bounded whatever the data: TopTenants keeps the n
// largest of a stream of distinct tenants; TenantTable tracks at most
// max_tenants tenants and sums any further ones into one untracked bucket.
// Plain values: not thread-safe.
#ifndef METAKV_TOOLS_RECORD_STATS_H_
#define METAKV_TOOLS_RECORD_STATS_H_

#include <algorithm>
#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "codecs/record_codec.h"
#include "compaction/record_rules.h"

namespace metakv::tools {

struct Counter {
  uint64_t records = 0;
  uint64_t bytes = 0;

  void Add(uint64_t b) {
    ++records;
    bytes += b;
  }
  void Merge(const Counter& o) {
    records += o.records;
    bytes += o.bytes;
  }
};

struct RecordTotals {
  Counter all;        // every record that decodes
  Counter live;       // live, without expiry
  Counter expiring;   // live, with an expiry
  Counter tombstone;  // logically deleted ("ghost")
  Counter expired;    // any kind whose expiry has passed but still present
  // Purgeable at now: expired, or tombstones whose retention has passed.
  Counter purgeable;
  Counter bad;  // entries that do not decode (not in `all`)
  uint64_t key_bytes = 0;
  uint64_t value_bytes = 0;
  // The time since which the oldest purgeable record has been purgeable
  // (seconds since the epoch); 0 if none is.
  uint64_t oldest_purgeable = 0;

  void Add(const codecs::Record& r, size_t key_size, size_t value_size, uint64_t now,
           uint64_t retention_seconds) {
    const uint64_t bytes = key_size + value_size;
    all.Add(bytes);
    key_bytes += key_size;
    value_bytes += value_size;
    if (r.IsTombstone()) {
      tombstone.Add(bytes);
    } else if (r.expiry != 0) {
      expiring.Add(bytes);
    } else {
      live.Add(bytes);
    }
    if (r.IsExpiredAt(now)) expired.Add(bytes);
    if (PurgeableAt(r, retention_seconds, now)) {
      purgeable.Add(bytes);
      NotePurgeable(PurgeableFrom(r, retention_seconds));
    }
  }
  void NotePurgeable(uint64_t since) {
    oldest_purgeable = oldest_purgeable == 0 ? since : std::min(oldest_purgeable, since);
  }
  void AddBad(size_t bytes) { bad.Add(bytes); }
  void Merge(const RecordTotals& o);
  bool empty() const { return all.records == 0 && bad.records == 0; }
};

struct TenantRow {
  std::string tenant;  // printable
  RecordTotals totals;
};

// Orders rows by bytes, largest first, then by tenant.
bool LargerTenant(const TenantRow& a, const TenantRow& b);

// The n largest (by bytes) of a stream of tenants each added once.
class TopTenants {
 public:
  explicit TopTenants(size_t n) : n_(n) {}
  void Add(std::string_view tenant, const RecordTotals& totals);
  // Largest first.
  std::vector<TenantRow> Sorted() const;
  const RecordTotals& other() const { return other_; }
  uint64_t other_tenants() const { return other_tenants_; }
  uint64_t tenants() const { return rows_.size() + other_tenants_; }

 private:
  size_t n_;
  std::vector<TenantRow> rows_;
  RecordTotals other_;
  uint64_t other_tenants_ = 0;
};

// Totals per tenant for tenants that may be added many times.
class TenantTable {
 public:
  static constexpr size_t kDefaultMaxTenants = 100000;
  explicit TenantTable(size_t max_tenants = kDefaultMaxTenants) : max_tenants_(max_tenants) {}

  void Add(std::string_view tenant, const RecordTotals& totals);
  // The n largest into *top; the others' sum into *other and their count
  // into *other_tenants (tracked tenants only; see untracked()).
  void Top(size_t n, std::vector<TenantRow>* top, RecordTotals* other,
           uint64_t* other_tenants) const;
  uint64_t tracked() const { return map_.size(); }
  // True if tenants beyond max_tenants were summed into the other bucket
  // without being counted.
  bool untracked() const { return untracked_; }

 private:
  size_t max_tenants_;
  std::unordered_map<std::string, RecordTotals> map_;
  RecordTotals untracked_totals_;
  bool untracked_ = false;
};

}  // namespace metakv::tools

#endif  // METAKV_TOOLS_RECORD_STATS_H_
