// rmtree and rmtenant: bulk deletes of file-system metadata (issue 7).
//
// The namespace: --tenants tenants, each with --trees_per_tenant directory
// trees. Inode numbers are allocated per tree, ino = tree id << 32 | n (tree
// ids 1, 2, ... within a tenant; n = 1 is the tree's root directory), so
// with the records of metamix (workloads/fs_records.h)
//
//   inode    ino (8 bytes)          -> inode record
//   dentry   parent ino (8) + name  -> ino (8) + type
//
// every record of a tree, inode or dentry, starts with the tree's 4 id
// bytes: a tree is one key prefix per domain, which is what
// Engine::RemoveTree removes. A tree is its root directory holding
// subdirectories of --files_per_dir files each (the root's entry in a
// parent outside the trees is not modelled). The load writes --num files
// one directory per batch (its entry in the tree root, its inode, its
// files' entries and inodes), the directories of all trees in a seeded
// random order, so every tree's records reach the engine spread over the
// whole load, as they would in a shared file system.
//
//   rmtree    tenant --tenants/2 holds the tree to remove, the middle one of
//             its trees by id, with --remove_share of the files; the other
//             trees share the rest equally. --remove_mode=logical: removed
//             into the recycle bin, then the clock moves past
//             --retention_seconds and it is purged; hard: removed at once.
//             In logical mode a small tree of that tenant is removed and
//             restored first, and checked.
//   rmtenant  tenant sizes are Zipf (--zipf_theta; 0: equal); the
//             --remove_tenants removed are spread over the size ranks
//             (ranks 0, N/R, 2N/R, ...; rank 0 is the largest).
//
// Tenant names are "r" (rmtree) or "u" (rmtenant), two hex digits of the
// workload's seed and the tenant number ("r3a0007"), so two bulk workloads
// of one --benchmarks list do not meet in the database they share.
//
// Phases, each a read phase of --probe_ops readdirs and --probe_ops seeks
// (op names "readdir.<phase>", "seek.<phase>"):
//   before    after the load, flushed and settled
//   removed   right after the removal call returned
//   purged    after the wait below, flushed and settled
// rmtree reads in the tenant of the removed tree (its other trees: the
// nearby directories); rmtenant reads in the remaining tenants. A readdir
// scans a random directory of a live tree and must return exactly its
// entries (at most --readdir_limit). A seek goes to a random key of the
// tenant's dentries (a random directory of a random tree, the removed tree
// included, as a listing resumed at a cookie of a directory since removed
// would) and reads up to --seek_nexts + 1 live entries; none may belong to
// a removed tree.
//
// After the removal the driver checks that removed directories list
// nothing and removed inodes are not found, and that sampled directories
// and inodes of the rest are intact (op "verify"); again after the purge.
//
// Bytes: Engine::StoredBytes over the removed key ranges before the
// removal; device bytes (flush + compaction) from the removal's start
// until the engine settled after the wait. The wait: once the records are
// purgeable (logical: the clock moved past retention; hard and tenant:
// after the "removed" phase) the driver calls Engine::DropPurgeable
// (--enforce_purge=1) and polls StoredBytes every 200 ms, the simulated
// clock moving at real speed, until it falls to kGoneFraction of its value
// before the removal or --gone_timeout seconds pass; then it flushes and
// waits for compactions and looks once more. No manual compaction.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <string>
#include <thread>
#include <vector>

#include "bench/bytes.h"
#include "bench/workloads/fs_records.h"
#include "bench/workloads/registry.h"

namespace metakv::bench {

namespace {

// The removed records' stored bytes count as gone at or below this share
// of their value before the removal (range estimates of boundary files
// rarely reach 0).
constexpr double kGoneFraction = 0.01;
// Directories and inodes each verification samples, removed and live.
constexpr uint64_t kVerifySamples = 100;
constexpr auto kPollInterval = std::chrono::milliseconds(200);

struct Tree {
  uint32_t tenant = 0;
  uint32_t id = 0;
  uint64_t target_files = 0;
  std::vector<uint64_t> dirs;       // the subdirectories (the files' parents)
  std::vector<uint32_t> dir_files;  // files per subdirectory
  uint64_t next_n = 1;              // low half of the next inode number
  uint64_t files = 0;
  uint64_t records = 0;
  uint64_t bytes = 0;  // logical bytes (tenant + key + value) of its records
  bool removed = false;

  uint64_t Ino(uint64_t n) const { return uint64_t{id} << 32 | n; }
  uint64_t Root() const { return Ino(1); }
  // The key prefix of all its records in both domains: the 4 id bytes.
  std::string Prefix() const { return InodeKey(Root()).substr(0, 4); }
  std::vector<TreePrefix> Prefixes() const {
    return {{MetaDomain::kInode, Prefix()}, {MetaDomain::kDentry, Prefix()}};
  }
};

struct TenantInfo {
  std::string name;
  std::vector<size_t> trees;  // indexes into BulkDelete::trees_
  bool removed = false;
};

class BulkDelete : public Workload {
 public:
  explicit BulkDelete(bool tenants) : tenants_mode_(tenants) {}

  std::string_view name() const override { return tenants_mode_ ? "rmtenant" : "rmtree"; }
  bool writes() const override { return true; }

  Status Run(const WorkloadContext& ctx, WorkloadResult* result) override {
    ctx_ = &ctx;
    result_ = result;
    const BenchConfig& c = *ctx.config;
    Status checked = CheckNamespaceFlags(name(), c);
    if (!checked.ok()) return checked;
    if (c.trees_per_tenant > 0xfffffff0ull) {
      return Status::InvalidArgument(std::string(name()) + ": --trees_per_tenant too large");
    }
    if (!tenants_mode_ && c.tenants * c.trees_per_tenant < 2) {
      return Status::InvalidArgument(
          "rmtree needs at least two trees (--tenants, --trees_per_tenant)");
    }
    if (tenants_mode_ && c.remove_tenants >= c.tenants) {
      return Status::InvalidArgument("rmtenant: --remove_tenants must be below --tenants");
    }
    rng_ = Random64(ctx.seed);
    inodes_ = std::make_unique<InodeMaker>(ctx.seed, c.inode_extra_bytes);
    result->op = "bulk";
    result->has_removal = true;
    WorkloadResult::Removal& rm = result->removal;
    rm.mode = tenants_mode_ ? "tenant" : std::string(RemoveModeName(c.remove_mode));
    const TreeRemoveMode mode =
        c.remove_mode == RemoveModeChoice::kHard ? TreeRemoveMode::kHard : TreeRemoveMode::kLogical;
    rm.method = ctx.engine->RemovalMethod(tenants_mode_, mode);
    rm.purge_deadline_seconds = ctx.engine->name() == "metakv" ? c.purge_deadline_seconds : 0;

    const auto start = SteadyClock::now();
    Plan();
    Status s = Load();
    if (s.ok() && !tenants_mode_ && mode == TreeRemoveMode::kLogical) {
      s = RestoreCheck();
      rm.restore_checked = s.ok();
    }
    if (s.ok()) s = Settle();
    if (s.ok()) s = ReadPhase("before");

    // The removal.
    const std::vector<Removed> removed = RemovedPieces();
    for (const Removed& r : removed) {
      rm.records += r.records;
      rm.logical_bytes += r.bytes;
    }
    if (s.ok()) s = StoredBytesOf(removed, &rm.stored_bytes_before);
    EngineStats stats_before;
    if (s.ok()) s = ctx.engine->GetStats(&stats_before);
    if (s.ok()) {
      const auto before = SteadyClock::now();
      s = Remove(mode);
      rm.remove_seconds = std::chrono::duration<double>(SteadyClock::now() - before).count();
    }
    if (s.ok()) s = ReadPhase("removed");
    if (s.ok()) s = Verify();

    // Purgeable: logical after retention, the others now.
    if (s.ok() && !tenants_mode_ && mode == TreeRemoveMode::kLogical) {
      ctx.counters->Advance((c.retention_seconds + 1) * 1000000);
    }
    if (s.ok()) s = WaitUntilGone(removed);
    EngineStats stats_after;
    if (s.ok()) s = ctx.engine->GetStats(&stats_after);
    if (s.ok()) rm.device_bytes = stats_after.device_bytes() - stats_before.device_bytes();
    if (s.ok()) s = ReadPhase("purged");
    if (s.ok()) s = Verify();

    result->seconds = std::chrono::duration<double>(SteadyClock::now() - start).count();
    result->live_bytes = 0;
    for (const Tree& t : trees_) {
      if (!t.removed) result->live_bytes += t.bytes;
    }
    return s;
  }

 private:
  // A removed tree or tenant: what RemoveTree or RemoveTenant took and
  // StoredBytes measures.
  struct Removed {
    std::string tenant;
    std::vector<TreePrefix> prefixes;  // empty: the whole tenant
    uint64_t records = 0;
    uint64_t bytes = 0;
  };

  // Lays out tenants and trees, and how many files each tree gets.
  void Plan() {
    const BenchConfig& c = *ctx_->config;
    const uint64_t per_tenant = c.trees_per_tenant;
    tenants_.assign(c.tenants, TenantInfo());
    for (uint64_t t = 0; t < c.tenants; ++t) {
      // Fixed width and of this workload alone ('r' or 'u', two hex
      // digits of the seed, the number): a workload earlier in
      // --benchmarks left its records in the same database.
      char name[32];
      snprintf(name, sizeof(name), "%c%02llx%04llu", tenants_mode_ ? 'u' : 'r',
               static_cast<unsigned long long>(Mix64(ctx_->seed) & 0xff),
               static_cast<unsigned long long>(t));
      tenants_[t].name = name;
      for (uint64_t k = 0; k < per_tenant; ++k) {
        Tree tree;
        tree.tenant = static_cast<uint32_t>(t);
        tree.id = static_cast<uint32_t>(k + 1);
        tenants_[t].trees.push_back(trees_.size());
        trees_.push_back(tree);
      }
    }
    const uint64_t num = c.num;
    if (!tenants_mode_) {
      victim_tenant_ = static_cast<uint32_t>(c.tenants / 2);
      victim_tree_ = tenants_[victim_tenant_].trees[per_tenant / 2];
      const uint64_t victim_files =
          std::max<uint64_t>(1, static_cast<uint64_t>(std::llround(c.remove_share * num)));
      const uint64_t others = trees_.size() - 1;
      const uint64_t rest = num > victim_files ? num - victim_files : others;
      uint64_t i = 0;
      for (size_t k = 0; k < trees_.size(); ++k) {
        if (k == victim_tree_) {
          trees_[k].target_files = victim_files;
          continue;
        }
        trees_[k].target_files = std::max<uint64_t>(1, rest / others + (i < rest % others ? 1 : 0));
        ++i;
      }
      // The tree the restore check removes and restores: its own id after
      // the others', two directories, not part of the load.
      if (c.remove_mode == RemoveModeChoice::kLogical) {
        Tree tree;
        tree.tenant = victim_tenant_;
        tree.id = static_cast<uint32_t>(per_tenant + 1);
        tree.target_files = 2 * c.files_per_dir;
        restore_tree_ = trees_.size();
        tenants_[victim_tenant_].trees.push_back(trees_.size());
        trees_.push_back(tree);
      }
      return;
    }
    // rmtenant: Zipf sizes by tenant rank, split equally over its trees.
    std::vector<double> weight(c.tenants);
    double sum = 0;
    for (uint64_t t = 0; t < c.tenants; ++t) {
      weight[t] = 1.0 / std::pow(static_cast<double>(t + 1), c.zipf_theta);
      sum += weight[t];
    }
    for (uint64_t t = 0; t < c.tenants; ++t) {
      const uint64_t files = static_cast<uint64_t>(static_cast<double>(num) * weight[t] / sum);
      for (uint64_t k = 0; k < per_tenant; ++k) {
        trees_[tenants_[t].trees[k]].target_files =
            std::max<uint64_t>(1, files / per_tenant + (k < files % per_tenant ? 1 : 0));
      }
    }
    for (uint64_t j = 0; j < c.remove_tenants; ++j) {
      tenants_[j * c.tenants / c.remove_tenants].removed = true;
    }
  }

  // Writes one directory of tree (and the tree's root first): its entry in
  // the root, its inode, and files, one batch.
  Status WriteDirectory(size_t tree_index, uint64_t files, const char* op) {
    Tree& t = trees_[tree_index];
    const std::string& tenant = tenants_[t.tenant].name;
    const uint64_t now = ctx_->counters->NowMicros();
    std::vector<MetaOp> ops;
    ops.reserve(2 * files + 3);
    if (t.next_n == 1) {
      ops.push_back({MetaOp::Kind::kPut, MetaDomain::kInode, InodeKey(t.Root()),
                     inodes_->Make(t.Root(), true, now, &rng_)});
      t.next_n = 2;
    }
    const uint64_t dir = t.Ino(t.next_n++);
    ops.push_back({MetaOp::Kind::kPut, MetaDomain::kDentry, DentryKey(t.Root(), "d", dir),
                   DentryValue(dir, 'd')});
    ops.push_back({MetaOp::Kind::kPut, MetaDomain::kInode, InodeKey(dir),
                   inodes_->Make(dir, true, now, &rng_)});
    for (uint64_t f = 0; f < files; ++f) {
      const uint64_t ino = t.Ino(t.next_n++);
      ops.push_back({MetaOp::Kind::kPut, MetaDomain::kDentry, DentryKey(dir, "f", ino),
                     DentryValue(ino, 'f')});
      ops.push_back({MetaOp::Kind::kPut, MetaDomain::kInode, InodeKey(ino),
                     inodes_->Make(ino, false, now, &rng_)});
    }
    uint64_t bytes = 0;
    for (const MetaOp& o : ops) bytes += RecordBytes(tenant, o);
    const auto before = SteadyClock::now();
    Status s = ctx_->engine->MetaWrite(tenant, ops);
    RecordOp(*ctx_, result_, op, before, bytes);
    if (!s.ok())
      return Status::IOError(std::string(op) + " in tenant " + tenant + ": " + s.ToString());
    t.dirs.push_back(dir);
    t.dir_files.push_back(static_cast<uint32_t>(files));
    t.files += files;
    t.records += ops.size();
    t.bytes += bytes;
    return s;
  }

  // Every tree's directories, in a seeded random order of all of them.
  Status Load() {
    const uint64_t per_dir = ctx_->config->files_per_dir;
    std::vector<uint32_t> slots;  // one per directory to write: its tree
    for (size_t k = 0; k < trees_.size(); ++k) {
      if (k == restore_tree_) continue;
      const uint64_t dirs = (trees_[k].target_files + per_dir - 1) / per_dir;
      slots.insert(slots.end(), dirs, static_cast<uint32_t>(k));
    }
    for (size_t i = slots.size(); i > 1; --i) std::swap(slots[i - 1], slots[rng_.Uniform(i)]);
    for (uint32_t k : slots) {
      const uint64_t files = std::min(per_dir, trees_[k].target_files - trees_[k].files);
      Status s = WriteDirectory(k, files, "load");
      if (!s.ok()) return s;
    }
    return Status::OK();
  }

  Status Settle() {
    Status s = ctx_->engine->Flush();
    if (s.ok()) s = ctx_->engine->WaitForCompactions();
    return s;
  }

  // rmtree, logical: a small tree is removed (hidden at once), restored
  // (back whole), and a second restore finds nothing to restore.
  Status RestoreCheck() {
    Tree& t = trees_[restore_tree_];
    const uint64_t per_dir = ctx_->config->files_per_dir;
    while (t.files < t.target_files) {
      Status s = WriteDirectory(restore_tree_, std::min(per_dir, t.target_files - t.files),
                                "restore_check.create");
      if (!s.ok()) return s;
    }
    const std::string& tenant = tenants_[t.tenant].name;
    uint64_t id = 0;
    auto before = SteadyClock::now();
    Status s = ctx_->engine->RemoveTree(tenant, t.Prefixes(), TreeRemoveMode::kLogical, &id);
    RecordOp(*ctx_, result_, "restore_check.remove", before, 0);
    if (!s.ok()) return Status::IOError("restore check: RemoveTree: " + s.ToString());
    t.removed = true;
    s = CheckTree(t, "restore check, removed");
    if (!s.ok()) return s;
    before = SteadyClock::now();
    s = ctx_->engine->RestoreTree(id);
    RecordOp(*ctx_, result_, "restore_check.restore", before, 0);
    if (!s.ok()) return Status::Corruption("restore check: RestoreTree: " + s.ToString());
    t.removed = false;
    s = CheckTree(t, "restore check, restored");
    if (!s.ok()) return s;
    s = ctx_->engine->RestoreTree(id);
    if (!s.IsNotFound()) {
      return Status::Corruption("restore check: a second RestoreTree: " + s.ToString() +
                                " (expected NotFound)");
    }
    return Status::OK();
  }

  std::vector<Removed> RemovedPieces() const {
    std::vector<Removed> out;
    if (!tenants_mode_) {
      const Tree& t = trees_[victim_tree_];
      out.push_back({tenants_[t.tenant].name, t.Prefixes(), t.records, t.bytes});
      return out;
    }
    for (const TenantInfo& tenant : tenants_) {
      if (!tenant.removed) continue;
      Removed r{tenant.name, {}, 0, 0};
      for (size_t k : tenant.trees) {
        r.records += trees_[k].records;
        r.bytes += trees_[k].bytes;
      }
      out.push_back(std::move(r));
    }
    return out;
  }

  Status StoredBytesOf(const std::vector<Removed>& removed, uint64_t* bytes) {
    *bytes = 0;
    for (const Removed& r : removed) {
      uint64_t b = 0;
      Status s = ctx_->engine->StoredBytes(r.tenant, r.prefixes, &b);
      if (!s.ok()) return s;
      *bytes += b;
    }
    return Status::OK();
  }

  Status Remove(TreeRemoveMode mode) {
    if (!tenants_mode_) {
      Tree& t = trees_[victim_tree_];
      const auto before = SteadyClock::now();
      uint64_t id = 0;
      Status s = ctx_->engine->RemoveTree(tenants_[t.tenant].name, t.Prefixes(), mode, &id);
      RecordOp(*ctx_, result_, "remove", before, 0);
      if (!s.ok()) return Status::IOError("RemoveTree: " + s.ToString());
      t.removed = true;
      return s;
    }
    for (TenantInfo& tenant : tenants_) {
      if (!tenant.removed) continue;
      const auto before = SteadyClock::now();
      Status s = ctx_->engine->RemoveTenant(tenant.name);
      RecordOp(*ctx_, result_, "remove", before, 0);
      if (!s.ok()) return Status::IOError("RemoveTenant " + tenant.name + ": " + s.ToString());
      for (size_t k : tenant.trees) trees_[k].removed = true;
    }
    return Status::OK();
  }

  // The tenants the read phases read in.
  std::vector<uint32_t> ProbeTenants() const {
    std::vector<uint32_t> out;
    if (!tenants_mode_) {
      out.push_back(victim_tenant_);
      return out;
    }
    for (uint32_t t = 0; t < tenants_.size(); ++t) {
      if (!tenants_[t].removed) out.push_back(t);
    }
    return out;
  }

  // Lists directory dir of tree t: the entries found into *count; checks
  // them against the model (all of them, or none if the tree is removed).
  Status Readdir(const Tree& t, size_t dir, const std::string& op, uint64_t* count) {
    const std::string& tenant = tenants_[t.tenant].name;
    const uint64_t limit = ctx_->config->readdir_limit;
    *count = 0;
    bool bad_entry = false;
    const auto before = SteadyClock::now();
    Status s = ctx_->engine->MetaScan(MetaDomain::kDentry, tenant, InodeKey(t.dirs[dir]),
                                      [&](std::string_view, std::string_view value) {
                                        if (!IsDentryValue(value)) bad_entry = true;
                                        return ++*count < limit;
                                      });
    RecordOp(*ctx_, result_, op, before, 0);
    if (!s.ok()) return Status::IOError("readdir in tenant " + tenant + ": " + s.ToString());
    const uint64_t expected = t.removed ? 0 : std::min<uint64_t>(t.dir_files[dir], limit);
    if (*count != expected || bad_entry) {
      return Status::Corruption(
          "readdir of directory " + std::to_string(t.dirs[dir]) + " in tenant " + tenant +
          (t.removed ? " (removed)" : "") + ": " + std::to_string(*count) + " entries, expected " +
          std::to_string(expected) + (bad_entry ? " (and a malformed entry)" : ""));
    }
    return Status::OK();
  }

  // A seek to a random dentry key of tenant and up to --seek_nexts + 1
  // live entries; none of a removed tree.
  Status Seek(uint32_t tenant_index, const std::string& op) {
    const TenantInfo& tenant = tenants_[tenant_index];
    const Tree& t = trees_[tenant.trees[rng_.Uniform(tenant.trees.size())]];
    if (t.dirs.empty()) return Status::OK();
    const uint64_t dir = t.dirs[rng_.Uniform(t.dirs.size())];
    const std::string start = DentryKey(dir, "f", t.Ino(1 + rng_.Uniform(t.next_n - 1)));
    const uint64_t limit = ctx_->config->seek_nexts + 1;
    uint64_t count = 0;
    std::string bad;
    const auto before = SteadyClock::now();
    Status s = ctx_->engine->MetaSeek(MetaDomain::kDentry, tenant.name, start,
                                      [&](std::string_view key, std::string_view value) {
                                        const uint64_t tree_id = ReadBigEndian64(key) >> 32;
                                        if (!IsDentryValue(value) || !LiveTree(tenant, tree_id)) {
                                          bad = "entry of tree " + std::to_string(tree_id);
                                        }
                                        return ++count < limit;
                                      });
    RecordOp(*ctx_, result_, op, before, 0);
    if (!s.ok()) return Status::IOError("seek in tenant " + tenant.name + ": " + s.ToString());
    if (!bad.empty()) {
      return Status::Corruption("seek in tenant " + tenant.name + " found a removed or unknown " +
                                bad);
    }
    result_->entries += count;
    if (count > 0) ++result_->found;
    return Status::OK();
  }

  bool LiveTree(const TenantInfo& tenant, uint64_t tree_id) const {
    for (size_t k : tenant.trees) {
      if (trees_[k].id == tree_id) return !trees_[k].removed;
    }
    return false;
  }

  // --probe_ops readdirs of live directories and as many seeks, alternating,
  // in the probe tenants.
  Status ReadPhase(const std::string& phase) {
    const std::vector<uint32_t> probe = ProbeTenants();
    const std::string readdir_op = "readdir." + phase;
    const std::string seek_op = "seek." + phase;
    for (uint64_t i = 0; i < ctx_->config->probe_ops; ++i) {
      const uint32_t tenant = probe[rng_.Uniform(probe.size())];
      std::vector<size_t> live;
      for (size_t k : tenants_[tenant].trees) {
        if (!trees_[k].removed && !trees_[k].dirs.empty()) live.push_back(k);
      }
      if (!live.empty()) {
        const Tree& t = trees_[live[rng_.Uniform(live.size())]];
        uint64_t count = 0;
        Status s = Readdir(t, rng_.Uniform(t.dirs.size()), readdir_op, &count);
        if (!s.ok()) return s;
      }
      Status s = Seek(tenant, seek_op);
      if (!s.ok()) return s;
    }
    return Status::OK();
  }

  // Every directory and inode sampled from tree t lists nothing and is not
  // found if it is removed, and is whole otherwise.
  Status CheckTree(const Tree& t, const std::string& what) {
    const std::string& tenant = tenants_[t.tenant].name;
    const uint64_t dirs = std::min<uint64_t>(kVerifySamples, t.dirs.size());
    for (uint64_t i = 0; i < dirs; ++i) {
      uint64_t count = 0;
      Status s = Readdir(t, t.dirs.size() <= kVerifySamples ? i : rng_.Uniform(t.dirs.size()),
                         "verify", &count);
      if (!s.ok()) return Status::Corruption(what + ": " + s.ToString());
    }
    const uint64_t inodes = std::min<uint64_t>(kVerifySamples, t.next_n - 1);
    for (uint64_t i = 0; i < inodes; ++i) {
      const uint64_t ino = t.Ino(1 + rng_.Uniform(t.next_n - 1));
      std::string value;
      const auto before = SteadyClock::now();
      Status s = ctx_->engine->MetaGet(MetaDomain::kInode, tenant, InodeKey(ino), &value);
      RecordOp(*ctx_, result_, "verify", before, 0);
      if (t.removed ? !s.IsNotFound() : !s.ok()) {
        return Status::Corruption(what + ": stat of ino " + std::to_string(ino) + " in tenant " +
                                  tenant + (t.removed ? " (removed)" : "") + ": " + s.ToString());
      }
      InodeAttributes attrs;
      if (!t.removed && (!DecodeInode(std::string_view(value).substr(
                                          0, value.size() - ctx_->config->inode_extra_bytes),
                                      &attrs)
                              .ok() ||
                         attrs.ino != ino)) {
        return Status::Corruption(what + ": stat of ino " + std::to_string(ino) +
                                  ": wrong inode record");
      }
    }
    return Status::OK();
  }

  // The removed trees or tenants are gone (a removed tenant's seek from its
  // first key finds nothing in either domain); the trees of the probe
  // tenants and of a few others are whole.
  Status Verify() {
    std::vector<size_t> check;
    if (!tenants_mode_) {
      check = tenants_[victim_tenant_].trees;
    } else {
      for (const TenantInfo& tenant : tenants_) {
        if (!tenant.removed) continue;
        check.insert(check.end(), tenant.trees.begin(), tenant.trees.end());
        for (MetaDomain d : {MetaDomain::kInode, MetaDomain::kDentry}) {
          uint64_t count = 0;
          Status s = ctx_->engine->MetaSeek(d, tenant.name, std::string(1, '\0'),
                                            [&](std::string_view, std::string_view) {
                                              ++count;
                                              return false;
                                            });
          if (!s.ok()) return Status::IOError("seek in removed tenant: " + s.ToString());
          if (count != 0) {
            return Status::Corruption("removed tenant " + tenant.name + " still has records");
          }
        }
      }
    }
    for (int i = 0; i < 4; ++i) check.push_back(rng_.Uniform(trees_.size()));
    for (size_t k : check) {
      Status s = CheckTree(trees_[k], "verify");
      if (!s.ok()) return s;
    }
    return Status::OK();
  }

  // Waits, as the file header says, for the removed bytes to leave the
  // engine's files; then settles the engine.
  Status WaitUntilGone(const std::vector<Removed>& removed) {
    WorkloadResult::Removal& rm = result_->removal;
    const double threshold = kGoneFraction * static_cast<double>(rm.stored_bytes_before);
    const auto start = SteadyClock::now();
    auto elapsed = [&] {
      return std::chrono::duration<double>(SteadyClock::now() - start).count();
    };
    rm.gone_seconds = std::nan("");
    auto last = SteadyClock::now();
    SteadyClock::duration purging{0};  // in DropPurgeable, all polls together
    while (true) {
      // Every poll, as the clock moves: what is not due yet (metakv: a
      // removal in the second it was made) is dropped on a later one.
      if (ctx_->config->enforce_purge != 0) {
        const auto before = SteadyClock::now();
        Status s = ctx_->engine->DropPurgeable();
        purging += SteadyClock::now() - before;
        if (!s.ok()) return s;
      }
      uint64_t bytes = 0;
      Status s = StoredBytesOf(removed, &bytes);
      if (!s.ok()) return s;
      if (static_cast<double>(bytes) <= threshold) {
        rm.gone_seconds = elapsed();
        break;
      }
      if (elapsed() >= static_cast<double>(ctx_->config->gone_timeout_seconds)) break;
      std::this_thread::sleep_for(kPollInterval);
      // The clock runs at real speed while nothing else moves it.
      const auto now = SteadyClock::now();
      ctx_->counters->Advance(static_cast<uint64_t>(
          std::chrono::duration_cast<std::chrono::microseconds>(now - last).count()));
      last = now;
    }
    rm.wait_seconds = elapsed();
    if (ctx_->config->enforce_purge != 0) {
      // One operation, however many polls it took: the engines' op counts
      // stay equal.
      RecordOp(*ctx_, result_, "drop_purgeable", SteadyClock::now() - purging, 0);
    }
    Status s = Settle();
    if (!s.ok()) return s;
    s = StoredBytesOf(removed, &rm.stored_bytes_after);
    if (!s.ok()) return s;
    if (std::isnan(rm.gone_seconds) && static_cast<double>(rm.stored_bytes_after) <= threshold) {
      rm.gone_seconds = elapsed();
    }
    return Status::OK();
  }

  const bool tenants_mode_;
  const WorkloadContext* ctx_ = nullptr;
  WorkloadResult* result_ = nullptr;
  Random64 rng_{0};
  std::unique_ptr<InodeMaker> inodes_;
  std::vector<TenantInfo> tenants_;
  std::vector<Tree> trees_;
  uint32_t victim_tenant_ = 0;      // rmtree
  size_t victim_tree_ = 0;          // rmtree
  size_t restore_tree_ = SIZE_MAX;  // rmtree logical
};

}  // namespace

std::unique_ptr<Workload> NewRmTree() { return std::make_unique<BulkDelete>(false); }
std::unique_ptr<Workload> NewRmTenant() { return std::make_unique<BulkDelete>(true); }

}  // namespace metakv::bench
