// The adaptive flush controller: every interval it observes each domain
// (column family) of an open RocksDB database, decides its write_buffer_size
// and L0 compaction trigger with DecideFlushSettings (compaction/
// flush_policy.h, where the policy is described), applies changed values
// with DB::SetOptions, records each decision in a bounded history and logs
// each applied one to the database's info log.
//
// Observed per domain and window: user bytes (DomainCounters::user_bytes)
// and flush bytes/flushes (DomainCounters) as deltas; absorption of recent
// flushes from a FlushObserver; stall counts by cause from the
// "rocksdb.cfstats" map (io_stalls.level0_slowdown, .level0_numfiles,
// .slowdown_for_pending_compaction_bytes, .stop_for_pending_compaction_bytes
// count as L0 stalls; .memtable_slowdown, .memtable_compaction as memtable
// stalls) as deltas; "rocksdb.num-files-at-level0",
// "rocksdb.estimate-pending-compaction-bytes" and
// "rocksdb.size-all-mem-tables"; the present write_buffer_size,
// max_write_buffer_number, level0_file_num_compaction_trigger and
// level0_slowdown_writes_trigger from DB::GetOptions. Write stall time
// (Statistics ticker STALL_MICROS) is database-wide in RocksDB; a window's
// stall time is attributed to every domain that stalled in the window.
//
// Rates come from the injected Clock, so tests call RunOnce() between
// ManualClock steps and never sleep. Start() runs RunOnce() every interval
// on a thread of its own.
//
// Thread-safety: all methods are thread-safe. RunOnce calls are serialized.
// REQUIRES: the database, the column family handles, the counters and the
// observer outlive the controller, or at least the last call to Stop().
#ifndef METAKV_COMPACTION_FLUSH_CONTROLLER_H_
#define METAKV_COMPACTION_FLUSH_CONTROLLER_H_

#include <rocksdb/db.h>
#include <rocksdb/env.h>
#include <rocksdb/statistics.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <map>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "compaction/accounting.h"
#include "compaction/flush_observer.h"
#include "compaction/flush_policy.h"
#include "metakv/options.h"

namespace metakv {

// One domain under control.
struct FlushDomain {
  std::string name;
  // Borrowed; must stay valid while the controller may run.
  rocksdb::ColumnFamilyHandle* cf = nullptr;
  // Borrowed; user_bytes, flush_bytes and flushes are read. May be null
  // (then, without memtable_bytes, the domain's write rate reads as 0).
  const DomainCounters* counters = nullptr;
  // Cumulative bytes written through the domain's memtable, if user_bytes
  // also counts bytes that bypass it (cold ingest). Must be thread-safe and
  // cheap. Default: empty, meaning counters->user_bytes.
  std::function<uint64_t()> memtable_bytes;
  // Bounds of write_buffer_size. REQUIRES: min <= max.
  uint64_t min_write_buffer_size = 64ull << 20;
  uint64_t max_write_buffer_size = 512ull << 20;
  // The trigger the domain returns to when pressure falls.
  int base_l0_trigger = 4;
  bool adapt_write_buffer = true;
  bool adapt_l0_trigger = true;
};

struct FlushControllerOptions {
  FlushPolicy policy;
  // Total memtable memory for all domains, normally the WriteBufferManager's
  // buffer size; 0 means unlimited. Default: 0.
  uint64_t memtable_budget_bytes = 0;
  // Period of the Start() thread (real time). Default: 10 s.
  std::chrono::milliseconds interval{10000};
  // Time of windows and records. Default: nullptr, meaning SystemClock().
  std::shared_ptr<Clock> clock;
  // For STALL_MICROS (informative); optional. Default: nullptr.
  std::shared_ptr<rocksdb::Statistics> statistics;
  // Absorption of recent flushes; optional, but without it absorption is
  // unknown. It must be in the database's DBOptions::listeners.
  // Default: nullptr.
  std::shared_ptr<FlushObserver> observer;
  // Changed decisions kept in History(). Default: 256.
  size_t history_capacity = 256;
  // Level applied decisions are logged at (failures at WARN).
  // Default: INFO_LEVEL.
  rocksdb::InfoLogLevel log_level = rocksdb::InfoLogLevel::INFO_LEVEL;
};

// One decision for one domain, with what it was based on.
// The changes the controller made to one domain since it started.
struct FlushChangeCounts {
  uint64_t write_buffer_grows = 0;
  uint64_t write_buffer_shrinks = 0;
  uint64_t l0_trigger_raises = 0;
  uint64_t l0_trigger_lowers = 0;
};

struct FlushDecisionRecord {
  uint64_t time_micros = 0;  // from the controller's clock
  uint64_t window = 0;       // 1 for the first RunOnce that decided
  FlushObservation inputs;
  uint64_t old_write_buffer_size = 0;
  uint64_t new_write_buffer_size = 0;
  int old_l0_trigger = 0;
  int new_l0_trigger = 0;
  std::string reason;    // never empty
  bool changed = false;  // new values differ from old
  bool applied = false;  // changed and SetOptions succeeded
  std::string error;     // SetOptions' failure, if any

  // "[domain] write_buffer_size A -> B, L0 trigger X -> Y: reason | inputs".
  std::string ToString() const;
};

class FlushController {
 public:
  // Takes the first sample (the start of the first window) now.
  // REQUIRES: db and every domain's cf are non-null.
  FlushController(rocksdb::DB* db, std::vector<FlushDomain> domains,
                  FlushControllerOptions options);
  ~FlushController();  // Stop()s
  FlushController(const FlushController&) = delete;
  FlushController& operator=(const FlushController&) = delete;

  // Observes every domain over the window since the previous call (or
  // construction), decides, and applies changed values. A call with no
  // clock time elapsed decides nothing. Returns OK, or the first SetOptions
  // failure (the other domains are still applied; failures are recorded).
  rocksdb::Status RunOnce();

  // Runs RunOnce every options.interval on a background thread until
  // Stop(). A second Start() while running does nothing.
  void Start();
  // Wakes and joins the thread at once. Safe to call twice, or without
  // Start().
  void Stop();
  bool running() const;

  // The latest changed decisions, oldest first, at most history_capacity.
  std::vector<FlushDecisionRecord> History() const;
  // Every domain's decision in the latest deciding window (changed or not),
  // in domain order; empty before the first.
  std::vector<FlushDecisionRecord> LastDecisions() const;
  // The changes made to the domain named, since Start (none if unknown).
  FlushChangeCounts ChangesOf(const std::string& domain) const;
  // Windows decided so far.
  uint64_t windows() const;
  const std::vector<FlushDomain>& domains() const { return domains_; }

 private:
  struct Sample {
    uint64_t user_bytes = 0;
    uint64_t flush_bytes = 0;
    uint64_t flushes = 0;
    uint64_t l0_stalls = 0;
    uint64_t memtable_stalls = 0;
  };
  Sample TakeSample(size_t i) const;
  uint64_t StallMicros() const;
  FlushObservation Observe(size_t i, uint64_t window_micros, const Sample& now,
                           uint64_t stall_micros_delta) const;
  rocksdb::Status Apply(size_t i, const FlushDecision& d);
  void Record(FlushDecisionRecord rec);
  void Loop();

  // Constant after construction.
  rocksdb::DB* const db_;
  const std::vector<FlushDomain> domains_;
  const FlushControllerOptions options_;
  const std::shared_ptr<Clock> clock_;
  std::shared_ptr<rocksdb::Logger> logger_;

  // Window state, guarded by run_mu_.
  std::mutex run_mu_;
  uint64_t last_micros_;
  uint64_t last_stall_micros_;
  std::vector<Sample> last_;
  std::vector<FlushPolicyState> states_;

  // Results, guarded by results_mu_.
  mutable std::mutex results_mu_;
  std::deque<FlushDecisionRecord> history_;
  std::map<std::string, FlushChangeCounts> changes_;
  std::vector<FlushDecisionRecord> last_decisions_;
  uint64_t windows_ = 0;

  // The background thread. lifecycle_mu_ serializes Start/Stop; mu_ guards
  // stop_ for the condition variable.
  std::mutex lifecycle_mu_;
  std::thread thread_;  // GUARDED_BY(lifecycle_mu_)
  std::atomic<bool> running_{false};
  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;
};

}  // namespace metakv

#endif  // METAKV_COMPACTION_FLUSH_CONTROLLER_H_
