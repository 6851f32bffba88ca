#include "tools/stress/expected_state.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <xxhash.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <vector>

namespace metakv::stress {

namespace {

static_assert(std::atomic<uint64_t>::is_always_lock_free,
              "the expected state needs lock-free 64-bit atomics");
static_assert(sizeof(std::atomic<uint64_t>) == 8, "an atomic word must be 8 bytes");

constexpr uint64_t kMagic = 0x31535254534b564dull;  // "MKVSTRS1"
constexpr uint64_t kVersion = 1;
constexpr size_t kHeaderBytes = 4096;
constexpr size_t kJournalWords = 32;
constexpr size_t kSlotWords = 8;
constexpr size_t kStateWords = 3;

// Header words.
enum : size_t {
  kWordMagic = 0,
  kWordVersion = 1,
  kWordSlots = 2,
  kWordKeysPerTenant = 3,
  kWordJournals = 4,
  kWordBase = 5,
  kWordChecksum = 6,
  kConstantWords = 6,  // words covered by the checksum
  kWordClock = 16,
  kWordOps = 17,
  kWordRuns = 18,
  kWordVerifies = 19,
  kWordLanes = 64,  // 3 words a lane, kMaxJournals lanes
};

// Slot control word.
constexpr uint64_t kActiveBit = 1;
constexpr uint64_t kPendingBit = 2;
// Journal control word: bit 0 open, bit 1 range group, bit 2 committing
// (range groups), bits 8-15 entry count (slots, or ranges).
constexpr uint64_t kJournalOpen = 1;
constexpr uint64_t kJournalRanges = 2;
constexpr uint64_t kJournalCommitting = 4;
constexpr uint64_t kJournalCountMask = 0xff00;

uint64_t HeaderChecksum(const uint64_t* words) {
  return XXH3_64bits(words, kConstantWords * sizeof(uint64_t));
}

Status Errno(const std::string& what) {
  return Status::IOError(what + ": " + std::strerror(errno));
}

}  // namespace

std::string_view KeyKindName(KeyKind kind) {
  switch (kind) {
    case KeyKind::kAbsent:
      return "absent";
    case KeyKind::kLive:
      return "live";
    case KeyKind::kTombstone:
      return "tombstone";
    case KeyKind::kRemoved:
      return "removed";
  }
  return "?";
}

std::string KeyState::ToString() const {
  std::string s(KeyKindName(kind));
  if (value_id != 0) s += " v" + std::to_string(value_id);
  if (kind == KeyKind::kTombstone) s += " deleted at " + std::to_string(delete_time);
  if (kind == KeyKind::kRemoved) s += " at " + std::to_string(delete_time);
  if (kind != KeyKind::kAbsent && expiry != 0) s += " expiry " + std::to_string(expiry);
  return s;
}

uint64_t ExpectedStateFileBytes(const ExpectedLayout& layout) {
  return kHeaderBytes + uint64_t{layout.journals} * kJournalWords * 8 +
         layout.slots * kSlotWords * 8;
}

Status ExpectedState::Create(const std::string& path, const ExpectedLayout& layout,
                             uint64_t base_seconds, std::unique_ptr<ExpectedState>* out) {
  out->reset();
  if (layout.slots == 0 || layout.slots > (1ull << 40) || layout.journals == 0 ||
      layout.journals > kMaxJournals) {
    return Status::InvalidArgument(path + ": bad expected-state layout");
  }
  std::error_code ec;
  if (std::filesystem::exists(path, ec)) {
    return Status::InvalidArgument(path + ": already exists");
  }
  std::vector<uint64_t> image(ExpectedStateFileBytes(layout) / 8, 0);
  image[kWordMagic] = kMagic;
  image[kWordVersion] = kVersion;
  image[kWordSlots] = layout.slots;
  image[kWordKeysPerTenant] = layout.keys_per_tenant;
  image[kWordJournals] = layout.journals;
  image[kWordBase] = base_seconds;
  image[kWordChecksum] = HeaderChecksum(image.data());
  image[kWordClock] = base_seconds;

  const std::string tmp = path + ".tmp";
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return Errno(tmp);
  const char* p = reinterpret_cast<const char*>(image.data());
  size_t left = image.size() * 8;
  while (left > 0) {
    const ssize_t n = ::write(fd, p, left);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      Status s = Errno(tmp);
      ::close(fd);
      return s;
    }
    p += n;
    left -= static_cast<size_t>(n);
  }
  if (::fsync(fd) != 0) {
    Status s = Errno(tmp);
    ::close(fd);
    return s;
  }
  ::close(fd);
  if (::rename(tmp.c_str(), path.c_str()) != 0) return Errno("renaming " + tmp);
  const std::string dir = std::filesystem::path(path).parent_path().string();
  const int dfd = ::open(dir.empty() ? "." : dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd >= 0) {
    ::fsync(dfd);
    ::close(dfd);
  }
  return Open(path, out);
}

Status ExpectedState::Open(const std::string& path, std::unique_ptr<ExpectedState>* out) {
  out->reset();
  std::unique_ptr<ExpectedState> state(new ExpectedState());
  Status s = state->Map(path, true);
  if (!s.ok()) return s;
  *out = std::move(state);
  return Status::OK();
}

Status ExpectedState::Map(const std::string& path, bool validate) {
  path_ = path;
  fd_ = ::open(path.c_str(), O_RDWR | O_CLOEXEC);
  if (fd_ < 0) return Errno(path);
  struct stat st;
  if (::fstat(fd_, &st) != 0) return Errno(path);
  if (static_cast<size_t>(st.st_size) < kHeaderBytes) {
    return Status::Corruption(path + ": " + std::to_string(st.st_size) +
                              " bytes, shorter than the header; not an expected-state file");
  }
  uint64_t words[kConstantWords + 1];
  if (::pread(fd_, words, sizeof(words), 0) != static_cast<ssize_t>(sizeof(words))) {
    return Errno(path + ": reading the header");
  }
  if (words[kWordMagic] != kMagic) {
    return Status::Corruption(path + ": offset 0: bad magic; not an expected-state file");
  }
  if (words[kWordVersion] != kVersion) {
    return Status::Corruption(path + ": offset 8: unknown version " +
                              std::to_string(words[kWordVersion]));
  }
  if (words[kWordChecksum] != HeaderChecksum(words)) {
    return Status::Corruption(path + ": offset 48: header checksum mismatch");
  }
  layout_.slots = words[kWordSlots];
  layout_.keys_per_tenant = static_cast<uint32_t>(words[kWordKeysPerTenant]);
  layout_.journals = static_cast<uint32_t>(words[kWordJournals]);
  base_seconds_ = words[kWordBase];
  if (layout_.journals == 0 || layout_.journals > kMaxJournals || layout_.slots == 0 ||
      layout_.slots > (1ull << 40)) {
    return Status::Corruption(path + ": header: bad layout");
  }
  map_bytes_ = ExpectedStateFileBytes(layout_);
  if (static_cast<uint64_t>(st.st_size) != map_bytes_) {
    return Status::Corruption(path + ": " + std::to_string(st.st_size) + " bytes, expected " +
                              std::to_string(map_bytes_) + " for its layout (truncated?)");
  }
  map_ = ::mmap(nullptr, map_bytes_, PROT_READ | PROT_WRITE, MAP_SHARED, fd_, 0);
  if (map_ == MAP_FAILED) {
    map_ = nullptr;
    return Errno(path + ": mmap");
  }
  if (!validate) return Status::OK();
  for (uint32_t j = 0; j < layout_.journals; ++j) {
    const uint64_t c = Journal(j)[0].load();
    const uint64_t count = (c >> 8) & 0xff;
    const bool ranges = (c & kJournalRanges) != 0;
    if ((c & ~(kJournalOpen | kJournalRanges | kJournalCommitting | kJournalCountMask)) != 0 ||
        count > (ranges ? kMaxGroupRanges : kMaxGroupSlots) ||
        (!ranges && (c & kJournalCommitting) != 0)) {
      return Status::Corruption(path + ": journal " + std::to_string(j) + ": bad control word");
    }
    if ((c & kJournalOpen) == 0) continue;
    for (uint64_t i = 0; i < count; ++i) {
      bool bad = false;
      if (ranges) {
        const uint64_t first = Journal(j)[1 + 2 * i].load();
        const uint64_t n = Journal(j)[2 + 2 * i].load();
        bad = first >= layout_.slots || n > layout_.slots - first;
      } else {
        bad = (Journal(j)[1 + i].load() >> 1) >= layout_.slots;
      }
      if (bad) {
        return Status::Corruption(path + ": journal " + std::to_string(j) +
                                  ": entry names a slot out of range");
      }
    }
  }
  for (uint64_t slot = 0; slot < layout_.slots; ++slot) {
    const uint64_t c = SlotWords(slot)[0].load();
    const std::string where = path + ": slot " + std::to_string(slot);
    if ((c & ~(kActiveBit | kPendingBit)) != 0) {
      return Status::Corruption(where + ": bad control word");
    }
    for (int half = 0; half < 2; ++half) {
      if ((SlotWords(slot)[1 + half * kStateWords].load() & 0xff) >
          static_cast<uint64_t>(KeyKind::kRemoved)) {
        return Status::Corruption(where + ": bad key kind");
      }
    }
  }
  return Status::OK();
}

ExpectedState::~ExpectedState() {
  if (map_ != nullptr) ::munmap(map_, map_bytes_);
  if (fd_ >= 0) ::close(fd_);
}

std::atomic<uint64_t>* ExpectedState::Header(size_t word) const {
  return reinterpret_cast<std::atomic<uint64_t>*>(map_) + word;
}

std::atomic<uint64_t>* ExpectedState::Journal(uint32_t j) const {
  return reinterpret_cast<std::atomic<uint64_t>*>(static_cast<char*>(map_) + kHeaderBytes) +
         size_t{j} * kJournalWords;
}

std::atomic<uint64_t>* ExpectedState::SlotWords(uint64_t slot) const {
  return reinterpret_cast<std::atomic<uint64_t>*>(static_cast<char*>(map_) + kHeaderBytes +
                                                  size_t{layout_.journals} * kJournalWords * 8) +
         slot * kSlotWords;
}

void ExpectedState::Store(std::atomic<uint64_t>* word, uint64_t value) {
  const uint64_t n = stores_.fetch_add(1, std::memory_order_relaxed);
  const int64_t limit = crash_after_.load(std::memory_order_relaxed);
  if (limit >= 0 && n >= static_cast<uint64_t>(limit)) return;  // "killed"
  word->store(value, std::memory_order_release);
}

KeyState ExpectedState::StateAt(uint64_t slot, int half) const {
  const std::atomic<uint64_t>* w = SlotWords(slot) + 1 + half * kStateWords;
  const uint64_t w0 = w[0].load(std::memory_order_acquire);
  KeyState s;
  s.kind = static_cast<KeyKind>(w0 & 0xff);
  s.value_id = static_cast<uint32_t>(w0 >> 8);
  s.delete_time = w[1].load(std::memory_order_acquire);
  s.expiry = w[2].load(std::memory_order_acquire);
  return s;
}

void ExpectedState::WriteState(uint64_t slot, int half, const KeyState& s) {
  std::atomic<uint64_t>* w = SlotWords(slot) + 1 + half * kStateWords;
  Store(&w[0], static_cast<uint64_t>(s.kind) | (uint64_t{s.value_id} << 8));
  Store(&w[1], s.delete_time);
  Store(&w[2], s.expiry);
}

bool ExpectedState::IsPending(uint64_t slot) const {
  return (SlotWords(slot)[0].load(std::memory_order_acquire) & kPendingBit) != 0;
}

KeyState ExpectedState::Committed(uint64_t slot) const {
  return StateAt(slot, static_cast<int>(SlotWords(slot)[0].load() & kActiveBit));
}

KeyState ExpectedState::Old(uint64_t slot) const { return Committed(slot); }

KeyState ExpectedState::New(uint64_t slot) const {
  return StateAt(slot, 1 - static_cast<int>(SlotWords(slot)[0].load() & kActiveBit));
}

void ExpectedState::Prepare(uint64_t slot, const KeyState& next) {
  const uint64_t active = SlotWords(slot)[0].load() & kActiveBit;
  WriteState(slot, static_cast<int>(1 - active), next);
  Store(&SlotWords(slot)[0], active | kPendingBit);
}

void ExpectedState::Commit(uint64_t slot) {
  const uint64_t active = SlotWords(slot)[0].load() & kActiveBit;
  Store(&SlotWords(slot)[0], 1 - active);
}

void ExpectedState::Abort(uint64_t slot) {
  const uint64_t active = SlotWords(slot)[0].load() & kActiveBit;
  Store(&SlotWords(slot)[0], active);
}

void ExpectedState::PrepareGroup(uint32_t journal, const std::vector<uint64_t>& slots,
                                 const std::vector<KeyState>& next) {
  std::atomic<uint64_t>* j = Journal(journal);
  std::vector<uint64_t> active(slots.size());
  for (size_t i = 0; i < slots.size(); ++i) {
    active[i] = SlotWords(slots[i])[0].load() & kActiveBit;
    WriteState(slots[i], static_cast<int>(1 - active[i]), next[i]);
  }
  for (size_t i = 0; i < slots.size(); ++i) Store(&j[1 + i], slots[i] << 1 | active[i]);
  Store(&j[0], kJournalOpen | (uint64_t{slots.size()} << 8));
  for (size_t i = 0; i < slots.size(); ++i) {
    Store(&SlotWords(slots[i])[0], active[i] | kPendingBit);
  }
}

void ExpectedState::PrepareRangeGroup(uint32_t journal, const std::vector<SlotRange>& ranges,
                                      const std::vector<KeyState>& next) {
  std::atomic<uint64_t>* j = Journal(journal);
  size_t i = 0;
  for (const SlotRange& r : ranges) {
    for (uint64_t slot = r.first; slot < r.first + r.count; ++slot) {
      const uint64_t active = SlotWords(slot)[0].load() & kActiveBit;
      WriteState(slot, static_cast<int>(1 - active), next[i++]);
    }
  }
  for (size_t k = 0; k < ranges.size(); ++k) {
    Store(&j[1 + 2 * k], ranges[k].first);
    Store(&j[2 + 2 * k], ranges[k].count);
  }
  Store(&j[0], kJournalOpen | kJournalRanges | (uint64_t{ranges.size()} << 8));
  for (const SlotRange& r : ranges) {
    for (uint64_t slot = r.first; slot < r.first + r.count; ++slot) {
      Store(&SlotWords(slot)[0], (SlotWords(slot)[0].load() & kActiveBit) | kPendingBit);
    }
  }
}

std::vector<ExpectedState::SlotRange> ExpectedState::RangesOf(uint32_t journal) const {
  const std::atomic<uint64_t>* j = Journal(journal);
  const uint64_t count = (j[0].load() >> 8) & 0xff;
  std::vector<SlotRange> ranges;
  for (uint64_t k = 0; k < count; ++k) {
    ranges.push_back(SlotRange{j[1 + 2 * k].load(), j[2 + 2 * k].load()});
  }
  return ranges;
}

void ExpectedState::FinishRanges(uint32_t journal, bool to_new) {
  std::atomic<uint64_t>* j = Journal(journal);
  const std::vector<SlotRange> ranges = RangesOf(journal);
  auto each_slot = [&](const auto& fn) {
    for (const SlotRange& r : ranges) {
      for (uint64_t slot = r.first; slot < r.first + r.count; ++slot) fn(slot);
    }
  };
  auto control = [&](uint64_t slot) { return SlotWords(slot)[0].load(); };
  // Every store keeps the rule OpenGroups reads the halves by: without the
  // committing bit, the active half of each slot is its old state; with it,
  // a pending slot's active half is its old state and any other slot's its
  // new one.
  const uint64_t c = j[0].load();
  if ((c & kJournalCommitting) == 0) {
    if (to_new) {
      // Every slot pending (a prepare a crash cut short left some not),
      // then the committing bit, then each flipped.
      each_slot([&](uint64_t slot) {
        if ((control(slot) & kPendingBit) == 0) {
          Store(&SlotWords(slot)[0], (control(slot) & kActiveBit) | kPendingBit);
        }
      });
      Store(&j[0], c | kJournalCommitting);
      each_slot(
          [&](uint64_t slot) { Store(&SlotWords(slot)[0], 1 - (control(slot) & kActiveBit)); });
    } else {
      each_slot([&](uint64_t slot) {
        if ((control(slot) & kPendingBit) != 0)
          Store(&SlotWords(slot)[0], control(slot) & kActiveBit);
      });
    }
  } else if (to_new) {
    each_slot([&](uint64_t slot) {
      if ((control(slot) & kPendingBit) != 0) {
        Store(&SlotWords(slot)[0], 1 - (control(slot) & kActiveBit));
      }
    });
  } else {
    // Back: each flipped slot to its old half, pending; then no committing
    // bit; then no pending mark.
    each_slot([&](uint64_t slot) {
      if ((control(slot) & kPendingBit) == 0) {
        Store(&SlotWords(slot)[0], (1 - (control(slot) & kActiveBit)) | kPendingBit);
      }
    });
    Store(&j[0], c & ~kJournalCommitting);
    each_slot([&](uint64_t slot) { Store(&SlotWords(slot)[0], control(slot) & kActiveBit); });
  }
  Store(&j[0], 0);
}

void ExpectedState::Finish(uint32_t journal, bool to_new) {
  std::atomic<uint64_t>* j = Journal(journal);
  if ((j[0].load() & kJournalRanges) != 0) return FinishRanges(journal, to_new);
  const uint64_t count = (j[0].load() >> 8) & 0xff;
  for (uint64_t i = 0; i < count; ++i) {
    const uint64_t e = j[1 + i].load();
    const uint64_t orig = e & 1;
    Store(&SlotWords(e >> 1)[0], to_new ? 1 - orig : orig);
  }
  Store(&j[0], 0);
}

void ExpectedState::CommitGroup(uint32_t journal) { Finish(journal, true); }
void ExpectedState::AbortGroup(uint32_t journal) { Finish(journal, false); }
void ExpectedState::ResolveGroup(uint32_t journal, bool to_new) { Finish(journal, to_new); }

std::vector<ExpectedState::Group> ExpectedState::OpenGroups() const {
  std::vector<Group> groups;
  for (uint32_t jn = 0; jn < layout_.journals; ++jn) {
    const std::atomic<uint64_t>* j = Journal(jn);
    const uint64_t c = j[0].load();
    if ((c & kJournalOpen) == 0) continue;
    Group g;
    g.journal = jn;
    if ((c & kJournalRanges) != 0) {
      g.committing = (c & kJournalCommitting) != 0;
      for (const SlotRange& r : RangesOf(jn)) {
        for (uint64_t slot = r.first; slot < r.first + r.count; ++slot) {
          const uint64_t word = SlotWords(slot)[0].load();
          const int active = static_cast<int>(word & kActiveBit);
          const bool new_is_active = g.committing && (word & kPendingBit) == 0;
          g.slots.push_back(slot);
          g.old_states.push_back(StateAt(slot, new_is_active ? 1 - active : active));
          g.new_states.push_back(StateAt(slot, new_is_active ? active : 1 - active));
        }
      }
      groups.push_back(std::move(g));
      continue;
    }
    const uint64_t count = (c >> 8) & 0xff;
    for (uint64_t i = 0; i < count; ++i) {
      const uint64_t e = j[1 + i].load();
      const int orig = static_cast<int>(e & 1);
      g.slots.push_back(e >> 1);
      g.old_states.push_back(StateAt(e >> 1, orig));
      g.new_states.push_back(StateAt(e >> 1, 1 - orig));
    }
    groups.push_back(std::move(g));
  }
  return groups;
}

uint64_t ExpectedState::clock_seconds() const { return Header(kWordClock)->load(); }

uint64_t ExpectedState::AdvanceClockTo(uint64_t seconds) {
  const uint64_t cur = Header(kWordClock)->load();
  if (seconds <= cur) return cur;
  Store(Header(kWordClock), seconds);
  return seconds;
}

static_assert((kWordLanes + 3 * ExpectedState::kMaxJournals) * 8 <= kHeaderBytes,
              "the lanes fit the header");

ExpectedState::Lane ExpectedState::GetLane(uint32_t j) const {
  Lane lane;
  lane.attempted = Header(kWordLanes + 3 * j)->load();
  lane.acked = Header(kWordLanes + 3 * j + 1)->load();
  lane.durable = Header(kWordLanes + 3 * j + 2)->load();
  return lane;
}

void ExpectedState::SetLaneAttempted(uint32_t j, uint64_t n) { Store(Header(kWordLanes + 3 * j), n); }

void ExpectedState::SetLaneAcked(uint32_t j, uint64_t n, bool synced) {
  Store(Header(kWordLanes + 3 * j + 1), n);
  if (synced) Store(Header(kWordLanes + 3 * j + 2), n);
}

void ExpectedState::ResetLane(uint32_t j, uint64_t m) {
  Store(Header(kWordLanes + 3 * j), m);
  Store(Header(kWordLanes + 3 * j + 1), m);
  Store(Header(kWordLanes + 3 * j + 2), m);
}

uint64_t ExpectedState::ops() const { return Header(kWordOps)->load(); }
void ExpectedState::AddOps(uint64_t n) { Header(kWordOps)->fetch_add(n); }
uint64_t ExpectedState::runs() const { return Header(kWordRuns)->load(); }
void ExpectedState::AddRun() { Header(kWordRuns)->fetch_add(1); }
uint64_t ExpectedState::verifies() const { return Header(kWordVerifies)->load(); }
void ExpectedState::AddVerify() { Header(kWordVerifies)->fetch_add(1); }

}  // namespace metakv::stress
