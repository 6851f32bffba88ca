// Helpers shared by the test suites: temporary directories and small-LSM
// options so a real RocksDB gets deep in seconds.
#ifndef METAKV_TESTS_TESTUTIL_H_
#define METAKV_TESTS_TESTUTIL_H_

#include <memory>
#include <string>

#include "metakv/filesystem.h"
#include "metakv/options.h"
#include "metakv/testing.h"

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

// Options with the file-system model's domains scaled down: 64 KiB
// memtables, 64 KiB files, 256 KiB L1, L0 trigger 2; create_if_missing set;
// the given clock (a ManualClock if null).
Options SmallOptions(std::shared_ptr<Clock> clock = nullptr);

}  // namespace metakv::test

#endif  // METAKV_TESTS_TESTUTIL_H_
