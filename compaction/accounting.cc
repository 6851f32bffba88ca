#include "compaction/accounting.h"

namespace metakv {

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
  switch (info.reason) {
    case rocksdb::TableFileCreationReason::kFlush:
    case rocksdb::TableFileCreationReason::kRecovery:
      c->flush_bytes.fetch_add(info.file_size, std::memory_order_relaxed);
      break;
    case rocksdb::TableFileCreationReason::kCompaction:
      c->compaction_bytes_written.fetch_add(info.file_size, std::memory_order_relaxed);
      break;
    default:
      break;
  }
}

void AccountingListener::OnFlushCompleted(rocksdb::DB*, const rocksdb::FlushJobInfo& info) {
  if (DomainCounters* c = Find(info.cf_name)) c->flushes.fetch_add(1, std::memory_order_relaxed);
}

void AccountingListener::OnCompactionCompleted(rocksdb::DB*,
                                               const rocksdb::CompactionJobInfo& info) {
  if (!info.status.ok()) return;
  DomainCounters* c = Find(info.cf_name);
  if (c == nullptr) return;
  c->compactions.fetch_add(1, std::memory_order_relaxed);
  c->compaction_bytes_read.fetch_add(info.stats.total_input_bytes, std::memory_order_relaxed);
}

}  // namespace metakv
