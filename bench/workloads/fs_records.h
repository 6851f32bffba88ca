// The file-system metadata records the metadata workloads share (metamix,
// rmtree, rmtenant), and the way they time an engine call. Keys are
// big-endian so a directory's entries are contiguous:
//
//   inode    ino (8 bytes)          -> EncodeInode + --inode_extra_bytes
//   dentry   parent ino (8) + name  -> ino (8) + type ('f' or 'd')
//
// Tenant names are fixed width ("t0007"), which keeps stock RocksDB's
// concatenated keys unambiguous. The functions are pure (thread-safe); an
// InodeMaker is not thread-safe.
#ifndef METAKV_BENCH_WORKLOADS_FS_RECORDS_H_
#define METAKV_BENCH_WORKLOADS_FS_RECORDS_H_

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <memory>
#include <string>
#include <string_view>

#include "bench/bytes.h"
#include "bench/engine.h"
#include "bench/random.h"
#include "bench/result.h"
#include "bench/values.h"
#include "bench/workload.h"
#include "metakv/filesystem.h"

namespace metakv::bench {

// The checks of a workload that builds a file-system namespace of its own
// and checks the engine against its model of it: InvalidArgument for
// --use_existing_db (on a database an earlier run left, its checks, such as
// readdir counts, would be wrong) and for more than 10000 tenants (tenant
// names are fixed width, which keeps stock RocksDB's concatenated keys
// unambiguous).
inline Status CheckNamespaceFlags(std::string_view workload, const BenchConfig& c) {
  if (c.use_existing_db != 0) {
    return Status::InvalidArgument(std::string(workload) +
                                   " builds its namespace from scratch and cannot run with "
                                   "--use_existing_db");
  }
  if (c.tenants > 10000) {
    return Status::InvalidArgument(std::string(workload) + ": --tenants must be at most 10000");
  }
  return Status::OK();
}

using SteadyClock = std::chrono::steady_clock;

// The root directory of every tenant's namespace.
inline constexpr uint64_t kRootIno = 1;

// "t0007": the fixed-width name of tenant t. REQUIRES: t < 10000.
inline std::string FsTenantName(uint64_t t) {
  char name[32];
  snprintf(name, sizeof(name), "t%04llu", static_cast<unsigned long long>(t));
  return name;
}

inline std::string InodeKey(uint64_t ino) {
  std::string k;
  AppendBigEndian64(ino, &k);
  return k;
}

// The entry of parent named prefix + name_id (zero-padded) + ".dat".
inline std::string DentryKey(uint64_t parent, std::string_view prefix, uint64_t name_id) {
  std::string k;
  AppendBigEndian64(parent, &k);
  char name[32];
  snprintf(name, sizeof(name), "%.*s%012llu.dat", static_cast<int>(prefix.size()), prefix.data(),
           static_cast<unsigned long long>(name_id));
  k += name;
  return k;
}

inline std::string DentryValue(uint64_t ino, char type) {
  std::string v;
  AppendBigEndian64(ino, &v);
  v.push_back(type);
  return v;
}

// True if value is a well-formed dentry value (an inode number and a type).
inline bool IsDentryValue(std::string_view value) {
  return value.size() == 9 && ReadBigEndian64(value) != 0;
}

// The logical bytes of a record as the user sees them: tenant + key + value.
inline uint64_t RecordBytes(std::string_view tenant, const MetaOp& op) {
  return tenant.size() + op.key.size() + op.value.size();
}

// Makes fresh inode records: the encoded attributes (their times from the
// simulated clock, size and nanoseconds drawn from the caller's generator)
// followed by --inode_extra_bytes of inline attributes.
class InodeMaker {
 public:
  InodeMaker(uint64_t seed, uint64_t extra_bytes)
      : extra_bytes_(extra_bytes),
        extra_(std::make_unique<ValueGenerator>(seed, extra_bytes == 0 ? 1 : extra_bytes)) {}

  std::string Make(uint64_t ino, bool dir, uint64_t now_micros, Random64* rng) {
    InodeAttributes a;
    a.ino = ino;
    a.mode = dir ? 040755 : 0100644;
    a.uid = 1000 + static_cast<uint32_t>(ino % 97);
    a.gid = 100;
    a.nlink = dir ? 2 : 1;
    a.size = dir ? 4096 : rng->Uniform(1ull << 30);
    a.blocks = (a.size + 511) / 512;
    const int64_t now_ns =
        static_cast<int64_t>(now_micros) * 1000 + static_cast<int64_t>(rng->Uniform(1000));
    a.atime_ns = now_ns;
    a.mtime_ns = now_ns;
    a.ctime_ns = now_ns;
    a.generation = ++generation_;
    std::string v;
    EncodeInode(a, &v);
    if (extra_bytes_ != 0) v.append(extra_->Next());
    return v;
  }

  uint64_t extra_bytes() const { return extra_bytes_; }

 private:
  const uint64_t extra_bytes_;
  std::unique_ptr<ValueGenerator> extra_;
  uint64_t generation_ = 0;
};

// Records one timed engine call that started at before under op's name:
// a latency sample in result (all ops and op's own histogram), its user
// bytes, and one operation on the run's counters (which moves the clock).
// Returns the sample, in nanoseconds.
inline uint64_t RecordOp(const WorkloadContext& ctx, WorkloadResult* result, const std::string& op,
                         SteadyClock::time_point before, uint64_t user_bytes) {
  const uint64_t ns = static_cast<uint64_t>(
      std::chrono::duration_cast<std::chrono::nanoseconds>(SteadyClock::now() - before).count());
  result->latency_ns.Add(ns);
  result->op_latency_ns[op].Add(ns);
  result->user_bytes += user_bytes;
  ++result->ops;
  ctx.counters->OpDone(user_bytes);
  return ns;
}

}  // namespace metakv::bench

#endif  // METAKV_BENCH_WORKLOADS_FS_RECORDS_H_
