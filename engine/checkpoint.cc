// Store::CreateCheckpoint: RocksDB's Checkpoint (hard links where the file
// system allows, copies otherwise) plus metakv's own file, the time bound.
#include <rocksdb/utilities/checkpoint.h>

#include <filesystem>
#include <memory>

#include "engine/rocksdb_util.h"
#include "engine/store_clock.h"
#include "engine/store_impl.h"

namespace metakv {

Status StoreImpl::CreateCheckpoint(std::string_view dir_view) {
  Status s = CheckWritable();
  if (!s.ok()) return s;
  const std::string dir(dir_view);
  if (dir.empty()) return Status::InvalidArgument("CreateCheckpoint: empty directory");
  std::error_code ec;
  if (std::filesystem::exists(dir, ec)) {
    return Status::InvalidArgument(dir +
                                   ": CreateCheckpoint needs a directory that does not exist");
  }
  rocksdb::Checkpoint* raw = nullptr;
  s = FromRocks(rocksdb::Checkpoint::Create(db_.get(), &raw), "checkpoint");
  if (!s.ok()) return s;
  std::unique_ptr<rocksdb::Checkpoint> checkpoint(raw);
  // Everything metakv keeps in RocksDB comes along: the domains' records,
  // the catalogue and the pending removals, all of one moment (RocksDB
  // copies the live WAL with the files; log_size_for_flush 0 flushes the
  // memtables first, so the copy replays little).
  s = FromRocks(checkpoint->CreateCheckpoint(dir, /*log_size_for_flush=*/0), dir + ": checkpoint");
  if (!s.ok()) return s;
  // The time bound: every stamp in the copy is at most the bound persisted
  // now, so the copy's time never runs back behind its records. Held under
  // time_mu_ so that no renewal writes the file half-way.
  std::lock_guard<std::mutex> lock(time_mu_);
  uint64_t bound = 0, max_write = 0;
  bool found = false;
  s = StoreClock::ReadBound(db_->GetEnv(), path_, &bound, &max_write, &found);
  if (s.ok() && found) s = StoreClock::WriteBound(db_->GetEnv(), dir, bound, max_write);
  return s;
}

}  // namespace metakv
