// metakv::RepairStore (include/metakv/repair.h).
#include "metakv/repair.h"

#include <rocksdb/cache.h>
#include <rocksdb/db.h>

#include <filesystem>
#include <string>
#include <vector>

#include "engine/options_check.h"
#include "engine/rocksdb_util.h"

namespace metakv {

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
    descriptors.emplace_back(d.name, DomainColumnFamilyOptions(d, cache));
  }
  rocksdb::Status rs =
      rocksdb::RepairDB(path, db_options, descriptors, rocksdb::ColumnFamilyOptions());
  return FromRocks(rs, path + ": RepairStore");
}

}  // namespace metakv
