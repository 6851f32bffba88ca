// The value record: what metakv stores as the RocksDB value of every key.
//
//   u8      format version (kRecordFormatVersion)
//   u8      flags: bits 0-1 kind (0 live, 1 tombstone), bit 2 has expiry;
//           other bits must be zero
//   varint  time: write time (live) or delete time (tombstone), seconds
//   varint  expiry, seconds since the epoch (only if bit 2 is set)
//   bytes   payload: the user value (a tombstone keeps the deleted value so
//           Undelete can restore it)
//   fixed32 checksum: low 32 bits of XXH3-64 of everything above, seeded
//           with XXH3-64 of the encoded key, so a value moved under another
//           key is caught too.
//
// Pure functions: thread-safe.
#ifndef METAKV_CODECS_RECORD_CODEC_H_
#define METAKV_CODECS_RECORD_CODEC_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "metakv/status.h"

namespace metakv::codecs {

inline constexpr uint8_t kRecordFormatVersion = 1;
// version + flags + checksum; the time varint takes at least one more byte.
inline constexpr size_t kMinRecordBytes = 2 + 1 + 4;

enum class RecordKind : uint8_t { kLive = 0, kTombstone = 1 };

struct Record {
  RecordKind kind = RecordKind::kLive;
  uint64_t time = 0;    // write or delete time, seconds since the epoch
  uint64_t expiry = 0;  // seconds since the epoch; 0 = never expires
  std::string_view payload;

  bool IsTombstone() const { return kind == RecordKind::kTombstone; }
  // Expired at now_seconds: has an expiry and it is not after now.
  bool IsExpiredAt(uint64_t now_seconds) const { return expiry != 0 && expiry <= now_seconds; }
};

// "live", "expiring" (live with an expiry) or "tombstone".
std::string_view RecordKindName(const Record& record);

// Appends the encoding of record under encoded_key to *out.
void EncodeRecord(std::string_view encoded_key, const Record& record, std::string* out);

// The checksum of a record's body (everything before the checksum) stored
// under encoded_key.
uint32_t RecordChecksum(std::string_view encoded_key, std::string_view body);

// Decodes value, stored under encoded_key; record->payload points into
// value. Corruption naming the key and the fault on truncation, an unknown
// version or flag bits, or a checksum mismatch.
Status DecodeRecord(std::string_view encoded_key, std::string_view value, Record* record);

// Decodes value without verifying its checksum, for hot paths that only
// need the header (table property collection). Same errors otherwise;
// encoded_key only names the record in messages.
Status DecodeRecordUnchecked(std::string_view encoded_key, std::string_view value, Record* record);

}  // namespace metakv::codecs

#endif  // METAKV_CODECS_RECORD_CODEC_H_
