// The C API's option handles: store and domain options, read and write
// options, scan specs, maintenance options and the manual clock.
#include <limits>
#include <string>

#include "capi/c_handles.h"
#include "capi/c_util.h"
#include "metakv/filesystem.h"

using metakv::capi::OptionalCString;

namespace {

// Sets *out from an enum value in [0, max]; otherwise keeps the first bad
// value's description in *error.
template <typename Enum>
void SetEnum(int v, int max, const char* what, Enum* out, std::string* error) {
  if (v >= 0 && v <= max) {
    *out = static_cast<Enum>(v);
  } else if (error->empty()) {
    *error =
        std::string(what) + " " + std::to_string(v) + " is not one of 0 to " + std::to_string(max);
  }
}

bool Bool(unsigned char v) { return v != 0; }
unsigned char Uchar(bool v) { return v ? 1 : 0; }
template <typename T>
T Same(T v) {
  return v;
}

}  // namespace

extern "C" {

// ---- Clock ----

metakv_clock_t* metakv_manual_clock_create(uint64_t now_micros) {
  return new metakv_clock_t{std::make_shared<metakv::ManualClock>(now_micros)};
}
void metakv_manual_clock_destroy(metakv_clock_t* clock) { delete clock; }
void metakv_manual_clock_set_micros(metakv_clock_t* clock, uint64_t micros) {
  if (clock != nullptr) clock->rep->SetMicros(micros);
}
void metakv_manual_clock_advance_seconds(metakv_clock_t* clock, uint64_t seconds) {
  if (clock != nullptr) clock->rep->AdvanceSeconds(seconds);
}
uint64_t metakv_clock_now_micros(const metakv_clock_t* clock) {
  return clock == nullptr ? 0 : clock->rep->NowMicros();
}

// ---- Domain options ----

metakv_domain_options_t* metakv_domain_options_create(const char* name) {
  auto* d = new metakv_domain_options_t;
  d->rep.name = std::string(OptionalCString(name));
  return d;
}
void metakv_domain_options_destroy(metakv_domain_options_t* domain) { delete domain; }
const char* metakv_domain_options_get_name(const metakv_domain_options_t* d) {
  return d == nullptr ? "" : d->rep.name.c_str();
}

// A setter and a getter per enum field: values outside [0, max] are kept
// in error for metakv_open to report.
#define METAKV_DOMAIN_ENUM(field, max, what)                                  \
  void metakv_domain_options_set_##field(metakv_domain_options_t* d, int v) { \
    if (d != nullptr) SetEnum(v, max, what, &d->rep.field, &d->error);        \
  }                                                                           \
  int metakv_domain_options_get_##field(const metakv_domain_options_t* d) {   \
    return d == nullptr ? 0 : static_cast<int>(d->rep.field);                 \
  }
METAKV_DOMAIN_ENUM(temperature, 1, "temperature")
METAKV_DOMAIN_ENUM(cold_layout, 1, "cold layout")
METAKV_DOMAIN_ENUM(compression, 3, "compression")
METAKV_DOMAIN_ENUM(bottommost_compression, 3, "bottommost compression")
#undef METAKV_DOMAIN_ENUM

// A setter and a getter per plain field; a NULL handle: the setter does
// nothing and the getter returns 0.
#define METAKV_DOMAIN_FIELD(field, ctype, to_rep, from_rep)                     \
  void metakv_domain_options_set_##field(metakv_domain_options_t* d, ctype v) { \
    if (d != nullptr) d->rep.field = to_rep(v);                                 \
  }                                                                             \
  ctype metakv_domain_options_get_##field(const metakv_domain_options_t* d) {   \
    return d == nullptr ? static_cast<ctype>(0) : from_rep(d->rep.field);       \
  }

METAKV_DOMAIN_FIELD(tombstone_retention_seconds, uint64_t, Same, Same)
METAKV_DOMAIN_FIELD(tenant_shards, uint32_t, Same, Same)
METAKV_DOMAIN_FIELD(default_ttl_seconds, uint64_t, Same, Same)
METAKV_DOMAIN_FIELD(write_buffer_bytes, uint64_t, Same, Same)
METAKV_DOMAIN_FIELD(min_write_buffer_bytes, uint64_t, Same, Same)
METAKV_DOMAIN_FIELD(max_write_buffer_bytes, uint64_t, Same, Same)
METAKV_DOMAIN_FIELD(adaptive_write_buffer, unsigned char, Bool, Uchar)
METAKV_DOMAIN_FIELD(level0_compaction_trigger, int, Same, Same)
METAKV_DOMAIN_FIELD(adaptive_level0_trigger, unsigned char, Bool, Uchar)
METAKV_DOMAIN_FIELD(target_file_size_bytes, uint64_t, Same, Same)
METAKV_DOMAIN_FIELD(max_bytes_for_level_base, uint64_t, Same, Same)
METAKV_DOMAIN_FIELD(zstd_dictionary_bytes, uint32_t, Same, Same)
METAKV_DOMAIN_FIELD(bloom_bits_per_key, int, Same, Same)
METAKV_DOMAIN_FIELD(block_bytes, uint32_t, Same, Same)
METAKV_DOMAIN_FIELD(purge_in_compaction, unsigned char, Bool, Uchar)
METAKV_DOMAIN_FIELD(merge_small_files, unsigned char, Bool, Uchar)
METAKV_DOMAIN_FIELD(small_file_budget, uint64_t, Same, Same)
METAKV_DOMAIN_FIELD(ingest_min_bytes, uint64_t, Same, Same)
METAKV_DOMAIN_FIELD(partition_by_tenant, unsigned char, Bool, Uchar)
METAKV_DOMAIN_FIELD(partition_min_file_fraction, double, Same, Same)
METAKV_DOMAIN_FIELD(large_tenant_bytes, uint64_t, Same, Same)
#undef METAKV_DOMAIN_FIELD

// ---- Store options ----

metakv_options_t* metakv_options_create(void) { return new metakv_options_t; }
void metakv_options_destroy(metakv_options_t* options) { delete options; }

void metakv_options_use_filesystem_domains(metakv_options_t* o) {
  if (o == nullptr) return;
  for (metakv::DomainOptions& d : metakv::FileSystemDomains()) {
    o->domains.push_back(metakv_domain_options_t{std::move(d), std::string()});
  }
}
void metakv_options_add_domain(metakv_options_t* o, const metakv_domain_options_t* domain) {
  if (o == nullptr) return;
  if (domain == nullptr) {
    if (o->error.empty()) o->error = "metakv_options_add_domain: domain is NULL";
    return;
  }
  o->domains.push_back(*domain);
}
size_t metakv_options_domain_count(const metakv_options_t* o) {
  return o == nullptr ? 0 : o->domains.size();
}
const metakv_domain_options_t* metakv_options_get_domain(const metakv_options_t* o, size_t i) {
  return o == nullptr || i >= o->domains.size() ? nullptr : &o->domains[i];
}
void metakv_options_set_clock(metakv_options_t* o, const metakv_clock_t* clock) {
  if (o != nullptr) o->rep.clock = clock == nullptr ? nullptr : clock->rep;
}
void metakv_options_set_wal_recovery_mode(metakv_options_t* o, int mode) {
  if (o != nullptr) SetEnum(mode, 3, "WAL recovery mode", &o->rep.wal_recovery_mode, &o->error);
}

#define METAKV_OPTIONS_SETTER(field, ctype, to_rep)               \
  void metakv_options_set_##field(metakv_options_t* o, ctype v) { \
    if (o != nullptr) o->rep.field = to_rep(v);                   \
  }

METAKV_OPTIONS_SETTER(create_if_missing, unsigned char, Bool)
METAKV_OPTIONS_SETTER(error_if_exists, unsigned char, Bool)
METAKV_OPTIONS_SETTER(read_only, unsigned char, Bool)
METAKV_OPTIONS_SETTER(create_missing_domains, unsigned char, Bool)
METAKV_OPTIONS_SETTER(max_key_bytes, size_t, Same)
METAKV_OPTIONS_SETTER(max_value_bytes, size_t, Same)
METAKV_OPTIONS_SETTER(memory_budget_bytes, uint64_t, Same)
METAKV_OPTIONS_SETTER(memtable_budget_fraction, double, Same)
METAKV_OPTIONS_SETTER(max_background_jobs, int, Same)
METAKV_OPTIONS_SETTER(enable_statistics, unsigned char, Bool)
METAKV_OPTIONS_SETTER(info_log_level, int, Same)
METAKV_OPTIONS_SETTER(maintenance_interval_seconds, uint64_t, Same)
METAKV_OPTIONS_SETTER(flush_controller_interval_seconds, uint64_t, Same)
METAKV_OPTIONS_SETTER(purge_deadline_seconds, uint64_t, Same)
METAKV_OPTIONS_SETTER(stats_dump_period_seconds, uint64_t, Same)
METAKV_OPTIONS_SETTER(stats_top_tenants, size_t, Same)
METAKV_OPTIONS_SETTER(record_domain_settings, unsigned char, Bool)
#undef METAKV_OPTIONS_SETTER

void metakv_options_set_secondary_path(metakv_options_t* o, const char* path) {
  if (o != nullptr) o->rep.secondary_path = std::string(OptionalCString(path));
}

// ---- Read and write options ----

metakv_readoptions_t* metakv_readoptions_create(void) { return new metakv_readoptions_t; }
void metakv_readoptions_destroy(metakv_readoptions_t* o) { delete o; }
void metakv_readoptions_set_snapshot(metakv_readoptions_t* o, const metakv_snapshot_t* snap) {
  if (o != nullptr) o->rep.snapshot = snap == nullptr ? nullptr : snap->rep;
}
void metakv_readoptions_set_verify_checksums(metakv_readoptions_t* o, unsigned char v) {
  if (o != nullptr) o->rep.verify_checksums = Bool(v);
}
void metakv_readoptions_set_fill_cache(metakv_readoptions_t* o, unsigned char v) {
  if (o != nullptr) o->rep.fill_cache = Bool(v);
}

metakv_writeoptions_t* metakv_writeoptions_create(void) { return new metakv_writeoptions_t; }
void metakv_writeoptions_destroy(metakv_writeoptions_t* o) { delete o; }
void metakv_writeoptions_set_sync(metakv_writeoptions_t* o, unsigned char v) {
  if (o != nullptr) o->rep.sync = Bool(v);
}

void metakv_writeoptions_set_applied_index(metakv_writeoptions_t* o, uint64_t term,
                                           uint64_t index) {
  if (o != nullptr) o->rep.applied_index = metakv::AppliedIndex{term, index};
}

// ---- Scan specs ----

metakv_scanspec_t* metakv_scanspec_create(void) { return new metakv_scanspec_t; }
void metakv_scanspec_destroy(metakv_scanspec_t* s) { delete s; }

// A bad argument is kept in error, and creating an iterator fails with it.
#define METAKV_SCANSPEC_BYTES(name, field)                                           \
  void metakv_scanspec_set_##name(metakv_scanspec_t* s, const char* p, size_t n) {   \
    if (s == nullptr) return;                                                        \
    std::string_view bytes;                                                          \
    const metakv::Status st = metakv::capi::Bytes(p, n, "scan spec " #name, &bytes); \
    if (st.ok()) {                                                                   \
      s->rep.field = std::string(bytes);                                             \
    } else if (s->error.empty()) {                                                   \
      s->error = st.message();                                                       \
    }                                                                                \
  }
METAKV_SCANSPEC_BYTES(tenant, tenant)
METAKV_SCANSPEC_BYTES(prefix, prefix)
METAKV_SCANSPEC_BYTES(lower_bound, lower_bound)
METAKV_SCANSPEC_BYTES(upper_bound, upper_bound)
#undef METAKV_SCANSPEC_BYTES

void metakv_scanspec_set_deleted(metakv_scanspec_t* s, unsigned char v) {
  if (s != nullptr) s->rep.deleted = Bool(v);
}

// ---- Maintenance options ----

metakv_maintenance_options_t* metakv_maintenance_options_create(void) {
  return new metakv_maintenance_options_t;
}
void metakv_maintenance_options_destroy(metakv_maintenance_options_t* o) { delete o; }

#define METAKV_MAINTENANCE_SETTER(field, ctype, to_rep)                                   \
  void metakv_maintenance_options_set_##field(metakv_maintenance_options_t* o, ctype v) { \
    if (o != nullptr) o->rep.field = to_rep(v);                                           \
  }
METAKV_MAINTENANCE_SETTER(drop_purgeable_files, unsigned char, Bool)
METAKV_MAINTENANCE_SETTER(enforce_purge_deadline, unsigned char, Bool)
METAKV_MAINTENANCE_SETTER(purge_min_age_seconds, uint64_t, Same)
METAKV_MAINTENANCE_SETTER(merge_small_cold_files, unsigned char, Bool)
METAKV_MAINTENANCE_SETTER(refresh_large_tenants, unsigned char, Bool)
#undef METAKV_MAINTENANCE_SETTER

void metakv_maintenance_options_set_domain(metakv_maintenance_options_t* o, const char* domain) {
  if (o != nullptr) o->rep.domain = std::string(OptionalCString(domain));
}

}  // extern "C"
