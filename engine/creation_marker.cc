// The creation marker (engine/creation_marker.h).
#include "engine/creation_marker.h"

#include <rocksdb/file_system.h>

#include <filesystem>
#include <memory>
#include <vector>

#include "engine/rocksdb_util.h"

namespace metakv {

namespace {

constexpr const char* kCreatingMarker = "METAKV-CREATING";

std::string MarkerPath(const std::string& path) { return path + "/" + kCreatingMarker; }

// The directory holding path ("." for a relative name without one).
std::string ParentOf(const std::string& path) {
  std::filesystem::path p = std::filesystem::path(path).lexically_normal();
  if (!p.has_filename()) p = p.parent_path();  // "db/" names db
  const std::string parent = p.parent_path().string();
  return parent.empty() ? "." : parent;
}

}  // namespace

Status SyncDirectory(rocksdb::FileSystem* fs, const std::string& dir) {
  std::unique_ptr<rocksdb::FSDirectory> d;
  rocksdb::IOStatus s = fs->NewDirectory(dir, rocksdb::IOOptions(), &d, nullptr);
  if (s.ok()) s = d->Fsync(rocksdb::IOOptions(), nullptr);
  if (d != nullptr) d->Close(rocksdb::IOOptions(), nullptr).PermitUncheckedError();
  return FromRocks(s, dir + ": syncing the directory");
}

Status MarkCreating(rocksdb::FileSystem* fs, const std::string& path) {
  const rocksdb::IOOptions io;
  Status s = FromRocks(fs->CreateDirIfMissing(path, io, nullptr), path);
  // The store's own entry in its parent: without it a power cut may take
  // the whole new directory, with every synced write made in it.
  if (s.ok()) s = SyncDirectory(fs, ParentOf(path));
  if (!s.ok()) return s;
  const std::string marker = MarkerPath(path);
  std::unique_ptr<rocksdb::FSWritableFile> f;
  rocksdb::IOStatus io_s = fs->NewWritableFile(marker, rocksdb::FileOptions(), &f, nullptr);
  if (io_s.ok()) io_s = f->Sync(io, nullptr);
  if (io_s.ok()) io_s = f->Close(io, nullptr);
  s = FromRocks(io_s, marker);
  return s.ok() ? SyncDirectory(fs, path) : s;
}

bool CreationInterrupted(rocksdb::FileSystem* fs, const std::string& path) {
  return fs->FileExists(MarkerPath(path), rocksdb::IOOptions(), nullptr).ok();
}

Status UnmarkCreating(rocksdb::FileSystem* fs, const std::string& path) {
  if (!CreationInterrupted(fs, path)) return Status::OK();
  Status s = FromRocks(fs->DeleteFile(MarkerPath(path), rocksdb::IOOptions(), nullptr),
                    MarkerPath(path));
  return s.ok() ? SyncDirectory(fs, path) : s;
}

std::string DatabaseFileWithoutCurrent(rocksdb::FileSystem* fs, const std::string& path,
                                       bool creating) {
  std::vector<std::string> children;
  if (!fs->GetChildren(path, rocksdb::IOOptions(), &children, nullptr).ok()) return {};
  for (const std::string& name : children) {
    const std::string ext = std::filesystem::path(name).extension().string();
    if (ext == ".sst" || ext == ".ldb" || ext == ".log") return name;
    if (!creating && name.rfind("MANIFEST-", 0) == 0) return name;
  }
  return {};
}

}  // namespace metakv
