// StoreClock: the store's time, which never runs backwards, within a run or
// across a reopen, whatever the injected clock does.
//
// Every time the store uses (write and delete times, removal times, the time
// reads judge expiry and retention by, the time compaction purges by) comes
// from here. API calls read it (NowSeconds); background work (compaction's
// purge) reads only floor_seconds(), the latest time a call has used, so
// nothing is purged by a time no call has seen. Wall clocks step back (NTP corrections, a restored
// VM); if the store's time followed them, a removal made after the step would be older than the
// records it is meant to hide, and a record already seen expired would show again.
//
// The rule: the store's time is max(injected clock, every time the store has
// handed out or stamped before), and that floor is persisted, so a reopen
// starts from it. To avoid a durable write per read, the persisted value is
// a bound (a lease): the clock hands out no time past the persisted bound;
// before it would, the owner extends the bound by kLeaseSeconds with one
// synced write (Store::Impl::ExtendTimeBound). A clean Close persists the
// exact floor, so a reopen continues where the store stopped; after a crash
// the store's time may run up to kLeaseSeconds ahead of the wall clock until
// the wall clock catches up (records then expire, and retention ends, at
// most that much early).
//
// Persisted in its own file, kTimeBoundFile in the store's directory (not
// in RocksDB, where a record in the default column family would pin every
// WAL file written after it until that column family is flushed), written
// through the store's Env: a temporary file synced, renamed over the old one,
// the directory synced. Its content is a record (codecs/record_codec.h,
// checksummed) whose time is the bound, seconds, and whose payload is the
// latest time stamped on a record (varint), which may lie a second or so
// ahead of the clock (a write under a removal made in the same second); a
// lease writes the bound there too.
// A store without the file (written before it existed, or copied without
// it) takes its floor from the newest time stored, at the cost of one read
// of every record at open.
//
// Thread-safety: all methods are thread-safe.
#ifndef METAKV_ENGINE_STORE_CLOCK_H_
#define METAKV_ENGINE_STORE_CLOCK_H_

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "metakv/options.h"
#include "metakv/status.h"

namespace rocksdb {
class Env;
}  // namespace rocksdb

namespace metakv {

inline constexpr std::string_view kTimeBoundFile = "METAKV-TIME";

class StoreClock {
 public:
  // How far past the current time a renewal moves the persisted bound.
  static constexpr uint64_t kLeaseSeconds = 10;

  explicit StoreClock(std::shared_ptr<Clock> base) : base_(std::move(base)) {}

  // max(base clock, floor), at most the bound, seconds; raises the floor
  // to it.
  uint64_t NowSeconds();

  // Sets the floor and the bound at open: the floor to floor_seconds, the
  // bound to bound_seconds (kUnbounded where nothing can be persisted, as in
  // a read-only open).
  static constexpr uint64_t kUnbounded = UINT64_MAX;
  void Start(uint64_t floor_seconds, uint64_t bound_seconds);

  // The second the bound should be extended to before the store may use
  // time `seconds` (a stamp) or the base clock's current time, whichever
  // is later; 0 if the bound already covers it. Renewal begins a tenth of
  // a lease before the bound runs out, so the bound rarely stops the clock.
  uint64_t BoundNeededFor(uint64_t seconds) const;
  // Records a bound that is now durable.
  void SetBound(uint64_t bound_seconds);
  uint64_t bound_seconds() const { return bound_.load(std::memory_order_acquire); }
  // Moves the store's time up to at least seconds (ahead of the base
  // clock if need be): for records brought in from another store whose
  // clock ran ahead (Store::ImportTenant). REQUIRES: the bound covers it
  // (extended first).
  void RaiseFloor(uint64_t seconds);
  // The latest second handed out so far.
  uint64_t floor_seconds() const { return floor_.load(std::memory_order_acquire); }

  // The persisted form (see the file comment).
  static std::string EncodeBound(uint64_t bound_seconds, uint64_t max_write_seconds);
  static Status DecodeBound(std::string_view value, uint64_t* bound_seconds,
                            uint64_t* max_write_seconds);
  // Writes the bound file of the store in dir durably.
  static Status WriteBound(rocksdb::Env* env, const std::string& dir, uint64_t bound_seconds,
                           uint64_t max_write_seconds);
  // Reads it: OK with *found false if there is none.
  static Status ReadBound(rocksdb::Env* env, const std::string& dir, uint64_t* bound_seconds,
                          uint64_t* max_write_seconds, bool* found);

 private:
  const std::shared_ptr<Clock> base_;
  std::atomic<uint64_t> floor_{0};           // seconds: the latest handed out
  std::atomic<uint64_t> bound_{kUnbounded};  // seconds: nothing past it
};

}  // namespace metakv

#endif  // METAKV_ENGINE_STORE_CLOCK_H_
