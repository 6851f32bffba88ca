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

// The arena block size of a column family's memtables (RocksDB's
// arena_block_size), for a store of `column_families` column families
// sharing a memtable budget of `budget` bytes (0: no budget).
//
// Why not RocksDB's default. A memtable that holds one entry already holds
// one arena block, write_buffer_size / 8 by default (at most 1 MiB), and the
// write buffer manager charges whole blocks. It asks for a flush once the
// mutable memtables hold 7/8 of the budget. With tenant shards a domain has
// many column families: 16 shards of 4 MiB memtables hold 8 MiB in first
// blocks alone, above a 6 MiB budget, so every write asked for a flush and
// RocksDB flushed memtables of a few KiB without end. The block is capped
// so that one block of every column family fits in an eighth of the budget,
// at least kMinArenaBlockBytes; below that cap RocksDB's default stands.
inline constexpr uint64_t kMinArenaBlockBytes = 16ull << 10;
size_t ArenaBlockBytes(uint64_t write_buffer_bytes, uint64_t budget, size_t column_families);

// The memtable size of every column family of a store with tenant shards
// (some DomainOptions::tenant_shards > 1): each domain's write_buffer_bytes,
// and its min and max, are capped at a third of the memtable budget
// (`budget`; 0: no cap), in whole 64 KiB, at least 64 KiB. A store without
// shards is left as declared.
//
// Why. The write buffer manager flushes once the mutable memtables hold 7/8
// of the budget, and it flushes the column family with the oldest memtable,
// which among shards is a quiet one holding a few KiB. A busy shard never
// fills its own memtable if that is larger than the room the others leave:
// with 16 shards and a history domain of 4 MiB memtables under a 6 MiB
// budget, the service shape flushed shards of 220 KiB on average (616 MiB
// written), and 390 KiB with every memtable at 2 MiB (420 MiB).
uint64_t ShardedWriteBufferCap(uint64_t budget);

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
