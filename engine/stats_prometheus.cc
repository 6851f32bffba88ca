// StatsToPrometheus: metakv::Stats in the Prometheus text exposition
// format, version 0.0.4. Each family is written whole (HELP, TYPE, then its
// samples), metric names carry the metakv_ prefix and the _bytes, _seconds
// and _total suffixes, and label values are escaped valid UTF-8.
#include <cstdio>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "common/utf8.h"
#include "metakv/stats.h"

namespace metakv {
namespace {

// A label value: valid UTF-8 (an invalid byte becomes U+FFFD), with
// backslash, double quote and newline escaped.
std::string LabelValue(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size();) {
    const size_t n = common::internal::Utf8SequenceLength(s, i);
    if (n == 0) {
      out += "\xEF\xBF\xBD";
      ++i;
      continue;
    }
    for (size_t j = i; j < i + n; ++j) {
      const char c = s[j];
      if (c == '\\') {
        out += "\\\\";
      } else if (c == '"') {
        out += "\\\"";
      } else if (c == '\n') {
        out += "\\n";
      } else {
        out += c;
      }
    }
    i += n;
  }
  return out;
}

std::string Number(double v) {
  char buf[40];
  const int n = std::snprintf(buf, sizeof(buf), "%.17g", v);
  return std::string(buf, n > 0 ? static_cast<size_t>(n) : 0);
}

std::string Number(uint64_t v) { return std::to_string(v); }
std::string Number(int v) { return std::to_string(v); }

using Labels = std::vector<std::pair<std::string, std::string>>;

class Writer {
 public:
  // Starts a family.
  void Family(const char* name, const char* type, const char* help) {
    name_ = name;
    out_ += std::string("# HELP ") + name + " " + help + "\n";
    out_ += std::string("# TYPE ") + name + " " + type + "\n";
  }
  template <typename T>
  void Sample(const Labels& labels, T value, const char* suffix = "") {
    out_ += name_ + suffix;
    if (!labels.empty()) {
      out_ += "{";
      for (size_t i = 0; i < labels.size(); ++i) {
        if (i > 0) out_ += ",";
        out_ += labels[i].first + "=\"" + LabelValue(labels[i].second) + "\"";
      }
      out_ += "}";
    }
    out_ += " " + Number(value) + "\n";
  }
  std::string Take() { return std::move(out_); }

 private:
  std::string name_;
  std::string out_;
};

// A per-domain family of one field.
template <typename T>
void PerDomain(Writer* w, const Stats& s, const char* name, const char* type, const char* help,
               T DomainStats::*field) {
  w->Family(name, type, help);
  for (const DomainStats& d : s.domains) w->Sample({{"domain", d.name}}, d.*field);
}

void DomainCounters(Writer* w, const Stats& s) {
  PerDomain(w, s, "metakv_user_written_bytes_total", "counter",
            "Bytes of tenant, key and value written by callers since open.",
            &DomainStats::user_bytes_written);
  PerDomain(w, s, "metakv_flush_written_bytes_total", "counter",
            "SST bytes written by flushes since open.", &DomainStats::flush_bytes_written);
  PerDomain(w, s, "metakv_compaction_written_bytes_total", "counter",
            "SST bytes written by compactions since open.", &DomainStats::compaction_bytes_written);
  PerDomain(w, s, "metakv_compaction_read_bytes_total", "counter",
            "SST bytes read by compactions since open.", &DomainStats::compaction_bytes_read);
  PerDomain(w, s, "metakv_ingest_written_bytes_total", "counter",
            "SST bytes written by cold ingest since open.", &DomainStats::ingest_bytes_written);
  PerDomain(w, s, "metakv_puts_total", "counter", "Records put since open.", &DomainStats::puts);
  PerDomain(w, s, "metakv_deletes_total", "counter", "Logical deletes since open.",
            &DomainStats::deletes);
  PerDomain(w, s, "metakv_undeletes_total", "counter", "Undeletes since open.",
            &DomainStats::undeletes);
  PerDomain(w, s, "metakv_hard_deletes_total", "counter", "Hard deletes since open.",
            &DomainStats::hard_deletes);
  PerDomain(w, s, "metakv_ingested_records_total", "counter",
            "Records written by IngestCold since open.", &DomainStats::ingested_records);
  PerDomain(w, s, "metakv_flushes_total", "counter", "Memtable flushes since open.",
            &DomainStats::flushes);
  PerDomain(w, s, "metakv_compactions_total", "counter", "Rewriting compactions since open.",
            &DomainStats::compactions);
  PerDomain(w, s, "metakv_l0_l1_rewritten_bytes_total", "counter",
            "Level-1 bytes rewritten by compactions from level 0 since open.",
            &DomainStats::l0_l1_rewritten_bytes);
  PerDomain(w, s, "metakv_l0_l1_for_others_bytes_total", "counter",
            "Of those, bytes rewritten for other tenants' writes since open.",
            &DomainStats::l0_l1_for_others_bytes);
  PerDomain(w, s, "metakv_purged_records_total", "counter",
            "Records the compaction filter purged since open.", &DomainStats::purged_records);
  PerDomain(w, s, "metakv_purged_bytes_total", "counter",
            "Key and value bytes of the records purged since open.", &DomainStats::purged_bytes);
  PerDomain(w, s, "metakv_deadline_compactions_total", "counter",
            "Compactions run for the purge deadline and removals since open.",
            &DomainStats::deadline_compactions);
  PerDomain(w, s, "metakv_purge_dropped_files_total", "counter",
            "SST files a removal's purge deleted whole since open.",
            &DomainStats::purge_dropped_files);
}

void DomainGauges(Writer* w, const Stats& s) {
  PerDomain(w, s, "metakv_write_amplification", "gauge",
            "(flush + compaction + ingest bytes) / user bytes since open.",
            &DomainStats::write_amplification);
  PerDomain(w, s, "metakv_live_sst_bytes", "gauge", "Bytes of the live SST files.",
            &DomainStats::live_sst_bytes);
  PerDomain(w, s, "metakv_memtable_bytes", "gauge", "Bytes in memtables.",
            &DomainStats::memtable_bytes);
  PerDomain(w, s, "metakv_tenant_shards", "gauge",
            "Column families the domain's tenants are spread over.", &DomainStats::tenant_shards);
  PerDomain(w, s, "metakv_write_buffer_bytes", "gauge",
            "Memtable size now (the flush controller's choice).", &DomainStats::write_buffer_bytes);
  PerDomain(w, s, "metakv_level0_compaction_trigger", "gauge",
            "L0 file count that triggers a compaction now.",
            &DomainStats::level0_compaction_trigger);
  PerDomain(w, s, "metakv_pending_compaction_bytes", "gauge",
            "RocksDB's estimate of the bytes compaction has to rewrite.",
            &DomainStats::pending_compaction_bytes);
  PerDomain(w, s, "metakv_pending_tree_removals", "gauge",
            "Logical tree removals waiting for their retention.",
            &DomainStats::pending_tree_removals);
  PerDomain(w, s, "metakv_pending_purges", "gauge", "Removals whose bytes are not yet purged.",
            &DomainStats::pending_purges);
  w->Family("metakv_oldest_purgeable_age_seconds", "gauge",
            "How long the oldest purgeable record still in the files has been purgeable "
            "(0: none); compare with metakv_purge_deadline_seconds.");
  for (const DomainStats& d : s.domains) {
    const uint64_t age = d.oldest_purgeable_time == 0 || d.oldest_purgeable_time > s.time_seconds
                             ? 0
                             : s.time_seconds - d.oldest_purgeable_time;
    w->Sample({{"domain", d.name}}, age);
  }
}

void Levels(Writer* w, const Stats& s) {
  for (const bool bytes : {false, true}) {
    w->Family(bytes ? "metakv_level_bytes" : "metakv_level_files", "gauge",
              bytes ? "Bytes of the SST files per level." : "SST files per level.");
    for (const DomainStats& d : s.domains) {
      for (const LevelStats& l : d.levels) {
        w->Sample({{"domain", d.name}, {"level", std::to_string(l.level)}},
                  bytes ? l.bytes : l.files);
      }
    }
  }
}

void FlushControllerChanges(Writer* w, const Stats& s) {
  w->Family("metakv_flush_controller_changes_total", "counter",
            "Changes the adaptive flush controller made since open, by reason.");
  for (const DomainStats& d : s.domains) {
    w->Sample({{"domain", d.name}, {"reason", "write_buffer_grow"}}, d.write_buffer_grows);
    w->Sample({{"domain", d.name}, {"reason", "write_buffer_shrink"}}, d.write_buffer_shrinks);
    w->Sample({{"domain", d.name}, {"reason", "level0_trigger_raise"}}, d.level0_trigger_raises);
    w->Sample({{"domain", d.name}, {"reason", "level0_trigger_lower"}}, d.level0_trigger_lowers);
  }
}

void Tenants(Writer* w, const Stats& s) {
  w->Family("metakv_tenant_user_written_bytes_total", "counter",
            "User bytes written since open, for the top tenants of each domain "
            "(tenant \"\": the tenants beyond the tracked limit).");
  for (const DomainStats& d : s.domains) {
    for (const TenantStats& t : d.top_tenants) {
      w->Sample({{"domain", d.name}, {"tenant", t.tenant}}, t.user_bytes_written);
    }
  }
  w->Family("metakv_tenant_engine_written_bytes_total", "counter",
            "SST bytes (flush, compaction, ingest) written since open for the top tenants.");
  for (const DomainStats& d : s.domains) {
    for (const TenantStats& t : d.top_tenants) {
      w->Sample({{"domain", d.name}, {"tenant", t.tenant}},
                t.flush_bytes_written + t.compaction_bytes_written + t.ingest_bytes_written);
    }
  }
}

void StoreWide(Writer* w, const Stats& s) {
  w->Family("metakv_wal_written_bytes_total", "counter", "WAL bytes written since open.");
  w->Sample({}, s.wal_bytes_written);
  w->Family("metakv_write_stall_seconds_total", "counter", "Time writes stalled since open.");
  w->Sample({}, static_cast<double>(s.stall_micros) / 1e6);
  w->Family("metakv_block_cache_bytes", "gauge", "Block cache usage, memtables included.");
  w->Sample({}, s.block_cache_bytes);
  w->Family("metakv_maintenance_passes_total", "counter", "Maintenance passes since open.");
  w->Sample({}, s.maintenance_passes);
  w->Family("metakv_maintenance_errors_total", "counter",
            "Maintenance steps that failed since open.");
  w->Sample({}, s.maintenance_errors);
  w->Family("metakv_purge_deadline_seconds", "gauge", "Options::purge_deadline_seconds (0: none).");
  w->Sample({}, s.purge_deadline_seconds);
}

void Latencies(Writer* w, const Stats& s) {
  if (s.latencies.empty()) return;
  w->Family("metakv_operation_latency_seconds", "histogram",
            "Latency of the store's calls since open, by operation.");
  for (const LatencyStats& l : s.latencies) {
    uint64_t cumulative = 0;
    for (size_t i = 0; i < l.bucket_counts.size(); ++i) {
      cumulative += l.bucket_counts[i];
      const std::string le = i < l.bucket_bounds_micros.size()
                                 ? Number(static_cast<double>(l.bucket_bounds_micros[i]) / 1e6)
                                 : "+Inf";
      w->Sample({{"op", l.operation}, {"le", le}}, cumulative, "_bucket");
    }
    w->Sample({{"op", l.operation}}, static_cast<double>(l.sum_nanos) / 1e9, "_sum");
    w->Sample({{"op", l.operation}}, cumulative, "_count");
  }
}

}  // namespace

std::string StatsToPrometheus(const Stats& stats) {
  Writer w;
  DomainCounters(&w, stats);
  DomainGauges(&w, stats);
  Levels(&w, stats);
  FlushControllerChanges(&w, stats);
  Tenants(&w, stats);
  StoreWide(&w, stats);
  Latencies(&w, stats);
  return w.Take();
}

}  // namespace metakv
