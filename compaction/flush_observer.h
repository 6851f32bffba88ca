// FlushObserver: an EventListener that tells the flush controller, per
// column family, how much each memtable absorbed before it was flushed
// (entries inserted vs entries written to the flushed file).
//
// What RocksDB 7.8 reports, and how it is paired: OnMemTableSealed gives a
// sealed memtable's entry count (every insert, overwrites included) and the
// sequence number of its first entry; OnFlushCompleted gives the flushed
// file's TableProperties (num_entries after overwrites were collapsed) and
// the largest sequence number in it. A flush persists every sealed memtable
// whose first sequence number is at most the file's largest one, so those
// are summed as the flush's input. Entries, not bytes, are compared: flushed
// files are compressed and carry per-entry overhead, entry counts do not.
//
// Thread-safety: callbacks come from RocksDB's threads; Get may be called
// from any thread. One mutex guards the per-column-family state; no callback
// calls back into the database.
#ifndef METAKV_COMPACTION_FLUSH_OBSERVER_H_
#define METAKV_COMPACTION_FLUSH_OBSERVER_H_

#include <rocksdb/listener.h>

#include <cstdint>
#include <deque>
#include <map>
#include <mutex>
#include <string>

namespace metakv {

class FlushObserver : public rocksdb::EventListener {
 public:
  // Figures of one column family since the observer was created.
  struct Figures {
    uint64_t flushes = 0;  // completed successfully
    // Over the last `recent_flushes` flushes with a known input:
    uint64_t recent_entries_in = 0;   // entries inserted into their memtables
    uint64_t recent_entries_out = 0;  // entries they wrote
  };

  // recent_flushes: how many of the latest flushes absorption is judged
  // over. REQUIRES: recent_flushes >= 1.
  explicit FlushObserver(size_t recent_flushes = 4);

  // The figures of column family cf_name (all zero if nothing was seen).
  Figures Get(const std::string& cf_name) const;

  const char* Name() const override { return "metakv.FlushObserver"; }
  void OnMemTableSealed(const rocksdb::MemTableInfo& info) override;
  void OnFlushCompleted(rocksdb::DB* db, const rocksdb::FlushJobInfo& info) override;

 private:
  struct Sealed {
    uint64_t first_seqno;
    uint64_t entries;
  };
  struct Flushed {
    uint64_t in;
    uint64_t out;
  };
  struct PerCf {
    std::deque<Sealed> sealed;   // sealed, not yet flushed; oldest first
    std::deque<Flushed> recent;  // newest last, at most recent_flushes_
    Figures figures;
  };
  // Bound on unflushed sealed memtables remembered per column family.
  static constexpr size_t kMaxSealed = 64;

  const size_t recent_flushes_;
  mutable std::mutex mu_;
  std::map<std::string, PerCf> cfs_;  // GUARDED_BY(mu_)
};

}  // namespace metakv

#endif  // METAKV_COMPACTION_FLUSH_OBSERVER_H_
