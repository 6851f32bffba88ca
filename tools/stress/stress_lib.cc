#include "tools/stress/stress_lib.h"

#include <chrono>
#include <filesystem>
#include <memory>
#include <random>
#include <thread>
#include <vector>

#include <unistd.h>

#include <cstdio>

#include "engine/store_clock.h"
#include "tests/power_loss_fs.h"
#include "tools/stress/stress_context.h"
#include "tools/stress/stress_flags.h"
#include "tools/stress/verifier.h"
#include "tools/stress/workload.h"

namespace metakv::stress {

namespace fs = std::filesystem;

namespace {

using SteadyClock = std::chrono::steady_clock;

double SecondsSince(SteadyClock::time_point start) {
  return std::chrono::duration<double>(SteadyClock::now() - start).count();
}

// Sleeps up to ms, waking early once the run stops.
void SleepUnlessStopped(const StressContext& ctx, uint64_t ms) {
  const auto until = SteadyClock::now() + std::chrono::milliseconds(ms);
  while (!ctx.ShouldStop() && SteadyClock::now() < until) {
    std::this_thread::sleep_for(std::min<std::chrono::nanoseconds>(std::chrono::milliseconds(10),
                                                                   until - SteadyClock::now()));
  }
}

int ExitCode(const StressContext& ctx) {
  if (ctx.reporter.violations() > 0) return kExitViolation;
  if (ctx.reporter.errors() > 0) return kExitError;
  return kExitOk;
}

// An Open failure after a crash: corruption is the store's fault (a
// violation), anything else the environment's.
int ReportOpenFailure(StressContext* ctx, const Status& s, const std::string& path) {
  if (s.IsCorruption()) {
    ctx->reporter.Violation("STORE DOES NOT OPEN " + path + ": " + s.ToString());
    return kExitViolation;
  }
  ctx->reporter.Error("opening the store " + path + ": " + s.ToString());
  return kExitError;
}

std::string EngineSummary(Store* store) {
  Stats stats;
  if (!store->GetStats(&stats).ok()) return "engine: (no stats)";
  uint64_t flushes = 0, compactions = 0, moves = 0, purged = 0, ingested = 0;
  for (const DomainStats& d : stats.domains) {
    flushes += d.flushes;
    compactions += d.compactions;
    moves += d.trivial_moves;
    purged += d.purged_records;
    ingested += d.ingested_records;
  }
  uint64_t changes = 0;
  for (const FlushDecisionStats& f : stats.flush_decisions) {
    if (f.applied && (f.old_write_buffer_bytes != f.new_write_buffer_bytes ||
                      f.old_level0_trigger != f.new_level0_trigger)) {
      ++changes;
    }
  }
  return "engine: flushes=" + std::to_string(flushes) +
         " compactions=" + std::to_string(compactions) + " trivial_moves=" + std::to_string(moves) +
         " purged_records=" + std::to_string(purged) +
         " ingested_records=" + std::to_string(ingested) +
         " flush_controller_changes=" + std::to_string(changes);
}

// One tenant of one domain, every key and a scan, under its locks.
void CheckOneTenant(StressContext* ctx, std::mt19937_64* rng) {
  ScanRange range;
  range.domain = static_cast<uint32_t>((*rng)() % KeySpace::kDomains);
  range.tenant = static_cast<int>((*rng)() % ctx->space.tenants());
  range.reverse = (*rng)() % 2 == 0;
  const std::vector<uint64_t> slots = SlotsOf(ctx->space, range);
  SharedHold store(&ctx->store_gate);
  auto locks = ctx->locks.Lock(slots);
  SharedHold time(&ctx->time_gate);
  if (ctx->ShouldStop()) return;
  const uint64_t now = ctx->now();
  CheckSlots(ctx, slots, now);
  CheckScanRange(ctx, range, now);
}

// --power_cut_ms: runs the store on a PowerLossFs and cuts the power from a
// thread of its own, after which the process ends (kExitPowerCut).
void ArmPowerCut(const StressFlags& flags, Options* options) {
  auto fs = std::make_shared<test::PowerLossFs>(flags.seed ^ 0x90E4C07ull);
  fs->SetTail(flags.power_random_tail ? test::PowerLossFs::Tail::kRandomTail
                                      : test::PowerLossFs::Tail::kDropUnsynced);
  const uint64_t ms = flags.power_cut_ms;
  fs->SetOnCut([ms](const std::string& what, uint64_t calls) {
    // Under the file system's lock: no thread does file I/O from here on.
    std::string report = what.size() > 1500 ? what.substr(0, 1500) + "..." : what;
    std::fprintf(stderr, "metakv-stress: power cut at %llu ms after %llu file operations: %s\n",
                 static_cast<unsigned long long>(ms), static_cast<unsigned long long>(calls),
                 report.empty() ? "nothing unsynced" : report.c_str());
    std::fflush(stderr);
    std::fflush(stdout);
    ::_exit(kExitPowerCut);
  });
  options->rocksdb_env = test::PowerLossFs::MakeEnv(fs);
  // On odd seeds the cut waits (up to 200 ms) for a moment when the WAL
  // holds unsynced writes, which only the lane puts make: between a write
  // and its sync, where a power cut loses what is not synced.
  const bool at_unsynced = flags.seed % 2 == 1;
  std::thread([fs, ms, at_unsynced] {
    std::this_thread::sleep_for(std::chrono::milliseconds(ms));
    if (at_unsynced) {
      fs->CutWhenUnsynced(".log");
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
    }
    fs->CutPower();
  }).detach();
}

int Verify(StressContext* ctx, const StressFlags& flags, std::ostream& out) {
  const auto start = SteadyClock::now();
  const uint64_t resolved = RecoverInFlight(ctx);
  uint64_t lane_lost = 0;
  if (!ctx->reporter.failed()) CheckLanes(ctx, &lane_lost);
  uint64_t keys = 0, scans = 0;
  if (!ctx->reporter.failed()) VerifyAll(ctx, &keys, &scans);
  ctx->expected->AddVerify();
  Status s = ctx->store->Close();
  if (!s.ok()) ctx->reporter.Error("closing the store: " + s.ToString());
  const int code = ExitCode(*ctx);
  out << "metakv-stress: verify " << (code == kExitOk ? "OK" : "FAILED") << ": keys=" << keys
      << " scans=" << scans << " in_flight_resolved=" << resolved
      << " unsynced_lost=" << lane_lost
      << " violations=" << ctx->reporter.violations() << " time=" << ctx->now()
      << " ops_total=" << ctx->expected->ops() << " runs=" << ctx->expected->runs()
      << " verifies=" << ctx->expected->verifies() << " seconds=" << SecondsSince(start) << "\n";
  return code;
}

int Run(StressContext* ctx, const StressFlags& flags, const Options& options, std::ostream& out) {
  ExpectedState* ex = ctx->expected.get();
  ex->AddRun();
  out << "metakv-stress: run " << ex->runs() << " on " << flags.db << ": seed=" << flags.seed
      << " threads=" << flags.threads << " keys=" << ctx->space.keys_per_tenant() << " (x"
      << ctx->space.tenants() << " tenants x" << KeySpace::kDomains << " domains) ops=" << flags.ops
      << " duration=" << flags.duration_seconds << " clock=" << ctx->now()
      << " ops_before=" << ex->ops() << "\n";
  out.flush();
  // What a crash left in flight, then the whole store, before any operation
  // can overwrite a damaged key.
  const uint64_t resolved = RecoverInFlight(ctx);
  if (resolved > 0) out << "metakv-stress: resolved " << resolved << " in-flight updates\n";
  uint64_t lane_lost = 0;
  if (!ctx->reporter.failed()) CheckLanes(ctx, &lane_lost);
  if (lane_lost > 0) out << "metakv-stress: the crash took " << lane_lost << " unsynced lane puts\n";
  uint64_t start_keys = 0, start_scans = 0;
  if (!ctx->reporter.failed()) VerifyAll(ctx, &start_keys, &start_scans);
  if (ctx->reporter.failed()) {
    ctx->store->Close().PermitUncheckedError();
    return ExitCode(*ctx);
  }

  // A run starts a second past where the last one stopped, so no write can
  // share the second of a tree or tenant removal the last run made
  // (Worker::DoRemoveTree, DoRemoveTenant).
  ctx->clock->SetMicros(ex->AdvanceClockTo(ctx->now() + 1) * 1000000);

  const auto start = SteadyClock::now();
  OpCounters counters;
  std::atomic<uint64_t> started{0};
  std::atomic<uint32_t> running{flags.threads};
  WorkloadOptions wo;
  wo.max_ops = flags.ops;
  std::vector<std::unique_ptr<Worker>> workers;
  std::vector<std::thread> threads;
  // Every worker exists before any thread starts: a thread must never read
  // `workers` while it grows.
  for (uint32_t i = 0; i < flags.threads; ++i) {
    workers.push_back(std::make_unique<Worker>(ctx, &counters, &started, wo, i,
                                               flags.seed * 0x9E3779B97F4A7C15ull + i));
  }
  for (uint32_t i = 0; i < flags.threads; ++i) {
    threads.emplace_back([&running, worker = workers[i].get()] {
      worker->Run();
      running.fetch_sub(1);
    });
  }
  std::thread clock_thread([&] {
    std::mt19937_64 rng(flags.seed ^ 0xC10C4ull);
    while (!ctx->ShouldStop()) {
      SleepUnlessStopped(*ctx, flags.clock_tick_ms);
      ExclusiveHold time(&ctx->time_gate);
      const uint64_t next = ex->AdvanceClockTo(ctx->now() + 1 + rng() % flags.clock_step_max);
      ctx->clock->SetMicros(next * 1000000);
    }
  });
  // The held-snapshot check runs on a thread of its own (it waits for the
  // clock), with the journal after the workers'.
  Worker held(ctx, &counters, &started, wo, flags.threads,
              flags.seed * 0x9E3779B97F4A7C15ull + 0x5A5A);
  std::thread held_thread([&] { held.RunHeldSnapshots(300); });
  std::atomic<uint64_t> tenant_checks{0};
  std::thread checker_thread([&] {
    if (flags.verify_every_ms == 0) return;
    std::mt19937_64 rng(flags.seed ^ 0xC4EC4ull);
    while (!ctx->ShouldStop()) {
      SleepUnlessStopped(*ctx, flags.verify_every_ms);
      if (ctx->ShouldStop()) break;
      CheckOneTenant(ctx, &rng);
      tenant_checks.fetch_add(1);
    }
  });

  uint64_t reopens = 0, last_reopen_ops = 0;
  while (!ctx->ShouldStop() && running.load() > 0) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    if (flags.duration_seconds > 0 && SecondsSince(start) >= flags.duration_seconds) break;
    if (flags.reopen_every > 0 && counters.Total() - last_reopen_ops >= flags.reopen_every) {
      last_reopen_ops = counters.Total();
      ExclusiveHold store(&ctx->store_gate);
      ExclusiveHold time(&ctx->time_gate);
      Status s = ctx->store->Close();
      ctx->store.reset();
      if (s.ok()) s = Store::Open(options, flags.db, &ctx->store);
      if (!s.ok()) {
        ReportOpenFailure(ctx, s, flags.db);
        break;
      }
      ++reopens;
      uint64_t keys = 0, scans = 0;
      VerifyAll(ctx, &keys, &scans);
    }
  }
  ctx->stop.store(true);
  for (auto& t : threads) t.join();
  clock_thread.join();
  checker_thread.join();
  held_thread.join();
  if (!ctx->store) return ExitCode(*ctx);

  uint64_t keys = 0, scans = 0;
  if (!ctx->reporter.failed()) VerifyAll(ctx, &keys, &scans);
  const std::string engine = EngineSummary(ctx->store.get());
  Status s = ctx->store->Close();
  if (!s.ok()) ctx->reporter.Error("closing the store: " + s.ToString());
  const double seconds = SecondsSince(start);
  out << "ops: " << counters.ToString() << "\n";
  out << engine << "\n";
  out << "checks: tenant_checks=" << tenant_checks.load() << " reopens=" << reopens
      << " final_keys=" << keys << " final_scans=" << scans << "\n";
  out << "metakv-stress: " << (ExitCode(*ctx) == kExitOk ? "done" : "FAILED")
      << ": ops=" << counters.Total() << " ops_total=" << ex->ops() << " seconds=" << seconds
      << " ops_per_sec=" << (seconds > 0 ? static_cast<uint64_t>(counters.Total() / seconds) : 0)
      << " clock=" << ctx->now() << " violations=" << ctx->reporter.violations() << "\n";
  return ExitCode(*ctx);
}

}  // namespace

std::string ExpectedStatePath(const std::string& db) { return db + ".expected"; }

int RunStress(int argc, char** argv, std::ostream& out, std::ostream& err) {
  StressFlags flags;
  std::string error;
  if (!ParseStressFlags(argc, argv, &flags, &error)) {
    err << "metakv-stress: " << error << "\n";
    return kExitUsage;
  }
  if (flags.help) {
    out << StressHelpText();
    return kExitOk;
  }
  const std::string expected_path = ExpectedStatePath(flags.db);
  std::error_code ec;
  const bool expected_exists = fs::exists(expected_path, ec);
  const bool store_exists = fs::exists(fs::path(flags.db) / "CURRENT", ec);
  std::unique_ptr<ExpectedState> expected;
  if (!expected_exists) {
    if (store_exists) {
      err << "metakv-stress: " << flags.db << " holds a store but " << expected_path
          << " is missing; use a fresh --db\n";
      return kExitUsage;
    }
    if (flags.verify) {
      out << "metakv-stress: verify OK: nothing to verify (" << expected_path
          << " does not exist: no run got that far) ops_total=0\n";
      return kExitOk;
    }
    // A file a killed Create left before its rename is of no use.
    fs::remove(expected_path + ".tmp", ec);
    const fs::path parent = fs::path(flags.db).parent_path();
    if (!parent.empty()) fs::create_directories(parent, ec);
    const KeySpace space(flags.keys);
    ExpectedLayout layout;
    layout.slots = space.slots();
    layout.keys_per_tenant = flags.keys;
    layout.journals = 40;  // workers (at most 32) and the held-snapshot thread
    Status s = ExpectedState::Create(expected_path, layout, kStressEpochSeconds, &expected);
    if (!s.ok()) {
      err << "metakv-stress: ERROR: creating the expected state: " << s.ToString() << "\n";
      return kExitError;
    }
  } else {
    Status s = ExpectedState::Open(expected_path, &expected);
    if (!s.ok()) {
      err << "metakv-stress: ERROR: opening the expected state: " << s.ToString() << "\n";
      return kExitError;
    }
  }
  const ExpectedLayout layout = expected->layout();
  if (flags.keys_given && flags.keys != layout.keys_per_tenant) {
    err << "metakv-stress: --keys=" << flags.keys << " but " << expected_path << " was made with "
        << layout.keys_per_tenant << " keys per tenant\n";
    return kExitUsage;
  }
  if (layout.keys_per_tenant < 16 || layout.keys_per_tenant > 100000 ||
      KeySpace(layout.keys_per_tenant).slots() != layout.slots ||
      layout.journals < flags.threads + 1) {
    err << "metakv-stress: ERROR: " << expected_path << " has a layout this tool cannot use\n";
    return kExitError;
  }

  StressContext ctx(layout.keys_per_tenant, &err);
  ctx.expected = std::move(expected);
  ctx.clock = std::make_shared<ManualClock>(ctx.expected->clock_seconds() * 1000000);
  ctx.store_path = flags.db;
  Options options = StressStoreOptions(ctx.clock, flags.tenant_shards);
  if (flags.power_cut_ms > 0 && !flags.verify) ArmPowerCut(flags, &options);
  if (flags.verify && !store_exists) {
    // Killed after creating the expected state, before the store existed:
    // then no operation can have happened.
    for (uint64_t slot = 0; slot < ctx.space.slots(); ++slot) {
      if (ctx.expected->IsPending(slot) || ctx.expected->Committed(slot).kind != KeyKind::kAbsent) {
        ctx.reporter.Violation("STORE MISSING: " + flags.db + " has no store but " +
                               ctx.space.Describe(slot) + " is expected " +
                               ctx.expected->Committed(slot).ToString());
        return kExitViolation;
      }
    }
    out << "metakv-stress: verify OK: no store yet (killed before it was created) ops_total="
        << ctx.expected->ops() << "\n";
    return kExitOk;
  }
  Status s = Store::Open(options, flags.db, &ctx.store);
  if (!s.ok()) return ReportOpenFailure(&ctx, s, flags.db);
  // The store's time never runs backwards, and after a crash it may start
  // up to a lease past the last time it handed out (engine/store_clock.h):
  // the model follows it, within that bound.
  if (const Snapshot* snap = ctx.store->GetSnapshot()) {
    const uint64_t store_time = snap->time_seconds();
    ctx.store->ReleaseSnapshot(snap);
    const uint64_t model_time = ctx.now();
    if (store_time < model_time || store_time > model_time + StoreClock::kLeaseSeconds) {
      ctx.reporter.Violation("CLOCK: the store's time at open is " + std::to_string(store_time) +
                             ", the model's " + std::to_string(model_time) + " (allowed: up to " +
                             std::to_string(StoreClock::kLeaseSeconds) + " s ahead)");
    }
    ctx.clock->SetMicros(ctx.expected->AdvanceClockTo(store_time) * 1000000);
  }
  return flags.verify ? Verify(&ctx, flags, out) : Run(&ctx, flags, options, out);
}

}  // namespace metakv::stress
