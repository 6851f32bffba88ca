#include "tests/small_options.h"

#include <utility>

#include "metakv/filesystem.h"
#include "metakv/testing.h"

namespace metakv::test {

void ScaleDownDomain(DomainOptions* domain) {
  domain->write_buffer_bytes = 64 << 10;
  domain->max_write_buffer_bytes = 1 << 20;
  domain->target_file_size_bytes = 64 << 10;
  domain->max_bytes_for_level_base = 256 << 10;
  domain->level0_compaction_trigger = 2;
}

Options SmallOptions(std::shared_ptr<Clock> clock) {
  Options options;
  options.create_if_missing = true;
  options.clock = clock ? std::move(clock) : std::make_shared<ManualClock>();
  options.domains = FileSystemDomains();
  for (auto& d : options.domains) {
    ScaleDownDomain(&d);
    // Every IngestCold group becomes a file, as tests of the file path
    // expect; tests of the buffered path for small groups set their own.
    d.ingest_min_bytes = 0;
  }
  options.memory_budget_bytes = 16 << 20;
  // Tests move the clock by days; a stats dump at each jump would only add
  // background work. The tests of the dump turn it on.
  options.stats_dump_period_seconds = 0;
  return options;
}

}  // namespace metakv::test
