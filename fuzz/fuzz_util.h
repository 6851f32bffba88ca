// Helpers shared by the fuzz targets: a scratch directory per process,
// command lines built from fuzzer bytes, and a check macro that aborts (so
// libFuzzer records the input as a crash).
// Not thread-safe: a fuzz target runs one input at a time.
#ifndef METAKV_FUZZ_FUZZ_UTIL_H_
#define METAKV_FUZZ_FUZZ_UTIL_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace metakv::fuzz {

// Prints "fuzz check failed: <file>:<line>: <what>: <detail>" and aborts.
[[noreturn]] void CheckFailed(const char* file, int line, const char* what,
                              const std::string& detail);

#define FUZZ_CHECK(cond, detail)                                                   \
  do {                                                                             \
    if (!(cond)) ::metakv::fuzz::CheckFailed(__FILE__, __LINE__, #cond, (detail)); \
  } while (0)

// A directory private to this process, created on first use under
// $FUZZ_TMPDIR, else /dev/shm (fsync is free there), else $TMPDIR or /tmp;
// removed with its contents at exit.
const std::string& ScratchDir();

// A fresh empty directory inside ScratchDir() for one input; removed (with
// its contents) by the destructor.
class InputDir {
 public:
  InputDir();
  ~InputDir();
  InputDir(const InputDir&) = delete;
  InputDir& operator=(const InputDir&) = delete;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// Writes bytes to path (replacing it). Aborts on failure: the scratch
// directory is the harness's, not input.
void WriteFileOrDie(const std::string& path, std::string_view bytes);

// argv for a main-style entry point: argv[0] is "prog", then the given
// arguments; argv[argc] is null. The strings are owned by the object.
class ArgV {
 public:
  explicit ArgV(std::vector<std::string> args);
  int argc() const { return static_cast<int>(ptrs_.size()) - 1; }
  char** argv() { return ptrs_.data(); }

 private:
  std::vector<std::string> args_;
  std::vector<char*> ptrs_;
};

// Splits bytes at '\n' into arguments (a trailing newline ends the last
// one rather than starting an empty one), at most max_args of them.
std::vector<std::string> SplitArgs(std::string_view bytes, size_t max_args);

}  // namespace metakv::fuzz

#endif  // METAKV_FUZZ_FUZZ_UTIL_H_
