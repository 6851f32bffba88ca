#include "bench/rocksdb_engine.h"

#include <rocksdb/cache.h>
#include <rocksdb/db.h>
#include <rocksdb/options.h>
#include <rocksdb/statistics.h>
#include <rocksdb/table.h>
#include <rocksdb/write_batch.h>
#include <rocksdb/write_buffer_manager.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>

#include "bench/bytes.h"
#include "bench/keys.h"
#include "bench/wait.h"
#include "engine/rocksdb_util.h"
#include "metakv/options.h"

namespace metakv::bench {

namespace {

// FromRocks with the engine and operation named: "rocksdb: Get: ...". The
// OK path builds no string (it runs once per operation).
Status FromRocksdb(const rocksdb::Status& s, std::string_view what) {
  if (s.ok()) return Status::OK();
  return FromRocks(s, "rocksdb: " + std::string(what));
}

// The metadata records' layout in the one column family, as a stock user
// lays out several record kinds in one key space:
//   key   = domain byte ('i' inode, 'd' dentry, 'h' history) + tenant + key
//   value = 'L' + value                        a live record
//         | 'X' + delete time (8 bytes, big-endian micros) + old value
//                                              a record in the recycle bin
// Bench tenants start with 't', so these keys never meet the simple
// workloads' keys (tenant + key).
constexpr char kLiveTag = 'L';
constexpr char kMarkerTag = 'X';

char DomainByte(MetaDomain d) {
  switch (d) {
    case MetaDomain::kInode:
      return 'i';
    case MetaDomain::kDentry:
      return 'd';
    case MetaDomain::kHistory:
      return 'h';
  }
  return 'i';
}

std::string MetaKey(MetaDomain d, std::string_view tenant, std::string_view key) {
  std::string k;
  k.reserve(1 + tenant.size() + key.size());
  k.push_back(DomainByte(d));
  k.append(tenant.data(), tenant.size());
  k.append(key.data(), key.size());
  return k;
}

// The smallest key greater than every key starting with prefix. REQUIRES:
// prefix holds a byte other than 0xff (every key here starts with a domain
// letter).
std::string PrefixEnd(std::string prefix) {
  while (static_cast<unsigned char>(prefix.back()) == 0xff) prefix.pop_back();
  prefix.back() = static_cast<char>(prefix.back() + 1);
  return prefix;
}

// Records per write batch of a bulk removal, restore or marker write, and
// marker keys per purge-queue entry.
constexpr int kBulkBatchRecords = 1024;
constexpr size_t kPurgeChunkKeys = 4096;

// Keys to delete once the clock reaches due_micros; removal_id is the tree
// removal they belong to (0: a MetaWrite's deletes or a history group).
struct DueDeletes {
  uint64_t due_micros = 0;
  uint64_t removal_id = 0;
  std::vector<std::string> keys;
};

class RocksdbEngine : public Engine {
 public:
  RocksdbEngine(std::string name, std::unique_ptr<rocksdb::DB> db,
                std::shared_ptr<rocksdb::Statistics> stats, const BenchConfig& config)
      : name_(std::move(name)),
        db_(std::move(db)),
        stats_(std::move(stats)),
        keys_(config.key_size, config.tenants),
        stock_delete_(config.stock_delete),
        retention_micros_(config.retention_seconds * 1000000),
        ttl_micros_(config.history_ttl_seconds * 1000000),
        now_micros_(RealTimeMicros()) {
    purger_ = std::thread([this] { PurgeLoop(); });
  }

  ~RocksdbEngine() override { Close().PermitUncheckedError(); }

  std::string_view name() const override { return name_; }

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
    {
      // First the deletes whose time has come (they make more compactions).
      std::unique_lock<std::mutex> lock(purge_mu_);
      purge_cv_.notify_one();
      purge_idle_cv_.wait(
          lock, [this] { return stop_ || !purge_error_.ok() || (!purging_ && !HasDueLocked()); });
      if (!purge_error_.ok()) return purge_error_;
    }
    // RocksDB 7.8 has no public WaitForCompact: poll the properties
    // db_bench's waitforcompaction polls.
    // "Compaction pending" alone, with nothing running, for a second: RocksDB
    // 7.8's universal picker can leave a score of 1 it has nothing to do for
    // ("Compaction nothing to do" in its LOG), so the flag never clears.
    constexpr int kPendingIdlePolls = 20;  // 50 ms apart
    int pending_only = 0;
    return PollUntilIdle(name_, [this, &pending_only](bool* idle) -> Status {
      uint64_t v[4] = {};
      const std::string* properties[4] = {&rocksdb::DB::Properties::kMemTableFlushPending,
                                          &rocksdb::DB::Properties::kNumRunningFlushes,
                                          &rocksdb::DB::Properties::kNumRunningCompactions,
                                          &rocksdb::DB::Properties::kCompactionPending};
      for (int i = 0; i < 4; ++i) {
        if (!db_->GetIntProperty(*properties[i], &v[i])) {
          return Status::IOError("rocksdb: cannot read property " + *properties[i]);
        }
      }
      const bool busy = v[0] != 0 || v[1] != 0 || v[2] != 0;
      pending_only = !busy && v[3] != 0 ? pending_only + 1 : 0;
      *idle = !busy && (v[3] == 0 || pending_only >= kPendingIdlePolls);
      return Status::OK();
    });
  }

  Status WriteHistoryGroup(std::string_view tenant,
                           const std::vector<HistoryRecord>& records) override {
    if (db_ == nullptr) return Status::InvalidArgument("rocksdb: closed");
    rocksdb::WriteBatch batch;
    DueDeletes expiry;
    std::string value;
    for (const auto& r : records) {
      std::string key = MetaKey(MetaDomain::kHistory, tenant, r.key);
      value.assign(1, kLiveTag);
      value.append(r.value);
      rocksdb::Status s = batch.Put(key, value);
      if (!s.ok()) return FromRocksdb(s, "WriteBatch::Put");
      if (ttl_micros_ != 0) expiry.keys.push_back(std::move(key));
    }
    rocksdb::WriteOptions synced = write_options_;
    synced.sync = true;  // durable on return, as an ingest is
    Status s = FromRocksdb(db_->Write(synced, &batch), "Write");
    if (s.ok() && ttl_micros_ != 0) {
      expiry.due_micros = now_micros_.load(std::memory_order_acquire) + ttl_micros_;
      Enqueue(&ttl_queue_, std::move(expiry));
    }
    return s;
  }

  Status MetaWrite(std::string_view tenant, const std::vector<MetaOp>& ops) override {
    if (db_ == nullptr) return Status::InvalidArgument("rocksdb: closed");
    Status s = PurgeError();
    if (!s.ok()) return s;
    rocksdb::WriteBatch batch;
    DueDeletes purge;
    const uint64_t now = now_micros_.load(std::memory_order_acquire);
    std::string value;
    for (const MetaOp& op : ops) {
      if (op.domain == MetaDomain::kHistory) {
        return Status::InvalidArgument("rocksdb: MetaWrite: history is written by groups");
      }
      std::string key = MetaKey(op.domain, tenant, op.key);
      rocksdb::Status rs;
      switch (op.kind) {
        case MetaOp::Kind::kPut:
          value.assign(1, kLiveTag);
          value.append(op.value);
          rs = batch.Put(key, value);
          break;
        case MetaOp::Kind::kDelete: {
          // The recycle bin: read the record, keep it under a marker.
          std::string old;
          rs = db_->Get(read_options_, key, &old);
          if (rs.IsNotFound() || (rs.ok() && (old.empty() || old[0] != kLiveTag))) {
            return Status::NotFound("");
          }
          if (!rs.ok()) return FromRocksdb(rs, "Get");
          value.assign(1, kMarkerTag);
          AppendBigEndian64(now, &value);
          value.append(old, 1, std::string::npos);
          rs = batch.Put(key, value);
          purge.keys.push_back(std::move(key));
          break;
        }
        case MetaOp::Kind::kRemove:
          rs = batch.Delete(key);
          break;
      }
      if (!rs.ok()) return FromRocksdb(rs, "WriteBatch");
    }
    s = FromRocksdb(db_->Write(write_options_, &batch), "Write");
    if (s.ok() && !purge.keys.empty()) {
      purge.due_micros = now + retention_micros_;
      Enqueue(&retention_queue_, std::move(purge));
    }
    return s;
  }

  Status MetaGet(MetaDomain domain, std::string_view tenant, std::string_view key,
                 std::string* value) override {
    if (db_ == nullptr) return Status::InvalidArgument("rocksdb: closed");
    rocksdb::Status s = db_->Get(read_options_, MetaKey(domain, tenant, key), value);
    if (s.IsNotFound()) return Status::NotFound("");
    if (!s.ok()) return FromRocksdb(s, "Get");
    if (value->empty() || (*value)[0] != kLiveTag) {
      value->clear();
      return Status::NotFound("");
    }
    value->erase(0, 1);
    return Status::OK();
  }

  Status MetaScan(MetaDomain domain, std::string_view tenant, std::string_view prefix,
                  const ScanVisitor& visit) override {
    if (db_ == nullptr) return Status::InvalidArgument("rocksdb: closed");
    // Upper bound: the successor of the whole prefix (domain byte + tenant +
    // prefix), which never ends in 0xff bytes only (the domain byte is a
    // letter).
    const std::string start = MetaKey(domain, tenant, prefix);
    return VisitLive(tenant, start, PrefixEnd(start), visit);
  }

  Status MetaSeek(MetaDomain domain, std::string_view tenant, std::string_view start_key,
                  const ScanVisitor& visit) override {
    if (db_ == nullptr) return Status::InvalidArgument("rocksdb: closed");
    return VisitLive(tenant, MetaKey(domain, tenant, start_key),
                     PrefixEnd(MetaKey(domain, tenant, "")), visit);
  }

  // Visits the live records (not in the recycle bin) of tenant's keys in
  // [start, upper), as user key and value, until visit returns false.
  Status VisitLive(std::string_view tenant, const std::string& start, const std::string& upper,
                   const ScanVisitor& visit) {
    const rocksdb::Slice upper_slice(upper);
    rocksdb::ReadOptions options = read_options_;
    options.iterate_upper_bound = &upper_slice;
    std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(options));
    const size_t skip = 1 + tenant.size();
    for (it->Seek(start); it->Valid(); it->Next()) {
      const rocksdb::Slice k = it->key();
      const rocksdb::Slice v = it->value();
      if (v.empty() || v[0] != kLiveTag) continue;  // in the recycle bin
      if (!visit(std::string_view(k.data() + skip, k.size() - skip),
                 std::string_view(v.data() + 1, v.size() - 1))) {
        break;
      }
    }
    return FromRocksdb(it->status(), "Iterator");
  }

  // A stock user's rm -r of a tree whose records share key prefixes:
  // iterate each prefix and write, batch by batch, a marker (logical) or a
  // delete (hard) for every record found; or, hard with
  // --stock_delete=range, one DeleteRange per prefix. Not atomic: a
  // concurrent reader may see part of the tree gone.
  Status RemoveTree(std::string_view tenant, const std::vector<TreePrefix>& prefixes,
                    TreeRemoveMode mode, uint64_t* removal_id) override {
    if (db_ == nullptr) return Status::InvalidArgument("rocksdb: closed");
    Status s = PurgeError();
    if (!s.ok()) return s;
    for (const TreePrefix& p : prefixes) {
      if (p.domain == MetaDomain::kHistory || p.prefix.empty()) {
        return Status::InvalidArgument("rocksdb: RemoveTree: bad prefix");
      }
    }
    if (mode == TreeRemoveMode::kHard) {
      for (const TreePrefix& p : prefixes) {
        s = DeleteAllUnder(MetaKey(p.domain, tenant, p.prefix));
        if (!s.ok()) return s;
      }
      return Status::OK();
    }
    const uint64_t now = now_micros_.load(std::memory_order_acquire);
    DueDeletes chunk;
    {
      std::lock_guard<std::mutex> lock(purge_mu_);
      chunk.removal_id = ++last_removal_id_;
    }
    chunk.due_micros = now + retention_micros_;
    if (removal_id != nullptr) *removal_id = chunk.removal_id;
    rocksdb::WriteBatch batch;
    std::string value;
    for (const TreePrefix& p : prefixes) {
      const std::string start = MetaKey(p.domain, tenant, p.prefix);
      const std::string upper = PrefixEnd(start);
      const rocksdb::Slice upper_slice(upper);
      rocksdb::ReadOptions options = read_options_;
      options.iterate_upper_bound = &upper_slice;
      std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(options));
      for (it->Seek(start); it->Valid(); it->Next()) {
        const rocksdb::Slice v = it->value();
        if (v.empty() || v[0] != kLiveTag) continue;  // already in the recycle bin
        value.assign(1, kMarkerTag);
        AppendBigEndian64(now, &value);
        value.append(v.data() + 1, v.size() - 1);
        rocksdb::Status rs = batch.Put(it->key(), value);
        if (!rs.ok()) return FromRocksdb(rs, "WriteBatch::Put");
        chunk.keys.push_back(it->key().ToString());
        if (batch.Count() >= kBulkBatchRecords) {
          s = FromRocksdb(db_->Write(write_options_, &batch), "Write");
          if (!s.ok()) return s;
          batch.Clear();
          // Every key of the chunk is written: the purge may have it.
          if (chunk.keys.size() >= kPurgeChunkKeys) EnqueueChunk(&chunk);
        }
      }
      s = FromRocksdb(it->status(), "Iterator");
      if (!s.ok()) return s;
    }
    if (batch.Count() > 0) {
      s = FromRocksdb(db_->Write(write_options_, &batch), "Write");
      if (!s.ok()) return s;
    }
    if (!chunk.keys.empty()) EnqueueChunk(&chunk);
    return Status::OK();
  }

  Status RestoreTree(uint64_t removal_id) override {
    if (db_ == nullptr) return Status::InvalidArgument("rocksdb: closed");
    std::vector<std::string> keys;
    {
      std::lock_guard<std::mutex> lock(purge_mu_);
      bool found = false, due = false;
      const uint64_t now = now_micros_.load(std::memory_order_acquire);
      for (const DueDeletes& d : retention_queue_) {
        if (d.removal_id != removal_id) continue;
        found = true;
        due = due || d.due_micros <= now;
      }
      if (!found) return Status::NotFound("rocksdb: no pending tree removal");
      if (due) return Status::Expired("rocksdb: the tree removal's retention has passed");
      std::deque<DueDeletes> kept;
      for (DueDeletes& d : retention_queue_) {
        if (d.removal_id != removal_id) {
          kept.push_back(std::move(d));
          continue;
        }
        for (std::string& k : d.keys) keys.push_back(std::move(k));
      }
      retention_queue_.swap(kept);
      UpdateNextDueLocked();
    }
    rocksdb::WriteBatch batch;
    std::string old, value;
    for (const std::string& key : keys) {
      rocksdb::Status rs = db_->Get(read_options_, key, &old);
      if (rs.IsNotFound()) continue;
      if (!rs.ok()) return FromRocksdb(rs, "Get");
      if (old.size() < 9 || old[0] != kMarkerTag) continue;  // rewritten since
      value.assign(1, kLiveTag);
      value.append(old, 9, std::string::npos);
      rs = batch.Put(key, value);
      if (!rs.ok()) return FromRocksdb(rs, "WriteBatch::Put");
      if (batch.Count() >= kBulkBatchRecords) {
        Status s = FromRocksdb(db_->Write(write_options_, &batch), "Write");
        if (!s.ok()) return s;
        batch.Clear();
      }
    }
    return batch.Count() == 0 ? Status::OK()
                              : FromRocksdb(db_->Write(write_options_, &batch), "Write");
  }

  Status RemoveTenant(std::string_view tenant) override {
    if (db_ == nullptr) return Status::InvalidArgument("rocksdb: closed");
    for (MetaDomain d : {MetaDomain::kInode, MetaDomain::kDentry, MetaDomain::kHistory}) {
      Status s = DeleteAllUnder(MetaKey(d, tenant, ""));
      if (!s.ok()) return s;
    }
    return Status::OK();
  }

  Status DropPurgeable() override { return Status::OK(); }

  Status StoredBytes(std::string_view tenant, const std::vector<TreePrefix>& prefixes,
                     uint64_t* bytes) override {
    *bytes = 0;
    if (db_ == nullptr) return Status::InvalidArgument("rocksdb: closed");
    std::vector<std::string> starts;
    if (prefixes.empty()) {
      for (MetaDomain d : {MetaDomain::kInode, MetaDomain::kDentry, MetaDomain::kHistory}) {
        starts.push_back(MetaKey(d, tenant, ""));
      }
    } else {
      for (const TreePrefix& p : prefixes) starts.push_back(MetaKey(p.domain, tenant, p.prefix));
    }
    rocksdb::SizeApproximationOptions options;
    options.include_memtables = true;
    options.include_files = true;
    for (const std::string& start : starts) {
      const std::string end = PrefixEnd(start);
      const rocksdb::Range r(start, end);
      uint64_t size = 0;
      rocksdb::Status rs =
          db_->GetApproximateSizes(options, db_->DefaultColumnFamily(), &r, 1, &size);
      if (!rs.ok()) return FromRocksdb(rs, "GetApproximateSizes");
      *bytes += size;
    }
    return Status::OK();
  }

  std::string RemovalMethod(bool tenant, TreeRemoveMode mode) const override {
    if (!tenant && mode == TreeRemoveMode::kLogical) {
      return "marker per record, point deletes after retention";
    }
    return stock_delete_ == StockDeleteChoice::kRange ? "DeleteRange" : "point delete per record";
  }

  void SetTime(uint64_t micros) override {
    uint64_t now = now_micros_.load(std::memory_order_acquire);
    while (micros > now &&
           !now_micros_.compare_exchange_weak(now, micros, std::memory_order_acq_rel)) {
    }
    if (micros >= next_due_micros_.load(std::memory_order_acquire)) purge_cv_.notify_one();
  }

  Status GetStats(EngineStats* stats) override {
    stats->flush_bytes_written = stats_->getTickerCount(rocksdb::FLUSH_WRITE_BYTES);
    stats->compaction_bytes_written = stats_->getTickerCount(rocksdb::COMPACT_WRITE_BYTES);
    stats->wal_bytes_written = stats_->getTickerCount(rocksdb::WAL_FILE_BYTES);
    stats->stall_micros = stats_->getTickerCount(rocksdb::STALL_MICROS);
    uint64_t live = 0;
    if (db_ != nullptr && db_->GetIntProperty(rocksdb::DB::Properties::kLiveSstFilesSize, &live)) {
      stats->live_sst_bytes = live;
    }
    return Status::OK();
  }

  Status Close() override {
    if (db_ == nullptr) return Status::OK();
    {
      std::lock_guard<std::mutex> lock(purge_mu_);
      stop_ = true;
    }
    purge_cv_.notify_all();
    if (purger_.joinable()) purger_.join();
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

  // Deletes every key starting with start: one DeleteRange
  // (--stock_delete=range), or a point delete of each key found, in
  // batches.
  Status DeleteAllUnder(const std::string& start) {
    const std::string upper = PrefixEnd(start);
    if (stock_delete_ == StockDeleteChoice::kRange) {
      return FromRocksdb(db_->DeleteRange(write_options_, db_->DefaultColumnFamily(), start, upper),
                         "DeleteRange");
    }
    const rocksdb::Slice upper_slice(upper);
    rocksdb::ReadOptions options = read_options_;
    options.iterate_upper_bound = &upper_slice;
    std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(options));
    rocksdb::WriteBatch batch;
    for (it->Seek(start); it->Valid(); it->Next()) {
      rocksdb::Status rs = batch.Delete(it->key());
      if (!rs.ok()) return FromRocksdb(rs, "WriteBatch::Delete");
      if (batch.Count() >= kBulkBatchRecords) {
        Status s = FromRocksdb(db_->Write(write_options_, &batch), "Write");
        if (!s.ok()) return s;
        batch.Clear();
      }
    }
    Status s = FromRocksdb(it->status(), "Iterator");
    if (!s.ok() || batch.Count() == 0) return s;
    return FromRocksdb(db_->Write(write_options_, &batch), "Write");
  }

  // Hands the chunk's marker keys to the purge job and starts a new chunk
  // of the same removal.
  void EnqueueChunk(DueDeletes* chunk) {
    DueDeletes next;
    next.due_micros = chunk->due_micros;
    next.removal_id = chunk->removal_id;
    Enqueue(&retention_queue_, std::move(*chunk));
    *chunk = std::move(next);
  }

  void Enqueue(std::deque<DueDeletes>* queue, DueDeletes entry) {
    std::lock_guard<std::mutex> lock(purge_mu_);
    queue->push_back(std::move(entry));
    UpdateNextDueLocked();
  }

  // Due times only grow along each queue (the clock never goes back and
  // each queue has one delay), so the fronts are the earliest.
  void UpdateNextDueLocked() {
    uint64_t next = UINT64_MAX;
    if (!retention_queue_.empty()) next = retention_queue_.front().due_micros;
    if (!ttl_queue_.empty()) next = std::min(next, ttl_queue_.front().due_micros);
    next_due_micros_.store(next, std::memory_order_release);
  }

  bool HasDueLocked() const {
    return next_due_micros_.load(std::memory_order_acquire) <=
           now_micros_.load(std::memory_order_acquire);
  }

  Status PurgeError() {
    std::lock_guard<std::mutex> lock(purge_mu_);
    return purge_error_;
  }

  // The stock user's purge job, in the background: deletes, in batches of
  // due entries, the recycle-bin markers whose retention has passed and the
  // history records whose TTL has passed.
  void PurgeLoop() {
    std::unique_lock<std::mutex> lock(purge_mu_);
    while (true) {
      purge_cv_.wait_for(lock, std::chrono::milliseconds(100),
                         [this] { return stop_ || HasDueLocked(); });
      if (stop_) break;
      if (!HasDueLocked() || !purge_error_.ok()) continue;
      const uint64_t now = now_micros_.load(std::memory_order_acquire);
      rocksdb::WriteBatch batch;
      for (std::deque<DueDeletes>* queue : {&retention_queue_, &ttl_queue_}) {
        while (!queue->empty() && queue->front().due_micros <= now && batch.Count() < 4096) {
          for (const std::string& key : queue->front().keys)
            batch.Delete(key).PermitUncheckedError();
          queue->pop_front();
        }
      }
      UpdateNextDueLocked();
      purging_ = true;
      lock.unlock();
      rocksdb::Status s = db_->Write(write_options_, &batch);
      lock.lock();
      purging_ = false;
      if (!s.ok() && purge_error_.ok()) purge_error_ = FromRocksdb(s, "purge Write");
      purge_idle_cv_.notify_all();
    }
    purge_idle_cv_.notify_all();
  }

  const std::string name_;
  std::unique_ptr<rocksdb::DB> db_;
  std::shared_ptr<rocksdb::Statistics> stats_;
  rocksdb::WriteOptions write_options_;
  rocksdb::ReadOptions read_options_;
  const KeyFormatter keys_;  // the bench key layout, for Scan
  const StockDeleteChoice stock_delete_;
  const uint64_t retention_micros_;
  const uint64_t ttl_micros_;

  std::atomic<uint64_t> now_micros_;  // the simulated clock (SetTime)
  std::atomic<uint64_t> next_due_micros_{UINT64_MAX};
  std::mutex purge_mu_;
  std::condition_variable purge_cv_;        // work may be due, or stop
  std::condition_variable purge_idle_cv_;   // a purge batch finished
  std::deque<DueDeletes> retention_queue_;  // GUARDED_BY(purge_mu_)
  std::deque<DueDeletes> ttl_queue_;        // GUARDED_BY(purge_mu_)
  uint64_t last_removal_id_ = 0;            // GUARDED_BY(purge_mu_)
  bool purging_ = false;                    // GUARDED_BY(purge_mu_)
  bool stop_ = false;                       // GUARDED_BY(purge_mu_)
  Status purge_error_;                      // GUARDED_BY(purge_mu_)
  std::thread purger_;
};

}  // namespace

Status OpenRocksdbEngine(const BenchConfig& config, const std::string& dir, bool universal,
                         std::unique_ptr<Engine>* out) {
  out->reset();
  rocksdb::Options options;
  options.create_if_missing = true;
  if (universal) options.compaction_style = rocksdb::kCompactionStyleUniversal;
  options.write_buffer_size = static_cast<size_t>(config.write_buffer_size);
  options.target_file_size_base = config.target_file_size;
  options.max_bytes_for_level_base = config.max_bytes_for_level_base;
  if (config.compression != CompressionChoice::kDefault) {
    options.compression = ToRocks(ToCompression(config.compression));
    options.bottommost_compression = ToRocks(ToCompression(config.compression));
  }
  options.statistics = rocksdb::CreateDBStatistics();

  // The same memory rule as metakv (MemtableBudgetBytes of the budget, with
  // metakv's default memtable_budget_fraction so they cannot drift):
  // memtables are charged to the block cache, and the cache is the budget.
  metakv::Options budget;
  budget.memory_budget_bytes = config.memory_budget;
  std::shared_ptr<rocksdb::Cache> cache = rocksdb::NewLRUCache(config.memory_budget);
  options.write_buffer_manager =
      std::make_shared<rocksdb::WriteBufferManager>(MemtableBudgetBytes(budget), cache);
  rocksdb::BlockBasedTableOptions table_options;
  table_options.block_cache = cache;
  options.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table_options));

  rocksdb::DB* raw = nullptr;
  Status s = FromRocksdb(rocksdb::DB::Open(options, dir, &raw), "open " + dir);
  if (!s.ok()) return s;
  *out = std::make_unique<RocksdbEngine>(universal ? "rocksdb-universal" : "rocksdb",
                                         std::unique_ptr<rocksdb::DB>(raw), options.statistics,
                                         config);
  return Status::OK();
}

}  // namespace metakv::bench
