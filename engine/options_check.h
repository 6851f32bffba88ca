// Validation of Options and DomainOptions, and the translation of a domain's
// options into RocksDB column family options.
#ifndef METAKV_ENGINE_OPTIONS_CHECK_H_
#define METAKV_ENGINE_OPTIONS_CHECK_H_

#include <rocksdb/cache.h>
#include <rocksdb/options.h>

#include <memory>

#include "codecs/coding.h"

#include "metakv/options.h"
#include "metakv/status.h"

namespace metakv {

// InvalidArgument naming the first bad field, or OK.
// DomainOptions::tenant_shards is at most this.
constexpr uint32_t kMaxTenantShards = 64;

Status ValidateDomainName(std::string_view name);
Status ValidateOptions(const Options& options);

// The effective memtable bounds of a domain (resolving the 0 defaults).
uint64_t MinWriteBufferBytes(const DomainOptions& d);
uint64_t MaxWriteBufferBytes(const DomainOptions& d);

// Column family options for a domain; blocks are cached in cache.
rocksdb::ColumnFamilyOptions DomainColumnFamilyOptions(
    const DomainOptions& domain, const std::shared_ptr<rocksdb::Cache>& cache);

}  // namespace metakv

#endif  // METAKV_ENGINE_OPTIONS_CHECK_H_
