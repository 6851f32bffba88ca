// Tests of the value record codec (codecs/record_codec.h): round trips of
// every kind, the kind names, expiry semantics, and rejection of truncated,
// corrupted, re-keyed and unknown-format records with Corruption.
#include "codecs/record_codec.h"

#include <gtest/gtest.h>
#include <xxhash.h>

#include <cstdint>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "codecs/coding.h"
#include "codecs/key_codec.h"

namespace metakv::codecs {
namespace {

constexpr uint64_t kMax64 = std::numeric_limits<uint64_t>::max();

Record MakeRecord(RecordKind kind, uint64_t time, uint64_t expiry, std::string_view payload) {
  Record r;
  r.kind = kind;
  r.time = time;
  r.expiry = expiry;
  r.payload = payload;
  return r;
}

std::string Encode(std::string_view key, const Record& r) {
  std::string out;
  EncodeRecord(key, r, &out);
  return out;
}

// The checksum as the header documents it: low 32 bits of XXH3-64 of the
// body, seeded with XXH3-64 of the encoded key. Used to build records whose
// checksum is right but whose content is not.
std::string Seal(std::string_view key, std::string body) {
  const uint64_t seed = XXH3_64bits(key.data(), key.size());
  PutFixed32(&body, static_cast<uint32_t>(XXH3_64bits_withSeed(body.data(), body.size(), seed)));
  return body;
}

std::string Binary(size_t n, uint32_t seed) {
  std::mt19937 rng(seed);
  std::string s(n, '\0');
  for (char& c : s) c = static_cast<char>(rng());
  return s;
}

void ExpectCorruption(std::string_view key, std::string_view value, const std::string& what) {
  Record r;
  const Status s = DecodeRecord(key, value, &r);
  EXPECT_TRUE(s.IsCorruption()) << what << ": " << s.ToString();
}

TEST(RecordCodecTest, RoundTripEveryKindAndPayload) {
  const std::string key = EncodeKey("tenant", "key");
  const std::vector<std::string> payloads = {"",
                                             "v",
                                             std::string("\0", 1),
                                             std::string("\0\xff\x01\x80", 4),
                                             Binary(200, 1),
                                             Binary(1 << 20, 2)};
  struct Shape {
    RecordKind kind;
    uint64_t time;
    uint64_t expiry;
  };
  const std::vector<Shape> shapes = {
      {RecordKind::kLive, 0, 0},
      {RecordKind::kLive, 1700000000, 0},
      {RecordKind::kLive, kMax64, 0},
      {RecordKind::kLive, 1700000000, 1700003600},  // expiring
      {RecordKind::kLive, 5, kMax64},
      {RecordKind::kLive, kMax64, 1},
      {RecordKind::kTombstone, 1700000000, 0},
      {RecordKind::kTombstone, 0, 0},
      {RecordKind::kTombstone, kMax64, 0},
      {RecordKind::kTombstone, 1700000000, 1700009999},  // tombstone of an expiring record
  };
  for (const auto& payload : payloads) {
    for (const auto& shape : shapes) {
      SCOPED_TRACE("payload " + std::to_string(payload.size()) + " bytes, time " +
                   std::to_string(shape.time) + ", expiry " + std::to_string(shape.expiry));
      const Record in = MakeRecord(shape.kind, shape.time, shape.expiry, payload);
      const std::string enc = Encode(key, in);
      EXPECT_GE(enc.size(), kMinRecordBytes);
      EXPECT_EQ(static_cast<uint8_t>(enc[0]), kRecordFormatVersion);
      Record out;
      out.time = 999;
      out.expiry = 999;
      const Status s = DecodeRecord(key, enc, &out);
      ASSERT_TRUE(s.ok()) << s.ToString();
      EXPECT_EQ(out.kind, shape.kind);
      EXPECT_EQ(out.IsTombstone(), shape.kind == RecordKind::kTombstone);
      EXPECT_EQ(out.time, shape.time);
      EXPECT_EQ(out.expiry, shape.expiry);
      EXPECT_EQ(out.payload.size(), payload.size());
      EXPECT_TRUE(out.payload == payload);
      // The payload view points into the encoded value.
      if (!payload.empty()) {
        EXPECT_GE(out.payload.data(), enc.data());
        EXPECT_LE(out.payload.data() + out.payload.size(), enc.data() + enc.size());
      }
    }
  }
}

TEST(RecordCodecTest, EncodeAppends) {
  const std::string key = EncodeKey("t", "k");
  std::string out = "prefix";
  EncodeRecord(key, MakeRecord(RecordKind::kLive, 7, 0, "value"), &out);
  ASSERT_EQ(out.substr(0, 6), "prefix");
  Record r;
  ASSERT_TRUE(DecodeRecord(key, std::string_view(out).substr(6), &r).ok());
  EXPECT_EQ(r.payload, "value");
  EXPECT_EQ(r.time, 7u);
}

TEST(RecordCodecTest, RecordKindName) {
  EXPECT_EQ(RecordKindName(MakeRecord(RecordKind::kLive, 1, 0, "x")), "live");
  EXPECT_EQ(RecordKindName(MakeRecord(RecordKind::kLive, 1, 100, "x")), "expiring");
  EXPECT_EQ(RecordKindName(MakeRecord(RecordKind::kTombstone, 1, 0, "x")), "tombstone");
  EXPECT_EQ(RecordKindName(MakeRecord(RecordKind::kTombstone, 1, 100, "x")), "tombstone");
}

TEST(RecordCodecTest, IsExpiredAt) {
  const Record never = MakeRecord(RecordKind::kLive, 10, 0, "x");
  EXPECT_FALSE(never.IsExpiredAt(0));
  EXPECT_FALSE(never.IsExpiredAt(kMax64));
  const Record expiring = MakeRecord(RecordKind::kLive, 10, 100, "x");
  EXPECT_FALSE(expiring.IsExpiredAt(0));
  EXPECT_FALSE(expiring.IsExpiredAt(99));
  EXPECT_TRUE(expiring.IsExpiredAt(100));  // "not after now": expiry == now is expired
  EXPECT_TRUE(expiring.IsExpiredAt(101));
  EXPECT_TRUE(expiring.IsExpiredAt(kMax64));
  // Decoded records behave the same.
  const std::string key = EncodeKey("t", "k");
  Record decoded;
  ASSERT_TRUE(DecodeRecord(key, Encode(key, expiring), &decoded).ok());
  EXPECT_FALSE(decoded.IsExpiredAt(99));
  EXPECT_TRUE(decoded.IsExpiredAt(100));
}

TEST(RecordCodecTest, EveryTruncationIsCorruption) {
  const std::string key = EncodeKey("t", "k");
  const std::vector<Record> records = {
      MakeRecord(RecordKind::kLive, 1700000000, 0, "value"),
      MakeRecord(RecordKind::kLive, 1700000000, 1800000000, "value"),
      MakeRecord(RecordKind::kTombstone, kMax64, 0, ""),
      MakeRecord(RecordKind::kLive, 0, 0, ""),
  };
  for (const Record& r : records) {
    const std::string enc = Encode(key, r);
    for (size_t n = 0; n < enc.size(); ++n) {
      ExpectCorruption(key, std::string_view(enc).substr(0, n),
                       "prefix of " + std::to_string(n) + "/" + std::to_string(enc.size()));
    }
  }
}

TEST(RecordCodecTest, UnknownVersionIsCorruption) {
  const std::string key = EncodeKey("t", "k");
  const std::string good = Encode(key, MakeRecord(RecordKind::kLive, 42, 0, "value"));
  for (int version : {0, 2, 3, 0x7f, 0x80, 0xff}) {
    std::string body = good.substr(0, good.size() - 4);
    body[0] = static_cast<char>(version);
    // With a checksum that matches, and with the original one.
    for (const std::string& value : {Seal(key, body), body + good.substr(good.size() - 4)}) {
      Record r;
      const Status s = DecodeRecord(key, value, &r);
      ASSERT_TRUE(s.IsCorruption()) << "version " << version << ": " << s.ToString();
    }
  }
}

TEST(RecordCodecTest, UnknownFlagBitsAreCorruption) {
  const std::string key = EncodeKey("t", "k");
  // flags: bits 0-1 kind (0 live, 1 tombstone), bit 2 has expiry.
  for (int flags = 0; flags < 256; ++flags) {
    const bool known = (flags & ~0x07) == 0 && (flags & 0x03) <= 1;
    std::string body;
    body.push_back(static_cast<char>(kRecordFormatVersion));
    body.push_back(static_cast<char>(flags));
    PutVarint64(&body, 1700000000);
    if (flags & 0x04) PutVarint64(&body, 1800000000);
    body += "payload";
    const std::string value = Seal(key, body);  // r.payload points into it
    Record r;
    const Status s = DecodeRecord(key, value, &r);
    if (known) {
      ASSERT_TRUE(s.ok()) << "flags " << flags << ": " << s.ToString();
      EXPECT_EQ(r.payload, "payload");
      EXPECT_EQ(r.expiry, (flags & 0x04) ? 1800000000u : 0u);
    } else {
      ASSERT_TRUE(s.IsCorruption()) << "flags " << flags << ": " << s.ToString();
    }
  }
}

TEST(RecordCodecTest, BadVarintsUnderAValidChecksumAreCorruption) {
  const std::string key = EncodeKey("t", "k");
  // Time varint that never ends.
  std::string body = {static_cast<char>(kRecordFormatVersion), 0, '\x80', '\x80'};
  ExpectCorruption(key, Seal(key, body), "unterminated time varint");
  // Time varint longer than 64 bits.
  body = {static_cast<char>(kRecordFormatVersion), 0};
  body.append(10, '\xff');
  body.push_back('\x01');
  ExpectCorruption(key, Seal(key, body), "overlong time varint");
  // Expiry flag set but the expiry varint is cut off.
  body = {static_cast<char>(kRecordFormatVersion), 0x04, 0x05, '\x80'};
  ExpectCorruption(key, Seal(key, body), "unterminated expiry varint");
  body = {static_cast<char>(kRecordFormatVersion), 0x04, 0x05};
  ExpectCorruption(key, Seal(key, body), "missing expiry varint");
}

TEST(RecordCodecTest, EveryFlippedBitIsCorruption) {
  const std::string key = EncodeKey("tenant", "key");
  const std::vector<Record> records = {
      MakeRecord(RecordKind::kLive, 1700000000, 0, "v"),
      MakeRecord(RecordKind::kLive, 1700000000, 1700086400, "val"),
      MakeRecord(RecordKind::kTombstone, 1700000000, 0, "deleted"),
      MakeRecord(RecordKind::kLive, 3, 0, ""),
  };
  for (const Record& r : records) {
    const std::string enc = Encode(key, r);
    for (size_t byte = 0; byte < enc.size(); ++byte) {
      for (int bit = 0; bit < 8; ++bit) {
        std::string bad = enc;
        bad[byte] = static_cast<char>(bad[byte] ^ (1 << bit));
        ExpectCorruption(key, bad,
                         "byte " + std::to_string(byte) + " bit " + std::to_string(bit) + " of " +
                             std::string(RecordKindName(r)));
      }
    }
  }
}

TEST(RecordCodecTest, SameValueUnderAnotherKeyIsCorruption) {
  const std::string key = EncodeKey("tenant", "key");
  const std::string enc = Encode(key, MakeRecord(RecordKind::kLive, 1700000000, 0, "value"));
  Record r;
  ASSERT_TRUE(DecodeRecord(key, enc, &r).ok());
  for (const std::string& other :
       {EncodeKey("tenant", "key2"), EncodeKey("tenant", "kez"), EncodeKey("tenanu", "key"),
        EncodeKey("tenant", ""), EncodeKey(std::string("tenant\0", 7), "key"), std::string("")}) {
    ExpectCorruption(other, enc, "moved to " + ::testing::PrintToString(other));
  }
}

TEST(RecordCodecTest, CorruptionMessageNamesTheKey) {
  const std::string key = EncodeKey("tenant-x", "key-y");
  std::string enc = Encode(key, MakeRecord(RecordKind::kLive, 1, 0, "value"));
  enc[3] ^= 0x01;
  Record r;
  const Status s = DecodeRecord(key, enc, &r);
  ASSERT_TRUE(s.IsCorruption());
  EXPECT_NE(s.message().find(PrintableHead(key)), std::string::npos) << s.ToString();
}

}  // namespace
}  // namespace metakv::codecs
