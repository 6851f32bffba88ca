#include "fuzz/fuzz_util.h"

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>

namespace metakv::fuzz {

namespace fs = std::filesystem;

void CheckFailed(const char* file, int line, const char* what, const std::string& detail) {
  std::fprintf(stderr, "fuzz check failed: %s:%d: %s: %s\n", file, line, what, detail.c_str());
  std::fflush(stderr);
  std::abort();
}

namespace {

std::string MakeScratchDir() {
  std::string base;
  if (const char* e = std::getenv("FUZZ_TMPDIR"); e != nullptr && *e != '\0') {
    base = e;
  } else if (access("/dev/shm", W_OK) == 0) {
    base = "/dev/shm";
  } else if (const char* t = std::getenv("TMPDIR"); t != nullptr && *t != '\0') {
    base = t;
  } else {
    base = "/tmp";
  }
  std::string templ = base + "/metakv-fuzz-XXXXXX";
  if (mkdtemp(templ.data()) == nullptr) {
    CheckFailed(__FILE__, __LINE__, "mkdtemp", templ);
  }
  return templ;
}

struct Scratch {
  std::string path = MakeScratchDir();
  ~Scratch() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
};

}  // namespace

const std::string& ScratchDir() {
  static Scratch scratch;
  return scratch.path;
}

InputDir::InputDir() {
  static uint64_t next = 0;
  path_ = ScratchDir() + "/in" + std::to_string(next++);
  std::error_code ec;
  fs::remove_all(path_, ec);
  fs::create_directories(path_, ec);
  if (ec) CheckFailed(__FILE__, __LINE__, "create_directories", path_ + ": " + ec.message());
}

InputDir::~InputDir() {
  std::error_code ec;
  fs::remove_all(path_, ec);
}

void WriteFileOrDie(const std::string& path, std::string_view bytes) {
  std::ofstream f(path, std::ios::binary | std::ios::trunc);
  f.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  f.close();
  if (!f) CheckFailed(__FILE__, __LINE__, "write", path);
}

ArgV::ArgV(std::vector<std::string> args) {
  args_.reserve(args.size() + 1);
  args_.push_back("prog");
  for (auto& a : args) args_.push_back(std::move(a));
  for (auto& a : args_) ptrs_.push_back(a.data());
  ptrs_.push_back(nullptr);
}

std::vector<std::string> SplitArgs(std::string_view bytes, size_t max_args) {
  std::vector<std::string> out;
  size_t begin = 0;
  while (begin < bytes.size() && out.size() < max_args) {
    size_t nl = bytes.find('\n', begin);
    if (nl == std::string_view::npos) nl = bytes.size();
    out.emplace_back(bytes.substr(begin, nl - begin));
    begin = nl + 1;
  }
  return out;
}

}  // namespace metakv::fuzz
