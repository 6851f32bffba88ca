// FaultFs: a rocksdb::FileSystemWrapper that makes chosen file operations
// fail, for fault-injection tests of a Store (Options::rocksdb_env).
//
// A rule names the operations it covers (a mask of FaultOp), the files (a
// substring of the full path: ".log" for WAL files, "MANIFEST", "OPTIONS",
// ".sst", "metakv-ingest/" for cold-ingest staging files, "CURRENT" ...),
// and when it fires: after letting `skip` matching calls pass, it fails the
// next `times` matching calls (0: every one from then on), each with
// `probability` (drawn from the FaultFs's seeded generator, so a seed
// replays the same faults for the same sequence of calls). The error is
// IOStatus::IOError by default; NoSpace() gives ENOSPC. A read rule may
// instead hand back the data with one bit flipped (corrupt_read), to check
// that damaged data is reported, never returned.
//
// Thread-safe: RocksDB calls it from its background threads. Clear() lifts
// every fault; Injected() counts the faults injected so far and Log() names
// them ("write 000012.log", ...). An observer (SetObserver) sees every call
// before it is decided and made, on the calling thread: a crash test can
// end the process at a chosen file operation.
#ifndef METAKV_TESTS_FAULT_FS_H_
#define METAKV_TESTS_FAULT_FS_H_

#include <rocksdb/env.h>
#include <rocksdb/file_system.h>
#include <rocksdb/io_status.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <random>
#include <string>
#include <vector>

namespace metakv::test {

enum FaultOp : uint32_t {
  kFaultCreate = 1u << 0,    // NewWritableFile, ReopenWritableFile, ReuseWritableFile
  kFaultWrite = 1u << 1,     // Append, PositionedAppend, Truncate
  kFaultSync = 1u << 2,      // Sync, Fsync, RangeSync (and directory fsync)
  kFaultRename = 1u << 3,    // RenameFile (target or source matching)
  kFaultLink = 1u << 4,      // LinkFile (hard links: cold ingest's move_files)
  kFaultRead = 1u << 5,      // Read, PositionedRead, MultiRead of any file
  kFaultOpenRead = 1u << 6,  // NewRandomAccessFile, NewSequentialFile
  kFaultDelete = 1u << 7,    // DeleteFile
  kFaultAnyWrite = kFaultCreate | kFaultWrite | kFaultSync | kFaultRename | kFaultLink,
};

struct FaultRule {
  uint32_t ops = 0;
  std::string pattern;  // substring of the path; empty matches every file
  uint64_t skip = 0;    // matching calls let through before the rule arms
  uint64_t times = 1;   // failures once armed; 0 = unlimited
  double probability = 1.0;
  rocksdb::IOStatus error = rocksdb::IOStatus::IOError("injected fault");
  bool corrupt_read = false;  // reads: flip a bit instead of failing
};

class FaultFs : public rocksdb::FileSystemWrapper {
 public:
  explicit FaultFs(uint64_t seed = 1,
                   std::shared_ptr<rocksdb::FileSystem> base = rocksdb::FileSystem::Default());

  const char* Name() const override { return "metakv-test-FaultFs"; }

  // An Env over this file system, for Options::rocksdb_env.
  static std::shared_ptr<rocksdb::Env> MakeEnv(const std::shared_ptr<FaultFs>& fs);

  void AddRule(FaultRule rule);
  // Shorthands: fail the (n+1)th matching call (n = 0: the next one).
  void FailNth(uint32_t ops, std::string pattern, uint64_t n = 0, uint64_t times = 1,
               rocksdb::IOStatus error = rocksdb::IOStatus::IOError("injected fault"));
  void NoSpace(uint32_t ops, std::string pattern, uint64_t n = 0, uint64_t times = 0);
  // Random faults: each matching call fails with probability p.
  void FailRandomly(uint32_t ops, std::string pattern, double p,
                    rocksdb::IOStatus error = rocksdb::IOStatus::IOError("injected fault"));
  // What GetFreeSpace reports: bytes (< 0: the real file system's answer,
  // the default). RocksDB's recovery from a full disk polls it (every 5 s)
  // and resumes once there is room, so a test of a full disk sets it to 0
  // with its NoSpace rules and back once the disk "has room again".
  void SetFreeSpace(int64_t bytes);
  // Lifts every fault (the free space stays as set).
  void Clear();
  void Reseed(uint64_t seed);
  // Called with every operation and its file before the operation is
  // decided and made (under the FaultFs's lock: it must not call back into
  // the FaultFs). Null: none.
  using Observer = std::function<void(FaultOp op, const std::string& path)>;
  void SetObserver(Observer observer);
  // "create", "write", "sync", ... for messages.
  static const char* OpName(FaultOp op);

  uint64_t Injected() const;
  std::vector<std::string> Log() const;
  // Calls seen (faulted or not) of ops on files matching pattern, since
  // the last ResetCounts.
  uint64_t Calls(uint32_t ops, const std::string& pattern) const;
  void ResetCounts();

  // The decision for one call: OK, or the error to return. *corrupt (if
  // given) is set instead of an error for a corrupt_read rule.
  rocksdb::IOStatus Check(FaultOp op, const std::string& path, bool* corrupt = nullptr);

  // ---- FileSystem ----
  rocksdb::IOStatus NewSequentialFile(const std::string& f, const rocksdb::FileOptions& o,
                                      std::unique_ptr<rocksdb::FSSequentialFile>* r,
                                      rocksdb::IODebugContext* dbg) override;
  rocksdb::IOStatus NewRandomAccessFile(const std::string& f, const rocksdb::FileOptions& o,
                                        std::unique_ptr<rocksdb::FSRandomAccessFile>* r,
                                        rocksdb::IODebugContext* dbg) override;
  rocksdb::IOStatus NewWritableFile(const std::string& f, const rocksdb::FileOptions& o,
                                    std::unique_ptr<rocksdb::FSWritableFile>* r,
                                    rocksdb::IODebugContext* dbg) override;
  rocksdb::IOStatus ReopenWritableFile(const std::string& f, const rocksdb::FileOptions& o,
                                       std::unique_ptr<rocksdb::FSWritableFile>* r,
                                       rocksdb::IODebugContext* dbg) override;
  rocksdb::IOStatus ReuseWritableFile(const std::string& f, const std::string& old,
                                      const rocksdb::FileOptions& o,
                                      std::unique_ptr<rocksdb::FSWritableFile>* r,
                                      rocksdb::IODebugContext* dbg) override;
  rocksdb::IOStatus NewDirectory(const std::string& name, const rocksdb::IOOptions& o,
                                 std::unique_ptr<rocksdb::FSDirectory>* r,
                                 rocksdb::IODebugContext* dbg) override;
  rocksdb::IOStatus RenameFile(const std::string& s, const std::string& t,
                               const rocksdb::IOOptions& o, rocksdb::IODebugContext* dbg) override;
  rocksdb::IOStatus LinkFile(const std::string& s, const std::string& t,
                             const rocksdb::IOOptions& o, rocksdb::IODebugContext* dbg) override;
  rocksdb::IOStatus DeleteFile(const std::string& f, const rocksdb::IOOptions& o,
                               rocksdb::IODebugContext* dbg) override;
  rocksdb::IOStatus GetFreeSpace(const std::string& path, const rocksdb::IOOptions& o,
                                 uint64_t* diskfree, rocksdb::IODebugContext* dbg) override;

 private:
  struct ArmedRule {
    FaultRule rule;
    uint64_t seen = 0;
    uint64_t fired = 0;
  };
  struct Count {
    FaultOp op;
    std::string path;
  };

  mutable std::mutex mu_;
  std::vector<ArmedRule> rules_;  // GUARDED_BY(mu_)
  std::mt19937_64 rng_;           // GUARDED_BY(mu_)
  uint64_t injected_ = 0;         // GUARDED_BY(mu_)
  std::vector<std::string> log_;  // GUARDED_BY(mu_)
  std::vector<Count> calls_;      // GUARDED_BY(mu_)
  Observer observer_;             // GUARDED_BY(mu_)
  int64_t free_space_ = -1;       // GUARDED_BY(mu_)
};

}  // namespace metakv::test

#endif  // METAKV_TESTS_FAULT_FS_H_
