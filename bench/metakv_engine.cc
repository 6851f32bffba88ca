#include "bench/metakv_engine.h"

#include "metakv/store.h"

namespace metakv::bench {

namespace {

constexpr uint64_t kWaitLimitMs = 3600 * 1000;

Compression ToMetakv(CompressionChoice c) {
  switch (c) {
    case CompressionChoice::kNone:
      return Compression::kNone;
    case CompressionChoice::kSnappy:
      return Compression::kSnappy;
    case CompressionChoice::kZstd:
      return Compression::kZstd;
  }
  return Compression::kNone;
}

Status Annotate(const Status& s, std::string_view what) {
  if (s.ok()) return s;
  const std::string msg = "metakv: " + std::string(what) + ": " + s.ToString();
  if (s.IsCorruption()) return Status::Corruption(msg);
  if (s.IsInvalidArgument()) return Status::InvalidArgument(msg);
  if (s.IsNotSupported()) return Status::NotSupported(msg);
  if (s.IsBusy()) return Status::Busy(msg);
  if (s.IsAborted()) return Status::Aborted(msg);
  return Status::IOError(msg);
}

class MetakvEngine : public Engine {
 public:
  explicit MetakvEngine(std::unique_ptr<Store> store) : store_(std::move(store)) {}

  ~MetakvEngine() override { Close().PermitUncheckedError(); }

  std::string_view name() const override { return "metakv"; }

  Status Put(std::string_view tenant, std::string_view key, std::string_view value) override {
    if (store_ == nullptr) return Status::InvalidArgument("metakv: closed");
    return Annotate(store_->Put(write_options_, kBenchDomain, tenant, key, value), "Put");
  }

  Status Get(std::string_view tenant, std::string_view key, std::string* value) override {
    if (store_ == nullptr) return Status::InvalidArgument("metakv: closed");
    Status s = store_->Get(read_options_, kBenchDomain, tenant, key, value);
    if (s.IsNotFound()) return s;
    return Annotate(s, "Get");
  }

  Status Delete(std::string_view tenant, std::string_view key) override {
    if (store_ == nullptr) return Status::InvalidArgument("metakv: closed");
    Status s = store_->Delete(write_options_, kBenchDomain, tenant, key);
    if (s.IsNotFound()) return s;
    return Annotate(s, "Delete");
  }

  Status Scan(std::string_view tenant, std::string_view start_key, uint64_t limit,
              uint64_t* count) override {
    *count = 0;
    if (store_ == nullptr) return Status::InvalidArgument("metakv: closed");
    ScanSpec spec;
    spec.tenant = std::string(tenant);
    spec.lower_bound = std::string(start_key);
    std::unique_ptr<Iterator> it;
    Status s = Annotate(store_->NewIterator(read_options_, kBenchDomain, spec, &it), "NewIterator");
    if (!s.ok()) return s;
    for (it->Seek(tenant, start_key); it->Valid() && *count < limit; it->Next()) {
      ++*count;
    }
    return Annotate(it->status(), "Iterator");
  }

  Status Flush() override {
    if (store_ == nullptr) return Status::InvalidArgument("metakv: closed");
    return Annotate(store_->Flush(), "Flush");
  }

  Status WaitForCompactions() override {
    if (store_ == nullptr) return Status::InvalidArgument("metakv: closed");
    return Annotate(store_->WaitForBackgroundWork(kWaitLimitMs), "WaitForBackgroundWork");
  }

  Status WriteHistoryGroup(std::string_view tenant,
                           const std::vector<HistoryRecord>& records) override {
    if (store_ == nullptr) return Status::InvalidArgument("metakv: closed");
    cold_.clear();
    for (const auto& r : records) cold_.push_back(ColdRecord{r.key, r.value, 0});
    return Annotate(store_->IngestCold(kHistoryDomain, tenant, cold_), "IngestCold");
  }

  Status GetStats(EngineStats* out) override {
    if (store_ == nullptr) return Status::InvalidArgument("metakv: closed");
    Stats stats;
    Status s = Annotate(store_->GetStats(&stats), "GetStats");
    if (!s.ok()) return s;
    out->flush_bytes_written = stats.flush_bytes_written;
    out->ingest_bytes_written = stats.ingest_bytes_written;
    out->compaction_bytes_written = stats.compaction_bytes_written;
    out->wal_bytes_written = stats.wal_bytes_written;
    return Status::OK();
  }

  Status Close() override {
    if (store_ == nullptr) return Status::OK();
    Status s = Annotate(store_->Close(), "Close");
    store_.reset();
    return s;
  }

 private:
  std::unique_ptr<Store> store_;
  WriteOptions write_options_;
  std::vector<ColdRecord> cold_;  // scratch of WriteHistoryGroup
  ReadOptions read_options_;
};

}  // namespace

Status OpenMetakvEngine(const BenchConfig& config, const std::string& dir,
                        std::unique_ptr<Engine>* out) {
  out->reset();
  DomainOptions domain;
  domain.name = std::string(kBenchDomain);
  domain.temperature = Temperature::kHot;
  domain.write_buffer_bytes = config.write_buffer_size;
  domain.target_file_size_bytes = config.target_file_size;
  domain.max_bytes_for_level_base = config.max_bytes_for_level_base;
  domain.compression = ToMetakv(config.compression);
  domain.bottommost_compression = ToMetakv(config.compression);
  domain.purge_in_compaction = config.purge != 0;
  domain.partition_by_tenant = config.partition != 0;
  domain.adaptive_write_buffer = config.adaptive_flush != 0;
  domain.adaptive_level0_trigger = config.adaptive_flush != 0;

  Options options;
  options.create_if_missing = true;
  // Version history: a cold domain fed by IngestCold, otherwise sized alike.
  DomainOptions history = domain;
  history.name = std::string(kHistoryDomain);
  history.temperature = Temperature::kCold;
  options.domains = {domain, history};
  options.memory_budget_bytes = config.memory_budget;
  options.flush_controller_interval_seconds =
      config.adaptive_flush != 0 ? config.flush_controller_interval : 0;

  std::unique_ptr<Store> store;
  Status s = Annotate(Store::Open(options, dir, &store), "open " + dir);
  if (!s.ok()) return s;
  *out = std::make_unique<MetakvEngine>(std::move(store));
  return Status::OK();
}

}  // namespace metakv::bench
