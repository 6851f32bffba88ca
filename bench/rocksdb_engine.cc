#include "bench/rocksdb_engine.h"

#include <rocksdb/cache.h>
#include <rocksdb/db.h>
#include <rocksdb/write_batch.h>
#include <rocksdb/options.h>
#include <rocksdb/statistics.h>
#include <rocksdb/table.h>
#include <rocksdb/write_buffer_manager.h>


#include "bench/keys.h"
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
  RocksdbEngine(std::unique_ptr<rocksdb::DB> db, std::shared_ptr<rocksdb::Statistics> stats,
                const KeyFormatter& keys)
      : db_(std::move(db)), stats_(std::move(stats)), keys_(keys) {}

  ~RocksdbEngine() override { Close().PermitUncheckedError(); }

  std::string_view name() const override { return "rocksdb"; }

  Status Put(std::string_view tenant, std::string_view key, std::string_view value) override {
    if (db_ == nullptr) return Status::InvalidArgument("rocksdb: closed");
    return FromRocksdb(
        db_->Put(write_options_, MakeKey(tenant, key), rocksdb::Slice(value.data(), value.size())),
        "Put");
  }

  Status Get(std::string_view tenant, std::string_view key, std::string* value) override {
    if (db_ == nullptr) return Status::InvalidArgument("rocksdb: closed");
    rocksdb::Status s = db_->Get(read_options_, MakeKey(tenant, key), value);
    if (s.IsNotFound()) return Status::NotFound("");
    return FromRocksdb(s, "Get");
  }

  Status Delete(std::string_view tenant, std::string_view key) override {
    if (db_ == nullptr) return Status::InvalidArgument("rocksdb: closed");
    return FromRocksdb(db_->Delete(write_options_, MakeKey(tenant, key)), "Delete");
  }

  // The concatenated keys of tenant "t1" share their prefix with those of
  // "t10".."t19", interleaved in key order, so the scan covers the prefix
  // (bounded above by its successor) and skips other tenants' records, as a
  // stock user of this key layout must.
  Status Scan(std::string_view tenant, std::string_view start_key, uint64_t limit,
              uint64_t* count) override {
    *count = 0;
    if (db_ == nullptr) return Status::InvalidArgument("rocksdb: closed");
    std::string upper(tenant);
    while (!upper.empty() && static_cast<unsigned char>(upper.back()) == 0xff) upper.pop_back();
    if (!upper.empty()) upper.back() = static_cast<char>(upper.back() + 1);
    const rocksdb::Slice upper_slice(upper);
    rocksdb::ReadOptions options = read_options_;
    if (!upper.empty()) options.iterate_upper_bound = &upper_slice;
    std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(options));
    for (it->Seek(MakeKey(tenant, start_key)); it->Valid() && *count < limit; it->Next()) {
      const rocksdb::Slice k = it->key();
      if (!k.starts_with(rocksdb::Slice(tenant.data(), tenant.size()))) break;
      const std::string_view user_key(k.data() + tenant.size(), k.size() - tenant.size());
      if (keys_.IsKeyOf(tenant, user_key)) ++*count;
    }
    return FromRocksdb(it->status(), "Iterator");
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
      rocksdb::Status s = batch.Put(MakeKey(tenant, r.key), r.value);
      if (!s.ok()) return FromRocksdb(s, "WriteBatch::Put");
    }
    rocksdb::WriteOptions synced = write_options_;
    synced.sync = true;  // durable on return, as an ingest is
    return FromRocksdb(db_->Write(synced, &batch), "Write");
  }

  Status GetStats(EngineStats* stats) override {
    stats->flush_bytes_written = stats_->getTickerCount(rocksdb::FLUSH_WRITE_BYTES);
    stats->compaction_bytes_written = stats_->getTickerCount(rocksdb::COMPACT_WRITE_BYTES);
    stats->wal_bytes_written = stats_->getTickerCount(rocksdb::WAL_FILE_BYTES);
    return Status::OK();
  }

  Status Close() override {
    if (db_ == nullptr) return Status::OK();
    Status s = FromRocksdb(db_->Close(), "Close");
    db_.reset();
    return s;
  }

 private:
  // The stored key: tenant + key. A fresh string, so calls from several
  // threads share no scratch.
  static std::string MakeKey(std::string_view tenant, std::string_view key) {
    std::string k;
    k.reserve(tenant.size() + key.size());
    k.append(tenant.data(), tenant.size());
    k.append(key.data(), key.size());
    return k;
  }

  std::unique_ptr<rocksdb::DB> db_;
  std::shared_ptr<rocksdb::Statistics> stats_;
  rocksdb::WriteOptions write_options_;
  rocksdb::ReadOptions read_options_;
  const KeyFormatter keys_;  // the bench key layout, for Scan
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
  *out = std::make_unique<RocksdbEngine>(std::unique_ptr<rocksdb::DB>(raw), options.statistics,
                                         KeyFormatter(config.key_size, config.tenants));
  return Status::OK();
}

}  // namespace metakv::bench
