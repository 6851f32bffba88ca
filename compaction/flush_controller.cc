#include "compaction/flush_controller.h"

#include <cassert>
#include <cinttypes>
#include <cstdlib>
#include <map>
#include <string>
#include <unordered_map>
#include <utility>

namespace metakv {

namespace {

uint64_t Delta(uint64_t now, uint64_t before) { return now >= before ? now - before : 0; }

uint64_t MapValue(const std::map<std::string, std::string>& m, const char* key) {
  auto it = m.find(key);
  return it == m.end() ? 0 : std::strtoull(it->second.c_str(), nullptr, 10);
}

}  // namespace

std::string FlushDecisionRecord::ToString() const {
  std::string s =
      "[" + inputs.domain + "] write_buffer_size " + FormatBytes(old_write_buffer_size) + " -> " +
      FormatBytes(new_write_buffer_size) + ", L0 trigger " + std::to_string(old_l0_trigger) +
      " -> " + std::to_string(new_l0_trigger) + ": " + reason + " | " + DescribeObservation(inputs);
  if (!error.empty()) s += " | NOT APPLIED: " + error;
  return s;
}

FlushController::FlushController(rocksdb::DB* db, std::vector<FlushDomain> domains,
                                 FlushControllerOptions options)
    : db_(db),
      domains_(std::move(domains)),
      options_(std::move(options)),
      clock_(options_.clock ? options_.clock : SystemClock()),
      last_micros_(clock_->NowMicros()),
      last_stall_micros_(0),
      states_(domains_.size()) {
  assert(db_ != nullptr);
  logger_ = db_->GetDBOptions().info_log;
  last_stall_micros_ = StallMicros();
  last_.reserve(domains_.size());
  for (size_t i = 0; i < domains_.size(); ++i) {
    assert(domains_[i].cf != nullptr);
    last_.push_back(TakeSample(i));
  }
}

FlushController::~FlushController() { Stop(); }

uint64_t FlushController::StallMicros() const {
  return options_.statistics ? options_.statistics->getTickerCount(rocksdb::STALL_MICROS) : 0;
}

FlushController::Sample FlushController::TakeSample(size_t i) const {
  Sample s;
  const FlushDomain& d = domains_[i];
  if (d.memtable_bytes) {
    s.user_bytes = d.memtable_bytes();
  } else if (d.counters != nullptr) {
    s.user_bytes = d.counters->user_bytes.load(std::memory_order_relaxed);
  }
  if (d.counters != nullptr) {
    s.flush_bytes = d.counters->flush_bytes.load(std::memory_order_relaxed);
    s.flushes = d.counters->flushes.load(std::memory_order_relaxed);
  }
  if (options_.observer && d.counters == nullptr) {
    s.flushes = options_.observer->Get(d.name).flushes;
  }
  std::map<std::string, std::string> cfstats;
  if (db_->GetMapProperty(d.cf, rocksdb::DB::Properties::kCFStats, &cfstats)) {
    s.l0_stalls = MapValue(cfstats, "io_stalls.level0_slowdown") +
                  MapValue(cfstats, "io_stalls.level0_numfiles") +
                  MapValue(cfstats, "io_stalls.slowdown_for_pending_compaction_bytes") +
                  MapValue(cfstats, "io_stalls.stop_for_pending_compaction_bytes");
    s.memtable_stalls = MapValue(cfstats, "io_stalls.memtable_slowdown") +
                        MapValue(cfstats, "io_stalls.memtable_compaction");
  }
  return s;
}

FlushObservation FlushController::Observe(size_t i, uint64_t window_micros, const Sample& now,
                                          uint64_t stall_micros_delta) const {
  const FlushDomain& d = domains_[i];
  const Sample& before = last_[i];
  FlushObservation o;
  o.domain = d.name;
  o.window_micros = window_micros;
  o.user_bytes = Delta(now.user_bytes, before.user_bytes);
  o.flush_bytes = Delta(now.flush_bytes, before.flush_bytes);
  o.flushes = Delta(now.flushes, before.flushes);
  o.l0_stalls = Delta(now.l0_stalls, before.l0_stalls);
  o.memtable_stalls = Delta(now.memtable_stalls, before.memtable_stalls);
  if (o.l0_stalls > 0 || o.memtable_stalls > 0) o.stall_micros = stall_micros_delta;
  if (options_.observer) {
    const FlushObserver::Figures f = options_.observer->Get(d.name);
    o.flush_entries_in = f.recent_entries_in;
    o.flush_entries_out = f.recent_entries_out;
  }

  std::string v;
  if (db_->GetProperty(d.cf, rocksdb::DB::Properties::kNumFilesAtLevelPrefix + "0", &v)) {
    o.l0_files = static_cast<int>(std::strtol(v.c_str(), nullptr, 10));
  }
  uint64_t n = 0;
  if (db_->GetIntProperty(d.cf, rocksdb::DB::Properties::kEstimatePendingCompactionBytes, &n)) {
    o.pending_compaction_bytes = n;
  }
  if (db_->GetIntProperty(d.cf, rocksdb::DB::Properties::kSizeAllMemTables, &n)) {
    o.memtable_bytes = n;
  }
  const rocksdb::Options current = db_->GetOptions(d.cf);
  o.write_buffer_size = current.write_buffer_size;
  o.max_write_buffer_number = current.max_write_buffer_number;
  o.l0_trigger = current.level0_file_num_compaction_trigger;
  o.l0_slowdown_trigger = current.level0_slowdown_writes_trigger;

  o.min_write_buffer_size = d.min_write_buffer_size;
  o.max_write_buffer_size = d.max_write_buffer_size;
  o.base_l0_trigger = d.base_l0_trigger;
  o.adapt_write_buffer = d.adapt_write_buffer;
  o.adapt_l0_trigger = d.adapt_l0_trigger;
  return o;
}

rocksdb::Status FlushController::RunOnce() {
  std::lock_guard<std::mutex> run_lock(run_mu_);
  const uint64_t now = clock_->NowMicros();
  if (now <= last_micros_) return rocksdb::Status::OK();
  const uint64_t window_micros = now - last_micros_;
  const uint64_t stall_total = StallMicros();
  const uint64_t stall_delta = Delta(stall_total, last_stall_micros_);

  std::vector<Sample> samples;
  std::vector<FlushObservation> observations;
  samples.reserve(domains_.size());
  observations.reserve(domains_.size());
  for (size_t i = 0; i < domains_.size(); ++i) {
    samples.push_back(TakeSample(i));
    observations.push_back(Observe(i, window_micros, samples.back(), stall_delta));
  }

  const std::vector<FlushDecision> decisions =
      DecideFlushSettings(options_.policy, options_.memtable_budget_bytes, observations, states_);

  uint64_t window;
  {
    std::lock_guard<std::mutex> lock(results_mu_);
    window = ++windows_;
  }
  rocksdb::Status first_error;
  std::vector<FlushDecisionRecord> records;
  records.reserve(decisions.size());
  bool logged = false;
  for (size_t i = 0; i < decisions.size(); ++i) {
    const FlushDecision& d = decisions[i];
    states_[i] = d.next_state;
    FlushDecisionRecord rec;
    rec.time_micros = now;
    rec.window = window;
    rec.inputs = observations[i];
    rec.old_write_buffer_size = d.old_write_buffer_size;
    rec.new_write_buffer_size = d.new_write_buffer_size;
    rec.old_l0_trigger = d.old_l0_trigger;
    rec.new_l0_trigger = d.new_l0_trigger;
    rec.reason = d.reason;
    rec.changed = d.changed();
    if (rec.changed) {
      rocksdb::Status s = Apply(i, d);
      rec.applied = s.ok();
      if (!s.ok()) {
        rec.error = s.ToString();
        if (first_error.ok()) first_error = s;
      }
      if (logger_) {
        rocksdb::Log(s.ok() ? options_.log_level : rocksdb::InfoLogLevel::WARN_LEVEL, logger_.get(),
                     "[metakv flush-controller] window %" PRIu64 " %s", window,
                     rec.ToString().c_str());
        logged = true;
      }
      Record(rec);
    }
    records.push_back(std::move(rec));
  }
  if (logged) logger_->Flush();
  {
    std::lock_guard<std::mutex> lock(results_mu_);
    last_decisions_ = std::move(records);
  }
  last_micros_ = now;
  last_stall_micros_ = stall_total;
  last_ = std::move(samples);
  return first_error;
}

rocksdb::Status FlushController::Apply(size_t i, const FlushDecision& d) {
  std::unordered_map<std::string, std::string> changes;
  if (d.write_buffer_changed()) {
    changes["write_buffer_size"] = std::to_string(d.new_write_buffer_size);
  }
  if (d.l0_trigger_changed()) {
    changes["level0_file_num_compaction_trigger"] = std::to_string(d.new_l0_trigger);
  }
  return db_->SetOptions(domains_[i].cf, changes);
}

void FlushController::Record(FlushDecisionRecord rec) {
  std::lock_guard<std::mutex> lock(results_mu_);
  FlushChangeCounts& c = changes_[rec.inputs.domain];
  if (rec.new_write_buffer_size > rec.old_write_buffer_size) ++c.write_buffer_grows;
  if (rec.new_write_buffer_size < rec.old_write_buffer_size) ++c.write_buffer_shrinks;
  if (rec.new_l0_trigger > rec.old_l0_trigger) ++c.l0_trigger_raises;
  if (rec.new_l0_trigger < rec.old_l0_trigger) ++c.l0_trigger_lowers;
  if (options_.history_capacity == 0) return;
  history_.push_back(std::move(rec));
  while (history_.size() > options_.history_capacity) history_.pop_front();
}

std::vector<FlushDecisionRecord> FlushController::History() const {
  std::lock_guard<std::mutex> lock(results_mu_);
  return std::vector<FlushDecisionRecord>(history_.begin(), history_.end());
}

FlushChangeCounts FlushController::ChangesOf(const std::string& domain) const {
  std::lock_guard<std::mutex> lock(results_mu_);
  auto it = changes_.find(domain);
  return it == changes_.end() ? FlushChangeCounts() : it->second;
}

std::vector<FlushDecisionRecord> FlushController::LastDecisions() const {
  std::lock_guard<std::mutex> lock(results_mu_);
  return last_decisions_;
}

uint64_t FlushController::windows() const {
  std::lock_guard<std::mutex> lock(results_mu_);
  return windows_;
}

void FlushController::Start() {
  std::lock_guard<std::mutex> lifecycle(lifecycle_mu_);
  if (thread_.joinable()) return;
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = false;
  }
  thread_ = std::thread([this] { Loop(); });
  running_.store(true, std::memory_order_release);
}

void FlushController::Stop() {
  std::lock_guard<std::mutex> lifecycle(lifecycle_mu_);
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
  running_.store(false, std::memory_order_release);
}

bool FlushController::running() const { return running_.load(std::memory_order_acquire); }

void FlushController::Loop() {
  std::unique_lock<std::mutex> lock(mu_);
  while (!stop_) {
    if (cv_.wait_for(lock, options_.interval, [this] { return stop_; })) break;
    lock.unlock();
    RunOnce().PermitUncheckedError();
    lock.lock();
  }
}

}  // namespace metakv
