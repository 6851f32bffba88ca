#include "bench/rocksdb_engine.h"

#include <rocksdb/cache.h>
#include <rocksdb/db.h>
#include <rocksdb/write_batch.h>
#include <rocksdb/options.h>
#include <rocksdb/statistics.h>
#include <rocksdb/table.h>
#include <rocksdb/write_buffer_manager.h>


#include "bench/wait.h"
#include "metakv/options.h"

namespace metakv::bench {

namespace {

Status FromRocksdb(const rocksdb::Status& s, std::string_view what) {
  if (s.ok()) return Status::OK();
  const std::string msg = "rocksdb: " + std::string(what) + ": " + s.ToString();
  if (s.IsNotFound()) return Status::NotFound(msg);
  if (s.IsCorruption()) return Status::Corruption(msg);
  if (s.IsInvalidArgument()) return Status::InvalidArgument(msg);
  if (s.IsNotSupported()) return Status::NotSupported(msg);
  if (s.IsBusy()) return Status::Busy(msg);
  return Status::IOError(msg);
}

rocksdb::CompressionType ToRocksdb(CompressionChoice c) {
  switch (c) {
    case CompressionChoice::kNone:
      return rocksdb::kNoCompression;
    case CompressionChoice::kSnappy:
      return rocksdb::kSnappyCompression;
    case CompressionChoice::kZstd:
      return rocksdb::kZSTD;
  }
  return rocksdb::kNoCompression;
}

class RocksdbEngine : public Engine {
 public:
  RocksdbEngine(std::unique_ptr<rocksdb::DB> db, std::shared_ptr<rocksdb::Statistics> stats)
      : db_(std::move(db)), stats_(std::move(stats)) {}

  ~RocksdbEngine() override { Close().PermitUncheckedError(); }

  std::string_view name() const override { return "rocksdb"; }

  Status Put(std::string_view tenant, std::string_view key, std::string_view value) override {
    if (db_ == nullptr) return Status::InvalidArgument("rocksdb: closed");
    MakeKey(tenant, key);
    return FromRocksdb(db_->Put(write_options_, key_, rocksdb::Slice(value.data(), value.size())),
                       "Put");
  }

  Status Get(std::string_view tenant, std::string_view key, std::string* value) override {
    if (db_ == nullptr) return Status::InvalidArgument("rocksdb: closed");
    MakeKey(tenant, key);
    rocksdb::Status s = db_->Get(read_options_, key_, value);
    if (s.IsNotFound()) return Status::NotFound("");
    return FromRocksdb(s, "Get");
  }

  Status Flush() override {
    if (db_ == nullptr) return Status::InvalidArgument("rocksdb: closed");
    rocksdb::FlushOptions options;
    options.wait = true;
    return FromRocksdb(db_->Flush(options), "Flush");
  }

  Status WaitForCompactions() override {
    if (db_ == nullptr) return Status::InvalidArgument("rocksdb: closed");
    // RocksDB 7.8 has no public WaitForCompact: poll the properties
    // db_bench's waitforcompaction polls.
    return PollUntilIdle("rocksdb", [this](bool* idle) -> Status {
      for (const std::string* property :
           {&rocksdb::DB::Properties::kMemTableFlushPending,
            &rocksdb::DB::Properties::kNumRunningFlushes,
            &rocksdb::DB::Properties::kCompactionPending,
            &rocksdb::DB::Properties::kNumRunningCompactions}) {
        uint64_t v = 0;
        if (!db_->GetIntProperty(*property, &v)) {
          return Status::IOError("rocksdb: cannot read property " + *property);
        }
        if (v != 0) {
          *idle = false;
          return Status::OK();
        }
      }
      *idle = true;
      return Status::OK();
    });
  }

  Status WriteHistoryGroup(std::string_view tenant,
                           const std::vector<HistoryRecord>& records) override {
    if (db_ == nullptr) return Status::InvalidArgument("rocksdb: closed");
    rocksdb::WriteBatch batch;
    for (const auto& r : records) {
      MakeKey(tenant, r.key);
      rocksdb::Status s = batch.Put(key_, r.value);
      if (!s.ok()) return FromRocksdb(s, "WriteBatch::Put");
    }
    rocksdb::WriteOptions synced = write_options_;
    synced.sync = true;  // durable on return, as an ingest is
    return FromRocksdb(db_->Write(synced, &batch), "Write");
  }

  Status GetStats(EngineStats* stats) override {
    stats->flush_bytes_written = stats_->getTickerCount(rocksdb::FLUSH_WRITE_BYTES);
    stats->compaction_bytes_written = stats_->getTickerCount(rocksdb::COMPACT_WRITE_BYTES);
    return Status::OK();
  }

  Status Close() override {
    if (db_ == nullptr) return Status::OK();
    Status s = FromRocksdb(db_->Close(), "Close");
    db_.reset();
    return s;
  }

 private:
  void MakeKey(std::string_view tenant, std::string_view key) {
    key_.assign(tenant.data(), tenant.size());
    key_.append(key.data(), key.size());
  }

  std::unique_ptr<rocksdb::DB> db_;
  std::shared_ptr<rocksdb::Statistics> stats_;
  rocksdb::WriteOptions write_options_;
  rocksdb::ReadOptions read_options_;
  std::string key_;  // scratch: the concatenated key of the current call
};

}  // namespace

Status OpenRocksdbEngine(const BenchConfig& config, const std::string& dir,
                         std::unique_ptr<Engine>* out) {
  out->reset();
  rocksdb::Options options;
  options.create_if_missing = true;
  options.write_buffer_size = static_cast<size_t>(config.write_buffer_size);
  options.target_file_size_base = config.target_file_size;
  options.max_bytes_for_level_base = config.max_bytes_for_level_base;
  options.compression = ToRocksdb(config.compression);
  options.bottommost_compression = ToRocksdb(config.compression);
  options.statistics = rocksdb::CreateDBStatistics();

  // The same memory rule as metakv (Options::memory_budget_bytes and
  // memtable_budget_fraction, read from its defaults so they cannot drift):
  // memtables are charged to the block cache, and the cache is the budget.
  const double memtable_fraction = metakv::Options().memtable_budget_fraction;
  std::shared_ptr<rocksdb::Cache> cache = rocksdb::NewLRUCache(config.memory_budget);
  options.write_buffer_manager = std::make_shared<rocksdb::WriteBufferManager>(
      static_cast<size_t>(static_cast<double>(config.memory_budget) * memtable_fraction), cache);
  rocksdb::BlockBasedTableOptions table_options;
  table_options.block_cache = cache;
  options.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table_options));

  rocksdb::DB* raw = nullptr;
  Status s = FromRocksdb(rocksdb::DB::Open(options, dir, &raw), "open " + dir);
  if (!s.ok()) return s;
  *out = std::make_unique<RocksdbEngine>(std::unique_ptr<rocksdb::DB>(raw), options.statistics);
  return Status::OK();
}

}  // namespace metakv::bench
