#include "tools/run_context.h"

#include <algorithm>

#include "codecs/coding.h"
#include "common/format.h"

namespace metakv::tools {

namespace {

std::string BaseName(const std::string& path) {
  const size_t slash = path.find_last_of('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

constexpr std::string_view kTool = "metakv-sst-dump";

}  // namespace

RunContext::RunContext(const DumpFlags& flags, const DumpInput& input, std::ostream& out,
                       std::ostream& err, uint64_t now_seconds)
    : flags_(flags), input_(input), out_(out), err_(err), now_(now_seconds) {
  if (input.is_database) {
    files_ = input.files;
  } else if (input.lone) {
    InputFile f;
    f.path = input.path;
    f.name = BaseName(input.path);
    f.domain = input.lone->properties().column_family_name;
    f.key_mode =
        input.lone_flavor == FileFlavor::kPlainRecords ? KeyMode::kPlain : KeyMode::kTenant;
    files_.push_back(std::move(f));
  }
  if (input.is_database && !input.catalogue_status.ok()) Problem(input.catalogue_status);
  for (const DomainInfo& d : input.domains) {
    if (d.unflushed_entries > 0) {
      Note("domain " + d.name + ": " + std::to_string(d.unflushed_entries) +
           (d.unflushed_entries == 1 ? " entry" : " entries") +
           " only in the write-ahead log (not yet flushed to an SST file), not read");
    }
    if (d.in_catalogue && !d.has_column_family) {
      Note("domain " + d.name + " is in the catalogue but has no column family yet");
    }
    if (!d.in_catalogue && d.name != "default" && input.is_metakv) {
      Note("column family " + d.name + " is not in the domain catalogue");
    }
  }
}

void RunContext::Problem(const Status& s) {
  if (s.IsCorruption()) {
    corruption_ = true;
  } else {
    unreadable_ = true;
  }
  problems_.push_back(s.message());
  err_ << kTool << ": " << s.message() << '\n';
}

void RunContext::BadRecord(const std::string& path, const std::string& message) {
  corruption_ = true;
  ++bad_in_file_;
  if (bad_lines_in_file_ < kMaxBadRecordLines) {
    ++bad_lines_in_file_;
    err_ << kTool << ": " << path << ": bad " << message << '\n';
  }
}

void RunContext::FinishFile(const std::string& path) {
  if (bad_in_file_ > static_cast<uint64_t>(bad_lines_in_file_)) {
    err_ << kTool << ": " << path << ": " << (bad_in_file_ - bad_lines_in_file_)
         << " more bad records not listed here\n";
  }
  if (bad_in_file_ > 0) {
    problems_.push_back(path + ": " + std::to_string(bad_in_file_) + " bad records");
  }
  bad_lines_in_file_ = 0;
  bad_in_file_ = 0;
}

int RunContext::ExitCode() const {
  if (unreadable_) return kExitUnreadable;
  if (corruption_) return kExitCorruption;
  return kExitOk;
}

bool RunContext::OpenForReading(const InputFile& f, std::unique_ptr<SstFile>* holder,
                                const SstFile** file, bool* vanished) {
  *vanished = false;
  *file = nullptr;
  if (!input_.is_database) {
    *file = input_.lone.get();
    return *file != nullptr;
  }
  auto check_vanished = [&] {
    auto listed = [&] {
      return std::binary_search(relisted_live_.begin(), relisted_live_.end(), f.file_number);
    };
    // A file absent from an earlier re-read is gone for good; one present
    // then may have been removed since, so re-read again.
    if (!relisted_ || listed()) {
      Status s = ListLiveFileNumbers(input_.path, &relisted_live_);
      if (!s.ok()) {
        Problem(s);
        return false;
      }
      relisted_ = true;
    }
    if (!listed()) {
      *vanished = true;
      Note(f.path +
           ": removed by a concurrent compaction before it was read; skipped (its "
           "records are in newer files not in this listing)");
      return false;
    }
    Problem(Status::Corruption(f.path + ": missing: the MANIFEST lists it as a live file of " +
                               f.domain + " level " + std::to_string(f.level) +
                               ", but it does not exist"));
    return false;
  };
  uint64_t bytes = 0;
  Status s = FileSize(f.path, &bytes);
  if (s.IsNotFound()) return check_vanished();
  if (!s.ok()) {
    Problem(s);
    return false;
  }
  if (f.manifest_bytes != 0 && bytes != f.manifest_bytes) {
    Problem(Status::Corruption(
        f.path + ": " + (bytes < f.manifest_bytes ? "truncated" : "size mismatch") + ": " +
        std::to_string(bytes) + " bytes, the MANIFEST says " + std::to_string(f.manifest_bytes)));
    return false;
  }
  s = SstFile::Open(f.path, holder);
  if (s.IsNotFound()) return check_vanished();
  if (!s.ok()) {
    // A file of a database that RocksDB cannot read is damaged.
    Problem(s.IsIOError() ? s : Status::Corruption(s.message()));
    return false;
  }
  *file = holder->get();
  return true;
}

std::string RunContext::FileLabel(const InputFile& f) const {
  if (!input_.is_database) return f.path;
  return f.domain + " L" + std::to_string(f.level) + " " + f.path;
}

void RunContext::WriteTextHeader() {
  std::string line = "# ";
  line += kTool;
  line += " ";
  line += CommandName(flags_.command);
  line += " ";
  line += input_.path;
  line += ": ";
  if (input_.is_database) {
    line += input_.is_metakv ? "metakv database" : "RocksDB database (not metakv)";
    line += ", " + std::to_string(files_.size()) +
            (files_.size() == 1 ? " live SST file; domains:" : " live SST files; domains:");
    bool first = true;
    for (const DomainInfo& d : input_.domains) {
      if (d.name == "default") continue;
      line += first ? " " : ", ";
      first = false;
      line += d.name;
      if (!d.temperature.empty()) line += " (" + d.temperature + ")";
    }
    if (first) line += " none";
  } else if (input_.lone) {
    const auto& props = input_.lone->properties();
    line += "SST file";
    if (!props.column_family_name.empty()) line += " of column family " + props.column_family_name;
    line += ", " + common::CountOf(props.num_entries, "entry", "entries");
  }
  if (flags_.command == Command::kScan || flags_.command == Command::kStats) {
    line += "; expiry judged at " + common::IsoTime(now_);
  }
  line += '\n';
  out_ << line;
}

void RunContext::WriteTextFooter() {
  for (const auto& note : notes_) out_ << "# note: " << note << '\n';
  if (!problems_.empty()) {
    out_ << "# " << problems_.size() << (problems_.size() == 1 ? " problem" : " problems")
         << " (also on stderr):\n";
    for (const auto& p : problems_) out_ << "#   " << p << '\n';
  }
}

void RunContext::WriteJsonHeader(common::JsonWriter* json) {
  json->BeginObject();
  json->Field("tool", kTool);
  json->Field("command", CommandName(flags_.command));
  json->Field("path", input_.path);
  json->Field("input", input_.is_database ? "database" : "file");
  if (flags_.command == Command::kScan || flags_.command == Command::kStats) {
    json->Field("now", now_);
  }
  if (input_.is_database) {
    json->Field("metakv", input_.is_metakv);
    json->Key("domains");
    json->BeginArray();
    for (const DomainInfo& d : input_.domains) {
      json->BeginObject();
      json->Field("name", d.name);
      if (!d.temperature.empty()) json->Field("temperature", d.temperature);
      json->Field("in_catalogue", d.in_catalogue);
      json->Field("files", d.files);
      json->Field("unflushed_entries", d.unflushed_entries);
      json->EndObject();
    }
    json->EndArray();
  }
  if (flags_.has_tenant || !flags_.from.empty() || !flags_.to.empty()) {
    json->Key("filter");
    json->BeginObject();
    if (flags_.has_tenant) json->Field("tenant", codecs::Printable(flags_.tenant));
    if (!flags_.from.empty()) json->Field("from", codecs::Printable(flags_.from));
    if (!flags_.to.empty()) json->Field("to", codecs::Printable(flags_.to));
    json->EndObject();
  }
}

void RunContext::FinishJson(common::JsonWriter* json) {
  json->Key("notes");
  json->BeginArray();
  for (const auto& note : notes_) json->String(note);
  json->EndArray();
  json->Key("errors");
  json->BeginArray();
  for (const auto& p : problems_) json->String(p);
  json->EndArray();
  json->Field("exit_code", ExitCode());
  json->Field("ok", ExitCode() == kExitOk);
  json->EndObject();
  json->WriteTo(&out_);
  out_ << '\n';
}

}  // namespace metakv::tools
