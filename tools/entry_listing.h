// The walk that scan and raw share: every input file that may hold selected
// entries is opened and read in key order, each entry shown as a table row
// (text) or a JSON object, until --limit entries in all have been shown;
// then a summary line or the document's closing members. An EntryShower
// says how one entry looks. Memory stays bounded: the text table prints in
// chunks and the JSON document is written out as it grows. Not
// thread-safe: one run, one thread.
#ifndef METAKV_TOOLS_ENTRY_LISTING_H_
#define METAKV_TOOLS_ENTRY_LISTING_H_

#include <string>
#include <string_view>
#include <vector>

#include "common/json_writer.h"
#include "common/text_table.h"
#include "tools/key_filter.h"
#include "tools/run_context.h"
#include "tools/sst_file.h"

namespace metakv::tools {

class EntryShower {
 public:
  enum class Shown {
    kSkipped,  // not selected: neither shown nor counted
    kShown,
    kBad,  // shown as an entry that does not decode (reported by the shower)
  };

  virtual ~EntryShower() = default;

  // What an entry is called in counts and JSON names: "record", "records".
  virtual std::string_view Noun() const = 0;
  virtual std::string_view Nouns() const = 0;
  // True if entries are decoded, so some may be bad (and are counted).
  virtual bool Decodes() const = 0;
  // The text table's columns.
  virtual std::vector<common::TextTable::Column> Columns() const = 0;

  // Starts file f, opened as file. With json (else nullptr): writes the
  // file object's members between "path" and "level".
  virtual void BeginFile(const InputFile& f, const SstFile& file, common::JsonWriter* json) = 0;
  // Text: what follows the entry count on the file's heading line.
  virtual std::string HeadingSuffix(const SstFile& file) const { return {}; }
  // Shows one entry of the current file: a JSON object into json, or the
  // cells of a row into table (exactly one of the two is non-null; the
  // caller ends the row).
  virtual Shown Show(const InputFile& f, std::string_view key, std::string_view value,
                     common::JsonWriter* json, common::TextTable* table) = 0;
};

// Lists the entries of ctx's files within filter, through shower.
void RunEntryListing(RunContext* ctx, const KeyFilter& filter, EntryShower* shower);

}  // namespace metakv::tools

#endif  // METAKV_TOOLS_ENTRY_LISTING_H_
