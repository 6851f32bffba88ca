// metakv::RepairStore: salvage a store that Store::Open refuses because
// RocksDB's own files are damaged (a damaged or missing MANIFEST, a missing
// or unreadable SST file, a damaged WAL).
#ifndef METAKV_REPAIR_H_
#define METAKV_REPAIR_H_

#include <string_view>

#include "metakv/options.h"
#include "metakv/status.h"

namespace metakv {

// Rebuilds the store's metadata at path from the files that remain, over
// rocksdb::RepairDB with the store's domains and their options (and
// options.rocksdb_env): every SST file that reads through to its end is
// kept (a file with one damaged block, or cut short, is set aside whole,
// its undamaged blocks included), every WAL is replayed into new SST files
// (as far as it is readable), and a new MANIFEST is written. Afterwards
// Store::Open with the same options opens the store.
//
// RocksDB's repair replays a WAL only into the domains it finds SST files
// of, so RepairStore first flushes every domain if RocksDB can still open
// the store (a damaged SST file, say). Where it cannot (a damaged or
// missing MANIFEST), the WAL records of a domain that has no SST file at
// all (never flushed) are lost.
//
// What it costs: records held only in a file that is missing or unreadable
// are lost, and where such a file held the newest version of a record, the
// next older version (in other files) becomes visible again: a logically
// deleted, hard deleted or overwritten record can come back. Files RocksDB
// cannot use are moved to path/lost/, not deleted. Run it only on a closed
// store (it takes the database lock: IOError if a Store has it open), and
// keep a copy of the directory first if the data matters.
//
// Errors: InvalidArgument for bad options or a path without a directory;
// otherwise what RocksDB's repair reports (IOError, Corruption), naming
// path.
Status RepairStore(const Options& options, std::string_view path);

}  // namespace metakv

#endif  // METAKV_REPAIR_H_
