// StatsToJson: metakv::Stats as one JSON object, named as the C++ members.
#include <cmath>
#include <cstdio>

#include "common/json_writer.h"
#include "engine/catalogue.h"
#include "metakv/stats.h"

namespace metakv {
namespace {

using common::JsonWriter;

// A double written so that it reads back exactly (JsonWriter::Double keeps
// six digits, enough for people, not for a program comparing figures).
void ExactDouble(JsonWriter* w, const char* name, double v) {
  char buf[40];
  const int n = std::snprintf(buf, sizeof(buf), "%.17g", std::isfinite(v) ? v : 0.0);
  w->Key(name);
  w->RawValue(std::string_view(buf, n > 0 ? static_cast<size_t>(n) : 0));
}

void WriteTenant(const TenantStats& t, JsonWriter* w) {
  w->BeginObject();
  w->Field("tenant", t.tenant);
  w->Field("user_bytes_written", t.user_bytes_written);
  w->Field("flush_bytes_written", t.flush_bytes_written);
  w->Field("compaction_bytes_written", t.compaction_bytes_written);
  w->Field("ingest_bytes_written", t.ingest_bytes_written);
  w->EndObject();
}

void WriteDomainCounters(const DomainStats& d, JsonWriter* w) {
  w->Field("user_bytes_written", d.user_bytes_written);
  w->Field("puts", d.puts);
  w->Field("deletes", d.deletes);
  w->Field("undeletes", d.undeletes);
  w->Field("hard_deletes", d.hard_deletes);
  w->Field("ingested_records", d.ingested_records);
  w->Field("buffered_ingests", d.buffered_ingests);
  w->Field("flush_bytes_written", d.flush_bytes_written);
  w->Field("compaction_bytes_written", d.compaction_bytes_written);
  w->Field("compaction_bytes_read", d.compaction_bytes_read);
  w->Field("ingest_bytes_written", d.ingest_bytes_written);
  w->Field("flushes", d.flushes);
  w->Field("wal_limit_flushes", d.wal_limit_flushes);
  w->Field("memory_budget_flushes", d.memory_budget_flushes);
  w->Field("compactions", d.compactions);
  w->Field("trivial_moves", d.trivial_moves);
  w->Field("trivial_move_bytes", d.trivial_move_bytes);
  w->Field("l0_compactions", d.l0_compactions);
  w->Field("l0_l1_rewritten_bytes", d.l0_l1_rewritten_bytes);
  w->Field("l0_l1_for_others_bytes", d.l0_l1_for_others_bytes);
  w->Field("purged_records", d.purged_records);
  w->Field("purged_bytes", d.purged_bytes);
  w->Field("tree_removals", d.tree_removals);
  w->Field("tenant_removals", d.tenant_removals);
  w->Field("tree_restores", d.tree_restores);
  w->Field("deadline_compactions", d.deadline_compactions);
  w->Field("deadline_compaction_bytes_written", d.deadline_compaction_bytes_written);
  w->Field("purge_dropped_files", d.purge_dropped_files);
  w->Field("purge_dropped_bytes", d.purge_dropped_bytes);
  ExactDouble(w, "write_amplification", d.write_amplification);
}

void WriteDomainState(const DomainStats& d, JsonWriter* w) {
  w->Field("live_sst_bytes", d.live_sst_bytes);
  w->Field("memtable_bytes", d.memtable_bytes);
  w->Field("estimated_records", d.estimated_records);
  w->Field("pending_compaction_bytes", d.pending_compaction_bytes);
  w->Field("write_buffer_bytes", d.write_buffer_bytes);
  w->Field("level0_compaction_trigger", d.level0_compaction_trigger);
  w->Key("levels");
  w->BeginArray();
  for (const LevelStats& l : d.levels) {
    w->BeginObject();
    w->Field("level", l.level);
    w->Field("files", l.files);
    w->Field("bytes", l.bytes);
    w->EndObject();
  }
  w->EndArray();
  w->Field("oldest_purgeable_time", d.oldest_purgeable_time);
  w->Field("pending_tree_removals", d.pending_tree_removals);
  w->Field("pending_purges", d.pending_purges);
  w->Field("flush_controller_reason", d.flush_controller_reason);
  w->Field("write_buffer_grows", d.write_buffer_grows);
  w->Field("write_buffer_shrinks", d.write_buffer_shrinks);
  w->Field("level0_trigger_raises", d.level0_trigger_raises);
  w->Field("level0_trigger_lowers", d.level0_trigger_lowers);
  w->Field("tenant_shards", d.tenant_shards);
  w->Key("shard_level0_files");
  w->BeginArray();
  for (uint64_t files : d.shard_level0_files) w->Uint(files);
  w->EndArray();
}

void WriteDomain(const DomainStats& d, JsonWriter* w) {
  w->BeginObject();
  w->Field("name", d.name);
  w->Field("temperature", TemperatureName(d.temperature));
  WriteDomainCounters(d, w);
  w->Key("top_tenants");
  w->BeginArray();
  for (const TenantStats& t : d.top_tenants) WriteTenant(t, w);
  w->EndArray();
  WriteDomainState(d, w);
  w->EndObject();
}

void WriteDecision(const FlushDecisionStats& f, JsonWriter* w) {
  w->BeginObject();
  w->Field("time_micros", f.time_micros);
  w->Field("domain", f.domain);
  w->Field("old_write_buffer_bytes", f.old_write_buffer_bytes);
  w->Field("new_write_buffer_bytes", f.new_write_buffer_bytes);
  w->Field("old_level0_trigger", f.old_level0_trigger);
  w->Field("new_level0_trigger", f.new_level0_trigger);
  w->Field("applied", f.applied);
  w->Field("reason", f.reason);
  w->Field("inputs", f.inputs);
  w->EndObject();
}

void WriteLatency(const LatencyStats& l, JsonWriter* w) {
  w->BeginObject();
  w->Field("operation", l.operation);
  w->Key("bucket_bounds_micros");
  w->BeginArray();
  for (uint64_t b : l.bucket_bounds_micros) w->Uint(b);
  w->EndArray();
  w->Key("bucket_counts");
  w->BeginArray();
  for (uint64_t c : l.bucket_counts) w->Uint(c);
  w->EndArray();
  w->Field("count", l.count);
  w->Field("sum_nanos", l.sum_nanos);
  w->EndObject();
}

}  // namespace

std::string StatsToJson(const Stats& stats) {
  JsonWriter w;
  w.BeginObject();
  w.Key("domains");
  w.BeginArray();
  for (const DomainStats& d : stats.domains) WriteDomain(d, &w);
  w.EndArray();
  w.Field("user_bytes_written", stats.user_bytes_written);
  w.Field("flush_bytes_written", stats.flush_bytes_written);
  w.Field("compaction_bytes_written", stats.compaction_bytes_written);
  w.Field("ingest_bytes_written", stats.ingest_bytes_written);
  ExactDouble(&w, "write_amplification", stats.write_amplification);
  w.Field("wal_bytes_written", stats.wal_bytes_written);
  w.Field("stall_micros", stats.stall_micros);
  w.Field("block_cache_bytes", stats.block_cache_bytes);
  w.Field("maintenance_passes", stats.maintenance_passes);
  w.Field("maintenance_errors", stats.maintenance_errors);
  w.Key("flush_decisions");
  w.BeginArray();
  for (const FlushDecisionStats& f : stats.flush_decisions) WriteDecision(f, &w);
  w.EndArray();
  w.Key("latencies");
  w.BeginArray();
  for (const LatencyStats& l : stats.latencies) WriteLatency(l, &w);
  w.EndArray();
  w.Field("time_seconds", stats.time_seconds);
  w.Field("purge_deadline_seconds", stats.purge_deadline_seconds);
  w.EndObject();
  std::string out;
  w.TakeOutput(&out);
  return out;
}

}  // namespace metakv
