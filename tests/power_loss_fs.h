// PowerLossFs: a rocksdb::FileSystemWrapper that can simulate a power cut,
// for crash tests of a Store (Options::rocksdb_env) that a SIGKILL cannot
// make: a killed process loses nothing the kernel holds, a machine that
// loses power loses everything not synced.
//
// It records, for every file written through it, how many bytes were
// written and how many of them a Sync or Fsync made durable, and for every
// directory, the entry changes (file and directory creations, renames,
// hard links) made since the directory was last fsynced. CutPower() then
// brings the real files to a state a power cut may leave:
//   - every file is truncated to its last synced length (kDropUnsynced), or
//     to that length plus a random prefix of the unsynced tail
//     (kRandomTail: the disk wrote part of the page cache before the cut);
//   - every entry change whose directory was not fsynced afterwards is
//     undone, newest first: a created file or directory is removed, a
//     rename is moved back (restoring the file it replaced), a link goes.
// From then on every call fails with IOError("power is off"), so the store
// above sees a dead disk until it is closed; the files on disk are what a
// later Open (through another file system) finds.
//
// Not modelled: a deletion is durable at once (a real file system may bring
// back a file deleted after the last directory sync; RocksDB and metakv
// ignore or delete such leftovers at open), sync_file_range (RangeSync)
// makes nothing durable, and metadata such as sizes of files opened before
// this file system saw them is taken as durable. Files that existed before
// are durable as they are.
//
// CutAt(n) arms a cut just before the (n+1)th mutating call (a create,
// write, sync, rename, link, delete or directory creation) from now: that
// call and every later one fail. A callback (SetOnCut) runs right after a
// cut, under the file system's lock, on the cutting thread: metakv-stress
// ends the process there, as a power cut would. Mutating calls hold a
// shared lock for their whole length and CutPower an exclusive one, so a
// cut never lands in the middle of a call; once a cut has begun, new calls
// wait for it (and then fail), so a busy store cannot hold it off.
//
// Thread-safe. Paths are compared as given by RocksDB and metakv after
// lexical normalisation; use one spelling of the database path.
#ifndef METAKV_TESTS_POWER_LOSS_FS_H_
#define METAKV_TESTS_POWER_LOSS_FS_H_

#include <rocksdb/env.h>
#include <rocksdb/file_system.h>
#include <rocksdb/io_status.h>

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <random>
#include <shared_mutex>
#include <string>
#include <vector>

namespace metakv::test {

class PowerLossFs : public rocksdb::FileSystemWrapper {
 public:
  enum class Tail { kDropUnsynced, kRandomTail };

  explicit PowerLossFs(uint64_t seed = 1,
                       std::shared_ptr<rocksdb::FileSystem> base = rocksdb::FileSystem::Default());

  const char* Name() const override { return "metakv-test-PowerLossFs"; }

  // An Env over this file system, for Options::rocksdb_env.
  static std::shared_ptr<rocksdb::Env> MakeEnv(const std::shared_ptr<PowerLossFs>& fs);

  void SetTail(Tail tail);
  // Cuts the power just before the (n+1)th mutating call from now
  // (n = 0: the next one). Replaces an earlier arming.
  void CutAt(uint64_t n);
  // Cuts the power at the next mutating call made while a file whose path
  // contains pattern holds unsynced data (".log": between a WAL write and
  // its sync, where unsynced writes are lost). Replaces an earlier arming.
  void CutWhenUnsynced(std::string pattern);
  void Disarm();
  // Runs after a cut (see the file comment), given Report() and
  // mutating_calls() (it must not call back into the file system). Null:
  // none.
  using OnCut = std::function<void(const std::string& report, uint64_t calls)>;
  void SetOnCut(OnCut on_cut);
  // Cuts the power now. Idempotent. The summary of what the cut undid
  // ("truncated 000012.log 4096 -> 0; removed 000013.sst ...") is kept for
  // Report().
  void CutPower();
  bool off() const;
  std::string Report() const;
  // Mutating calls seen so far (counted whether or not they were made).
  uint64_t mutating_calls() const;

  // ---- Bookkeeping, called by the wrapped files and directories ----
  // Each returns an error once the power is off (or cuts it first when the
  // call is the armed one). While the returned guard is held, no cut runs.
  rocksdb::IOStatus Enter(std::shared_lock<std::shared_mutex>* guard);
  rocksdb::IOStatus CheckOn() const;
  void NoteWrite(const std::string& path, uint64_t end_offset, bool truncate);
  // The bytes written to path so far (0 if not written through here).
  uint64_t Written(const std::string& path) const;
  // A sync that began when upto bytes were written has ended.
  void NoteSync(const std::string& path, uint64_t upto);
  void NoteDirSync(const std::string& dir);
  // A file written through here was closed: after a cut, puts back the
  // length the cut left (closing may have extended it).
  void AfterClose(const std::string& path);

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
  rocksdb::IOStatus NewRandomRWFile(const std::string& f, const rocksdb::FileOptions& o,
                                    std::unique_ptr<rocksdb::FSRandomRWFile>* r,
                                    rocksdb::IODebugContext* dbg) override;
  rocksdb::IOStatus NewDirectory(const std::string& name, const rocksdb::IOOptions& o,
                                 std::unique_ptr<rocksdb::FSDirectory>* r,
                                 rocksdb::IODebugContext* dbg) override;
  rocksdb::IOStatus CreateDir(const std::string& d, const rocksdb::IOOptions& o,
                              rocksdb::IODebugContext* dbg) override;
  rocksdb::IOStatus CreateDirIfMissing(const std::string& d, const rocksdb::IOOptions& o,
                                       rocksdb::IODebugContext* dbg) override;
  rocksdb::IOStatus RenameFile(const std::string& s, const std::string& t,
                               const rocksdb::IOOptions& o, rocksdb::IODebugContext* dbg) override;
  rocksdb::IOStatus LinkFile(const std::string& s, const std::string& t,
                             const rocksdb::IOOptions& o, rocksdb::IODebugContext* dbg) override;
  rocksdb::IOStatus DeleteFile(const std::string& f, const rocksdb::IOOptions& o,
                               rocksdb::IODebugContext* dbg) override;
  rocksdb::IOStatus DeleteDir(const std::string& d, const rocksdb::IOOptions& o,
                              rocksdb::IODebugContext* dbg) override;
  rocksdb::IOStatus Truncate(const std::string& f, size_t size, const rocksdb::IOOptions& o,
                             rocksdb::IODebugContext* dbg) override;
  rocksdb::IOStatus GetChildren(const std::string& dir, const rocksdb::IOOptions& o,
                                std::vector<std::string>* r, rocksdb::IODebugContext* dbg) override;
  rocksdb::IOStatus FileExists(const std::string& f, const rocksdb::IOOptions& o,
                               rocksdb::IODebugContext* dbg) override;

 private:
  // An unsynced change of one directory entry.
  struct EntryChange {
    enum Kind { kCreate, kMkdir, kRename, kLink } kind = kCreate;
    std::string path;       // the entry created (kCreate, kMkdir, kLink) or renamed to
    std::string from;       // kRename: the old name
    bool replaced = false;  // kRename: path held a file before
    std::string replaced_data;
  };
  struct FileState {
    uint64_t written = 0;  // the length the writers made it
    uint64_t synced = 0;   // the durable prefix
  };

  static std::string Normal(const std::string& path);
  static std::string Parent(const std::string& path);
  // REQUIRES: mu_ held.
  void NoteEntry(EntryChange change);
  void NoteEntry(EntryChange::Kind kind, const std::string& path, const std::string& from = {});
  void CutLocked();
  void Undo(const EntryChange& c);
  void Chop(const std::string& path, uint64_t length);
  // Wraps a file just opened for writing (if s is OK) and records it.
  rocksdb::IOStatus Track(const std::string& f, rocksdb::IOStatus s,
                          std::unique_ptr<rocksdb::FSWritableFile>* r, bool created);

  std::shared_mutex cut_mu_;  // shared by calls in flight, exclusive for the cut
  mutable std::mutex mu_;
  std::map<std::string, FileState> files_;  // GUARDED_BY(mu_)
  // Entry changes not yet made durable by a sync of their directory,
  // oldest first.
  std::vector<EntryChange> pending_;  // GUARDED_BY(mu_)
  std::mt19937_64 rng_;             // GUARDED_BY(mu_)
  Tail tail_ = Tail::kDropUnsynced; // GUARDED_BY(mu_)
  bool off_ = false;                // GUARDED_BY(mu_)
  bool cutting_ = false;            // GUARDED_BY(mu_): a cut waits for calls in flight
  std::condition_variable cut_done_;  // new calls wait on it while cutting_
  int64_t cut_in_ = -1;             // GUARDED_BY(mu_): calls left before the cut; -1 none
  bool cut_unsynced_ = false;       // GUARDED_BY(mu_): CutWhenUnsynced armed
  std::string unsynced_pattern_;    // GUARDED_BY(mu_)
  uint64_t mutating_ = 0;           // GUARDED_BY(mu_)
  OnCut on_cut_;                    // GUARDED_BY(mu_)
  std::string report_;              // GUARDED_BY(mu_)
  std::map<std::string, uint64_t> chopped_;  // GUARDED_BY(mu_): lengths the cut left
};

}  // namespace metakv::test

#endif  // METAKV_TESTS_POWER_LOSS_FS_H_
