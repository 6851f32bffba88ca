// The structs behind the C API's opaque handles (include/metakv/c.h).
// Internal: the C API's own files and code built beside the library that
// must reach the C++ object behind a handle (the Go package's C++
// comparison benchmarks) include it; users never see it.
#ifndef METAKV_CAPI_C_HANDLES_H_
#define METAKV_CAPI_C_HANDLES_H_

#include <memory>
#include <string>
#include <vector>

#include "metakv/c.h"
#include "metakv/options.h"
#include "metakv/store.h"
#include "metakv/testing.h"
#include "metakv/write_batch.h"

struct metakv_t {
  std::unique_ptr<metakv::Store> rep;
};

// Options setters cannot report a bad value (an unknown enum value): the
// handle keeps the first one in error, and metakv_open fails with it.
struct metakv_domain_options_t {
  metakv::DomainOptions rep;
  std::string error;
};

// rep.domains stays empty: the declared domains live in domains (so that
// metakv_options_get_domain can hand out handles), and metakv_open copies
// them in.
struct metakv_options_t {
  metakv::Options rep;
  std::vector<metakv_domain_options_t> domains;
  std::string error;
};

struct metakv_readoptions_t {
  metakv::ReadOptions rep;
};

struct metakv_writeoptions_t {
  metakv::WriteOptions rep;
};

// A batch, with the first bad argument an add could not report.
struct metakv_writebatch_t {
  metakv::WriteBatch rep;
  std::string error;
};

struct metakv_coldbatch_t {
  std::vector<metakv::ColdRecord> rep;
  std::string error;
};

struct metakv_scanspec_t {
  metakv::ScanSpec rep;
  std::string error;
};

struct metakv_iterator_t {
  std::unique_ptr<metakv::Iterator> rep;
  std::string tenant;    // the scan's tenant; empty: a whole-domain scan
  metakv::Status error;  // a bad seek argument, until the next move
};

struct metakv_snapshot_t {
  const metakv::Snapshot* rep;
};

struct metakv_maintenance_options_t {
  metakv::MaintenanceOptions rep;
};

struct metakv_clock_t {
  std::shared_ptr<metakv::ManualClock> rep;
};

#endif  // METAKV_CAPI_C_HANDLES_H_
