#include "tools/metakvfs/fs_keys.h"

namespace metakvfs {

void PutBE64(std::string* out, uint64_t v) {
  for (int shift = 56; shift >= 0; shift -= 8) out->push_back(static_cast<char>((v >> shift) & 0xff));
}

uint64_t GetBE64(std::string_view in) {
  uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v = (v << 8) | static_cast<unsigned char>(in[i]);
  return v;
}

std::string InodeKey(uint64_t ino) {
  std::string k;
  PutBE64(&k, ino);
  return k;
}

std::string SuperKey() { return InodeKey(0) + "super"; }

std::string OrphanPrefix() { return InodeKey(0) + "orphan/"; }

std::string OrphanKey(uint64_t ino) {
  std::string k = OrphanPrefix();
  PutBE64(&k, ino);
  return k;
}

std::string DentryKey(uint64_t parent, std::string_view name) {
  std::string k;
  k.reserve(8 + name.size());
  PutBE64(&k, parent);
  k.append(name);
  return k;
}

std::string EncodeDentry(uint64_t child, uint32_t mode) {
  std::string v;
  PutBE64(&v, child);
  v.push_back(static_cast<char>((mode >> 12) & 0xf));
  return v;
}

bool DecodeDentry(std::string_view value, uint64_t* child, uint32_t* type) {
  if (value.size() != 9) return false;
  *child = GetBE64(value);
  *type = static_cast<unsigned char>(value[8]);
  return true;
}

std::string ContentKey(uint64_t ino) { return InodeKey(ino); }

}  // namespace metakvfs
