// Store::GetStats: the store's figures, gathered from the counters, RocksDB
// and the flush controller.
#include <rocksdb/env.h>
#include <rocksdb/metadata.h>

#include <algorithm>
#include <cinttypes>
#include <cstdarg>
#include <cstdio>

#include "engine/store_impl.h"

namespace metakv {

namespace {

uint64_t Ticker(const std::shared_ptr<rocksdb::Statistics>& stats, rocksdb::Tickers t) {
  return stats ? stats->getTickerCount(t) : 0;
}

double Ratio(uint64_t num, uint64_t den) {
  return den == 0 ? 0.0 : static_cast<double>(num) / static_cast<double>(den);
}

// The integer figures GetIntProperty names: one table per level, each
// naming a field of the struct GetStats fills.
struct DomainProperty {
  const char* name;
  uint64_t DomainStats::*field;
};
constexpr DomainProperty kDomainProperties[] = {
    {"metakv.user-bytes-written", &DomainStats::user_bytes_written},
    {"metakv.puts", &DomainStats::puts},
    {"metakv.deletes", &DomainStats::deletes},
    {"metakv.undeletes", &DomainStats::undeletes},
    {"metakv.hard-deletes", &DomainStats::hard_deletes},
    {"metakv.ingested-records", &DomainStats::ingested_records},
    {"metakv.buffered-ingests", &DomainStats::buffered_ingests},
    {"metakv.flush-bytes-written", &DomainStats::flush_bytes_written},
    {"metakv.compaction-bytes-written", &DomainStats::compaction_bytes_written},
    {"metakv.compaction-bytes-read", &DomainStats::compaction_bytes_read},
    {"metakv.ingest-bytes-written", &DomainStats::ingest_bytes_written},
    {"metakv.flushes", &DomainStats::flushes},
    {"metakv.wal-limit-flushes", &DomainStats::wal_limit_flushes},
    {"metakv.memory-budget-flushes", &DomainStats::memory_budget_flushes},
    {"metakv.compactions", &DomainStats::compactions},
    {"metakv.trivial-moves", &DomainStats::trivial_moves},
    {"metakv.trivial-move-bytes", &DomainStats::trivial_move_bytes},
    {"metakv.l0-compactions", &DomainStats::l0_compactions},
    {"metakv.l0-l1-rewritten-bytes", &DomainStats::l0_l1_rewritten_bytes},
    {"metakv.l0-l1-for-others-bytes", &DomainStats::l0_l1_for_others_bytes},
    {"metakv.purged-records", &DomainStats::purged_records},
    {"metakv.purged-bytes", &DomainStats::purged_bytes},
    {"metakv.tree-removals", &DomainStats::tree_removals},
    {"metakv.tenant-removals", &DomainStats::tenant_removals},
    {"metakv.tree-restores", &DomainStats::tree_restores},
    {"metakv.deadline-compactions", &DomainStats::deadline_compactions},
    {"metakv.deadline-compaction-bytes-written", &DomainStats::deadline_compaction_bytes_written},
    {"metakv.purge-dropped-files", &DomainStats::purge_dropped_files},
    {"metakv.purge-dropped-bytes", &DomainStats::purge_dropped_bytes},
    {"metakv.live-sst-bytes", &DomainStats::live_sst_bytes},
    {"metakv.memtable-bytes", &DomainStats::memtable_bytes},
    {"metakv.estimated-records", &DomainStats::estimated_records},
    {"metakv.pending-compaction-bytes", &DomainStats::pending_compaction_bytes},
    {"metakv.write-buffer-bytes", &DomainStats::write_buffer_bytes},
    {"metakv.oldest-purgeable-time", &DomainStats::oldest_purgeable_time},
    {"metakv.pending-tree-removals", &DomainStats::pending_tree_removals},
    {"metakv.pending-purges", &DomainStats::pending_purges},
    {"metakv.tenant-shards", &DomainStats::tenant_shards},
};
struct StoreProperty {
  const char* name;
  uint64_t Stats::*field;
};
constexpr StoreProperty kStoreProperties[] = {
    {"metakv.user-bytes-written", &Stats::user_bytes_written},
    {"metakv.flush-bytes-written", &Stats::flush_bytes_written},
    {"metakv.compaction-bytes-written", &Stats::compaction_bytes_written},
    {"metakv.ingest-bytes-written", &Stats::ingest_bytes_written},
    {"metakv.wal-bytes-written", &Stats::wal_bytes_written},
    {"metakv.stall-micros", &Stats::stall_micros},
    {"metakv.block-cache-bytes", &Stats::block_cache_bytes},
    {"metakv.maintenance-passes", &Stats::maintenance_passes},
    {"metakv.maintenance-errors", &Stats::maintenance_errors},
};

}  // namespace

std::vector<std::string> Store::IntPropertyNames(bool per_domain) {
  std::vector<std::string> names;
  if (per_domain) {
    for (const auto& p : kDomainProperties) names.emplace_back(p.name);
  } else {
    for (const auto& p : kStoreProperties) names.emplace_back(p.name);
  }
  return names;
}

Status StoreImpl::GetIntProperty(std::string_view domain, std::string_view name, uint64_t* value) {
  if (value == nullptr) return Status::InvalidArgument("GetIntProperty: value is null");
  Stats stats;
  Status s = GetStats(&stats);
  if (!s.ok()) return s;
  if (domain.empty()) {
    for (const auto& p : kStoreProperties) {
      if (name == p.name) {
        *value = stats.*p.field;
        return Status::OK();
      }
    }
    return Status::InvalidArgument("unknown store property '" + std::string(name) + "'");
  }
  for (const DomainStats& ds : stats.domains) {
    if (ds.name != domain) continue;
    for (const auto& p : kDomainProperties) {
      if (name == p.name) {
        *value = ds.*p.field;
        return Status::OK();
      }
    }
    return Status::InvalidArgument("unknown domain property '" + std::string(name) + "'");
  }
  return Status::InvalidArgument("unknown domain '" + std::string(domain) + "'");
}

Status StoreImpl::GetStats(Stats* stats) {
  Status s = CheckOpen();
  if (s.ok() && stats == nullptr) s = Status::InvalidArgument("GetStats: stats is null");
  if (!s.ok()) return s;
  Stats out;
  for (auto& d : domains_) {  // one entry per shard, merged below
    DomainStats ds;
    CountersInto(d, &ds);
    s = PurgeStatsOf(&d, &ds);
    if (!s.ok()) return s;
    ShapeInto(d, &ds);
    out.user_bytes_written += ds.user_bytes_written;
    out.flush_bytes_written += ds.flush_bytes_written;
    out.compaction_bytes_written += ds.compaction_bytes_written;
    out.ingest_bytes_written += ds.ingest_bytes_written;
    out.domains.push_back(std::move(ds));
  }
  out.write_amplification =
      Ratio(out.flush_bytes_written + out.compaction_bytes_written + out.ingest_bytes_written,
            out.user_bytes_written);
  FlushDecisionsInto(&out);
  MergeShards(&out.domains);
  out.wal_bytes_written = Ticker(statistics_, rocksdb::WAL_FILE_BYTES);
  out.stall_micros = Ticker(statistics_, rocksdb::STALL_MICROS);
  out.block_cache_bytes = cache_ ? cache_->GetUsage() : 0;
  out.maintenance_passes = maintenance_passes_.load(std::memory_order_relaxed);
  out.maintenance_errors = maintenance_errors_.load(std::memory_order_relaxed);
  if (latency_) {
    for (size_t i = 0; i < latency_->size(); ++i) {
      LatencyStats l;
      l.operation = LatencyOpName(static_cast<LatencyOp>(i));
      (*latency_)[i].Into(&l);
      out.latencies.push_back(std::move(l));
    }
  }
  out.time_seconds = Now();
  out.purge_deadline_seconds = options_.purge_deadline_seconds;
  *stats = std::move(out);
  return Status::OK();
}

void StoreImpl::MergeShards(std::vector<DomainStats>* per_shard) const {
  std::vector<DomainStats> merged;
  for (size_t i = 0; i < domains_.size(); ++i) {
    const Domain& d = domains_[i];
    DomainStats& shard = (*per_shard)[i];
    const uint64_t l0 = shard.levels.empty() ? 0 : shard.levels.front().files;
    if (!shard.flush_controller_reason.empty() && d.shards > 1) {
      shard.flush_controller_reason =
          "shard " + std::to_string(d.shard) + ": " + shard.flush_controller_reason;
    }
    if (d.shard == 0) {
      shard.name = d.domain_name;
      shard.tenant_shards = d.shards;
      shard.shard_level0_files = {l0};
      merged.push_back(std::move(shard));
      continue;
    }
    DomainStats& into = merged.back();
    into.shard_level0_files.push_back(l0);
    for (const auto& p : kDomainProperties) {
      if (p.field == &DomainStats::tenant_shards) continue;
      if (p.field == &DomainStats::oldest_purgeable_time) {
        const uint64_t a = into.*p.field, b = shard.*p.field;
        into.*p.field = a == 0 ? b : b == 0 ? a : std::min(a, b);
        continue;
      }
      into.*p.field += shard.*p.field;
    }
    into.level0_compaction_trigger =
        std::max(into.level0_compaction_trigger, shard.level0_compaction_trigger);
    into.write_buffer_grows += shard.write_buffer_grows;
    into.write_buffer_shrinks += shard.write_buffer_shrinks;
    into.level0_trigger_raises += shard.level0_trigger_raises;
    into.level0_trigger_lowers += shard.level0_trigger_lowers;
    if (!shard.flush_controller_reason.empty()) {
      if (!into.flush_controller_reason.empty()) into.flush_controller_reason += "; ";
      into.flush_controller_reason += shard.flush_controller_reason;
    }
    for (const LevelStats& level : shard.levels) {
      auto it = std::find_if(into.levels.begin(), into.levels.end(),
                             [&level](const LevelStats& l) { return l.level == level.level; });
      if (it == into.levels.end()) {
        into.levels.push_back(level);
      } else {
        it->files += level.files;
        it->bytes += level.bytes;
      }
    }
    // Tenants live in one shard each; "" (the untracked rest) in any.
    for (const TenantStats& t : shard.top_tenants) {
      auto it = std::find_if(into.top_tenants.begin(), into.top_tenants.end(),
                             [&t](const TenantStats& u) { return u.tenant == t.tenant; });
      if (it == into.top_tenants.end()) {
        into.top_tenants.push_back(t);
      } else {
        it->user_bytes_written += t.user_bytes_written;
        it->flush_bytes_written += t.flush_bytes_written;
        it->compaction_bytes_written += t.compaction_bytes_written;
        it->ingest_bytes_written += t.ingest_bytes_written;
      }
    }
    if (d.shard + 1 == d.shards) {  // the last shard: finish the domain
      auto engine = [](const TenantStats& t) {
        return t.flush_bytes_written + t.compaction_bytes_written + t.ingest_bytes_written;
      };
      std::stable_sort(into.top_tenants.begin(), into.top_tenants.end(),
                       [&engine](const TenantStats& a, const TenantStats& b) {
                         if (engine(a) != engine(b)) return engine(a) > engine(b);
                         return a.user_bytes_written > b.user_bytes_written;
                       });
      if (into.top_tenants.size() > options_.stats_top_tenants) {
        into.top_tenants.resize(options_.stats_top_tenants);
      }
      into.write_amplification = Ratio(
          into.flush_bytes_written + into.compaction_bytes_written + into.ingest_bytes_written,
          into.user_bytes_written);
    }
  }
  *per_shard = std::move(merged);
}

void StoreImpl::CountersInto(const Domain& d, DomainStats* ds) const {
  const DomainCounters& c = *d.counters;
  ds->name = d.options.name;
  ds->temperature = d.options.temperature;
  ds->user_bytes_written = c.user_bytes.load();
  ds->puts = c.puts.load();
  ds->deletes = c.deletes.load();
  ds->undeletes = c.undeletes.load();
  ds->hard_deletes = c.hard_deletes.load();
  ds->ingested_records = c.ingested_records.load();
  ds->buffered_ingests = c.buffered_ingests.load();
  ds->flush_bytes_written = c.flush_bytes.load();
  ds->compaction_bytes_written = c.compaction_bytes_written.load();
  ds->compaction_bytes_read = c.compaction_bytes_read.load();
  ds->ingest_bytes_written = c.ingest_bytes.load();
  ds->flushes = c.flushes.load();
  ds->wal_limit_flushes = c.wal_limit_flushes.load();
  ds->memory_budget_flushes = c.memory_budget_flushes.load();
  ds->compactions = c.compactions.load();
  ds->trivial_moves = c.trivial_moves.load();
  ds->trivial_move_bytes = c.trivial_move_bytes.load();
  ds->l0_compactions = c.l0_compactions.load();
  ds->l0_l1_rewritten_bytes = c.l0_l1_rewritten_bytes.load();
  ds->l0_l1_for_others_bytes = c.l0_l1_for_others_bytes.load();
  ds->purged_records = c.purged_records.load();
  ds->purged_bytes = c.purged_bytes.load();
  ds->tree_removals = c.tree_removals.load();
  ds->tenant_removals = c.tenant_removals.load();
  ds->tree_restores = c.tree_restores.load();
  ds->deadline_compactions = c.deadline_compactions.load();
  ds->deadline_compaction_bytes_written = c.deadline_compaction_bytes.load();
  ds->purge_dropped_files = c.purge_dropped_files.load();
  ds->purge_dropped_bytes = c.purge_dropped_bytes.load();
  ds->write_amplification =
      Ratio(ds->flush_bytes_written + ds->compaction_bytes_written + ds->ingest_bytes_written,
            ds->user_bytes_written);
  for (auto& [tenant, bytes] : c.tenants.Top(options_.stats_top_tenants)) {
    ds->top_tenants.push_back(
        TenantStats{tenant, bytes.user, bytes.flush, bytes.compaction, bytes.ingest});
  }
}

void StoreImpl::ShapeInto(const Domain& d, DomainStats* ds) const {
  rocksdb::ColumnFamilyMetaData meta;
  db_->GetColumnFamilyMetaData(d.cf, &meta);
  ds->live_sst_bytes = meta.size;
  for (const auto& level : meta.levels) {
    ds->levels.push_back(LevelStats{level.level, level.files.size(), level.size});
  }
  uint64_t v = 0;
  if (db_->GetIntProperty(d.cf, rocksdb::DB::Properties::kCurSizeAllMemTables, &v)) {
    ds->memtable_bytes = v;
  }
  if (db_->GetIntProperty(d.cf, rocksdb::DB::Properties::kEstimateNumKeys, &v)) {
    ds->estimated_records = v;
  }
  if (db_->GetIntProperty(d.cf, rocksdb::DB::Properties::kEstimatePendingCompactionBytes, &v)) {
    ds->pending_compaction_bytes = v;
  }
  const rocksdb::Options current = db_->GetOptions(d.cf);
  ds->write_buffer_bytes = current.write_buffer_size;
  ds->level0_compaction_trigger = current.level0_file_num_compaction_trigger;
}

void StoreImpl::FlushDecisionsInto(Stats* out) const {
  if (!flush_controller_) return;
  for (const FlushDecisionRecord& r : flush_controller_->LastDecisions()) {
    for (auto& ds : out->domains) {
      if (ds.name == r.inputs.domain) ds.flush_controller_reason = r.reason;
    }
  }
  for (auto& ds : out->domains) {
    const FlushChangeCounts c = flush_controller_->ChangesOf(ds.name);
    ds.write_buffer_grows = c.write_buffer_grows;
    ds.write_buffer_shrinks = c.write_buffer_shrinks;
    ds.level0_trigger_raises = c.l0_trigger_raises;
    ds.level0_trigger_lowers = c.l0_trigger_lowers;
  }
  for (const FlushDecisionRecord& r : flush_controller_->History()) {
    FlushDecisionStats f;
    f.time_micros = r.time_micros;
    f.domain = r.inputs.domain;
    f.old_write_buffer_bytes = r.old_write_buffer_size;
    f.new_write_buffer_bytes = r.new_write_buffer_size;
    f.old_level0_trigger = r.old_l0_trigger;
    f.new_level0_trigger = r.new_l0_trigger;
    f.applied = r.applied;
    f.reason = r.reason;
    f.inputs = DescribeObservation(r.inputs);
    out->flush_decisions.push_back(std::move(f));
  }
}

}  // namespace metakv

namespace metakv {

// ----------------------------------------------------------- Stats dump ----

namespace {

// printf into a std::string.
__attribute__((format(printf, 2, 3))) void AppendF(std::string* out, const char* format, ...) {
  char buf[1024];
  va_list args;
  va_start(args, format);
  const int n = vsnprintf(buf, sizeof(buf), format, args);
  va_end(args);
  if (n > 0) out->append(buf, std::min(static_cast<size_t>(n), sizeof(buf) - 1));
}

}  // namespace

std::string StatsToText(const Stats& stats) {
  const double mib = 1024.0 * 1024.0;
  std::string out;
  AppendF(&out,
          "time %" PRIu64
          ": user %.1f MiB, flush %.1f MiB, compaction %.1f "
          "MiB, ingest %.1f MiB, WA %.2f, WAL %.1f MiB, stall %.1f s, maintenance passes %" PRIu64
          " (errors %" PRIu64 ")\n",
          stats.time_seconds, stats.user_bytes_written / mib, stats.flush_bytes_written / mib,
          stats.compaction_bytes_written / mib, stats.ingest_bytes_written / mib,
          stats.write_amplification, stats.wal_bytes_written / mib, stats.stall_micros / 1e6,
          stats.maintenance_passes, stats.maintenance_errors);
  for (const DomainStats& d : stats.domains) {
    std::string levels;
    for (const LevelStats& l : d.levels) levels += " " + std::to_string(l.files);
    const uint64_t age =
        d.oldest_purgeable_time == 0 || d.oldest_purgeable_time > stats.time_seconds
            ? 0
            : stats.time_seconds - d.oldest_purgeable_time;
    // The name apart: it may be longer than the buffer leaves room for.
    out += "domain " + d.name;
    AppendF(&out,
            ": user %.1f MiB, flush %.1f MiB, compaction %.1f MiB, "
            "ingest %.1f MiB, WA %.2f, puts %" PRIu64 ", deletes %" PRIu64
            ", memtable %.1f of %.1f MiB, L0 trigger %d, files per level%s, purged %" PRIu64
            " records, oldest purgeable %" PRIu64 " s (deadline %" PRIu64
            " s), pending removals %" PRIu64 "\n",
            d.user_bytes_written / mib, d.flush_bytes_written / mib,
            d.compaction_bytes_written / mib, d.ingest_bytes_written / mib, d.write_amplification,
            d.puts, d.deletes, d.memtable_bytes / mib, d.write_buffer_bytes / mib,
            d.level0_compaction_trigger, levels.c_str(), d.purged_records, age,
            stats.purge_deadline_seconds, d.pending_purges);
    if (!d.flush_controller_reason.empty()) {
      out += "domain " + d.name + ": flush controller: " + d.flush_controller_reason + "\n";
    }
  }
  return out;
}

void StoreImpl::DumpStats() {
  if (!db_) return;
  std::shared_ptr<rocksdb::Logger> log = db_->GetDBOptions().info_log;
  if (!log) return;
  Stats stats;
  if (!GetStats(&stats).ok()) return;
  // Written whatever the configured level filters, as the flush
  // controller's decisions are.
  const auto level = std::max(rocksdb::InfoLogLevel::INFO_LEVEL,
                              static_cast<rocksdb::InfoLogLevel>(options_.info_log_level));
  const std::string text = StatsToText(stats);
  size_t begin = 0;
  while (begin < text.size()) {
    const size_t end = text.find('\n', begin);
    rocksdb::Log(level, log.get(), "[metakv stats] %.*s", static_cast<int>(end - begin),
                 text.data() + begin);
    begin = end + 1;
  }
  log->Flush();
}

}  // namespace metakv
