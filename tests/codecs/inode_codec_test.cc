// Tests of the inode attribute codec (metakv/filesystem.h): round trips of
// extreme and random values, and rejection with Corruption of truncated,
// over-long, unknown-version and out-of-range encodings.
#include "metakv/filesystem.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "codecs/coding.h"

namespace metakv {
namespace {

constexpr uint64_t kMax64 = std::numeric_limits<uint64_t>::max();
constexpr uint32_t kMax32 = std::numeric_limits<uint32_t>::max();
constexpr int64_t kMinI64 = std::numeric_limits<int64_t>::min();
constexpr int64_t kMaxI64 = std::numeric_limits<int64_t>::max();

InodeAttributes Sample() {
  InodeAttributes a;
  a.ino = 123456789;
  a.mode = 0100644;
  a.uid = 1000;
  a.gid = 100;
  a.nlink = 2;
  a.size = 1 << 20;
  a.blocks = 2048;
  a.atime_ns = 1700000000123456789;
  a.mtime_ns = 1700000001000000000;
  a.ctime_ns = -1;
  a.generation = 7;
  a.flags = 0x10;
  return a;
}

InodeAttributes Max() {
  InodeAttributes a;
  a.ino = kMax64;
  a.mode = kMax32;
  a.uid = kMax32;
  a.gid = kMax32;
  a.nlink = kMax32;
  a.size = kMax64;
  a.blocks = kMax64;
  a.atime_ns = kMaxI64;
  a.mtime_ns = kMinI64;
  a.ctime_ns = kMaxI64;
  a.generation = kMax64;
  a.flags = kMax32;
  return a;
}

std::string Encode(const InodeAttributes& a) {
  std::string out;
  EncodeInode(a, &out);
  return out;
}

void ExpectRoundTrip(const InodeAttributes& a) {
  const std::string enc = Encode(a);
  InodeAttributes out;
  out.ino = 99;  // overwritten
  const Status s = DecodeInode(enc, &out);
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_TRUE(out == a);
  EXPECT_FALSE(out != a);
  EXPECT_EQ(out.ino, a.ino);
  EXPECT_EQ(out.mode, a.mode);
  EXPECT_EQ(out.uid, a.uid);
  EXPECT_EQ(out.gid, a.gid);
  EXPECT_EQ(out.nlink, a.nlink);
  EXPECT_EQ(out.size, a.size);
  EXPECT_EQ(out.blocks, a.blocks);
  EXPECT_EQ(out.atime_ns, a.atime_ns);
  EXPECT_EQ(out.mtime_ns, a.mtime_ns);
  EXPECT_EQ(out.ctime_ns, a.ctime_ns);
  EXPECT_EQ(out.generation, a.generation);
  EXPECT_EQ(out.flags, a.flags);
}

TEST(InodeCodecTest, RoundTripExtremes) {
  ExpectRoundTrip(InodeAttributes{});  // all zero
  ExpectRoundTrip(Sample());
  ExpectRoundTrip(Max());
  InodeAttributes neg = Sample();
  neg.atime_ns = kMinI64;
  neg.mtime_ns = -1;
  neg.ctime_ns = -1000000000LL * 86400 * 365 * 50;  // 1920
  ExpectRoundTrip(neg);
  InodeAttributes min_times;
  min_times.atime_ns = kMinI64;
  min_times.mtime_ns = kMinI64;
  min_times.ctime_ns = kMinI64;
  ExpectRoundTrip(min_times);
}

TEST(InodeCodecTest, RoundTripRandom) {
  std::mt19937_64 rng(2024);
  for (int i = 0; i < 2000; ++i) {
    // Random widths so varints of every length occur.
    auto r64 = [&] { return rng() >> (rng() % 64); };
    InodeAttributes a;
    a.ino = r64();
    a.mode = static_cast<uint32_t>(r64());
    a.uid = static_cast<uint32_t>(r64());
    a.gid = static_cast<uint32_t>(r64());
    a.nlink = static_cast<uint32_t>(r64());
    a.size = r64();
    a.blocks = r64();
    a.atime_ns = static_cast<int64_t>(r64()) * ((rng() & 1) ? -1 : 1);
    a.mtime_ns = static_cast<int64_t>(r64()) * ((rng() & 1) ? -1 : 1);
    a.ctime_ns = static_cast<int64_t>(rng());
    a.generation = r64();
    a.flags = static_cast<uint32_t>(r64());
    ASSERT_NO_FATAL_FAILURE(ExpectRoundTrip(a)) << "iteration " << i;
  }
}

TEST(InodeCodecTest, EncodeAppends) {
  std::string out = "head";
  EncodeInode(Sample(), &out);
  ASSERT_EQ(out.substr(0, 4), "head");
  InodeAttributes a;
  ASSERT_TRUE(DecodeInode(std::string_view(out).substr(4), &a).ok());
  EXPECT_TRUE(a == Sample());
}

TEST(InodeCodecTest, EqualityComparesEveryField) {
  const InodeAttributes base = Sample();
  std::vector<InodeAttributes> variants(12, base);
  variants[0].ino++;
  variants[1].mode++;
  variants[2].uid++;
  variants[3].gid++;
  variants[4].nlink++;
  variants[5].size++;
  variants[6].blocks++;
  variants[7].atime_ns++;
  variants[8].mtime_ns++;
  variants[9].ctime_ns++;
  variants[10].generation++;
  variants[11].flags++;
  for (size_t i = 0; i < variants.size(); ++i) {
    EXPECT_FALSE(variants[i] == base) << "field " << i;
    EXPECT_TRUE(variants[i] != base) << "field " << i;
  }
}

TEST(InodeCodecTest, EmptyInputIsCorruption) {
  InodeAttributes a;
  EXPECT_TRUE(DecodeInode("", &a).IsCorruption());
}

TEST(InodeCodecTest, EveryTruncationIsCorruption) {
  for (const InodeAttributes& a : {InodeAttributes{}, Sample(), Max()}) {
    const std::string enc = Encode(a);
    for (size_t n = 0; n < enc.size(); ++n) {
      InodeAttributes out;
      const Status s = DecodeInode(std::string_view(enc).substr(0, n), &out);
      EXPECT_TRUE(s.IsCorruption()) << "prefix " << n << "/" << enc.size() << ": " << s.ToString();
    }
  }
}

TEST(InodeCodecTest, TrailingBytesAreCorruption) {
  for (const std::string& extra : {std::string("\0", 1), std::string("\x01"),
                                   std::string("\xff\xff"), std::string("garbage")}) {
    const std::string enc = Encode(Sample()) + extra;
    InodeAttributes out;
    const Status s = DecodeInode(enc, &out);
    EXPECT_TRUE(s.IsCorruption()) << ::testing::PrintToString(extra) << ": " << s.ToString();
  }
}

TEST(InodeCodecTest, UnknownVersionIsCorruption) {
  for (int version : {0, 2, 0x7f, 0x80, 0xff}) {
    std::string enc = Encode(Sample());
    enc[0] = static_cast<char>(version);
    InodeAttributes out;
    const Status s = DecodeInode(enc, &out);
    EXPECT_TRUE(s.IsCorruption()) << "version " << version << ": " << s.ToString();
  }
}

// Hand-builds an encoding (version 1, then the twelve varints in order) with
// one field replaced by raw.
std::string Craft(size_t field_index, uint64_t raw) {
  std::vector<uint64_t> fields(12, 1);
  fields[field_index] = raw;
  std::string out(1, '\x01');
  for (uint64_t f : fields) codecs::PutVarint64(&out, f);
  return out;
}

TEST(InodeCodecTest, ThirtyTwoBitFieldOverflowIsCorruption) {
  // Field order: ino, mode, uid, gid, nlink, size, blocks, atime, mtime,
  // ctime, generation, flags.
  const struct {
    size_t index;
    const char* name;
  } narrow[] = {{1, "mode"}, {2, "uid"}, {3, "gid"}, {4, "nlink"}, {11, "flags"}};
  for (const auto& f : narrow) {
    SCOPED_TRACE(f.name);
    InodeAttributes out;
    // 2^32 - 1 fits.
    Status s = DecodeInode(Craft(f.index, kMax32), &out);
    ASSERT_TRUE(s.ok()) << s.ToString();
    for (uint64_t v : {uint64_t{1} << 32, (uint64_t{1} << 32) + 1, kMax64}) {
      s = DecodeInode(Craft(f.index, v), &out);
      EXPECT_TRUE(s.IsCorruption()) << v << ": " << s.ToString();
      // The message names the field.
      EXPECT_NE(s.message().find(f.name), std::string::npos) << s.ToString();
    }
  }
  // The 64-bit fields take any value.
  for (size_t index : {0u, 5u, 6u, 10u}) {
    InodeAttributes out;
    EXPECT_TRUE(DecodeInode(Craft(index, kMax64), &out).ok()) << index;
  }
}

TEST(InodeCodecTest, CraftedEncodingDecodesInFieldOrder) {
  // Guards the hand-built encodings above: with distinct values per field the
  // decoder must put each in its place.
  std::string enc(1, '\x01');
  for (uint64_t v : {11u, 12u, 13u, 14u, 15u, 16u, 17u}) codecs::PutVarint64(&enc, v);
  codecs::PutVarint64(&enc, codecs::ZigZagEncode(-18));
  codecs::PutVarint64(&enc, codecs::ZigZagEncode(19));
  codecs::PutVarint64(&enc, codecs::ZigZagEncode(-20));
  codecs::PutVarint64(&enc, 21);
  codecs::PutVarint64(&enc, 22);
  InodeAttributes a;
  ASSERT_TRUE(DecodeInode(enc, &a).ok());
  EXPECT_EQ(a.ino, 11u);
  EXPECT_EQ(a.mode, 12u);
  EXPECT_EQ(a.uid, 13u);
  EXPECT_EQ(a.gid, 14u);
  EXPECT_EQ(a.nlink, 15u);
  EXPECT_EQ(a.size, 16u);
  EXPECT_EQ(a.blocks, 17u);
  EXPECT_EQ(a.atime_ns, -18);
  EXPECT_EQ(a.mtime_ns, 19);
  EXPECT_EQ(a.ctime_ns, -20);
  EXPECT_EQ(a.generation, 21u);
  EXPECT_EQ(a.flags, 22u);
  EXPECT_EQ(enc, Encode(a));
}

TEST(InodeCodecTest, VarintBeyondSixtyFourBitsIsCorruption) {
  std::string enc(1, '\x01');
  enc.append(9, '\xff');
  enc.push_back('\x02');  // tenth byte > 1: does not fit in 64 bits
  for (int i = 0; i < 11; ++i) codecs::PutVarint64(&enc, 1);
  InodeAttributes out;
  EXPECT_TRUE(DecodeInode(enc, &out).IsCorruption());
}

}  // namespace
}  // namespace metakv
