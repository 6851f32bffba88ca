// metakv::RepairStore (include/metakv/repair.h).
#include "metakv/repair.h"

#include <rocksdb/cache.h>
#include <rocksdb/db.h>

#include <filesystem>
#include <string>
#include <utility>
#include <vector>

#include "engine/options_check.h"
#include "engine/catalogue.h"
#include "engine/rocksdb_util.h"

namespace metakv {
namespace {

// RocksDB's repair replays a WAL only into the column families it already
// knows from SST files: the writes of a domain that has none yet (never
// flushed) would be dropped. So if RocksDB can open the store as it is,
// every domain is flushed first; a store it cannot open is repaired as it
// is (repair.h says what that can cost).
void FlushIfItOpens(const std::string& path, const rocksdb::DBOptions& db_options,
                    const std::vector<rocksdb::ColumnFamilyDescriptor>& descriptors) {
  rocksdb::DBOptions open_options = db_options;
  open_options.create_missing_column_families = false;
  rocksdb::DB* db = nullptr;
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  if (!rocksdb::DB::Open(open_options, path, descriptors, &handles, &db).ok()) return;
  rocksdb::FlushOptions flush;
  flush.wait = true;
  db->Flush(flush, handles).PermitUncheckedError();  // the repair follows either way
  for (rocksdb::ColumnFamilyHandle* h : handles)
    db->DestroyColumnFamilyHandle(h).PermitUncheckedError();
  db->Close().PermitUncheckedError();
  delete db;
}

// RocksDB's repair rebuilds only the column families it finds files of:
// a domain that held nothing comes out without one, and a read-only open
// refuses the store then. Recreated here, empty, as the catalogue says.
Status RecreateEmptyDomains(const std::string& path, const rocksdb::DBOptions& db_options,
                            std::vector<rocksdb::ColumnFamilyDescriptor> descriptors) {
  rocksdb::DBOptions open_options = db_options;
  open_options.create_missing_column_families = true;
  for (auto& d : descriptors) d.options.disable_auto_compactions = true;
  rocksdb::DB* db = nullptr;
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  rocksdb::Status rs = rocksdb::DB::Open(open_options, path, descriptors, &handles, &db);
  if (!rs.ok()) return FromRocks(rs, path + ": RepairStore: recreating empty domains");
  for (rocksdb::ColumnFamilyHandle* h : handles) {
    db->DestroyColumnFamilyHandle(h).PermitUncheckedError();
  }
  rs = db->Close();
  delete db;
  return FromRocks(rs, path + ": RepairStore: recreating empty domains");
}

}  // namespace

Status RepairStore(const Options& options, std::string_view path_view) {
  Status s = ValidateOptions(options);
  if (!s.ok()) return s;
  const std::string path(path_view);
  if (path.empty()) return Status::InvalidArgument("empty database path");
  if (options.read_only) {
    return Status::InvalidArgument(path + ": RepairStore rewrites the store; read_only is set");
  }
  std::error_code ec;
  if (!std::filesystem::is_directory(path, ec)) {
    return Status::InvalidArgument(path + ": no store directory to repair");
  }
  rocksdb::DBOptions db_options;
  ApplyStoreDbOptions(options, &db_options);
  db_options.create_if_missing = false;
  // Tables are written with the domains' own options (table format, bloom
  // filters, metakv's table properties), so the repaired files look like
  // any other. The compaction filter is left out: repair never compacts.
  auto cache = rocksdb::NewLRUCache(8 << 20);
  std::vector<rocksdb::ColumnFamilyDescriptor> descriptors;
  descriptors.emplace_back(rocksdb::kDefaultColumnFamilyName, rocksdb::ColumnFamilyOptions());
  for (const DomainOptions& d : options.domains) {
    for (uint32_t shard = 0; shard < ShardsOf(d); ++shard) {
      descriptors.emplace_back(ShardColumnFamily(d.name, shard), DomainColumnFamilyOptions(d, cache));
    }
  }
  FlushIfItOpens(path, db_options, descriptors);
  rocksdb::Status rs =
      rocksdb::RepairDB(path, db_options, descriptors, rocksdb::ColumnFamilyOptions());
  if (!rs.ok()) return FromRocks(rs, path + ": RepairStore");
  return RecreateEmptyDomains(path, db_options, std::move(descriptors));
}

}  // namespace metakv
