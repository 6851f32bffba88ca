// The "rocksdb" engine: stock RocksDB as a user would run it, for
// comparison. One default column family, leveled compaction, RocksDB's
// defaults except: create_if_missing; write_buffer_size,
// target_file_size_base and max_bytes_for_level_base from the flags; the
// flag's compression on every level (bottommost included); an LRU block
// cache of --memory_budget bytes with a WriteBufferManager charging
// memtables to it, capped at the same share of the budget metakv gives its
// memtables (Options::memtable_budget_fraction), so memtables plus cache
// stay within --memory_budget as in metakv; statistics on. No bloom filter
// (RocksDB's default).
//
// Keys are tenant + user key concatenated; values are stored as given.
// Deletes are plain Deletes. A Scan of one tenant iterates the tenant's
// prefix and skips records of longer tenants sharing it ("t1" vs "t10").
// Device bytes are the FLUSH_WRITE_BYTES and COMPACT_WRITE_BYTES tickers;
// WAL bytes the WAL_FILE_BYTES ticker.
//
// Bulk deletes are what a stock user must write (Engine::RemoveTree,
// RestoreTree, RemoveTenant): recycle-bin markers over every record of a
// tree, deleted by the purge job after retention, or a point delete of every
// record (one DeleteRange per key range with --stock_delete=range);
// StoredBytes is GetApproximateSizes (files and memtables).
#ifndef METAKV_BENCH_ROCKSDB_ENGINE_H_
#define METAKV_BENCH_ROCKSDB_ENGINE_H_

#include <memory>
#include <string>

#include "bench/engine.h"
#include "bench/flags.h"

namespace metakv::bench {

// Opens (creating) a RocksDB database in dir. IOError or InvalidArgument
// with RocksDB's message on failure.
// Opens stock RocksDB: leveled compaction, or universal if universal.
Status OpenRocksdbEngine(const BenchConfig& config, const std::string& dir, bool universal,
                         std::unique_ptr<Engine>* out);

}  // namespace metakv::bench

#endif  // METAKV_BENCH_ROCKSDB_ENGINE_H_
