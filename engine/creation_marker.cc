// The creation marker (engine/creation_marker.h).
#include "engine/creation_marker.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

namespace metakv {

namespace fs = std::filesystem;

namespace {

constexpr const char* kCreatingMarker = "METAKV-CREATING";

std::string MarkerPath(const std::string& path) { return path + "/" + kCreatingMarker; }

Status SyncDir(const std::string& dir) {
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return Status::IOError(dir + ": " + std::strerror(errno));
  const int rc = ::fsync(fd);
  const int err = errno;
  ::close(fd);
  return rc == 0 ? Status::OK() : Status::IOError(dir + ": fsync: " + std::strerror(err));
}

}  // namespace

// Creates the directory (not its parents, as RocksDB would) and the
// creation marker in it, durably.
Status MarkCreating(const std::string& path) {
  std::error_code ec;
  fs::create_directory(path, ec);
  if (ec) return Status::IOError(path + ": " + ec.message());
  const std::string marker = MarkerPath(path);
  const int fd = ::open(marker.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) return Status::IOError(marker + ": " + std::strerror(errno));
  const int rc = ::fsync(fd);
  const int err = errno;
  ::close(fd);
  if (rc != 0) return Status::IOError(marker + ": fsync: " + std::strerror(err));
  return SyncDir(path);
}

bool CreationInterrupted(const std::string& path) {
  std::error_code ec;
  return fs::exists(MarkerPath(path), ec);
}

// Removes the marker (if any) once the store is complete, durably.
Status UnmarkCreating(const std::string& path) {
  if (!CreationInterrupted(path)) return Status::OK();
  std::error_code ec;
  fs::remove(MarkerPath(path), ec);
  if (ec) return Status::IOError(MarkerPath(path) + ": " + ec.message());
  return SyncDir(path);
}

// The first RocksDB file found in a directory without a CURRENT file: a
// table, a WAL, or (unless a creation was interrupted, when RocksDB may
// have written it just before CURRENT) a MANIFEST. Empty if none.
std::string DatabaseFileWithoutCurrent(const std::string& path, bool creating) {
  std::error_code ec;
  for (fs::directory_iterator it(path, ec), end; !ec && it != end; it.increment(ec)) {
    const std::string name = it->path().filename().string();
    const std::string ext = it->path().extension().string();
    if (ext == ".sst" || ext == ".ldb" || ext == ".log") return name;
    if (!creating && name.rfind("MANIFEST-", 0) == 0) return name;
  }
  return {};
}

}  // namespace metakv
