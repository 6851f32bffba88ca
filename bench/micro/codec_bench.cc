// Google Benchmark microbenchmarks of the codecs: key (tenant | user key),
// value record (header, payload, checksum) and inode attribute record.
// Inputs are built once outside the timed loops; every decode checks its
// status so a codec bug aborts the run instead of timing an error path.
#include <benchmark/benchmark.h>

#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "codecs/key_codec.h"
#include "codecs/record_codec.h"
#include "compaction/tombstone_filter.h"
#include "metakv/filesystem.h"

namespace {

using metakv::Status;
namespace codecs = metakv::codecs;

void CheckOk(const Status& s, const char* what) {
  if (!s.ok()) {
    std::fprintf(stderr, "%s failed: %s\n", what, s.ToString().c_str());
    std::abort();
  }
}

// A tenant id of n bytes, with a 0x00 byte every 8 bytes so escaping runs.
std::string MakeTenant(size_t n) {
  std::string t;
  for (size_t i = 0; i < n; ++i) t.push_back(i % 8 == 7 ? '\0' : static_cast<char>('a' + i % 26));
  return t;
}

std::string MakeUserKey(size_t n) {
  std::string k;
  for (size_t i = 0; i < n; ++i) k.push_back(static_cast<char>('0' + i % 10));
  return k;
}

// Args: tenant bytes, user key bytes.
void BM_EncodeKey(benchmark::State& state) {
  const std::string tenant = MakeTenant(static_cast<size_t>(state.range(0)));
  const std::string key = MakeUserKey(static_cast<size_t>(state.range(1)));
  std::string out;
  for (auto _ : state) {
    out.clear();
    codecs::AppendKey(tenant, key, &out);
    benchmark::DoNotOptimize(out.data());
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) *
                          static_cast<int64_t>(tenant.size() + key.size()));
}
BENCHMARK(BM_EncodeKey)->Args({3, 13})->Args({16, 64})->Args({64, 256});

void BM_DecodeKey(benchmark::State& state) {
  const std::string encoded = codecs::EncodeKey(MakeTenant(static_cast<size_t>(state.range(0))),
                                                MakeUserKey(static_cast<size_t>(state.range(1))));
  std::string tenant;
  std::string_view key;
  for (auto _ : state) {
    CheckOk(codecs::DecodeKey(encoded, &tenant, &key), "DecodeKey");
    benchmark::DoNotOptimize(key.data());
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) *
                          static_cast<int64_t>(encoded.size()));
}
BENCHMARK(BM_DecodeKey)->Args({3, 13})->Args({16, 64})->Args({64, 256});

// A live record with an expiry (the longest header) over payload.
codecs::Record ExpiringRecord(std::string_view payload) {
  codecs::Record record;
  record.time = 1700000000;
  record.expiry = 1700086400;
  record.payload = payload;
  return record;
}

// Arg: payload bytes.
void BM_EncodeRecord(benchmark::State& state) {
  const std::string encoded_key = codecs::EncodeKey("t7", MakeUserKey(14));
  const std::string payload(static_cast<size_t>(state.range(0)), 'v');
  const codecs::Record record = ExpiringRecord(payload);
  std::string out;
  for (auto _ : state) {
    out.clear();
    codecs::EncodeRecord(encoded_key, record, &out);
    benchmark::DoNotOptimize(out.data());
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) *
                          static_cast<int64_t>(payload.size()));
}
BENCHMARK(BM_EncodeRecord)->Arg(0)->Arg(100)->Arg(1024)->Arg(16384);

void BM_DecodeRecord(benchmark::State& state) {
  const std::string encoded_key = codecs::EncodeKey("t7", MakeUserKey(14));
  const std::string payload(static_cast<size_t>(state.range(0)), 'v');
  const codecs::Record record = ExpiringRecord(payload);
  std::string value;
  codecs::EncodeRecord(encoded_key, record, &value);
  codecs::Record decoded;
  for (auto _ : state) {
    CheckOk(codecs::DecodeRecord(encoded_key, value, &decoded), "DecodeRecord");
    benchmark::DoNotOptimize(decoded.payload.data());
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) *
                          static_cast<int64_t>(value.size()));
}
BENCHMARK(BM_DecodeRecord)->Arg(0)->Arg(100)->Arg(1024)->Arg(16384);

// A typical regular file's attributes (multi-byte varints in most fields).
metakv::InodeAttributes SampleInode() {
  metakv::InodeAttributes a;
  a.ino = 123456789;
  a.mode = 0100644;
  a.uid = 1000;
  a.gid = 1000;
  a.nlink = 1;
  a.size = 4 << 20;
  a.blocks = 8192;
  a.atime_ns = 1700000000123456789;
  a.mtime_ns = 1700000000223456789;
  a.ctime_ns = 1700000000323456789;
  a.generation = 42;
  a.flags = 0;
  return a;
}

void BM_EncodeInode(benchmark::State& state) {
  const metakv::InodeAttributes attrs = SampleInode();
  std::string out;
  for (auto _ : state) {
    out.clear();
    metakv::EncodeInode(attrs, &out);
    benchmark::DoNotOptimize(out.data());
  }
}
BENCHMARK(BM_EncodeInode);

void BM_DecodeInode(benchmark::State& state) {
  std::string encoded;
  metakv::EncodeInode(SampleInode(), &encoded);
  metakv::InodeAttributes attrs;
  for (auto _ : state) {
    CheckOk(metakv::DecodeInode(encoded, &attrs), "DecodeInode");
    benchmark::DoNotOptimize(&attrs);
  }
}
BENCHMARK(BM_DecodeInode);

}  // namespace

// The tombstone filter's decision for one record (ShouldPurge, what the
// compaction filter runs per record): arg 0 a live record, 1 a tombstone
// within retention, 2 a tombstone past retention, 3 an expired record.
void BM_FilterDecision(benchmark::State& state) {
  constexpr uint64_t kNow = 1700000000;
  constexpr uint64_t kRetention = 7 * 24 * 3600;
  const std::string encoded_key = codecs::EncodeKey("t7", MakeUserKey(14));
  const std::string payload(100, 'v');
  codecs::Record record;
  record.time = kNow - 60;
  record.payload = payload;
  switch (state.range(0)) {
    case 1:
      record.kind = codecs::RecordKind::kTombstone;
      break;
    case 2:
      record.kind = codecs::RecordKind::kTombstone;
      record.time = kNow - kRetention - 1;
      break;
    case 3:
      record.expiry = kNow - 1;
      break;
    default:
      break;
  }
  std::string value;
  codecs::EncodeRecord(encoded_key, record, &value);
  const bool expected = state.range(0) >= 2;
  for (auto _ : state) {
    bool corrupt = false;
    const bool purge = metakv::ShouldPurge(encoded_key, value, kRetention, kNow, &corrupt);
    if (purge != expected || corrupt) {
      std::fprintf(stderr, "ShouldPurge gave the wrong answer\n");
      std::abort();
    }
    benchmark::DoNotOptimize(purge);
  }
}
BENCHMARK(BM_FilterDecision)->DenseRange(0, 3);

BENCHMARK_MAIN();
