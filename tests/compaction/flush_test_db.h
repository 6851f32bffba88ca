// A real RocksDB for the flush controller's tests: named column families
// opened directly with small sizes, the accounting listener and a
// FlushObserver, writes that count user bytes the way metakv's write path
// does, and a bounded wait for background work. Header-only; included by
// tests/compaction/flush_*_test.cc.
#ifndef METAKV_TESTS_COMPACTION_FLUSH_TEST_DB_H_
#define METAKV_TESTS_COMPACTION_FLUSH_TEST_DB_H_

#include <gtest/gtest.h>
#include <rocksdb/db.h>
#include <rocksdb/statistics.h>
#include <rocksdb/write_buffer_manager.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "compaction/accounting.h"
#include "compaction/flush_controller.h"
#include "compaction/flush_observer.h"

namespace metakv::test {

constexpr uint64_t KiB = 1024;
constexpr uint64_t MiB = 1024 * 1024;

#define ROCKS_ASSERT_OK(expr)                                   \
  do {                                                          \
    const rocksdb::Status rs_ = (expr);                         \
    ASSERT_TRUE(rs_.ok()) << #expr << " -> " << rs_.ToString(); \
  } while (0)

inline rocksdb::ColumnFamilyOptions SmallCf(uint64_t write_buffer_size) {
  rocksdb::ColumnFamilyOptions cf;
  cf.write_buffer_size = write_buffer_size;
  cf.max_write_buffer_number = 2;
  cf.level0_file_num_compaction_trigger = 2;
  cf.level0_slowdown_writes_trigger = 20;
  cf.level0_stop_writes_trigger = 36;
  cf.target_file_size_base = 64 * KiB;
  cf.max_bytes_for_level_base = 256 * KiB;
  cf.compression = rocksdb::kNoCompression;
  return cf;
}

class TestDb {
 public:
  ~TestDb() { Close(); }

  rocksdb::Status Open(const std::string& path,
                       const std::vector<std::pair<std::string, rocksdb::ColumnFamilyOptions>>& cfs,
                       uint64_t memtable_budget) {
    rocksdb::DBOptions o;
    o.create_if_missing = true;
    o.create_missing_column_families = true;
    o.max_background_jobs = 2;
    o.info_log_level = rocksdb::InfoLogLevel::INFO_LEVEL;
    statistics = rocksdb::CreateDBStatistics();
    o.statistics = statistics;
    wbm = std::make_shared<rocksdb::WriteBufferManager>(memtable_budget);
    o.write_buffer_manager = wbm;
    accounting = std::make_shared<AccountingListener>();
    observer = std::make_shared<FlushObserver>();
    std::vector<rocksdb::ColumnFamilyDescriptor> descriptors{
        {rocksdb::kDefaultColumnFamilyName, SmallCf(64 * KiB)}};
    for (const auto& [name, options] : cfs) {
      descriptors.emplace_back(name, options);
      counters[name] = accounting->Register(name);
    }
    o.listeners = {accounting, observer};
    for (auto& l : extra_listeners) o.listeners.push_back(l);
    std::vector<rocksdb::ColumnFamilyHandle*> handles;
    rocksdb::DB* raw = nullptr;
    rocksdb::Status s = rocksdb::DB::Open(o, path, descriptors, &handles, &raw);
    if (!s.ok()) return s;
    db.reset(raw);
    for (size_t i = 1; i < handles.size(); ++i) cf[descriptors[i].name] = handles[i];
    default_cf = handles[0];
    return s;
  }

  void Close() {
    if (!db) return;
    for (auto& [name, h] : cf) db->DestroyColumnFamilyHandle(h).PermitUncheckedError();
    db->DestroyColumnFamilyHandle(default_cf).PermitUncheckedError();
    cf.clear();
    db->Close().PermitUncheckedError();
    db.reset();
  }

  void Put(const std::string& name, const std::string& key, const std::string& value) {
    rocksdb::Status s = db->Put(rocksdb::WriteOptions(), cf.at(name), key, value);
    ASSERT_TRUE(s.ok()) << s.ToString();
    counters.at(name)->user_bytes.fetch_add(key.size() + value.size());
  }

  // Waits (real time, bounded) until no flush or compaction is pending or
  // running.
  void WaitForBackground() {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    while (std::chrono::steady_clock::now() < deadline) {
      bool busy = false;
      uint64_t v = 0;
      for (const std::string* p : {&rocksdb::DB::Properties::kNumRunningFlushes,
                                   &rocksdb::DB::Properties::kNumRunningCompactions}) {
        busy = busy || !db->GetIntProperty(*p, &v) || v != 0;
      }
      for (auto& [name, h] : cf) {
        for (const std::string* p : {&rocksdb::DB::Properties::kMemTableFlushPending,
                                     &rocksdb::DB::Properties::kCompactionPending}) {
          busy = busy || !db->GetIntProperty(h, *p, &v) || v != 0;
        }
      }
      if (!busy) return;
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    ADD_FAILURE() << "background work did not finish in 30 s";
  }

  uint64_t WriteBufferSize(const std::string& name) {
    return db->GetOptions(cf.at(name)).write_buffer_size;
  }
  int L0Trigger(const std::string& name) {
    return db->GetOptions(cf.at(name)).level0_file_num_compaction_trigger;
  }
  int L0Files(const std::string& name) {
    std::string v;
    EXPECT_TRUE(db->GetProperty(cf.at(name), "rocksdb.num-files-at-level0", &v));
    return std::stoi(v);
  }

  uint64_t Flushes(const std::string& name) { return counters.at(name)->flushes.load(); }
  uint64_t Compactions(const std::string& name) { return counters.at(name)->compactions.load(); }
  uint64_t MemtableEntries(const std::string& name) {
    uint64_t active = 0, imm = 0;
    EXPECT_TRUE(db->GetIntProperty(cf.at(name), "rocksdb.num-entries-active-mem-table", &active));
    EXPECT_TRUE(db->GetIntProperty(cf.at(name), "rocksdb.num-entries-imm-mem-tables", &imm));
    return active + imm;
  }

  FlushDomain Domain(const std::string& name, uint64_t min, uint64_t max, int base_trigger) {
    FlushDomain d;
    d.name = name;
    d.cf = cf.at(name);
    d.counters = counters.at(name);
    d.min_write_buffer_size = min;
    d.max_write_buffer_size = max;
    d.base_l0_trigger = base_trigger;
    return d;
  }

  // Set before Open to add listeners of the test's own.
  std::vector<std::shared_ptr<rocksdb::EventListener>> extra_listeners;
  std::shared_ptr<rocksdb::Statistics> statistics;
  std::shared_ptr<rocksdb::WriteBufferManager> wbm;
  std::shared_ptr<AccountingListener> accounting;
  std::shared_ptr<FlushObserver> observer;
  std::map<std::string, DomainCounters*> counters;
  std::unique_ptr<rocksdb::DB> db;
  std::map<std::string, rocksdb::ColumnFamilyHandle*> cf;
  rocksdb::ColumnFamilyHandle* default_cf = nullptr;
};

inline std::string Key(const char* prefix, uint64_t i) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%s%08llu", prefix, static_cast<unsigned long long>(i));
  return buf;
}

inline std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Controller options at test scale over t's statistics and observer.
inline FlushControllerOptions TestControllerOptions(std::shared_ptr<Clock> clock, const TestDb& t,
                                                    uint64_t budget) {
  FlushControllerOptions o;
  o.policy.min_absorb_sample_entries = 100;
  o.policy.pending_compaction_pressure_bytes = 1 * MiB;
  o.memtable_budget_bytes = budget;
  o.clock = std::move(clock);
  o.statistics = t.statistics;
  o.observer = t.observer;
  return o;
}

}  // namespace metakv::test

#endif  // METAKV_TESTS_COMPACTION_FLUSH_TEST_DB_H_
