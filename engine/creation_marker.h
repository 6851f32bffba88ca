// The creation marker: a file that exists in the database directory only
// while Open creates a new store. RocksDB creates the database before metakv
// writes its catalogue, so a crash in between leaves a database without a
// catalogue; with the marker beside it, the next Open finishes the creation
// instead of refusing the directory as a foreign RocksDB database.
#ifndef METAKV_ENGINE_CREATION_MARKER_H_
#define METAKV_ENGINE_CREATION_MARKER_H_

#include <string>

#include "metakv/status.h"

namespace rocksdb {
class FileSystem;
}

namespace metakv {

// Every function does its I/O through fs, the file system of the store's
// Env (Options::rocksdb_env), so fault-injection file systems see it.

// Creates the directory (not its parents, as RocksDB would) and the
// creation marker in it, durably: the marker, the directory and the
// directory's entry in its parent are synced.
Status MarkCreating(rocksdb::FileSystem* fs, const std::string& path);

// True if the marker is present: a creation began and did not finish.
bool CreationInterrupted(rocksdb::FileSystem* fs, const std::string& path);

// Removes the marker (if any) once the store is complete, durably.
Status UnmarkCreating(rocksdb::FileSystem* fs, const std::string& path);

// The first RocksDB file found in a directory without a CURRENT file: a
// table, a WAL, or (unless a creation was interrupted, when RocksDB may
// have written it just before CURRENT) a MANIFEST. Empty if none.
std::string DatabaseFileWithoutCurrent(rocksdb::FileSystem* fs, const std::string& path,
                                       bool creating);

// Syncs a directory (its entries) through fs.
Status SyncDirectory(rocksdb::FileSystem* fs, const std::string& dir);

}  // namespace metakv

#endif  // METAKV_ENGINE_CREATION_MARKER_H_
