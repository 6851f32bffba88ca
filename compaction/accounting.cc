#include "compaction/accounting.h"

#include <algorithm>
#include <set>

#include <rocksdb/db.h>
#include <rocksdb/metadata.h>

#include "codecs/key_codec.h"
#include "compaction/record_properties.h"

namespace metakv {

// ------------------------------------------------------------ TenantLedger ----

TenantBytes* TenantLedger::Slot(std::string_view tenant) {
  auto it = tenants_.find(tenant);
  if (it != tenants_.end()) return &it->second;
  if (tenants_.size() >= kMaxTenants) return &tenants_[std::string()];
  return &tenants_[std::string(tenant)];
}

void TenantLedger::AddUser(std::string_view tenant, uint64_t bytes) {
  std::lock_guard<std::mutex> lock(mu_);
  Slot(tenant)->user += bytes;
}

void TenantLedger::Charge(TenantBytes* t, Reason reason, uint64_t bytes) {
  switch (reason) {
    case Reason::kFlush:
      t->flush += bytes;
      break;
    case Reason::kCompaction:
      t->compaction += bytes;
      break;
    case Reason::kIngest:
      t->ingest += bytes;
      break;
  }
}

void TenantLedger::AddEngineBytes(std::string_view tenant, Reason reason, uint64_t bytes) {
  std::lock_guard<std::mutex> lock(mu_);
  Charge(Slot(tenant), reason, bytes);
}

void TenantLedger::AddFile(const FileRecordStats& file, Reason reason, uint64_t file_size) {
  uint64_t raw_total = file.other_tenant_bytes;
  for (const auto& entry : file.tenant_bytes) raw_total += entry.second;
  if (raw_total == 0) return;
  // Shares of the file size, rounded down; the remainder goes to the largest
  // tenant so the shares add up to the file size exactly.
  auto share = [&](uint64_t raw) {
    return static_cast<uint64_t>(static_cast<long double>(raw) * file_size / raw_total);
  };
  std::lock_guard<std::mutex> lock(mu_);
  uint64_t charged = 0;
  std::string tenant;
  std::string_view user_key;
  TenantBytes* largest = nullptr;
  for (const auto& [prefix, bytes] : file.tenant_bytes) {
    if (!codecs::DecodeKey(prefix, &tenant, &user_key).ok()) tenant.clear();
    TenantBytes* slot = Slot(tenant);
    if (largest == nullptr) largest = slot;
    Charge(slot, reason, share(bytes));
    charged += share(bytes);
  }
  TenantBytes* other = file.other_tenant_bytes > 0 ? Slot("") : nullptr;
  if (other != nullptr) {
    Charge(other, reason, share(file.other_tenant_bytes));
    charged += share(file.other_tenant_bytes);
  }
  if (largest == nullptr) largest = other;
  if (largest != nullptr && charged < file_size) Charge(largest, reason, file_size - charged);
}

std::vector<std::pair<std::string, TenantBytes>> TenantLedger::Top(size_t n) const {
  std::vector<std::pair<std::string, TenantBytes>> all;
  {
    std::lock_guard<std::mutex> lock(mu_);
    all.assign(tenants_.begin(), tenants_.end());
  }
  auto engine = [](const TenantBytes& t) { return t.flush + t.compaction + t.ingest; };
  std::sort(all.begin(), all.end(), [&](const auto& a, const auto& b) {
    if (engine(a.second) != engine(b.second)) return engine(a.second) > engine(b.second);
    if (a.second.user != b.second.user) return a.second.user > b.second.user;
    return a.first < b.first;
  });
  if (all.size() > n) all.resize(n);
  return all;
}

// ------------------------------------------------------ LevelZeroRewrite ----

namespace {

// Adds a file's bytes to its tenants, in proportion to their key + value
// bytes in it.
void AddTenantShares(const FileBytes& file, std::map<std::string, long double>* out) {
  const FileRecordStats& stats = file.first;
  uint64_t raw_total = stats.other_tenant_bytes;
  for (const auto& entry : stats.tenant_bytes) raw_total += entry.second;
  if (raw_total == 0) return;
  const long double scale = static_cast<long double>(file.second) / raw_total;
  for (const auto& [tenant, bytes] : stats.tenant_bytes) (*out)[tenant] += bytes * scale;
  if (stats.other_tenant_bytes > 0) (*out)[std::string()] += stats.other_tenant_bytes * scale;
}

}  // namespace

LevelZeroRewrite LevelZeroRewriteOf(const std::vector<FileBytes>& l0,
                                    const std::vector<FileBytes>& l1) {
  std::map<std::string, long double> l0_tenants, l1_tenants;
  long double l0_total = 0;
  for (const FileBytes& f : l0) AddTenantShares(f, &l0_tenants);
  for (const auto& entry : l0_tenants) l0_total += entry.second;
  for (const FileBytes& f : l1) AddTenantShares(f, &l1_tenants);
  LevelZeroRewrite out;
  for (const FileBytes& f : l1) out.l1_bytes += f.second;
  if (l0_total <= 0) return out;
  long double for_others = 0;
  for (const auto& [tenant, bytes] : l1_tenants) {
    auto it = l0_tenants.find(tenant);
    const long double own = it == l0_tenants.end() ? 0 : it->second / l0_total;
    for_others += bytes * (1 - own);
  }
  out.for_others = std::min<uint64_t>(static_cast<uint64_t>(for_others + 0.5), out.l1_bytes);
  return out;
}

// ------------------------------------------------------ AccountingListener ----

DomainCounters* AccountingListener::Register(const std::string& cf_name) {
  auto& slot = counters_[cf_name];
  if (!slot) slot = std::make_unique<DomainCounters>();
  return slot.get();
}

DomainCounters* AccountingListener::Find(const std::string& cf_name) const {
  auto it = counters_.find(cf_name);
  return it == counters_.end() ? nullptr : it->second.get();
}

void AccountingListener::OnTableFileCreated(const rocksdb::TableFileCreationInfo& info) {
  if (!info.status.ok()) return;
  DomainCounters* c = Find(info.cf_name);
  if (c == nullptr) return;
  TenantLedger::Reason reason;
  switch (info.reason) {
    case rocksdb::TableFileCreationReason::kFlush:
    case rocksdb::TableFileCreationReason::kRecovery:
      c->flush_bytes.fetch_add(info.file_size, std::memory_order_relaxed);
      reason = TenantLedger::Reason::kFlush;
      break;
    case rocksdb::TableFileCreationReason::kCompaction:
      c->compaction_bytes_written.fetch_add(info.file_size, std::memory_order_relaxed);
      reason = TenantLedger::Reason::kCompaction;
      break;
    default:
      return;
  }
  FileRecordStats file;
  if (FileRecordStats::FromProperties(info.table_properties.user_collected_properties, &file)) {
    c->tenants.AddFile(file, reason, info.file_size);
  }
}

void AccountingListener::OnFlushCompleted(rocksdb::DB*, const rocksdb::FlushJobInfo& info) {
  DomainCounters* c = Find(info.cf_name);
  if (c == nullptr) return;
  c->flushes.fetch_add(1, std::memory_order_relaxed);
  if (info.flush_reason == rocksdb::FlushReason::kWalFull) {
    c->wal_limit_flushes.fetch_add(1, std::memory_order_relaxed);
  } else if (info.flush_reason == rocksdb::FlushReason::kWriteBufferManager) {
    c->memory_budget_flushes.fetch_add(1, std::memory_order_relaxed);
  }
}

void AccountingListener::OnCompactionCompleted(rocksdb::DB* db,
                                               const rocksdb::CompactionJobInfo& info) {
  if (!info.status.ok()) return;
  DomainCounters* c = Find(info.cf_name);
  if (c == nullptr) return;
  // A trivial move keeps its files: every output file number is an input's.
  std::set<uint64_t> inputs;
  for (const auto& f : info.input_file_infos) inputs.insert(f.file_number);
  bool trivial = !info.output_file_infos.empty();
  for (const auto& f : info.output_file_infos) {
    if (inputs.count(f.file_number) == 0) trivial = false;
  }
  if (trivial) {
    // RocksDB reports no input bytes for a move; the files are still live.
    uint64_t bytes = 0;
    std::vector<rocksdb::LiveFileMetaData> live;
    db->GetLiveFilesMetaData(&live);
    for (const auto& f : live) {
      if (f.column_family_name == info.cf_name && inputs.count(f.file_number) != 0) {
        bytes += f.size;
      }
    }
    c->trivial_moves.fetch_add(info.output_file_infos.size(), std::memory_order_relaxed);
    c->trivial_move_bytes.fetch_add(bytes, std::memory_order_relaxed);
    return;
  }
  c->compactions.fetch_add(1, std::memory_order_relaxed);
  c->compaction_bytes_read.fetch_add(info.stats.total_input_bytes, std::memory_order_relaxed);
  if (info.base_input_level == 0 && info.output_level == 1) {
    // The input files' sizes are not in the info: their table properties'
    // data, index and filter sizes stand for them.
    std::vector<FileBytes> l0, l1;
    for (size_t i = 0; i < info.input_files.size() && i < info.input_file_infos.size(); ++i) {
      auto props = info.table_properties.find(info.input_files[i]);
      if (props == info.table_properties.end() || props->second == nullptr) continue;
      FileBytes f;
      if (!FileRecordStats::FromProperties(props->second->user_collected_properties, &f.first)) {
        continue;
      }
      f.second = props->second->data_size + props->second->index_size + props->second->filter_size;
      (info.input_file_infos[i].level == 0 ? l0 : l1).push_back(std::move(f));
    }
    const LevelZeroRewrite r = LevelZeroRewriteOf(l0, l1);
    c->l0_compactions.fetch_add(1, std::memory_order_relaxed);
    c->l0_l1_rewritten_bytes.fetch_add(r.l1_bytes, std::memory_order_relaxed);
    c->l0_l1_for_others_bytes.fetch_add(r.for_others, std::memory_order_relaxed);
  }
}

}  // namespace metakv
