#include "bench/runner.h"

#include <stdlib.h>

#include <cerrno>
#include <chrono>
#include <filesystem>
#include <memory>
#include <system_error>

#include "bench/engine.h"
#include "bench/json_report.h"
#include "bench/keys.h"
#include "bench/random.h"
#include "bench/report.h"
#include "bench/table.h"
#include "bench/workload.h"
#include "bench/workloads/registry.h"

namespace metakv::bench {

namespace fs = std::filesystem;

namespace {

double SecondsSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

// The key-sequence seed of the workload at position index of --benchmarks.
uint64_t WorkloadSeed(uint64_t seed, size_t index) { return Mix64(seed ^ Mix64(index + 1)); }

// Runs one workload on an open engine, settling it afterwards if it writes.
Status RunOne(Engine* engine, const BenchConfig& config, const KeyFormatter& keys, size_t index,
              std::ostream& progress, WorkloadResult* result) {
  const std::string& name = config.benchmarks[index];
  std::unique_ptr<Workload> workload = NewWorkload(name);
  if (workload == nullptr) return Status::InvalidArgument("unknown workload \"" + name + "\"");
  result->workload = name;
  result->writes = workload->writes();

  EngineStats before;
  Status s = engine->GetStats(&before);
  if (!s.ok()) return s;
  WorkloadContext ctx;
  ctx.engine = engine;
  ctx.config = &config;
  ctx.keys = &keys;
  ctx.seed = WorkloadSeed(config.seed, index);
  progress << "[" << engine->name() << "] " << name << ": running..." << std::flush;
  s = workload->Run(ctx, result);
  if (!s.ok()) {
    progress << " failed\n";
    return s;
  }
  progress << " " << result->ops << " ops in " << FormatFixed(result->seconds, 2) << " s";
  if (result->writes) {
    progress << "; flushing and waiting for compactions..." << std::flush;
    const auto start = std::chrono::steady_clock::now();
    s = engine->Flush();
    if (s.ok()) s = engine->WaitForCompactions();
    result->settle_seconds = SecondsSince(start);
    if (!s.ok()) {
      progress << " failed\n";
      return s;
    }
    progress << " " << FormatFixed(result->settle_seconds, 2) << " s";
  }
  progress << "\n";

  EngineStats after;
  s = engine->GetStats(&after);
  if (!s.ok()) return s;
  result->device_bytes = after.device_bytes() - before.device_bytes();
  result->flush_bytes = after.flush_bytes_written - before.flush_bytes_written;
  result->compaction_bytes = after.compaction_bytes_written - before.compaction_bytes_written;
  result->ingest_bytes = after.ingest_bytes_written - before.ingest_bytes_written;
  result->wal_bytes = after.wal_bytes_written - before.wal_bytes_written;
  return Status::OK();
}

// Creates a fresh directory under $TMPDIR (or /tmp) into *path.
Status MakeTempDir(std::string* path) {
  std::error_code ec;
  fs::path base = fs::temp_directory_path(ec);
  if (ec) base = "/tmp";
  std::string pattern = (base / "metakv-bench-XXXXXX").string();
  if (mkdtemp(pattern.data()) == nullptr) {
    return Status::IOError("cannot create a temporary directory under " + base.string() + ": " +
                           std::generic_category().message(errno));
  }
  *path = pattern;
  return Status::OK();
}

// Checks that --db's engine directories are absent or empty.
std::string CheckDbDir(const std::string& root, const std::vector<std::string>& engines) {
  std::error_code ec;
  if (fs::exists(root, ec) && !fs::is_directory(root, ec)) {
    return "--db=" + root + ": exists and is not a directory";
  }
  for (const std::string& engine : engines) {
    const fs::path dir = fs::path(root) / engine;
    if (!fs::exists(dir, ec)) continue;
    if (!fs::is_directory(dir, ec) || !fs::is_empty(dir, ec)) {
      return "--db=" + root + ": " + dir.string() +
             " already exists and is not an empty directory (give a new or empty --db)";
    }
  }
  return {};
}

}  // namespace

Status RunEngines(const BenchConfig& config, const std::string& root, std::ostream& progress,
                  std::vector<EngineRun>* runs) {
  const KeyFormatter keys(config.key_size, config.tenants);
  for (const std::string& name : EngineNames(config.engine)) {
    const std::string dir = (fs::path(root) / name).string();
    std::unique_ptr<Engine> engine;
    Status s = OpenEngine(name, config, dir, &engine);
    if (!s.ok()) return s;
    runs->push_back(EngineRun{name, {}});
    for (size_t i = 0; i < config.benchmarks.size(); ++i) {
      WorkloadResult result;
      s = RunOne(engine.get(), config, keys, i, progress, &result);
      if (!s.ok()) {
        engine->Close().PermitUncheckedError();  // the first error is the one to report
        return s;
      }
      runs->back().results.push_back(std::move(result));
    }
    s = engine->Close();
    if (!s.ok()) return s;
  }
  return Status::OK();
}

int RunBench(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  BenchConfig config;
  const std::string error = ParseFlags(args, &config);
  if (!error.empty()) {
    err << "metakv-bench: " << error << "\n";
    return 2;
  }
  if (config.help) {
    out << Usage();
    return 0;
  }

  std::string root;
  std::string db_description;
  const bool temporary = config.db.empty();
  if (temporary) {
    Status s = MakeTempDir(&root);
    if (!s.ok()) {
      err << "metakv-bench: " << s.ToString() << "\n";
      return 1;
    }
    db_description = root + " (temporary, removed at exit)";
  } else {
    root = config.db;
    const std::string bad = CheckDbDir(root, EngineNames(config.engine));
    if (!bad.empty()) {
      err << "metakv-bench: " << bad << "\n";
      return 2;
    }
    std::error_code ec;
    fs::create_directories(root, ec);
    if (ec) {
      err << "metakv-bench: cannot create --db=" << root << ": " << ec.message() << "\n";
      return 1;
    }
    db_description = root;
  }

  out << FormatParameters(config, db_description) << "\n\n" << std::flush;
  std::vector<EngineRun> runs;
  const Status s = RunEngines(config, root, err, &runs);
  out << FormatReport(config, runs) << std::flush;
  int exit_code = s.ok() ? 0 : 1;
  if (!config.json.empty()) {
    const Status js =
        WriteFileAtomically(config.json, FormatJson(config, runs, s.ok() ? "" : s.ToString()));
    if (!js.ok()) {
      err << "metakv-bench: --json: " << js.ToString() << "\n";
      exit_code = 1;
    }
  }

  if (temporary) {
    std::error_code ec;
    fs::remove_all(root, ec);
    if (ec) err << "metakv-bench: warning: cannot remove " << root << ": " << ec.message() << "\n";
  }
  if (!s.ok()) err << "metakv-bench: " << s.ToString() << "\n";
  return exit_code;
}

}  // namespace metakv::bench
