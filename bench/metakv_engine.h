// The "metakv" engine: a metakv::Store with one hot domain, "inode",
// configured from the flags (write_buffer_bytes, target_file_size_bytes,
// max_bytes_for_level_base, compression and bottommost_compression; other
// domain options at their defaults) and Options::memory_budget_bytes =
// --memory_budget. Records are written with Store::Put, read with
// Store::Get, deleted with the logical Store::Delete and scanned with a
// tenant-scoped Store::NewIterator, under (tenant, user key). Device bytes
// are the Store's flush, compaction and ingest totals from GetStats; WAL
// bytes are Stats::wal_bytes_written.
//
// Bulk deletes (rmtree, rmtenant) are Store::RemoveTree, RestoreTree,
// RemoveTenant and RunMaintenance(MaintenanceOptions::PurgeDeadlineOnly(0)), with Options::
// purge_deadline_seconds = --purge_deadline_seconds. StoredBytes is the
// Store's own estimate, Store::GetApproximateSize, summed over the tree's
// prefixes.
#ifndef METAKV_BENCH_METAKV_ENGINE_H_
#define METAKV_BENCH_METAKV_ENGINE_H_

#include <memory>
#include <string>

#include "bench/engine.h"
#include "bench/flags.h"
#include "metakv/filesystem.h"

namespace metakv::bench {

// The domains of the metakv engine are the file-system model's
// (metakv/filesystem.h): the simple workloads write "inode"; metamix writes
// all three ("history" is cold).
inline constexpr std::string_view kBenchDomain = kInodeDomain;

// Opens (creating) a metakv store in dir; the Store's error on failure.
Status OpenMetakvEngine(const BenchConfig& config, const std::string& dir,
                        std::unique_ptr<Engine>* out);

}  // namespace metakv::bench

#endif  // METAKV_BENCH_METAKV_ENGINE_H_
