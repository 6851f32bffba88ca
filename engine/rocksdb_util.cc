#include "engine/rocksdb_util.h"

#include <algorithm>
#include <cstdint>
#include <string>

namespace metakv {

Status FromRocks(const rocksdb::Status& s, std::string_view context) {
  if (s.ok()) return Status::OK();
  std::string msg(context);
  if (!msg.empty()) msg += ": ";
  msg += s.ToString();
  switch (s.code()) {
    case rocksdb::Status::kNotFound:
      return Status::NotFound(msg);
    case rocksdb::Status::kCorruption:
      return Status::Corruption(msg);
    case rocksdb::Status::kNotSupported:
      return Status::NotSupported(msg);
    case rocksdb::Status::kInvalidArgument:
      return Status::InvalidArgument(msg);
    case rocksdb::Status::kBusy:
    case rocksdb::Status::kTryAgain:
      return Status::Busy(msg);
    case rocksdb::Status::kAborted:
    case rocksdb::Status::kShutdownInProgress:
    case rocksdb::Status::kIncomplete:
      return Status::Aborted(msg);
    case rocksdb::Status::kExpired:
    case rocksdb::Status::kTimedOut:
      return Status::Expired(msg);
    default:
      return Status::IOError(msg);
  }
}

rocksdb::CompressionType ToRocks(Compression c) {
  switch (c) {
    case Compression::kNone:
      return rocksdb::kNoCompression;
    case Compression::kSnappy:
      return rocksdb::kSnappyCompression;
    case Compression::kZstd:
      return rocksdb::kZSTD;
    case Compression::kLz4:
      return rocksdb::kLZ4Compression;
  }
  return rocksdb::kNoCompression;
}

std::string_view CompressionName(Compression c) {
  switch (c) {
    case Compression::kNone:
      return "none";
    case Compression::kSnappy:
      return "snappy";
    case Compression::kZstd:
      return "zstd";
    case Compression::kLz4:
      return "lz4";
  }
  return "unknown";
}

rocksdb::WALRecoveryMode ToRocks(WalRecoveryMode m) {
  switch (m) {
    case WalRecoveryMode::kTolerateCorruptedTailRecords:
      return rocksdb::WALRecoveryMode::kTolerateCorruptedTailRecords;
    case WalRecoveryMode::kAbsoluteConsistency:
      return rocksdb::WALRecoveryMode::kAbsoluteConsistency;
    case WalRecoveryMode::kPointInTime:
      return rocksdb::WALRecoveryMode::kPointInTimeRecovery;
    case WalRecoveryMode::kSkipAnyCorruptedRecords:
      return rocksdb::WALRecoveryMode::kSkipAnyCorruptedRecords;
  }
  return rocksdb::WALRecoveryMode::kTolerateCorruptedTailRecords;
}

uint64_t FractionOf(uint64_t bytes, double fraction) {
  const double v = static_cast<double>(bytes) * fraction;
  return v >= static_cast<double>(bytes) ? bytes : static_cast<uint64_t>(v);
}

uint64_t MemtableBudgetBytes(const Options& options) {
  return FractionOf(options.memory_budget_bytes, options.memtable_budget_fraction);
}

size_t ArenaBlockBytes(uint64_t write_buffer_bytes, uint64_t budget, size_t column_families) {
  // RocksDB's own choice for arena_block_size = 0 (SanitizeOptions).
  const uint64_t rocks_default = std::min<uint64_t>(1ull << 20, write_buffer_bytes / 8);
  if (budget == 0 || column_families == 0) return static_cast<size_t>(rocks_default);
  uint64_t cap = budget / 8 / column_families;
  cap -= cap % 4096;  // whole pages
  cap = std::max(cap, kMinArenaBlockBytes);
  return static_cast<size_t>(std::min(rocks_default, cap));
}

uint64_t ShardedWriteBufferCap(uint64_t budget) {
  if (budget == 0) return UINT64_MAX;
  constexpr uint64_t kStep = 64ull << 10;
  const uint64_t third = budget / 3;
  return std::max(kStep, third - third % kStep);
}

uint64_t StoreMaxTotalWalBytes(const Options& options) {
  const uint64_t budget = MemtableBudgetBytes(options);
  return budget > UINT64_MAX / kWalBudgetMultiple ? UINT64_MAX : budget * kWalBudgetMultiple;
}

void ApplyStoreDbOptions(const Options& options, rocksdb::DBOptions* db_options) {
  if (options.rocksdb_env) db_options->env = options.rocksdb_env.get();
  db_options->max_total_wal_size = StoreMaxTotalWalBytes(options);
  db_options->wal_recovery_mode = ToRocks(options.wal_recovery_mode);
  db_options->info_log_level = static_cast<rocksdb::InfoLogLevel>(options.info_log_level);
}

}  // namespace metakv
