#include "bench/report.h"

#include <cmath>

#include "bench/table.h"

namespace metakv::bench {

namespace {

constexpr double kMiBDouble = 1024.0 * 1024.0;

const WorkloadResult* ResultAt(const EngineRun& run, size_t i) {
  return i < run.results.size() ? &run.results[i] : nullptr;
}

const EngineRun* FindRun(const std::vector<EngineRun>& runs, const std::string& engine) {
  for (const EngineRun& r : runs) {
    if (r.engine == engine) return &r;
  }
  return nullptr;
}

std::string Micros(const WorkloadResult& r, double percentile) {
  if (r.latency_ns.count() == 0) return "-";
  return FormatFixed(r.latency_ns.Percentile(percentile) / 1000.0, 2);
}

std::string Ratio(double a, double b) {
  if (!std::isfinite(a) || !std::isfinite(b) || b == 0) return "-";
  return FormatFixed(a / b, 2);
}

std::string MainTable(const BenchConfig& config, const std::vector<EngineRun>& runs) {
  using Align = TextTable::Align;
  std::vector<TextTable::Column> columns = {{"workload", Align::kLeft, ""}};
  for (const EngineRun& run : runs) {
    for (const char* h : {"ops/s", "p50 us", "p99 us", "WA"}) {
      columns.push_back({h, Align::kRight, run.engine});
    }
  }
  const EngineRun* metakv = FindRun(runs, "metakv");
  const EngineRun* rocksdb = FindRun(runs, "rocksdb");
  const bool ratios = metakv != nullptr && rocksdb != nullptr;
  if (ratios) {
    columns.push_back({"ops/s", Align::kRight, "metakv/rocksdb"});
    columns.push_back({"WA", Align::kRight, "metakv/rocksdb"});
  }
  TextTable table(std::move(columns));
  for (size_t i = 0; i < config.benchmarks.size(); ++i) {
    std::vector<std::string> row = {config.benchmarks[i]};
    for (const EngineRun& run : runs) {
      const WorkloadResult* r = ResultAt(run, i);
      if (r == nullptr) {
        row.insert(row.end(), {"-", "-", "-", "-"});
        continue;
      }
      row.push_back(FormatInteger(r->OpsPerSecond()));
      row.push_back(Micros(*r, 50));
      row.push_back(Micros(*r, 99));
      row.push_back(FormatFixed(r->WriteAmplification(), 2));
    }
    if (ratios) {
      const WorkloadResult* m = ResultAt(*metakv, i);
      const WorkloadResult* k = ResultAt(*rocksdb, i);
      if (m != nullptr && k != nullptr) {
        row.push_back(Ratio(m->OpsPerSecond(), k->OpsPerSecond()));
        row.push_back(Ratio(m->WriteAmplification(), k->WriteAmplification()));
      }
    }
    table.AddRow(std::move(row));
  }
  return table.Format();
}

std::string DetailsTable(const BenchConfig& config, const std::vector<EngineRun>& runs) {
  using Align = TextTable::Align;
  TextTable table({{"workload", Align::kLeft, ""},
                   {"engine", Align::kLeft, ""},
                   {"ops", Align::kRight, ""},
                   {"found", Align::kRight, ""},
                   {"loop s", Align::kRight, ""},
                   {"settle s", Align::kRight, ""},
                   {"user MiB", Align::kRight, ""},
                   {"device MiB", Align::kRight, ""},
                   {"mean us", Align::kRight, ""},
                   {"p99.9 us", Align::kRight, ""},
                   {"max us", Align::kRight, ""}});
  for (size_t i = 0; i < config.benchmarks.size(); ++i) {
    for (const EngineRun& run : runs) {
      const WorkloadResult* r = ResultAt(run, i);
      if (r == nullptr) {
        table.AddRow({config.benchmarks[i], run.engine, "-"});
        continue;
      }
      const bool has_samples = r->latency_ns.count() > 0;
      table.AddRow({config.benchmarks[i], run.engine, std::to_string(r->ops),
                    r->writes ? "-" : std::to_string(r->found), FormatFixed(r->seconds, 2),
                    r->writes ? FormatFixed(r->settle_seconds, 2) : "-",
                    FormatFixed(static_cast<double>(r->user_bytes) / kMiBDouble, 1),
                    FormatFixed(static_cast<double>(r->device_bytes) / kMiBDouble, 1),
                    has_samples ? FormatFixed(r->latency_ns.Mean() / 1000.0, 2) : "-",
                    Micros(*r, 99.9),
                    has_samples ? FormatFixed(static_cast<double>(r->latency_ns.max()) / 1000.0, 1)
                                : "-"});
    }
  }
  return table.Format();
}

}  // namespace

std::string FormatParameters(const BenchConfig& c, const std::string& db_description) {
  std::string benchmarks;
  for (const std::string& b : c.benchmarks) benchmarks += (benchmarks.empty() ? "" : ",") + b;
  return "metakv-bench: benchmarks=" + benchmarks + " engine=" +
         std::string(EngineChoiceName(c.engine)) + " num=" + std::to_string(c.num) +
         " reads=" + std::to_string(c.reads) + " key_size=" + std::to_string(c.key_size) +
         " value_size=" + std::to_string(c.value_size) + " tenants=" + std::to_string(c.tenants) +
         " seed=" + std::to_string(c.seed) +
         " compression=" + std::string(CompressionChoiceName(c.compression)) +
         " memory_budget=" + FormatBytes(c.memory_budget) +
         " write_buffer_size=" + FormatBytes(c.write_buffer_size) +
         " target_file_size=" + FormatBytes(c.target_file_size) +
         " max_bytes_for_level_base=" + FormatBytes(c.max_bytes_for_level_base) +
         (c.threads != 1 ? " threads=" + std::to_string(c.threads) : "") +
         (c.duration_seconds != 0 ? " duration=" + std::to_string(c.duration_seconds) : "") +
         " db=" + db_description;
}

std::string FormatReport(const BenchConfig& config, const std::vector<EngineRun>& runs) {
  std::string out;
  out += "ops/s: operations over the wall time of the workload's loop (" +
         (config.threads == 1 ? std::string("one thread") : std::to_string(config.threads) +
                                                                " threads together") +
         ").\n";
  out += "p50/p99/p99.9/mean/max us: latency of each engine call, from a log-linear histogram\n";
  out += "  (128 buckets per power of two; percentiles within 0.4%).\n";
  out += "WA: (flush + compaction + ingest bytes written) / user bytes (tenant + key + value)\n";
  out += "  of the workload; WAL not counted. After each write workload the engine flushed and waited\n";
  out += "  for compactions to finish (\"settle s\", not in ops/s) before its bytes were read.\n";
  out += "\n";
  out += MainTable(config, runs);
  out += "\n";
  out += DetailsTable(config, runs);
  return out;
}

}  // namespace metakv::bench
