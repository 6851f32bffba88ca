// Decoding of the entries of a metakv SST file, and the test that tells a
// metakv file from a foreign one.
//
// A domain's column family stores keys as escaped tenant + 0x00 0x01 + user
// key (codecs/key_codec.h); the default column family stores metadata (the
// domain catalogue) under plain keys. Both store values as records
// (codecs/record_codec.h). Decoding allocates only when it fails. Pure
// functions and plain values: thread-safe, except that one TenantTracker
// is used by one thread at a time.
#ifndef METAKV_TOOLS_ENTRY_DECODER_H_
#define METAKV_TOOLS_ENTRY_DECODER_H_

#include <rocksdb/iterator.h>

#include <string>
#include <string_view>

#include "codecs/record_codec.h"
#include "metakv/status.h"

namespace metakv::tools {

enum class KeyMode {
  kTenant,  // a domain: tenant-prefixed keys
  kPlain,   // the default column family: metadata under plain keys
};

// One decoded entry. The views point into the key and value passed to
// DecodeEntry and live as long as they do.
struct DecodedEntry {
  std::string_view key;            // as stored
  std::string_view value;          // as stored
  std::string_view tenant_prefix;  // escaped tenant and terminator; empty in kPlain
  std::string_view user_key;       // the key after the tenant prefix (kPlain: all)
  codecs::Record record;
};

// Decodes one stored entry. On failure the status is a Corruption saying
// what does not decode; out->key and out->value are set either way.
Status DecodeEntry(KeyMode mode, std::string_view key, std::string_view value, DecodedEntry* out);

// What the first entries of an SST file look like.
enum class FileFlavor {
  kTenantRecords,  // at least one entry decodes as a domain record
  kPlainRecords,   // none does, but one decodes as a metadata record
  kEmpty,          // the table has no entries
  kForeign,        // no entry probed decodes either way
};

// Probes the first up to kProbeEntries entries of it (which it leaves
// positioned anywhere). For kForeign, *reason says why the first entry does
// not decode. A RocksDB error while reading is returned as the status.
inline constexpr int kProbeEntries = 16;
Status ProbeFile(rocksdb::Iterator* it, FileFlavor* flavor, std::string* reason);

// Remembers the tenant of the previous entry so the tenant of a run of
// entries is decoded and made printable once, not per entry.
class TenantTracker {
 public:
  // Moves to the tenant of tenant_prefix (escaped, terminator included, as
  // DecodedEntry::tenant_prefix). Returns true if it differs from the last.
  bool Update(std::string_view tenant_prefix);
  void Reset() {
    prefix_.clear();
    valid_ = false;
  }
  // True if tenant_prefix is the current tenant's.
  bool Matches(std::string_view tenant_prefix) const { return valid_ && tenant_prefix == prefix_; }

  const std::string& tenant() const { return tenant_; }        // decoded bytes
  const std::string& printable() const { return printable_; }  // as printed

 private:
  bool valid_ = false;
  std::string prefix_;
  std::string tenant_;
  std::string printable_;
};

}  // namespace metakv::tools

#endif  // METAKV_TOOLS_ENTRY_DECODER_H_
