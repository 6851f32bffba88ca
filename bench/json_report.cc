#include "bench/json_report.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <string_view>
#include <system_error>

#include "common/json_writer.h"

namespace metakv::bench {

namespace {

using common::JsonWriter;

// One writer style for the whole report: a space after each comma and
// colon.
constexpr JsonWriter::Spacing kSpacing = JsonWriter::Spacing::kSpaced;

// "name": v. Overloaded on exactly uint64_t and double, so a field of any
// other type does not compile rather than printing in a surprising form.
void Num(JsonWriter* w, std::string_view name, uint64_t v) {
  w->Key(name);
  w->Uint(v);
}
// A finite double with enough digits to read back; null otherwise.
void Num(JsonWriter* w, std::string_view name, double v) {
  w->Key(name);
  w->DoubleOrNull(v);
}

void Figures(JsonWriter* w, std::string_view name, const Histogram& h) {
  w->Key(name);
  w->BeginObject();
  Num(w, "count", h.count());
  Num(w, "p50", h.Percentile(50) / 1000.0);
  Num(w, "p99", h.Percentile(99) / 1000.0);
  Num(w, "p999", h.Percentile(99.9) / 1000.0);
  Num(w, "mean", h.Mean() / 1000.0);
  Num(w, "max", static_cast<double>(h.max()) / 1000.0);
  w->EndObject();
}

// {op: figures}: one entry per operation type (metamix), or the workload's
// one operation.
void Latency(JsonWriter* w, const WorkloadResult& r) {
  w->Key("latency_us");
  w->BeginObject();
  if (!r.op_latency_ns.empty()) {
    for (const auto& [op, h] : r.op_latency_ns) {
      if (h.count() > 0) Figures(w, op, h);
    }
  } else if (r.latency_ns.count() > 0) {
    Figures(w, r.op.empty() ? "op" : r.op, r.latency_ns);
  }
  w->EndObject();
}

void Series(JsonWriter* w, const WorkloadResult& r) {
  w->Key("series");
  w->BeginArray();
  for (const WorkloadResult::Sample& s : r.series) {
    w->BeginObject();
    Num(w, "seconds", s.seconds);
    Num(w, "ops", s.ops);
    Num(w, "user_bytes", s.user_bytes);
    Num(w, "device_bytes", s.device_bytes);
    w->EndObject();
  }
  w->EndArray();
}

// The bulk-delete figures of an rmtree or rmtenant run.
void Removal(JsonWriter* w, const WorkloadResult& r) {
  const WorkloadResult::Removal& rm = r.removal;
  w->Key("removal");
  w->BeginObject();
  w->Field("mode", rm.mode);
  w->Field("method", rm.method);
  Num(w, "records", rm.records);
  Num(w, "logical_bytes", rm.logical_bytes);
  Num(w, "stored_bytes_before", rm.stored_bytes_before);
  Num(w, "stored_bytes_after", rm.stored_bytes_after);
  Num(w, "device_bytes", rm.device_bytes);
  Num(w, "write_ratio", r.RemovalWriteRatio());
  Num(w, "remove_seconds", rm.remove_seconds);
  Num(w, "gone_seconds", rm.gone_seconds);  // null: not gone within the wait
  Num(w, "wait_seconds", rm.wait_seconds);
  Num(w, "purge_deadline_seconds", rm.purge_deadline_seconds);
  w->Field("restore_checked", rm.restore_checked);
  w->Key("phases");
  w->BeginObject();
  for (const std::string& phase : WorkloadResult::RemovalPhases()) {
    w->Key(phase);
    w->BeginObject();
    for (const char* op : {"readdir", "seek"}) {
      const Histogram* h = r.PhaseLatency(op, phase);
      if (h == nullptr) continue;
      Figures(w, op, *h);
      const Histogram* before = r.PhaseLatency(op, "before");
      if (phase != "before" && before != nullptr && before->Percentile(99) > 0) {
        Num(w, std::string(op) + "_p99_over_before", h->Percentile(99) / before->Percentile(99));
      }
    }
    w->EndObject();
  }
  w->EndObject();
  w->EndObject();
}

void Strings(JsonWriter* w, std::string_view name, const std::vector<std::string>& list) {
  w->Key(name);
  w->BeginArray();
  for (const std::string& s : list) w->String(s);
  w->EndArray();
}

void Config(JsonWriter* w, const BenchConfig& c) {
  w->Key("config");
  w->BeginObject();
  Strings(w, "benchmarks", c.benchmarks);
  Strings(w, "engines", c.engines);
  w->Field("preset", c.preset);
  Num(w, "num", c.num);
  Num(w, "reads", c.reads);
  Num(w, "key_size", c.key_size);
  Num(w, "value_size", c.value_size);
  Num(w, "seed", c.seed);
  Num(w, "tenants", c.tenants);
  Num(w, "seek_nexts", c.seek_nexts);
  Num(w, "threads", c.threads);
  Num(w, "duration", c.duration_seconds);
  w->Field("compression", CompressionChoiceName(c.compression));
  Num(w, "memory_budget", c.memory_budget);
  Num(w, "write_buffer_size", c.write_buffer_size);
  Num(w, "target_file_size", c.target_file_size);
  Num(w, "max_bytes_for_level_base", c.max_bytes_for_level_base);
  Num(w, "history_group", c.history_group);
  Num(w, "purge", c.purge);
  Num(w, "partition", c.partition);
  Num(w, "adaptive_flush", c.adaptive_flush);
  Num(w, "flush_controller_interval", c.flush_controller_interval);
  Num(w, "use_existing_db", c.use_existing_db);
  Num(w, "mix_ops", c.mix_ops);
  w->Field("mix", FormatMix(c.mix));
  Num(w, "zipf_theta", c.zipf_theta);
  Num(w, "files_per_dir", c.files_per_dir);
  Num(w, "inode_extra_bytes", c.inode_extra_bytes);
  Num(w, "snapshot_group", c.snapshot_group);
  w->Field("history_key", HistoryKeyName(c.history_key));
  Num(w, "readdir_limit", c.readdir_limit);
  Num(w, "retention_seconds", c.retention_seconds);
  Num(w, "history_ttl_seconds", c.history_ttl_seconds);
  Num(w, "ops_per_sim_second", c.ops_per_sim_second);
  Num(w, "trees_per_tenant", c.trees_per_tenant);
  Num(w, "remove_share", c.remove_share);
  w->Field("remove_mode", RemoveModeName(c.remove_mode));
  Num(w, "remove_tenants", c.remove_tenants);
  Num(w, "probe_ops", c.probe_ops);
  Num(w, "gone_timeout", c.gone_timeout_seconds);
  Num(w, "purge_deadline_seconds", c.purge_deadline_seconds);
  Num(w, "enforce_purge", c.enforce_purge);
  w->Field("stock_delete", StockDeleteName(c.stock_delete));
  w->EndObject();
}

// One run's object.
std::string Run(const std::string& engine, const WorkloadResult& r) {
  JsonWriter w(kSpacing);
  w.BeginObject();
  w.Field("engine", engine);
  w.Field("workload", r.workload);
  w.Field("op", r.op);
  Num(&w, "ops", r.ops);
  Num(&w, "found", r.found);
  Num(&w, "entries", r.entries);
  Num(&w, "seconds", r.seconds);
  Num(&w, "settle_seconds", r.settle_seconds);
  Num(&w, "ops_per_sec", r.OpsPerSecond());
  Num(&w, "write_amp", r.WriteAmplification());
  Num(&w, "user_bytes", r.user_bytes);
  Num(&w, "device_bytes", r.device_bytes);
  Num(&w, "flush_bytes", r.flush_bytes);
  Num(&w, "compaction_bytes", r.compaction_bytes);
  Num(&w, "ingest_bytes", r.ingest_bytes);
  Num(&w, "wal_bytes", r.wal_bytes);
  Num(&w, "l0_l1_rewritten_bytes", r.l0_l1_rewritten_bytes);
  Num(&w, "l0_l1_for_others_bytes", r.l0_l1_for_others_bytes);
  Num(&w, "space_amp", r.SpaceAmplification());
  Num(&w, "live_bytes", r.live_bytes);
  Num(&w, "live_sst_bytes", r.live_sst_bytes);
  Num(&w, "stall_micros", r.stall_micros);
  Num(&w, "peak_rss_bytes", r.peak_rss_bytes);
  Latency(&w, r);
  if (!r.max_purgeable_age_seconds.empty()) {
    // The largest age past its purge time a purgeable record reached,
    // per domain (sampled once a second and once settled).
    w.Key("max_purgeable_age_seconds");
    w.BeginObject();
    for (const auto& [domain, age] : r.max_purgeable_age_seconds) Num(&w, domain, age);
    w.EndObject();
  }
  Series(&w, r);
  if (r.has_removal) Removal(&w, r);
  w.EndObject();
  return w.output();
}

}  // namespace

std::string FormatJson(const BenchConfig& config, const std::vector<EngineRun>& runs,
                       const std::string& error) {
  JsonWriter doc(kSpacing);
  doc.BeginObject();
  Config(&doc, config);
  doc.Field("ok", error.empty());
  doc.Field("error", error);
  // One run a line, so a report diffs run by run.
  std::string list = "[";
  bool first = true;
  for (const EngineRun& run : runs) {
    for (const WorkloadResult& r : run.results) {
      list += first ? "\n  " : ",\n  ";
      first = false;
      list += Run(run.engine, r);
    }
  }
  list += first ? "]" : "\n]";
  doc.Key("runs");
  doc.RawValue(list);
  doc.EndObject();
  return doc.output() + "\n";
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
