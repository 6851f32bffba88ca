#include "bench/json_report.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cmath>
#include <cstdio>
#include <system_error>

namespace metakv::bench {

namespace {

std::string Quote(const std::string& s) {
  std::string out = "\"";
  for (const char c : s) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          char buf[8];
          snprintf(buf, sizeof(buf), "\\u%04x", static_cast<unsigned>(c));
          out += buf;
        } else {
          out += c;
        }
    }
  }
  return out + "\"";
}

// A finite double with enough digits to read back; null otherwise.
std::string Number(double v) {
  if (!std::isfinite(v)) return "null";
  char buf[32];
  snprintf(buf, sizeof(buf), "%.6g", v);
  return buf;
}

std::string Number(uint64_t v) { return std::to_string(v); }

// Appends "name": value, with a comma before every member but the first.
class ObjectWriter {
 public:
  explicit ObjectWriter(std::string* out) : out_(out) { *out_ += "{"; }
  void Raw(const std::string& name, const std::string& value) {
    *out_ += (first_ ? "" : ", ") + Quote(name) + ": " + value;
    first_ = false;
  }
  void Close() { *out_ += "}"; }

 private:
  std::string* out_;
  bool first_ = true;
};

std::string Figures(const Histogram& h) {
  std::string figures;
  ObjectWriter f(&figures);
  f.Raw("count", Number(h.count()));
  f.Raw("p50", Number(h.Percentile(50) / 1000.0));
  f.Raw("p99", Number(h.Percentile(99) / 1000.0));
  f.Raw("p999", Number(h.Percentile(99.9) / 1000.0));
  f.Raw("mean", Number(h.Mean() / 1000.0));
  f.Raw("max", Number(static_cast<double>(h.max()) / 1000.0));
  f.Close();
  return figures;
}

// {op: figures}: one entry per operation type (metamix), or the workload's
// one operation.
std::string Latency(const WorkloadResult& r) {
  std::string out;
  ObjectWriter ops(&out);
  if (!r.op_latency_ns.empty()) {
    for (const auto& [op, h] : r.op_latency_ns) {
      if (h.count() > 0) ops.Raw(op, Figures(h));
    }
  } else if (r.latency_ns.count() > 0) {
    ops.Raw(r.op.empty() ? "op" : r.op, Figures(r.latency_ns));
  }
  ops.Close();
  return out;
}

std::string Series(const WorkloadResult& r) {
  std::string out = "[";
  for (size_t i = 0; i < r.series.size(); ++i) {
    const WorkloadResult::Sample& s = r.series[i];
    if (i > 0) out += ", ";
    ObjectWriter o(&out);
    o.Raw("seconds", Number(s.seconds));
    o.Raw("ops", Number(s.ops));
    o.Raw("user_bytes", Number(s.user_bytes));
    o.Raw("device_bytes", Number(s.device_bytes));
    o.Close();
  }
  return out + "]";
}

// The bulk-delete figures of an rmtree or rmtenant run.
std::string Removal(const WorkloadResult& r) {
  const WorkloadResult::Removal& rm = r.removal;
  std::string out;
  ObjectWriter o(&out);
  o.Raw("mode", Quote(rm.mode));
  o.Raw("method", Quote(rm.method));
  o.Raw("records", Number(rm.records));
  o.Raw("logical_bytes", Number(rm.logical_bytes));
  o.Raw("stored_bytes_before", Number(rm.stored_bytes_before));
  o.Raw("stored_bytes_after", Number(rm.stored_bytes_after));
  o.Raw("device_bytes", Number(rm.device_bytes));
  o.Raw("write_ratio", Number(r.RemovalWriteRatio()));
  o.Raw("remove_seconds", Number(rm.remove_seconds));
  o.Raw("gone_seconds", Number(rm.gone_seconds));  // null: not gone within the wait
  o.Raw("wait_seconds", Number(rm.wait_seconds));
  o.Raw("purge_deadline_seconds", Number(rm.purge_deadline_seconds));
  o.Raw("restore_checked", rm.restore_checked ? "true" : "false");
  std::string phases;
  ObjectWriter p(&phases);
  for (const std::string& phase : WorkloadResult::RemovalPhases()) {
    std::string ops;
    ObjectWriter q(&ops);
    for (const char* op : {"readdir", "seek"}) {
      const Histogram* h = r.PhaseLatency(op, phase);
      if (h == nullptr) continue;
      q.Raw(op, Figures(*h));
      const Histogram* before = r.PhaseLatency(op, "before");
      if (phase != "before" && before != nullptr && before->Percentile(99) > 0) {
        q.Raw(std::string(op) + "_p99_over_before",
              Number(h->Percentile(99) / before->Percentile(99)));
      }
    }
    q.Close();
    p.Raw(phase, ops);
  }
  p.Close();
  o.Raw("phases", phases);
  o.Close();
  return out;
}

std::string Config(const BenchConfig& c) {
  std::string out;
  ObjectWriter o(&out);
  std::string benchmarks = "[";
  for (size_t i = 0; i < c.benchmarks.size(); ++i) {
    benchmarks += (i == 0 ? "" : ", ") + Quote(c.benchmarks[i]);
  }
  o.Raw("benchmarks", benchmarks + "]");
  std::string engines = "[";
  for (size_t i = 0; i < c.engines.size(); ++i)
    engines += (i == 0 ? "" : ", ") + Quote(c.engines[i]);
  o.Raw("engines", engines + "]");
  o.Raw("preset", Quote(c.preset));
  o.Raw("num", Number(c.num));
  o.Raw("reads", Number(c.reads));
  o.Raw("key_size", Number(c.key_size));
  o.Raw("value_size", Number(c.value_size));
  o.Raw("seed", Number(c.seed));
  o.Raw("tenants", Number(c.tenants));
  o.Raw("seek_nexts", Number(c.seek_nexts));
  o.Raw("threads", Number(c.threads));
  o.Raw("duration", Number(c.duration_seconds));
  o.Raw("compression", Quote(std::string(CompressionChoiceName(c.compression))));
  o.Raw("memory_budget", Number(c.memory_budget));
  o.Raw("write_buffer_size", Number(c.write_buffer_size));
  o.Raw("target_file_size", Number(c.target_file_size));
  o.Raw("max_bytes_for_level_base", Number(c.max_bytes_for_level_base));
  o.Raw("history_group", Number(c.history_group));
  o.Raw("purge", Number(c.purge));
  o.Raw("partition", Number(c.partition));
  o.Raw("adaptive_flush", Number(c.adaptive_flush));
  o.Raw("flush_controller_interval", Number(c.flush_controller_interval));
  o.Raw("use_existing_db", Number(c.use_existing_db));
  o.Raw("mix_ops", Number(c.mix_ops));
  o.Raw("mix", Quote(FormatMix(c.mix)));
  o.Raw("zipf_theta", Number(c.zipf_theta));
  o.Raw("files_per_dir", Number(c.files_per_dir));
  o.Raw("inode_extra_bytes", Number(c.inode_extra_bytes));
  o.Raw("snapshot_group", Number(c.snapshot_group));
  o.Raw("history_key", Quote(std::string(HistoryKeyName(c.history_key))));
  o.Raw("readdir_limit", Number(c.readdir_limit));
  o.Raw("retention_seconds", Number(c.retention_seconds));
  o.Raw("history_ttl_seconds", Number(c.history_ttl_seconds));
  o.Raw("ops_per_sim_second", Number(c.ops_per_sim_second));
  o.Raw("trees_per_tenant", Number(c.trees_per_tenant));
  o.Raw("remove_share", Number(c.remove_share));
  o.Raw("remove_mode", Quote(std::string(RemoveModeName(c.remove_mode))));
  o.Raw("remove_tenants", Number(c.remove_tenants));
  o.Raw("probe_ops", Number(c.probe_ops));
  o.Raw("gone_timeout", Number(c.gone_timeout_seconds));
  o.Raw("purge_deadline_seconds", Number(c.purge_deadline_seconds));
  o.Raw("enforce_purge", Number(c.enforce_purge));
  o.Raw("stock_delete", Quote(std::string(StockDeleteName(c.stock_delete))));
  o.Close();
  return out;
}

}  // namespace

std::string FormatJson(const BenchConfig& config, const std::vector<EngineRun>& runs,
                       const std::string& error) {
  std::string out;
  ObjectWriter doc(&out);
  doc.Raw("config", Config(config));
  doc.Raw("ok", error.empty() ? "true" : "false");
  doc.Raw("error", Quote(error));
  std::string list = "[";
  bool first = true;
  for (const EngineRun& run : runs) {
    for (const WorkloadResult& r : run.results) {
      list += first ? "\n  " : ",\n  ";
      first = false;
      ObjectWriter o(&list);
      o.Raw("engine", Quote(run.engine));
      o.Raw("workload", Quote(r.workload));
      o.Raw("op", Quote(r.op));
      o.Raw("ops", Number(r.ops));
      o.Raw("found", Number(r.found));
      o.Raw("entries", Number(r.entries));
      o.Raw("seconds", Number(r.seconds));
      o.Raw("settle_seconds", Number(r.settle_seconds));
      o.Raw("ops_per_sec", Number(r.OpsPerSecond()));
      o.Raw("write_amp", Number(r.WriteAmplification()));
      o.Raw("user_bytes", Number(r.user_bytes));
      o.Raw("device_bytes", Number(r.device_bytes));
      o.Raw("flush_bytes", Number(r.flush_bytes));
      o.Raw("compaction_bytes", Number(r.compaction_bytes));
      o.Raw("ingest_bytes", Number(r.ingest_bytes));
      o.Raw("wal_bytes", Number(r.wal_bytes));
      o.Raw("space_amp", Number(r.SpaceAmplification()));
      o.Raw("live_bytes", Number(r.live_bytes));
      o.Raw("live_sst_bytes", Number(r.live_sst_bytes));
      o.Raw("stall_micros", Number(r.stall_micros));
      o.Raw("peak_rss_bytes", Number(r.peak_rss_bytes));
      o.Raw("latency_us", Latency(r));
      if (!r.max_purgeable_age_seconds.empty()) {
        // The largest age past its purge time a purgeable record reached,
        // per domain (sampled once a second and once settled).
        std::string ages;
        ObjectWriter a(&ages);
        for (const auto& [domain, age] : r.max_purgeable_age_seconds) a.Raw(domain, Number(age));
        a.Close();
        o.Raw("max_purgeable_age_seconds", ages);
      }
      o.Raw("series", Series(r));
      if (r.has_removal) o.Raw("removal", Removal(r));
      o.Close();
    }
  }
  doc.Raw("runs", list + (first ? "]" : "\n]"));
  doc.Close();
  return out + "\n";
}

Status WriteFileAtomically(const std::string& path, const std::string& contents) {
  const std::string tmp = path + ".tmp";
  auto fail = [&](const std::string& what) {
    const std::string reason = std::generic_category().message(errno);
    unlink(tmp.c_str());
    return Status::IOError(what + ": " + reason);
  };
  const int fd = open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0)
    return Status::IOError("cannot create " + tmp + ": " + std::generic_category().message(errno));
  size_t done = 0;
  while (done < contents.size()) {
    const ssize_t n = write(fd, contents.data() + done, contents.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      close(fd);
      return fail("cannot write " + tmp);
    }
    done += static_cast<size_t>(n);
  }
  if (fsync(fd) != 0) {
    close(fd);
    return fail("cannot sync " + tmp);
  }
  if (close(fd) != 0) return fail("cannot close " + tmp);
  if (rename(tmp.c_str(), path.c_str()) != 0) return fail("cannot rename " + tmp + " to " + path);
  return Status::OK();
}

}  // namespace metakv::bench
