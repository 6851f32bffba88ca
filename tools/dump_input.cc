#include "tools/dump_input.h"

#include <rocksdb/db.h>
#include <rocksdb/env.h>
#include <rocksdb/metadata.h>
#include <rocksdb/table.h>
#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <thread>

#include "common/format.h"
#include "engine/catalogue.h"

namespace metakv::tools {

namespace {

// Discards RocksDB's info log: a read-only open must not create files.
class NullLogger : public rocksdb::Logger {
 public:
  using rocksdb::Logger::Logv;
  void Logv(const char* /*format*/, va_list /*ap*/) override {}
};

// Open attempts before giving up: a concurrent writer may replace the
// MANIFEST or delete a WAL between our listing and our reading it.
constexpr int kOpenAttempts = 6;

struct Listing {
  bool has_catalogue = false;
  std::string catalogue_value;
  rocksdb::Status catalogue_error;  // Corruption reading the catalogue
  struct Family {
    std::string name;
    uint64_t unflushed_entries = 0;
    rocksdb::ColumnFamilyMetaData meta;
  };
  std::vector<Family> families;
};

rocksdb::DBOptions ReadOnlyDbOptions() {
  rocksdb::DBOptions o;
  o.create_if_missing = false;
  o.info_log = std::make_shared<NullLogger>();
  o.max_open_files = 64;  // do not open (and index) every table at open
  o.max_file_opening_threads = 1;
  o.skip_stats_update_on_db_open = true;
  o.skip_checking_sst_file_sizes_on_db_open = true;  // we check each file ourselves
  // Tolerate damaged or missing table files while recovering the MANIFEST;
  // each file is checked and reported on its own.
  o.paranoid_checks = false;
  return o;
}

rocksdb::ColumnFamilyOptions ReadOnlyCfOptions() {
  rocksdb::ColumnFamilyOptions o;
  rocksdb::BlockBasedTableOptions table;
  table.no_block_cache = true;
  o.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table));
  return o;
}

bool Transient(const rocksdb::Status& rs) {
  return rs.IsIOError() || rs.IsPathNotFound() || rs.IsNotFound() || rs.IsCorruption() ||
         rs.IsIncomplete() || rs.IsTryAgain() || rs.IsBusy();
}

Status FromRocksOpen(const std::string& path, const rocksdb::Status& rs) {
  const std::string msg = path + ": cannot open the database read-only: " + rs.ToString();
  if (rs.IsCorruption()) return Status::Corruption(msg);
  if (rs.IsInvalidArgument() || rs.IsNotSupported()) return Status::InvalidArgument(msg);
  return Status::IOError(msg);
}

rocksdb::Status ListOnce(const std::string& path, bool with_catalogue, Listing* out) {
  const rocksdb::DBOptions db_options = ReadOnlyDbOptions();
  std::vector<std::string> names;
  rocksdb::Status rs = rocksdb::DB::ListColumnFamilies(db_options, path, &names);
  if (!rs.ok()) return rs;
  std::vector<rocksdb::ColumnFamilyDescriptor> descriptors;
  const rocksdb::ColumnFamilyOptions cf_options = ReadOnlyCfOptions();
  for (const auto& name : names) descriptors.emplace_back(name, cf_options);
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  rocksdb::DB* raw = nullptr;
  rs = rocksdb::DB::OpenForReadOnly(db_options, path, descriptors, &handles, &raw);
  if (!rs.ok()) return rs;
  std::unique_ptr<rocksdb::DB> db(raw);
  Listing listing;
  for (size_t i = 0; i < handles.size(); ++i) {
    Listing::Family family;
    family.name = names[i];
    uint64_t v = 0;
    if (db->GetIntProperty(handles[i], rocksdb::DB::Properties::kNumEntriesActiveMemTable, &v)) {
      family.unflushed_entries += v;
    }
    if (db->GetIntProperty(handles[i], rocksdb::DB::Properties::kNumEntriesImmMemTables, &v)) {
      family.unflushed_entries += v;
    }
    db->GetColumnFamilyMetaData(handles[i], &family.meta);
    if (with_catalogue && names[i] == rocksdb::kDefaultColumnFamilyName) {
      rocksdb::ReadOptions ro;
      ro.verify_checksums = true;
      ro.fill_cache = false;
      rs = db->Get(ro, handles[i], std::string(kCatalogueKey), &listing.catalogue_value);
      if (rs.ok()) {
        listing.has_catalogue = true;
      } else if (rs.IsCorruption()) {
        // Reported with the files; the rest can still be read.
        listing.catalogue_error = rs;
      } else if (!rs.IsNotFound()) {
        for (auto* h : handles) db->DestroyColumnFamilyHandle(h).PermitUncheckedError();
        db->Close().PermitUncheckedError();
        return rs;
      }
    }
    listing.families.push_back(std::move(family));
  }
  for (auto* h : handles) db->DestroyColumnFamilyHandle(h).PermitUncheckedError();
  db->Close().PermitUncheckedError();
  *out = std::move(listing);
  return rocksdb::Status::OK();
}

rocksdb::Status ListWithRetries(const std::string& path, bool with_catalogue, Listing* out) {
  rocksdb::Status rs;
  for (int attempt = 0; attempt < kOpenAttempts; ++attempt) {
    if (attempt > 0) std::this_thread::sleep_for(std::chrono::milliseconds(10 << attempt));
    rs = ListOnce(path, with_catalogue, out);
    if (rs.ok() || !Transient(rs)) return rs;
  }
  return rs;
}

Status ResolveDatabase(const std::string& path, bool decode, DumpInput* input) {
  struct stat st {};
  const std::string current = path + "/CURRENT";
  if (stat(current.c_str(), &st) != 0) {
    return Status::InvalidArgument(path + ": a directory but not a database (no CURRENT file)");
  }
  Listing listing;
  const rocksdb::Status rs = ListWithRetries(path, /*with_catalogue=*/true, &listing);
  if (!rs.ok()) return FromRocksOpen(path, rs);
  if (decode && !listing.has_catalogue && listing.catalogue_error.ok()) {
    return Status::InvalidArgument(path +
                                   ": a RocksDB database but not a metakv database (no domain "
                                   "catalogue in the default column family); read it with "
                                   "--command=raw");
  }
  input->is_database = true;
  // With an unreadable catalogue, whether it is a metakv database is
  // unknown; it is read as one.
  input->is_metakv = listing.has_catalogue || !listing.catalogue_error.ok();
  if (!listing.catalogue_error.ok()) {
    input->catalogue_status = Status::Corruption(
        path + ": cannot read the domain catalogue: " + listing.catalogue_error.ToString());
  }
  Catalogue catalogue;
  if (listing.has_catalogue) {
    Status s = Catalogue::Decode(listing.catalogue_value, &catalogue);
    if (!s.ok()) input->catalogue_status = Status::Corruption(path + ": " + s.message());
  }
  // Report order: catalogue domains, other column families by name, default.
  std::vector<DomainInfo> domains;
  for (const auto& entry : catalogue.domains) {
    for (uint32_t shard = 0; shard < entry.tenant_shards; ++shard) {  // each its column family
      DomainInfo d;
      d.name = ShardColumnFamily(entry.name, shard);
      d.temperature = std::string(TemperatureName(entry.temperature));
      d.in_catalogue = true;
      domains.push_back(std::move(d));
    }
  }
  std::vector<std::string> others;
  for (const auto& family : listing.families) {
    const bool known = std::any_of(domains.begin(), domains.end(),
                                   [&](const DomainInfo& d) { return d.name == family.name; });
    if (!known && family.name != rocksdb::kDefaultColumnFamilyName) others.push_back(family.name);
  }
  std::sort(others.begin(), others.end());
  for (const auto& name : others) {
    DomainInfo d;
    d.name = name;
    domains.push_back(std::move(d));
  }
  DomainInfo meta;
  meta.name = rocksdb::kDefaultColumnFamilyName;
  domains.push_back(std::move(meta));

  for (DomainInfo& d : domains) {
    const Listing::Family* family = nullptr;
    for (const auto& f : listing.families) {
      if (f.name == d.name) family = &f;
    }
    if (family == nullptr) continue;
    d.has_column_family = true;
    d.unflushed_entries = family->unflushed_entries;
    for (const auto& level : family->meta.levels) {
      for (const auto& file : level.files) {
        InputFile in;
        const std::string& dir = file.directory.empty() ? path : file.directory;
        in.name = file.relative_filename;
        in.path = dir + "/" + file.relative_filename;
        in.domain = d.name;
        in.level = level.level;
        in.file_number = file.file_number;
        in.manifest_bytes = file.size;
        in.smallest_key = file.smallestkey;
        in.largest_key = file.largestkey;
        in.key_mode =
            d.name == rocksdb::kDefaultColumnFamilyName ? KeyMode::kPlain : KeyMode::kTenant;
        input->files.push_back(std::move(in));
        ++d.files;
      }
    }
  }
  input->domains = std::move(domains);
  return Status::OK();
}

Status ResolveFile(const std::string& path, bool decode, DumpInput* input) {
  Status s = SstFile::Open(path, &input->lone);
  if (!s.ok()) return s;
  input->is_database = false;
  if (!decode) return Status::OK();
  std::unique_ptr<rocksdb::Iterator> it = input->lone->NewIterator();
  s = ProbeFile(it.get(), &input->lone_flavor, &input->foreign_reason);
  if (!s.ok()) {
    input->lone_flavor = FileFlavor::kTenantRecords;  // assumed
    input->probe_status = s.IsCorruption() ? Status::Corruption(path + ": " + s.message())
                                           : Status::IOError(path + ": " + s.message());
  }
  return Status::OK();
}

}  // namespace

Status ResolveInput(const std::string& path, bool decode, DumpInput* input) {
  input->path = path;
  struct stat st {};
  if (stat(path.c_str(), &st) != 0) {
    const int err = errno;
    if (err == ENOENT || err == ENOTDIR)
      return Status::NotFound(path + ": no such file or directory");
    return Status::IOError(path + ": " + std::strerror(err));
  }
  if (S_ISDIR(st.st_mode)) return ResolveDatabase(path, decode, input);
  return ResolveFile(path, decode, input);
}

Status ListLiveFileNumbers(const std::string& db_path, std::vector<uint64_t>* numbers) {
  Listing listing;
  const rocksdb::Status rs = ListWithRetries(db_path, /*with_catalogue=*/false, &listing);
  if (!rs.ok()) return FromRocksOpen(db_path, rs);
  numbers->clear();
  for (const auto& family : listing.families) {
    for (const auto& level : family.meta.levels) {
      for (const auto& file : level.files) numbers->push_back(file.file_number);
    }
  }
  std::sort(numbers->begin(), numbers->end());
  return Status::OK();
}

}  // namespace metakv::tools
