// Helpers shared by the test suites: temporary directories, and (from
// tests/small_options.h) small-LSM options so a real RocksDB gets deep in
// seconds.
#ifndef METAKV_TESTS_TESTUTIL_H_
#define METAKV_TESTS_TESTUTIL_H_

#include <string>

#include "metakv/filesystem.h"
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

}  // namespace metakv::test

#endif  // METAKV_TESTS_TESTUTIL_H_
