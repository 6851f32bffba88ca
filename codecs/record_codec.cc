#include "codecs/record_codec.h"

#include <xxhash.h>

#include "codecs/coding.h"

namespace metakv::codecs {

namespace {

constexpr uint8_t kKindMask = 0x03;
constexpr uint8_t kHasExpiry = 0x04;
constexpr uint8_t kKnownFlags = kKindMask | kHasExpiry;

Status Bad(std::string_view encoded_key, const std::string& what) {
  return Status::Corruption("record at key " + PrintableHead(encoded_key) + ": " + what);
}

}  // namespace

uint32_t RecordChecksum(std::string_view encoded_key, std::string_view body) {
  const uint64_t seed = XXH3_64bits(encoded_key.data(), encoded_key.size());
  return static_cast<uint32_t>(XXH3_64bits_withSeed(body.data(), body.size(), seed));
}

std::string_view RecordKindName(const Record& record) {
  if (record.IsTombstone()) return "tombstone";
  return record.expiry != 0 ? "expiring" : "live";
}

void EncodeRecord(std::string_view encoded_key, const Record& record, std::string* out) {
  const size_t start = out->size();
  out->push_back(static_cast<char>(kRecordFormatVersion));
  uint8_t flags = static_cast<uint8_t>(record.kind);
  if (record.expiry != 0) flags |= kHasExpiry;
  out->push_back(static_cast<char>(flags));
  PutVarint64(out, record.time);
  if (record.expiry != 0) PutVarint64(out, record.expiry);
  out->append(record.payload.data(), record.payload.size());
  const std::string_view body(out->data() + start, out->size() - start);
  PutFixed32(out, RecordChecksum(encoded_key, body));
}

namespace {

// Checks size and version; sets *body to the bytes before the checksum.
Status SplitRecord(std::string_view encoded_key, std::string_view value, std::string_view* body) {
  if (value.size() < kMinRecordBytes) {
    return Bad(encoded_key, "truncated (" + std::to_string(value.size()) + " bytes)");
  }
  *body = value.substr(0, value.size() - 4);
  const auto version = static_cast<uint8_t>((*body)[0]);
  if (version != kRecordFormatVersion) {
    return Bad(encoded_key, "unknown format version " + std::to_string(version));
  }
  return Status::OK();
}

// Parses the header and payload of a record body (after SplitRecord).
Status ParseBody(std::string_view encoded_key, std::string_view body, Record* record) {
  const auto flags = static_cast<uint8_t>(body[1]);
  if ((flags & ~kKnownFlags) != 0 || (flags & kKindMask) > 1) {
    return Bad(encoded_key, "unknown flags " + std::to_string(flags));
  }
  std::string_view in = body.substr(2);
  uint64_t time = 0;
  uint64_t expiry = 0;
  if (!GetVarint64(&in, &time)) return Bad(encoded_key, "bad time varint");
  if ((flags & kHasExpiry) != 0) {
    if (!GetVarint64(&in, &expiry)) return Bad(encoded_key, "bad expiry varint");
    if (expiry == 0) return Bad(encoded_key, "expiry flag set with zero expiry");
  }
  record->kind = static_cast<RecordKind>(flags & kKindMask);
  record->time = time;
  record->expiry = expiry;
  record->payload = in;
  return Status::OK();
}

}  // namespace

Status DecodeRecord(std::string_view encoded_key, std::string_view value, Record* record) {
  // The version is checked before the checksum: a record from a newer format
  // may checksum differently, and "unknown version" is the useful message.
  std::string_view body;
  Status s = SplitRecord(encoded_key, value, &body);
  if (!s.ok()) return s;
  if (RecordChecksum(encoded_key, body) != DecodeFixed32(value.data() + body.size())) {
    return Bad(encoded_key, "checksum mismatch");
  }
  return ParseBody(encoded_key, body, record);
}

Status DecodeRecordUnchecked(std::string_view encoded_key, std::string_view value, Record* record) {
  std::string_view body;
  Status s = SplitRecord(encoded_key, value, &body);
  if (!s.ok()) return s;
  return ParseBody(encoded_key, body, record);
}

}  // namespace metakv::codecs
