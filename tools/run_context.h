// RunContext: the state one metakv-sst-dump run shares between its steps:
// flags, input, output streams, the time expiry is judged at, and the
// problems found so far (which decide the exit status).
//
// Problems are reported as they are found, one line each on the error
// stream; the output lists them again. Not thread-safe: one run, one thread.
#ifndef METAKV_TOOLS_RUN_CONTEXT_H_
#define METAKV_TOOLS_RUN_CONTEXT_H_

#include <cstdint>
#include <memory>
#include <ostream>
#include <string>
#include <vector>

#include "common/json_writer.h"
#include "metakv/status.h"
#include "tools/dump_flags.h"
#include "tools/dump_input.h"
#include "tools/sst_file.h"

namespace metakv::tools {

// Exit statuses of metakv-sst-dump (also in the --help text).
inline constexpr int kExitOk = 0;
inline constexpr int kExitCorruption = 1;
inline constexpr int kExitUnreadable = 2;  // also usage errors

class RunContext {
 public:
  RunContext(const DumpFlags& flags, const DumpInput& input, std::ostream& out, std::ostream& err,
             uint64_t now_seconds);

  const DumpFlags& flags() const { return flags_; }
  const DumpInput& input() const { return input_; }
  std::ostream& out() { return out_; }
  uint64_t now() const { return now_; }

  // The files to read: a database's live files, or the lone file.
  const std::vector<InputFile>& files() const { return files_; }

  // Reports a problem (its message names the file): one line on the error
  // stream. Corruption statuses make the exit status 1, others 2.
  void Problem(const Status& s);
  // Reports a record that does not decode. At most kMaxBadRecordLines such
  // lines per file reach the error stream; FinishFile reports the rest as a
  // count.
  void BadRecord(const std::string& path, const std::string& message);
  void FinishFile(const std::string& path);
  // Something the reader should know that is not a problem.
  void Note(std::string message) { notes_.push_back(std::move(message)); }

  const std::vector<std::string>& problems() const { return problems_; }
  const std::vector<std::string>& notes() const { return notes_; }
  bool corruption_found() const { return corruption_; }
  int ExitCode() const;

  // Opens file f for reading into *holder (a lone file: *file is the file
  // opened already). Checks a database file against the MANIFEST first. On
  // false the file cannot be read: a problem has been reported, or, if a
  // concurrent compaction removed it, a note added and *vanished set.
  bool OpenForReading(const InputFile& f, std::unique_ptr<SstFile>* holder, const SstFile** file,
                      bool* vanished);

  // Output helpers shared by the commands.
  // One text line: "# metakv-sst-dump <command> <path>: <what it is>".
  void WriteTextHeader();
  // Notes and a problem count, as "# ..." lines.
  void WriteTextFooter();
  // Opens the document's object and writes the members every command shares.
  void WriteJsonHeader(common::JsonWriter* json);
  // Writes notes, errors and "ok", closes the document's object, and writes
  // what json still holds to the output, ending the document with a newline.
  void FinishJson(common::JsonWriter* json);
  // "inode L0 000012.sst" or the lone file's path.
  std::string FileLabel(const InputFile& f) const;

  static constexpr int kMaxBadRecordLines = 100;

 private:
  const DumpFlags& flags_;
  const DumpInput& input_;
  std::ostream& out_;
  std::ostream& err_;
  const uint64_t now_;
  std::vector<InputFile> files_;

  std::vector<std::string> problems_;
  std::vector<std::string> notes_;
  bool corruption_ = false;
  bool unreadable_ = false;
  int bad_lines_in_file_ = 0;
  uint64_t bad_in_file_ = 0;
  // Live file numbers from the last re-read of the MANIFEST (sorted).
  bool relisted_ = false;
  std::vector<uint64_t> relisted_live_;
};

}  // namespace metakv::tools

#endif  // METAKV_TOOLS_RUN_CONTEXT_H_
