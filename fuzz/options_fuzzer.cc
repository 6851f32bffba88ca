// Store::Open with fuzzer-built Options and DomainOptions, on a fresh
// directory, then a second Open of the same directory with other options.
//
// Checks: Open never crashes, hangs or throws whatever the options; it
// returns OK with a store, or an error status with a message and no store.
// An opened store takes a Put, Get, Delete, Flush and GetStats and closes
// cleanly; a record the first open acknowledged is readable by the second,
// if that one opens, unless the record's TTL (its domain's default) may have
// run out: NotFound is accepted only where the expiry may have passed by
// the second read's time or by the time the first store last purged, and
// required where it has surely passed by the read's time (see ExpectRecord).
#include <fuzzer/FuzzedDataProvider.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <memory>
#include <string>
#include <type_traits>

#include <rocksdb/env.h>

#include "codecs/coding.h"
#include "fuzz/fuzz_util.h"
#include "metakv/filesystem.h"
#include "metakv/store.h"
#include "metakv/testing.h"

namespace {

constexpr uint64_t kKiB = 1ull << 10;
constexpr uint64_t kMiB = 1ull << 20;
constexpr uint64_t kGiB = 1ull << 30;

// Either the default or a value near a limit, or anything.
uint64_t PickU64(FuzzedDataProvider* in, uint64_t def) {
  static constexpr uint64_t kEdges[] = {0,
                                        1,
                                        255,
                                        256,
                                        16 * kKiB - 1,
                                        16 * kKiB,
                                        64 * kKiB - 1,
                                        64 * kKiB,
                                        kMiB,
                                        16 * kMiB,
                                        kGiB,
                                        kGiB + 1,
                                        64 * kGiB,
                                        64 * kGiB + 1,
                                        1ull << 62,
                                        1ull << 63,
                                        UINT64_MAX / 1000,
                                        UINT64_MAX - 1,
                                        UINT64_MAX};
  switch (in->ConsumeIntegralInRange<int>(0, 3)) {
    case 0:
      return def;
    case 1:
      return kEdges[in->ConsumeIntegralInRange<size_t>(0, std::size(kEdges) - 1)];
    case 2:
      return in->ConsumeIntegralInRange<uint64_t>(0, 4 * kMiB);
    default:
      return in->ConsumeIntegral<uint64_t>();
  }
}

// The default, one of edges, or any value of T: a third of the time each.
template <typename T, size_t N>
T PickOf(FuzzedDataProvider* in, T def, const T (&edges)[N]) {
  switch (in->ConsumeIntegralInRange<int>(0, 2)) {
    case 0:
      return def;
    case 1:
      return edges[in->ConsumeIntegralInRange<size_t>(0, N - 1)];
    default:
      if constexpr (std::is_floating_point_v<T>) {
        return in->ConsumeFloatingPoint<T>();
      } else {
        return in->ConsumeIntegral<T>();
      }
  }
}

int PickInt(FuzzedDataProvider* in, int def) {
  static constexpr int kEdges[] = {
      std::numeric_limits<int>::min(), -1, 0, 1, 2, 4, 64, 65, 256, 257, 1000, 1001,
      std::numeric_limits<int>::max()};
  return PickOf(in, def, kEdges);
}

double PickFraction(FuzzedDataProvider* in, double def) {
  static const double kEdges[] = {0.0,
                                  -0.0,
                                  -1.0,
                                  1e-9,
                                  0.5,
                                  1.0,
                                  1.0000001,
                                  2.0,
                                  std::numeric_limits<double>::infinity(),
                                  -std::numeric_limits<double>::infinity(),
                                  std::numeric_limits<double>::quiet_NaN(),
                                  1e300};
  return PickOf(in, def, kEdges);
}

metakv::Compression PickCompression(FuzzedDataProvider* in, metakv::Compression def) {
  if (in->ConsumeBool()) return def;
  return static_cast<metakv::Compression>(in->ConsumeIntegralInRange<int>(0, 3));
}

std::string PickName(FuzzedDataProvider* in) {
  static const char* const kNames[] = {
      "inode",
      "dentry",
      "history",
      "a",
      "x.y-z_0",
      "default",
      "",
      "Inode",
      "a b",
      "a/b",
      "0123456789012345678901234567890123456789012345678901234567890123",   // 64
      "01234567890123456789012345678901234567890123456789012345678901234",  // 65
  };
  if (in->ConsumeIntegralInRange<int>(0, 7) == 0) return in->ConsumeRandomLengthString(8);
  return kNames[in->ConsumeIntegralInRange<size_t>(0, std::size(kNames) - 1)];
}

metakv::DomainOptions PickDomain(FuzzedDataProvider* in) {
  metakv::DomainOptions d;
  d.name = PickName(in);
  d.temperature = in->ConsumeBool() ? metakv::Temperature::kCold : metakv::Temperature::kHot;
  // Small memtables and files by default, so the stores stay tiny.
  d.tombstone_retention_seconds = PickU64(in, d.tombstone_retention_seconds);
  d.default_ttl_seconds = PickU64(in, 0);
  d.write_buffer_bytes = PickU64(in, 64 * kKiB);
  d.min_write_buffer_bytes = PickU64(in, 0);
  d.max_write_buffer_bytes = PickU64(in, 0);
  d.adaptive_write_buffer = in->ConsumeBool();
  d.level0_compaction_trigger = PickInt(in, 2);
  d.adaptive_level0_trigger = in->ConsumeBool();
  d.target_file_size_bytes = PickU64(in, 64 * kKiB);
  d.max_bytes_for_level_base = PickU64(in, 256 * kKiB);
  d.compression = PickCompression(in, d.compression);
  d.bottommost_compression = PickCompression(in, d.bottommost_compression);
  d.zstd_dictionary_bytes = static_cast<uint32_t>(PickU64(in, 0));
  d.bloom_bits_per_key = PickInt(in, 10);
  d.block_bytes = static_cast<uint32_t>(PickU64(in, 4096));
  d.purge_in_compaction = in->ConsumeBool();
  d.partition_by_tenant = in->ConsumeBool();
  d.partition_min_file_fraction = PickFraction(in, 0.5);
  d.large_tenant_bytes = PickU64(in, 0);
  return d;
}

metakv::Options PickOptions(FuzzedDataProvider* in) {
  metakv::Options o;
  o.create_if_missing = in->ConsumeIntegralInRange<int>(0, 7) != 0;
  o.error_if_exists = in->ConsumeIntegralInRange<int>(0, 7) == 0;
  o.read_only = in->ConsumeIntegralInRange<int>(0, 7) == 0;
  const int domains = in->ConsumeIntegralInRange<int>(0, 3);
  for (int i = 0; i < domains; ++i) o.domains.push_back(PickDomain(in));
  o.create_missing_domains = in->ConsumeBool();
  if (in->ConsumeBool()) {
    o.clock = std::make_shared<metakv::ManualClock>(PickU64(in, 1700000000ull * 1000000));
  }
  o.max_key_bytes = PickU64(in, o.max_key_bytes);
  o.max_value_bytes = PickU64(in, o.max_value_bytes);
  o.memory_budget_bytes = PickU64(in, 16 * kMiB);
  o.memtable_budget_fraction = PickFraction(in, o.memtable_budget_fraction);
  o.max_background_jobs = PickInt(in, 2);
  o.enable_statistics = in->ConsumeBool();
  o.info_log_level = PickInt(in, 4);
  o.maintenance_interval_seconds = PickU64(in, o.maintenance_interval_seconds);
  o.flush_controller_interval_seconds = PickU64(in, o.flush_controller_interval_seconds);
  o.stats_top_tenants = PickU64(in, o.stats_top_tenants);
  o.purge_deadline_seconds = PickU64(in, o.purge_deadline_seconds);
  if (in->ConsumeBool()) {
    // The four modes, and two values that are none (refused by Open).
    o.wal_recovery_mode =
        static_cast<metakv::WalRecoveryMode>(in->ConsumeIntegralInRange<int>(0, 5));
  }
  if (in->ConsumeBool()) {
    // An explicit Env: RocksDB's default one, not owned by the store.
    o.rocksdb_env = std::shared_ptr<rocksdb::Env>(rocksdb::Env::Default(), [](rocksdb::Env*) {});
  }
  return o;
}

void CheckFailure(const metakv::Status& s, const std::unique_ptr<metakv::Store>& store) {
  FUZZ_CHECK(store == nullptr, "a store despite " + s.ToString());
  FUZZ_CHECK(!s.message().empty(), "error without a message: " + s.ToString());
}

// The store's time now (seconds): a snapshot's time.
uint64_t StoreTime(metakv::Store* store) {
  const metakv::Snapshot* snap = store->GetSnapshot();
  FUZZ_CHECK(snap != nullptr, "no snapshot from an open store");
  const uint64_t t = snap->time_seconds();
  store->ReleaseSnapshot(snap);
  return t;
}

// What the first open learned about its record ("t", "k") = "v".
struct Written {
  std::string domain;
  uint64_t ttl = 0;           // the domain's default TTL at the Put; 0: none
  uint64_t put_earliest = 0;  // store times bracketing the Put's own time
  uint64_t put_latest = 0;
  // No purge of the first store ran at a later time than this: its time
  // at the end, or its clock's after Close if later (compaction purges by
  // the clock even where reads are held at the persisted time bound).
  uint64_t purge_horizon = 0;
};

// A store (the first, at once, or the second) reads the record at the time
// of a snapshot, t. The record expires at put time + ttl (saturating; the
// put time within [put_earliest, put_latest]) and reads judge expiry at t.
// Surely expired if t is at or past the latest expiry: NotFound required.
// Found, with its value, required if neither t nor any purge reached the
// earliest expiry (the first store purged at most at purge_horizon; the
// second, before this read, at most at t, its time never running back).
// In between, either. Nothing else can take the record: it is never
// deleted or removed, and the first store flushed it and closed cleanly.
void ExpectRecord(metakv::Store* store, const Written& w) {
  const metakv::Snapshot* snap = store->GetSnapshot();
  FUZZ_CHECK(snap != nullptr, "no snapshot from an open store");
  const uint64_t t = snap->time_seconds();
  metakv::ReadOptions ro;
  ro.snapshot = snap;
  std::string v;
  const metakv::Status s = store->Get(ro, w.domain, "t", "k", &v);
  store->ReleaseSnapshot(snap);
  const bool found = s.ok() && v == "v";
  const std::string what = s.ToString() + " value '" + v + "' at " + std::to_string(t) + ", ttl " +
                           std::to_string(w.ttl) + ", put in [" + std::to_string(w.put_earliest) +
                           ", " + std::to_string(w.put_latest) + "], first store purged up to " +
                           std::to_string(w.purge_horizon);
  if (w.ttl == 0) {
    FUZZ_CHECK(found, "a record without TTL is gone or wrong: " + what);
    return;
  }
  const uint64_t earliest_expiry = metakv::codecs::SaturatingAdd(w.put_earliest, w.ttl);
  const uint64_t latest_expiry = metakv::codecs::SaturatingAdd(w.put_latest, w.ttl);
  if (t >= latest_expiry) {
    FUZZ_CHECK(s.IsNotFound(), "an expired record is shown: " + what);
  } else if (std::max(t, w.purge_horizon) < earliest_expiry) {
    FUZZ_CHECK(found, "a record before its expiry is gone or wrong: " + what);
  } else {
    FUZZ_CHECK(found || s.IsNotFound(), what);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  FuzzedDataProvider in(data, size);
  metakv::fuzz::InputDir dir;
  std::string path = dir.path() + "/db";
  switch (in.ConsumeIntegralInRange<int>(0, 15)) {
    case 0:
      path.clear();
      break;
    case 1:
      metakv::fuzz::WriteFileOrDie(path, "not a directory");
      break;
    case 2:
      path = dir.path() + "/missing/parent/db";
      break;
    default:
      break;
  }
  const metakv::Options first = PickOptions(&in);
  const metakv::Options second = in.ConsumeBool() ? first : PickOptions(&in);

  bool wrote = false;
  Written written;
  {
    std::unique_ptr<metakv::Store> store;
    metakv::Status s = metakv::Store::Open(first, path, &store);
    if (!s.ok()) {
      CheckFailure(s, store);
    } else {
      FUZZ_CHECK(store != nullptr, "OK without a store");
      const std::string first_domain = first.domains.at(0).name;
      const metakv::WriteOptions wo;
      written.domain = first_domain;
      written.ttl = first.domains.at(0).default_ttl_seconds;
      written.put_earliest = StoreTime(store.get());
      s = store->Put(wo, first_domain, "t", "k", "v");
      written.put_latest = StoreTime(store.get());
      const std::shared_ptr<metakv::Clock> clock =
          first.clock ? first.clock : metakv::SystemClock();
      if (s.ok()) {
        wrote = true;
        // Read back at once, by the same rule (a TTL of a second may run out).
        written.purge_horizon = clock->NowSeconds();
        ExpectRecord(store.get(), written);
        s = store->Put(wo, first_domain, "t", "gone", "v");
        if (s.ok()) s = store->Delete(wo, first_domain, "t", "gone");
        // A 4-byte key is refused only where max_key_bytes is below 4.
        FUZZ_CHECK(s.ok() || (s.IsInvalidArgument() && first.max_key_bytes < 4), s.ToString());
        s = store->Flush();
        FUZZ_CHECK(s.ok(), s.ToString());
      } else {
        // Only a read-only store or a too-small max_key_bytes refuses it.
        FUZZ_CHECK(s.IsNotSupported() || s.IsInvalidArgument(), s.ToString());
      }
      metakv::Stats stats;
      s = store->GetStats(&stats);
      FUZZ_CHECK(s.ok(), s.ToString());
      written.purge_horizon = StoreTime(store.get());
      s = store->Close();
      FUZZ_CHECK(s.ok(), s.ToString());
      written.purge_horizon = std::max(written.purge_horizon, clock->NowSeconds());
    }
  }
  {
    std::unique_ptr<metakv::Store> store;
    metakv::Status s = metakv::Store::Open(second, path, &store);
    if (!s.ok()) {
      CheckFailure(s, store);
      return 0;
    }
    if (wrote) ExpectRecord(store.get(), written);
    s = store->Close();
    FUZZ_CHECK(s.ok(), s.ToString());
  }
  return 0;
}
