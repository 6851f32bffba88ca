#include "compaction/removals.h"

#include "codecs/coding.h"
#include "codecs/key_codec.h"
#include "codecs/record_codec.h"

namespace metakv {

namespace {

constexpr uint8_t kLogicalFlag = 1;
constexpr uint8_t kWrittenUnderFlag = 2;

bool GetString(std::string_view* in, std::string* s) {
  std::string_view bytes;
  if (!codecs::GetLengthPrefixed(in, &bytes)) return false;
  s->assign(bytes);
  return true;
}

}  // namespace

std::string Removal::Key() const {
  std::string key(kRemovalKeyPrefix);
  for (int shift = 56; shift >= 0; shift -= 8) {
    key.push_back(static_cast<char>((id >> shift) & 0xff));
  }
  return key;
}

std::string EncodeNextRemovalId(uint64_t next_id, uint64_t last_time) {
  std::string out;
  codecs::PutVarint64(&out, next_id);
  codecs::PutVarint64(&out, last_time);
  return out;
}

bool DecodeNextRemovalId(std::string_view value, uint64_t* next_id, uint64_t* last_time) {
  return codecs::GetVarint64(&value, next_id) && codecs::GetVarint64(&value, last_time) &&
         value.empty();
}

std::string Removal::Encode() const {
  std::string payload;
  payload.push_back(
      static_cast<char>((logical ? kLogicalFlag : 0) | (written_under ? kWrittenUnderFlag : 0)));
  codecs::PutVarint64(&payload, purge_time);
  codecs::PutVarint64(&payload, seq_before);
  codecs::PutLengthPrefixed(&payload, tenant);
  codecs::PutVarint64(&payload, ranges.size());
  for (const auto& [domain, prefix] : ranges) {
    codecs::PutLengthPrefixed(&payload, domain);
    codecs::PutLengthPrefixed(&payload, prefix);
  }
  codecs::Record record;
  record.time = time;
  record.payload = payload;
  std::string out;
  codecs::EncodeRecord(Key(), record, &out);
  return out;
}

Status Removal::Decode(std::string_view key, std::string_view value, Removal* out) {
  const auto bad = [&](const std::string& what) {
    return Status::Corruption("removal record '" + codecs::Printable(key) + "': " + what);
  };
  if (key.size() != kRemovalKeyPrefix.size() + 8 ||
      key.substr(0, kRemovalKeyPrefix.size()) != kRemovalKeyPrefix) {
    return bad("bad key");
  }
  Removal r;
  for (size_t i = kRemovalKeyPrefix.size(); i < key.size(); ++i) {
    r.id = (r.id << 8) | static_cast<unsigned char>(key[i]);
  }
  codecs::Record record;
  Status s = codecs::DecodeRecord(key, value, &record);
  if (!s.ok()) return bad(s.message());
  r.time = record.time;
  std::string_view in = record.payload;
  if (in.empty()) return bad("empty payload");
  const auto flags = static_cast<uint8_t>(in[0]);
  in.remove_prefix(1);
  if ((flags & ~(kLogicalFlag | kWrittenUnderFlag)) != 0) return bad("unknown flags");
  r.logical = (flags & kLogicalFlag) != 0;
  r.written_under = (flags & kWrittenUnderFlag) != 0;
  uint64_t count = 0;
  if (!codecs::GetVarint64(&in, &r.purge_time) || !codecs::GetVarint64(&in, &r.seq_before) ||
      !GetString(&in, &r.tenant) || !codecs::GetVarint64(&in, &count)) {
    return bad("truncated");
  }
  if (!codecs::ValidateTenant(r.tenant).ok()) return bad("bad tenant");
  if (count == 0 || count > in.size()) return bad("bad range count");
  for (uint64_t i = 0; i < count; ++i) {
    std::pair<std::string, std::string> range;
    if (!GetString(&in, &range.first) || !GetString(&in, &range.second)) {
      return bad("truncated range");
    }
    r.ranges.push_back(std::move(range));
  }
  if (!in.empty()) return bad("trailing bytes");
  *out = std::move(r);
  return Status::OK();
}

void RemovalRangeBounds(std::string_view tenant, std::string_view prefix, std::string* begin,
                        std::string* end) {
  *begin = codecs::EncodeKey(tenant, prefix);
  const std::string successor = codecs::PrefixSuccessor(prefix);
  *end =
      successor.empty() ? codecs::TenantUpperBound(tenant) : codecs::EncodeKey(tenant, successor);
}

RemovalSet::RemovalSet(const std::vector<Removal>& removals, size_t domains,
                       const std::function<bool(std::string_view, size_t*)>& domain_index)
    : by_domain_(domains) {
  for (const Removal& r : removals) {
    std::string tenant_prefix;
    codecs::AppendTenantPrefix(r.tenant, &tenant_prefix);
    for (const auto& [domain, prefix] : r.ranges) {
      size_t index = 0;
      if (!domain_index(domain, &index) || index >= domains) continue;
      Entry e;
      RemovalRangeBounds(r.tenant, prefix, &e.begin, &e.end);
      e.id = r.id;
      e.time = r.time;
      e.purge_time = r.purge_time;
      e.written_under = r.written_under;
      by_domain_[index][tenant_prefix].push_back(std::move(e));
      ++count_;
    }
  }
}

const std::vector<RemovalSet::Entry>* RemovalSet::EntriesOf(size_t domain,
                                                            std::string_view encoded_key) const {
  if (Empty(domain)) return nullptr;
  size_t length = 0;
  if (!codecs::TenantPrefixLength(encoded_key, &length).ok()) return nullptr;
  const auto& map = by_domain_[domain];
  auto it = map.find(std::string(encoded_key.substr(0, length)));
  return it == map.end() ? nullptr : &it->second;
}

const RemovalSet::Entry* RemovalSet::Hiding(size_t domain, std::string_view encoded_key,
                                            uint64_t record_time) const {
  const std::vector<Entry>* entries = EntriesOf(domain, encoded_key);
  if (entries == nullptr) return nullptr;
  const Entry* best = nullptr;
  for (const Entry& e : *entries) {
    if (record_time <= e.time && e.begin <= encoded_key && encoded_key < e.end &&
        (best == nullptr || e.time > best->time)) {
      best = &e;
    }
  }
  return best;
}

const RemovalSet::Entry* RemovalSet::Covering(size_t domain, std::string_view encoded_key) const {
  const std::vector<Entry>* entries = EntriesOf(domain, encoded_key);
  if (entries == nullptr) return nullptr;
  const Entry* best = nullptr;
  for (const Entry& e : *entries) {
    if (e.begin <= encoded_key && encoded_key < e.end && (best == nullptr || e.time > best->time)) {
      best = &e;
    }
  }
  return best;
}

void RemovalSet::UnmarkedCovering(size_t domain, std::string_view encoded_key,
                                  std::vector<uint64_t>* ids) const {
  const std::vector<Entry>* entries = EntriesOf(domain, encoded_key);
  if (entries == nullptr) return;
  for (const Entry& e : *entries) {
    if (!e.written_under && e.begin <= encoded_key && encoded_key < e.end) ids->push_back(e.id);
  }
}

const RemovalSet::Entry* RemovalSet::Purgeable(size_t domain, std::string_view encoded_key,
                                               uint64_t record_time, uint64_t purge_time) const {
  const std::vector<Entry>* entries = EntriesOf(domain, encoded_key);
  if (entries == nullptr) return nullptr;
  const Entry* found = nullptr;
  for (const Entry& e : *entries) {
    if (record_time <= e.time && e.purge_time <= purge_time && e.begin <= encoded_key &&
        encoded_key < e.end && (found == nullptr || found->written_under)) {
      found = &e;
    }
  }
  return found;
}

}  // namespace metakv
