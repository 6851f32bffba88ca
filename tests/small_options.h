// Small-LSM store options, so a real RocksDB gets deep in seconds: shared
// by the test suites and the fuzz targets (library metakv_testing, which
// uses no GoogleTest).
#ifndef METAKV_TESTS_SMALL_OPTIONS_H_
#define METAKV_TESTS_SMALL_OPTIONS_H_

#include <memory>

#include "metakv/options.h"

namespace metakv::test {

// Scales one domain's LSM down: 64 KiB memtables (1 MiB at most), 64 KiB
// files, 256 KiB L1, L0 trigger 2.
void ScaleDownDomain(DomainOptions* domain);

// Options with the file-system model's domains scaled down
// (ScaleDownDomain), every IngestCold group a file; create_if_missing set;
// the given clock (a ManualClock if null).
Options SmallOptions(std::shared_ptr<Clock> clock = nullptr);

}  // namespace metakv::test

#endif  // METAKV_TESTS_SMALL_OPTIONS_H_
