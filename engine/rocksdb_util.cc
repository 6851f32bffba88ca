#include "engine/rocksdb_util.h"

#include <string>

namespace metakv {

Status FromRocks(const rocksdb::Status& s, std::string_view context) {
  if (s.ok()) return Status::OK();
  std::string msg(context);
  if (!msg.empty()) msg += ": ";
  msg += s.ToString();
  switch (s.code()) {
    case rocksdb::Status::kNotFound: return Status::NotFound(msg);
    case rocksdb::Status::kCorruption: return Status::Corruption(msg);
    case rocksdb::Status::kNotSupported: return Status::NotSupported(msg);
    case rocksdb::Status::kInvalidArgument: return Status::InvalidArgument(msg);
    case rocksdb::Status::kBusy:
    case rocksdb::Status::kTryAgain: return Status::Busy(msg);
    case rocksdb::Status::kAborted:
    case rocksdb::Status::kShutdownInProgress:
    case rocksdb::Status::kIncomplete: return Status::Aborted(msg);
    case rocksdb::Status::kExpired:
    case rocksdb::Status::kTimedOut: return Status::Expired(msg);
    default: return Status::IOError(msg);
  }
}

rocksdb::CompressionType ToRocks(Compression c) {
  switch (c) {
    case Compression::kNone: return rocksdb::kNoCompression;
    case Compression::kSnappy: return rocksdb::kSnappyCompression;
    case Compression::kZstd: return rocksdb::kZSTD;
    case Compression::kLz4: return rocksdb::kLZ4Compression;
  }
  return rocksdb::kNoCompression;
}

std::string_view CompressionName(Compression c) {
  switch (c) {
    case Compression::kNone: return "none";
    case Compression::kSnappy: return "snappy";
    case Compression::kZstd: return "zstd";
    case Compression::kLz4: return "lz4";
  }
  return "unknown";
}

}  // namespace metakv
