// The creation marker: a file that exists in the database directory only
// while Open creates a new store. RocksDB creates the database before metakv
// writes its catalogue, so a crash in between leaves a database without a
// catalogue; with the marker beside it, the next Open finishes the creation
// instead of refusing the directory as a foreign RocksDB database.
#ifndef METAKV_ENGINE_CREATION_MARKER_H_
#define METAKV_ENGINE_CREATION_MARKER_H_

#include <string>

#include "metakv/status.h"

namespace metakv {

// Creates the directory (not its parents, as RocksDB would) and the
// creation marker in it, durably.
Status MarkCreating(const std::string& path);

// True if the marker is present: a creation began and did not finish.
bool CreationInterrupted(const std::string& path);

// Removes the marker (if any) once the store is complete, durably.
Status UnmarkCreating(const std::string& path);

// The first RocksDB file found in a directory without a CURRENT file: a
// table, a WAL, or (unless a creation was interrupted, when RocksDB may
// have written it just before CURRENT) a MANIFEST. Empty if none.
std::string DatabaseFileWithoutCurrent(const std::string& path, bool creating);

}  // namespace metakv

#endif  // METAKV_ENGINE_CREATION_MARKER_H_
