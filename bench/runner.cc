#include "bench/runner.h"

#include <stdlib.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <mutex>
#include <system_error>
#include <thread>

#include "bench/bytes.h"
#include "bench/engine.h"
#include "bench/json_report.h"
#include "bench/keys.h"
#include "bench/random.h"
#include "bench/report.h"
#include "bench/series.h"
#include "bench/workload.h"
#include "bench/workloads/registry.h"
#include "common/text_table.h"

namespace metakv::bench {

namespace fs = std::filesystem;

namespace {

double SecondsSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

// The key-sequence seed of the workload at position index of --benchmarks.
uint64_t WorkloadSeed(uint64_t seed, size_t index) { return Mix64(seed ^ Mix64(index + 1)); }

// Resets the process's peak resident set size to its current size (Linux:
// "5" to /proc/self/clear_refs). False if the system does not allow it.
bool ResetPeakRss() {
  std::ofstream f("/proc/self/clear_refs");
  if (!f) return false;
  f << "5";
  f.flush();
  return static_cast<bool>(f);
}

// The process's peak resident set size (VmHWM), or 0 if unknown.
uint64_t PeakRssBytes() {
  std::ifstream f("/proc/self/status");
  std::string line;
  while (std::getline(f, line)) {
    if (line.compare(0, 6, "VmHWM:") == 0) {
      return std::strtoull(line.c_str() + 6, nullptr, 10) * 1024;  // "VmHWM:  1234 kB"
    }
  }
  return 0;
}

// Samples the engine and the run counters once a second while a workload
// runs: the time series (--csv, --plot) and the progress line.
class Sampler {
 public:
  Sampler(Engine* engine, const RunCounters* counters, const EngineStats& before, std::string label,
          bool progress, WorkloadResult* result)
      : engine_(engine),
        counters_(counters),
        before_(before),
        label_(std::move(label)),
        progress_(progress),
        result_(result),
        start_(std::chrono::steady_clock::now()),
        ops_at_start_(counters->ops()),
        bytes_at_start_(counters->user_bytes()) {
    thread_ = std::thread([this] { Loop(); });
  }

  // Stops sampling (one last sample) and clears the progress line.
  void Stop() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (stop_) return;
      stop_ = true;
    }
    cv_.notify_all();
    thread_.join();
    TakeSample();
    if (shown_) std::fprintf(stderr, "\r%*s\r", 100, "");
  }

  ~Sampler() { Stop(); }

 private:
  void Loop() {
    std::unique_lock<std::mutex> lock(mu_);
    while (!cv_.wait_for(lock, std::chrono::seconds(1), [this] { return stop_; })) {
      lock.unlock();
      TakeSample();
      lock.lock();
    }
  }

  void TakeSample() {
    EngineStats now;
    if (!engine_->GetStats(&now).ok()) return;  // the workload reports engine errors
    WorkloadResult::Sample sample;
    sample.seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
    sample.ops = counters_->ops() - ops_at_start_;
    sample.user_bytes = counters_->user_bytes() - bytes_at_start_;
    sample.device_bytes = now.device_bytes() - before_.device_bytes();
    if (progress_) {
      const double rate = sample.seconds > 0 ? static_cast<double>(sample.ops) / sample.seconds : 0;
      const std::string wa = sample.user_bytes == 0
                                 ? "-"
                                 : common::FormatFixed(static_cast<double>(sample.device_bytes) /
                                                           static_cast<double>(sample.user_bytes),
                                                       2);
      std::fprintf(
          stderr, "\r%-90s",
          (label_ + ": " + common::FormatFixed(sample.seconds, 0) + " s, " +
           std::to_string(sample.ops) + " ops, " + common::FormatInteger(rate) + " ops/s, WA " + wa)
              .c_str());
      std::fflush(stderr);
      shown_ = true;
    }
    std::lock_guard<std::mutex> lock(series_mu_);
    result_->series.push_back(sample);
    for (const auto& [domain, age] : now.purgeable_age_seconds) {
      uint64_t& max = result_->max_purgeable_age_seconds[domain];
      max = std::max(max, age);
    }
  }

  Engine* const engine_;
  const RunCounters* const counters_;
  const EngineStats before_;
  const std::string label_;
  const bool progress_;
  WorkloadResult* const result_;
  const std::chrono::steady_clock::time_point start_;
  const uint64_t ops_at_start_;
  const uint64_t bytes_at_start_;
  bool shown_ = false;
  std::mutex series_mu_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;  // GUARDED_BY(mu_)
  std::thread thread_;
};

// Runs one workload on an open engine, settling it afterwards if it writes.
Status RunOne(Engine* engine, RunCounters* counters, const BenchConfig& config,
              const KeyFormatter& keys, size_t index, std::ostream& progress,
              WorkloadResult* result) {
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
  ctx.counters = counters;
  const bool rss = ResetPeakRss();
  const std::string label = "[" + std::string(engine->name()) + "] " + name;
  // The progress line replaces the "running..." line while it runs.
  const bool live_progress = config.progress != 0 && isatty(STDERR_FILENO) != 0;
  progress << label << ": running..." << (live_progress ? "\n" : "") << std::flush;
  Sampler sampler(engine, counters, before, label, live_progress, result);
  s = workload->Run(ctx, result);
  if (!s.ok()) {
    sampler.Stop();
    progress << " failed\n";
    return s;
  }
  std::string line = " " + std::to_string(result->ops) + " ops in " +
                     common::FormatFixed(result->seconds, 2) + " s";
  if (result->writes) {
    const auto start = std::chrono::steady_clock::now();
    s = engine->Flush();
    if (s.ok()) s = engine->WaitForCompactions();
    result->settle_seconds = SecondsSince(start);
    if (!s.ok()) {
      sampler.Stop();
      progress << line << "; settling failed\n";
      return s;
    }
    line +=
        "; flushed and waited for compactions: " + common::FormatFixed(result->settle_seconds, 2) +
        " s";
  }
  sampler.Stop();
  progress << (live_progress ? label + ":" : "") << line << "\n";

  EngineStats after;
  s = engine->GetStats(&after);
  if (!s.ok()) return s;
  result->device_bytes = after.device_bytes() - before.device_bytes();
  result->flush_bytes = after.flush_bytes_written - before.flush_bytes_written;
  result->compaction_bytes = after.compaction_bytes_written - before.compaction_bytes_written;
  result->ingest_bytes = after.ingest_bytes_written - before.ingest_bytes_written;
  result->wal_bytes = after.wal_bytes_written - before.wal_bytes_written;
  result->l0_l1_rewritten_bytes = after.l0_l1_rewritten_bytes - before.l0_l1_rewritten_bytes;
  result->l0_l1_for_others_bytes = after.l0_l1_for_others_bytes - before.l0_l1_for_others_bytes;
  result->stall_micros = after.stall_micros - before.stall_micros;
  result->live_sst_bytes = after.live_sst_bytes;
  result->peak_rss_bytes = rss ? PeakRssBytes() : 0;
  result->engine_details = engine->Details();
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

// Checks that --db's engine directories are absent or empty (with
// --use_existing_db: that they hold something).
std::string CheckDbDir(const std::string& root, const std::vector<std::string>& engines,
                       bool use_existing) {
  std::error_code ec;
  if (fs::exists(root, ec) && !fs::is_directory(root, ec)) {
    return "--db=" + root + ": exists and is not a directory";
  }
  for (const std::string& engine : engines) {
    if (use_existing) {
      const fs::path current = fs::path(root) / engine / "CURRENT";
      if (!fs::exists(current, ec)) {
        return "--use_existing_db: " + (fs::path(root) / engine).string() +
               " holds no database (no CURRENT file)";
      }
      continue;
    }
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
  for (const std::string& name : config.engines) {
    const std::string dir = (fs::path(root) / name).string();
    std::unique_ptr<Engine> engine;
    Status s = OpenEngine(name, config, dir, &engine);
    if (!s.ok()) return s;
    runs->push_back(EngineRun{name, {}});
    // The simulated clock starts at the real time of the open, as the
    // engines' own clocks do.
    RunCounters counters(engine.get(), RealTimeMicros(), config.ops_per_sim_second);
    for (size_t i = 0; i < config.benchmarks.size(); ++i) {
      WorkloadResult result;
      s = RunOne(engine.get(), &counters, config, keys, i, progress, &result);
      if (!s.ok()) {
        engine->Close().PermitUncheckedError();  // the first error is the one to report
        return s;
      }
      runs->back().results.push_back(std::move(result));
    }
    const std::string metrics = engine->PrometheusMetrics();
    if (!config.metrics_out.empty() && !metrics.empty()) {
      std::ofstream file(config.metrics_out, std::ios::trunc);
      file << metrics;
      file.close();
      if (!file) {
        engine->Close().PermitUncheckedError();
        return Status::IOError("--metrics_out: cannot write " + config.metrics_out);
      }
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
    const std::string bad = CheckDbDir(root, config.engines, config.use_existing_db != 0);
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
  if (!config.csv.empty()) {
    const Status cs = WriteFileAtomically(config.csv, FormatSeriesCsv(runs));
    if (!cs.ok()) {
      err << "metakv-bench: --csv: " << cs.ToString() << "\n";
      exit_code = 1;
    }
  }
  if (!config.plot.empty()) {
    const Status ps = PlotSeries(runs, config.plot);
    if (!ps.ok()) {
      err << "metakv-bench: --plot: " << ps.ToString() << "\n";
      exit_code = 1;
    }
  }
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
