// The fixed key space of metakv-stress: which (domain, tenant, key) every
// slot of the expected state stands for, and the value each (slot, value id)
// is written with.
//
// Domains: inode and dentry (hot) and history (cold). Tenants: "t1", "t10",
// "t1\0z" and "t2": two pairs that share a prefix, so a scan of "t1" that
// leaked into "t10" or "t1\0z" is caught. Keys: "k00000" .. per tenant.
// Slot = (domain * tenants + tenant) * keys_per_tenant + key index.
//
// Linked keys: in inode and dentry, the keys whose index is a multiple of
// kLinkStride are only ever written together, by cross-domain batches that
// apply the same operation to both, so any consistent view (a snapshot, a
// recovered database) shows the two in the same state.
//
// Values encode their slot and value id and are checked byte for byte.
// Immutable after construction: thread-safe.
#ifndef METAKV_TOOLS_STRESS_KEY_SPACE_H_
#define METAKV_TOOLS_STRESS_KEY_SPACE_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "codecs/coding.h"

namespace metakv::stress {

inline constexpr uint32_t kLinkStride = 8;

class KeySpace {
 public:
  // REQUIRES: 1 <= keys_per_tenant <= 100000.
  explicit KeySpace(uint32_t keys_per_tenant);

  static constexpr uint32_t kDomains = 3;
  static constexpr uint32_t kInode = 0, kDentry = 1, kHistory = 2;

  uint32_t keys_per_tenant() const { return keys_per_tenant_; }
  uint32_t tenants() const { return static_cast<uint32_t>(tenants_.size()); }
  uint64_t slots() const { return uint64_t{kDomains} * tenants() * keys_per_tenant_; }

  uint64_t Slot(uint32_t domain, uint32_t tenant, uint32_t key) const {
    return (uint64_t{domain} * tenants() + tenant) * keys_per_tenant_ + key;
  }
  uint32_t DomainOf(uint64_t slot) const {
    return static_cast<uint32_t>(slot / (uint64_t{tenants()} * keys_per_tenant_));
  }
  uint32_t TenantOf(uint64_t slot) const {
    return static_cast<uint32_t>((slot / keys_per_tenant_) % tenants());
  }
  uint32_t KeyOf(uint64_t slot) const { return static_cast<uint32_t>(slot % keys_per_tenant_); }

  static std::string_view DomainName(uint32_t domain);
  static bool IsCold(uint32_t domain) { return domain == kHistory; }
  const std::string& TenantName(uint32_t tenant) const { return tenants_[tenant]; }
  // "k" and the index, zero-padded to 5 digits: byte order = index order.
  static std::string KeyName(uint32_t key);
  // The index of a key name; false if it is not one of this space's keys.
  bool ParseKeyName(std::string_view name, uint32_t* key) const;
  // The tenant's index; false if unknown.
  bool FindTenant(std::string_view name, uint32_t* tenant) const;

  // In inode or dentry, at a multiple of kLinkStride.
  static bool IsLinked(uint32_t domain, uint32_t key) {
    return domain != kHistory && key % kLinkStride == 0;
  }
  bool IsLinkedSlot(uint64_t slot) const { return IsLinked(DomainOf(slot), KeyOf(slot)); }
  // The slot of the same tenant and key in the other linked domain.
  uint64_t LinkPartner(uint64_t slot) const;

  // "inode/t1/k00042", tenant bytes escaped as \xNN where not printable.
  std::string Describe(uint64_t slot) const;

  // The value written to slot with value id id: a header naming the slot and
  // the id, then 8 to 135 filler bytes, all derived from (slot, id).
  std::string MakeValue(uint64_t slot, uint32_t id) const;
  // If value is exactly MakeValue(slot, id) for some id, sets *id and
  // returns true. Otherwise false, and *owner names whose value it looks
  // like ("inode/t10/k00003 v7", or "unrecognisable").
  bool ParseValue(uint64_t slot, std::string_view value, uint32_t* id, std::string* owner) const;

 private:
  std::string ValueHeader(uint64_t slot) const;

  uint32_t keys_per_tenant_;
  std::vector<std::string> tenants_;
};

// codecs::Printable, by its short name for verifier.cc.
using codecs::Printable;

}  // namespace metakv::stress

#endif  // METAKV_TOOLS_STRESS_KEY_SPACE_H_
