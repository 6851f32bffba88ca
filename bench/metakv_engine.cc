#include "bench/metakv_engine.h"

#include <atomic>

#include "bench/bytes.h"
#include "common/text_table.h"
#include "metakv/store.h"
#include "metakv/write_batch.h"

namespace metakv::bench {

namespace {

constexpr uint64_t kWaitLimitMs = 3600 * 1000;

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

// The store's clock: starts at the real time of the open, then moves only
// forward, by Engine::SetTime.
class SimulatedClock : public Clock {
 public:
  explicit SimulatedClock(uint64_t micros) : now_(micros) {}
  uint64_t NowMicros() const override { return now_.load(std::memory_order_acquire); }
  void AdvanceTo(uint64_t micros) {
    uint64_t now = now_.load(std::memory_order_acquire);
    while (micros > now && !now_.compare_exchange_weak(now, micros, std::memory_order_acq_rel)) {
    }
  }

 private:
  std::atomic<uint64_t> now_;
};

std::string_view DomainName(MetaDomain d) {
  switch (d) {
    case MetaDomain::kInode:
      return kBenchDomain;
    case MetaDomain::kDentry:
      return kDentryDomain;
    case MetaDomain::kHistory:
      return kHistoryDomain;
  }
  return kBenchDomain;
}

class MetakvEngine : public Engine {
 public:
  MetakvEngine(std::unique_ptr<Store> store, std::shared_ptr<SimulatedClock> clock)
      : store_(std::move(store)), clock_(std::move(clock)) {}

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
    std::vector<ColdRecord> cold;
    cold.reserve(records.size());
    for (const auto& r : records) cold.push_back(ColdRecord{r.key, r.value, 0});
    return Annotate(store_->IngestCold(kHistoryDomain, tenant, cold), "IngestCold");
  }

  Status MetaWrite(std::string_view tenant, const std::vector<MetaOp>& ops) override {
    if (store_ == nullptr) return Status::InvalidArgument("metakv: closed");
    WriteBatch batch;
    for (const MetaOp& op : ops) {
      if (op.domain == MetaDomain::kHistory) {
        return Status::InvalidArgument("metakv: MetaWrite: history is written by groups");
      }
      const std::string_view domain = DomainName(op.domain);
      switch (op.kind) {
        case MetaOp::Kind::kPut:
          batch.Put(domain, tenant, op.key, op.value);
          break;
        case MetaOp::Kind::kDelete:
          batch.Delete(domain, tenant, op.key);
          break;
        case MetaOp::Kind::kRemove:
          batch.HardDelete(domain, tenant, op.key);
          break;
      }
    }
    Status s = store_->Write(write_options_, batch);
    if (s.IsNotFound()) return s;
    return Annotate(s, "Write");
  }

  Status MetaGet(MetaDomain domain, std::string_view tenant, std::string_view key,
                 std::string* value) override {
    if (store_ == nullptr) return Status::InvalidArgument("metakv: closed");
    Status s = store_->Get(read_options_, DomainName(domain), tenant, key, value);
    if (s.IsNotFound()) return s;
    return Annotate(s, "Get");
  }

  Status MetaScan(MetaDomain domain, std::string_view tenant, std::string_view prefix,
                  const ScanVisitor& visit) override {
    if (store_ == nullptr) return Status::InvalidArgument("metakv: closed");
    ScanSpec spec;
    spec.tenant = std::string(tenant);
    spec.prefix = std::string(prefix);
    std::unique_ptr<Iterator> it;
    Status s =
        Annotate(store_->NewIterator(read_options_, DomainName(domain), spec, &it), "NewIterator");
    if (!s.ok()) return s;
    for (it->SeekToFirst(); it->Valid(); it->Next()) {
      if (!visit(it->key(), it->value())) break;
    }
    return Annotate(it->status(), "Iterator");
  }

  Status MetaSeek(MetaDomain domain, std::string_view tenant, std::string_view start_key,
                  const ScanVisitor& visit) override {
    if (store_ == nullptr) return Status::InvalidArgument("metakv: closed");
    ScanSpec spec;
    spec.tenant = std::string(tenant);
    std::unique_ptr<Iterator> it;
    Status s =
        Annotate(store_->NewIterator(read_options_, DomainName(domain), spec, &it), "NewIterator");
    if (!s.ok()) return s;
    for (it->Seek(tenant, start_key); it->Valid(); it->Next()) {
      if (!visit(it->key(), it->value())) break;
    }
    return Annotate(it->status(), "Iterator");
  }

  Status RemoveTree(std::string_view tenant, const std::vector<TreePrefix>& prefixes,
                    TreeRemoveMode mode, uint64_t* removal_id) override {
    if (store_ == nullptr) return Status::InvalidArgument("metakv: closed");
    std::vector<PrefixRef> refs;
    for (const TreePrefix& p : prefixes) refs.push_back(PrefixRef{DomainName(p.domain), p.prefix});
    return Annotate(store_->RemoveTree(
                        write_options_, tenant, refs,
                        mode == TreeRemoveMode::kLogical ? RemoveMode::kLogical : RemoveMode::kHard,
                        removal_id),
                    "RemoveTree");
  }

  Status RestoreTree(uint64_t removal_id) override {
    if (store_ == nullptr) return Status::InvalidArgument("metakv: closed");
    Status s = store_->RestoreTree(write_options_, removal_id);
    if (s.IsNotFound() || s.IsExpired()) return s;
    return Annotate(s, "RestoreTree");
  }

  Status RemoveTenant(std::string_view tenant) override {
    if (store_ == nullptr) return Status::InvalidArgument("metakv: closed");
    return Annotate(store_->RemoveTenant(write_options_, tenant), "RemoveTenant");
  }

  Status DropPurgeable() override {
    if (store_ == nullptr) return Status::InvalidArgument("metakv: closed");
    return Annotate(store_->RunMaintenance(MaintenanceOptions::PurgeDeadlineOnly(0)),
                    "RunMaintenance (purge deadline)");
  }

  // The store has no public size estimate of a key range: this reads
  // RocksDB's GetApproximateSizes (files and memtables) through the
  // store's test hook, over the encoded key ranges (codecs/key_codec.h).
  Status StoredBytes(std::string_view tenant, const std::vector<TreePrefix>& prefixes,
                     uint64_t* bytes) override {
    *bytes = 0;
    if (store_ == nullptr) return Status::InvalidArgument("metakv: closed");
    std::vector<TreePrefix> ranges = prefixes;
    if (ranges.empty()) {  // the whole tenant
      for (MetaDomain d : {MetaDomain::kInode, MetaDomain::kDentry, MetaDomain::kHistory}) {
        ranges.push_back(TreePrefix{d, std::string()});
      }
    }
    for (const TreePrefix& p : ranges) {
      uint64_t size = 0;
      Status s = store_->GetApproximateSize(DomainName(p.domain), tenant, p.prefix, &size);
      if (!s.ok()) return s;
      *bytes += size;
    }
    return Status::OK();
  }

  std::string RemovalMethod(bool tenant, TreeRemoveMode mode) const override {
    if (tenant) return "RemoveTenant";
    return mode == TreeRemoveMode::kLogical ? "RemoveTree(kLogical)" : "RemoveTree(kHard)";
  }

  void SetTime(uint64_t micros) override { clock_->AdvanceTo(micros); }

  Status GetStats(EngineStats* out) override {
    if (store_ == nullptr) return Status::InvalidArgument("metakv: closed");
    Stats stats;
    Status s = Annotate(store_->GetStats(&stats), "GetStats");
    if (!s.ok()) return s;
    out->flush_bytes_written = stats.flush_bytes_written;
    out->ingest_bytes_written = stats.ingest_bytes_written;
    out->compaction_bytes_written = stats.compaction_bytes_written;
    out->wal_bytes_written = stats.wal_bytes_written;
    out->stall_micros = stats.stall_micros;
    out->live_sst_bytes = 0;
    const uint64_t now = clock_->NowSeconds();
    for (const DomainStats& d : stats.domains) {
      out->live_sst_bytes += d.live_sst_bytes;
      out->l0_l1_rewritten_bytes += d.l0_l1_rewritten_bytes;
      out->l0_l1_for_others_bytes += d.l0_l1_for_others_bytes;
      const uint64_t since = d.oldest_purgeable_time;
      out->purgeable_age_seconds[d.name] = since == 0 || since >= now ? 0 : now - since;
    }
    return Status::OK();
  }

  std::string PrometheusMetrics() override {
    Stats stats;
    if (store_ == nullptr || !store_->GetStats(&stats).ok()) return {};
    return StatsToPrometheus(stats);
  }

  std::string Details() override {
    if (store_ == nullptr) return {};
    Stats stats;
    if (!store_->GetStats(&stats).ok()) return {};
    auto mib = [](uint64_t b) {
      return common::FormatFixed(static_cast<double>(b) / 1048576.0, 1);
    };
    common::TextTable table({{"domain", common::TextTable::Align::kLeft, ""},
                             {"user", common::TextTable::Align::kRight, ""},
                             {"flush", common::TextTable::Align::kRight, ""},
                             {"compaction", common::TextTable::Align::kRight, ""},
                             {"ingest", common::TextTable::Align::kRight, ""},
                             {"WA", common::TextTable::Align::kRight, ""},
                             {"flushes", common::TextTable::Align::kRight, ""},
                             {"compactions", common::TextTable::Align::kRight, ""},
                             {"trivial moves", common::TextTable::Align::kRight, ""},
                             {"purged recs", common::TextTable::Align::kRight, ""},
                             {"purged", common::TextTable::Align::kRight, ""},
                             {"memtable", common::TextTable::Align::kRight, ""},
                             {"L0 trig", common::TextTable::Align::kRight, ""},
                             {"removals", common::TextTable::Align::kRight, ""},
                             {"deadline comp", common::TextTable::Align::kRight, ""},
                             {"deadline MiB", common::TextTable::Align::kRight, ""},
                             {"L0->L1 MiB", common::TextTable::Align::kRight, ""},
                             {"for others", common::TextTable::Align::kRight, ""},
                             {"dropped files", common::TextTable::Align::kRight, ""},
                             {"dropped MiB", common::TextTable::Align::kRight, ""},
                             {"files per level", common::TextTable::Align::kLeft, ""}});
    for (const DomainStats& d : stats.domains) {
      std::string levels;
      for (const LevelStats& l : d.levels) {
        levels += (levels.empty() ? "" : " ") + std::to_string(l.files);
      }
      table.AddRow({d.name, mib(d.user_bytes_written), mib(d.flush_bytes_written),
                    mib(d.compaction_bytes_written), mib(d.ingest_bytes_written),
                    common::FormatFixed(d.write_amplification, 2), std::to_string(d.flushes),
                    std::to_string(d.compactions), std::to_string(d.trivial_moves),
                    std::to_string(d.purged_records), mib(d.purged_bytes),
                    mib(d.write_buffer_bytes), std::to_string(d.level0_compaction_trigger),
                    std::to_string(d.tree_removals + d.tenant_removals),
                    std::to_string(d.deadline_compactions),
                    mib(d.deadline_compaction_bytes_written), mib(d.l0_l1_rewritten_bytes),
                    mib(d.l0_l1_for_others_bytes), std::to_string(d.purge_dropped_files),
                    mib(d.purge_dropped_bytes), levels});
    }
    return table.Format();
  }

  Status Close() override {
    if (store_ == nullptr) return Status::OK();
    Status s = Annotate(store_->Close(), "Close");
    store_.reset();
    return s;
  }

 private:
  std::unique_ptr<Store> store_;
  std::shared_ptr<SimulatedClock> clock_;  // the store's clock (SetTime)
  WriteOptions write_options_;
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
  if (config.compression != CompressionChoice::kDefault) {
    domain.compression = ToCompression(config.compression);
    domain.bottommost_compression = ToCompression(config.compression);
  }
  domain.purge_in_compaction = config.purge != 0;
  domain.partition_by_tenant = config.partition != 0;
  domain.adaptive_write_buffer = config.adaptive_flush != 0;
  domain.adaptive_level0_trigger = config.adaptive_flush != 0;
  domain.tombstone_retention_seconds = config.retention_seconds;
  domain.tenant_shards = static_cast<uint32_t>(config.tenant_shards);

  Options options;
  options.create_if_missing = true;
  // Directory entries: a hot domain like inodes.
  DomainOptions dentry = domain;
  dentry.name = std::string(kDentryDomain);
  // Version history: a cold domain fed by IngestCold, otherwise sized alike.
  DomainOptions history = domain;
  history.name = std::string(kHistoryDomain);
  history.temperature = Temperature::kCold;
  history.tenant_shards = 1;
  history.default_ttl_seconds = config.history_ttl_seconds;
  options.domains = {domain, dentry, history};
  options.memory_budget_bytes = config.memory_budget;
  options.flush_controller_interval_seconds =
      config.adaptive_flush != 0 ? config.flush_controller_interval : 0;
  // Expired history files are dropped by the maintenance pass: run it each
  // second, as runs here last minutes, not days.
  options.maintenance_interval_seconds = 1;
  options.purge_deadline_seconds = config.purge_deadline_seconds;
  auto clock = std::make_shared<SimulatedClock>(RealTimeMicros());
  options.clock = clock;

  std::unique_ptr<Store> store;
  Status s = Annotate(Store::Open(options, dir, &store), "open " + dir);
  if (!s.ok()) return s;
  *out = std::make_unique<MetakvEngine>(std::move(store), std::move(clock));
  return Status::OK();
}

}  // namespace metakv::bench
