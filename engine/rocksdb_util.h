// Conversions between metakv's and RocksDB's types, in one place so the
// public headers need no RocksDB header.
#ifndef METAKV_ENGINE_ROCKSDB_UTIL_H_
#define METAKV_ENGINE_ROCKSDB_UTIL_H_

#include <rocksdb/options.h>
#include <rocksdb/status.h>

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

// The DB-wide settings every open of a store (and RepairStore) shares:
// the Env hook and the WAL recovery mode.
void ApplyStoreDbOptions(const Options& options, rocksdb::DBOptions* db_options);

}  // namespace metakv

#endif  // METAKV_ENGINE_ROCKSDB_UTIL_H_
