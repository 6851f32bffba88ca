// Checks a metakv store against the expected state of metakv-stress: single
// keys, scans, linked pairs, and recovery of updates a crash interrupted.
//
// Every check reads the store through its public API (Get, iterators) and
// also reads the stored record underneath (RocksDB through the store's test
// hook), so a tombstone purged before its retention is caught even though
// Get shows nothing either way. Violations go to the context's reporter.
// Thread-safety: callers hold the locks each function names.
#ifndef METAKV_TOOLS_STRESS_VERIFIER_H_
#define METAKV_TOOLS_STRESS_VERIFIER_H_

#include <cstdint>
#include <string>
#include <vector>

#include "metakv/store.h"
#include "tools/stress/checker.h"
#include "tools/stress/stress_context.h"

namespace metakv::stress {

// The record stored for slot, read beneath the API.
RawRecord ReadRaw(const StressContext& ctx, uint64_t slot);
// Store::Get of slot (through snapshot if not null).
GetResult ReadGet(const StressContext& ctx, uint64_t slot, const Snapshot* snapshot = nullptr);
GetResult ToGetResult(const Status& s, std::string value);

// Checks each slot (raw record and Get) against `states` (or the committed
// expected state if states is empty) at now. Returns false and reports on
// any violation. REQUIRES: the slots' locks and the time gate (or no other
// thread running).
bool CheckSlots(StressContext* ctx, const std::vector<uint64_t>& slots, uint64_t now,
                const std::vector<KeyState>& states = {});

// A scan of one tenant of a domain over key indices [lo, hi) (hi = 0: to
// the end of the tenant), or with a key prefix, forward or backward.
struct ScanRange {
  uint32_t domain = 0;
  int tenant = 0;  // -1: the whole domain (then lo, hi, prefix unused)
  uint32_t lo = 0;
  uint32_t hi = 0;
  std::string prefix;  // if set, lo and hi must cover exactly its keys
  bool reverse = false;
  std::string Describe(const KeySpace& space) const;
};
// The slots a scan covers, in key order.
std::vector<uint64_t> SlotsOf(const KeySpace& space, const ScanRange& range);
// Runs the scan (through snapshot if not null) and checks it against
// `states` (committed states if empty), judged at now. REQUIRES: the locks
// of SlotsOf(range) and the time gate, or a snapshot and states taken with
// them.
bool CheckScanRange(StressContext* ctx, const ScanRange& range, uint64_t now,
                    const Snapshot* snapshot = nullptr, const std::vector<KeyState>& states = {});

// Linked pairs (KeySpace::IsLinked) of tenant for key indices [lo, hi):
// both keys must read alike through one snapshot. Takes no lock.
bool CheckLinkedUnderSnapshot(StressContext* ctx, uint32_t tenant, uint32_t lo, uint32_t hi);

// Resolves what a crash left in flight: each open group must show all its
// old or all its new states in the store, judged by the stored records and
// Get (then the expected state is set to that side), and a group whose
// commit had begun (a tenant removal acknowledged) its new states; each
// pending key its old or new state, judged by the stored record. Reports
// violations (BATCH NOT ATOMIC, LOST WRITE, ...). Returns the number of groups and keys
// resolved. REQUIRES: no other thread running.
uint64_t RecoverInFlight(StressContext* ctx);

// Checks every key, every tenant's scan (forward and backward), every
// domain's whole scan, and that linked pairs are expected alike.
// REQUIRES: no other thread running. Returns false on any violation.
bool VerifyAll(StressContext* ctx, uint64_t* keys_checked, uint64_t* scans_checked);

// Checks every lane of unsynced writes (ExpectedState::Lane) after a
// crash: the store shows puts 1..m of the lane, with durable <= m <=
// attempted and no hole (each of the last kLaneKeys puts up to m holds
// its own number); then sets the lane to m. *lost gets the acknowledged
// unsynced puts the crash took (acked - m, summed). For recovery: no other
// thread may run. False if a violation was reported.
bool CheckLanes(StressContext* ctx, uint64_t* lost);

}  // namespace metakv::stress

#endif  // METAKV_TOOLS_STRESS_VERIFIER_H_
