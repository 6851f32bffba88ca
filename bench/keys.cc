#include "bench/keys.h"

#include <cassert>

namespace metakv::bench {

namespace {

// Appends v in decimal, zero-padded on the left to width digits.
// REQUIRES: DecimalDigits(v) <= width.
void AppendPaddedDecimal(uint64_t v, int width, std::string* out) {
  const size_t start = out->size();
  out->append(static_cast<size_t>(width), '0');
  for (size_t i = out->size(); v != 0; v /= 10) (*out)[--i] = static_cast<char>('0' + v % 10);
  assert(out->size() - start == static_cast<size_t>(width));
  (void)start;
}

}  // namespace

int DecimalDigits(uint64_t v) {
  int digits = 1;
  while (v >= 10) {
    v /= 10;
    ++digits;
  }
  return digits;
}

std::string CheckKeyLayout(uint64_t key_size, uint64_t tenants, uint64_t num) {
  if (tenants == 0) return "--tenants must be at least 1";
  if (num == 0) return "--num must be at least 1";
  // The longest tenant belongs to the largest tenant number that occurs.
  const uint64_t largest_tenant = (num < tenants ? num : tenants) - 1;
  const uint64_t longest_tenant = 1 + DecimalDigits(largest_tenant);
  const uint64_t user_key_digits = DecimalDigits(num - 1);
  if (key_size < longest_tenant + user_key_digits) {
    return "--key_size=" + std::to_string(key_size) + " is too small: keys need " +
           std::to_string(longest_tenant + user_key_digits) + " bytes (tenant \"t" +
           std::to_string(largest_tenant) + "\" plus " + std::to_string(user_key_digits) +
           " digits for key numbers below --num=" + std::to_string(num) + ")";
  }
  return {};
}

void KeyFormatter::Format(uint64_t k, std::string* tenant, std::string* user_key) const {
  tenant->assign(1, 't');
  AppendPaddedDecimal(k % tenants_, DecimalDigits(k % tenants_), tenant);
  user_key->clear();
  AppendPaddedDecimal(k, static_cast<int>(key_size_ - tenant->size()), user_key);
}

bool KeyFormatter::IsKeyOf(std::string_view tenant, std::string_view user_key) const {
  if (tenant.size() + user_key.size() != key_size_ || user_key.empty()) return false;
  // The user key is zero-padded to any width up to key_size (1024), so its
  // length says nothing about its value: only the value must fit.
  uint64_t k = 0;
  for (char c : user_key) {
    if (c < '0' || c > '9') return false;
    const uint64_t digit = static_cast<uint64_t>(c - '0');
    if (k > (UINT64_MAX - digit) / 10) return false;  // no key number is that large
    k = k * 10 + digit;
  }
  // user_key is k zero-padded to its own width, which is the width Format
  // pads to once the tenant matches (the sizes add up to key_size).
  std::string expected_tenant(1, 't');
  AppendPaddedDecimal(k % tenants_, DecimalDigits(k % tenants_), &expected_tenant);
  return expected_tenant == tenant;
}

}  // namespace metakv::bench
