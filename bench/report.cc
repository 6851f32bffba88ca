#include "bench/report.h"

#include <cmath>
#include <cstdio>

#include "common/text_table.h"
#include "compaction/flush_policy.h"

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

// For workload i: calls fn(engine, metakv's result, that engine's result)
// for every engine but metakv, where both results exist and keep accepts
// both (the metakv/engine ratio rows of the tables below).
template <typename Keep, typename Fn>
void ForEachComparison(const std::vector<EngineRun>& runs, size_t i, Keep keep, Fn fn) {
  const EngineRun* metakv = FindRun(runs, "metakv");
  const WorkloadResult* m = metakv == nullptr ? nullptr : ResultAt(*metakv, i);
  if (m == nullptr || !keep(*m)) return;
  for (const EngineRun& run : runs) {
    const WorkloadResult* k = ResultAt(run, i);
    if (run.engine == "metakv" || k == nullptr || !keep(*k)) continue;
    fn(run.engine, *m, *k);
  }
}

bool AnyResult(const WorkloadResult&) { return true; }
bool HasRemoval(const WorkloadResult& r) { return r.has_removal; }

std::string Micros(const WorkloadResult& r, double percentile) {
  if (r.latency_ns.count() == 0) return "-";
  return common::FormatFixed(r.latency_ns.Percentile(percentile) / 1000.0, 2);
}

std::string Ratio(double a, double b) {
  if (!std::isfinite(a) || !std::isfinite(b) || b == 0) return "-";
  return common::FormatFixed(a / b, 2);
}

// A ratio that may be far below 1 (the bulk-delete tables): two decimals,
// or two significant digits below 0.01.
std::string SmallRatio(double a, double b) {
  if (!std::isfinite(a) || !std::isfinite(b) || b == 0) return "-";
  const double r = a / b;
  if (r == 0 || r >= 0.01) return common::FormatFixed(r, 2);
  char buf[32];
  snprintf(buf, sizeof(buf), "%.2g", r);
  return buf;
}

std::string Mib(uint64_t bytes) {
  return common::FormatFixed(static_cast<double>(bytes) / kMiBDouble, 1);
}

std::string Fixed2(double v) { return std::isfinite(v) ? common::FormatFixed(v, 2) : "-"; }

// One row per engine for each workload: throughput, latency, amplification,
// stalls and memory; then a row of ratios of metakv to each stock engine.
std::string MainTable(const BenchConfig& config, const std::vector<EngineRun>& runs) {
  using Align = common::TextTable::Align;
  common::TextTable table({{"workload", Align::kLeft, ""},
                           {"engine", Align::kLeft, ""},
                           {"ops/s", Align::kRight, ""},
                           {"p50 us", Align::kRight, ""},
                           {"p99 us", Align::kRight, ""},
                           {"p99.9 us", Align::kRight, ""},
                           {"WA", Align::kRight, ""},
                           {"SA", Align::kRight, ""},
                           {"device MiB", Align::kRight, ""},
                           {"WAL MiB", Align::kRight, ""},
                           {"stall s", Align::kRight, ""},
                           {"peak RSS MiB", Align::kRight, ""}});
  for (size_t i = 0; i < config.benchmarks.size(); ++i) {
    for (const EngineRun& run : runs) {
      const WorkloadResult* r = ResultAt(run, i);
      if (r == nullptr) {
        table.AddRow({config.benchmarks[i], run.engine, "-"});
        continue;
      }
      table.AddRow({config.benchmarks[i], run.engine, common::FormatInteger(r->OpsPerSecond()),
                    Micros(*r, 50), Micros(*r, 99), Micros(*r, 99.9),
                    Fixed2(r->WriteAmplification()), Fixed2(r->SpaceAmplification()),
                    Mib(r->device_bytes), Mib(r->wal_bytes),
                    common::FormatFixed(static_cast<double>(r->stall_micros) / 1e6, 2),
                    r->peak_rss_bytes == 0 ? "-" : Mib(r->peak_rss_bytes)});
    }
    ForEachComparison(
        runs, i, AnyResult,
        [&](const std::string& engine, const WorkloadResult& m, const WorkloadResult& k) {
          auto pct = [&](double p) {
            if (m.latency_ns.count() == 0 || k.latency_ns.count() == 0) return std::string("-");
            return Ratio(m.latency_ns.Percentile(p), k.latency_ns.Percentile(p));
          };
          table.AddRow(
              {"", "metakv/" + engine, Ratio(m.OpsPerSecond(), k.OpsPerSecond()), pct(50), pct(99),
               pct(99.9), Ratio(m.WriteAmplification(), k.WriteAmplification()),
               Ratio(m.SpaceAmplification(), k.SpaceAmplification()),
               Ratio(static_cast<double>(m.device_bytes), static_cast<double>(k.device_bytes)),
               Ratio(static_cast<double>(m.wal_bytes), static_cast<double>(k.wal_bytes)), "",
               Ratio(static_cast<double>(m.peak_rss_bytes),
                     static_cast<double>(k.peak_rss_bytes))});
        });
  }
  return table.Format();
}

// Latency per operation type of the workloads that have several (metamix).
std::string OpLatencyTable(const BenchConfig& config, const std::vector<EngineRun>& runs) {
  using Align = common::TextTable::Align;
  common::TextTable table({{"workload", Align::kLeft, ""},
                           {"op", Align::kLeft, ""},
                           {"engine", Align::kLeft, ""},
                           {"count", Align::kRight, ""},
                           {"p50 us", Align::kRight, ""},
                           {"p99 us", Align::kRight, ""},
                           {"p99.9 us", Align::kRight, ""},
                           {"p99 metakv/engine", Align::kRight, ""}});
  bool any = false;
  const EngineRun* metakv = FindRun(runs, "metakv");
  for (size_t i = 0; i < config.benchmarks.size(); ++i) {
    const WorkloadResult* first = nullptr;
    for (const EngineRun& run : runs) {
      if (first == nullptr) first = ResultAt(run, i);
    }
    if (first == nullptr || first->op_latency_ns.empty()) continue;
    const WorkloadResult* m = metakv == nullptr ? nullptr : ResultAt(*metakv, i);
    for (const auto& [op, unused] : first->op_latency_ns) {
      for (const EngineRun& run : runs) {
        const WorkloadResult* r = ResultAt(run, i);
        if (r == nullptr) continue;
        const auto it = r->op_latency_ns.find(op);
        if (it == r->op_latency_ns.end() || it->second.count() == 0) continue;
        const Histogram& h = it->second;
        std::string ratio;
        if (m != nullptr && run.engine != "metakv") {
          const auto mit = m->op_latency_ns.find(op);
          if (mit != m->op_latency_ns.end() && mit->second.count() > 0) {
            ratio = Ratio(mit->second.Percentile(99), h.Percentile(99));
          }
        }
        table.AddRow({config.benchmarks[i], op, run.engine, std::to_string(h.count()),
                      common::FormatFixed(h.Percentile(50) / 1000.0, 2),
                      common::FormatFixed(h.Percentile(99) / 1000.0, 2),
                      common::FormatFixed(h.Percentile(99.9) / 1000.0, 2), ratio});
        any = true;
      }
    }
  }
  return any ? table.Format() : std::string();
}

// p99 of op in phase, microseconds; NaN if not recorded.
double PhaseP99(const WorkloadResult& r, const std::string& op, const std::string& phase) {
  const Histogram* h = r.PhaseLatency(op, phase);
  return h == nullptr ? std::nan("") : h->Percentile(99) / 1000.0;
}

std::string PhaseMicros(const WorkloadResult& r, const std::string& op, const std::string& phase,
                        double percentile) {
  const Histogram* h = r.PhaseLatency(op, phase);
  return h == nullptr ? "-" : common::FormatFixed(h->Percentile(percentile) / 1000.0, 1);
}

std::string GoneSeconds(const WorkloadResult::Removal& rm) {
  if (std::isnan(rm.gone_seconds))
    return "not gone in " + common::FormatFixed(rm.wait_seconds, 0) + " s";
  return common::FormatFixed(rm.gone_seconds, 1);
}

// The bulk-delete workloads (rmtree, rmtenant): what the removal cost and
// how long its bytes stayed, per engine, with metakv/engine ratio rows.
std::string RemovalTable(const BenchConfig& config, const std::vector<EngineRun>& runs) {
  using Align = common::TextTable::Align;
  common::TextTable table({{"workload", Align::kLeft, ""},
                           {"engine", Align::kLeft, ""},
                           {"mode", Align::kLeft, ""},
                           {"method", Align::kLeft, ""},
                           {"records", Align::kRight, ""},
                           {"removed MiB", Align::kRight, ""},
                           {"before", Align::kRight, "stored MiB"},
                           {"after", Align::kRight, "stored MiB"},
                           {"written MiB", Align::kRight, ""},
                           {"written/removed", Align::kRight, ""},
                           {"remove s", Align::kRight, ""},
                           {"gone s", Align::kRight, ""},
                           {"bound s", Align::kRight, ""}});
  bool any = false;
  for (size_t i = 0; i < config.benchmarks.size(); ++i) {
    for (const EngineRun& run : runs) {
      const WorkloadResult* r = ResultAt(run, i);
      if (r == nullptr || !r->has_removal) continue;
      const WorkloadResult::Removal& rm = r->removal;
      table.AddRow(
          {config.benchmarks[i], run.engine, rm.mode, rm.method, std::to_string(rm.records),
           Mib(rm.logical_bytes), Mib(rm.stored_bytes_before), Mib(rm.stored_bytes_after),
           Mib(rm.device_bytes), Fixed2(r->RemovalWriteRatio()),
           common::FormatFixed(rm.remove_seconds, 2), GoneSeconds(rm),
           rm.purge_deadline_seconds == 0 ? "-" : std::to_string(rm.purge_deadline_seconds)});
      any = true;
    }
    ForEachComparison(
        runs, i, HasRemoval,
        [&](const std::string& engine, const WorkloadResult& m, const WorkloadResult& k) {
          table.AddRow({"", "metakv/" + engine, "", "", "", "", "", "",
                        SmallRatio(static_cast<double>(m.removal.device_bytes),
                                   static_cast<double>(k.removal.device_bytes)),
                        SmallRatio(m.RemovalWriteRatio(), k.RemovalWriteRatio()),
                        SmallRatio(m.removal.remove_seconds, k.removal.remove_seconds),
                        SmallRatio(m.removal.gone_seconds, k.removal.gone_seconds), ""});
        });
  }
  return any ? table.Format() : std::string();
}

// The bulk-delete workloads' read phases: readdir and seek latency per
// engine and phase, p99 over the same engine's p99 before the removal, and
// metakv/engine p99 ratio rows.
std::string PhaseTable(const BenchConfig& config, const std::vector<EngineRun>& runs) {
  using Align = common::TextTable::Align;
  common::TextTable table({{"workload", Align::kLeft, ""},
                           {"engine", Align::kLeft, ""},
                           {"phase", Align::kLeft, ""},
                           {"p50", Align::kRight, "readdir us"},
                           {"p99", Align::kRight, "readdir us"},
                           {"p50", Align::kRight, "seek us"},
                           {"p99", Align::kRight, "seek us"},
                           {"readdir", Align::kRight, "p99 x before"},
                           {"seek", Align::kRight, "p99 x before"}});
  bool any = false;
  for (size_t i = 0; i < config.benchmarks.size(); ++i) {
    for (const EngineRun& run : runs) {
      const WorkloadResult* r = ResultAt(run, i);
      if (r == nullptr || !r->has_removal) continue;
      for (const std::string& phase : WorkloadResult::RemovalPhases()) {
        table.AddRow({config.benchmarks[i], run.engine, phase,
                      PhaseMicros(*r, "readdir", phase, 50), PhaseMicros(*r, "readdir", phase, 99),
                      PhaseMicros(*r, "seek", phase, 50), PhaseMicros(*r, "seek", phase, 99),
                      phase == "before" ? ""
                                        : Ratio(PhaseP99(*r, "readdir", phase),
                                                PhaseP99(*r, "readdir", "before")),
                      phase == "before"
                          ? ""
                          : Ratio(PhaseP99(*r, "seek", phase), PhaseP99(*r, "seek", "before"))});
        any = true;
      }
    }
    ForEachComparison(
        runs, i, HasRemoval,
        [&](const std::string& engine, const WorkloadResult& m, const WorkloadResult& k) {
          for (const std::string& phase : WorkloadResult::RemovalPhases()) {
            table.AddRow({"", "metakv/" + engine, phase, "",
                          SmallRatio(PhaseP99(m, "readdir", phase), PhaseP99(k, "readdir", phase)),
                          "", SmallRatio(PhaseP99(m, "seek", phase), PhaseP99(k, "seek", phase)),
                          "", ""});
          }
        });
  }
  return any ? table.Format() : std::string();
}

std::string DetailsTable(const BenchConfig& config, const std::vector<EngineRun>& runs) {
  using Align = common::TextTable::Align;
  common::TextTable table({{"workload", Align::kLeft, ""},
                           {"engine", Align::kLeft, ""},
                           {"ops", Align::kRight, ""},
                           {"found", Align::kRight, ""},
                           {"loop s", Align::kRight, ""},
                           {"settle s", Align::kRight, ""},
                           {"user MiB", Align::kRight, ""},
                           {"flush MiB", Align::kRight, ""},
                           {"compact MiB", Align::kRight, ""},
                           {"ingest MiB", Align::kRight, ""},
                           {"live MiB", Align::kRight, ""},
                           {"SST MiB", Align::kRight, ""},
                           {"mean us", Align::kRight, ""},
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
                    r->writes ? "-" : std::to_string(r->found), common::FormatFixed(r->seconds, 2),
                    r->writes ? common::FormatFixed(r->settle_seconds, 2) : "-", Mib(r->user_bytes),
                    Mib(r->flush_bytes), Mib(r->compaction_bytes), Mib(r->ingest_bytes),
                    r->live_bytes == 0 ? "-" : Mib(r->live_bytes), Mib(r->live_sst_bytes),
                    has_samples ? common::FormatFixed(r->latency_ns.Mean() / 1000.0, 2) : "-",
                    has_samples
                        ? common::FormatFixed(static_cast<double>(r->latency_ns.max()) / 1000.0, 1)
                        : "-"});
    }
  }
  return table.Format();
}

}  // namespace

std::string FormatParameters(const BenchConfig& c, const std::string& db_description) {
  std::string benchmarks, engines;
  for (const std::string& b : c.benchmarks) benchmarks += (benchmarks.empty() ? "" : ",") + b;
  for (const std::string& e : c.engines) engines += (engines.empty() ? "" : ",") + e;
  bool mix = false;
  for (const std::string& b : c.benchmarks) mix = mix || b == "metamix";
  bool bulk = false;
  for (const std::string& b : c.benchmarks) bulk = bulk || b == "rmtree" || b == "rmtenant";
  char theta[32];
  snprintf(theta, sizeof(theta), "%g", c.zipf_theta);
  char share[32];
  snprintf(share, sizeof(share), "%g", c.remove_share);
  return "metakv-bench:" + (c.preset.empty() ? "" : " preset=" + c.preset) +
         " benchmarks=" + benchmarks + " engine=" + engines + " num=" + std::to_string(c.num) +
         (mix ? " mix_ops=" + std::to_string(c.mix_ops) + " mix=" + FormatMix(c.mix) +
                    " zipf_theta=" + theta + " files_per_dir=" + std::to_string(c.files_per_dir) +
                    " inode_extra_bytes=" + std::to_string(c.inode_extra_bytes) +
                    " snapshot_group=" + std::to_string(c.snapshot_group) +
                    " history_key=" + std::string(HistoryKeyName(c.history_key)) +
                    " retention_seconds=" + std::to_string(c.retention_seconds) +
                    " history_ttl_seconds=" + std::to_string(c.history_ttl_seconds) +
                    " ops_per_sim_second=" + std::to_string(c.ops_per_sim_second)
              : " reads=" + std::to_string(c.reads) + " key_size=" + std::to_string(c.key_size) +
                    " value_size=" + std::to_string(c.value_size)) +
         (bulk ? " trees_per_tenant=" + std::to_string(c.trees_per_tenant) + " remove_share=" +
                     share + " remove_mode=" + std::string(RemoveModeName(c.remove_mode)) +
                     " remove_tenants=" + std::to_string(c.remove_tenants) +
                     " probe_ops=" + std::to_string(c.probe_ops) +
                     " gone_timeout=" + std::to_string(c.gone_timeout_seconds) +
                     " purge_deadline_seconds=" + std::to_string(c.purge_deadline_seconds) +
                     " enforce_purge=" + std::to_string(c.enforce_purge) +
                     " stock_delete=" + std::string(StockDeleteName(c.stock_delete)) +
                     (mix ? ""
                          : " files_per_dir=" + std::to_string(c.files_per_dir) + " zipf_theta=" +
                                theta + " retention_seconds=" + std::to_string(c.retention_seconds))
               : "") +
         " tenants=" + std::to_string(c.tenants) + " seed=" + std::to_string(c.seed) +
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
         (config.threads == 1 ? std::string("one thread")
                              : std::to_string(config.threads) + " threads together") +
         ").\n";
  out += "p50/p99/p99.9/mean/max us: latency of each engine call, from a log-linear histogram\n";
  out += "  (128 buckets per power of two; percentiles within 0.4%).\n";
  out += "WA: (flush + compaction + ingest bytes written) / user bytes (tenant + key + value)\n";
  out +=
      "  of the workload; WAL not counted. After each write workload the engine flushed and "
      "waited\n";
  out += "  for compactions to finish (\"settle s\", not in ops/s) before its bytes were read.\n";
  out +=
      "SA: live SST bytes once settled / logical bytes of the records a user can see (\"-\": the\n";
  out +=
      "  workload cannot tell). stall s: writers stalled (STALL_MICROS). peak RSS: the process's\n";
  out += "  peak resident memory during the workload (VmHWM, reset at its start).\n";
  out += "metakv/<engine> rows: metakv's figure over the other engine's (ops/s above 1 and the\n";
  out += "  others below 1 favour metakv).\n";
  out += "\n";
  out += MainTable(config, runs);
  const std::string removal = RemovalTable(config, runs);
  if (!removal.empty()) {
    out +=
        "\nBulk deletes (rmtree, rmtenant). removed MiB: logical bytes (tenant + key + value) of\n";
    out +=
        "  the removed records; stored MiB: the engine's estimate (GetApproximateSizes, files "
        "and\n";
    out +=
        "  memtables) of its bytes over their key ranges, before the removal and after the wait;\n";
    out +=
        "  written MiB: flush + compaction bytes from the removal's start until the engine "
        "settled\n";
    out +=
        "  after the wait; gone s: wall seconds from purgeable until stored fell to 1% of before\n";
    out += "  (\"not gone\": not within the wait); bound s: metakv's purge deadline.\n";
    out +=
        "  Goals (issue 7): written/removed at most 0.10; gone within the bound; p99 after the\n";
    out += "  removal at most 2x before, without manual compaction.\n";
    out += removal + "\n" + PhaseTable(config, runs);
  }
  const std::string ops = OpLatencyTable(config, runs);
  if (!ops.empty()) out += "\n" + ops;
  out += "\n";
  out += DetailsTable(config, runs);
  for (size_t i = 0; i < config.benchmarks.size(); ++i) {
    for (const EngineRun& run : runs) {
      const WorkloadResult* r = ResultAt(run, i);
      if (r == nullptr || r->engine_details.empty()) continue;
      out += "\n" + run.engine + " after " + config.benchmarks[i] + " (since open; MiB):\n" +
             r->engine_details;
      if (!r->max_purgeable_age_seconds.empty()) {
        std::string ages;
        uint64_t max = 0;
        for (const auto& [domain, age] : r->max_purgeable_age_seconds) {
          ages += (ages.empty() ? "" : ", ") + domain + " " + std::to_string(age) + " s";
          max = std::max(max, age);
        }
        const uint64_t deadline = config.purge_deadline_seconds;
        out +=
            "largest age of a purgeable record past its purge time (sampled each second): " + ages +
            (deadline == 0     ? " (no deadline)\n"
             : max <= deadline ? " (within the " + std::to_string(deadline) + " s deadline)\n"
                               : " (OVER the " + std::to_string(deadline) + " s deadline)\n");
      }
    }
  }
  return out;
}

}  // namespace metakv::bench
