// Helpers shared by the test suites: temporary directories, and (from
// tests/small_options.h) small-LSM options so a real RocksDB gets deep in
// seconds.
#ifndef METAKV_TESTS_TESTUTIL_H_
#define METAKV_TESTS_TESTUTIL_H_

#include <string>

#include "metakv/filesystem.h"
#include "metakv/store.h"
#include "metakv/testing.h"
#include "tests/small_options.h"

namespace metakv::test {

// A fresh directory under $TMPDIR (or /tmp), removed with its contents when
// the object is destroyed.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }
  // path()/name
  std::string Sub(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

// Store::RunMaintenance with the purge deadline alone, at age 0 (every
// purgeable record now); *compactions gets the compactions it ran.
inline Status PurgeDeadlineNow(Store* store, uint64_t* compactions) {
  MaintenanceResult done;
  Status s = store->RunMaintenance(MaintenanceOptions::PurgeDeadlineOnly(0), &done);
  *compactions = done.deadline_compactions;
  return s;
}

// Store::RunMaintenance with the drop of purgeable files alone, of one
// domain; *files gets the files it compacted away.
inline Status DropPurgeableFilesNow(Store* store, std::string_view domain, uint64_t* files) {
  MaintenanceResult done;
  Status s = store->RunMaintenance(MaintenanceOptions::DropPurgeableFilesOnly(domain), &done);
  *files = done.purgeable_files_dropped;
  return s;
}

}  // namespace metakv::test

#endif  // METAKV_TESTS_TESTUTIL_H_
