#include "tests/power_loss_fs.h"

#include <fcntl.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <utility>

namespace metakv::test {

namespace {

namespace fs = std::filesystem;

const rocksdb::IOStatus& PowerOff() {
  static const rocksdb::IOStatus off = rocksdb::IOStatus::IOError("power is off (PowerLossFs)");
  return off;
}

class PowerLossWritableFile : public rocksdb::FSWritableFileOwnerWrapper {
 public:
  PowerLossWritableFile(PowerLossFs* fs, std::string path, uint64_t pos,
                        std::unique_ptr<rocksdb::FSWritableFile> f)
      : FSWritableFileOwnerWrapper(std::move(f)), fs_(fs), path_(std::move(path)), pos_(pos) {}

  rocksdb::IOStatus Append(const rocksdb::Slice& data, const rocksdb::IOOptions& o,
                           rocksdb::IODebugContext* dbg) override {
    return Write(pos_, data.size(), false, [&] { return target()->Append(data, o, dbg); });
  }
  rocksdb::IOStatus Append(const rocksdb::Slice& data, const rocksdb::IOOptions& o,
                           const rocksdb::DataVerificationInfo& v,
                           rocksdb::IODebugContext* dbg) override {
    return Write(pos_, data.size(), false, [&] { return target()->Append(data, o, v, dbg); });
  }
  rocksdb::IOStatus PositionedAppend(const rocksdb::Slice& data, uint64_t offset,
                                     const rocksdb::IOOptions& o,
                                     rocksdb::IODebugContext* dbg) override {
    return Write(offset, data.size(), false,
                 [&] { return target()->PositionedAppend(data, offset, o, dbg); });
  }
  rocksdb::IOStatus PositionedAppend(const rocksdb::Slice& data, uint64_t offset,
                                     const rocksdb::IOOptions& o,
                                     const rocksdb::DataVerificationInfo& v,
                                     rocksdb::IODebugContext* dbg) override {
    return Write(offset, data.size(), false,
                 [&] { return target()->PositionedAppend(data, offset, o, v, dbg); });
  }
  rocksdb::IOStatus Truncate(uint64_t size, const rocksdb::IOOptions& o,
                             rocksdb::IODebugContext* dbg) override {
    return Write(size, 0, true, [&] { return target()->Truncate(size, o, dbg); });
  }
  rocksdb::IOStatus Sync(const rocksdb::IOOptions& o, rocksdb::IODebugContext* dbg) override {
    return SyncWith([&] { return target()->Sync(o, dbg); });
  }
  rocksdb::IOStatus Fsync(const rocksdb::IOOptions& o, rocksdb::IODebugContext* dbg) override {
    return SyncWith([&] { return target()->Fsync(o, dbg); });
  }
  rocksdb::IOStatus RangeSync(uint64_t offset, uint64_t nbytes, const rocksdb::IOOptions& o,
                              rocksdb::IODebugContext* dbg) override {
    // sync_file_range: no durability promised, so none recorded.
    std::shared_lock<std::shared_mutex> guard;
    rocksdb::IOStatus s = fs_->Enter(&guard);
    return s.ok() ? target()->RangeSync(offset, nbytes, o, dbg) : s;
  }
  rocksdb::IOStatus Close(const rocksdb::IOOptions& o, rocksdb::IODebugContext* dbg) override {
    rocksdb::IOStatus s = fs_->CheckOn();
    rocksdb::IOStatus c = CloseTarget(o, dbg);
    return s.ok() ? c : s;
  }
  ~PowerLossWritableFile() override {
    // The target's own destructor would close it, and a POSIX file closes
    // by truncating to the length it wrote: after a cut, that would undo
    // the cut's truncation.
    if (fs_->off()) CloseTarget(rocksdb::IOOptions(), nullptr).PermitUncheckedError();
  }

 private:
  // Always releases the descriptor; after a cut, puts the cut's length back.
  rocksdb::IOStatus CloseTarget(const rocksdb::IOOptions& o, rocksdb::IODebugContext* dbg) {
    if (closed_) return rocksdb::IOStatus::OK();
    closed_ = true;
    rocksdb::IOStatus c = target()->Close(o, dbg);
    fs_->AfterClose(path_);
    return c;
  }

  template <typename F>
  rocksdb::IOStatus Write(uint64_t offset, uint64_t n, bool truncate, F call) {
    std::shared_lock<std::shared_mutex> guard;
    rocksdb::IOStatus s = fs_->Enter(&guard);
    if (!s.ok()) return s;
    s = call();
    if (s.ok()) {
      pos_ = offset + n;
      fs_->NoteWrite(path_, pos_, truncate);
    }
    return s;
  }
  template <typename F>
  rocksdb::IOStatus SyncWith(F call) {
    std::shared_lock<std::shared_mutex> guard;
    rocksdb::IOStatus s = fs_->Enter(&guard);
    if (!s.ok()) return s;
    // What was written when the sync began (a write racing it may miss it).
    const uint64_t upto = fs_->Written(path_);
    s = call();
    if (s.ok()) fs_->NoteSync(path_, upto);
    return s;
  }

  PowerLossFs* fs_;
  std::string path_;
  uint64_t pos_;
  bool closed_ = false;
};

class PowerLossRandomRWFile : public rocksdb::FSRandomRWFileOwnerWrapper {
 public:
  PowerLossRandomRWFile(PowerLossFs* fs, std::string path,
                        std::unique_ptr<rocksdb::FSRandomRWFile> f)
      : FSRandomRWFileOwnerWrapper(std::move(f)), fs_(fs), path_(std::move(path)) {}

  rocksdb::IOStatus Write(uint64_t offset, const rocksdb::Slice& data, const rocksdb::IOOptions& o,
                          rocksdb::IODebugContext* dbg) override {
    std::shared_lock<std::shared_mutex> guard;
    rocksdb::IOStatus s = fs_->Enter(&guard);
    if (s.ok()) s = target()->Write(offset, data, o, dbg);
    if (s.ok()) fs_->NoteWrite(path_, offset + data.size(), false);
    return s;
  }
  rocksdb::IOStatus Sync(const rocksdb::IOOptions& o, rocksdb::IODebugContext* dbg) override {
    std::shared_lock<std::shared_mutex> guard;
    rocksdb::IOStatus s = fs_->Enter(&guard);
    if (!s.ok()) return s;
    const uint64_t upto = fs_->Written(path_);
    s = target()->Sync(o, dbg);
    if (s.ok()) fs_->NoteSync(path_, upto);
    return s;
  }
  rocksdb::IOStatus Fsync(const rocksdb::IOOptions& o, rocksdb::IODebugContext* dbg) override {
    return Sync(o, dbg);
  }

 private:
  PowerLossFs* fs_;
  std::string path_;
};

class PowerLossDirectory : public rocksdb::FSDirectory {
 public:
  PowerLossDirectory(PowerLossFs* fs, std::string path, std::unique_ptr<rocksdb::FSDirectory> d)
      : fs_(fs), path_(std::move(path)), target_(std::move(d)) {}
  rocksdb::IOStatus Fsync(const rocksdb::IOOptions& o, rocksdb::IODebugContext* dbg) override {
    return SyncWith([&] { return target_->Fsync(o, dbg); });
  }
  rocksdb::IOStatus FsyncWithDirOptions(const rocksdb::IOOptions& o, rocksdb::IODebugContext* dbg,
                                        const rocksdb::DirFsyncOptions& d) override {
    return SyncWith([&] { return target_->FsyncWithDirOptions(o, dbg, d); });
  }
  rocksdb::IOStatus Close(const rocksdb::IOOptions& o, rocksdb::IODebugContext* dbg) override {
    return target_->Close(o, dbg);
  }
  size_t GetUniqueId(char* id, size_t max_size) const override {
    return target_->GetUniqueId(id, max_size);
  }

 private:
  template <typename F>
  rocksdb::IOStatus SyncWith(F call) {
    std::shared_lock<std::shared_mutex> guard;
    rocksdb::IOStatus s = fs_->Enter(&guard);
    if (s.ok()) s = call();
    if (s.ok()) fs_->NoteDirSync(path_);
    return s;
  }

  PowerLossFs* fs_;
  std::string path_;
  std::unique_ptr<rocksdb::FSDirectory> target_;
};

std::string ReadWhole(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

}  // namespace

PowerLossFs::PowerLossFs(uint64_t seed, std::shared_ptr<rocksdb::FileSystem> base)
    : FileSystemWrapper(std::move(base)), rng_(seed) {}

std::shared_ptr<rocksdb::Env> PowerLossFs::MakeEnv(const std::shared_ptr<PowerLossFs>& fs) {
  return std::shared_ptr<rocksdb::Env>(rocksdb::NewCompositeEnv(fs).release());
}

std::string PowerLossFs::Normal(const std::string& path) {
  std::string p = fs::path(path).lexically_normal().string();
  while (p.size() > 1 && p.back() == '/') p.pop_back();
  return p;
}

std::string PowerLossFs::Parent(const std::string& path) {
  return Normal(fs::path(Normal(path)).parent_path().string());
}

void PowerLossFs::SetTail(Tail tail) {
  std::lock_guard<std::mutex> l(mu_);
  tail_ = tail;
}

void PowerLossFs::CutAt(uint64_t n) {
  std::lock_guard<std::mutex> l(mu_);
  cut_in_ = static_cast<int64_t>(n);
}

void PowerLossFs::CutWhenUnsynced(std::string pattern) {
  std::lock_guard<std::mutex> l(mu_);
  cut_in_ = -1;
  cut_unsynced_ = true;
  unsynced_pattern_ = std::move(pattern);
}

void PowerLossFs::Disarm() {
  std::lock_guard<std::mutex> l(mu_);
  cut_in_ = -1;
  cut_unsynced_ = false;
}

void PowerLossFs::SetOnCut(OnCut on_cut) {
  std::lock_guard<std::mutex> l(mu_);
  on_cut_ = std::move(on_cut);
}

bool PowerLossFs::off() const {
  std::lock_guard<std::mutex> l(mu_);
  return off_;
}

std::string PowerLossFs::Report() const {
  std::lock_guard<std::mutex> l(mu_);
  return report_;
}

uint64_t PowerLossFs::mutating_calls() const {
  std::lock_guard<std::mutex> l(mu_);
  return mutating_;
}

void PowerLossFs::CutPower() {
  {
    // New calls wait from here on (Enter), so the cut does not depend on
    // the fairness of the shared lock: only calls already in flight finish.
    std::lock_guard<std::mutex> l(mu_);
    if (off_ || cutting_) return;
    cutting_ = true;
  }
  std::unique_lock<std::shared_mutex> cut(cut_mu_);
  std::lock_guard<std::mutex> l(mu_);
  CutLocked();
  if (on_cut_) on_cut_(report_, mutating_);
  cutting_ = false;
  cut_done_.notify_all();
}

rocksdb::IOStatus PowerLossFs::CheckOn() const {
  std::lock_guard<std::mutex> l(mu_);
  return off_ ? PowerOff() : rocksdb::IOStatus::OK();
}

rocksdb::IOStatus PowerLossFs::Enter(std::shared_lock<std::shared_mutex>* guard) {
  bool cut_now = false;
  {
    std::unique_lock<std::mutex> l(mu_);
    cut_done_.wait(l, [this] { return !cutting_; });
    if (off_) return PowerOff();
    ++mutating_;
    if (cut_in_ == 0) {
      cut_in_ = -1;
      cut_now = true;
    } else if (cut_in_ > 0) {
      --cut_in_;
    }
    if (cut_unsynced_) {
      for (const auto& [path, f] : files_) {
        if (f.written > f.synced && path.find(unsynced_pattern_) != std::string::npos) {
          cut_unsynced_ = false;
          cut_now = true;
          break;
        }
      }
    }
  }
  if (cut_now) {
    CutPower();
    return PowerOff();
  }
  *guard = std::shared_lock<std::shared_mutex>(cut_mu_);
  // A cut may have run between the check and the lock.
  std::lock_guard<std::mutex> l(mu_);
  if (off_) {
    guard->unlock();
    return PowerOff();
  }
  return rocksdb::IOStatus::OK();
}

void PowerLossFs::NoteWrite(const std::string& path, uint64_t end_offset, bool truncate) {
  std::lock_guard<std::mutex> l(mu_);
  auto it = files_.find(Normal(path));
  if (it == files_.end()) return;  // not written through here: durable as it is
  FileState& f = it->second;
  if (truncate) {
    f.written = end_offset;
    f.synced = std::min(f.synced, end_offset);
  } else {
    f.written = std::max(f.written, end_offset);
  }
}

uint64_t PowerLossFs::Written(const std::string& path) const {
  std::lock_guard<std::mutex> l(mu_);
  auto it = files_.find(Normal(path));
  return it == files_.end() ? 0 : it->second.written;
}

void PowerLossFs::NoteSync(const std::string& path, uint64_t upto) {
  std::lock_guard<std::mutex> l(mu_);
  auto it = files_.find(Normal(path));
  if (it != files_.end()) {
    it->second.synced = std::max(it->second.synced, std::min(upto, it->second.written));
  }
}

void PowerLossFs::AfterClose(const std::string& path) {
  std::lock_guard<std::mutex> l(mu_);
  if (!off_) return;
  auto it = chopped_.find(Normal(path));
  std::error_code ec;
  if (it != chopped_.end() && fs::file_size(it->first, ec) > it->second && !ec) {
    ::truncate(it->first.c_str(), static_cast<off_t>(it->second));
  }
}

void PowerLossFs::NoteDirSync(const std::string& dir) {
  std::lock_guard<std::mutex> l(mu_);
  const std::string d = Normal(dir);
  std::vector<EntryChange> kept;
  for (EntryChange& c : pending_) {
    // A rename is durable once the directory of its new name is synced
    // (metakv and RocksDB rename within one directory).
    if (Parent(c.path) != d) kept.push_back(std::move(c));
  }
  pending_ = std::move(kept);
}

void PowerLossFs::NoteEntry(EntryChange change) { pending_.push_back(std::move(change)); }

void PowerLossFs::NoteEntry(EntryChange::Kind kind, const std::string& path,
                            const std::string& from) {
  EntryChange c;
  c.kind = kind;
  c.path = path;
  c.from = from;
  NoteEntry(std::move(c));
}

void PowerLossFs::Chop(const std::string& path, uint64_t length) {
  chopped_[path] = length;
  if (::truncate(path.c_str(), static_cast<off_t>(length)) == 0) {
    report_ += "truncated " + path + " to " + std::to_string(length) + "; ";
  }
}

void PowerLossFs::CutLocked() {
  off_ = true;
  // Data first, under the names the files have now, then the entries,
  // newest first, which may move those files back.
  for (const auto& [path, f] : files_) {
    if (f.written <= f.synced) continue;
    uint64_t keep = f.synced;
    if (tail_ == Tail::kRandomTail) keep += rng_() % (f.written - f.synced + 1);
    std::error_code ec;
    const uint64_t now = fs::file_size(path, ec);
    if (!ec && now > keep) {
      Chop(path, keep);
      report_ += "(written " + std::to_string(f.written) + ", synced " + std::to_string(f.synced) +
                 ", on disk " + std::to_string(now) + "); ";
    }
  }
  for (auto it = pending_.rbegin(); it != pending_.rend(); ++it) Undo(*it);
  pending_.clear();
}

void PowerLossFs::Undo(const EntryChange& c) {
  std::error_code ec;
  switch (c.kind) {
    case EntryChange::kCreate:
    case EntryChange::kLink:
      if (fs::remove(c.path, ec)) report_ += "removed " + c.path + "; ";
      break;
    case EntryChange::kMkdir:
      if (fs::remove_all(c.path, ec) > 0) report_ += "removed directory " + c.path + "; ";
      break;
    case EntryChange::kRename:
      fs::rename(c.path, c.from, ec);
      if (ec) break;
      if (auto it = chopped_.find(c.path); it != chopped_.end()) {
        chopped_[c.from] = it->second;
        chopped_.erase(it);
      }
      report_ += "renamed " + c.path + " back to " + c.from + "; ";
      if (c.replaced) {
        std::ofstream out(c.path, std::ios::binary | std::ios::trunc);
        out.write(c.replaced_data.data(), static_cast<std::streamsize>(c.replaced_data.size()));
        report_ += "restored " + c.path + "; ";
      }
      break;
  }
}

rocksdb::IOStatus PowerLossFs::Track(const std::string& f, rocksdb::IOStatus s,
                                     std::unique_ptr<rocksdb::FSWritableFile>* r, bool created) {
  if (!s.ok()) return s;
  const std::string path = Normal(f);
  uint64_t pos = 0;
  {
    std::lock_guard<std::mutex> l(mu_);
    if (created) {
      files_[path] = FileState{};
      NoteEntry(EntryChange::kCreate, path);
    } else {
      std::error_code ec;
      pos = fs::file_size(path, ec);
      if (ec) pos = 0;
      auto it = files_.find(path);
      if (it == files_.end()) files_[path] = FileState{pos, pos};  // durable as found
    }
  }
  r->reset(new PowerLossWritableFile(this, path, pos, std::move(*r)));
  return s;
}

rocksdb::IOStatus PowerLossFs::NewSequentialFile(const std::string& f,
                                                 const rocksdb::FileOptions& o,
                                                 std::unique_ptr<rocksdb::FSSequentialFile>* r,
                                                 rocksdb::IODebugContext* dbg) {
  rocksdb::IOStatus s = CheckOn();
  return s.ok() ? target()->NewSequentialFile(f, o, r, dbg) : s;
}

rocksdb::IOStatus PowerLossFs::NewRandomAccessFile(
    const std::string& f, const rocksdb::FileOptions& o,
    std::unique_ptr<rocksdb::FSRandomAccessFile>* r, rocksdb::IODebugContext* dbg) {
  rocksdb::IOStatus s = CheckOn();
  return s.ok() ? target()->NewRandomAccessFile(f, o, r, dbg) : s;
}

rocksdb::IOStatus PowerLossFs::NewWritableFile(const std::string& f, const rocksdb::FileOptions& o,
                                               std::unique_ptr<rocksdb::FSWritableFile>* r,
                                               rocksdb::IODebugContext* dbg) {
  std::shared_lock<std::shared_mutex> guard;
  rocksdb::IOStatus s = Enter(&guard);
  if (!s.ok()) return s;
  std::error_code ec;
  const bool existed = fs::exists(f, ec);
  s = target()->NewWritableFile(f, o, r, dbg);
  if (s.ok() && existed) {
    // Truncated in place: the entry was already durable, the data is not.
    std::lock_guard<std::mutex> l(mu_);
    files_[Normal(f)] = FileState{};
  }
  return existed ? Track(f, s, r, /*created=*/false) : Track(f, s, r, /*created=*/true);
}

rocksdb::IOStatus PowerLossFs::ReopenWritableFile(const std::string& f,
                                                  const rocksdb::FileOptions& o,
                                                  std::unique_ptr<rocksdb::FSWritableFile>* r,
                                                  rocksdb::IODebugContext* dbg) {
  std::shared_lock<std::shared_mutex> guard;
  rocksdb::IOStatus s = Enter(&guard);
  if (!s.ok()) return s;
  std::error_code ec;
  const bool existed = fs::exists(f, ec);
  return Track(f, target()->ReopenWritableFile(f, o, r, dbg), r, !existed);
}

rocksdb::IOStatus PowerLossFs::ReuseWritableFile(const std::string& f, const std::string& old,
                                                 const rocksdb::FileOptions& o,
                                                 std::unique_ptr<rocksdb::FSWritableFile>* r,
                                                 rocksdb::IODebugContext* dbg) {
  // A rename of old to f, then a rewrite from the start.
  std::shared_lock<std::shared_mutex> guard;
  rocksdb::IOStatus s = Enter(&guard);
  if (!s.ok()) return s;
  s = target()->ReuseWritableFile(f, old, o, r, dbg);
  if (!s.ok()) return s;
  {
    std::lock_guard<std::mutex> l(mu_);
    NoteEntry(EntryChange::kRename, Normal(f), Normal(old));
    files_.erase(Normal(old));
    files_[Normal(f)] = FileState{};
  }
  r->reset(new PowerLossWritableFile(this, Normal(f), 0, std::move(*r)));
  return s;
}

rocksdb::IOStatus PowerLossFs::NewRandomRWFile(const std::string& f, const rocksdb::FileOptions& o,
                                               std::unique_ptr<rocksdb::FSRandomRWFile>* r,
                                               rocksdb::IODebugContext* dbg) {
  std::shared_lock<std::shared_mutex> guard;
  rocksdb::IOStatus s = Enter(&guard);
  if (!s.ok()) return s;
  std::error_code ec;
  const bool existed = fs::exists(f, ec);
  const uint64_t size = existed ? fs::file_size(f, ec) : 0;
  s = target()->NewRandomRWFile(f, o, r, dbg);
  if (!s.ok()) return s;
  {
    std::lock_guard<std::mutex> l(mu_);
    const std::string path = Normal(f);
    if (!existed) {
      NoteEntry(EntryChange::kCreate, path);
    }
    if (files_.find(path) == files_.end()) files_[path] = FileState{size, size};
  }
  r->reset(new PowerLossRandomRWFile(this, Normal(f), std::move(*r)));
  return s;
}

rocksdb::IOStatus PowerLossFs::NewDirectory(const std::string& name, const rocksdb::IOOptions& o,
                                            std::unique_ptr<rocksdb::FSDirectory>* r,
                                            rocksdb::IODebugContext* dbg) {
  rocksdb::IOStatus s = CheckOn();
  if (s.ok()) s = target()->NewDirectory(name, o, r, dbg);
  if (s.ok()) r->reset(new PowerLossDirectory(this, Normal(name), std::move(*r)));
  return s;
}

rocksdb::IOStatus PowerLossFs::CreateDir(const std::string& d, const rocksdb::IOOptions& o,
                                         rocksdb::IODebugContext* dbg) {
  std::shared_lock<std::shared_mutex> guard;
  rocksdb::IOStatus s = Enter(&guard);
  if (s.ok()) s = target()->CreateDir(d, o, dbg);
  if (s.ok()) {
    std::lock_guard<std::mutex> l(mu_);
    NoteEntry(EntryChange::kMkdir, Normal(d));
  }
  return s;
}

rocksdb::IOStatus PowerLossFs::CreateDirIfMissing(const std::string& d,
                                                  const rocksdb::IOOptions& o,
                                                  rocksdb::IODebugContext* dbg) {
  std::shared_lock<std::shared_mutex> guard;
  rocksdb::IOStatus s = Enter(&guard);
  if (!s.ok()) return s;
  std::error_code ec;
  const bool existed = fs::is_directory(d, ec);
  // Threads may race to create it: the target tolerates that, and undoing
  // the creation twice is harmless.
  s = target()->CreateDirIfMissing(d, o, dbg);
  if (s.ok() && !existed) {
    std::lock_guard<std::mutex> l(mu_);
    NoteEntry(EntryChange::kMkdir, Normal(d));
  }
  return s;
}

rocksdb::IOStatus PowerLossFs::RenameFile(const std::string& s, const std::string& t,
                                          const rocksdb::IOOptions& o,
                                          rocksdb::IODebugContext* dbg) {
  std::shared_lock<std::shared_mutex> guard;
  rocksdb::IOStatus st = Enter(&guard);
  if (!st.ok()) return st;
  EntryChange c;
  c.kind = EntryChange::kRename;
  c.from = Normal(s);
  c.path = Normal(t);
  std::error_code ec;
  if (fs::exists(t, ec)) {
    // What a cut must bring back: the replaced file as it was durable.
    c.replaced = true;
    c.replaced_data = ReadWhole(t);
    std::lock_guard<std::mutex> l(mu_);
    auto it = files_.find(c.path);
    if (it != files_.end() && it->second.synced < c.replaced_data.size()) {
      c.replaced_data.resize(it->second.synced);
    }
  }
  st = target()->RenameFile(s, t, o, dbg);
  if (!st.ok()) return st;
  std::lock_guard<std::mutex> l(mu_);
  auto it = files_.find(c.from);
  if (it != files_.end()) {
    files_[c.path] = it->second;
    files_.erase(c.from);
  } else {
    files_.erase(c.path);
  }
  NoteEntry(std::move(c));
  return st;
}

rocksdb::IOStatus PowerLossFs::LinkFile(const std::string& s, const std::string& t,
                                        const rocksdb::IOOptions& o, rocksdb::IODebugContext* dbg) {
  std::shared_lock<std::shared_mutex> guard;
  rocksdb::IOStatus st = Enter(&guard);
  if (st.ok()) st = target()->LinkFile(s, t, o, dbg);
  if (!st.ok()) return st;
  std::lock_guard<std::mutex> l(mu_);
  auto it = files_.find(Normal(s));
  if (it != files_.end()) files_[Normal(t)] = it->second;
  NoteEntry(EntryChange::kLink, Normal(t));
  return st;
}

rocksdb::IOStatus PowerLossFs::DeleteFile(const std::string& f, const rocksdb::IOOptions& o,
                                          rocksdb::IODebugContext* dbg) {
  std::shared_lock<std::shared_mutex> guard;
  rocksdb::IOStatus s = Enter(&guard);
  if (s.ok()) s = target()->DeleteFile(f, o, dbg);
  if (s.ok()) {
    std::lock_guard<std::mutex> l(mu_);
    files_.erase(Normal(f));
  }
  return s;
}

rocksdb::IOStatus PowerLossFs::DeleteDir(const std::string& d, const rocksdb::IOOptions& o,
                                         rocksdb::IODebugContext* dbg) {
  std::shared_lock<std::shared_mutex> guard;
  rocksdb::IOStatus s = Enter(&guard);
  return s.ok() ? target()->DeleteDir(d, o, dbg) : s;
}

rocksdb::IOStatus PowerLossFs::Truncate(const std::string& f, size_t size,
                                        const rocksdb::IOOptions& o,
                                        rocksdb::IODebugContext* dbg) {
  std::shared_lock<std::shared_mutex> guard;
  rocksdb::IOStatus s = Enter(&guard);
  if (s.ok()) s = target()->Truncate(f, size, o, dbg);
  if (s.ok()) NoteWrite(f, size, /*truncate=*/true);
  return s;
}

rocksdb::IOStatus PowerLossFs::GetChildren(const std::string& dir, const rocksdb::IOOptions& o,
                                           std::vector<std::string>* r,
                                           rocksdb::IODebugContext* dbg) {
  rocksdb::IOStatus s = CheckOn();
  return s.ok() ? target()->GetChildren(dir, o, r, dbg) : s;
}

rocksdb::IOStatus PowerLossFs::FileExists(const std::string& f, const rocksdb::IOOptions& o,
                                          rocksdb::IODebugContext* dbg) {
  rocksdb::IOStatus s = CheckOn();
  return s.ok() ? target()->FileExists(f, o, dbg) : s;
}

}  // namespace metakv::test
