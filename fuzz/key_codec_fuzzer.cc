// Key codec (codecs/key_codec.h) on arbitrary bytes.
//
// Checks: DecodeKey and TenantPrefixLength never crash and agree; a key
// that decodes re-encodes to the same bytes (the encoding is canonical);
// for two (tenant, key) pairs cut from the input, decode(encode(x)) == x,
// encodings compare as the pairs do, the tenant range ends at
// TenantUpperBound, and PrefixSuccessor bounds the keys with a prefix.
#include <fuzzer/FuzzedDataProvider.h>

#include <string>
#include <string_view>

#include "codecs/coding.h"
#include "codecs/key_codec.h"
#include "fuzz/fuzz_util.h"

namespace codecs = metakv::codecs;
using metakv::fuzz::CheckFailed;

namespace {

int Sign(int c) { return (c > 0) - (c < 0); }

// -1, 0, 1 as (t1, k1) compares with (t2, k2).
int ComparePairs(const std::string& t1, const std::string& k1, const std::string& t2,
                 const std::string& k2) {
  const int c = t1.compare(t2);
  return c != 0 ? Sign(c) : Sign(k1.compare(k2));
}

void CheckDecode(std::string_view encoded) {
  std::string tenant;
  std::string_view user_key;
  const metakv::Status s = codecs::DecodeKey(encoded, &tenant, &user_key);
  size_t length = 0;
  const metakv::Status ls = codecs::TenantPrefixLength(encoded, &length);
  FUZZ_CHECK(s.ok() == ls.ok(), s.ToString() + " vs " + ls.ToString());
  if (!s.ok()) {
    FUZZ_CHECK(s.IsCorruption(), s.ToString());
    FUZZ_CHECK(!s.message().empty(), "empty message");
    return;
  }
  FUZZ_CHECK(codecs::ValidateTenant(tenant).ok(), codecs::Printable(tenant));
  FUZZ_CHECK(length + user_key.size() == encoded.size(), codecs::Printable(encoded));
  FUZZ_CHECK(user_key.data() == encoded.data() + length, codecs::Printable(encoded));
  const std::string again = codecs::EncodeKey(tenant, user_key);
  FUZZ_CHECK(again == encoded,
             codecs::Printable(encoded) + " re-encodes as " + codecs::Printable(again));
}

void CheckPair(const std::string& tenant, const std::string& key) {
  const std::string encoded = codecs::EncodeKey(tenant, key);
  std::string t;
  std::string_view k;
  const metakv::Status s = codecs::DecodeKey(encoded, &t, &k);
  FUZZ_CHECK(s.ok(), s.ToString());
  FUZZ_CHECK(t == tenant && k == key, codecs::Printable(encoded));
  const std::string upper = codecs::TenantUpperBound(tenant);
  FUZZ_CHECK(encoded < upper, codecs::Printable(encoded) + " >= " + codecs::Printable(upper));
  FUZZ_CHECK(codecs::EncodeKey(tenant, "") <= encoded, codecs::Printable(encoded));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  CheckDecode(std::string_view(reinterpret_cast<const char*>(data), size));

  FuzzedDataProvider in(data, size);
  std::string t1 = in.ConsumeRandomLengthString(300);
  std::string k1 = in.ConsumeRandomLengthString(64);
  std::string t2 = in.ConsumeRandomLengthString(300);
  std::string k2 = in.ConsumeRandomLengthString(64);
  const std::string prefix = in.ConsumeRandomLengthString(8);
  if (!codecs::ValidateTenant(t1).ok() || !codecs::ValidateTenant(t2).ok()) return 0;
  CheckPair(t1, k1);
  CheckPair(t2, k2);

  const std::string e1 = codecs::EncodeKey(t1, k1);
  const std::string e2 = codecs::EncodeKey(t2, k2);
  FUZZ_CHECK(Sign(e1.compare(e2)) == ComparePairs(t1, k1, t2, k2),
             codecs::Printable(e1) + " vs " + codecs::Printable(e2));
  // Every key of a greater tenant sorts at or after the smaller tenant's end.
  if (t1 < t2) {
    FUZZ_CHECK(codecs::TenantUpperBound(t1) <= e2, codecs::Printable(e2));
  }
  // Prefix-free: a tenant's prefix never starts another tenant's keys.
  std::string p1;
  codecs::AppendTenantPrefix(t1, &p1);
  FUZZ_CHECK((e2.compare(0, p1.size(), p1) == 0) == (t1 == t2), codecs::Printable(e2));

  // PrefixSuccessor: keys starting with prefix sort below it; other keys
  // at or above prefix sort at or above it.
  const std::string succ = codecs::PrefixSuccessor(prefix);
  for (const std::string* k : {&k1, &k2}) {
    const bool has_prefix = k->compare(0, prefix.size(), prefix) == 0;
    if (succ.empty()) {
      FUZZ_CHECK(!has_prefix || prefix.find_first_not_of('\xff') == std::string::npos,
                 codecs::Printable(prefix));
      continue;
    }
    if (has_prefix) {
      FUZZ_CHECK(*k < succ, codecs::Printable(*k) + " >= " + codecs::Printable(succ));
    } else if (*k > prefix) {
      FUZZ_CHECK(*k >= succ, codecs::Printable(*k) + " < " + codecs::Printable(succ));
    }
  }
  return 0;
}
