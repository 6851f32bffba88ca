#include "codecs/key_codec.h"

#include <xxhash.h>

#include "codecs/coding.h"

namespace metakv::codecs {

namespace {
constexpr char kEscape = '\x00';
constexpr char kEscapedZero = '\xff';
constexpr char kTerminator = '\x01';
}  // namespace

Status ValidateTenant(std::string_view tenant) {
  if (tenant.empty()) return Status::InvalidArgument("empty tenant id");
  if (tenant.size() > kMaxTenantBytes) {
    return Status::InvalidArgument("tenant id of " + std::to_string(tenant.size()) +
                                   " bytes exceeds the limit of " +
                                   std::to_string(kMaxTenantBytes));
  }
  return Status::OK();
}

void AppendTenantPrefix(std::string_view tenant, std::string* out) {
  for (char c : tenant) {
    out->push_back(c);
    if (c == kEscape) out->push_back(kEscapedZero);
  }
  out->push_back(kEscape);
  out->push_back(kTerminator);
}

void AppendKey(std::string_view tenant, std::string_view key, std::string* out) {
  AppendTenantPrefix(tenant, out);
  out->append(key.data(), key.size());
}

std::string EncodeKey(std::string_view tenant, std::string_view key) {
  std::string out;
  out.reserve(tenant.size() + key.size() + 2);
  AppendKey(tenant, key, &out);
  return out;
}

std::string TenantUpperBound(std::string_view tenant) {
  std::string out;
  AppendTenantPrefix(tenant, &out);
  out.back() = static_cast<char>(kTerminator + 1);
  return out;
}

std::string PrefixSuccessor(std::string_view prefix) {
  std::string out(prefix);
  while (!out.empty()) {
    auto last = static_cast<unsigned char>(out.back());
    if (last != 0xff) {
      out.back() = static_cast<char>(last + 1);
      return out;
    }
    out.pop_back();
  }
  return out;
}

Status TenantPrefixLength(std::string_view encoded, size_t* length) {
  size_t tenant_bytes = 0;
  for (size_t i = 0; i < encoded.size(); ++i) {
    if (encoded[i] != kEscape) {
      ++tenant_bytes;
      continue;
    }
    if (i + 1 >= encoded.size()) {
      return Status::Corruption("key " + PrintableHead(encoded) + ": tenant ends inside an escape");
    }
    const char next = encoded[i + 1];
    if (next == kTerminator) {
      if (tenant_bytes == 0) {
        return Status::Corruption("key " + PrintableHead(encoded) + ": empty tenant");
      }
      if (tenant_bytes > kMaxTenantBytes) {
        return Status::Corruption("key " + PrintableHead(encoded) + ": tenant longer than " +
                                  std::to_string(kMaxTenantBytes) + " bytes");
      }
      *length = i + 2;
      return Status::OK();
    }
    if (next != kEscapedZero) {
      return Status::Corruption("key " + PrintableHead(encoded) + ": bad escape in tenant");
    }
    ++tenant_bytes;
    ++i;
  }
  return Status::Corruption("key " + PrintableHead(encoded) + ": tenant not terminated");
}

Status DecodeKey(std::string_view encoded, std::string* tenant, std::string_view* user_key) {
  size_t length = 0;
  Status s = TenantPrefixLength(encoded, &length);
  if (!s.ok()) return s;
  tenant->clear();
  for (size_t i = 0; i + 2 < length; ++i) {
    tenant->push_back(encoded[i]);
    if (encoded[i] == kEscape) ++i;  // skip the 0xFF of an escaped zero
  }
  *user_key = encoded.substr(length);
  return Status::OK();
}

uint32_t TenantShard(std::string_view tenant, uint32_t shards) {
  if (shards <= 1) return 0;
  return static_cast<uint32_t>(XXH3_64bits(tenant.data(), tenant.size()) % shards);
}

}  // namespace metakv::codecs
