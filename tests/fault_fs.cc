#include "tests/fault_fs.h"

#include <utility>

namespace metakv::test {

namespace {

const char* OpNameOf(FaultOp op) {
  switch (op) {
    case kFaultCreate:
      return "create";
    case kFaultWrite:
      return "write";
    case kFaultSync:
      return "sync";
    case kFaultRename:
      return "rename";
    case kFaultLink:
      return "link";
    case kFaultRead:
      return "read";
    case kFaultOpenRead:
      return "open-read";
    case kFaultDelete:
      return "delete";
    default:
      return "op";
  }
}

void FlipBit(rocksdb::Slice* result, char* scratch) {
  if (result->size() == 0) return;
  // The result may point into memory the file owns (mmap reads): copy it
  // into the caller's scratch buffer before changing it.
  if (scratch != nullptr && result->data() != scratch) {
    std::copy(result->data(), result->data() + result->size(), scratch);
    *result = rocksdb::Slice(scratch, result->size());
  }
  if (result->data() == scratch) scratch[result->size() / 2] ^= 0x10;
}

class FaultWritableFile : public rocksdb::FSWritableFileOwnerWrapper {
 public:
  FaultWritableFile(FaultFs* fs, std::string path, std::unique_ptr<rocksdb::FSWritableFile> f)
      : FSWritableFileOwnerWrapper(std::move(f)), fs_(fs), path_(std::move(path)) {}

  rocksdb::IOStatus Append(const rocksdb::Slice& data, const rocksdb::IOOptions& o,
                           rocksdb::IODebugContext* dbg) override {
    rocksdb::IOStatus s = fs_->Check(kFaultWrite, path_);
    return s.ok() ? target()->Append(data, o, dbg) : s;
  }
  rocksdb::IOStatus Append(const rocksdb::Slice& data, const rocksdb::IOOptions& o,
                           const rocksdb::DataVerificationInfo& v,
                           rocksdb::IODebugContext* dbg) override {
    rocksdb::IOStatus s = fs_->Check(kFaultWrite, path_);
    return s.ok() ? target()->Append(data, o, v, dbg) : s;
  }
  rocksdb::IOStatus PositionedAppend(const rocksdb::Slice& data, uint64_t offset,
                                     const rocksdb::IOOptions& o,
                                     rocksdb::IODebugContext* dbg) override {
    rocksdb::IOStatus s = fs_->Check(kFaultWrite, path_);
    return s.ok() ? target()->PositionedAppend(data, offset, o, dbg) : s;
  }
  rocksdb::IOStatus PositionedAppend(const rocksdb::Slice& data, uint64_t offset,
                                     const rocksdb::IOOptions& o,
                                     const rocksdb::DataVerificationInfo& v,
                                     rocksdb::IODebugContext* dbg) override {
    rocksdb::IOStatus s = fs_->Check(kFaultWrite, path_);
    return s.ok() ? target()->PositionedAppend(data, offset, o, v, dbg) : s;
  }
  rocksdb::IOStatus Truncate(uint64_t size, const rocksdb::IOOptions& o,
                             rocksdb::IODebugContext* dbg) override {
    rocksdb::IOStatus s = fs_->Check(kFaultWrite, path_);
    return s.ok() ? target()->Truncate(size, o, dbg) : s;
  }
  rocksdb::IOStatus Sync(const rocksdb::IOOptions& o, rocksdb::IODebugContext* dbg) override {
    rocksdb::IOStatus s = fs_->Check(kFaultSync, path_);
    return s.ok() ? target()->Sync(o, dbg) : s;
  }
  rocksdb::IOStatus Fsync(const rocksdb::IOOptions& o, rocksdb::IODebugContext* dbg) override {
    rocksdb::IOStatus s = fs_->Check(kFaultSync, path_);
    return s.ok() ? target()->Fsync(o, dbg) : s;
  }
  rocksdb::IOStatus RangeSync(uint64_t offset, uint64_t nbytes, const rocksdb::IOOptions& o,
                              rocksdb::IODebugContext* dbg) override {
    rocksdb::IOStatus s = fs_->Check(kFaultSync, path_);
    return s.ok() ? target()->RangeSync(offset, nbytes, o, dbg) : s;
  }

 private:
  FaultFs* fs_;
  std::string path_;
};

class FaultRandomAccessFile : public rocksdb::FSRandomAccessFileOwnerWrapper {
 public:
  FaultRandomAccessFile(FaultFs* fs, std::string path,
                        std::unique_ptr<rocksdb::FSRandomAccessFile> f)
      : FSRandomAccessFileOwnerWrapper(std::move(f)), fs_(fs), path_(std::move(path)) {}

  rocksdb::IOStatus Read(uint64_t offset, size_t n, const rocksdb::IOOptions& o,
                         rocksdb::Slice* result, char* scratch,
                         rocksdb::IODebugContext* dbg) const override {
    bool corrupt = false;
    rocksdb::IOStatus s = fs_->Check(kFaultRead, path_, &corrupt);
    if (!s.ok()) return s;
    s = target()->Read(offset, n, o, result, scratch, dbg);
    if (s.ok() && corrupt) FlipBit(result, scratch);
    return s;
  }
  rocksdb::IOStatus MultiRead(rocksdb::FSReadRequest* reqs, size_t num_reqs,
                              const rocksdb::IOOptions& o, rocksdb::IODebugContext* dbg) override {
    // One request at a time through Read, so each can fail on its own.
    for (size_t i = 0; i < num_reqs; ++i) {
      reqs[i].status = Read(reqs[i].offset, reqs[i].len, o, &reqs[i].result, reqs[i].scratch, dbg);
    }
    return rocksdb::IOStatus::OK();
  }
  rocksdb::IOStatus ReadAsync(rocksdb::FSReadRequest& req, const rocksdb::IOOptions& o,
                              std::function<void(const rocksdb::FSReadRequest&, void*)> cb,
                              void* cb_arg, void** io_handle, rocksdb::IOHandleDeleter* del_fn,
                              rocksdb::IODebugContext* dbg) override {
    // Synchronously, through Read (as FSRandomAccessFile's default does).
    req.status = Read(req.offset, req.len, o, &req.result, req.scratch, dbg);
    cb(req, cb_arg);
    (void)io_handle;
    (void)del_fn;
    return rocksdb::IOStatus::OK();
  }

 private:
  FaultFs* fs_;
  std::string path_;
};

class FaultSequentialFile : public rocksdb::FSSequentialFileOwnerWrapper {
 public:
  FaultSequentialFile(FaultFs* fs, std::string path, std::unique_ptr<rocksdb::FSSequentialFile> f)
      : FSSequentialFileOwnerWrapper(std::move(f)), fs_(fs), path_(std::move(path)) {}

  rocksdb::IOStatus Read(size_t n, const rocksdb::IOOptions& o, rocksdb::Slice* result,
                         char* scratch, rocksdb::IODebugContext* dbg) override {
    bool corrupt = false;
    rocksdb::IOStatus s = fs_->Check(kFaultRead, path_, &corrupt);
    if (!s.ok()) return s;
    s = target()->Read(n, o, result, scratch, dbg);
    if (s.ok() && corrupt) FlipBit(result, scratch);
    return s;
  }
  rocksdb::IOStatus PositionedRead(uint64_t offset, size_t n, const rocksdb::IOOptions& o,
                                   rocksdb::Slice* result, char* scratch,
                                   rocksdb::IODebugContext* dbg) override {
    bool corrupt = false;
    rocksdb::IOStatus s = fs_->Check(kFaultRead, path_, &corrupt);
    if (!s.ok()) return s;
    s = target()->PositionedRead(offset, n, o, result, scratch, dbg);
    if (s.ok() && corrupt) FlipBit(result, scratch);
    return s;
  }

 private:
  FaultFs* fs_;
  std::string path_;
};

class FaultDirectory : public rocksdb::FSDirectory {
 public:
  FaultDirectory(FaultFs* fs, std::string path, std::unique_ptr<rocksdb::FSDirectory> d)
      : fs_(fs), path_(std::move(path)), target_(std::move(d)) {}
  rocksdb::IOStatus Fsync(const rocksdb::IOOptions& o, rocksdb::IODebugContext* dbg) override {
    rocksdb::IOStatus s = fs_->Check(kFaultSync, path_);
    return s.ok() ? target_->Fsync(o, dbg) : s;
  }
  rocksdb::IOStatus FsyncWithDirOptions(const rocksdb::IOOptions& o, rocksdb::IODebugContext* dbg,
                                        const rocksdb::DirFsyncOptions& d) override {
    rocksdb::IOStatus s = fs_->Check(kFaultSync, path_);
    return s.ok() ? target_->FsyncWithDirOptions(o, dbg, d) : s;
  }
  rocksdb::IOStatus Close(const rocksdb::IOOptions& o, rocksdb::IODebugContext* dbg) override {
    return target_->Close(o, dbg);
  }
  size_t GetUniqueId(char* id, size_t max_size) const override {
    return target_->GetUniqueId(id, max_size);
  }

 private:
  FaultFs* fs_;
  std::string path_;
  std::unique_ptr<rocksdb::FSDirectory> target_;
};

}  // namespace

FaultFs::FaultFs(uint64_t seed, std::shared_ptr<rocksdb::FileSystem> base)
    : FileSystemWrapper(std::move(base)), rng_(seed) {}

std::shared_ptr<rocksdb::Env> FaultFs::MakeEnv(const std::shared_ptr<FaultFs>& fs) {
  return std::shared_ptr<rocksdb::Env>(rocksdb::NewCompositeEnv(fs).release());
}

void FaultFs::AddRule(FaultRule rule) {
  std::lock_guard<std::mutex> lock(mu_);
  rules_.push_back(ArmedRule{std::move(rule)});
}

void FaultFs::FailNth(uint32_t ops, std::string pattern, uint64_t n, uint64_t times,
                      rocksdb::IOStatus error) {
  FaultRule r;
  r.ops = ops;
  r.pattern = std::move(pattern);
  r.skip = n;
  r.times = times;
  r.error = std::move(error);
  AddRule(std::move(r));
}

void FaultFs::NoSpace(uint32_t ops, std::string pattern, uint64_t n, uint64_t times) {
  FailNth(ops, std::move(pattern), n, times,
          rocksdb::IOStatus::NoSpace("injected fault", "no space left on device"));
}

void FaultFs::FailRandomly(uint32_t ops, std::string pattern, double p, rocksdb::IOStatus error) {
  FaultRule r;
  r.ops = ops;
  r.pattern = std::move(pattern);
  r.times = 0;
  r.probability = p;
  r.error = std::move(error);
  AddRule(std::move(r));
}

void FaultFs::Clear() {
  std::lock_guard<std::mutex> lock(mu_);
  rules_.clear();
}

void FaultFs::SetObserver(Observer observer) {
  std::lock_guard<std::mutex> lock(mu_);
  observer_ = std::move(observer);
}

const char* FaultFs::OpName(FaultOp op) { return OpNameOf(op); }

void FaultFs::Reseed(uint64_t seed) {
  std::lock_guard<std::mutex> lock(mu_);
  rng_.seed(seed);
}

uint64_t FaultFs::Injected() const {
  std::lock_guard<std::mutex> lock(mu_);
  return injected_;
}

std::vector<std::string> FaultFs::Log() const {
  std::lock_guard<std::mutex> lock(mu_);
  return log_;
}

uint64_t FaultFs::Calls(uint32_t ops, const std::string& pattern) const {
  std::lock_guard<std::mutex> lock(mu_);
  uint64_t n = 0;
  for (const Count& c : calls_) {
    if ((c.op & ops) != 0 && c.path.find(pattern) != std::string::npos) ++n;
  }
  return n;
}

void FaultFs::ResetCounts() {
  std::lock_guard<std::mutex> lock(mu_);
  calls_.clear();
}

rocksdb::IOStatus FaultFs::Check(FaultOp op, const std::string& path, bool* corrupt) {
  std::lock_guard<std::mutex> lock(mu_);
  if (observer_) observer_(op, path);
  if (calls_.size() < (1u << 20)) calls_.push_back(Count{op, path});
  for (ArmedRule& a : rules_) {
    const FaultRule& r = a.rule;
    if ((r.ops & op) == 0) continue;
    if (!r.pattern.empty() && path.find(r.pattern) == std::string::npos) continue;
    if (a.seen++ < r.skip) continue;
    if (r.times != 0 && a.fired >= r.times) continue;
    if (r.probability < 1.0 &&
        std::uniform_real_distribution<double>(0.0, 1.0)(rng_) >= r.probability) {
      continue;
    }
    ++a.fired;
    ++injected_;
    const std::string base = path.substr(path.find_last_of('/') + 1);
    if (r.corrupt_read && op == kFaultRead && corrupt != nullptr) {
      log_.push_back(std::string("corrupt-read ") + base);
      *corrupt = true;
      return rocksdb::IOStatus::OK();
    }
    log_.push_back(std::string(OpNameOf(op)) + " " + base);
    // Named like the POSIX file system's errors: the message, then the
    // file.
    const std::string msg = r.error.getState() != nullptr ? r.error.getState() : "injected fault";
    return r.error.IsNoSpace() ? rocksdb::IOStatus::NoSpace(msg, path)
                               : rocksdb::IOStatus::IOError(msg, path);
  }
  return rocksdb::IOStatus::OK();
}

rocksdb::IOStatus FaultFs::NewSequentialFile(const std::string& f, const rocksdb::FileOptions& o,
                                             std::unique_ptr<rocksdb::FSSequentialFile>* r,
                                             rocksdb::IODebugContext* dbg) {
  rocksdb::IOStatus s = Check(kFaultOpenRead, f);
  if (!s.ok()) return s;
  std::unique_ptr<rocksdb::FSSequentialFile> file;
  s = target()->NewSequentialFile(f, o, &file, dbg);
  if (s.ok()) r->reset(new FaultSequentialFile(this, f, std::move(file)));
  return s;
}

rocksdb::IOStatus FaultFs::NewRandomAccessFile(const std::string& f, const rocksdb::FileOptions& o,
                                               std::unique_ptr<rocksdb::FSRandomAccessFile>* r,
                                               rocksdb::IODebugContext* dbg) {
  rocksdb::IOStatus s = Check(kFaultOpenRead, f);
  if (!s.ok()) return s;
  std::unique_ptr<rocksdb::FSRandomAccessFile> file;
  s = target()->NewRandomAccessFile(f, o, &file, dbg);
  if (s.ok()) r->reset(new FaultRandomAccessFile(this, f, std::move(file)));
  return s;
}

rocksdb::IOStatus FaultFs::NewWritableFile(const std::string& f, const rocksdb::FileOptions& o,
                                           std::unique_ptr<rocksdb::FSWritableFile>* r,
                                           rocksdb::IODebugContext* dbg) {
  rocksdb::IOStatus s = Check(kFaultCreate, f);
  if (!s.ok()) return s;
  std::unique_ptr<rocksdb::FSWritableFile> file;
  s = target()->NewWritableFile(f, o, &file, dbg);
  if (s.ok()) r->reset(new FaultWritableFile(this, f, std::move(file)));
  return s;
}

rocksdb::IOStatus FaultFs::ReopenWritableFile(const std::string& f, const rocksdb::FileOptions& o,
                                              std::unique_ptr<rocksdb::FSWritableFile>* r,
                                              rocksdb::IODebugContext* dbg) {
  rocksdb::IOStatus s = Check(kFaultCreate, f);
  if (!s.ok()) return s;
  std::unique_ptr<rocksdb::FSWritableFile> file;
  s = target()->ReopenWritableFile(f, o, &file, dbg);
  if (s.ok()) r->reset(new FaultWritableFile(this, f, std::move(file)));
  return s;
}

rocksdb::IOStatus FaultFs::ReuseWritableFile(const std::string& f, const std::string& old,
                                             const rocksdb::FileOptions& o,
                                             std::unique_ptr<rocksdb::FSWritableFile>* r,
                                             rocksdb::IODebugContext* dbg) {
  rocksdb::IOStatus s = Check(kFaultCreate, f);
  if (!s.ok()) return s;
  std::unique_ptr<rocksdb::FSWritableFile> file;
  s = target()->ReuseWritableFile(f, old, o, &file, dbg);
  if (s.ok()) r->reset(new FaultWritableFile(this, f, std::move(file)));
  return s;
}

rocksdb::IOStatus FaultFs::NewDirectory(const std::string& name, const rocksdb::IOOptions& o,
                                        std::unique_ptr<rocksdb::FSDirectory>* r,
                                        rocksdb::IODebugContext* dbg) {
  std::unique_ptr<rocksdb::FSDirectory> dir;
  rocksdb::IOStatus s = target()->NewDirectory(name, o, &dir, dbg);
  if (s.ok()) r->reset(new FaultDirectory(this, name, std::move(dir)));
  return s;
}

rocksdb::IOStatus FaultFs::RenameFile(const std::string& s, const std::string& t,
                                      const rocksdb::IOOptions& o, rocksdb::IODebugContext* dbg) {
  // Matched against "source -> target", so a pattern can name either.
  rocksdb::IOStatus st = Check(kFaultRename, s + " -> " + t);
  return st.ok() ? target()->RenameFile(s, t, o, dbg) : st;
}

rocksdb::IOStatus FaultFs::LinkFile(const std::string& s, const std::string& t,
                                    const rocksdb::IOOptions& o, rocksdb::IODebugContext* dbg) {
  rocksdb::IOStatus st = Check(kFaultLink, s + " -> " + t);
  return st.ok() ? target()->LinkFile(s, t, o, dbg) : st;
}

rocksdb::IOStatus FaultFs::DeleteFile(const std::string& f, const rocksdb::IOOptions& o,
                                      rocksdb::IODebugContext* dbg) {
  rocksdb::IOStatus s = Check(kFaultDelete, f);
  return s.ok() ? target()->DeleteFile(f, o, dbg) : s;
}

void FaultFs::SetFreeSpace(int64_t bytes) {
  std::lock_guard<std::mutex> l(mu_);
  free_space_ = bytes;
}

rocksdb::IOStatus FaultFs::GetFreeSpace(const std::string& path, const rocksdb::IOOptions& o,
                                        uint64_t* diskfree, rocksdb::IODebugContext* dbg) {
  {
    std::lock_guard<std::mutex> l(mu_);
    if (free_space_ >= 0) {
      *diskfree = static_cast<uint64_t>(free_space_);
      return rocksdb::IOStatus::OK();
    }
  }
  return target()->GetFreeSpace(path, o, diskfree, dbg);
}

}  // namespace metakv::test
