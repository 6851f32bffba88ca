#include "tools/ctl/context.h"

#include <stdlib.h>

#include <filesystem>

#include "common/format.h"
#include "metakv/filesystem.h"

namespace metakv::tools::ctl {

namespace fs = std::filesystem;

namespace {

// s with more said at the end of its message (Corruption and IOError keep
// their code, which decides the exit status; other codes read as usage).
Status Amended(const Status& s, const std::string& more) {
  const std::string message = s.message() + more;
  if (s.IsCorruption()) return Status::Corruption(message);
  if (s.IsIOError()) return Status::IOError(message);
  return Status::InvalidArgument(message);
}

}  // namespace

// ------------------------------------------------------------------ Args ----

bool Args::Parse(int argc, char** argv, std::string* error) {
  bool only_positionals = false;  // after "--"
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    if (only_positionals || arg.size() < 2 || arg.substr(0, 2) != "--") {
      if (arg == "-h") {
        flags_.push_back({"help", "", false});
        continue;
      }
      if (!only_positionals && arg.size() > 1 && arg[0] == '-') {
        *error = "unknown flag " + std::string(arg);
        return false;
      }
      positionals_.emplace_back(arg);
      continue;
    }
    if (arg == "--") {
      only_positionals = true;
      continue;
    }
    const common::FlagArg flag = common::SplitFlag(arg);
    for (const Flag& f : flags_) {
      if (f.name == flag.name && repeated_.empty()) repeated_ = std::string(flag.name);
    }
    flags_.push_back({std::string(flag.name), std::string(flag.value), false});
  }
  return true;
}

bool Args::Take(std::string_view name, std::string* value) {
  for (Flag& f : flags_) {
    if (f.name != name || f.taken) continue;
    f.taken = true;
    *value = f.value;
    return true;
  }
  return false;
}

std::string Args::Leftover() const {
  if (!repeated_.empty()) return "flag --" + repeated_ + " given twice";
  for (const Flag& f : flags_) {
    if (!f.taken) return "unknown flag --" + f.name;
  }
  if (!positionals_.empty()) return "unexpected argument '" + positionals_.front() + "'";
  return {};
}

// --------------------------------------------------------------- Context ----

Context::~Context() {
  if (progress_) progress_->Finish("stopped");
  if (store_) store_->Close().PermitUncheckedError();
  store_.reset();
  if (!temporary_secondary_.empty()) {
    std::error_code ec;
    fs::remove_all(temporary_secondary_, ec);
  }
}

Progress& Context::progress() {
  if (!progress_) {
    progress_ = std::make_unique<Progress>(&err_, "metakv-ctl: " + command, progress_enabled,
                                           progress_in_place);
  }
  return *progress_;
}

int Context::Fail(const Status& s) {
  if (progress_) progress_->Finish("failed");
  err_ << "metakv-ctl: " << command << (command.empty() ? "" : ": ") << s.ToString() << '\n';
  return s.IsCorruption() ? kExitCorruption : kExitError;
}

int Context::Finish(int status) {
  if (store_) {
    const Status s = store_->Close();
    store_.reset();
    if (!s.ok()) {
      const int closed = Fail(s);
      if (status == kExitOk) status = closed;
    }
  }
  return status;
}

Status Context::TemporarySecondaryPath(std::string* path) {
  if (!secondary_path.empty()) {
    *path = secondary_path;
    return Status::OK();
  }
  if (temporary_secondary_.empty()) {
    std::error_code ec;
    std::string pattern = (fs::temp_directory_path(ec) / "metakv-ctl-XXXXXX").string();
    if (ec || mkdtemp(pattern.data()) == nullptr) {
      return Status::IOError(
          "cannot make a directory for a secondary instance in the temporary directory "
          "(give one with --secondary-path=DIR)");
    }
    temporary_secondary_ = pattern;
  }
  *path = temporary_secondary_;
  return Status::OK();
}

Status Context::StoreOptions(Access access, Options* options) {
  std::vector<DomainOptions> domains;
  std::vector<std::string> unrecorded;
  if (use_filesystem_domains) {
    if (!retention_seconds) {
      return Status::InvalidArgument(
          "--domains=filesystem needs --retention=SECONDS, the service's tombstone retention, so "
          "that compactions purge nothing it would keep");
    }
    domains = FileSystemDomains();
  } else {
    // Read as a secondary: safe beside a running writer, which a writing
    // command then finds by its lock.
    Options reader = *options;
    if (reader.secondary_path.empty()) {
      Status s = TemporarySecondaryPath(&reader.secondary_path);
      if (!s.ok()) return s;
    }
    Status s = Store::StoredDomains(reader, db, &domains, &unrecorded);
    if (!s.ok()) {
      if (access == Access::kNone) {
        return Amended(s,
                       " (if the store cannot be read at all, --domains=filesystem names the "
                       "file-system model's domains)");
      }
      return s;
    }
  }
  if (retention_seconds) {
    for (DomainOptions& d : domains) d.tombstone_retention_seconds = *retention_seconds;
  } else if (!unrecorded.empty() && access != Access::kRead) {
    std::string names;
    for (const std::string& n : unrecorded) names += (names.empty() ? "" : ", ") + n;
    return Status::InvalidArgument(
        "the store has no recorded tombstone retention for " + names +
        " (it was last opened for writing by an older metakv); give --retention=SECONDS, the "
        "service's, so that compactions purge nothing it would keep");
  }
  options->domains = std::move(domains);
  options->create_if_missing = false;
  options->create_missing_domains = false;
  // The tool does only what it is asked: no background passes of its own.
  options->maintenance_interval_seconds = 0;
  options->flush_controller_interval_seconds = 0;
  options->stats_dump_period_seconds = 0;
  options->memory_budget_bytes = 256ull << 20;
  // The service's settings stay recorded, whatever --retention says.
  options->record_domain_settings = false;
  return Status::OK();
}

std::optional<int> Context::OpenStore(Access access) {
  Mode open_as = mode;
  if (access == Access::kWrite) {
    if (mode == Mode::kReadOnly || mode == Mode::kSecondary) {
      return Fail(command +
                  " writes to the store: it needs --mode=closed (a store no process has open)");
    }
    open_as = Mode::kClosed;
  } else if (open_as == Mode::kAuto) {
    open_as = Mode::kSecondary;  // safe beside a writer, and without one
  }
  Options options;
  options.read_only = open_as == Mode::kReadOnly;
  Status s;
  if (open_as == Mode::kSecondary) {
    options.secondary_path = secondary_path;
    if (options.secondary_path.empty()) s = TemporarySecondaryPath(&options.secondary_path);
  }
  if (s.ok()) s = StoreOptions(access, &options);
  if (s.ok()) s = Store::Open(options, db, &store_);
  if (s.ok()) return std::nullopt;
  if (open_as == Mode::kClosed && s.IsIOError() && s.message().find("LOCK") != std::string::npos) {
    s = Amended(s, " (is the store open in another process? " + command +
                       " needs it closed; reads work beside a running writer with "
                       "--mode=secondary)");
  }
  return Fail(s);
}

// ------------------------------------------------------------- Helpers ----

std::optional<int> TakeArgs(Context* ctx, Args* args, size_t n, std::string_view usage,
                            std::vector<std::string>* out) {
  std::vector<std::string>& positionals = args->positionals();
  if (positionals.size() != n) {
    return ctx->Fail("usage: metakv-ctl --db=DIR " + std::string(usage) + " (" +
                     std::to_string(positionals.size()) + " arguments given)");
  }
  if (out != nullptr) *out = positionals;
  positionals.clear();
  const std::string leftover = args->Leftover();
  if (!leftover.empty()) return ctx->Fail(leftover + " (see metakv-ctl --help)");
  return std::nullopt;
}

bool ParseBytes(Context* ctx, std::string_view what, std::string_view in, std::string* out) {
  if (common::ParseEscaped(in, out)) return true;
  ctx->Fail("bad escape in " + std::string(what) + " '" + std::string(in) + "' (use \\xNN or \\\\)");
  return false;
}

bool ParseNumber(Context* ctx, std::string_view what, std::string_view in, uint64_t* out) {
  if (common::ParseUint64(in, out)) return true;
  ctx->Fail(std::string(what) + " must be a decimal number, not '" + std::string(in) + "'");
  return false;
}

}  // namespace metakv::tools::ctl
