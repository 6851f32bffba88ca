// The operations of metakv-stress and the threads that run them.
//
// A worker runs a random mix of every operation: put (with and without a
// TTL), the unsynced puts of its lane (ExpectedState::Lane), get, multiget, logical delete, undelete, hard delete, cross-domain
// batches (including linked pairs and batches bound to fail), cold ingest,
// tree removals (hard, logical, logical then restored), tenant removals,
// locked scans (bounds, prefixes, both directions), unlocked scans that
// only check tenant isolation, snapshot reads and the occasional flush,
// compaction or purge. Each write (but lane puts) records the pending state
// first, writes with sync, then commits the expected state; each read is checked against
// the expected state under the key locks. The clock thread moves the stress
// clock; the checker thread verifies a whole tenant of a domain at a time.
// Thread-safety: each Worker is used by its own thread.
#ifndef METAKV_TOOLS_STRESS_WORKLOAD_H_
#define METAKV_TOOLS_STRESS_WORKLOAD_H_

#include <array>
#include <atomic>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "tools/stress/stress_context.h"
#include "tools/stress/verifier.h"

namespace metakv::stress {

enum class OpType : int {
  kPut,
  kGet,
  kMultiGet,
  kDelete,
  kUndelete,
  kHardDelete,
  kBatch,
  kFailingBatch,
  kIngest,
  kRemoveTree,
  kRemoveTenant,
  kScan,
  kUnlockedScan,
  kSnapshot,
  kLinkedSnapshot,
  kMaintenance,
  kLaneWrite,
  // Not in the random mix: run by the snapshot thread (see
  // Worker::RunHeldSnapshots).
  kHeldSnapshot,
  kCount,
};

std::string_view OpName(OpType op);

// Operation counts of a run, by type. Thread-safe.
struct OpCounters {
  std::array<std::atomic<uint64_t>, static_cast<size_t>(OpType::kCount)> done{};
  // Outcomes worth seeing in the summary.
  std::atomic<uint64_t> undelete_restored{0};
  std::atomic<uint64_t> undelete_expired{0};
  std::atomic<uint64_t> delete_not_live{0};
  std::atomic<uint64_t> remove_hard{0};
  std::atomic<uint64_t> remove_logical{0};
  std::atomic<uint64_t> remove_restored{0};
  uint64_t Total() const;
  // "put=12 get=3 ..." plus the outcomes.
  std::string ToString() const;
};

struct WorkloadOptions {
  // Stop once this many operations have started in all; 0: no limit.
  uint64_t max_ops = 0;
};

class Worker {
 public:
  // index is also the worker's journal in the expected state.
  Worker(StressContext* ctx, OpCounters* counters, std::atomic<uint64_t>* ops_started,
         const WorkloadOptions& options, uint32_t index, uint64_t seed);
  // Runs operations until the context stops or the budget is spent.
  void Run();
  // Runs one operation of the given type (tests).
  void RunOne(OpType op);
  // Runs kHeldSnapshot every interval_ms until the context stops: a
  // snapshot held while the clock passes the expiry of records it sees and
  // their tenant is compacted; the records must stay visible through it.
  void RunHeldSnapshots(uint64_t interval_ms);

 private:
  uint64_t Rand(uint64_t n) { return n == 0 ? 0 : rng_() % n; }
  bool Chance(uint32_t percent) { return Rand(100) < percent; }
  OpType PickOp();
  // A random slot; 70% of picks fall on the first kHotKeys keys of each
  // tenant, so keys see many operations in a short run.
  uint64_t RandomSlot();
  // A random slot that single-key writes may touch: not linked.
  uint64_t RandomUnlinkedSlot();
  // A slot recently put (or deleted) by this worker, or a random one.
  uint64_t RecentOr(std::vector<uint64_t>* recent);
  void Remember(std::vector<uint64_t>* recent, uint64_t slot);
  uint64_t PickTtl(uint32_t domain);
  uint64_t ExpiryFor(uint32_t domain, uint64_t now, uint64_t ttl) const;
  KeyState AfterPut(const KeyState& cur, uint32_t domain, uint64_t now, uint64_t ttl) const;
  static KeyState AfterHardDelete(const KeyState& cur);
  void Done(OpType op);
  void Unexpected(std::string_view op, uint64_t slot, const Status& got, std::string_view wanted);

  void DoPut();
  void DoGet();
  void DoMultiGet();
  void DoDelete();
  void DoUndelete();
  void DoHardDelete();
  void DoBatch(bool must_fail);
  void DoIngest();
  void DoRemoveTree();
  void DoRemoveTenant();
  // Shared by the removals (callers hold the slots' locks and the time
  // gate): if none of slots is visible at now, makes marker (an inode or
  // history key of tenant, one of slots) live, so that after a crash Get
  // tells which side of the removal the store is on. False (reported) if
  // that Put failed.
  bool MakeOneVisible(const std::vector<uint64_t>& slots, uint64_t marker,
                      const std::string& tenant, uint64_t now, std::string_view before_what);
  // The expected state of each slot once removed at now.
  std::vector<KeyState> RemovedStates(const std::vector<uint64_t>& slots, uint64_t now) const;
  void DoScan();
  void DoUnlockedScan();
  void DoSnapshot();
  void DoLinkedSnapshot();
  void DoMaintenance();
  // The next 1 to 16 puts of this worker's lane (ExpectedState::Lane),
  // unsynced but for the last, one time in five.
  void DoLaneWrite();
  void DoHeldSnapshot();
  // Checks reads through snap (Get, MultiGet and a scan of range) against
  // the states of SlotsOf(range) taken with it, at its time ts.
  void CheckThroughSnapshot(const Snapshot* snap, uint64_t ts, const ScanRange& range,
                            const std::vector<uint64_t>& slots,
                            const std::vector<KeyState>& states);

  StressContext* ctx_;
  OpCounters* counters_;
  std::atomic<uint64_t>* ops_started_;
  WorkloadOptions options_;
  uint32_t index_;
  std::mt19937_64 rng_;
  std::vector<uint64_t> recent_puts_;
  std::vector<uint64_t> recent_deletes_;
};

// Keys of each tenant that take most operations (see Worker::RandomSlot).
inline constexpr uint32_t kHotKeys = 64;

}  // namespace metakv::stress

#endif  // METAKV_TOOLS_STRESS_WORKLOAD_H_
