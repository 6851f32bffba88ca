// What the parts of a metakv-stress run share: the key space, the expected
// state, the store and its clock, the locks, and the violation reporter.
//
// Thread-safety: the store pointer changes only under the store gate held
// exclusively (reopen); everything else is constant or internally
// synchronised.
#ifndef METAKV_TOOLS_STRESS_STRESS_CONTEXT_H_
#define METAKV_TOOLS_STRESS_STRESS_CONTEXT_H_

#include <array>
#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <ostream>
#include <string>

#include "metakv/filesystem.h"
#include "metakv/options.h"
#include "metakv/testing.h"
#include "metakv/store.h"
#include "tools/stress/expected_state.h"
#include "tools/stress/key_space.h"
#include "tools/stress/sync.h"

namespace metakv::stress {

// Tombstone retention of each domain (seconds of the stress clock): short,
// so that retention passes within a run of a few seconds.
inline constexpr std::array<uint64_t, KeySpace::kDomains> kRetentionSeconds = {120, 45, 300};
// The history domain's default TTL (seconds of the stress clock).
inline constexpr uint64_t kHistoryDefaultTtlSeconds = 900;
// The purge deadline (seconds of the stress clock): short, so that the
// maintenance pass purges removed trees and forgets their removals within
// a run.
inline constexpr uint64_t kPurgeDeadlineSeconds = 600;
// The domain of the lanes of unsynced writes (ExpectedState::Lane): hot,
// outside the key space, so no scan of the key space sees it. Lane j
// writes its put n to key LaneKey(n % kLaneKeys) of tenant LaneTenant(j).
inline constexpr std::string_view kLaneDomain = "lane";
inline constexpr uint32_t kLaneKeys = 8;
std::string LaneTenant(uint32_t lane);
std::string LaneKey(uint32_t index);
std::string LaneValue(uint64_t n);
// The put number a lane value names; 0 if the value is not one.
uint64_t ParseLaneValue(const std::string& value);

// The stress clock starts here on a new expected state.
inline constexpr uint64_t kStressEpochSeconds = 1700000000;

// Store options for metakv-stress: the file-system model's domains (and
// the lane domain) with
// tiny memtables and files, a low L0 trigger, and the flush controller and
// maintenance pass every second and a short purge deadline, so flushes,
// compactions, purges and controller changes run all the time.
// The hot domains have `tenant_shards` tenant shards (1: none); a store
// keeps the count it was created with, whatever later runs ask.
Options StressStoreOptions(std::shared_ptr<Clock> clock, uint32_t tenant_shards = 1);

// Collects violations and errors; the first of either stops the run.
// Thread-safe.
class Reporter {
 public:
  explicit Reporter(std::ostream* err) : err_(err) {}
  // One line "VIOLATION: <line>" on err (the first 50; the rest are only
  // counted).
  void Violation(const std::string& line);
  // One line "ERROR: <line>" (an environment or tool failure).
  void Error(const std::string& line);
  uint64_t violations() const { return violations_.load(); }
  uint64_t errors() const { return errors_.load(); }
  bool failed() const { return violations() + errors() > 0; }

 private:
  std::mutex mu_;
  std::ostream* err_;  // GUARDED_BY(mu_)
  std::atomic<uint64_t> violations_{0};
  std::atomic<uint64_t> errors_{0};
};

struct StressContext {
  StressContext(uint32_t keys_per_tenant, std::ostream* err)
      : space(keys_per_tenant), locks(space.slots()), reporter(err) {}

  KeySpace space;
  std::unique_ptr<ExpectedState> expected;
  std::shared_ptr<ManualClock> clock;
  std::unique_ptr<Store> store;  // changes only under store_gate, exclusive
  std::string store_path;
  Gate store_gate;
  Gate time_gate;
  KeyLocks locks;
  Reporter reporter;
  std::atomic<bool> stop{false};

  uint64_t retention(uint32_t domain) const { return kRetentionSeconds[domain]; }
  uint64_t now() const { return clock->NowSeconds(); }
  bool ShouldStop() const { return stop.load(std::memory_order_relaxed) || reporter.failed(); }
};

}  // namespace metakv::stress

#endif  // METAKV_TOOLS_STRESS_STRESS_CONTEXT_H_
