// Synchronisation for metakv-stress: a writer-preferring gate and per-key
// locks.
//
// Lock order, always: the store gate (shared), then key locks (in slot
// order, all at once), then the time gate (shared). The clock thread takes
// only the time gate (exclusive), the reopen step only the store gate
// (exclusive), so no cycle can form.
#ifndef METAKV_TOOLS_STRESS_SYNC_H_
#define METAKV_TOOLS_STRESS_SYNC_H_

#include <algorithm>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <vector>

namespace metakv::stress {

// Many holders share it; an exclusive holder waits for them to leave and
// keeps new ones out meanwhile (so it is never starved). Thread-safe.
class Gate {
 public:
  void Enter() {
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait(lock, [this] { return !writer_ && writers_waiting_ == 0; });
    ++inside_;
  }
  void Leave() {
    std::lock_guard<std::mutex> lock(mu_);
    if (--inside_ == 0) cv_.notify_all();
  }
  void EnterExclusive() {
    std::unique_lock<std::mutex> lock(mu_);
    ++writers_waiting_;
    cv_.wait(lock, [this] { return !writer_ && inside_ == 0; });
    --writers_waiting_;
    writer_ = true;
  }
  void LeaveExclusive() {
    std::lock_guard<std::mutex> lock(mu_);
    writer_ = false;
    cv_.notify_all();
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  int inside_ = 0;           // GUARDED_BY(mu_)
  int writers_waiting_ = 0;  // GUARDED_BY(mu_)
  bool writer_ = false;      // GUARDED_BY(mu_)
};

// Holds a gate shared for its lifetime.
class SharedHold {
 public:
  explicit SharedHold(Gate* gate) : gate_(gate) { gate_->Enter(); }
  ~SharedHold() { gate_->Leave(); }
  SharedHold(const SharedHold&) = delete;
  SharedHold& operator=(const SharedHold&) = delete;

 private:
  Gate* gate_;
};

class ExclusiveHold {
 public:
  explicit ExclusiveHold(Gate* gate) : gate_(gate) { gate_->EnterExclusive(); }
  ~ExclusiveHold() { gate_->LeaveExclusive(); }
  ExclusiveHold(const ExclusiveHold&) = delete;
  ExclusiveHold& operator=(const ExclusiveHold&) = delete;

 private:
  Gate* gate_;
};

// One mutex per slot. Thread-safe.
class KeyLocks {
 public:
  explicit KeyLocks(uint64_t slots) : mu_(new std::mutex[slots]) {}

  // Locks the given slots in slot order (duplicates allowed); unlocked when
  // the result is destroyed.
  std::vector<std::unique_lock<std::mutex>> Lock(std::vector<uint64_t> slots) const {
    std::sort(slots.begin(), slots.end());
    slots.erase(std::unique(slots.begin(), slots.end()), slots.end());
    std::vector<std::unique_lock<std::mutex>> held;
    held.reserve(slots.size());
    for (uint64_t s : slots) held.emplace_back(mu_[s]);
    return held;
  }

 private:
  std::unique_ptr<std::mutex[]> mu_;
};

// An operation's hold on the store and some keys, in the lock order: the
// store gate (shared), the keys' locks, the time gate (shared); released in
// the reverse order when destroyed.
class KeysHold {
 public:
  KeysHold(Gate* store_gate, const KeyLocks& locks, std::vector<uint64_t> slots, Gate* time_gate)
      : store_(store_gate), locks_(locks.Lock(std::move(slots))), time_(time_gate) {}

 private:
  SharedHold store_;
  std::vector<std::unique_lock<std::mutex>> locks_;
  SharedHold time_;
};

}  // namespace metakv::stress

#endif  // METAKV_TOOLS_STRESS_SYNC_H_
