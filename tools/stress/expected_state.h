// The expected state of metakv-stress: what every key of the key space must
// hold, kept in a file beside the store so that it survives a crash of the
// process at any instant (SIGKILL), as RocksDB's db_stress expected-state
// file does.
//
// File layout (all words little-endian 64-bit, shared-mmapped):
//   header (4 KiB): magic, version, layout (key space size, journal count),
//     base time and a checksum of these constant fields; then the mutable
//     words: persisted clock, operations done, runs, verifications; then,
//     from word 64, three words per lane of unsynced writes (see Lane).
//   journals: one per worker thread, 32 words: control (bit 0 open, bit 1
//     a range group, bit 2 committing, bits 8-15 the entry count), then up
//     to kMaxGroupSlots entries (slot << 1 | original active index), or for
//     a range group up to kMaxGroupRanges (first slot, slot count) pairs.
//   slots: one per key, 8 words: control (bit 0 active index, bit 1
//     pending), then two states of two words each.
//
// A key's state is (kind, value id, delete time, expiry). An update of one
// key, under the caller's lock of that key:
//   Prepare: write the new state into the inactive half, then set pending.
//   (the store operation)
//   Commit:  flip the active index and clear pending in one store.
//   Abort:   clear pending (the operation is known not to have happened).
// Every word is written with one aligned 8-byte store, and a half is only
// written while it is inactive, so a kill between any two stores leaves
// either the old state (not pending), both old and new as candidates
// (pending), or the new state. A group (a cross-domain batch, a cold
// ingest) first stages every new state, then writes its journal and marks
// it active, then marks each slot pending; commit flips each slot, then
// clears the journal. Recovery therefore knows, for an interrupted group,
// the old and the new state of every key in it, and can insist that the
// store shows all of one or all of the other.
//
// A range group (a tenant removal: every key of a tenant in every domain,
// more keys than a journal holds) records its slot ranges instead of its
// slots, so the journal cannot say which half of each slot was the old one.
// It does not need to: every new state is staged before the journal is
// written, so while the group prepares (committing bit clear) the active
// half of each slot is its old state and the inactive half its new one,
// pending mark or not; commit first sets the committing bit, then flips
// each slot still pending, so a slot that is no longer pending then holds
// its new state in the active half.
//
// The clock: metakv-stress runs the store on a clock it moves itself; each
// new time is stored here before the store may see it, so a restart resumes
// at or after every time the store has used.
//
// Durability is against a crash of the process only (the page cache
// survives); no msync is done. Thread-safety: Prepare/Commit/Abort/Committed
// of a slot need the caller to hold that slot's lock; a journal belongs to
// one thread; counters and the clock are atomic.
#ifndef METAKV_TOOLS_STRESS_EXPECTED_STATE_H_
#define METAKV_TOOLS_STRESS_EXPECTED_STATE_H_

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "metakv/status.h"

namespace metakv::stress {

// kRemoved: under a tree or tenant removal (Store::RemoveTree, hard or
// logical and not restored; Store::RemoveTenant): invisible, not
// undeletable; what is stored underneath may be any older version, or
// nothing once purged.
enum class KeyKind : uint8_t { kAbsent = 0, kLive = 1, kTombstone = 2, kRemoved = 3 };

std::string_view KeyKindName(KeyKind kind);

// What one key holds. Times are seconds since the epoch.
struct KeyState {
  KeyKind kind = KeyKind::kAbsent;
  // The id of the newest value written to the key (0: never written). Kept
  // when the key is deleted, so a later Put writes a fresh id.
  uint32_t value_id = 0;
  // Tombstone: the delete time. Removed: the removal time. Otherwise 0.
  uint64_t delete_time = 0;
  // Live or tombstone: the expiry (0: none).
  uint64_t expiry = 0;

  bool operator==(const KeyState& o) const {
    return kind == o.kind && value_id == o.value_id && delete_time == o.delete_time &&
           expiry == o.expiry;
  }
  bool operator!=(const KeyState& o) const { return !(*this == o); }
  // Visible to reads at now: live and not expired.
  bool VisibleAt(uint64_t now) const {
    return kind == KeyKind::kLive && (expiry == 0 || expiry > now);
  }
  // "live v3 expiry 1700000123", "tombstone v3 deleted 1700000100", ...
  std::string ToString() const;
};

struct ExpectedLayout {
  uint64_t slots = 0;
  uint32_t keys_per_tenant = 0;
  uint32_t journals = 0;
};

class ExpectedState {
 public:
  static constexpr uint32_t kMaxGroupSlots = 24;
  static constexpr uint32_t kMaxGroupRanges = 8;
  static constexpr uint32_t kMaxJournals = 64;

  // Creates the file at path (which must not exist) with every key absent,
  // the clock at base_seconds, atomically: a file is written beside it,
  // synced and renamed. IOError on failure; InvalidArgument for a bad
  // layout or an existing file.
  static Status Create(const std::string& path, const ExpectedLayout& layout, uint64_t base_seconds,
                       std::unique_ptr<ExpectedState>* out);
  // Opens an existing file. Corruption naming the file and what is wrong if
  // it is not a valid expected-state file (bad magic, version, checksum,
  // size, or a slot or journal word no writer could have left).
  static Status Open(const std::string& path, std::unique_ptr<ExpectedState>* out);
  ~ExpectedState();
  ExpectedState(const ExpectedState&) = delete;
  ExpectedState& operator=(const ExpectedState&) = delete;

  const ExpectedLayout& layout() const { return layout_; }
  uint64_t base_seconds() const { return base_seconds_; }
  const std::string& path() const { return path_; }

  // ---- One slot; REQUIRES the caller holds the slot's lock. ----

  bool IsPending(uint64_t slot) const;
  // The committed state. REQUIRES: !IsPending(slot).
  KeyState Committed(uint64_t slot) const;
  // The state before and after the interrupted update. REQUIRES: pending.
  KeyState Old(uint64_t slot) const;
  KeyState New(uint64_t slot) const;
  // REQUIRES: !IsPending(slot).
  void Prepare(uint64_t slot, const KeyState& next);
  // REQUIRES: IsPending(slot).
  void Commit(uint64_t slot);
  void Abort(uint64_t slot);

  // ---- Groups; journal j belongs to one thread. ----

  // Stages next[i] for slots[i], records the group in journal j and marks
  // every slot pending. REQUIRES: the slots are distinct, at most
  // kMaxGroupSlots, none pending, all locked by the caller; journal j free.
  void PrepareGroup(uint32_t journal, const std::vector<uint64_t>& slots,
                    const std::vector<KeyState>& next);
  // Slots [first, first + count).
  struct SlotRange {
    uint64_t first = 0;
    uint64_t count = 0;
  };
  // A group of whole slot ranges (see the file comment): stages next[i] for
  // the i-th slot of the ranges taken in order, records the ranges in
  // journal j and marks every slot pending. REQUIRES: the ranges are
  // disjoint and within the layout, at most kMaxGroupRanges, next has one
  // state per slot, no slot pending, all locked by the caller; journal j
  // free.
  void PrepareRangeGroup(uint32_t journal, const std::vector<SlotRange>& ranges,
                         const std::vector<KeyState>& next);
  // Commits (or aborts) every slot of journal j's group, then frees it.
  void CommitGroup(uint32_t journal);
  void AbortGroup(uint32_t journal);
  // An interrupted group, for recovery.
  struct Group {
    uint32_t journal = 0;
    std::vector<uint64_t> slots;
    std::vector<KeyState> old_states;
    std::vector<KeyState> new_states;
    // The commit had begun: the store operation was acknowledged, so the
    // store must show the new states (range groups only; a slot group
    // cannot tell).
    bool committing = false;
  };
  std::vector<Group> OpenGroups() const;
  // Sets every slot of the group to its new (or old) state, not pending,
  // and frees the journal. For recovery; no other thread may run.
  void ResolveGroup(uint32_t journal, bool to_new);

  // ---- Lanes of unsynced writes; lane j belongs to the thread of journal j.
  //
  // A lane is a sequence of puts numbered 1, 2, ... (Worker::DoLaneWrite),
  // most without sync. Before put n is made, attempted = n; once it is
  // acknowledged, acked = n, and durable = n if it was synced (a synced
  // write makes every earlier write of the thread durable). After a crash
  // the store must show exactly puts 1..m for some m with durable <= m <=
  // attempted: no durable put lost, nothing never written, and no hole.
  struct Lane {
    uint64_t attempted = 0;
    uint64_t acked = 0;
    uint64_t durable = 0;
  };
  Lane GetLane(uint32_t j) const;
  void SetLaneAttempted(uint32_t j, uint64_t n);
  void SetLaneAcked(uint32_t j, uint64_t n, bool synced);
  // After recovery found puts 1..m: every word m.
  void ResetLane(uint32_t j, uint64_t m);

  // ---- Counters and clock (atomic). ----

  uint64_t clock_seconds() const;
  // Persists max(current, seconds) and returns it.
  uint64_t AdvanceClockTo(uint64_t seconds);
  uint64_t ops() const;
  void AddOps(uint64_t n);
  uint64_t runs() const;
  void AddRun();
  uint64_t verifies() const;
  void AddVerify();

  // Test hook: after n more word stores, every further store is dropped,
  // as if the process had been killed there. Negative: never (default).
  void TEST_CrashAfterStores(int64_t n) { crash_after_.store(n); }
  // Word stores done so far (counted whatever TEST_CrashAfterStores says).
  uint64_t TEST_stores() const { return stores_.load(); }

 private:
  ExpectedState() = default;
  Status Map(const std::string& path, bool validate);

  std::atomic<uint64_t>* Header(size_t word) const;
  std::atomic<uint64_t>* Journal(uint32_t j) const;
  std::atomic<uint64_t>* SlotWords(uint64_t slot) const;
  KeyState StateAt(uint64_t slot, int half) const;
  void WriteState(uint64_t slot, int half, const KeyState& s);
  void Store(std::atomic<uint64_t>* word, uint64_t value);
  void Finish(uint32_t journal, bool to_new);
  std::vector<SlotRange> RangesOf(uint32_t journal) const;
  void FinishRanges(uint32_t journal, bool to_new);

  // Constant after Open.
  std::string path_;
  ExpectedLayout layout_;
  uint64_t base_seconds_ = 0;
  void* map_ = nullptr;
  size_t map_bytes_ = 0;
  int fd_ = -1;

  std::atomic<int64_t> crash_after_{-1};
  std::atomic<uint64_t> stores_{0};
};

// The size of the expected-state file for a layout.
uint64_t ExpectedStateFileBytes(const ExpectedLayout& layout);

}  // namespace metakv::stress

#endif  // METAKV_TOOLS_STRESS_EXPECTED_STATE_H_
