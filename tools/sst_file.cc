#include "tools/sst_file.h"

#include <fcntl.h>
#include <rocksdb/options.h>
#include <rocksdb/table.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <string_view>

#include "tools/table_check.h"

namespace metakv::tools {

namespace {

// Magic numbers at the end of each RocksDB table format.
constexpr uint64_t kBlockBasedTableMagic = 0x88e241b785f4cff7ull;
constexpr uint64_t kLegacyBlockBasedTableMagic = 0xdb4775248b80fb57ull;
constexpr uint64_t kPlainTableMagic = 0x8242229663bf9564ull;
constexpr uint64_t kLegacyPlainTableMagic = 0x4f3418eb7a8f13b8ull;
constexpr uint64_t kCuckooTableMagic = 0x926789d0c5f17873ull;

// Bytes at the end of a file searched for signs of an SST file that lost
// its footer.
constexpr size_t kTailProbeBytes = 64 << 10;

// The footer of a block-based table with the current magic number: a
// checksum type byte, two block handles padded to 40 bytes, a 4-byte format
// version and the 8-byte magic number. (The legacy footer has no checksum
// type: its blocks always carry CRC32c.)
constexpr size_t kFooterBytes = 1 + 40 + 4 + 8;
constexpr char kNoChecksum = 0;  // rocksdb::kNoChecksum

// Reads exactly n bytes at offset; false on a short read or an error.
bool ReadAt(int fd, uint64_t offset, size_t n, char* buf) {
  size_t done = 0;
  while (done < n) {
    const ssize_t r = pread(fd, buf + done, n - done, static_cast<off_t>(offset + done));
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) return false;
    done += static_cast<size_t>(r);
  }
  return true;
}

uint64_t DecodeFixed64(const char* p) {
  uint64_t v = 0;
  for (int i = 7; i >= 0; --i) v = (v << 8) | static_cast<unsigned char>(p[i]);
  return v;
}

std::string ErrnoText(int err) { return std::strerror(err); }

// stat(2) of path; NotFound or IOError naming it.
Status StatPath(const std::string& path, struct stat* st) {
  if (stat(path.c_str(), st) == 0) return Status::OK();
  const int err = errno;
  if (err == ENOENT || err == ENOTDIR) return Status::NotFound(path + ": no such file");
  return Status::IOError(path + ": " + ErrnoText(err));
}

// Checks the file's type, size and footer magic; on success *bytes is its
// size.
Status CheckShape(const std::string& path, uint64_t* bytes) {
  struct stat st {};
  Status s = StatPath(path, &st);
  if (!s.ok()) return s;
  if (S_ISDIR(st.st_mode)) return Status::InvalidArgument(path + ": is a directory");
  if (!S_ISREG(st.st_mode)) {
    return Status::InvalidArgument(path + ": not a regular file");
  }
  *bytes = static_cast<uint64_t>(st.st_size);
  if (*bytes == 0) return Status::InvalidArgument(path + ": empty file (0 bytes), not an SST file");
  const int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0) {
    if (errno == ENOENT) return Status::NotFound(path + ": no such file");  // removed since stat
    return Status::IOError(path + ": cannot open: " + ErrnoText(errno));
  }
  std::string tail(static_cast<size_t>(std::min<uint64_t>(*bytes, kTailProbeBytes)), '\0');
  const bool read_ok = ReadAt(fd, *bytes - tail.size(), tail.size(), tail.data());
  const int read_errno = errno;
  close(fd);
  if (!read_ok) return Status::IOError(path + ": cannot read: " + ErrnoText(read_errno));
  const uint64_t magic = tail.size() >= 8 ? DecodeFixed64(tail.data() + tail.size() - 8) : 0;
  if (magic == kBlockBasedTableMagic && tail.size() >= kFooterBytes &&
      tail[tail.size() - kFooterBytes] == kNoChecksum) {
    // Without block checksums damage goes unnoticed until RocksDB parses a
    // damaged block, and its block parsers assert (abort) on some damage:
    // refuse such a file rather than crash. metakv never writes one.
    return Status::InvalidArgument(path +
                                   ": SST file without block checksums (checksum type none): "
                                   "damage in it could not be detected, so it is not read");
  }
  if (magic == kBlockBasedTableMagic || magic == kLegacyBlockBasedTableMagic) {
    return Status::OK();
  }
  if (magic == kPlainTableMagic || magic == kLegacyPlainTableMagic) {
    return Status::InvalidArgument(
        path + ": a PlainTable SST file; only block-based tables are supported");
  }
  if (magic == kCuckooTableMagic) {
    return Status::InvalidArgument(
        path + ": a CuckooTable SST file; only block-based tables are supported");
  }
  // No footer. If the tail still holds the names of RocksDB's table
  // properties, this was an SST file cut short.
  if (tail.find("rocksdb.") != std::string::npos) {
    return Status::InvalidArgument(path + ": truncated SST file: the table footer is missing (" +
                                   std::to_string(*bytes) + " bytes left)");
  }
  return Status::InvalidArgument(path +
                                 ": not an SST file: no table footer at its end (or an SST file "
                                 "truncated before its footer)");
}

rocksdb::Options ReaderOptions() {
  rocksdb::Options options;
  rocksdb::BlockBasedTableOptions table;
  table.no_block_cache = true;
  table.filter_policy = nullptr;  // filter blocks are never loaded
  options.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table));
  return options;
}

rocksdb::ReadOptions ScanReadOptions() {
  rocksdb::ReadOptions ro;
  ro.verify_checksums = true;
  ro.fill_cache = false;
  ro.readahead_size = 1 << 20;
  return ro;
}

}  // namespace

Status FileSize(const std::string& path, uint64_t* bytes) {
  struct stat st {};
  Status s = StatPath(path, &st);
  if (!s.ok()) return s;
  *bytes = static_cast<uint64_t>(st.st_size);
  return Status::OK();
}

SstFile::~SstFile() = default;

Status SstFile::Open(const std::string& path, std::unique_ptr<SstFile>* out) {
  out->reset();
  uint64_t bytes = 0;
  Status s = CheckShape(path, &bytes);
  if (!s.ok()) return s;
  // RocksDB trusts the footer's block sizes and parses the properties block
  // before checking its checksum: check those first (table_check.h).
  s = CheckTableMetaBlocks(path, bytes);
  if (!s.ok()) return s;
  std::unique_ptr<SstFile> file(new SstFile());
  file->path_ = path;
  file->file_bytes_ = bytes;
  file->reader_ = std::make_unique<rocksdb::SstFileReader>(ReaderOptions());
  const rocksdb::Status rs = file->reader_->Open(path);
  if (!rs.ok()) {
    if (rs.IsCorruption()) {
      return Status::Corruption(path + ": corrupt SST file: " + rs.ToString());
    }
    if (rs.IsPathNotFound() || rs.IsNotFound()) {
      return Status::NotFound(path + ": " + rs.ToString());
    }
    if (rs.IsNotSupported() || rs.IsInvalidArgument()) {
      return Status::InvalidArgument(path + ": unsupported SST file: " + rs.ToString());
    }
    return Status::IOError(path + ": " + rs.ToString());
  }
  file->properties_ = file->reader_->GetTableProperties();
  if (!file->properties_) {
    return Status::Corruption(path + ": corrupt SST file: no table properties");
  }
  *out = std::move(file);
  return Status::OK();
}

std::unique_ptr<rocksdb::Iterator> SstFile::NewIterator() const {
  return std::unique_ptr<rocksdb::Iterator>(reader_->NewIterator(ScanReadOptions()));
}

Status SstFile::VerifyBlockChecksums() const {
  rocksdb::ReadOptions ro = ScanReadOptions();
  const rocksdb::Status rs = reader_->VerifyChecksum(ro);
  if (rs.ok()) return Status::OK();
  if (rs.IsCorruption()) return Status::Corruption(path_ + ": " + rs.ToString());
  return Status::IOError(path_ + ": " + rs.ToString());
}

}  // namespace metakv::tools
