// What metakv-sst-dump reads: one SST file, or every live SST file of a
// database directory grouped by domain (column family) and level.
//
// A database is opened with rocksdb::DB::OpenForReadOnly, which takes no
// lock and writes nothing to the directory, so a running writer is not
// disturbed; the listing is the MANIFEST's state at that moment. The
// database is closed again before any SST file is read. Functions are
// thread-safe; a DumpInput is used by one thread.
#ifndef METAKV_TOOLS_DUMP_INPUT_H_
#define METAKV_TOOLS_DUMP_INPUT_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "metakv/status.h"
#include "tools/entry_decoder.h"
#include "tools/sst_file.h"

namespace metakv::tools {

struct InputFile {
  std::string path;             // full path
  std::string name;             // file name without its directory
  std::string domain;           // column family; a lone file: from its properties
  int level = -1;               // -1 for a lone file
  uint64_t file_number = 0;     // 0 for a lone file
  uint64_t manifest_bytes = 0;  // size the MANIFEST records; 0 if unknown
  std::string smallest_key;     // per the MANIFEST; empty if unknown
  std::string largest_key;
  KeyMode key_mode = KeyMode::kTenant;
};

struct DomainInfo {
  std::string name;         // column family name ("default" for metadata)
  std::string temperature;  // "hot" or "cold" from the catalogue; else empty
  bool in_catalogue = false;
  bool has_column_family = false;
  uint64_t unflushed_entries = 0;  // in memtables (from the WAL), not in SST files
  uint64_t files = 0;
};

struct DumpInput {
  std::string path;
  bool is_database = false;

  // ---- A database ----
  bool is_metakv = false;           // has a domain catalogue
  Status catalogue_status;          // Corruption if the catalogue does not decode
  std::vector<DomainInfo> domains;  // catalogue order, then other column families, then default
  std::vector<InputFile> files;     // grouped by domain in that order, then level

  // ---- A lone SST file ----
  std::unique_ptr<SstFile> lone;  // opened
  FileFlavor lone_flavor = FileFlavor::kEmpty;
  std::string foreign_reason;  // why a kForeign file is foreign
  Status probe_status;         // a read error while probing (lone_flavor unknown)
};

// Resolves path: a directory is listed as a database, anything else opened
// as an SST file (and probed). Fails with one message naming the path:
// NotFound for a missing path; InvalidArgument for a directory that is not
// a database, a file that is not a readable SST file, or (if decode) a
// database without a domain catalogue; Corruption for a damaged MANIFEST or
// SST file; IOError otherwise. A lone file that is foreign, or whose first
// entries cannot be read, is not an error here: lone_flavor and
// probe_status say so.
Status ResolveInput(const std::string& path, bool decode, DumpInput* input);

// Re-reads the database's MANIFEST: the numbers of its live SST files now,
// sorted. A file a compaction has replaced is no longer among them (and
// never returns).
Status ListLiveFileNumbers(const std::string& db_path, std::vector<uint64_t>* numbers);

}  // namespace metakv::tools

#endif  // METAKV_TOOLS_DUMP_INPUT_H_
