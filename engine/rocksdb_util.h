// Conversions between metakv's and RocksDB's types, in one place so the
// public headers need no RocksDB header.
#ifndef METAKV_ENGINE_ROCKSDB_UTIL_H_
#define METAKV_ENGINE_ROCKSDB_UTIL_H_

#include <rocksdb/options.h>
#include <rocksdb/status.h>

#include <cstdint>
#include <string_view>

#include "metakv/options.h"
#include "metakv/status.h"

namespace metakv {

// Converts a RocksDB status, prefixing its message with context (may be
// empty).
Status FromRocks(const rocksdb::Status& s, std::string_view context = {});

rocksdb::CompressionType ToRocks(Compression c);
std::string_view CompressionName(Compression c);
rocksdb::WALRecoveryMode ToRocks(WalRecoveryMode m);

// bytes * fraction, rounded down. REQUIRES: 0 <= fraction <= 1. As a double
// the product of a size near UINT64_MAX rounds up to 2^64, which does not
// convert back (undefined behaviour): such products give bytes itself.
uint64_t FractionOf(uint64_t bytes, double fraction);

// The memtable budget: memory_budget_bytes * memtable_budget_fraction, the
// WriteBufferManager's size, which the flush controller keeps every
// domain's memtables (two each) inside.
uint64_t MemtableBudgetBytes(const Options& options);

// The cap on the store's live WAL bytes, RocksDB's max_total_wal_size:
// kWalBudgetMultiple times the memtable budget (saturating).
//
// Why a cap, and why this one. A WAL file can be deleted only once every
// column family's writes in it are flushed, so a quiet domain holding a few
// unflushed writes pins every WAL file written since, however often a busy
// domain flushes. Past the cap RocksDB flushes the column families holding
// writes in the oldest WAL file (FlushReason::kWalFull, counted in
// DomainStats::wal_limit_flushes): that is the only way a storm in one
// domain flushes another, once per cap of WAL bytes written. Without a cap
// RocksDB takes 4 times the sum of every column family's write_buffer_size
// * max_write_buffer_number, the default column family's 64 MiB memtables
// (metakv keeps only small records there) included, so a store with a
// 1 MiB budget could keep over 512 MiB of WAL, replayed at every open, and
// the bound moved with the flush controller's memtable sizes. Four budgets
// bound WAL space and replay to a fixed multiple of what the memtables may
// hold. The flush controller keeps one domain's memtable at most half the
// budget, so a storming domain flushes at least 8 times for each forced
// flush of a quiet one, and the quiet one (one L0 file per forced flush)
// is compacted once per trigger x 4 budgets of WAL written (with the
// default trigger of 4, every 16 budgets).
inline constexpr uint64_t kWalBudgetMultiple = 4;
uint64_t StoreMaxTotalWalBytes(const Options& options);

// The DB-wide settings every open of a store (and RepairStore) shares:
// the Env hook, the WAL recovery mode, the log level and the WAL cap.
void ApplyStoreDbOptions(const Options& options, rocksdb::DBOptions* db_options);

}  // namespace metakv

#endif  // METAKV_ENGINE_ROCKSDB_UTIL_H_
