// metamix: the file-system metadata mix. A namespace of --tenants tenants
// (Zipf popularity, --zipf_theta), each a set of directories of files, is
// loaded (--num files, each directory filled to --files_per_dir), then
// --mix_ops operations run on it, drawn by --mix weights, each on a tenant
// drawn by popularity:
//
//   stat      get a file's inode
//   setattr   overwrite a file's inode (new mtime, size)
//   create    dentry + inode of a new file in a directory, one batch
//   unlink    logical delete of a file's dentry + inode, one batch (into the
//             recycle bin: purged --retention_seconds later)
//   readdir   scan a directory's entries (at most --readdir_limit)
//   rename    move a file to a directory of its tenant under a new name:
//             old dentry removed at once, new dentry, inode (ctime), one batch
//   snapshot  version-history records of --snapshot_group files of one
//             tenant (consecutive in the model), one group
//             (Engine::WriteHistoryGroup), expiring --history_ttl_seconds
//             later
//
// An operation that needs a file, on a tenant that has none, creates one.
// Records (domain, key -> value), keys big-endian so a directory's entries
// are contiguous:
//   inode    ino (8 bytes)                  -> EncodeInode + --inode_extra_bytes
//   dentry   parent ino (8) + name          -> ino (8) + type ('f' or 'd')
//   history  snapshot number (8) + ino (8)  -> the inode record
//            (--history_key=snapshot: a group's keys follow every earlier
//            group's), or ino (8) + snapshot number (8) (--history_key=inode:
//            a file's versions together, so a tenant's groups overlap in
//            key range)
// Directories are entries of the root (ino 1) with inodes of their own.
//
// The driver keeps the namespace in memory and checks the engine against
// it: a stat of a live file must find it, an unlink must find the file, and
// a readdir must return exactly the directory's live entries (so both
// engines provide the same semantics, recycle bin included). Latency per
// operation type; "load" for the load phase; "stat.small" repeats the stat
// samples of the less popular half of the tenants (Zipf rank >= tenants / 2,
// the small tenants), so they can be compared alone. ops counts load and mix
// operations; live_bytes is the logical size of live records (inodes,
// dentries, unexpired history) at the end.
//
// Threads (--threads=N): tenant i belongs to thread i % N, and only its
// thread touches it, so each thread's model stays exact without locks. The
// load's files and the mix's operations are split evenly among the
// threads; each thread draws its tenants from the Zipf popularity of all
// tenants, keeping only its own (so a thread's tenants keep their relative
// popularity; with N > 1 the most popular tenants' thread does as many
// operations as the others). Inode numbers, names and snapshot numbers are
// striped among the threads, so every thread's records are the same
// whatever the interleaving, and one thread sees exactly the sequence of a
// single-threaded run.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <deque>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "bench/bytes.h"
#include "bench/workloads/fs_records.h"
#include "bench/workloads/op_loops.h"
#include "bench/workloads/registry.h"
#include "bench/zipf.h"
#include "metakv/filesystem.h"

namespace metakv::bench {

namespace {

struct File {
  uint64_t ino = 0;
  uint32_t dir = 0;          // index into Tenant::dirs
  uint64_t name_id = 0;      // the name is Name(name_id)
  uint32_t inode_bytes = 0;  // size of its inode record's value
};

struct Tenant {
  std::string name;                 // fixed width: "t0007"
  std::vector<uint64_t> dirs;       // inode numbers
  std::vector<uint32_t> dir_files;  // live files per directory
  std::vector<File> files;          // live files, in no particular order
  uint32_t load_dir = 0;            // the directory the load phase fills
  bool has_load_dir = false;
  // In the less popular half of the tenants (Zipf rank >= tenants / 2).
  bool small = false;
};

// What the threads of one run share: the configuration, the popularity
// distribution and the operation weights.
struct MixShared {
  const WorkloadContext* ctx = nullptr;
  std::unique_ptr<ZipfDistribution> zipf;
  uint64_t cumulative[7] = {};
  uint64_t total_weight = 0;
  uint64_t threads = 1;
  SteadyClock::time_point deadline;
  std::atomic<bool> stop{false};
};

// One thread of a metamix run: the tenants it owns (tenant i % threads ==
// thread) and its model of them. Not thread-safe; one per thread.
class MixWorker {
 public:
  MixWorker(MixShared* shared, uint64_t thread)
      : shared_(shared), ctx_(shared->ctx), thread_(thread) {
    const BenchConfig& c = *ctx_->config;
    const uint64_t seed = ThreadSeed(ctx_->seed, thread);
    rng_ = Random64(seed);
    inodes_ = std::make_unique<InodeMaker>(seed, c.inode_extra_bytes);
    tenants_.resize(c.tenants);  // only those of this thread are used
    for (uint64_t t = thread; t < c.tenants; t += shared->threads) {
      tenants_[t].name = FsTenantName(t);
      tenants_[t].small = t >= c.tenants / 2 && c.tenants > 1;
    }
  }

  // Runs load operations [0, load) then mix operations [0, mix) of this
  // thread, until the first error, another thread's error or the deadline.
  Status Run(uint64_t load, uint64_t mix) {
    result_.op = "mix";
    Status s;
    for (uint64_t i = 0; i < load && s.ok() && Going(); ++i) s = LoadOne();
    for (uint64_t i = 0; i < mix && s.ok() && Going(); ++i) s = MixOne();
    if (!s.ok()) shared_->stop.store(true, std::memory_order_relaxed);
    return s;
  }

  // The thread's figures, its live bytes at the end (history expiring by
  // the simulated clock) included.
  WorkloadResult* Finish() {
    const uint64_t now = ctx_->counters->NowMicros();
    while (!history_.empty() && history_.front().first <= now) {
      history_live_bytes_ -= history_.front().second;
      history_.pop_front();
    }
    result_.live_bytes = live_bytes_ + history_live_bytes_;
    return &result_;
  }

 private:
  enum Op { kStat, kSetattr, kCreate, kUnlink, kReaddir, kRename, kSnapshot };

  bool Going() const {
    return !shared_->stop.load(std::memory_order_relaxed) && SteadyClock::now() < shared_->deadline;
  }

  // The next number of a sequence that starts at first and that the threads
  // share by striping (thread t takes first + t, first + t + threads, ...):
  // unique across threads, and each thread's numbers do not depend on how
  // the threads interleave. *taken counts the numbers this thread took.
  uint64_t Stripe(uint64_t first, uint64_t* taken) const {
    return first + thread_ + (*taken)++ * shared_->threads;
  }

  // A tenant of this thread, drawn by popularity.
  Tenant* DrawTenant() {
    while (true) {
      const uint64_t t = shared_->zipf->Next(&rng_);
      if (t % shared_->threads == thread_) return &tenants_[t];
    }
  }

  // A fresh inode record of ino: its attributes change with every call.
  std::string InodeValue(uint64_t ino, bool dir) {
    return inodes_->Make(ino, dir, ctx_->counters->NowMicros(), &rng_);
  }

  static uint64_t Bytes(const std::string& tenant, const MetaOp& op) {
    return RecordBytes(tenant, op);
  }

  // Applies a batch, timing it under op's name, counting the user bytes.
  Status Write(const char* op, const Tenant& t, const std::vector<MetaOp>& ops) {
    uint64_t bytes = 0;
    for (const MetaOp& o : ops) bytes += Bytes(t.name, o);
    const auto before = SteadyClock::now();
    Status s = ctx_->engine->MetaWrite(t.name, ops);
    Record(op, before, bytes);
    if (!s.ok()) {
      return Status::IOError(std::string(op) + " in tenant " + t.name + ": " + s.ToString());
    }
    return s;
  }

  uint64_t Record(const char* op, SteadyClock::time_point before, uint64_t user_bytes) {
    return RecordOp(*ctx_, &result_, op, before, user_bytes);
  }

  Status CreateDir(const char* op, Tenant* t) {
    const uint64_t ino = Stripe(kRootIno + 1, &inos_);
    std::vector<MetaOp> ops(2);
    ops[0] = {MetaOp::Kind::kPut, MetaDomain::kDentry, DentryKey(kRootIno, "d", ino),
              DentryValue(ino, 'd')};
    ops[1] = {MetaOp::Kind::kPut, MetaDomain::kInode, InodeKey(ino), InodeValue(ino, true)};
    Status s = Write(op, *t, ops);
    if (!s.ok()) return s;
    live_bytes_ += Bytes(t->name, ops[0]) + Bytes(t->name, ops[1]);
    t->dirs.push_back(ino);
    t->dir_files.push_back(0);
    return s;
  }

  Status CreateFile(const char* op, Tenant* t, uint32_t dir) {
    File f;
    f.ino = Stripe(kRootIno + 1, &inos_);
    f.dir = dir;
    f.name_id = Stripe(1, &names_);
    std::vector<MetaOp> ops(2);
    ops[0] = {MetaOp::Kind::kPut, MetaDomain::kDentry, DentryKey(t->dirs[dir], "f", f.name_id),
              DentryValue(f.ino, 'f')};
    ops[1] = {MetaOp::Kind::kPut, MetaDomain::kInode, InodeKey(f.ino), InodeValue(f.ino, false)};
    f.inode_bytes = static_cast<uint32_t>(ops[1].value.size());
    Status s = Write(op, *t, ops);
    if (!s.ok()) return s;
    live_bytes_ += Bytes(t->name, ops[0]) + Bytes(t->name, ops[1]);
    t->files.push_back(f);
    ++t->dir_files[dir];
    return s;
  }

  // The load phase: one file into the popularity-drawn tenant's current
  // directory (a new directory when it is full).
  Status LoadOne() {
    Tenant* t = DrawTenant();
    if (!t->has_load_dir || t->dir_files[t->load_dir] >= ctx_->config->files_per_dir) {
      Status s = CreateDir("load", t);
      if (!s.ok()) return s;
      t->load_dir = static_cast<uint32_t>(t->dirs.size() - 1);
      t->has_load_dir = true;
    }
    return CreateFile("load", t, t->load_dir);
  }

  Status MixOne() {
    const uint64_t pick = rng_.Uniform(shared_->total_weight);
    int op = 0;
    while (pick >= shared_->cumulative[op]) ++op;
    Tenant* t = DrawTenant();
    if (t->dirs.empty()) return CreateDir("create", t);
    if (t->files.empty() && op != kReaddir && op != kCreate) op = kCreate;
    switch (op) {
      case kStat:
        return Stat(t);
      case kSetattr:
        return Setattr(t);
      case kCreate:
        return CreateFile("create", t, static_cast<uint32_t>(rng_.Uniform(t->dirs.size())));
      case kUnlink:
        return Unlink(t);
      case kReaddir:
        return Readdir(t);
      case kRename:
        return Rename(t);
      default:
        return Snapshot(t);
    }
  }

  Status Stat(Tenant* t) {
    const File& f = t->files[rng_.Uniform(t->files.size())];
    std::string value;
    const auto before = SteadyClock::now();
    Status s = ctx_->engine->MetaGet(MetaDomain::kInode, t->name, InodeKey(f.ino), &value);
    const uint64_t ns = Record("stat", before, 0);
    // The same sample again for the small tenants alone (not an operation
    // of its own: not counted in ops).
    if (t->small) result_.op_latency_ns["stat.small"].Add(ns);
    if (s.IsNotFound()) {
      return Status::Corruption("stat of live file ino " + std::to_string(f.ino) + " in tenant " +
                                t->name + ": not found");
    }
    if (!s.ok()) return Status::IOError("stat in tenant " + t->name + ": " + s.ToString());
    InodeAttributes attrs;
    Status d = DecodeInode(
        std::string_view(value).substr(0, value.size() - ctx_->config->inode_extra_bytes), &attrs);
    if (!d.ok() || attrs.ino != f.ino) {
      return Status::Corruption("stat of ino " + std::to_string(f.ino) + " in tenant " + t->name +
                                ": wrong inode record");
    }
    return Status::OK();
  }

  Status Setattr(Tenant* t) {
    File& f = t->files[rng_.Uniform(t->files.size())];
    std::vector<MetaOp> ops(1);
    ops[0] = {MetaOp::Kind::kPut, MetaDomain::kInode, InodeKey(f.ino), InodeValue(f.ino, false)};
    Status s = Write("setattr", *t, ops);
    if (!s.ok()) return s;
    live_bytes_ += ops[0].value.size();
    live_bytes_ -= f.inode_bytes;
    f.inode_bytes = static_cast<uint32_t>(ops[0].value.size());
    return s;
  }

  Status Unlink(Tenant* t) {
    const size_t i = rng_.Uniform(t->files.size());
    const File f = t->files[i];
    std::vector<MetaOp> ops(2);
    ops[0] = {MetaOp::Kind::kDelete, MetaDomain::kDentry, DentryKey(t->dirs[f.dir], "f", f.name_id),
              ""};
    ops[1] = {MetaOp::Kind::kDelete, MetaDomain::kInode, InodeKey(f.ino), ""};
    Status s = Write("unlink", *t, ops);
    if (!s.ok()) return s;
    live_bytes_ -= t->name.size() * 2 + ops[0].key.size() + 9 + ops[1].key.size() + f.inode_bytes;
    t->files[i] = t->files.back();
    t->files.pop_back();
    --t->dir_files[f.dir];
    return s;
  }

  Status Readdir(Tenant* t) {
    const uint32_t dir = static_cast<uint32_t>(rng_.Uniform(t->dirs.size()));
    std::string prefix;
    AppendBigEndian64(t->dirs[dir], &prefix);
    const uint64_t limit = ctx_->config->readdir_limit;
    uint64_t count = 0;
    bool bad_entry = false;
    const auto before = SteadyClock::now();
    Status s = ctx_->engine->MetaScan(MetaDomain::kDentry, t->name, prefix,
                                      [&](std::string_view, std::string_view value) {
                                        if (!IsDentryValue(value)) {
                                          bad_entry = true;
                                        }
                                        return ++count < limit;
                                      });
    Record("readdir", before, 0);
    result_.entries += count;
    if (!s.ok()) return Status::IOError("readdir in tenant " + t->name + ": " + s.ToString());
    const uint64_t expected = std::min<uint64_t>(t->dir_files[dir], limit);
    if (count != expected || bad_entry) {
      return Status::Corruption("readdir of directory " + std::to_string(t->dirs[dir]) +
                                " in tenant " + t->name + ": " + std::to_string(count) +
                                " entries, expected " + std::to_string(expected) +
                                (bad_entry ? " (and a malformed entry)" : ""));
    }
    return Status::OK();
  }

  Status Rename(Tenant* t) {
    File& f = t->files[rng_.Uniform(t->files.size())];
    const uint32_t to = static_cast<uint32_t>(rng_.Uniform(t->dirs.size()));
    const uint64_t name_id = Stripe(1, &names_);
    std::vector<MetaOp> ops(3);
    ops[0] = {MetaOp::Kind::kRemove, MetaDomain::kDentry, DentryKey(t->dirs[f.dir], "f", f.name_id),
              ""};
    ops[1] = {MetaOp::Kind::kPut, MetaDomain::kDentry, DentryKey(t->dirs[to], "f", name_id),
              DentryValue(f.ino, 'f')};
    ops[2] = {MetaOp::Kind::kPut, MetaDomain::kInode, InodeKey(f.ino), InodeValue(f.ino, false)};
    Status s = Write("rename", *t, ops);
    if (!s.ok()) return s;
    live_bytes_ += ops[2].value.size();
    live_bytes_ -= f.inode_bytes;
    f.inode_bytes = static_cast<uint32_t>(ops[2].value.size());
    --t->dir_files[f.dir];
    ++t->dir_files[to];
    f.dir = to;
    f.name_id = name_id;
    return s;
  }

  Status Snapshot(Tenant* t) {
    const uint64_t n = std::min<uint64_t>(ctx_->config->snapshot_group, t->files.size());
    const size_t first = rng_.Uniform(t->files.size());
    const uint64_t snapshot = Stripe(1, &snapshots_);
    records_.clear();
    uint64_t bytes = 0;
    for (uint64_t i = 0; i < n; ++i) {
      const File& f = t->files[(first + i) % t->files.size()];
      HistoryRecord r;
      if (ctx_->config->history_key == HistoryKeyChoice::kInode) {
        AppendBigEndian64(f.ino, &r.key);
        AppendBigEndian64(snapshot, &r.key);
      } else {
        AppendBigEndian64(snapshot, &r.key);
        AppendBigEndian64(f.ino, &r.key);
      }
      r.value = InodeValue(f.ino, false);
      bytes += t->name.size() + r.key.size() + r.value.size();
      records_.push_back(std::move(r));
    }
    const auto before = SteadyClock::now();
    Status s = ctx_->engine->WriteHistoryGroup(t->name, records_);
    Record("snapshot", before, bytes);
    if (!s.ok()) return Status::IOError("snapshot in tenant " + t->name + ": " + s.ToString());
    if (ctx_->config->history_ttl_seconds != 0) {
      history_.emplace_back(
          ctx_->counters->NowMicros() + ctx_->config->history_ttl_seconds * 1000000, bytes);
    }
    history_live_bytes_ += bytes;
    return s;
  }

  MixShared* const shared_;
  const WorkloadContext* const ctx_;
  const uint64_t thread_;
  WorkloadResult result_;
  Random64 rng_{0};
  std::unique_ptr<InodeMaker> inodes_;
  std::vector<Tenant> tenants_;
  uint64_t inos_ = 0;                   // inode numbers taken (Stripe)
  uint64_t names_ = 0;                  // names taken
  uint64_t snapshots_ = 0;              // snapshot numbers taken
  std::vector<HistoryRecord> records_;  // scratch of Snapshot
  uint64_t live_bytes_ = 0;             // live inode and dentry records
  // Unexpired history: (expiry micros, bytes) in expiry order.
  std::deque<std::pair<uint64_t, uint64_t>> history_;
  uint64_t history_live_bytes_ = 0;
};

class MetaMix : public Workload {
 public:
  std::string_view name() const override { return "metamix"; }
  bool writes() const override { return true; }

  Status Run(const WorkloadContext& ctx, WorkloadResult* result) override {
    const BenchConfig& c = *ctx.config;
    Status checked = CheckNamespaceFlags(name(), c);
    if (!checked.ok()) return checked;
    MixShared shared;
    shared.ctx = &ctx;
    shared.zipf = std::make_unique<ZipfDistribution>(c.tenants, c.zipf_theta);
    shared.threads = std::max<uint64_t>(1, std::min(c.threads, c.tenants));
    const uint64_t w[7] = {c.mix.stat,    c.mix.setattr, c.mix.create,  c.mix.unlink,
                           c.mix.readdir, c.mix.rename,  c.mix.snapshot};
    for (int i = 0; i < 7; ++i) {
      shared.total_weight += w[i];
      shared.cumulative[i] = shared.total_weight;
    }
    std::vector<std::unique_ptr<MixWorker>> workers;
    for (uint64_t t = 0; t < shared.threads; ++t) {
      workers.push_back(std::make_unique<MixWorker>(&shared, t));
    }

    result->op = "mix";
    const auto start = SteadyClock::now();
    shared.deadline = c.duration_seconds == 0 ? SteadyClock::time_point::max()
                                              : start + std::chrono::seconds(c.duration_seconds);
    // Thread t's share of n operations.
    auto share = [&](uint64_t n, uint64_t t) {
      return n / shared.threads + (t < n % shared.threads ? 1 : 0);
    };
    std::vector<Status> status(shared.threads);
    auto body = [&](uint64_t t) {
      status[t] = workers[t]->Run(share(c.num, t), share(c.mix_ops, t));
    };
    if (shared.threads == 1) {
      body(0);
    } else {
      std::vector<std::thread> threads;
      for (uint64_t t = 0; t < shared.threads; ++t) threads.emplace_back(body, t);
      for (std::thread& th : threads) th.join();
    }
    result->seconds = std::chrono::duration<double>(SteadyClock::now() - start).count();
    Status first;
    for (uint64_t t = 0; t < shared.threads; ++t) {
      const WorkloadResult& p = *workers[t]->Finish();
      result->MergeLoop(p);
      result->live_bytes += p.live_bytes;
      if (first.ok() && !status[t].ok()) first = status[t];
    }
    return first;
  }
};

}  // namespace

std::unique_ptr<Workload> NewMetaMix() { return std::make_unique<MetaMix>(); }

}  // namespace metakv::bench
