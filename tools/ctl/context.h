// What one metakv-ctl run shares between its steps: the command line, the
// store as the command needs it opened, the output streams, the progress
// line, and the exit status. Not thread-safe: one run, one thread (the
// progress line has a thread of its own).
#ifndef METAKV_TOOLS_CTL_CONTEXT_H_
#define METAKV_TOOLS_CTL_CONTEXT_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "metakv/store.h"
#include "tools/ctl/ctl.h"
#include "tools/ctl/progress.h"

namespace metakv::tools::ctl {

// How the store is opened (--mode).
enum class Mode {
  kAuto,       // a command that writes: kClosed; one that reads: kSecondary
  kClosed,     // for writing: the store must be closed in every process
  kReadOnly,   // read-only: only for a store no process has open for writing
  kSecondary,  // a RocksDB secondary instance: beside a running writer, or not
};

// What a command needs of the store.
enum class Access {
  kRead,   // reads: opened in any mode
  kWrite,  // writes: --mode=closed (or auto)
  kNone,   // opens no store of its own (repair)
};

// The command line: "--name=value" and "--name" flags anywhere, and the
// positional arguments (the command, then its arguments), in order.
class Args {
 public:
  // Splits argv[1..argc). False with *error on a malformed argument.
  bool Parse(int argc, char** argv, std::string* error);

  // Takes flag --name: true if it was given, with its value in *value
  // (empty for a bare "--name"). A flag given twice is a usage error,
  // reported by Leftover.
  bool Take(std::string_view name, std::string* value);
  // The positional arguments not yet taken.
  std::vector<std::string>& positionals() { return positionals_; }
  // The first argument not taken, as "unknown flag --x" or "unexpected
  // argument 'x'"; empty if every argument was taken.
  std::string Leftover() const;

 private:
  struct Flag {
    std::string name, value;
    bool taken = false;
  };
  std::vector<Flag> flags_;
  std::vector<std::string> positionals_;
  std::string repeated_;  // a flag given twice
};

class Context {
 public:
  Context(std::ostream& out, std::ostream& err) : out_(out), err_(err) {}
  ~Context();
  Context(const Context&) = delete;
  Context& operator=(const Context&) = delete;

  std::ostream& out() { return out_; }

  // The settings every command shares (from the global flags).
  std::string command;  // its name, for messages
  std::string db;
  Mode mode = Mode::kAuto;
  std::string secondary_path;  // --secondary-path; empty: a temporary one
  std::optional<uint64_t> retention_seconds;
  bool use_filesystem_domains = false;  // --domains=filesystem
  bool progress_enabled = false;
  bool progress_in_place = false;

  // Opens the store for access, in the mode asked: on success store() is
  // it. Errors are reported (Fail) and give the exit status to return.
  // REQUIRES: access is not kNone.
  std::optional<int> OpenStore(Access access);
  Store* store() { return store_.get(); }
  // The options the store is opened with (after OpenStore), or repaired
  // with: its stored domains (or the file-system model's with
  // --domains=filesystem), the retention given, no background work.
  Status StoreOptions(Access access, Options* options);

  // The directory a secondary instance keeps its info log in:
  // --secondary-path, or a temporary one made at the first call and removed
  // at the end.
  Status TemporarySecondaryPath(std::string* path);

  // The progress line of this command (created at the first call).
  Progress& progress();

  // Reports a problem, as "metakv-ctl: <command>: <Code>: <message>", and
  // returns the exit status it gives (1 for Corruption, else 2).
  int Fail(const Status& s);
  int Fail(std::string_view message) { return Fail(Status::InvalidArgument(message)); }
  // Closes the store (reporting a failure); the status to return.
  int Finish(int status);

 private:
  std::ostream& out_;
  std::ostream& err_;
  std::unique_ptr<Store> store_;
  std::string temporary_secondary_;  // removed at the end
  std::unique_ptr<Progress> progress_;
};

// Takes the command's positional arguments: exactly n of them, else a
// usage error naming usage. Then every flag must have been taken.
std::optional<int> TakeArgs(Context* ctx, Args* args, size_t n, std::string_view usage,
                            std::vector<std::string>* out);

// Parses an escaped byte string (\xNN, \\) from the command line into
// *out; false with a usage error reported.
bool ParseBytes(Context* ctx, std::string_view what, std::string_view in, std::string* out);
// Parses a decimal number; false with a usage error reported.
bool ParseNumber(Context* ctx, std::string_view what, std::string_view in, uint64_t* out);

}  // namespace metakv::tools::ctl

#endif  // METAKV_TOOLS_CTL_CONTEXT_H_
