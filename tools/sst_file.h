// SstFile: one SST file opened for reading through rocksdb::SstFileReader,
// with problems classified into one clear message each.
//
// Open checks, before RocksDB reads anything, that the path is a regular,
// non-empty file ending in a block-based table footer, so a missing, empty,
// truncated or foreign file is named as such rather than as a generic
// corruption. Reading uses no block cache and no filter blocks: memory is
// the table's index plus the block being read, whatever the file's size.
// Not thread-safe: one thread uses an SstFile at a time.
#ifndef METAKV_TOOLS_SST_FILE_H_
#define METAKV_TOOLS_SST_FILE_H_

#include <rocksdb/iterator.h>
#include <rocksdb/sst_file_reader.h>
#include <rocksdb/table_properties.h>

#include <cstdint>
#include <memory>
#include <string>

#include "metakv/status.h"

namespace metakv::tools {

class SstFile {
 public:
  // Opens the file at path. On failure *out is reset and the status names
  // the path and the problem: NotFound (no such file), InvalidArgument (not
  // a regular file, empty, not an SST file, truncated, an unsupported table
  // format, a table without block checksums), Corruption (a damaged footer,
  // metaindex or properties block, found before RocksDB reads them; or
  // RocksDB found the table damaged), IOError.
  static Status Open(const std::string& path, std::unique_ptr<SstFile>* out);

  ~SstFile();
  SstFile(const SstFile&) = delete;
  SstFile& operator=(const SstFile&) = delete;

  const std::string& path() const { return path_; }
  uint64_t file_bytes() const { return file_bytes_; }
  const rocksdb::TableProperties& properties() const { return *properties_; }

  // A new iterator over the table's keys, unpositioned. Each user key
  // appears once (the newest version); RocksDB point deletions are not
  // shown (TableProperties::num_deletions counts them). Block checksums are
  // verified as blocks are read.
  std::unique_ptr<rocksdb::Iterator> NewIterator() const;

  // Reads every block of the file and checks its checksum. Corruption
  // naming the path and RocksDB's finding if one is bad.
  Status VerifyBlockChecksums() const;

 private:
  SstFile() = default;

  // Constant after Open.
  std::string path_;
  uint64_t file_bytes_ = 0;
  std::unique_ptr<rocksdb::SstFileReader> reader_;
  std::shared_ptr<const rocksdb::TableProperties> properties_;
};

// The size of the file at path, or NotFound / IOError naming it.
Status FileSize(const std::string& path, uint64_t* bytes);

}  // namespace metakv::tools

#endif  // METAKV_TOOLS_SST_FILE_H_
