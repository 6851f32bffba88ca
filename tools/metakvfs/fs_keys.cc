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

std::string RmtreePrefix() { return InodeKey(0) + "rmtree/"; }

std::string RmtreeKey(uint64_t dir) {
  std::string k = RmtreePrefix();
  PutBE64(&k, dir);
  return k;
}

std::string EncodeParent(uint64_t parent, std::string_view name) {
  std::string v;
  PutBE64(&v, parent);
  v.append(name);
  return v;
}

bool DecodeParent(std::string_view value, uint64_t* parent, std::string* name) {
  if (value.size() < 8) return false;
  *parent = GetBE64(value);
  name->assign(value.substr(8));
  return true;
}

std::string HistoryKey(uint64_t ino, uint64_t time_ns) {
  std::string k;
  PutBE64(&k, ino);
  PutBE64(&k, time_ns);
  return k;
}

std::string TrashName(std::string_view path, uint64_t parent) {
  std::string out;
  out.reserve(path.size() + 24);
  for (char c : path) {
    if (c == '%') {
      out += "%25";
    } else if (c == '/') {
      out += "%2F";
    } else {
      out.push_back(c);
    }
  }
  out.push_back('@');
  out += std::to_string(parent);
  return out;
}

bool ParseTrashName(std::string_view name, uint64_t* parent, std::string* leaf) {
  const size_t at = name.rfind('@');
  if (at == std::string_view::npos || at + 1 == name.size() || name.size() - at > 21) return false;
  uint64_t p = 0;
  for (char c : name.substr(at + 1)) {
    if (c < '0' || c > '9') return false;
    const uint64_t d = static_cast<uint64_t>(c - '0');
    if (p > (~uint64_t{0} - d) / 10) return false;
    p = p * 10 + d;
  }
  // Unescape the path, keeping only its last component.
  std::string path;
  const std::string_view escaped = name.substr(0, at);
  for (size_t i = 0; i < escaped.size(); ++i) {
    if (escaped[i] != '%') {
      path.push_back(escaped[i]);
      continue;
    }
    const std::string_view code = escaped.substr(i + 1, 2);
    if (code == "25") {
      path.push_back('%');
    } else if (code == "2F") {
      path.push_back('/');
    } else {
      return false;
    }
    i += 2;
  }
  const size_t slash = path.rfind('/');
  leaf->assign(slash == std::string::npos ? path : path.substr(slash + 1));
  if (leaf->empty() || p == 0 || p >= kVirtualBase) return false;
  *parent = p;
  return true;
}

}  // namespace metakvfs
