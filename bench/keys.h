// The benchmark's key layout: key number k -> (tenant, user key).
//
//   tenant   = "t" + decimal(k % tenants)                      e.g. "t7"
//   user key = decimal(k), zero-padded on the left to
//              key_size - tenant.size() bytes                  e.g. "00000000001234"
//
// So tenant + user key is exactly key_size bytes for every k: the metakv
// engine stores (tenant, user key), the rocksdb engine stores the plain
// concatenation, and both count the same key bytes per write. Keys are
// unique as long as decimal(k) fits in the user key (CheckKeyLayout): the
// concatenation is unique too, because the user key is k itself.
//
// Zero-padded decimal (rather than big-endian binary) keeps keys printable,
// which the rocksdb tools and metakv-sst-dump show as they are.
// Immutable after construction: thread-safe.
#ifndef METAKV_BENCH_KEYS_H_
#define METAKV_BENCH_KEYS_H_

#include <cstdint>
#include <string>
#include <string_view>

namespace metakv::bench {

// Empty if every key number in [0, num) fits the layout above with this
// key_size and tenant count; otherwise one line saying what is too small.
std::string CheckKeyLayout(uint64_t key_size, uint64_t tenants, uint64_t num);

class KeyFormatter {
 public:
  // REQUIRES: tenants > 0.
  KeyFormatter(uint64_t key_size, uint64_t tenants) : key_size_(key_size), tenants_(tenants) {}

  // Writes key number k's tenant and user key (replacing their contents).
  // REQUIRES: CheckKeyLayout(key_size, tenants, n) is empty for some n > k.
  void Format(uint64_t k, std::string* tenant, std::string* user_key) const;

  // True if (tenant, user_key) is a key of this layout: user_key is the
  // decimal key number k, padded as Format pads it, and tenant is k's
  // tenant. The rocksdb engine uses it to tell tenant "t1"'s records from
  // "t10"'s, whose concatenated keys share the prefix "t1".
  bool IsKeyOf(std::string_view tenant, std::string_view user_key) const;

  uint64_t key_size() const { return key_size_; }
  uint64_t tenants() const { return tenants_; }

 private:
  uint64_t key_size_;
  uint64_t tenants_;
};

// Decimal digits of v (1 for 0).
int DecimalDigits(uint64_t v);

}  // namespace metakv::bench

#endif  // METAKV_BENCH_KEYS_H_
