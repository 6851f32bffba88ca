// Inode attribute record codec (declared in include/metakv/filesystem.h).
//
//   u8 format version (1), then varints in this order: ino, mode, uid, gid,
//   nlink, size, blocks, zigzag(atime_ns), zigzag(mtime_ns),
//   zigzag(ctime_ns), generation, flags. Nothing may follow.
#include <limits>

#include "codecs/coding.h"
#include "metakv/filesystem.h"

namespace metakv {

namespace {
constexpr uint8_t kInodeFormatVersion = 1;

class InodeReader {
 public:
  explicit InodeReader(std::string_view in) : in_(in) {}

  bool U64(const char* field, uint64_t* v) {
    if (!status_.ok()) return false;
    if (!codecs::GetVarint64(&in_, v)) {
      status_ = Status::Corruption(std::string("inode record: truncated or bad varint in field ") +
                                   field);
      return false;
    }
    return true;
  }
  void U32(const char* field, uint32_t* v) {
    uint64_t wide = 0;
    if (!U64(field, &wide)) return;
    if (wide > std::numeric_limits<uint32_t>::max()) {
      status_ = Status::Corruption(std::string("inode record: field ") + field +
                                   " out of range: " + std::to_string(wide));
      return;
    }
    *v = static_cast<uint32_t>(wide);
  }
  void I64(const char* field, int64_t* v) {
    uint64_t zz = 0;
    if (U64(field, &zz)) *v = codecs::ZigZagDecode(zz);
  }
  Status Finish() {
    if (status_.ok() && !in_.empty()) {
      return Status::Corruption("inode record: " + std::to_string(in_.size()) + " trailing bytes");
    }
    return status_;
  }

 private:
  std::string_view in_;
  Status status_;
};
}  // namespace

bool InodeAttributes::operator==(const InodeAttributes& o) const {
  return ino == o.ino && mode == o.mode && uid == o.uid && gid == o.gid && nlink == o.nlink &&
         size == o.size && blocks == o.blocks && atime_ns == o.atime_ns && mtime_ns == o.mtime_ns &&
         ctime_ns == o.ctime_ns && generation == o.generation && flags == o.flags;
}

void EncodeInode(const InodeAttributes& a, std::string* out) {
  out->push_back(static_cast<char>(kInodeFormatVersion));
  codecs::PutVarint64(out, a.ino);
  codecs::PutVarint64(out, a.mode);
  codecs::PutVarint64(out, a.uid);
  codecs::PutVarint64(out, a.gid);
  codecs::PutVarint64(out, a.nlink);
  codecs::PutVarint64(out, a.size);
  codecs::PutVarint64(out, a.blocks);
  codecs::PutVarint64(out, codecs::ZigZagEncode(a.atime_ns));
  codecs::PutVarint64(out, codecs::ZigZagEncode(a.mtime_ns));
  codecs::PutVarint64(out, codecs::ZigZagEncode(a.ctime_ns));
  codecs::PutVarint64(out, a.generation);
  codecs::PutVarint64(out, a.flags);
}

Status DecodeInode(std::string_view input, InodeAttributes* attrs) {
  if (input.empty()) return Status::Corruption("inode record: empty");
  const auto version = static_cast<uint8_t>(input[0]);
  if (version != kInodeFormatVersion) {
    return Status::Corruption("inode record: unknown format version " + std::to_string(version));
  }
  InodeAttributes a;
  InodeReader r(input.substr(1));
  r.U64("ino", &a.ino);
  r.U32("mode", &a.mode);
  r.U32("uid", &a.uid);
  r.U32("gid", &a.gid);
  r.U32("nlink", &a.nlink);
  r.U64("size", &a.size);
  r.U64("blocks", &a.blocks);
  r.I64("atime_ns", &a.atime_ns);
  r.I64("mtime_ns", &a.mtime_ns);
  r.I64("ctime_ns", &a.ctime_ns);
  r.U64("generation", &a.generation);
  r.U32("flags", &a.flags);
  Status s = r.Finish();
  if (s.ok()) *attrs = a;
  return s;
}

}  // namespace metakv
