#include "tools/stress/key_space.h"

#include <cassert>
#include <cstdio>

namespace metakv::stress {

namespace {

uint64_t Mix(uint64_t x) {
  x ^= x >> 33;
  x *= 0xff51afd7ed558ccdull;
  x ^= x >> 33;
  x *= 0xc4ceb9fe1a85ec53ull;
  x ^= x >> 33;
  return x;
}

}  // namespace

KeySpace::KeySpace(uint32_t keys_per_tenant) : keys_per_tenant_(keys_per_tenant) {
  assert(keys_per_tenant >= 1 && keys_per_tenant <= 100000);
  tenants_ = {"t1", "t10", std::string("t1\0z", 4), "t2"};
}

std::string_view KeySpace::DomainName(uint32_t domain) {
  switch (domain) {
    case kInode:
      return "inode";
    case kDentry:
      return "dentry";
    case kHistory:
      return "history";
  }
  return "?";
}

std::string KeySpace::KeyName(uint32_t key) {
  char buf[16];
  std::snprintf(buf, sizeof(buf), "k%05u", key);
  return buf;
}

bool KeySpace::ParseKeyName(std::string_view name, uint32_t* key) const {
  if (name.size() != 6 || name[0] != 'k') return false;
  uint32_t v = 0;
  for (char c : name.substr(1)) {
    if (c < '0' || c > '9') return false;
    v = v * 10 + static_cast<uint32_t>(c - '0');
  }
  if (v >= keys_per_tenant_) return false;
  *key = v;
  return true;
}

bool KeySpace::FindTenant(std::string_view name, uint32_t* tenant) const {
  for (uint32_t i = 0; i < tenants(); ++i) {
    if (tenants_[i] == name) {
      *tenant = i;
      return true;
    }
  }
  return false;
}

uint64_t KeySpace::LinkPartner(uint64_t slot) const {
  const uint32_t d = DomainOf(slot);
  assert(d != kHistory);
  return Slot(d == kInode ? kDentry : kInode, TenantOf(slot), KeyOf(slot));
}

std::string KeySpace::Describe(uint64_t slot) const {
  return std::string(DomainName(DomainOf(slot))) + "/" +
         codecs::Printable(TenantName(TenantOf(slot))) + "/" + KeyName(KeyOf(slot));
}

std::string KeySpace::ValueHeader(uint64_t slot) const { return Describe(slot) + "#"; }

std::string KeySpace::MakeValue(uint64_t slot, uint32_t id) const {
  std::string v = ValueHeader(slot) + std::to_string(id) + ":";
  uint64_t h = Mix(slot * 0x9E3779B97F4A7C15ull + id + 1);
  const size_t filler = 8 + h % 128;
  for (size_t i = 0; i < filler; ++i) {
    if (i % 8 == 0) h = Mix(h + i);
    v.push_back(static_cast<char>('!' + (h >> (8 * (i % 8))) % 90));
  }
  return v;
}

bool KeySpace::ParseValue(uint64_t slot, std::string_view value, uint32_t* id,
                          std::string* owner) const {
  const size_t colon = value.find(':');
  const size_t hash = value.rfind('#', colon);
  if (colon == std::string_view::npos || hash == std::string_view::npos || hash + 1 >= colon) {
    *owner = "unrecognisable";
    return false;
  }
  uint64_t v = 0;
  for (char c : value.substr(hash + 1, colon - hash - 1)) {
    if (c < '0' || c > '9' || v > 0xffffffffull) {
      *owner = "unrecognisable";
      return false;
    }
    v = v * 10 + static_cast<uint64_t>(c - '0');
  }
  const std::string_view header = value.substr(0, hash + 1);
  if (header != ValueHeader(slot)) {
    *owner = codecs::Printable(header.substr(0, header.size() - 1)) + " v" + std::to_string(v);
    return false;
  }
  if (v > 0xffffffffull || value != MakeValue(slot, static_cast<uint32_t>(v))) {
    *owner = "a damaged value of this key (v" + std::to_string(v) + ")";
    return false;
  }
  *id = static_cast<uint32_t>(v);
  return true;
}

}  // namespace metakv::stress
