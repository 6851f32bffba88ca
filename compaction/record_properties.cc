#include "compaction/record_properties.h"

#include <algorithm>
#include <unordered_map>

#include "codecs/coding.h"
#include "codecs/key_codec.h"
#include "codecs/record_codec.h"

namespace metakv {

namespace {

// Version 2 added max_record_time, after the tenants; version 1 still
// decodes (max_record_time unknown).
constexpr uint64_t kStatsFormatVersion = 2;

class RecordPropertiesCollector : public rocksdb::TablePropertiesCollector {
 public:
  rocksdb::Status AddUserKey(const rocksdb::Slice& key, const rocksdb::Slice& value,
                             rocksdb::EntryType type, rocksdb::SequenceNumber, uint64_t) override {
    const std::string_view k(key.data(), key.size());
    size_t prefix = 0;
    if (codecs::TenantPrefixLength(k, &prefix).ok()) {
      // Entries come in key order, so a tenant's entries are consecutive:
      // look the tenant up only when it changes.
      const std::string_view tenant = k.substr(0, prefix);
      if (current_ == nullptr || tenant != current_tenant_) {
        current_tenant_.assign(tenant.data(), tenant.size());
        current_ = &tenants_[current_tenant_];
      }
      *current_ += key.size() + value.size();
    }
    if (type == rocksdb::kEntryDelete || type == rocksdb::kEntrySingleDelete) {
      ++stats_.deletions;
      return rocksdb::Status::OK();
    }
    if (type != rocksdb::kEntryPut) return rocksdb::Status::OK();
    codecs::Record r;
    if (!codecs::DecodeRecordUnchecked(k, std::string_view(value.data(), value.size()), &r).ok()) {
      ++stats_.undecodable;
      return rocksdb::Status::OK();
    }
    ++stats_.records;
    stats_.max_record_time = std::max(stats_.max_record_time, r.time);
    if (r.IsTombstone()) {
      ++stats_.tombstones;
      stats_.tombstone_bytes += key.size() + value.size();
      stats_.min_tombstone_time = std::min(stats_.min_tombstone_time, r.time);
      stats_.max_tombstone_time = std::max(stats_.max_tombstone_time, r.time);
    } else if (r.expiry != 0) {
      ++stats_.expiring;
    } else {
      ++stats_.permanent;
    }
    if (r.expiry != 0) {
      stats_.min_expiry = std::min(stats_.min_expiry, r.expiry);
      stats_.max_expiry = std::max(stats_.max_expiry, r.expiry);
    }
    return rocksdb::Status::OK();
  }

  rocksdb::Status Finish(rocksdb::UserCollectedProperties* properties) override {
    std::vector<std::pair<std::string, uint64_t>> all(tenants_.begin(), tenants_.end());
    std::sort(all.begin(), all.end(), [](const auto& a, const auto& b) {
      return a.second != b.second ? a.second > b.second : a.first < b.first;
    });
    for (size_t i = 0; i < all.size(); ++i) {
      if (i < kTopTenantsPerFile) {
        stats_.tenant_bytes.push_back(std::move(all[i]));
      } else {
        stats_.other_tenant_bytes += all[i].second;
      }
    }
    (*properties)[kRecordStatsProperty] = stats_.Encode();
    return rocksdb::Status::OK();
  }

  rocksdb::UserCollectedProperties GetReadableProperties() const override { return {}; }
  const char* Name() const override { return kRecordPropertiesName; }

 private:
  FileRecordStats stats_;
  std::unordered_map<std::string, uint64_t> tenants_;
  // The tenant of the last entry and its counter (node addresses of an
  // unordered_map are stable across inserts).
  std::string current_tenant_;
  uint64_t* current_ = nullptr;
};

}  // namespace

uint64_t FileRecordStats::EarliestPurgeTime(uint64_t retention) const {
  uint64_t t = min_expiry;
  if (tombstones > 0) t = std::min(t, codecs::SaturatingAdd(min_tombstone_time, retention));
  return t;
}

uint64_t FileRecordStats::FullPurgeTime(uint64_t retention) const {
  if (permanent > 0 || undecodable > 0 || records == 0) return kNever;
  // Every record is a tombstone or expiring. Bounds are conservative: a
  // tombstone is counted purgeable at its delete time + retention even if
  // it expires earlier.
  uint64_t t = 0;
  if (expiring > 0) t = max_expiry;
  if (tombstones > 0) t = std::max(t, codecs::SaturatingAdd(max_tombstone_time, retention));
  return t;
}

std::string FileRecordStats::Encode() const {
  std::string out;
  for (uint64_t v : {kStatsFormatVersion, records, tombstones, tombstone_bytes, expiring, permanent,
                     deletions, undecodable, min_tombstone_time, max_tombstone_time, min_expiry,
                     max_expiry, other_tenant_bytes, static_cast<uint64_t>(tenant_bytes.size())}) {
    codecs::PutVarint64(&out, v);
  }
  for (const auto& [tenant, bytes] : tenant_bytes) {
    codecs::PutLengthPrefixed(&out, tenant);
    codecs::PutVarint64(&out, bytes);
  }
  codecs::PutVarint64(&out, max_record_time);
  return out;
}

bool FileRecordStats::Decode(std::string_view in, FileRecordStats* out) {
  FileRecordStats s;
  uint64_t version = 0, count = 0;
  for (uint64_t* v :
       {&version, &s.records, &s.tombstones, &s.tombstone_bytes, &s.expiring, &s.permanent,
        &s.deletions, &s.undecodable, &s.min_tombstone_time, &s.max_tombstone_time, &s.min_expiry,
        &s.max_expiry, &s.other_tenant_bytes, &count}) {
    if (!codecs::GetVarint64(&in, v)) return false;
  }
  if ((version != 1 && version != kStatsFormatVersion) || count > kTopTenantsPerFile) {
    return false;
  }
  for (uint64_t i = 0; i < count; ++i) {
    std::string_view tenant;
    uint64_t bytes = 0;
    if (!codecs::GetLengthPrefixed(&in, &tenant) || !codecs::GetVarint64(&in, &bytes)) {
      return false;
    }
    s.tenant_bytes.emplace_back(std::string(tenant), bytes);
  }
  if (version == 1) {
    s.max_record_time = kNever;
  } else if (!codecs::GetVarint64(&in, &s.max_record_time)) {
    return false;
  }
  if (!in.empty()) return false;
  *out = std::move(s);
  return true;
}

bool FileRecordStats::FromProperties(const rocksdb::UserCollectedProperties& props,
                                     FileRecordStats* out) {
  auto it = props.find(kRecordStatsProperty);
  return it != props.end() && Decode(it->second, out);
}

rocksdb::TablePropertiesCollector* RecordPropertiesCollectorFactory::CreateTablePropertiesCollector(
    rocksdb::TablePropertiesCollectorFactory::Context) {
  return new RecordPropertiesCollector();
}

}  // namespace metakv
