// Order-preserving key encoding: encoded = escaped(tenant) 0x00 0x01 | key.
//
// In the tenant every 0x00 byte is written as 0x00 0xFF, and the tenant ends
// with 0x00 0x01. So the encoding is prefix-free over tenants (tenant "1"
// never matches a prefix of tenant "10"), sorts by (tenant, key) bytewise,
// and all keys of a tenant, or of a key prefix inside a tenant, form one
// contiguous range. The user key follows unescaped. Pure functions:
// thread-safe.
#ifndef METAKV_CODECS_KEY_CODEC_H_
#define METAKV_CODECS_KEY_CODEC_H_

#include <string>
#include <string_view>

#include "metakv/status.h"

namespace metakv::codecs {

inline constexpr size_t kMaxTenantBytes = 255;

// InvalidArgument unless 1 <= tenant.size() <= kMaxTenantBytes.
Status ValidateTenant(std::string_view tenant);

// Appends escaped(tenant) and the terminator to *out.
void AppendTenantPrefix(std::string_view tenant, std::string* out);
// Appends the encoded (tenant, key) to *out.
void AppendKey(std::string_view tenant, std::string_view key, std::string* out);
std::string EncodeKey(std::string_view tenant, std::string_view key);

// The smallest encoded key greater than every key of tenant.
std::string TenantUpperBound(std::string_view tenant);

// The smallest string greater than every string that starts with prefix;
// empty if there is none (prefix empty or all 0xFF).
std::string PrefixSuccessor(std::string_view prefix);

// Splits an encoded key. *user_key points into encoded. Corruption if the
// tenant part is unterminated, badly escaped, empty or too long.
Status DecodeKey(std::string_view encoded, std::string* tenant, std::string_view* user_key);

// The length of the encoded tenant prefix (terminator included) at the front
// of encoded; Corruption as for DecodeKey. Does not allocate.
Status TenantPrefixLength(std::string_view encoded, size_t* length);

// The shard of a domain with `shards` tenant shards (DomainOptions::
// tenant_shards) that holds a tenant: XXH3 of the tenant id, modulo the
// count. Stored data depends on it: never change the function.
uint32_t TenantShard(std::string_view tenant, uint32_t shards);

}  // namespace metakv::codecs

#endif  // METAKV_CODECS_KEY_CODEC_H_
