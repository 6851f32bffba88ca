// metakv-stress's judgement of what it reads from the store against the
// expected state: pure functions, so every rule is unit-tested apart from a
// store.
//
// A key is judged at one time `now` (the stress clock, frozen while the key
// is checked) from two reads: the record physically stored (read from
// RocksDB under metakv's encoding) and what Store::Get returns. The rules:
//   absent     no record at all (a hard-deleted record may never come back);
//   live       visible: Get returns exactly its value and the stored record
//              is live with the expected expiry; past its expiry: Get finds
//              nothing, and the record may be gone (purged) or still stored;
//   tombstone  Get finds nothing; the record is stored as a tombstone with
//              the value, delete time and expiry expected, and may be gone
//              only once purgeable (now >= delete time + retention, or past
//              its expiry);
//   removed    Get finds nothing; the stored record, if any, is a version
//              no newer than the expected one (what the removal hid; it may
//              be purged at any time).
// Thread-safety: pure functions.
#ifndef METAKV_TOOLS_STRESS_CHECKER_H_
#define METAKV_TOOLS_STRESS_CHECKER_H_

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "tools/stress/expected_state.h"
#include "tools/stress/key_space.h"

namespace metakv::stress {

// The record physically stored for a key.
struct RawRecord {
  enum class State { kMissing, kPresent, kError };
  State state = State::kMissing;
  bool tombstone = false;
  uint64_t time = 0;    // write or delete time
  uint64_t expiry = 0;  // 0: none
  std::string payload;
  std::string error;  // kError: why (read failure, record does not decode)
};

// What Store::Get returned.
struct GetResult {
  enum class State { kFound, kNotFound, kError };
  State state = State::kNotFound;
  std::string value;
  std::string error;
};

// Empty if the reads agree with `expected` at now; otherwise one line
// starting with the kind of violation (LOST WRITE, DELETED RECORD BACK,
// PURGED BEFORE RETENTION, EXPIRED RECORD VISIBLE, MISPLACED VALUE, WRONG
// VERSION, READ ERROR), naming the key, the expected and the actual state.
std::string CheckKey(const KeySpace& space, uint64_t slot, const KeyState& expected, uint64_t now,
                     uint64_t retention_seconds, const RawRecord& raw, const GetResult& get);

// The Get half of CheckKey alone: what a read (possibly through a
// snapshot taken at now) returned against `expected`. Empty if consistent.
std::string CheckGet(const KeySpace& space, uint64_t slot, const KeyState& expected, uint64_t now,
                     const GetResult& get);

// Whether the stored record alone is consistent with `expected` at now
// (CheckKey without the Get). Used to decide which side of an interrupted
// update the store shows.
bool RawConsistent(const KeySpace& space, uint64_t slot, const KeyState& expected, uint64_t now,
                   uint64_t retention_seconds, const RawRecord& raw);

// One record an iterator returned.
struct ScanItem {
  std::string tenant;
  std::string key;
  std::string value;
};

// What a scan should return: the visible (slot, value id) in the scan's
// order, and a description of the scan for messages.
struct ScanExpectation {
  uint32_t domain = 0;
  // -1: every tenant of the domain; otherwise the scan's tenant.
  int tenant = -1;
  std::vector<std::pair<uint64_t, uint32_t>> visible;
  std::string description;
};

// Orders slots of one domain as the store orders their keys (tenant
// encoding, then key).
void SortSlotsInStoreOrder(const KeySpace& space, std::vector<uint64_t>* slots);

// Violations of a scan, one line each (at most max_lines, then a count):
// TENANT LEAK (a record of another tenant, or of a key outside the key
// space), LOST WRITE (an expected record missing), DELETED RECORD BACK (a
// record not expected visible), MISPLACED VALUE, WRONG VERSION, ORDER.
std::vector<std::string> CheckScan(const KeySpace& space, const ScanExpectation& expected,
                                   const std::vector<ScanItem>& got, size_t max_lines = 20);

}  // namespace metakv::stress

#endif  // METAKV_TOOLS_STRESS_CHECKER_H_
