// Opening and closing a store: the catalogue, the column families, the
// creation marker, and the repairs an open makes.
#include <rocksdb/metadata.h>
#include <rocksdb/write_batch.h>

#include <algorithm>
#include <chrono>
#include <filesystem>

#include "codecs/key_codec.h"
#include "compaction/tombstone_filter.h"
#include "engine/creation_marker.h"
#include "engine/options_check.h"
#include "engine/rocksdb_util.h"
#include "engine/store_impl.h"

namespace metakv {

namespace fs = std::filesystem;

namespace {

Status ClosedError() { return Status::Aborted("store is closed"); }

// RocksDB refused the open because a column family has files in levels its
// options do not have: a time-ordered domain (one level) whose files a plain
// RocksDB open compacted down.
bool MoreLevelsThanOptions(const Status& s) {
  return s.IsInvalidArgument() &&
         s.message().find("more levels than options.num_levels") != std::string::npos;
}

// Open's errors for damaged files say what can be done about them.
Status WithRecoveryHint(Status s) {
  if (!s.IsCorruption()) return s;
  return Status::Corruption(
      s.message() +
      " (damaged or missing database files: Options::wal_recovery_mode decides how a damaged "
      "WAL is replayed; metakv::RepairStore (metakv/repair.h) rebuilds a store with a damaged "
      "MANIFEST or a missing or damaged SST file, losing what only those held)");
}

// Reads the catalogue and the domain settings through an open of the
// default column family that writes nothing: read-only, or as a secondary
// beside a running writer (secondary_path non-empty). *settings is left
// empty if the store has none. *interrupted: an interrupted creation (an
// empty default column family and the creation marker).
Status ReadStoredMetadata(const std::string& path, const rocksdb::DBOptions& db_options,
                          const std::string& secondary_path, Catalogue* catalogue,
                          DomainSettings* settings, bool* interrupted) {
  rocksdb::DB* raw = nullptr;
  rocksdb::DBOptions ro_options = db_options;
  ro_options.listeners.clear();
  ro_options.statistics = nullptr;
  std::vector<rocksdb::ColumnFamilyDescriptor> descriptors{
      {rocksdb::kDefaultColumnFamilyName, rocksdb::ColumnFamilyOptions()}};
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  rocksdb::Status rs =
      secondary_path.empty()
          ? rocksdb::DB::OpenForReadOnly(ro_options, path, descriptors, &handles, &raw)
          : rocksdb::DB::OpenAsSecondary(ro_options, path, secondary_path, descriptors, &handles,
                                         &raw);
  if (!rs.ok()) return FromRocks(rs, path);
  std::unique_ptr<rocksdb::DB> db(raw);
  std::string value, settings_value;
  rs = db->Get(rocksdb::ReadOptions(), handles[0], kCatalogueKey, &value);
  bool empty = false;  // an interrupted creation left nothing in it
  if (rs.IsNotFound()) {
    std::unique_ptr<rocksdb::Iterator> it(db->NewIterator(rocksdb::ReadOptions(), handles[0]));
    it->SeekToFirst();
    empty = !it->Valid() && it->status().ok();
  }
  rocksdb::Status settings_rs =
      db->Get(rocksdb::ReadOptions(), handles[0], kDomainSettingsKey, &settings_value);
  for (auto* h : handles) db->DestroyColumnFamilyHandle(h).PermitUncheckedError();
  db->Close().PermitUncheckedError();
  rocksdb::FileSystem* const file_system = db_options.env->GetFileSystem().get();
  if (rs.IsNotFound() && empty && CreationInterrupted(file_system, path)) {
    *interrupted = true;
    return Status::OK();
  }
  if (rs.IsNotFound()) {
    return Status::InvalidArgument(path +
                                   ": a RocksDB database but not a metakv database "
                                   "(no domain catalogue)");
  }
  if (!rs.ok()) return FromRocks(rs, path + ": reading the domain catalogue");
  Status s = Catalogue::Decode(value, catalogue);
  if (!s.ok()) return Status::Corruption(path + ": " + s.message());
  *settings = DomainSettings();
  if (settings_rs.IsNotFound()) return Status::OK();
  if (!settings_rs.ok()) return FromRocks(settings_rs, path + ": reading the domain settings");
  s = DomainSettings::Decode(settings_value, settings);
  return s.ok() ? s : Status::Corruption(path + ": " + s.message());
}

// The secondary instance's directory: created if missing, never the
// store's own.
Status PrepareSecondaryPath(const std::string& path, const std::string& secondary_path) {
  std::error_code ec;
  fs::create_directories(secondary_path, ec);
  if (ec) {
    return Status::IOError("secondary_path " + secondary_path + ": " + ec.message());
  }
  if (fs::equivalent(path, secondary_path, ec)) {
    return Status::InvalidArgument("secondary_path " + secondary_path +
                                   " is the store's own directory");
  }
  return Status::OK();
}

}  // namespace

// RocksDB's lock of a database directory, taken through its Env (the same
// lock DB::Open takes), released by Release or at the end of the scope.
class DbLock {
 public:
  explicit DbLock(rocksdb::Env* env) : env_(env) {}
  ~DbLock() { Release(); }
  DbLock(const DbLock&) = delete;
  DbLock& operator=(const DbLock&) = delete;

  Status Lock(const std::string& path) {
    return FromRocks(env_->LockFile(path + "/LOCK", &lock_), path);
  }
  void Release() {
    if (lock_ != nullptr) env_->UnlockFile(lock_).PermitUncheckedError();
    lock_ = nullptr;
  }

 private:
  rocksdb::Env* const env_;
  rocksdb::FileLock* lock_ = nullptr;
};

Store::~Store() = default;

Status Store::StoredDomains(const Options& options, std::string_view path_view,
                            std::vector<DomainOptions>* domains,
                            std::vector<std::string>* no_retention) {
  if (domains == nullptr) return Status::InvalidArgument("StoredDomains: domains is null");
  domains->clear();
  if (no_retention != nullptr) no_retention->clear();
  const std::string path(path_view);
  std::error_code ec;
  if (path.empty() || !fs::exists(fs::path(path) / "CURRENT", ec)) {
    return Status::InvalidArgument(path + ": no database here");
  }
  rocksdb::DBOptions db_options;
  ApplyStoreDbOptions(options, &db_options);
  if (!options.secondary_path.empty()) {
    db_options.max_open_files = -1;  // as a secondary instance requires
    Status s = PrepareSecondaryPath(path, options.secondary_path);
    if (!s.ok()) return s;
  }
  Catalogue catalogue;
  DomainSettings settings;
  bool interrupted = false;
  Status s = WithRecoveryHint(ReadStoredMetadata(path, db_options, options.secondary_path,
                                                 &catalogue, &settings, &interrupted));
  if (!s.ok()) return s;
  if (interrupted) {
    return Status::InvalidArgument(path +
                                   ": its creation was interrupted; open it once for writing");
  }
  for (const CatalogueEntry& entry : catalogue.domains) {
    DomainOptions d;
    d.name = entry.name;
    d.temperature = entry.temperature;
    d.tenant_shards = entry.tenant_shards;
    d.cold_layout = entry.temperature == Temperature::kCold ? entry.cold_layout
                                                            : ColdLayout::kTimeOrdered;
    auto it = settings.retention_seconds.find(entry.name);
    if (it != settings.retention_seconds.end()) {
      d.tombstone_retention_seconds = it->second;
    } else if (no_retention != nullptr) {
      no_retention->push_back(entry.name);
    }
    domains->push_back(std::move(d));
  }
  return Status::OK();
}

Status Store::Open(const Options& options, std::string_view path, std::unique_ptr<Store>* out) {
  if (out == nullptr) return Status::InvalidArgument("Open: out is null");
  out->reset();
  auto impl = std::make_unique<StoreImpl>();
  Status s = impl->Open(options, std::string(path));
  if (!s.ok()) return s;
  *out = std::move(impl);
  return Status::OK();
}

// ----------------------------------------------------------- Open/Close ----

StoreImpl::~StoreImpl() { Close().PermitUncheckedError(); }

Status StoreImpl::Open(const Options& options, const std::string& path) {
  Status s = ValidateOptions(options);
  if (!s.ok()) return s;
  if (path.empty()) return Status::InvalidArgument("empty database path");
  options_ = options;
  path_ = path;
  if (!options.secondary_path.empty()) {
    options_.read_only = true;
    s = PrepareSecondaryPath(path, options.secondary_path);
    if (!s.ok()) return s;
  }
  clock_ = std::make_shared<StoreClock>(options.clock ? options.clock : SystemClock());

  SetUpDomains();
  const rocksdb::DBOptions db_options = DbOptions();
  file_system_ = db_options.env->GetFileSystem();

  std::error_code ec;
  const bool exists = fs::exists(fs::path(path) / "CURRENT", ec);
  if (exists) {
    if (options.error_if_exists) {
      return Status::InvalidArgument(path + ": database exists (error_if_exists is set)");
    }
    // A writable open takes the database lock before anything reads the
    // store: the catalogue is read through a read-only open first, which
    // RocksDB does not define beside a running writer (its WAL files may
    // go mid-read). Held until RocksDB's own open takes it.
    DbLock lock(db_options.env);
    if (!options_.read_only) {
      s = lock.Lock(path);
      if (!s.ok()) return s;
    }
    s = WithRecoveryHint(OpenExisting(path, db_options, &lock));
  } else {
    if (fs::exists(path, ec) && !fs::is_directory(path, ec)) {
      return Status::InvalidArgument(path + ": exists and is not a directory");
    }
    // Database files without CURRENT: a damaged store, not an empty
    // directory. Creating a store over it would bury (or, without WAL
    // files, lose) the old data.
    const std::string orphan = DatabaseFileWithoutCurrent(
        file_system_.get(), path, CreationInterrupted(file_system_.get(), path));
    if (!orphan.empty()) {
      return WithRecoveryHint(Status::Corruption(
          path + ": the CURRENT file is missing but database files (" + orphan + ") are present"));
    }
    if (!options.create_if_missing) {
      return Status::InvalidArgument(path + ": no database here (create_if_missing is false)");
    }
    s = MarkCreating(file_system_.get(), path);
    if (s.ok()) s = OpenNew(path, db_options);
  }
  // The store is complete: a marker left by this or an interrupted creation
  // goes.
  if (s.ok() && !options_.read_only) s = UnmarkCreating(file_system_.get(), path);
  if (s.ok() && !options_.read_only && options_.record_domain_settings) {
    s = RecordDomainSettings();
  }
  if (s.ok()) s = LoadRemovals();
  if (s.ok()) s = LoadTimeBound();
  if (!s.ok()) {
    Close().PermitUncheckedError();
    return s;
  }
  if (!options_.read_only) {
    CleanIngestStaging();
    StartMaintenance();
    StartFlushController();
  }
  return s;
}

void StoreImpl::SetUpDomains() {
  cache_ = rocksdb::NewLRUCache(options_.memory_budget_bytes);
  write_buffer_manager_ = std::make_shared<rocksdb::WriteBufferManager>(
      static_cast<size_t>(MemtableBudgetBytes(options_)), cache_);
  if (options_.enable_statistics) {
    statistics_ = rocksdb::CreateDBStatistics();
    latency_ = std::make_unique<LatencyHistograms>();
  }
  accounting_ = std::make_shared<AccountingListener>();
  BuildDomainEntries();
}

void StoreImpl::BuildDomainEntries() {
  domains_.clear();
  domain_index_.clear();
  const bool sharded = std::any_of(options_.domains.begin(), options_.domains.end(),
                                   [](const DomainOptions& d) { return ShardsOf(d) > 1; });
  const uint64_t cap = ShardedWriteBufferCap(MemtableBudgetBytes(options_));
  for (const auto& declared : options_.domains) {
    const uint32_t shards = ShardsOf(declared);
    for (uint32_t shard = 0; shard < shards; ++shard) {
      DomainOptions d = declared;
      d.name = ShardColumnFamily(declared.name, shard);
      if (sharded) {
        // Every bound at most the cap (so min <= size <= max still holds).
        d.min_write_buffer_bytes = std::min(MinWriteBufferBytes(declared), cap);
        d.write_buffer_bytes = std::min(declared.write_buffer_bytes, cap);
        d.max_write_buffer_bytes = std::min(MaxWriteBufferBytes(declared), cap);
      }
      domain_index_[d.name] = domains_.size();
      Domain domain;
      domain.options = d;
      domain.counters = accounting_->Register(d.name);
      if (d.temperature == Temperature::kCold) {
        domain.ingest_gate = std::make_shared<std::shared_mutex>();
      }
      if (d.partition_by_tenant) {
        domain.partitioner = std::make_shared<TenantPartitionerFactory>(
            FractionOf(d.target_file_size_bytes, d.partition_min_file_fraction));
      }
      domain.domain_name = declared.name;
      domain.shard = shard;
      domain.shards = shards;
      domains_.push_back(std::move(domain));
    }
  }
  memtable_watch_.assign(domains_.size() + 1, MemtableWatch{});  // + the default CF
}

rocksdb::DBOptions StoreImpl::DbOptions() {
  rocksdb::DBOptions db_options;
  db_options.create_if_missing = false;
  db_options.create_missing_column_families = false;
  db_options.max_background_jobs = options_.max_background_jobs;
  db_options.write_buffer_manager = write_buffer_manager_;
  db_options.statistics = statistics_;
  db_options.listeners.push_back(accounting_);
  flush_observer_ = std::make_shared<FlushObserver>();
  db_options.listeners.push_back(flush_observer_);
  marker_times_ = std::make_shared<MarkerTimes>(
      [this] { return Now(); }, [system = SystemClock()] { return system->NowMicros() / 1000000; });
  for (const Domain& d : domains_) {
    marker_times_->Register(d.options.name, d.options.tombstone_retention_seconds);
  }
  db_options.listeners.push_back(marker_times_);
  // Env hook, WAL recovery mode, log level (shared with RepairStore).
  ApplyStoreDbOptions(options_, &db_options);
  // A secondary instance keeps every table file open: the primary may
  // delete one at any time, and an open file stays readable.
  if (Secondary()) db_options.max_open_files = -1;
  return db_options;
}

void StoreImpl::StartFlushController() {
  if (options_.flush_controller_interval_seconds == 0) return;
  std::vector<FlushDomain> domains;
  for (const auto& d : domains_) {
    FlushDomain f;
    f.name = d.options.name;
    f.cf = d.cf;
    f.counters = d.counters;
    const DomainCounters* c = d.counters;
    f.memtable_bytes = [c] {
      const uint64_t ingested = c->ingest_user_bytes.load(std::memory_order_relaxed);
      const uint64_t user = c->user_bytes.load(std::memory_order_relaxed);
      return user >= ingested ? user - ingested : 0;
    };
    f.min_write_buffer_size = MinWriteBufferBytes(d.options);
    f.max_write_buffer_size = MaxWriteBufferBytes(d.options);
    f.base_l0_trigger = d.options.level0_compaction_trigger;
    f.adapt_write_buffer = d.options.adaptive_write_buffer;
    // RocksDB never compacts a time-ordered domain: no trigger to move.
    f.adapt_l0_trigger = d.options.adaptive_level0_trigger && !d.TimeOrdered();
    domains.push_back(std::move(f));
  }
  FlushControllerOptions fco;
  fco.memtable_budget_bytes = write_buffer_manager_->buffer_size();
  fco.interval = std::chrono::seconds(options_.flush_controller_interval_seconds);
  fco.clock = options_.clock ? options_.clock : SystemClock();  // rates only
  fco.statistics = statistics_;
  fco.observer = flush_observer_;
  // Decisions reach the info log whatever its level, as warnings if need be.
  fco.log_level = std::max(rocksdb::InfoLogLevel::INFO_LEVEL,
                           static_cast<rocksdb::InfoLogLevel>(options_.info_log_level));
  flush_controller_ = std::make_unique<FlushController>(db_.get(), std::move(domains), fco);
  flush_controller_->Start();
}

Status StoreImpl::OpenNew(const std::string& path, rocksdb::DBOptions db_options) {
  db_options.create_if_missing = true;
  std::vector<std::string> cf_names{rocksdb::kDefaultColumnFamilyName};
  Status s = OpenWithColumnFamilies(path, db_options, cf_names);
  if (!s.ok()) return s;
  // The catalogue first, then the column families: a crash in between
  // leaves a catalogue whose missing column families the next Open creates.
  Catalogue catalogue;
  for (const auto& d : options_.domains) catalogue.domains.push_back(CatalogueEntry::Of(d));
  s = WriteCatalogue(catalogue);
  if (!s.ok()) return s;
  return CreateMissingDomains();
}

Status StoreImpl::ResumeCreation(const std::string& path, const rocksdb::DBOptions& db_options) {
  const std::string what = path +
                           ": its creation was interrupted (RocksDB made the database, "
                           "metakv had not yet written its catalogue)";
  if (options_.read_only) return Status::InvalidArgument(what + "; open it once for writing");
  if (!options_.create_if_missing) {
    return Status::InvalidArgument(what + "; open it with create_if_missing to finish it");
  }
  // The catalogue is written before any domain's column family, so nothing
  // but the default one can exist; anything else is not ours to take over.
  std::vector<std::string> cf_names;
  rocksdb::Status rs = rocksdb::DB::ListColumnFamilies(db_options, path, &cf_names);
  if (!rs.ok()) return FromRocks(rs, path);
  if (cf_names != std::vector<std::string>{rocksdb::kDefaultColumnFamilyName}) {
    return Status::InvalidArgument(path +
                                   ": a RocksDB database but not a metakv database "
                                   "(no domain catalogue, other column families)");
  }
  return OpenNew(path, db_options);
}

Status StoreImpl::OpenReadOnly(const std::string& path, const rocksdb::DBOptions& db_options,
                               const std::vector<std::string>& cf_names) {
  // Only existing column families can be opened read-only.
  Status s = OpenWithColumnFamilies(path, db_options, cf_names);
  if (MoreLevelsThanOptions(s)) {
    return Status::InvalidArgument(
        path +
        ": a time-ordered domain has files below level 0 (RocksDB compacted them, "
        "opened without metakv and with automatic compactions on); open the store "
        "once for writing, which puts them back");
  }
  if (!s.ok()) return s;
  for (const auto& d : domains_) {
    if (d.cf == nullptr) {
      return Status::InvalidArgument(path + ": domain '" + d.options.name +
                                     "' has no column family yet; open once for writing");
    }
  }
  return Status::OK();
}

Status StoreImpl::OpenExisting(const std::string& path, rocksdb::DBOptions db_options,
                               DbLock* lock) {
  // Read the catalogue through a read-only open of the default column family
  // first, so a database that is not metakv's is never opened for writing.
  Catalogue stored;
  bool interrupted = false;
  Status read = ReadStoredMetadata(path, db_options, options_.secondary_path, &stored,
                                   &recorded_settings_,
                                   &interrupted);
  if (!read.ok()) return read;
  if (interrupted) {
    lock->Release();  // RocksDB's open takes it
    return ResumeCreation(path, db_options);
  }
  Catalogue merged;
  Status s = ReconcileCatalogue(stored, options_.domains, options_.create_missing_domains, &merged);
  if (!s.ok()) return Status::InvalidArgument(path + ": " + s.message());
  // A domain keeps the layout and the tenant shards it was created with.
  bool reshard = false;  // the domain entries need building again
  for (DomainOptions& d : options_.domains) {
    const CatalogueEntry* entry = stored.Find(d.name);
    if (entry == nullptr) continue;
    if (d.temperature == Temperature::kCold && d.cold_layout != entry->cold_layout) {
      d.cold_layout = entry->cold_layout;
      reshard = true;
    }
    if (d.temperature == Temperature::kHot && d.tenant_shards != entry->tenant_shards) {
      d.tenant_shards = entry->tenant_shards;
      reshard = true;
    }
  }
  if (reshard) {
    BuildDomainEntries();
    for (const Domain& d : domains_) {
      marker_times_->Register(d.options.name, d.options.tombstone_retention_seconds);
    }
  }
  if (options_.read_only && merged.domains.size() != stored.domains.size()) {
    return Status::InvalidArgument(path + ": read-only open cannot add domain '" +
                                   merged.domains.back().name + "'");
  }

  std::vector<std::string> cf_names;
  rocksdb::Status rs = rocksdb::DB::ListColumnFamilies(db_options, path, &cf_names);
  if (!rs.ok()) return FromRocks(rs, path);
  for (const auto& name : cf_names) {
    if (name != rocksdb::kDefaultColumnFamilyName && stored.Find(name) == nullptr &&
        domain_index_.count(name) == 0) {
      return Status::InvalidArgument(path + ": column family '" + name +
                                     "' is neither in the domain catalogue nor declared");
    }
  }
  if (options_.read_only) return OpenReadOnly(path, db_options, cf_names);
  lock->Release();  // RocksDB's open takes it
  s = OpenWithColumnFamilies(path, db_options, cf_names);
  if (MoreLevelsThanOptions(s)) {
    s = PutTimeOrderedFilesBack(path, db_options, cf_names);
    if (s.ok()) s = OpenWithColumnFamilies(path, db_options, cf_names);
  }
  if (!s.ok()) return s;
  if (merged.domains.size() != stored.domains.size()) {
    s = WriteCatalogue(merged);
    if (!s.ok()) return s;
  }
  return CreateMissingDomains();
}

Status StoreImpl::PutTimeOrderedFilesBack(const std::string& path,
                                          const rocksdb::DBOptions& db_options,
                                          const std::vector<std::string>& cf_names) {
  rocksdb::DBOptions options = db_options;
  options.listeners.clear();
  std::vector<rocksdb::ColumnFamilyDescriptor> descriptors = DescriptorsFor(cf_names);
  std::vector<bool> time_ordered;
  for (auto& [name, cf] : descriptors) {
    auto it = domain_index_.find(name);
    time_ordered.push_back(it != domain_index_.end() && domains_[it->second].TimeOrdered());
    if (time_ordered.back()) {
      cf.num_levels = rocksdb::ColumnFamilyOptions().num_levels;
      cf.compaction_filter_factory = nullptr;  // moves records, purges none
    }
    cf.disable_auto_compactions = true;
  }
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  rocksdb::DB* raw = nullptr;
  rocksdb::Status rs = rocksdb::DB::Open(options, path, descriptors, &handles, &raw);
  if (!rs.ok()) return FromRocks(rs, path);
  std::unique_ptr<rocksdb::DB> db(raw);
  auto below_level0 = [&db](rocksdb::ColumnFamilyHandle* cf) {
    rocksdb::ColumnFamilyMetaData meta;
    db->GetColumnFamilyMetaData(cf, &meta);
    for (const auto& level : meta.levels) {
      if (level.level > 0 && !level.files.empty()) return true;
    }
    return false;
  };
  Status s;
  for (size_t i = 0; i < handles.size() && s.ok(); ++i) {
    if (!time_ordered[i] || !below_level0(handles[i])) continue;
    rocksdb::CompactRangeOptions co;
    co.bottommost_level_compaction = rocksdb::BottommostLevelCompaction::kForce;
    co.change_level = true;
    co.target_level = 0;
    s = FromRocks(db->CompactRange(co, handles[i], nullptr, nullptr),
                  path + ": putting the files of '" + cf_names[i] + "' back into level 0");
    if (s.ok() && below_level0(handles[i])) {
      s = Status::Corruption(path + ": the files of '" + cf_names[i] +
                             "' could not be put back into level 0");
    }
  }
  for (auto* h : handles) db->DestroyColumnFamilyHandle(h).PermitUncheckedError();
  rs = db->Close();
  return s.ok() ? FromRocks(rs, path) : s;
}

std::vector<rocksdb::ColumnFamilyDescriptor> StoreImpl::DescriptorsFor(
    const std::vector<std::string>& cf_names) const {
  std::vector<rocksdb::ColumnFamilyDescriptor> out;
  for (const auto& name : cf_names) {
    auto it = domain_index_.find(name);
    out.emplace_back(name, it != domain_index_.end() ? ColumnFamilyOptionsFor(domains_[it->second])
                                                     : rocksdb::ColumnFamilyOptions());
  }
  return out;
}

Status StoreImpl::OpenWithColumnFamilies(const std::string& path,
                                         const rocksdb::DBOptions& db_options,
                                         const std::vector<std::string>& cf_names) {
  const std::vector<rocksdb::ColumnFamilyDescriptor> descriptors = DescriptorsFor(cf_names);
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  rocksdb::DB* raw = nullptr;
  rocksdb::Status rs;
  if (Secondary()) {
    rs = rocksdb::DB::OpenAsSecondary(db_options, path, options_.secondary_path, descriptors,
                                      &handles, &raw);
  } else if (options_.read_only) {
    rs = rocksdb::DB::OpenForReadOnly(db_options, path, descriptors, &handles, &raw);
  } else {
    rs = rocksdb::DB::Open(db_options, path, descriptors, &handles, &raw);
  }
  if (!rs.ok()) return FromRocks(rs, path);
  db_.reset(raw);
  for (size_t i = 0; i < handles.size(); ++i) {
    auto it = domain_index_.find(cf_names[i]);
    if (cf_names[i] == rocksdb::kDefaultColumnFamilyName) {
      default_cf_ = handles[i];
    } else if (it != domain_index_.end()) {
      domains_[it->second].cf = handles[i];
    } else {
      other_cfs_.push_back(handles[i]);
    }
  }
  return Status::OK();
}

Status StoreImpl::CreateMissingDomains() {
  for (auto& d : domains_) {
    if (d.cf != nullptr) continue;
    rocksdb::Status rs = db_->CreateColumnFamily(ColumnFamilyOptionsFor(d), d.options.name, &d.cf);
    if (!rs.ok()) return FromRocks(rs, "creating domain '" + d.options.name + "'");
  }
  return Status::OK();
}

rocksdb::ColumnFamilyOptions StoreImpl::ColumnFamilyOptionsFor(const Domain& d) const {
  rocksdb::ColumnFamilyOptions cf = DomainColumnFamilyOptions(d.options, cache_);
  if (options_.maintenance_interval_seconds != 0) {
    // The maintenance pass drops expired cold files by metakv's clock, which
    // is the clock records expire by; RocksDB's periodic compaction goes by
    // the system clock and rewrites every old file, live or not, one
    // compaction at a time. Keep it only as the fallback without the pass.
    cf.periodic_compaction_seconds = 0;
  }
  if (d.options.purge_in_compaction) {
    // The factory outlives the store only inside RocksDB's options, which
    // are gone once the database is closed; `this` is valid until then.
    cf.compaction_filter_factory = std::make_shared<TombstoneFilterFactory>(
        d.options.tombstone_retention_seconds,
        [this] { return const_cast<StoreImpl*>(this)->PurgeTime(); }, d.counters,
        [this] { return CurrentRemovals(); }, IndexOf(&d));
  }
  cf.sst_partitioner_factory = d.partitioner;
  // One per domain shard, plus RocksDB's default column family.
  const uint64_t budget = write_buffer_manager_ ? write_buffer_manager_->buffer_size() : 0;
  cf.arena_block_size = ArenaBlockBytes(d.options.write_buffer_bytes, budget, domains_.size() + 1);
  return cf;
}

Status StoreImpl::WriteMetadata(const Catalogue* catalogue, bool settings) {
  const DomainSettings wanted = DomainSettings::Of(options_.domains);
  rocksdb::WriteBatch batch;
  rocksdb::Status rs;
  if (catalogue != nullptr) {
    rs = batch.Put(default_cf_, kCatalogueKey, catalogue->Encode(clock_->NowSeconds()));
  }
  if (rs.ok() && settings) {
    rs = batch.Put(default_cf_, kDomainSettingsKey, wanted.Encode(clock_->NowSeconds()));
  }
  rocksdb::WriteOptions wo;
  wo.sync = true;
  if (rs.ok()) rs = db_->Write(wo, &batch);
  // Flushed at once so the metadata never pins an old WAL file (which
  // would force flushes once the WAL grows).
  if (rs.ok()) rs = db_->Flush(rocksdb::FlushOptions(), default_cf_);
  if (rs.ok() && settings) recorded_settings_ = wanted;
  return FromRocks(rs, catalogue != nullptr ? "writing the domain catalogue"
                                            : "writing the domain settings");
}

Status StoreImpl::WriteCatalogue(const Catalogue& catalogue) {
  // The domain settings come along (one file for both, not two).
  return WriteMetadata(&catalogue, options_.record_domain_settings);
}

Status StoreImpl::RecordDomainSettings() {
  if (recorded_settings_ == DomainSettings::Of(options_.domains)) return Status::OK();
  return WriteMetadata(nullptr, /*settings=*/true);
}

Status StoreImpl::Close() {
  StopMaintenance();
  if (flush_controller_) {
    flush_controller_->Stop();
    flush_controller_.reset();
  }
  if (!db_) return Status::OK();
  Status result;
  if (open_iterators_.load() != 0) {
    result = Status::Aborted(std::to_string(open_iterators_.load()) +
                             " iterators were still open at Close (a caller bug)");
  }
  snapshots_.ReleaseAll(db_.get());
  if (!options_.read_only) {
    // After a failed write (WAL write or sync, flush, MANIFEST write)
    // RocksDB stops writes with a background error, and its WAL writer must
    // not be used again: Debian's librocksdb 7.8 keeps its assertions, and
    // FlushWAL(sync) on a writer that has seen an error aborts the process
    // (WritableFileWriter::SyncWithoutFlush). An empty write returns that
    // background error, if any, before it reaches the WAL; then there is
    // nothing the sync could still save, and Close reports it. (Not
    // disableWAL: RocksDB would then take the memtables for unpersisted and
    // flush them all at Close. no_slowdown: a write stall is Incomplete,
    // not a wait.)
    rocksdb::WriteOptions probe;
    probe.no_slowdown = true;
    rocksdb::WriteBatch empty;
    rocksdb::Status rs = db_->Write(probe, &empty);
    if (rs.IsIncomplete()) rs = rocksdb::Status::OK();
    if (!rs.ok()) {
      if (result.ok()) result = FromRocks(rs, "closing a store whose writes had failed");
    } else {
      rs = db_->FlushWAL(/*sync=*/true);
      if (!rs.ok() && result.ok()) result = FromRocks(rs, "syncing the WAL at Close");
    }
  }
  for (auto& d : domains_) {
    if (d.cf != nullptr) db_->DestroyColumnFamilyHandle(d.cf).PermitUncheckedError();
    d.cf = nullptr;
  }
  for (auto* h : other_cfs_) db_->DestroyColumnFamilyHandle(h).PermitUncheckedError();
  other_cfs_.clear();
  if (default_cf_ != nullptr) db_->DestroyColumnFamilyHandle(default_cf_).PermitUncheckedError();
  default_cf_ = nullptr;
  rocksdb::Status rs = db_->Close();
  if (!rs.ok() && result.ok()) result = FromRocks(rs, "closing");
  // Once RocksDB has stopped: its background threads (a resume after a
  // write error among them) must not race the file write.
  if (!options_.read_only) PersistExactTimeBound();
  db_.reset();
  return result;
}

// ------------------------------------------------------------- Helpers ----

Status StoreImpl::CheckOpen() const { return db_ ? Status::OK() : ClosedError(); }

Status StoreImpl::CheckWritable() const {
  if (!db_) return ClosedError();
  if (options_.read_only) return Status::NotSupported("store is open read-only");
  return Status::OK();
}

Status StoreImpl::DomainsNamed(std::string_view name, std::vector<Domain*>* out) {
  out->clear();
  if (!name.empty()) {
    Domain* d = nullptr;
    Status s = FindDomain(name, &d);
    if (!s.ok()) return s;
    for (uint32_t i = 0; i < d->shards; ++i) out->push_back(d + i);  // shards are adjacent
    return s;
  }
  for (Domain& d : domains_) out->push_back(&d);
  return Status::OK();
}

Status StoreImpl::FindDomain(std::string_view name, Domain** domain) {
  // A handful of domains: a scan beats hashing a copy of the name.
  for (Domain& d : domains_) {
    if (d.shard == 0 && d.domain_name == name) {
      *domain = &d;
      return Status::OK();
    }
  }
  return Status::InvalidArgument("unknown domain '" + std::string(name) + "'");
}

Status StoreImpl::FindShard(std::string_view name, std::string_view tenant, Domain** domain) {
  Status s = FindDomain(name, domain);
  if (s.ok()) *domain += codecs::TenantShard(tenant, (*domain)->shards);  // shards are adjacent
  return s;
}

std::vector<std::string> StoreImpl::DomainNames() const {
  std::vector<std::string> names;
  for (const auto& d : domains_) {
    if (d.shard == 0) names.push_back(d.domain_name);
  }
  return names;
}

rocksdb::ColumnFamilyHandle* StoreImpl::TEST_cf(std::string_view domain) {
  Domain* d = nullptr;
  return FindDomain(domain, &d).ok() ? d->cf : nullptr;
}

}  // namespace metakv
