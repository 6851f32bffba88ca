#include <fcntl.h>
#include <rocksdb/convenience.h>
#include <rocksdb/metadata.h>
#include <rocksdb/utilities/convenience.h>
#include <rocksdb/write_batch.h>
#include <unistd.h>
#include <xxhash.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <map>
#include <thread>

#include "codecs/coding.h"
#include "codecs/key_codec.h"
#include "compaction/tombstone_filter.h"
#include "engine/iterator_impl.h"
#include "engine/options_check.h"
#include "engine/rocksdb_util.h"
#include "engine/store_impl.h"

namespace metakv {

namespace fs = std::filesystem;

namespace {

Status ClosedError() { return Status::Aborted("store is closed"); }

// A file that exists in the database directory only while Open creates a new
// store. RocksDB creates the database before metakv writes its catalogue, so
// a crash in between leaves a database without a catalogue; with the marker
// beside it, the next Open finishes the creation instead of refusing the
// directory as a foreign RocksDB database.
constexpr const char* kCreatingMarker = "METAKV-CREATING";

std::string MarkerPath(const std::string& path) { return path + "/" + kCreatingMarker; }

Status SyncDir(const std::string& dir) {
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return Status::IOError(dir + ": " + std::strerror(errno));
  const int rc = ::fsync(fd);
  const int err = errno;
  ::close(fd);
  return rc == 0 ? Status::OK() : Status::IOError(dir + ": fsync: " + std::strerror(err));
}

// Creates the directory (not its parents, as RocksDB would) and the
// creation marker in it, durably.
Status MarkCreating(const std::string& path) {
  std::error_code ec;
  fs::create_directory(path, ec);
  if (ec) return Status::IOError(path + ": " + ec.message());
  const std::string marker = MarkerPath(path);
  const int fd = ::open(marker.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) return Status::IOError(marker + ": " + std::strerror(errno));
  const int rc = ::fsync(fd);
  const int err = errno;
  ::close(fd);
  if (rc != 0) return Status::IOError(marker + ": fsync: " + std::strerror(err));
  return SyncDir(path);
}

bool CreationInterrupted(const std::string& path) {
  std::error_code ec;
  return fs::exists(MarkerPath(path), ec);
}

// RocksDB refused the open because a column family has files in levels its
// options do not have: a time-ordered domain (one level) whose files a plain
// RocksDB open compacted down.
bool MoreLevelsThanOptions(const Status& s) {
  return s.IsInvalidArgument() &&
         s.message().find("more levels than options.num_levels") != std::string::npos;
}

// Removes the marker (if any) once the store is complete, durably.
Status UnmarkCreating(const std::string& path) {
  if (!CreationInterrupted(path)) return Status::OK();
  std::error_code ec;
  fs::remove(MarkerPath(path), ec);
  if (ec) return Status::IOError(MarkerPath(path) + ": " + ec.message());
  return SyncDir(path);
}

// The first RocksDB file found in a directory without a CURRENT file: a
// table, a WAL, or (unless a creation was interrupted, when RocksDB may
// have written it just before CURRENT) a MANIFEST. Empty if none.
std::string DatabaseFileWithoutCurrent(const std::string& path, bool creating) {
  std::error_code ec;
  for (fs::directory_iterator it(path, ec), end; !ec && it != end; it.increment(ec)) {
    const std::string name = it->path().filename().string();
    const std::string ext = it->path().extension().string();
    if (ext == ".sst" || ext == ".ldb" || ext == ".log") return name;
    if (!creating && name.rfind("MANIFEST-", 0) == 0) return name;
  }
  return {};
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

uint64_t Ticker(const std::shared_ptr<rocksdb::Statistics>& stats, rocksdb::Tickers t) {
  return stats ? stats->getTickerCount(t) : 0;
}

double Ratio(uint64_t num, uint64_t den) {
  return den == 0 ? 0.0 : static_cast<double>(num) / static_cast<double>(den);
}

}  // namespace

// ---------------------------------------------------------------- Store ----

Store::Store(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Store::~Store() = default;

Status Store::Open(const Options& options, std::string_view path, std::unique_ptr<Store>* out) {
  if (out == nullptr) return Status::InvalidArgument("Open: out is null");
  out->reset();
  auto impl = std::make_unique<Impl>();
  Status s = impl->Open(options, std::string(path));
  if (!s.ok()) return s;
  out->reset(new Store(std::move(impl)));
  return Status::OK();
}

Status Store::Close() { return impl_->Close(); }

Status Store::Put(const WriteOptions& o, std::string_view domain, std::string_view tenant,
                  std::string_view key, std::string_view value, uint64_t ttl_seconds) {
  return impl_->Put(o, domain, tenant, key, value, ttl_seconds);
}
Status Store::Get(const ReadOptions& o, std::string_view domain, std::string_view tenant,
                  std::string_view key, std::string* value) {
  return impl_->Get(o, domain, tenant, key, value);
}
Status Store::MultiGet(const ReadOptions& o, const std::vector<KeyRef>& keys,
                       std::vector<std::string>* values, std::vector<Status>* statuses) {
  return impl_->MultiGet(o, keys, values, statuses);
}
Status Store::Delete(const WriteOptions& o, std::string_view domain, std::string_view tenant,
                     std::string_view key) {
  return impl_->Delete(o, domain, tenant, key);
}
Status Store::Undelete(const WriteOptions& o, std::string_view domain, std::string_view tenant,
                       std::string_view key) {
  return impl_->Undelete(o, domain, tenant, key);
}
Status Store::HardDelete(const WriteOptions& o, std::string_view domain, std::string_view tenant,
                         std::string_view key) {
  return impl_->HardDelete(o, domain, tenant, key);
}
Status Store::Write(const WriteOptions& o, const WriteBatch& batch) {
  return impl_->Write(o, batch);
}
Status Store::NewIterator(const ReadOptions& o, std::string_view domain, const ScanSpec& spec,
                          std::unique_ptr<Iterator>* out) {
  return impl_->NewIterator(o, domain, spec, out);
}
const Snapshot* Store::GetSnapshot() { return impl_->GetSnapshot(); }
void Store::ReleaseSnapshot(const Snapshot* s) { impl_->ReleaseSnapshot(s); }
Status Store::Flush(std::string_view domain) { return impl_->Flush(domain); }
Status Store::CompactRange(std::string_view domain, std::string_view tenant) {
  return impl_->CompactRange(domain, tenant);
}
Status Store::IngestCold(std::string_view domain, std::string_view tenant,
                         const std::vector<ColdRecord>& records) {
  return impl_->IngestCold(domain, tenant, records);
}
Status Store::PurgeExpiredFiles(std::string_view domain, uint64_t* files) {
  return impl_->PurgeExpiredFiles(domain, files);
}
Status Store::RemoveTree(const WriteOptions& o, std::string_view tenant,
                         const std::vector<PrefixRef>& prefixes, RemoveMode mode,
                         uint64_t* removal_id) {
  return impl_->RemoveTree(o, tenant, prefixes, mode, removal_id);
}
Status Store::RestoreTree(const WriteOptions& o, uint64_t removal_id) {
  return impl_->RestoreTree(o, removal_id);
}
Status Store::RemoveTenant(const WriteOptions& o, std::string_view tenant) {
  return impl_->RemoveTenant(o, tenant);
}
Status Store::EnforcePurgeDeadline(uint64_t min_age_seconds, uint64_t* compactions) {
  return impl_->EnforcePurgeDeadline(min_age_seconds, compactions);
}
Status Store::WaitForBackgroundWork(uint64_t timeout_ms) {
  return impl_->WaitForBackgroundWork(timeout_ms);
}
Status Store::GetStats(Stats* stats) { return impl_->GetStats(stats); }
Status Store::GetApproximateSize(std::string_view domain, std::string_view tenant,
                                 std::string_view prefix, uint64_t* bytes) {
  return impl_->GetApproximateSize(domain, tenant, prefix, bytes);
}
std::vector<std::string> Store::DomainNames() const { return impl_->DomainNames(); }

// ----------------------------------------------------------- Open/Close ----

Store::Impl::~Impl() { Close().PermitUncheckedError(); }

Status Store::Impl::Open(const Options& options, const std::string& path) {
  Status s = ValidateOptions(options);
  if (!s.ok()) return s;
  if (path.empty()) return Status::InvalidArgument("empty database path");
  options_ = options;
  path_ = path;
  clock_ = std::make_shared<StoreClock>(options.clock ? options.clock : SystemClock());

  cache_ = rocksdb::NewLRUCache(options.memory_budget_bytes);
  write_buffer_manager_ = std::make_shared<rocksdb::WriteBufferManager>(
      static_cast<size_t>(MemtableBudgetBytes(options)), cache_);
  if (options.enable_statistics) statistics_ = rocksdb::CreateDBStatistics();
  accounting_ = std::make_shared<AccountingListener>();
  for (const auto& d : options.domains) {
    domain_index_[d.name] = domains_.size();
    Domain domain{d, nullptr, accounting_->Register(d.name), nullptr, nullptr};
    if (d.temperature == Temperature::kCold) {
      domain.ingest_gate = std::make_shared<std::shared_mutex>();
    }
    if (d.partition_by_tenant) {
      domain.partitioner = std::make_shared<TenantPartitionerFactory>(
          FractionOf(d.target_file_size_bytes, d.partition_min_file_fraction));
    }
    domains_.push_back(std::move(domain));
  }

  rocksdb::DBOptions db_options;
  db_options.create_if_missing = false;
  db_options.create_missing_column_families = false;
  db_options.max_background_jobs = options.max_background_jobs;
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
  ApplyStoreDbOptions(options, &db_options);

  std::error_code ec;
  const bool exists = fs::exists(fs::path(path) / "CURRENT", ec);
  if (exists) {
    if (options.error_if_exists) {
      return Status::InvalidArgument(path + ": database exists (error_if_exists is set)");
    }
    s = WithRecoveryHint(OpenExisting(path, db_options));
  } else {
    if (fs::exists(path, ec) && !fs::is_directory(path, ec)) {
      return Status::InvalidArgument(path + ": exists and is not a directory");
    }
    // Database files without CURRENT: a damaged store, not an empty
    // directory. Creating a store over it would bury (or, without WAL
    // files, lose) the old data.
    const std::string orphan = DatabaseFileWithoutCurrent(path, CreationInterrupted(path));
    if (!orphan.empty()) {
      return WithRecoveryHint(Status::Corruption(
          path + ": the CURRENT file is missing but database files (" + orphan + ") are present"));
    }
    if (!options.create_if_missing) {
      return Status::InvalidArgument(path + ": no database here (create_if_missing is false)");
    }
    s = MarkCreating(path);
    if (s.ok()) s = OpenNew(path, db_options);
  }
  // The store is complete: a marker left by this or an interrupted creation
  // goes.
  if (s.ok() && !options.read_only) s = UnmarkCreating(path);
  if (s.ok()) s = LoadRemovals();
  if (s.ok()) s = LoadTimeBound();
  memtable_watch_.assign(domains_.size() + 1, MemtableWatch{});  // + the default CF
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

void Store::Impl::StartFlushController() {
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

void Store::Impl::StartMaintenance() {
  if (options_.maintenance_interval_seconds == 0) return;
  maintenance_ = std::thread([this] {
    const uint64_t interval = options_.maintenance_interval_seconds;
    // Wakes often enough to follow a store clock faster than real time.
    const auto poll =
        std::min<std::chrono::milliseconds>(std::chrono::seconds(interval), kMaintenancePoll);
    auto wall_start = std::chrono::steady_clock::now();
    uint64_t store_start = Now();
    std::unique_lock<std::mutex> lock(maintenance_mu_);
    while (!maintenance_cv_.wait_for(lock, poll, [this] { return maintenance_stop_; })) {
      const auto wall_now = std::chrono::steady_clock::now();
      const uint64_t store_now = Now();
      if (wall_now - wall_start < std::chrono::seconds(interval) &&
          store_now < store_start + interval) {
        continue;
      }
      wall_start = wall_now;
      store_start = store_now;
      lock.unlock();
      MaintenancePass();
      lock.lock();
    }
  });
}

void Store::Impl::StopMaintenance() {
  {
    std::lock_guard<std::mutex> lock(maintenance_mu_);
    maintenance_stop_ = true;
  }
  maintenance_cv_.notify_all();
  if (maintenance_.joinable()) maintenance_.join();
}

void Store::Impl::MaintenancePass() {
  if (!db_) return;
  maintenance_passes_.fetch_add(1, std::memory_order_relaxed);
  uint64_t files = 0;
  if (!PurgeExpiredFiles({}, &files).ok()) {
    maintenance_errors_.fetch_add(1, std::memory_order_relaxed);
  }
  // Files are due at the age that still leaves two gaps between passes
  // before the deadline (compaction/deadline_policy.h).
  if (options_.purge_deadline_seconds != 0) {
    uint64_t due_age = 0;
    {
      std::lock_guard<std::mutex> lock(pass_mu_);
      pass_gaps_.Start(Now());
      due_age = DeadlineDueAge(options_.purge_deadline_seconds, pass_gaps_.MaxGap());
    }
    if (!EnforcePurgeDeadline(due_age, nullptr).ok()) {
      maintenance_errors_.fetch_add(1, std::memory_order_relaxed);
    }
  }
  for (auto& d : domains_) {
    if (!MergeSmallColdFiles(&d, &files).ok()) {
      maintenance_errors_.fetch_add(1, std::memory_order_relaxed);
    }
    if (!RefreshLargeTenants(&d).ok()) maintenance_errors_.fetch_add(1, std::memory_order_relaxed);
  }
}

rocksdb::ColumnFamilyHandle* Store::Impl::TEST_cf(std::string_view domain) {
  Domain* d = nullptr;
  return FindDomain(domain, &d).ok() ? d->cf : nullptr;
}

Status Store::Impl::OpenNew(const std::string& path, rocksdb::DBOptions db_options) {
  db_options.create_if_missing = true;
  std::vector<std::string> cf_names{rocksdb::kDefaultColumnFamilyName};
  Status s = OpenWithColumnFamilies(path, db_options, cf_names);
  if (!s.ok()) return s;
  // The catalogue first, then the column families: a crash in between
  // leaves a catalogue whose missing column families the next Open creates.
  Catalogue catalogue;
  for (const auto& d : domains_) {
    catalogue.domains.push_back(CatalogueEntry::Of(d.options));
  }
  s = WriteCatalogue(catalogue);
  if (!s.ok()) return s;
  return CreateMissingDomains();
}

Status Store::Impl::ResumeCreation(const std::string& path, const rocksdb::DBOptions& db_options) {
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

Status Store::Impl::OpenExisting(const std::string& path, rocksdb::DBOptions db_options) {
  // Read the catalogue through a read-only open of the default column family
  // first, so a database that is not metakv's is never opened for writing.
  Catalogue stored;
  {
    rocksdb::DB* raw = nullptr;
    rocksdb::DBOptions ro_options = db_options;
    ro_options.listeners.clear();
    ro_options.statistics = nullptr;
    std::vector<rocksdb::ColumnFamilyDescriptor> descriptors{
        {rocksdb::kDefaultColumnFamilyName, rocksdb::ColumnFamilyOptions()}};
    std::vector<rocksdb::ColumnFamilyHandle*> handles;
    rocksdb::Status rs =
        rocksdb::DB::OpenForReadOnly(ro_options, path, descriptors, &handles, &raw);
    if (!rs.ok()) return FromRocks(rs, path);
    std::unique_ptr<rocksdb::DB> db(raw);
    std::string value;
    rs = db->Get(rocksdb::ReadOptions(), handles[0], kCatalogueKey, &value);
    bool empty = false;  // an interrupted creation left nothing in it
    if (rs.IsNotFound()) {
      std::unique_ptr<rocksdb::Iterator> it(db->NewIterator(rocksdb::ReadOptions(), handles[0]));
      it->SeekToFirst();
      empty = !it->Valid() && it->status().ok();
    }
    for (auto* h : handles) db->DestroyColumnFamilyHandle(h).PermitUncheckedError();
    db->Close().PermitUncheckedError();
    if (rs.IsNotFound() && empty && CreationInterrupted(path)) {
      return ResumeCreation(path, db_options);
    }
    if (rs.IsNotFound()) {
      return Status::InvalidArgument(path +
                                     ": a RocksDB database but not a metakv database "
                                     "(no domain catalogue)");
    }
    if (!rs.ok()) return FromRocks(rs, path + ": reading the domain catalogue");
    Status s = Catalogue::Decode(value, &stored);
    if (!s.ok()) return Status::Corruption(path + ": " + s.message());
  }
  Catalogue merged;
  Status s = ReconcileCatalogue(stored, options_.domains, options_.create_missing_domains, &merged);
  if (!s.ok()) return Status::InvalidArgument(path + ": " + s.message());
  // A domain keeps the layout it was created with.
  for (const CatalogueEntry& entry : merged.domains) {
    auto it = domain_index_.find(entry.name);
    if (it != domain_index_.end()) domains_[it->second].options.cold_layout = entry.cold_layout;
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
  if (options_.read_only) {
    // Only existing column families can be opened read-only.
    std::vector<std::string> present;
    for (const auto& name : cf_names) present.push_back(name);
    s = OpenWithColumnFamilies(path, db_options, present);
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

Status Store::Impl::PutTimeOrderedFilesBack(const std::string& path,
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

std::vector<rocksdb::ColumnFamilyDescriptor> Store::Impl::DescriptorsFor(
    const std::vector<std::string>& cf_names) const {
  std::vector<rocksdb::ColumnFamilyDescriptor> out;
  for (const auto& name : cf_names) {
    auto it = domain_index_.find(name);
    out.emplace_back(name, it != domain_index_.end() ? ColumnFamilyOptionsFor(domains_[it->second])
                                                     : rocksdb::ColumnFamilyOptions());
  }
  return out;
}

Status Store::Impl::OpenWithColumnFamilies(const std::string& path,
                                           const rocksdb::DBOptions& db_options,
                                           const std::vector<std::string>& cf_names) {
  const std::vector<rocksdb::ColumnFamilyDescriptor> descriptors = DescriptorsFor(cf_names);
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  rocksdb::DB* raw = nullptr;
  rocksdb::Status rs =
      options_.read_only
          ? rocksdb::DB::OpenForReadOnly(db_options, path, descriptors, &handles, &raw)
          : rocksdb::DB::Open(db_options, path, descriptors, &handles, &raw);
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

Status Store::Impl::CreateMissingDomains() {
  for (auto& d : domains_) {
    if (d.cf != nullptr) continue;
    rocksdb::Status rs = db_->CreateColumnFamily(ColumnFamilyOptionsFor(d), d.options.name, &d.cf);
    if (!rs.ok()) return FromRocks(rs, "creating domain '" + d.options.name + "'");
  }
  return Status::OK();
}

rocksdb::ColumnFamilyOptions Store::Impl::ColumnFamilyOptionsFor(const Domain& d) const {
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
        [this] { return const_cast<Impl*>(this)->PurgeTime(); }, d.counters,
        [this] { return CurrentRemovals(); }, IndexOf(&d));
  }
  cf.sst_partitioner_factory = d.partitioner;
  return cf;
}

uint64_t Store::Impl::PurgeTime() {
  const uint64_t now = clock_->floor_seconds();
  std::lock_guard<std::mutex> lock(snapshots_mu_);
  return snapshot_times_.empty() ? now : std::min(now, *snapshot_times_.begin());
}

// ----------------------------------------------------------------- Time ----

uint64_t Store::Impl::Now() const {
  // A read-only store's bound is unbounded: nothing to extend.
  if (db_) ExtendTimeBound(0).PermitUncheckedError();
  return clock_->NowSeconds();
}

Status Store::Impl::ExtendTimeBound(uint64_t seconds) const {
  if (clock_->BoundNeededFor(seconds) == 0) return Status::OK();  // unbounded: never needed
  std::lock_guard<std::mutex> lock(time_mu_);
  const uint64_t bound = clock_->BoundNeededFor(seconds);
  if (bound == 0) return Status::OK();
  // Every stamp so far is at most the old bound, and later ones are covered
  // before they are written.
  Status s = StoreClock::WriteBound(db_->GetEnv(), path_, bound, bound);
  if (!s.ok()) return s;
  clock_->SetBound(bound);
  return Status::OK();
}

Status Store::Impl::LoadTimeBound() {
  uint64_t floor = 0, max_write = 0;
  bool found = false;
  Status s = StoreClock::ReadBound(db_->GetEnv(), path_, &floor, &max_write, &found);
  if (!s.ok()) return s;
  if (!found) {
    // A store written before the file existed (or a new one, which holds
    // nothing): the newest time any record was stamped with.
    for (Domain& d : domains_) {
      std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions(), d.cf));
      for (it->SeekToFirst(); it->Valid(); it->Next()) {
        codecs::Record record;
        const std::string_view key(it->key().data(), it->key().size());
        // A record that does not decode is reported when read, not here.
        if (codecs::DecodeRecord(key, std::string_view(it->value().data(), it->value().size()),
                                 &record)
                .ok()) {
          floor = std::max(floor, record.time);
        }
      }
      if (!it->status().ok()) return FromRocks(it->status(), path_ + ": reading record times");
    }
    // And the removals' times (LoadRemovals).
    floor = std::max(floor, last_removal_time_);
    max_write = floor;
  }
  NoteWriteTime(max_write);
  clock_->Start(floor, options_.read_only ? StoreClock::kUnbounded : floor);
  return ExtendTimeBound(std::max(floor, max_write));
}

void Store::Impl::PersistExactTimeBound() {
  const uint64_t floor = clock_->floor_seconds();
  const uint64_t max_write = max_write_time_.load(std::memory_order_relaxed);
  const uint64_t bound = clock_->bound_seconds();
  // Never loaded, or nothing to lower.
  if (bound == StoreClock::kUnbounded || std::max(floor, max_write) >= bound) return;
  std::lock_guard<std::mutex> lock(time_mu_);
  // Nothing is handed out past it from now on, then it is written. If the
  // write fails the persisted bound stays the lease: the next open starts
  // at most a lease ahead.
  clock_->SetBound(floor);
  StoreClock::WriteBound(db_->GetEnv(), path_, floor, max_write).PermitUncheckedError();
}

Status Store::Impl::WriteCatalogue(const Catalogue& catalogue) {
  rocksdb::WriteOptions wo;
  wo.sync = true;
  rocksdb::Status rs =
      db_->Put(wo, default_cf_, kCatalogueKey, catalogue.Encode(clock_->NowSeconds()));
  // Flushed at once so the catalogue never pins an old WAL file (which
  // would force flushes once the WAL grows).
  if (rs.ok()) rs = db_->Flush(rocksdb::FlushOptions(), default_cf_);
  return FromRocks(rs, "writing the domain catalogue");
}

Status Store::Impl::Close() {
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
  {
    std::lock_guard<std::mutex> lock(snapshots_mu_);
    for (SnapshotImpl* snap : snapshots_) {
      if (snap->snapshot_ != nullptr) db_->ReleaseSnapshot(snap->snapshot_);
      snap->snapshot_ = nullptr;
    }
  }
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

Status Store::Impl::CheckOpen() const { return db_ ? Status::OK() : ClosedError(); }

Status Store::Impl::CheckWritable() const {
  if (!db_) return ClosedError();
  if (options_.read_only) return Status::NotSupported("store is open read-only");
  return Status::OK();
}

Status Store::Impl::FindDomain(std::string_view name, Domain** domain) {
  // A handful of domains: a scan beats hashing a copy of the name.
  for (Domain& d : domains_) {
    if (d.options.name == name) {
      *domain = &d;
      return Status::OK();
    }
  }
  return Status::InvalidArgument("unknown domain '" + std::string(name) + "'");
}

Status Store::Impl::CheckKey(std::string_view tenant, std::string_view key) const {
  Status s = codecs::ValidateTenant(tenant);
  if (!s.ok()) return s;
  if (key.empty()) return Status::InvalidArgument("empty key");
  if (key.size() > options_.max_key_bytes) {
    return Status::InvalidArgument("key of " + std::to_string(key.size()) +
                                   " bytes exceeds max_key_bytes " +
                                   std::to_string(options_.max_key_bytes));
  }
  return Status::OK();
}

Status Store::Impl::CheckValue(std::string_view value) const {
  if (value.size() > options_.max_value_bytes) {
    return Status::InvalidArgument("value of " + std::to_string(value.size()) +
                                   " bytes exceeds max_value_bytes " +
                                   std::to_string(options_.max_value_bytes));
  }
  return Status::OK();
}

Status Store::Impl::ToRocksRead(const ReadOptions& ro, rocksdb::ReadOptions* out, uint64_t* now,
                                std::shared_ptr<const RemovalSet>* removals) const {
  out->verify_checksums = ro.verify_checksums;
  out->fill_cache = ro.fill_cache;
  if (ro.snapshot != nullptr) {
    const auto* snap = dynamic_cast<const SnapshotImpl*>(ro.snapshot);
    if (snap == nullptr || snap->owner_ != this || snap->snapshot_ == nullptr) {
      return Status::InvalidArgument("snapshot does not belong to this open store");
    }
    out->snapshot = snap->snapshot_;
    Now();  // every call moves the store's time (engine/store_clock.h)
    *now = snap->time_;
    if (removals != nullptr) *removals = snap->removals_;
  } else {
    *now = Now();
    if (removals != nullptr) *removals = CurrentRemovals();
  }
  return Status::OK();
}

rocksdb::WriteOptions Store::Impl::ToRocksWrite(const WriteOptions& wo) const {
  rocksdb::WriteOptions out;
  out.sync = wo.sync;
  return out;
}

size_t Store::Impl::StripeOf(const Domain* d, std::string_view encoded_key) const {
  const uint64_t h = XXH3_64bits_withSeed(encoded_key.data(), encoded_key.size(),
                                          static_cast<uint64_t>(d - domains_.data()));
  return static_cast<size_t>(h % kLockStripes);
}

uint64_t Store::Impl::ExpiryFor(const Domain* d, uint64_t now, uint64_t ttl_seconds) const {
  const uint64_t ttl = ttl_seconds != 0 ? ttl_seconds : d->options.default_ttl_seconds;
  return ttl == 0 ? 0 : codecs::SaturatingAdd(now, ttl);
}

Status Store::Impl::ReadCurrent(Domain* d, const std::string& encoded_key, Current* out) {
  rocksdb::Status rs = db_->Get(rocksdb::ReadOptions(), d->cf, encoded_key, &out->value);
  if (rs.IsNotFound()) {
    out->exists = false;
    return Status::OK();
  }
  if (!rs.ok()) return FromRocks(rs, "read");
  out->exists = true;
  Status s = codecs::DecodeRecord(encoded_key, out->value, &out->record);
  if (!s.ok()) return s;
  // A record a logical tree removal hides is, to writers too, not there.
  const std::shared_ptr<const RemovalSet> removals = CurrentRemovals();
  if (removals && removals->Hiding(IndexOf(d), encoded_key, out->record.time) != nullptr) {
    out->exists = false;
  }
  return Status::OK();
}

// --------------------------------------------------------------- Writes ----

Status Store::Impl::Put(const WriteOptions& wo, std::string_view domain, std::string_view tenant,
                        std::string_view key, std::string_view value, uint64_t ttl_seconds) {
  // The single-record path of Write, without a batch's copies.
  Status s = CheckWritable();
  Domain* d = nullptr;
  if (s.ok()) s = FindDomain(domain, &d);
  if (s.ok()) s = CheckKey(tenant, key);
  if (s.ok()) s = CheckValue(value);
  if (!s.ok()) return s;
  std::string encoded;
  encoded.reserve(tenant.size() + key.size() + 2);
  codecs::AppendKey(tenant, key, &encoded);
  std::shared_lock<std::shared_mutex> removals_lock;
  s = LockRemovalsForWrite({{d, encoded}}, &removals_lock);
  if (!s.ok()) return s;
  const uint64_t now = Now();
  codecs::Record record;
  record.time = WriteTimeFor(d, encoded, now);
  record.expiry = ExpiryFor(d, now, ttl_seconds);
  record.payload = value;
  if (record.time > now) {  // a stamp ahead of the time Now() covered
    s = ExtendTimeBound(record.time);
    if (!s.ok()) return s;
  }
  std::string stored;
  stored.reserve(value.size() + 24);
  codecs::EncodeRecord(encoded, record, &stored);
  rocksdb::Status rs;
  {
    GateLocks gate = HoldGates({d});
    std::lock_guard<std::mutex> lock(key_locks_[StripeOf(d, encoded)]);
    rs = db_->Put(ToRocksWrite(wo), d->cf, encoded, stored);
  }
  if (rs.ok()) NoteWriteTime(record.time);
  removals_lock.unlock();
  if (!rs.ok()) return FromRocks(rs, "put");
  const uint64_t bytes = tenant.size() + key.size() + value.size();
  d->counters->user_bytes.fetch_add(bytes, std::memory_order_relaxed);
  d->counters->puts.fetch_add(1, std::memory_order_relaxed);
  d->counters->tenants.AddUser(tenant, bytes);
  return Status::OK();
}

Status Store::Impl::Delete(const WriteOptions& wo, std::string_view domain, std::string_view tenant,
                           std::string_view key) {
  WriteBatch batch;
  batch.Delete(domain, tenant, key);
  return Write(wo, batch);
}

Status Store::Impl::HardDelete(const WriteOptions& wo, std::string_view domain,
                               std::string_view tenant, std::string_view key) {
  WriteBatch batch;
  batch.HardDelete(domain, tenant, key);
  return Write(wo, batch);
}

Status Store::Impl::Undelete(const WriteOptions& wo, std::string_view domain,
                             std::string_view tenant, std::string_view key) {
  Status s = CheckWritable();
  Domain* d = nullptr;
  if (s.ok()) s = FindDomain(domain, &d);
  if (s.ok()) s = CheckKey(tenant, key);
  if (!s.ok()) return s;
  const std::string encoded = codecs::EncodeKey(tenant, key);
  std::shared_lock<std::shared_mutex> removals_lock;
  s = LockRemovalsForWrite({{d, encoded}}, &removals_lock);
  if (!s.ok()) return s;
  GateLocks gate = HoldGates({d});
  std::lock_guard<std::mutex> lock(key_locks_[StripeOf(d, encoded)]);
  Current cur;
  s = ReadCurrent(d, encoded, &cur);
  if (!s.ok()) return s;
  const uint64_t now = Now();
  if (!cur.exists ||
      (cur.record.kind == codecs::RecordKind::kLive && cur.record.IsExpiredAt(now))) {
    return Status::NotFound("no record to undelete");
  }
  if (!cur.record.IsTombstone()) return Status::FailedPrecondition("record is live, not deleted");
  const uint64_t retention = d->options.tombstone_retention_seconds;
  if (now >= codecs::SaturatingAdd(cur.record.time, retention)) {
    return Status::Expired("deleted " + std::to_string(now - cur.record.time) +
                           " s ago; the domain's retention of " + std::to_string(retention) +
                           " s has passed");
  }
  if (cur.record.IsExpiredAt(now)) {
    return Status::Expired("the record's time to live passed while it was deleted");
  }
  codecs::Record restored;
  restored.kind = codecs::RecordKind::kLive;
  restored.time = WriteTimeFor(d, encoded, now);
  restored.expiry = cur.record.expiry;
  restored.payload = cur.record.payload;
  if (restored.time > now) {  // a stamp ahead of the time Now() covered
    s = ExtendTimeBound(restored.time);
    if (!s.ok()) return s;
  }
  std::string value;
  codecs::EncodeRecord(encoded, restored, &value);
  rocksdb::Status rs = db_->Put(ToRocksWrite(wo), d->cf, encoded, value);
  if (!rs.ok()) return FromRocks(rs, "undelete");
  NoteWriteTime(restored.time);
  d->counters->undeletes.fetch_add(1, std::memory_order_relaxed);
  return Status::OK();
}

GateLocks Store::Impl::HoldGates(std::vector<Domain*> domains) const {
  std::sort(domains.begin(), domains.end());
  domains.erase(std::unique(domains.begin(), domains.end()), domains.end());
  GateLocks locks;
  for (Domain* d : domains) {
    if (d->ingest_gate) locks.emplace_back(*d->ingest_gate);
  }
  return locks;
}

std::vector<std::unique_lock<std::mutex>> Store::Impl::LockStripes(
    std::vector<size_t> stripes) const {
  std::sort(stripes.begin(), stripes.end());
  stripes.erase(std::unique(stripes.begin(), stripes.end()), stripes.end());
  std::vector<std::unique_lock<std::mutex>> locks;
  locks.reserve(stripes.size());
  for (size_t stripe : stripes) locks.emplace_back(key_locks_[stripe]);
  return locks;
}

Status Store::Impl::Write(const WriteOptions& wo, const WriteBatch& batch) {
  Status s = CheckWritable();
  if (!s.ok()) return s;
  if (batch.Count() == 0) return Status::OK();

  // Validate everything before touching anything.
  struct Prepared {
    Domain* domain;
    std::string encoded;
    size_t stripe;
  };
  std::vector<Prepared> prepared;
  prepared.reserve(batch.Count());
  for (const auto& op : batch.ops()) {
    Domain* d = nullptr;
    s = FindDomain(op.domain, &d);
    if (s.ok()) s = CheckKey(op.tenant, op.key);
    if (s.ok() && op.type == WriteBatch::OpType::kPut) s = CheckValue(op.value);
    if (!s.ok()) return s;
    std::string encoded = codecs::EncodeKey(op.tenant, op.key);
    const size_t stripe = StripeOf(d, encoded);
    prepared.push_back(Prepared{d, std::move(encoded), stripe});
  }

  // Lock the stripes of every key, in order, so read-modify-writes of logical
  // deletes are atomic with respect to other writers.
  std::vector<size_t> stripes;
  std::vector<Domain*> domains;
  stripes.reserve(prepared.size());
  for (const auto& p : prepared) {
    stripes.push_back(p.stripe);
    domains.push_back(p.domain);
  }
  std::shared_lock<std::shared_mutex> removals_lock;
  {
    std::vector<std::pair<Domain*, std::string_view>> puts;
    for (size_t i = 0; i < prepared.size(); ++i) {
      if (batch.ops()[i].type != WriteBatch::OpType::kHardDelete) {
        puts.emplace_back(prepared[i].domain, prepared[i].encoded);
      }
    }
    s = LockRemovalsForWrite(puts, &removals_lock);
    if (!s.ok()) return s;
  }
  GateLocks gates = HoldGates(std::move(domains));
  auto locks = LockStripes(std::move(stripes));

  const uint64_t now = Now();
  uint64_t latest_time = 0;  // the latest write time given, for NoteWriteTime
  rocksdb::WriteBatch wb;
  // Effect of earlier operations of this batch on a key, so a Delete after a
  // Put in the same batch sees the Put. Keyed by (domain index, encoded key).
  std::map<std::pair<size_t, std::string>, Current> pending;
  std::string value;
  for (size_t i = 0; i < prepared.size(); ++i) {
    const auto& op = batch.ops()[i];
    Domain* d = prepared[i].domain;
    const std::string& encoded = prepared[i].encoded;
    const auto slot = std::make_pair(static_cast<size_t>(d - domains_.data()), encoded);
    value.clear();
    rocksdb::Status rs;
    switch (op.type) {
      case WriteBatch::OpType::kPut: {
        codecs::Record record;
        record.kind = codecs::RecordKind::kLive;
        record.time = WriteTimeFor(d, encoded, now);
        latest_time = std::max(latest_time, record.time);
        record.expiry = ExpiryFor(d, now, op.ttl_seconds);
        record.payload = op.value;
        codecs::EncodeRecord(encoded, record, &value);
        rs = wb.Put(d->cf, encoded, value);
        Current& cur = pending[slot];
        cur.exists = true;
        cur.value = op.value;
        cur.record = record;
        cur.record.payload = cur.value;
        break;
      }
      case WriteBatch::OpType::kHardDelete: {
        rs = wb.Delete(d->cf, encoded);
        pending[slot] = Current{};
        break;
      }
      case WriteBatch::OpType::kDelete: {
        auto it = pending.find(slot);
        if (it == pending.end()) {
          // Read straight into the map's node, which never moves, so the
          // record's payload view stays valid without a second decode.
          it = pending.emplace(slot, Current{}).first;
          s = ReadCurrent(d, encoded, &it->second);
          if (!s.ok()) return s;
        }
        Current& cur = it->second;
        if (!cur.exists || cur.record.IsTombstone() || cur.record.IsExpiredAt(now)) {
          return Status::NotFound("Delete: no live record at domain '" + op.domain + "' tenant '" +
                                  codecs::PrintableHead(op.tenant) + "' key '" +
                                  codecs::PrintableHead(op.key) + "'");
        }
        codecs::Record tombstone = cur.record;
        tombstone.kind = codecs::RecordKind::kTombstone;
        tombstone.time = WriteTimeFor(d, encoded, now);
        latest_time = std::max(latest_time, tombstone.time);
        codecs::EncodeRecord(encoded, tombstone, &value);
        rs = wb.Put(d->cf, encoded, value);
        cur.record.kind = codecs::RecordKind::kTombstone;
        break;
      }
    }
    if (!rs.ok()) return FromRocks(rs, "building the write batch");
  }
  if (latest_time > now) {  // a stamp ahead of the time Now() covered
    s = ExtendTimeBound(latest_time);
    if (!s.ok()) return s;
  }
  rocksdb::Status rs = db_->Write(ToRocksWrite(wo), &wb);
  if (!rs.ok()) return FromRocks(rs, "write");
  NoteWriteTime(latest_time);
  for (size_t i = 0; i < prepared.size(); ++i) {
    const auto& op = batch.ops()[i];
    DomainCounters* c = prepared[i].domain->counters;
    const uint64_t bytes = op.tenant.size() + op.key.size() + op.value.size();
    c->user_bytes.fetch_add(bytes, std::memory_order_relaxed);
    c->tenants.AddUser(op.tenant, bytes);
    switch (op.type) {
      case WriteBatch::OpType::kPut:
        c->puts.fetch_add(1, std::memory_order_relaxed);
        break;
      case WriteBatch::OpType::kDelete:
        c->deletes.fetch_add(1, std::memory_order_relaxed);
        break;
      case WriteBatch::OpType::kHardDelete:
        c->hard_deletes.fetch_add(1, std::memory_order_relaxed);
        break;
    }
  }
  return Status::OK();
}

// ---------------------------------------------------------------- Reads ----

Status Store::Impl::Get(const ReadOptions& ro, std::string_view domain, std::string_view tenant,
                        std::string_view key, std::string* value) {
  Status s = CheckOpen();
  Domain* d = nullptr;
  if (s.ok()) s = FindDomain(domain, &d);
  if (s.ok()) s = CheckKey(tenant, key);
  if (s.ok() && value == nullptr) s = Status::InvalidArgument("Get: value is null");
  rocksdb::ReadOptions rro;
  uint64_t now = 0;
  std::shared_ptr<const RemovalSet> removals;
  if (s.ok()) s = ToRocksRead(ro, &rro, &now, &removals);
  if (!s.ok()) return s;
  const std::string encoded = codecs::EncodeKey(tenant, key);
  rocksdb::PinnableSlice stored;
  rocksdb::Status rs = db_->Get(rro, d->cf, encoded, &stored);
  if (rs.IsNotFound()) return Status::NotFound("no such record");
  if (!rs.ok()) return FromRocks(rs, "get");
  codecs::Record record;
  s = codecs::DecodeRecord(encoded, std::string_view(stored.data(), stored.size()), &record);
  if (!s.ok()) return s;
  if (record.IsTombstone()) return Status::NotFound("record is deleted");
  if (record.IsExpiredAt(now)) return Status::NotFound("record has expired");
  if (removals && removals->Hiding(IndexOf(d), encoded, record.time) != nullptr) {
    return Status::NotFound("record is in a removed tree");
  }
  value->assign(record.payload.data(), record.payload.size());
  return Status::OK();
}

Status Store::Impl::MultiGet(const ReadOptions& ro, const std::vector<KeyRef>& keys,
                             std::vector<std::string>* values, std::vector<Status>* statuses) {
  Status s = CheckOpen();
  if (s.ok() && (values == nullptr || statuses == nullptr)) {
    s = Status::InvalidArgument("MultiGet: values or statuses is null");
  }
  rocksdb::ReadOptions rro;
  uint64_t now = 0;
  std::shared_ptr<const RemovalSet> removals;
  if (s.ok()) s = ToRocksRead(ro, &rro, &now, &removals);
  if (!s.ok()) return s;
  values->assign(keys.size(), std::string());
  statuses->assign(keys.size(), Status::OK());

  std::vector<size_t> positions;  // of the keys passed to RocksDB
  std::vector<size_t> domain_of;  // their domains' indexes
  std::vector<rocksdb::ColumnFamilyHandle*> cfs;
  std::vector<std::string> encoded;
  for (size_t i = 0; i < keys.size(); ++i) {
    Domain* d = nullptr;
    Status ks = FindDomain(keys[i].domain, &d);
    if (ks.ok()) ks = CheckKey(keys[i].tenant, keys[i].key);
    if (!ks.ok()) {
      (*statuses)[i] = ks;
      continue;
    }
    positions.push_back(i);
    domain_of.push_back(IndexOf(d));
    cfs.push_back(d->cf);
    encoded.push_back(codecs::EncodeKey(keys[i].tenant, keys[i].key));
  }
  // One view for all keys: an implicit snapshot unless the caller gave one.
  const rocksdb::Snapshot* implicit = nullptr;
  if (rro.snapshot == nullptr) {
    implicit = db_->GetSnapshot();
    rro.snapshot = implicit;
  }
  std::vector<rocksdb::Slice> slices(encoded.begin(), encoded.end());
  std::vector<std::string> stored;
  std::vector<rocksdb::Status> results = db_->MultiGet(rro, cfs, slices, &stored);
  if (implicit != nullptr) db_->ReleaseSnapshot(implicit);
  for (size_t j = 0; j < positions.size(); ++j) {
    const size_t i = positions[j];
    if (results[j].IsNotFound()) {
      (*statuses)[i] = Status::NotFound("no such record");
      continue;
    }
    if (!results[j].ok()) {
      (*statuses)[i] = FromRocks(results[j], "multiget");
      continue;
    }
    codecs::Record record;
    Status rs = codecs::DecodeRecord(encoded[j], stored[j], &record);
    if (!rs.ok()) {
      (*statuses)[i] = rs;
    } else if (record.IsTombstone()) {
      (*statuses)[i] = Status::NotFound("record is deleted");
    } else if (record.IsExpiredAt(now)) {
      (*statuses)[i] = Status::NotFound("record has expired");
    } else if (removals && removals->Hiding(domain_of[j], encoded[j], record.time) != nullptr) {
      (*statuses)[i] = Status::NotFound("record is in a removed tree");
    } else {
      (*values)[i].assign(record.payload.data(), record.payload.size());
    }
  }
  return Status::OK();
}

Status Store::Impl::NewIterator(const ReadOptions& ro, std::string_view domain,
                                const ScanSpec& spec, std::unique_ptr<Iterator>* out) {
  Status s = CheckOpen();
  Domain* d = nullptr;
  if (s.ok()) s = FindDomain(domain, &d);
  if (s.ok() && out == nullptr) s = Status::InvalidArgument("NewIterator: out is null");
  if (!s.ok()) return s;
  rocksdb::ReadOptions rro;
  uint64_t now = 0;
  std::string lower, upper;
  if (spec.tenant.empty()) {
    if (!spec.prefix.empty() || !spec.lower_bound.empty() || !spec.upper_bound.empty()) {
      return Status::InvalidArgument("ScanSpec: prefix and bounds need a tenant");
    }
  } else {
    s = codecs::ValidateTenant(spec.tenant);
    if (!s.ok()) return s;
    const std::string& start = std::max(spec.prefix, spec.lower_bound);
    lower = codecs::EncodeKey(spec.tenant, start);
    const std::string prefix_end = codecs::PrefixSuccessor(spec.prefix);
    upper = prefix_end.empty() ? codecs::TenantUpperBound(spec.tenant)
                               : codecs::EncodeKey(spec.tenant, prefix_end);
    if (!spec.upper_bound.empty()) {
      upper = std::min(upper, codecs::EncodeKey(spec.tenant, spec.upper_bound));
    }
    if (upper < lower) upper = lower;  // an empty range
  }
  // The RocksDB view (its implicit snapshot) and the removals of one moment.
  std::shared_lock<std::shared_mutex> removals_lock(removals_mu_);
  std::shared_ptr<const RemovalSet> removals;
  s = ToRocksRead(ro, &rro, &now, &removals);
  if (!s.ok()) return s;
  open_iterators_.fetch_add(1, std::memory_order_relaxed);
  *out =
      IteratorImpl::Create(db_.get(), d->cf, rro, spec.tenant, std::move(lower), std::move(upper),
                           now, std::move(removals), IndexOf(d), [this] { IteratorClosed(); });
  return Status::OK();
}

const Snapshot* Store::Impl::GetSnapshot() {
  if (!db_) return nullptr;
  std::shared_lock<std::shared_mutex> removals_lock(removals_mu_);
  auto* snap = new SnapshotImpl(this, db_->GetSnapshot(), Now(), CurrentRemovals());
  removals_lock.unlock();
  std::lock_guard<std::mutex> lock(snapshots_mu_);
  snapshots_.insert(snap);
  snapshot_times_.insert(snap->time_);
  return snap;
}

void Store::Impl::ReleaseSnapshot(const Snapshot* snapshot) {
  if (snapshot == nullptr) return;
  auto* snap = const_cast<SnapshotImpl*>(dynamic_cast<const SnapshotImpl*>(snapshot));
  std::lock_guard<std::mutex> lock(snapshots_mu_);
  if (snap == nullptr || snapshots_.erase(snap) == 0) return;  // not ours
  snapshot_times_.erase(snapshot_times_.find(snap->time_));
  if (snap->snapshot_ != nullptr && db_) db_->ReleaseSnapshot(snap->snapshot_);
  delete snap;
}

// ---------------------------------------------------------- Maintenance ----

Status Store::Impl::Flush(std::string_view domain) {
  Status s = CheckWritable();
  if (!s.ok()) return s;
  Now();  // compactions it triggers purge by the store's time now
  std::vector<rocksdb::ColumnFamilyHandle*> cfs;
  if (domain.empty()) {
    for (auto& d : domains_) cfs.push_back(d.cf);
  } else {
    Domain* d = nullptr;
    s = FindDomain(domain, &d);
    if (!s.ok()) return s;
    cfs.push_back(d->cf);
  }
  rocksdb::FlushOptions fo;
  fo.wait = true;
  return FromRocks(db_->Flush(fo, cfs), "flush");
}

Status Store::Impl::CompactRange(std::string_view domain, std::string_view tenant) {
  Status s = CheckWritable();
  if (!s.ok()) return s;
  Now();  // it purges by the store's time now
  if (!tenant.empty()) {
    if (domain.empty()) return Status::InvalidArgument("CompactRange: a tenant needs a domain");
    s = codecs::ValidateTenant(tenant);
    if (!s.ok()) return s;
  }
  std::vector<Domain*> targets;
  if (domain.empty()) {
    for (auto& d : domains_) targets.push_back(&d);
  } else {
    Domain* d = nullptr;
    s = FindDomain(domain, &d);
    if (!s.ok()) return s;
    targets.push_back(d);
  }
  rocksdb::CompactRangeOptions co;
  co.bottommost_level_compaction = rocksdb::BottommostLevelCompaction::kForce;
  std::string begin, end;
  rocksdb::Slice begin_slice, end_slice;
  if (!tenant.empty()) {
    begin = codecs::EncodeKey(tenant, "");
    end = codecs::TenantUpperBound(tenant);
    begin_slice = begin;
    end_slice = end;
  }
  for (Domain* d : targets) {
    rocksdb::Status rs = db_->CompactRange(co, d->cf, tenant.empty() ? nullptr : &begin_slice,
                                           tenant.empty() ? nullptr : &end_slice);
    if (!rs.ok()) return FromRocks(rs, "compacting domain '" + d->options.name + "'");
  }
  return Status::OK();
}

Status Store::Impl::GetStats(Stats* stats) {
  Status s = CheckOpen();
  if (s.ok() && stats == nullptr) s = Status::InvalidArgument("GetStats: stats is null");
  if (!s.ok()) return s;
  Stats out;
  for (auto& d : domains_) {
    DomainStats ds;
    const DomainCounters& c = *d.counters;
    ds.name = d.options.name;
    ds.temperature = d.options.temperature;
    ds.user_bytes_written = c.user_bytes.load();
    ds.puts = c.puts.load();
    ds.deletes = c.deletes.load();
    ds.undeletes = c.undeletes.load();
    ds.hard_deletes = c.hard_deletes.load();
    ds.ingested_records = c.ingested_records.load();
    ds.buffered_ingests = c.buffered_ingests.load();
    ds.flush_bytes_written = c.flush_bytes.load();
    ds.compaction_bytes_written = c.compaction_bytes_written.load();
    ds.compaction_bytes_read = c.compaction_bytes_read.load();
    ds.ingest_bytes_written = c.ingest_bytes.load();
    ds.flushes = c.flushes.load();
    ds.wal_limit_flushes = c.wal_limit_flushes.load();
    ds.memory_budget_flushes = c.memory_budget_flushes.load();
    ds.compactions = c.compactions.load();
    ds.trivial_moves = c.trivial_moves.load();
    ds.trivial_move_bytes = c.trivial_move_bytes.load();
    ds.purged_records = c.purged_records.load();
    ds.purged_bytes = c.purged_bytes.load();
    ds.tree_removals = c.tree_removals.load();
    ds.tenant_removals = c.tenant_removals.load();
    ds.tree_restores = c.tree_restores.load();
    ds.deadline_compactions = c.deadline_compactions.load();
    ds.deadline_compaction_bytes_written = c.deadline_compaction_bytes.load();
    ds.purge_dropped_files = c.purge_dropped_files.load();
    ds.purge_dropped_bytes = c.purge_dropped_bytes.load();
    s = PurgeStatsOf(&d, &ds);
    if (!s.ok()) return s;
    ds.write_amplification =
        Ratio(ds.flush_bytes_written + ds.compaction_bytes_written + ds.ingest_bytes_written,
              ds.user_bytes_written);
    for (auto& [tenant, bytes] : c.tenants.Top(options_.stats_top_tenants)) {
      ds.top_tenants.push_back(
          TenantStats{tenant, bytes.user, bytes.flush, bytes.compaction, bytes.ingest});
    }
    rocksdb::ColumnFamilyMetaData meta;
    db_->GetColumnFamilyMetaData(d.cf, &meta);
    ds.live_sst_bytes = meta.size;
    for (const auto& level : meta.levels) {
      LevelStats ls;
      ls.level = level.level;
      ls.files = level.files.size();
      ls.bytes = level.size;
      ds.levels.push_back(ls);
    }
    uint64_t v = 0;
    if (db_->GetIntProperty(d.cf, rocksdb::DB::Properties::kCurSizeAllMemTables, &v)) {
      ds.memtable_bytes = v;
    }
    if (db_->GetIntProperty(d.cf, rocksdb::DB::Properties::kEstimateNumKeys, &v)) {
      ds.estimated_records = v;
    }
    if (db_->GetIntProperty(d.cf, rocksdb::DB::Properties::kEstimatePendingCompactionBytes, &v)) {
      ds.pending_compaction_bytes = v;
    }
    const rocksdb::Options current = db_->GetOptions(d.cf);
    ds.write_buffer_bytes = current.write_buffer_size;
    ds.level0_compaction_trigger = current.level0_file_num_compaction_trigger;
    out.user_bytes_written += ds.user_bytes_written;
    out.flush_bytes_written += ds.flush_bytes_written;
    out.compaction_bytes_written += ds.compaction_bytes_written;
    out.ingest_bytes_written += ds.ingest_bytes_written;
    out.domains.push_back(std::move(ds));
  }
  out.write_amplification =
      Ratio(out.flush_bytes_written + out.compaction_bytes_written + out.ingest_bytes_written,
            out.user_bytes_written);
  if (flush_controller_) {
    for (const FlushDecisionRecord& r : flush_controller_->LastDecisions()) {
      for (auto& ds : out.domains) {
        if (ds.name == r.inputs.domain) ds.flush_controller_reason = r.reason;
      }
    }
    for (const FlushDecisionRecord& r : flush_controller_->History()) {
      FlushDecisionStats f;
      f.time_micros = r.time_micros;
      f.domain = r.inputs.domain;
      f.old_write_buffer_bytes = r.old_write_buffer_size;
      f.new_write_buffer_bytes = r.new_write_buffer_size;
      f.old_level0_trigger = r.old_l0_trigger;
      f.new_level0_trigger = r.new_l0_trigger;
      f.applied = r.applied;
      f.reason = r.reason;
      f.inputs = DescribeObservation(r.inputs);
      out.flush_decisions.push_back(std::move(f));
    }
  }
  out.wal_bytes_written = Ticker(statistics_, rocksdb::WAL_FILE_BYTES);
  out.stall_micros = Ticker(statistics_, rocksdb::STALL_MICROS);
  out.block_cache_bytes = cache_ ? cache_->GetUsage() : 0;
  out.maintenance_passes = maintenance_passes_.load(std::memory_order_relaxed);
  out.maintenance_errors = maintenance_errors_.load(std::memory_order_relaxed);
  *stats = std::move(out);
  return Status::OK();
}

Status Store::Impl::GetApproximateSize(std::string_view domain, std::string_view tenant,
                                       std::string_view prefix, uint64_t* bytes) {
  Status s = CheckOpen();
  Domain* d = nullptr;
  if (s.ok()) s = FindDomain(domain, &d);
  if (s.ok() && bytes == nullptr) s = Status::InvalidArgument("GetApproximateSize: bytes is null");
  if (s.ok() && tenant.empty() && !prefix.empty()) {
    s = Status::InvalidArgument("GetApproximateSize: a prefix needs a tenant");
  }
  if (s.ok() && !tenant.empty()) s = codecs::ValidateTenant(tenant);
  if (s.ok() && prefix.size() > options_.max_key_bytes) {
    s = Status::InvalidArgument("GetApproximateSize: prefix exceeds max_key_bytes");
  }
  if (!s.ok()) return s;
  std::string begin, end;
  if (tenant.empty()) {
    // Every encoded key starts with a non-empty escaped tenant: ["", 0xff...).
    end.assign(codecs::kMaxTenantBytes * 2 + 2, '\xff');
  } else {
    RemovalRangeBounds(tenant, prefix, &begin, &end);
  }
  rocksdb::SizeApproximationOptions so;
  so.include_memtables = true;
  so.include_files = true;
  const rocksdb::Range range(begin, end);
  *bytes = 0;
  return FromRocks(db_->GetApproximateSizes(so, d->cf, &range, 1, bytes), "approximate size");
}

bool Store::Impl::Idle() {
  uint64_t v = 0;
  for (const std::string* p : {&rocksdb::DB::Properties::kNumRunningFlushes,
                               &rocksdb::DB::Properties::kNumRunningCompactions}) {
    if (!db_->GetIntProperty(*p, &v) || v != 0) return false;
  }
  for (const auto& d : domains_) {
    for (const std::string* p : {&rocksdb::DB::Properties::kMemTableFlushPending,
                                 &rocksdb::DB::Properties::kCompactionPending}) {
      // RocksDB still scores a time-ordered domain's files as if it would
      // compact them; it never does (only the maintenance pass does).
      if (p == &rocksdb::DB::Properties::kCompactionPending && d.TimeOrdered()) continue;
      if (!db_->GetIntProperty(d.cf, *p, &v) || v != 0) return false;
    }
  }
  return true;
}

Status Store::Impl::WaitForBackgroundWork(uint64_t timeout_ms) {
  Status s = CheckOpen();
  if (!s.ok()) return s;
  const auto start = std::chrono::steady_clock::now();
  int idle_in_a_row = 0;
  while (true) {
    idle_in_a_row = Idle() ? idle_in_a_row + 1 : 0;
    if (idle_in_a_row >= 2) return Status::OK();
    const auto waited = std::chrono::duration_cast<std::chrono::milliseconds>(
        std::chrono::steady_clock::now() - start);
    if (timeout_ms != 0 && static_cast<uint64_t>(waited.count()) >= timeout_ms) {
      return Status::Busy("background work still running after " + std::to_string(timeout_ms) +
                          " ms");
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
}

std::vector<std::string> Store::Impl::DomainNames() const {
  std::vector<std::string> names;
  for (const auto& d : domains_) names.push_back(d.options.name);
  return names;
}

}  // namespace metakv
