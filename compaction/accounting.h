// Write accounting per domain: bytes callers wrote (counted by the write
// path) and bytes the engine wrote for them (flush and compaction output,
// counted from RocksDB's EventListener callbacks).
//
// Thread-safety: counters are atomics; the domain map is filled before the
// database opens and constant afterwards, so callbacks from RocksDB's
// background threads and reads from GetStats need no lock.
#ifndef METAKV_COMPACTION_ACCOUNTING_H_
#define METAKV_COMPACTION_ACCOUNTING_H_

#include <rocksdb/listener.h>

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <string>

namespace metakv {

struct DomainCounters {
  std::atomic<uint64_t> user_bytes{0};
  std::atomic<uint64_t> puts{0};
  std::atomic<uint64_t> deletes{0};
  std::atomic<uint64_t> undeletes{0};
  std::atomic<uint64_t> hard_deletes{0};
  std::atomic<uint64_t> flush_bytes{0};
  std::atomic<uint64_t> compaction_bytes_written{0};
  std::atomic<uint64_t> compaction_bytes_read{0};
  std::atomic<uint64_t> flushes{0};
  std::atomic<uint64_t> compactions{0};
  // Written by the tombstone filter (compaction/tombstone_filter.h).
  std::atomic<uint64_t> purged_records{0};
  std::atomic<uint64_t> purged_bytes{0};
  std::atomic<uint64_t> filter_corrupt_records{0};
};

class AccountingListener : public rocksdb::EventListener {
 public:
  // Creates the counters of a column family. REQUIRES: called before the
  // listener is given to RocksDB.
  DomainCounters* Register(const std::string& cf_name);
  // The counters of a registered column family, or nullptr.
  DomainCounters* Find(const std::string& cf_name) const;

  void OnTableFileCreated(const rocksdb::TableFileCreationInfo& info) override;
  void OnFlushCompleted(rocksdb::DB* db, const rocksdb::FlushJobInfo& info) override;
  void OnCompactionCompleted(rocksdb::DB* db, const rocksdb::CompactionJobInfo& info) override;

 private:
  // Constant once the database is open.
  std::map<std::string, std::unique_ptr<DomainCounters>> counters_;
};

}  // namespace metakv

#endif  // METAKV_COMPACTION_ACCOUNTING_H_
