// KeyFilter: the --tenant/--from/--to selection as bounds on stored keys,
// and EntryCursor, which walks the entries of one SST file inside them.
//
// Decoded commands read --from/--to as user keys (with --tenant: bounds the
// cursor seeks to; without: checked per record); raw reads them as stored
// keys. Plain values; an EntryCursor is used by one thread.
#ifndef METAKV_TOOLS_KEY_FILTER_H_
#define METAKV_TOOLS_KEY_FILTER_H_

#include <rocksdb/iterator.h>

#include <memory>
#include <string>
#include <string_view>

#include "metakv/status.h"
#include "tools/dump_flags.h"
#include "tools/dump_input.h"
#include "tools/sst_file.h"

namespace metakv::tools {

struct KeyFilter {
  // Stored-key bounds: [lower, upper). Empty: unbounded on that side.
  std::string lower;
  std::string upper;
  // The bounds select one tenant: metadata files (plain keys) hold nothing.
  bool tenant_only = false;
  // User-key bounds checked per record (decoded commands without a tenant).
  bool user_bounds = false;
  std::string from;
  std::string to;

  // For scan and stats.
  static KeyFilter ForDecoded(const DumpFlags& flags);
  // For raw.
  static KeyFilter ForRaw(const DumpFlags& flags);

  bool selects_all() const { return lower.empty() && upper.empty() && !user_bounds; }
  // False if f certainly holds no key inside the bounds (by its MANIFEST key
  // range; a lone file is always read).
  bool MayOverlap(const InputFile& f) const;
  bool AcceptsUserKey(std::string_view user_key) const {
    return !user_bounds || (user_key >= from && (to.empty() || user_key < to));
  }
};

// Walks the entries of one file in key order within the filter's stored-key
// bounds.
class EntryCursor {
 public:
  EntryCursor(const SstFile& file, const KeyFilter& filter);

  bool Valid() const { return valid_; }
  void Next();
  // REQUIRES: Valid(). Valid until the cursor moves.
  std::string_view key() const { return {it_->key().data(), it_->key().size()}; }
  std::string_view value() const { return {it_->value().data(), it_->value().size()}; }
  // OK, or the error (naming the file) that stopped the walk early.
  Status status() const;

 private:
  void Check();

  const SstFile& file_;
  const KeyFilter& filter_;
  std::unique_ptr<rocksdb::Iterator> it_;
  bool valid_ = false;
};

}  // namespace metakv::tools

#endif  // METAKV_TOOLS_KEY_FILTER_H_
