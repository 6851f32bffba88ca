#include "tests/testutil.h"

#include <cstdlib>
#include <filesystem>
#include <stdexcept>
#include <string>

namespace metakv::test {

TempDir::TempDir() {
  const char* base = std::getenv("TMPDIR");
  std::string templ = std::string(base && *base ? base : "/tmp") + "/metakv-test-XXXXXX";
  if (mkdtemp(templ.data()) == nullptr) throw std::runtime_error("mkdtemp failed: " + templ);
  path_ = templ;
}

TempDir::~TempDir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

Options SmallOptions(std::shared_ptr<Clock> clock) {
  Options options;
  options.create_if_missing = true;
  options.clock = clock ? std::move(clock) : std::make_shared<ManualClock>();
  options.domains = FileSystemDomains();
  for (auto& d : options.domains) {
    d.write_buffer_bytes = 64 << 10;
    d.max_write_buffer_bytes = 1 << 20;
    d.target_file_size_bytes = 64 << 10;
    d.max_bytes_for_level_base = 256 << 10;
    d.level0_compaction_trigger = 2;
    // Every IngestCold group becomes a file, as tests of the file path
    // expect; tests of the buffered path for small groups set their own.
    d.ingest_min_bytes = 0;
  }
  options.memory_budget_bytes = 16 << 20;
  return options;
}

}  // namespace metakv::test
