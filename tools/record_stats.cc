#include "tools/record_stats.h"

#include <algorithm>

namespace metakv::tools {

void RecordTotals::Merge(const RecordTotals& o) {
  all.Merge(o.all);
  live.Merge(o.live);
  expiring.Merge(o.expiring);
  tombstone.Merge(o.tombstone);
  expired.Merge(o.expired);
  purgeable.Merge(o.purgeable);
  if (o.oldest_purgeable != 0) NotePurgeable(o.oldest_purgeable);
  bad.Merge(o.bad);
  key_bytes += o.key_bytes;
  value_bytes += o.value_bytes;
}

bool LargerTenant(const TenantRow& a, const TenantRow& b) {
  const uint64_t ab = a.totals.all.bytes + a.totals.bad.bytes;
  const uint64_t bb = b.totals.all.bytes + b.totals.bad.bytes;
  if (ab != bb) return ab > bb;
  return a.tenant < b.tenant;
}

void TopTenants::Add(std::string_view tenant, const RecordTotals& totals) {
  TenantRow row{std::string(tenant), totals};
  if (rows_.size() < n_) {
    rows_.push_back(std::move(row));
    return;
  }
  // Replace the smallest kept row if the new one is larger.
  auto smallest = rows_.end();
  for (auto it = rows_.begin(); it != rows_.end(); ++it) {
    if (smallest == rows_.end() || LargerTenant(*smallest, *it)) smallest = it;
  }
  if (smallest != rows_.end() && LargerTenant(row, *smallest)) std::swap(row, *smallest);
  other_.Merge(row.totals);
  ++other_tenants_;
}

std::vector<TenantRow> TopTenants::Sorted() const {
  std::vector<TenantRow> out = rows_;
  std::sort(out.begin(), out.end(), LargerTenant);
  return out;
}

void TenantTable::Add(std::string_view tenant, const RecordTotals& totals) {
  auto it = map_.find(std::string(tenant));
  if (it != map_.end()) {
    it->second.Merge(totals);
    return;
  }
  if (map_.size() >= max_tenants_) {
    untracked_ = true;
    untracked_totals_.Merge(totals);
    return;
  }
  map_.emplace(std::string(tenant), totals);
}

void TenantTable::Top(size_t n, std::vector<TenantRow>* top, RecordTotals* other,
                      uint64_t* other_tenants) const {
  TopTenants picker(n);
  for (const auto& [tenant, totals] : map_) picker.Add(tenant, totals);
  *top = picker.Sorted();
  *other = picker.other();
  other->Merge(untracked_totals_);
  *other_tenants = picker.other_tenants();
}

}  // namespace metakv::tools
