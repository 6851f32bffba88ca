#include "tools/table_check.h"

#include <fcntl.h>
#include <unistd.h>
#include <xxhash.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <string_view>
#include <vector>

#include "codecs/coding.h"

namespace metakv::tools {

namespace {

constexpr uint64_t kBlockBasedTableMagic = 0x88e241b785f4cff7ull;
constexpr uint64_t kLegacyBlockBasedTableMagic = 0xdb4775248b80fb57ull;
// Footer sizes: checksum type byte (current magic only), two block handles
// padded to 40 bytes, format version (current magic only), magic number.
constexpr size_t kFooterBytes = 1 + 40 + 4 + 8;
constexpr size_t kLegacyFooterBytes = 40 + 8;
// Every block is followed by a compression type byte and a 32-bit checksum.
constexpr size_t kBlockTrailerBytes = 5;
// Metaindex and properties blocks are a few KiB; a handle naming a larger
// one is damaged.
constexpr uint64_t kMaxMetaBlockBytes = 64 << 20;

enum ChecksumType : char { kCRC32c = 1, kxxHash = 2, kxxHash64 = 3, kXXH3 = 4 };

// The compression types RocksDB 7.8 knows (rocksdb::CompressionType): none,
// Snappy, zlib, bzip2, LZ4, LZ4HC, XPRESS, ZSTD, and ZSTD's pre-1.0 id. A
// block whose trailer names another one makes RocksDB fail an assertion
// (an abort with Debian's build) when it cannot decompress it.
bool KnownCompressionType(char type) {
  const auto t = static_cast<uint8_t>(type);
  return t <= 0x07 || t == 0x40;
}

// Whether a computed checksum equals the stored one, compared through a
// mixing function: a fuzzer that reads comparisons (libFuzzer's CMP hints)
// then learns no value to write into the file, and explores damage as
// storage makes it rather than forging checksums. (A file forged with
// matching checksums can make RocksDB's own parsers assert, which the
// binary reports as damaged input from its child process; see
// sst_dump_main.cc.)
bool SameChecksum(uint32_t computed, uint32_t stored) {
  auto mix = [](uint32_t v) {
    uint64_t x = (uint64_t{v} + 0x632be59bd9b4e019ull) * 0x9e3779b97f4a7c15ull;
    return x ^ (x >> 31);
  };
  return mix(computed) == mix(stored);
}

std::string Hex(char byte) {
  static const char kDigits[] = "0123456789abcdef";
  const auto b = static_cast<uint8_t>(byte);
  return std::string("0x") + kDigits[b >> 4] + kDigits[b & 0xf];
}

// CRC32C (Castagnoli), as RocksDB stores it: masked.
uint32_t Crc32c(std::string_view data) {
  static const std::array<uint32_t, 256> kTable = [] {
    std::array<uint32_t, 256> t{};
    for (uint32_t i = 0; i < 256; ++i) {
      uint32_t c = i;
      for (int k = 0; k < 8; ++k) c = (c & 1) ? (c >> 1) ^ 0x82f63b78u : c >> 1;
      t[i] = c;
    }
    return t;
  }();
  uint32_t crc = 0xffffffffu;
  for (char ch : data) crc = kTable[(crc ^ static_cast<uint8_t>(ch)) & 0xff] ^ (crc >> 8);
  crc ^= 0xffffffffu;
  return ((crc >> 15) | (crc << 17)) + 0xa282ead8u;
}

bool ReadAt(int fd, uint64_t offset, size_t n, std::string* out) {
  out->assign(n, '\0');
  size_t done = 0;
  while (done < n) {
    const ssize_t r = pread(fd, out->data() + done, n - done, static_cast<off_t>(offset + done));
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) return false;
    done += static_cast<size_t>(r);
  }
  return true;
}

struct Handle {
  uint64_t offset = 0;
  uint64_t size = 0;
};

bool GetHandle(std::string_view* in, Handle* h) {
  return codecs::GetVarint64(in, &h->offset) && codecs::GetVarint64(in, &h->size);
}

// One entry of a block: the key is rebuilt from the shared prefix.
struct BlockEntry {
  std::string key;
  std::string_view value;
  size_t value_offset = 0;  // in the block
  size_t offset = 0;        // of the entry, in the block
  uint64_t shared = 0;      // key bytes shared with the previous entry
};

// Walks the entries of a block (prefix-compressed keys, restart array at
// its end) with bounds checks; calls fn(entry) until it returns false.
// False if the block is malformed.
template <typename Fn>
bool ForEachEntry(std::string_view block, Fn fn) {
  if (block.size() < 4) return false;
  // The top bit of the restart count marks a data block hash index, which
  // meta blocks never have.
  const uint32_t restarts = codecs::DecodeFixed32(block.data() + block.size() - 4);
  if (restarts == 0 || restarts > (block.size() - 4) / 4) return false;
  const size_t end = block.size() - 4 - 4 * static_cast<size_t>(restarts);
  std::string_view in = block.substr(0, end);
  BlockEntry e;
  while (!in.empty()) {
    e.offset = static_cast<size_t>(in.data() - block.data());
    uint64_t shared = 0, unshared = 0, value_bytes = 0;
    if (!codecs::GetVarint64(&in, &shared) || !codecs::GetVarint64(&in, &unshared) ||
        !codecs::GetVarint64(&in, &value_bytes)) {
      return false;
    }
    if (shared > e.key.size() || unshared > in.size() || value_bytes > in.size() - unshared) {
      return false;
    }
    e.shared = shared;
    e.key.resize(static_cast<size_t>(shared));
    e.key.append(in.data(), static_cast<size_t>(unshared));
    e.value = in.substr(static_cast<size_t>(unshared), static_cast<size_t>(value_bytes));
    e.value_offset = static_cast<size_t>(e.value.data() - block.data());
    in.remove_prefix(static_cast<size_t>(unshared + value_bytes));
    if (!fn(e)) return true;
  }
  return true;
}

// Whether a block parses as a meta block the way RocksDB's block iterator
// reads it: every entry within bounds, and every restart point at the start
// of an entry that shares nothing with the one before. A handle pointing at
// another block (an index block, with delta-encoded values) fails this,
// and RocksDB's parser would assert on it.
bool WellFormedBlock(std::string_view block) {
  std::vector<size_t> starts;  // entries that may be restart points
  if (!ForEachEntry(block, [&](const BlockEntry& e) {
        if (e.shared == 0) starts.push_back(e.offset);
        return true;
      })) {
    return false;
  }
  const uint32_t restarts = codecs::DecodeFixed32(block.data() + block.size() - 4);
  const char* array = block.data() + block.size() - 4 - 4 * static_cast<size_t>(restarts);
  for (uint32_t i = 0; i < restarts; ++i) {
    const uint32_t at = codecs::DecodeFixed32(array + 4 * static_cast<size_t>(i));
    if (!std::binary_search(starts.begin(), starts.end(), at)) return false;
  }
  return true;
}

// Checks one open SST file's footer, metaindex block and properties block
// in that order, each step on what the one before found. Every failure is
// a Status naming the file.
class MetaBlockCheck {
 public:
  MetaBlockCheck(int fd, const std::string& path, uint64_t file_bytes)
      : fd_(fd), path_(path), file_bytes_(file_bytes) {}

  Status Run() {
    bool table = false;
    Status s = ReadFooter(&table);
    if (!s.ok() || !table) return s;
    Handle props;
    bool found = false;
    s = CheckMetaindex(&props, &found);
    // Without properties RocksDB reports the table itself.
    if (!s.ok() || !found) return s;
    return CheckProperties(props);
  }

 private:
  Status ReadError() const {
    return Status::IOError(path_ + ": cannot read: " + std::strerror(errno));
  }
  Status Corrupt(const std::string& what) const {
    return Status::Corruption(path_ + ": corrupt SST file: " + what);
  }
  // "<what> block handle (offset O, size S) points outside the file's N bytes"
  std::string Outside(const char* what, const Handle& h) const {
    return std::string(what) + " block handle (offset " + std::to_string(h.offset) + ", size " +
           std::to_string(h.size) + ") points outside the file's " + std::to_string(file_bytes_) +
           " bytes";
  }
  // Whether a meta block and its trailer lie before the footer. RocksDB
  // allocates a buffer of a handle's size before reading, so a damaged
  // handle is refused here rather than as an allocation failure there.
  bool Inside(const Handle& h) const {
    return h.offset <= blocks_end_ && h.size <= kMaxMetaBlockBytes &&
           h.size + kBlockTrailerBytes <= blocks_end_ - h.offset;  // no overflow: size is small
  }

  // The footer: checksum type and the metaindex and index blocks' handles.
  // *table false (and OK) for a file too small or without a block-based
  // table's magic number, which RocksDB judges.
  Status ReadFooter(bool* table) {
    if (file_bytes_ < kLegacyFooterBytes) return Status::OK();
    std::string tail;
    const size_t tail_bytes = static_cast<size_t>(std::min<uint64_t>(file_bytes_, kFooterBytes));
    if (!ReadAt(fd_, file_bytes_ - tail_bytes, tail_bytes, &tail)) return ReadError();
    uint64_t magic = 0;
    for (int i = 7; i >= 0; --i) {
      magic = (magic << 8) | static_cast<uint8_t>(tail[tail.size() - 8 + i]);
    }
    std::string_view handles;
    size_t footer_bytes = 0;
    if (magic == kBlockBasedTableMagic && tail.size() == kFooterBytes) {
      checksum_type_ = tail[0];
      handles = std::string_view(tail).substr(1, 40);
      footer_bytes = kFooterBytes;
    } else if (magic == kLegacyBlockBasedTableMagic) {
      handles = std::string_view(tail).substr(tail.size() - kLegacyFooterBytes, 40);
      footer_bytes = kLegacyFooterBytes;
    } else {
      return Status::OK();
    }
    *table = true;
    // Every block, with its trailer, lies before the footer.
    blocks_end_ = file_bytes_ - footer_bytes;
    if (!GetHandle(&handles, &metaindex_) || !GetHandle(&handles, &index_)) {
      return Corrupt("bad block handles in the table footer");
    }
    const bool index_inside = index_.offset <= blocks_end_ &&
                              index_.size <= blocks_end_ - index_.offset &&
                              index_.size + kBlockTrailerBytes <= blocks_end_ - index_.offset;
    if (!Inside(metaindex_)) return Corrupt("the footer's " + Outside("metaindex", metaindex_));
    if (!index_inside) return Corrupt("the footer's " + Outside("index", index_));
    return Status::OK();
  }

  // The metaindex block: verified, then the properties block's handle into
  // *props (*found false if it names none).
  Status CheckMetaindex(Handle* props, bool* found) {
    std::string meta;
    const size_t meta_bytes = static_cast<size_t>(metaindex_.size);
    if (!ReadAt(fd_, metaindex_.offset, meta_bytes + kBlockTrailerBytes, &meta)) {
      return ReadError();
    }
    const std::string where = "(offset " + std::to_string(metaindex_.offset) + ", size " +
                              std::to_string(meta_bytes) + ")";
    uint32_t computed = 0;
    if (BlockChecksum(checksum_type_, std::string_view(meta.data(), meta_bytes + 1), &computed) &&
        !SameChecksum(computed, codecs::DecodeFixed32(meta.data() + meta_bytes + 1))) {
      return Corrupt("metaindex block checksum mismatch " + where);
    }
    if (!KnownCompressionType(meta[meta_bytes])) {
      return Corrupt("metaindex block has an unknown compression type " + Hex(meta[meta_bytes]));
    }
    const std::string_view block(meta.data(), meta_bytes);
    if (!WellFormedBlock(block))
      return Corrupt("the metaindex block does not parse as one " + where);
    ForEachEntry(block, [&](const BlockEntry& e) {
      if (e.key != "rocksdb.properties" && e.key != "rocksdb.stats") return true;
      std::string_view v = e.value;
      *found = GetHandle(&v, props);
      return !*found;
    });
    if (*found && !Inside(*props))
      return Corrupt("the metaindex's " + Outside("properties", *props));
    return Status::OK();
  }

  // The properties block and its trailer.
  Status CheckProperties(const Handle& props) {
    std::string block;
    const size_t bytes = static_cast<size_t>(props.size);
    if (!ReadAt(fd_, props.offset, bytes + kBlockTrailerBytes, &block)) return ReadError();
    if (!KnownCompressionType(block[bytes])) {
      return Corrupt("table properties block has an unknown compression type " + Hex(block[bytes]));
    }
    const std::string where =
        "(offset " + std::to_string(props.offset) + ", size " + std::to_string(props.size) + ")";
    const uint32_t stored = codecs::DecodeFixed32(block.data() + bytes + 1);
    const std::string_view props_block(block.data(), bytes);
    const std::string_view block_and_type(block.data(), bytes + 1);
    uint32_t computed = 0;
    bool checksum_ok =
        !BlockChecksum(checksum_type_, block_and_type, &computed) || SameChecksum(computed, stored);
    if (!checksum_ok) {
      // Ingestion may have rewritten the global sequence number inside the
      // block after its checksum was computed with 0 there (as RocksDB
      // allows).
      ForEachEntry(props_block, [&](const BlockEntry& e) {
        if (e.key != "rocksdb.external_sst_file.global_seqno") return true;
        if (e.value.size() == 8) {
          std::string copy(block_and_type);
          std::memset(copy.data() + e.value_offset, 0, 8);
          checksum_ok =
              BlockChecksum(checksum_type_, copy, &computed) && SameChecksum(computed, stored);
        }
        return false;
      });
    }
    if (!checksum_ok) return Corrupt("table properties block checksum mismatch " + where);
    if (!WellFormedBlock(props_block)) {
      return Corrupt("the table properties block does not parse as one " + where);
    }
    return Status::OK();
  }

  const int fd_;
  const std::string& path_;
  const uint64_t file_bytes_;
  char checksum_type_ = kCRC32c;
  uint64_t blocks_end_ = 0;
  Handle metaindex_;
  Handle index_;
};

}  // namespace

bool BlockChecksum(char type, std::string_view block_and_type, uint32_t* out) {
  const std::string_view block = block_and_type.substr(0, block_and_type.size() - 1);
  const auto last = static_cast<uint8_t>(block_and_type.back());
  switch (type) {
    case kCRC32c:
      *out = Crc32c(block_and_type);
      return true;
    case kxxHash:
      *out = XXH32(block_and_type.data(), block_and_type.size(), 0);
      return true;
    case kxxHash64:
      *out = static_cast<uint32_t>(XXH64(block_and_type.data(), block_and_type.size(), 0));
      return true;
    case kXXH3:
      *out = static_cast<uint32_t>(XXH3_64bits(block.data(), block.size())) ^ (last * 0x6b9083d9u);
      return true;
    default:
      return false;  // a type this check does not know: RocksDB judges
  }
}

Status CheckTableMetaBlocks(const std::string& path, uint64_t file_bytes) {
  const int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0) {
    // A file a compaction removed after it was listed: NotFound, as the
    // caller reports vanished files (not an error).
    if (errno == ENOENT) return Status::NotFound(path + ": no such file");
    return Status::IOError(path + ": cannot open: " + std::strerror(errno));
  }
  struct Closer {
    int fd;
    ~Closer() { close(fd); }
  } closer{fd};
  return MetaBlockCheck(fd, path, file_bytes).Run();
}

}  // namespace metakv::tools
