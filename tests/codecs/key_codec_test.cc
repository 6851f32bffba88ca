// Tests of the order-preserving key encoding (codecs/key_codec.h): round
// trips, order preservation against a model comparison, prefix-freeness over
// tenants, tenant and prefix ranges, and rejection of malformed encodings.
#include "codecs/key_codec.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <random>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace metakv::codecs {
namespace {

// Bytewise (unsigned) three-way comparison, independent of char signedness.
int CompareBytes(std::string_view a, std::string_view b) {
  const size_t n = std::min(a.size(), b.size());
  const int c = n == 0 ? 0 : std::memcmp(a.data(), b.data(), n);
  if (c != 0) return c < 0 ? -1 : 1;
  if (a.size() == b.size()) return 0;
  return a.size() < b.size() ? -1 : 1;
}

// The model order: (tenant, key) pairs, tenant first, both bytewise.
int ComparePairs(const std::pair<std::string, std::string>& x,
                 const std::pair<std::string, std::string>& y) {
  const int t = CompareBytes(x.first, y.first);
  return t != 0 ? t : CompareBytes(x.second, y.second);
}

bool StartsWith(std::string_view s, std::string_view prefix) {
  return s.size() >= prefix.size() && s.substr(0, prefix.size()) == prefix;
}

// Random bytes drawn mostly from the bytes that matter to the escaping
// (0x00, 0x01, 0x02, 0xFE, 0xFF) and a few ordinary ones, so that shared
// prefixes and escapes are frequent.
class ByteGen {
 public:
  explicit ByteGen(uint32_t seed) : rng_(seed) {}

  std::string Bytes(size_t min_len, size_t max_len) {
    std::uniform_int_distribution<size_t> len(min_len, max_len);
    std::string s(len(rng_), '\0');
    for (char& c : s) c = Byte();
    return s;
  }
  char Byte() {
    static const unsigned char kInteresting[] = {0x00, 0x01, 0x02, 0xfe, 0xff, '0', '1', 'a'};
    std::uniform_int_distribution<int> pick(0, 3);
    if (pick(rng_) != 0) {
      std::uniform_int_distribution<size_t> i(0, sizeof(kInteresting) - 1);
      return static_cast<char>(kInteresting[i(rng_)]);
    }
    std::uniform_int_distribution<int> any(0, 255);
    return static_cast<char>(any(rng_));
  }
  std::mt19937& rng() { return rng_; }

 private:
  std::mt19937 rng_;
};

TEST(KeyCodecTest, RoundTripFixedCases) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"t", "k"},
      {"t", ""},
      {std::string(1, '\0'), std::string(1, '\0')},
      {std::string("\xff"), std::string("\xff")},
      {std::string("a\0b", 3), std::string("\0\x01", 2)},
      {std::string("\0\0\0", 3), std::string("\0\0\x01\xff", 4)},
      {std::string(255, '\0'), "key"},
      {std::string(255, '\xff'), std::string(4096, '\0')},
      {"tenant", std::string("\0\x01tenant-like", 13)},
  };
  for (const auto& [tenant, key] : cases) {
    SCOPED_TRACE(::testing::PrintToString(tenant) + " / " + ::testing::PrintToString(key));
    const std::string enc = EncodeKey(tenant, key);
    std::string got_tenant = "garbage";
    std::string_view got_key;
    ASSERT_TRUE(DecodeKey(enc, &got_tenant, &got_key).ok());
    EXPECT_EQ(got_tenant, tenant);
    EXPECT_EQ(std::string(got_key), key);
    // The user key view points into the encoding, at its end.
    EXPECT_EQ(got_key.data() + got_key.size(), enc.data() + enc.size());

    size_t len = 0;
    ASSERT_TRUE(TenantPrefixLength(enc, &len).ok());
    std::string prefix;
    AppendTenantPrefix(tenant, &prefix);
    EXPECT_EQ(len, prefix.size());
    EXPECT_EQ(len + key.size(), enc.size());
    EXPECT_TRUE(StartsWith(enc, prefix));
  }
}

TEST(KeyCodecTest, RoundTripRandom) {
  ByteGen gen(12345);
  for (int i = 0; i < 5000; ++i) {
    const std::string tenant = gen.Bytes(1, i % 10 == 0 ? 255 : 8);
    const std::string key = gen.Bytes(0, 24);
    const std::string enc = EncodeKey(tenant, key);
    std::string got_tenant;
    std::string_view got_key;
    const Status s = DecodeKey(enc, &got_tenant, &got_key);
    ASSERT_TRUE(s.ok()) << s.ToString();
    ASSERT_EQ(got_tenant, tenant);
    ASSERT_EQ(std::string(got_key), key);
    size_t len = 0;
    ASSERT_TRUE(TenantPrefixLength(enc, &len).ok());
    ASSERT_EQ(enc.size() - len, key.size());
  }
}

TEST(KeyCodecTest, AppendKeyAppendsAndMatchesEncodeKey) {
  std::string out = "existing";
  AppendKey(std::string("t\0", 2), "key", &out);
  EXPECT_EQ(out, "existing" + EncodeKey(std::string("t\0", 2), "key"));

  std::string prefix = "xyz";
  AppendTenantPrefix("t", &prefix);
  EXPECT_EQ(prefix, "xyz" + EncodeKey("t", ""));
}

TEST(KeyCodecTest, DocumentedLayout) {
  // encoded = escaped(tenant) 0x00 0x01 | key, 0x00 in the tenant as 0x00 0xFF.
  EXPECT_EQ(EncodeKey("ab", "k"), std::string("ab\x00\x01k", 5));
  EXPECT_EQ(EncodeKey(std::string("a\0b", 3), std::string("\0", 1)), std::string("a\x00\xff"
                                                                                 "b\x00\x01\x00",
                                                                                 7));
}

TEST(KeyCodecTest, OrderPreservedForRandomPairs) {
  ByteGen gen(777);
  std::vector<std::pair<std::string, std::string>> pairs;
  for (int i = 0; i < 3000; ++i) pairs.emplace_back(gen.Bytes(1, 4), gen.Bytes(0, 4));
  // Pairwise: every comparison agrees in sign.
  for (size_t i = 0; i + 1 < pairs.size(); ++i) {
    const size_t j = (i * 7919 + 13) % pairs.size();
    for (size_t other : {i + 1, j}) {
      const auto& a = pairs[i];
      const auto& b = pairs[other];
      const int model = ComparePairs(a, b);
      const int enc = CompareBytes(EncodeKey(a.first, a.second), EncodeKey(b.first, b.second));
      ASSERT_EQ(model, enc) << ::testing::PrintToString(a) << " vs " << ::testing::PrintToString(b);
    }
  }
  // Whole-set: sorting by encoding gives the model order.
  std::vector<std::pair<std::string, std::string>> by_model = pairs;
  std::sort(by_model.begin(), by_model.end(),
            [](const auto& x, const auto& y) { return ComparePairs(x, y) < 0; });
  std::vector<std::string> encoded;
  for (const auto& p : pairs) encoded.push_back(EncodeKey(p.first, p.second));
  std::sort(encoded.begin(), encoded.end(),
            [](const std::string& x, const std::string& y) { return CompareBytes(x, y) < 0; });
  ASSERT_EQ(encoded.size(), by_model.size());
  for (size_t i = 0; i < encoded.size(); ++i) {
    ASSERT_EQ(encoded[i], EncodeKey(by_model[i].first, by_model[i].second)) << "position " << i;
  }
}

TEST(KeyCodecTest, OrderOfHandPickedTenants) {
  // Model order of tenants: "1" < "10" < "100" < "2"; "a" < "a\0" < "a\0\0" <
  // "a\x01" < "a\xff"; "\xff" is the largest one-byte tenant.
  const std::vector<std::string> tenants = {std::string("\0", 1),
                                            std::string("\0\0", 2),
                                            std::string("\x01", 1),
                                            "1",
                                            "10",
                                            "100",
                                            "2",
                                            "a",
                                            std::string("a\0", 2),
                                            std::string("a\0\0", 3),
                                            std::string("a\0\x01", 3),
                                            std::string("a\x01", 2),
                                            std::string("a\xff", 2),
                                            std::string("\xff", 1),
                                            std::string("\xff\0", 2),
                                            std::string("\xff\xff", 2)};
  for (size_t i = 0; i + 1 < tenants.size(); ++i) {
    ASSERT_LT(CompareBytes(tenants[i], tenants[i + 1]), 0) << "test data not sorted at " << i;
  }
  // Largest key of a smaller tenant sorts before the smallest key of the next.
  for (size_t i = 0; i + 1 < tenants.size(); ++i) {
    for (size_t j = i + 1; j < tenants.size(); ++j) {
      const std::string big_key_small_tenant = EncodeKey(tenants[i], std::string(16, '\xff'));
      const std::string small_key_big_tenant = EncodeKey(tenants[j], "");
      EXPECT_LT(CompareBytes(big_key_small_tenant, small_key_big_tenant), 0)
          << ::testing::PrintToString(tenants[i]) << " vs " << ::testing::PrintToString(tenants[j]);
    }
  }
}

TEST(KeyCodecTest, TenantPrefixesArePrefixFree) {
  const std::vector<std::string> tenants = {"1",
                                            "10",
                                            "100",
                                            "a",
                                            std::string("a\0", 2),
                                            std::string("a\0\0", 3),
                                            std::string("\xff", 1),
                                            std::string("\xff\xff", 2),
                                            std::string("\0", 1),
                                            std::string("\0\x01", 2),
                                            std::string("a\x01", 2)};
  for (const auto& t1 : tenants) {
    for (const auto& t2 : tenants) {
      if (t1 == t2) continue;
      std::string p1, p2;
      AppendTenantPrefix(t1, &p1);
      AppendTenantPrefix(t2, &p2);
      EXPECT_FALSE(StartsWith(p2, p1))
          << ::testing::PrintToString(t1) << " is a prefix of " << ::testing::PrintToString(t2);
      // No key of t2, whatever its bytes, starts with t1's tenant prefix.
      for (const std::string& key :
           {std::string(), std::string("\0", 1), std::string("\x01", 1), std::string("0"),
            std::string("\0\x01", 2), std::string("\xff", 1)}) {
        EXPECT_FALSE(StartsWith(EncodeKey(t2, key), p1))
            << ::testing::PrintToString(t2) << "/" << ::testing::PrintToString(key);
      }
    }
  }
}

TEST(KeyCodecTest, TenantRangeHoldsExactlyItsKeys) {
  ByteGen gen(4242);
  std::vector<std::string> tenants = {"1",
                                      "10",
                                      "100",
                                      "a",
                                      std::string("a\0", 2),
                                      std::string("a\0\0", 3),
                                      std::string("\xff", 1),
                                      std::string("\xff\xff", 2),
                                      std::string("\0", 1),
                                      std::string("a\x01", 2),
                                      std::string("a\xff", 2)};
  for (int i = 0; i < 40; ++i) tenants.push_back(gen.Bytes(1, 3));
  std::vector<std::pair<std::string, std::string>> keys;
  for (const auto& t : tenants) {
    keys.emplace_back(t, "");
    keys.emplace_back(t, std::string(8, '\xff'));
    keys.emplace_back(t, std::string("\0", 1));
    keys.emplace_back(t, std::string("\0\x02", 2));
    for (int i = 0; i < 10; ++i) keys.emplace_back(t, gen.Bytes(0, 6));
  }
  for (const auto& t : tenants) {
    const std::string lo = EncodeKey(t, "");
    const std::string hi = TenantUpperBound(t);
    ASSERT_LT(CompareBytes(lo, hi), 0);
    for (const auto& [kt, k] : keys) {
      const std::string enc = EncodeKey(kt, k);
      const bool inside = CompareBytes(lo, enc) <= 0 && CompareBytes(enc, hi) < 0;
      EXPECT_EQ(inside, kt == t) << "tenant " << ::testing::PrintToString(t) << ", key of "
                                 << ::testing::PrintToString(kt) << "/"
                                 << ::testing::PrintToString(k);
    }
  }
}

TEST(KeyCodecTest, KeyPrefixRangeInsideTenantIsContiguous) {
  // All keys of a tenant that start with p lie in
  // [EncodeKey(t, p), PrefixSuccessor(EncodeKey(t, p))), and no other key does.
  ByteGen gen(99);
  const std::vector<std::string> tenants = {"1", "10", std::string("a\0", 2),
                                            std::string("\xff", 1)};
  const std::vector<std::string> prefixes = {"a",
                                             std::string("\xff", 1),
                                             std::string("\xff\xff", 2),
                                             std::string("\0", 1),
                                             std::string("a\xff", 2),
                                             "ab"};
  std::vector<std::pair<std::string, std::string>> keys;
  for (const auto& t : tenants) {
    for (const auto& p : prefixes) {
      keys.emplace_back(t, p);
      keys.emplace_back(t, p + std::string(3, '\xff'));
      keys.emplace_back(t, p + std::string(1, '\0'));
    }
    for (int i = 0; i < 200; ++i) {
      std::string k = gen.Bytes(0, 4);
      for (char& c : k) c = (c == '0' || c == '1') ? 'a' : c;  // make 'a' frequent
      keys.emplace_back(t, k);
    }
  }
  for (const auto& t : tenants) {
    for (const auto& p : prefixes) {
      const std::string lo = EncodeKey(t, p);
      const std::string hi = PrefixSuccessor(lo);
      ASSERT_FALSE(hi.empty());
      for (const auto& [kt, k] : keys) {
        const std::string enc = EncodeKey(kt, k);
        const bool inside = CompareBytes(lo, enc) <= 0 && CompareBytes(enc, hi) < 0;
        EXPECT_EQ(inside, kt == t && StartsWith(k, p))
            << "tenant " << ::testing::PrintToString(t) << " prefix " << ::testing::PrintToString(p)
            << ", key " << ::testing::PrintToString(kt) << "/" << ::testing::PrintToString(k);
      }
    }
  }
}

TEST(KeyCodecTest, PrefixSuccessorCases) {
  EXPECT_EQ(PrefixSuccessor(""), "");
  EXPECT_EQ(PrefixSuccessor("a"), "b");
  EXPECT_EQ(PrefixSuccessor("abc"), "abd");
  EXPECT_EQ(PrefixSuccessor(std::string("\0", 1)), std::string("\x01", 1));
  EXPECT_EQ(PrefixSuccessor(std::string("a\xff", 2)), "b");
  EXPECT_EQ(PrefixSuccessor(std::string("a\xff\xff", 3)), "b");
  EXPECT_EQ(PrefixSuccessor(std::string("ab\xfe", 3)), std::string("ab\xff", 3));
  EXPECT_EQ(PrefixSuccessor(std::string("\xfe\xff", 2)), std::string("\xff", 1));
  EXPECT_EQ(PrefixSuccessor(std::string("\xff", 1)), "");
  EXPECT_EQ(PrefixSuccessor(std::string("\xff\xff\xff", 3)), "");
  EXPECT_EQ(PrefixSuccessor(std::string("\x7f", 1)), std::string("\x80", 1));
}

TEST(KeyCodecTest, PrefixSuccessorIsTheSmallestUpperBound) {
  ByteGen gen(5);
  for (int i = 0; i < 300; ++i) {
    const std::string prefix = gen.Bytes(1, 4);
    const std::string succ = PrefixSuccessor(prefix);
    bool all_ff = true;
    for (char c : prefix) all_ff = all_ff && c == '\xff';
    if (all_ff) {
      EXPECT_EQ(succ, "");
      continue;
    }
    ASSERT_FALSE(succ.empty());
    for (int j = 0; j < 50; ++j) {
      const std::string s = gen.Bytes(0, 6);
      const std::string extended = prefix + s;
      // Every extension of the prefix is below the successor.
      EXPECT_LT(CompareBytes(extended, succ), 0);
      // A string between prefix and successor starts with prefix.
      if (CompareBytes(prefix, s) <= 0 && CompareBytes(s, succ) < 0) {
        EXPECT_TRUE(StartsWith(s, prefix));
      }
    }
    // Nothing starting with the successor starts with the prefix.
    EXPECT_FALSE(StartsWith(succ, prefix));
  }
}

TEST(KeyCodecTest, ValidateTenantLimits) {
  EXPECT_TRUE(ValidateTenant("").IsInvalidArgument());
  EXPECT_TRUE(ValidateTenant("a").ok());
  EXPECT_TRUE(ValidateTenant(std::string("\0", 1)).ok());
  EXPECT_TRUE(ValidateTenant(std::string(254, 'x')).ok());
  EXPECT_TRUE(ValidateTenant(std::string(kMaxTenantBytes, 'x')).ok());
  EXPECT_TRUE(ValidateTenant(std::string(kMaxTenantBytes, '\0')).ok());
  EXPECT_TRUE(ValidateTenant(std::string(kMaxTenantBytes + 1, 'x')).IsInvalidArgument());
  EXPECT_TRUE(ValidateTenant(std::string(1000, 'x')).IsInvalidArgument());
  EXPECT_EQ(kMaxTenantBytes, 255u);
}

// Both decoders reject the input with Corruption.
void ExpectMalformed(const std::string& encoded) {
  SCOPED_TRACE(::testing::PrintToString(encoded));
  std::string tenant;
  std::string_view key;
  const Status d = DecodeKey(encoded, &tenant, &key);
  EXPECT_TRUE(d.IsCorruption()) << d.ToString();
  EXPECT_FALSE(d.message().empty());
  size_t length = 12345;
  const Status t = TenantPrefixLength(encoded, &length);
  EXPECT_TRUE(t.IsCorruption()) << t.ToString();
}

TEST(KeyCodecTest, RejectsMalformedEncodings) {
  ExpectMalformed("");                                                 // nothing at all
  ExpectMalformed("abc");                                              // unterminated
  ExpectMalformed(std::string("abc\xff\x01", 5));                      // no 0x00 before 0x01
  ExpectMalformed(std::string("a\0", 2));                              // trailing 0x00
  ExpectMalformed(std::string("a\0\xff", 3));                          // escaped zero, unterminated
  ExpectMalformed(std::string("a\0\xff\0", 4));                        // trailing 0x00 after escape
  ExpectMalformed(std::string("a\0\x05key", 6));                       // bad escape 0x00 0x05
  ExpectMalformed(std::string("a\0\x00\x01", 4));                      // bad escape 0x00 0x00
  ExpectMalformed(std::string("a\0\x02", 3));                          // bad escape 0x00 0x02
  ExpectMalformed(std::string("\0\x01key", 5));                        // empty tenant
  ExpectMalformed(std::string("\0\x01", 2));                           // empty tenant, no key
  ExpectMalformed(std::string(256, 'a') + std::string("\0\x01k", 3));  // 256-byte tenant
  std::string zeros;
  for (int i = 0; i < 256; ++i) zeros += std::string("\0\xff", 2);
  ExpectMalformed(zeros + std::string("\0\x01k", 3));  // 256 escaped zero bytes
}

TEST(KeyCodecTest, AcceptsLongestTenants) {
  for (const std::string& tenant : {std::string(255, 'a'), std::string(255, '\0')}) {
    std::string enc = EncodeKey(tenant, "k");
    std::string got;
    std::string_view key;
    ASSERT_TRUE(DecodeKey(enc, &got, &key).ok());
    EXPECT_EQ(got, tenant);
    EXPECT_EQ(key, "k");
  }
}

TEST(KeyCodecTest, UserKeyMayContainTerminatorBytes) {
  // The first terminator ends the tenant; the user key is not escaped.
  const std::string enc = EncodeKey("t", std::string("\0\x01u\0\x01", 5));
  std::string tenant;
  std::string_view key;
  ASSERT_TRUE(DecodeKey(enc, &tenant, &key).ok());
  EXPECT_EQ(tenant, "t");
  EXPECT_EQ(key, std::string_view("\0\x01u\0\x01", 5));
}

}  // namespace
}  // namespace metakv::codecs
