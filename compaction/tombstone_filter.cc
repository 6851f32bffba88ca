#include "compaction/tombstone_filter.h"

#include "codecs/record_codec.h"
#include "compaction/accounting.h"
#include "compaction/record_rules.h"
#include "compaction/removals.h"

namespace metakv {

namespace {

class TombstoneFilter : public rocksdb::CompactionFilter {
 public:
  TombstoneFilter(uint64_t retention_seconds, uint64_t purge_time, DomainCounters* counters,
                  std::shared_ptr<const RemovalSet> removals, size_t domain_index)
      : retention_seconds_(retention_seconds),
        purge_time_(purge_time),
        counters_(counters),
        removals_(removals && !removals->Empty(domain_index) ? std::move(removals) : nullptr),
        domain_index_(domain_index) {}

  ~TombstoneFilter() override {
    if (counters_ == nullptr) return;
    counters_->purged_records.fetch_add(purged_records_, std::memory_order_relaxed);
    counters_->purged_bytes.fetch_add(purged_bytes_, std::memory_order_relaxed);
    counters_->filter_corrupt_records.fetch_add(corrupt_records_, std::memory_order_relaxed);
  }

  Decision FilterV2(int /*level*/, const rocksdb::Slice& key, ValueType value_type,
                    const rocksdb::Slice& existing_value, std::string* /*new_value*/,
                    std::string* skip_until) const override {
    if (value_type != ValueType::kValue) return Decision::kKeep;
    bool corrupt = false;
    std::string until;
    const bool purge = ShouldPurge(std::string_view(key.data(), key.size()),
                                   std::string_view(existing_value.data(), existing_value.size()),
                                   retention_seconds_, purge_time_, &corrupt, removals_.get(),
                                   domain_index_, &until);
    if (corrupt) ++corrupt_records_;
    if (!purge) return Decision::kKeep;
    ++purged_records_;
    purged_bytes_ += key.size() + existing_value.size();
    if (!until.empty() && skip_until != nullptr) {
      *skip_until = std::move(until);
      return Decision::kRemoveAndSkipUntil;
    }
    return Decision::kRemove;
  }

  const char* Name() const override { return "metakv.TombstoneFilter"; }

 private:
  const uint64_t retention_seconds_;
  const uint64_t purge_time_;
  DomainCounters* const counters_;
  const std::shared_ptr<const RemovalSet> removals_;  // null: none in this domain
  const size_t domain_index_;
  // One filter serves one compaction thread; published at destruction.
  mutable uint64_t purged_records_ = 0;
  mutable uint64_t purged_bytes_ = 0;
  mutable uint64_t corrupt_records_ = 0;
};

}  // namespace

bool ShouldPurge(std::string_view encoded_key, std::string_view value, uint64_t retention_seconds,
                 uint64_t purge_time, bool* corrupt, const RemovalSet* removals,
                 size_t domain_index, std::string* skip_until) {
  codecs::Record record;
  if (!codecs::DecodeRecord(encoded_key, value, &record).ok()) {
    *corrupt = true;
    return false;
  }
  if (removals != nullptr) {
    const RemovalSet::Entry* e =
        removals->Purgeable(domain_index, encoded_key, record.time, purge_time);
    if (e != nullptr) {
      if (skip_until != nullptr && !e->written_under) *skip_until = e->end;
      return true;
    }
  }
  return PurgeableAt(record, retention_seconds, purge_time);
}

TombstoneFilterFactory::TombstoneFilterFactory(uint64_t retention_seconds,
                                               std::function<uint64_t()> purge_time,
                                               DomainCounters* counters, RemovalSource removals,
                                               size_t domain_index)
    : retention_seconds_(retention_seconds),
      purge_time_(std::move(purge_time)),
      counters_(counters),
      removals_(std::move(removals)),
      domain_index_(domain_index) {}

std::unique_ptr<rocksdb::CompactionFilter> TombstoneFilterFactory::CreateCompactionFilter(
    const rocksdb::CompactionFilter::Context& /*context*/) {
  // One purge time per compaction, so every record of it is judged alike.
  return std::make_unique<TombstoneFilter>(retention_seconds_, purge_time_(), counters_,
                                           removals_ ? removals_() : nullptr, domain_index_);
}

}  // namespace metakv
