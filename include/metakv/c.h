/* metakv's C API, for callers that cannot use C++ (cgo, other FFIs).
 *
 * It follows the conventions of RocksDB's and LevelDB's c.h:
 *  - Every object is an opaque handle made by a _create (or metakv_open)
 *    call and freed by the matching _destroy (or metakv_close); the one
 *    plain struct is metakv_inode_attributes_t.
 *  - Keys, tenants, prefixes and values are a pointer plus a length; they
 *    may hold any bytes. A pointer may be NULL only when its length is 0.
 *    Domain names and property names are NUL-terminated strings.
 *  - Every call that can fail takes `char** errptr` as its last argument.
 *    *errptr should be NULL on entry. On failure the call stores a message
 *    allocated with malloc there (freeing a message already there, as
 *    LevelDB does); the caller frees it with metakv_free. On success
 *    *errptr is left alone. A message starts with the name of its
 *    code and ": " (as in "NotFound: ..."); metakv_error_code() returns the
 *    code, so callers branch on it without reading the text.
 *  - Booleans are unsigned char: 0 is false, anything else true.
 *  - Every buffer the library returns is freed with metakv_free.
 *  - No argument may be NULL unless its comment says so. A NULL handle or
 *    string where one is needed, a NULL pointer with a non-zero length, a
 *    length over the store's limits, an unknown domain: each is an
 *    InvalidArgument error (or, for the calls that cannot report one, a
 *    documented no-op), never a crash. What the library cannot check is
 *    that a pointer really holds the number of bytes its length says.
 *
 * The semantics of every call are those of the C++ call it names
 * (include/metakv/store.h and the headers it includes); this file says
 * what differs. Thread-safety: as in C++, a metakv_t may be used from
 * several threads at once. Another handle may be read by several calls at
 * once (the same read or write options passed from many threads), but a
 * handle being changed (a setter, an add, a clear, an iterator's move)
 * belongs to one thread at a time.
 * Every iterator and snapshot must be destroyed or released before its
 * store is closed.
 *
 * Packed buffers. Four calls take or return many records in one buffer,
 * so that a caller crossing a language boundary (cgo) crosses once for
 * many records: metakv_write_packed, metakv_multi_get_packed,
 * metakv_ingest_cold_packed, and metakv_iter_read_entries. In them, "u32"
 * and "u64" are unsigned integers stored little-endian in 4 and 8 bytes,
 * and a "string" is a u32 length followed by that many bytes.
 */
#ifndef METAKV_C_H_
#define METAKV_C_H_

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---- Handles ---- */
typedef struct metakv_t metakv_t;
typedef struct metakv_options_t metakv_options_t;
typedef struct metakv_domain_options_t metakv_domain_options_t;
typedef struct metakv_readoptions_t metakv_readoptions_t;
typedef struct metakv_writeoptions_t metakv_writeoptions_t;
typedef struct metakv_writebatch_t metakv_writebatch_t;
typedef struct metakv_coldbatch_t metakv_coldbatch_t;
typedef struct metakv_scanspec_t metakv_scanspec_t;
typedef struct metakv_iterator_t metakv_iterator_t;
typedef struct metakv_snapshot_t metakv_snapshot_t;
typedef struct metakv_maintenance_options_t metakv_maintenance_options_t;
typedef struct metakv_clock_t metakv_clock_t;

/* ---- Errors ---- */

/* The codes of metakv::Status::Code, with the same values. */
enum {
  metakv_ok = 0,
  metakv_not_found = 1,
  metakv_corruption = 2,
  metakv_not_supported = 3,
  metakv_invalid_argument = 4,
  metakv_io_error = 5,
  metakv_busy = 6,
  metakv_failed_precondition = 7,
  metakv_expired = 8,
  metakv_aborted = 9
};

/* The code of an error message this library stored in an errptr:
 * metakv_ok for NULL, and metakv_io_error for a message it did not write. */
int metakv_error_code(const char* errmsg);

/* Frees a buffer or message the library returned. NULL is allowed. */
void metakv_free(void* ptr);

/* ---- Clock (tests and simulations: metakv::ManualClock) ---- */

/* A clock that moves only when told to; now_micros is microseconds since
 * the epoch. Give it to metakv_options_set_clock; destroying the handle
 * does not stop a store that uses it. */
metakv_clock_t* metakv_manual_clock_create(uint64_t now_micros);
void metakv_manual_clock_destroy(metakv_clock_t* clock);
void metakv_manual_clock_set_micros(metakv_clock_t* clock, uint64_t micros);
void metakv_manual_clock_advance_seconds(metakv_clock_t* clock, uint64_t seconds);
uint64_t metakv_clock_now_micros(const metakv_clock_t* clock);

/* ---- Domain options (metakv::DomainOptions) ---- */

enum { metakv_hot = 0, metakv_cold = 1 };             /* Temperature */
enum { metakv_time_ordered = 0, metakv_leveled = 1 }; /* ColdLayout */
enum {
  metakv_no_compression = 0,
  metakv_snappy_compression = 1,
  metakv_zstd_compression = 2,
  metakv_lz4_compression = 3
}; /* Compression */

/* A domain named name (copied; NULL is the empty name, which metakv_open
 * rejects), with every other field at its C++ default. */
metakv_domain_options_t* metakv_domain_options_create(const char* name);
void metakv_domain_options_destroy(metakv_domain_options_t* domain);
/* An unknown enum value is kept and rejected by metakv_open. */
void metakv_domain_options_set_temperature(metakv_domain_options_t*, int temperature);
void metakv_domain_options_set_cold_layout(metakv_domain_options_t*, int layout);
void metakv_domain_options_set_tombstone_retention_seconds(metakv_domain_options_t*, uint64_t);
void metakv_domain_options_set_default_ttl_seconds(metakv_domain_options_t*, uint64_t);
void metakv_domain_options_set_write_buffer_bytes(metakv_domain_options_t*, uint64_t);
void metakv_domain_options_set_min_write_buffer_bytes(metakv_domain_options_t*, uint64_t);
void metakv_domain_options_set_max_write_buffer_bytes(metakv_domain_options_t*, uint64_t);
void metakv_domain_options_set_adaptive_write_buffer(metakv_domain_options_t*, unsigned char);
void metakv_domain_options_set_level0_compaction_trigger(metakv_domain_options_t*, int);
void metakv_domain_options_set_adaptive_level0_trigger(metakv_domain_options_t*, unsigned char);
void metakv_domain_options_set_target_file_size_bytes(metakv_domain_options_t*, uint64_t);
void metakv_domain_options_set_max_bytes_for_level_base(metakv_domain_options_t*, uint64_t);
void metakv_domain_options_set_compression(metakv_domain_options_t*, int compression);
void metakv_domain_options_set_bottommost_compression(metakv_domain_options_t*, int compression);
void metakv_domain_options_set_zstd_dictionary_bytes(metakv_domain_options_t*, uint32_t);
void metakv_domain_options_set_bloom_bits_per_key(metakv_domain_options_t*, int);
void metakv_domain_options_set_block_bytes(metakv_domain_options_t*, uint32_t);
void metakv_domain_options_set_purge_in_compaction(metakv_domain_options_t*, unsigned char);
void metakv_domain_options_set_merge_small_files(metakv_domain_options_t*, unsigned char);
void metakv_domain_options_set_small_file_budget(metakv_domain_options_t*, uint64_t);
void metakv_domain_options_set_ingest_min_bytes(metakv_domain_options_t*, uint64_t);
void metakv_domain_options_set_partition_by_tenant(metakv_domain_options_t*, unsigned char);
void metakv_domain_options_set_partition_min_file_fraction(metakv_domain_options_t*, double);
void metakv_domain_options_set_large_tenant_bytes(metakv_domain_options_t*, uint64_t);
/* DomainOptions::tenant_shards (1 to 64; hot domains). */
void metakv_domain_options_set_tenant_shards(metakv_domain_options_t*, uint32_t);

/* Getters of the same fields. The name is owned by the handle. */
const char* metakv_domain_options_get_name(const metakv_domain_options_t*);
int metakv_domain_options_get_temperature(const metakv_domain_options_t*);
int metakv_domain_options_get_cold_layout(const metakv_domain_options_t*);
uint32_t metakv_domain_options_get_tenant_shards(const metakv_domain_options_t*);
uint64_t metakv_domain_options_get_tombstone_retention_seconds(const metakv_domain_options_t*);
uint64_t metakv_domain_options_get_default_ttl_seconds(const metakv_domain_options_t*);
uint64_t metakv_domain_options_get_write_buffer_bytes(const metakv_domain_options_t*);
uint64_t metakv_domain_options_get_min_write_buffer_bytes(const metakv_domain_options_t*);
uint64_t metakv_domain_options_get_max_write_buffer_bytes(const metakv_domain_options_t*);
unsigned char metakv_domain_options_get_adaptive_write_buffer(const metakv_domain_options_t*);
int metakv_domain_options_get_level0_compaction_trigger(const metakv_domain_options_t*);
unsigned char metakv_domain_options_get_adaptive_level0_trigger(const metakv_domain_options_t*);
uint64_t metakv_domain_options_get_target_file_size_bytes(const metakv_domain_options_t*);
uint64_t metakv_domain_options_get_max_bytes_for_level_base(const metakv_domain_options_t*);
int metakv_domain_options_get_compression(const metakv_domain_options_t*);
int metakv_domain_options_get_bottommost_compression(const metakv_domain_options_t*);
uint32_t metakv_domain_options_get_zstd_dictionary_bytes(const metakv_domain_options_t*);
int metakv_domain_options_get_bloom_bits_per_key(const metakv_domain_options_t*);
uint32_t metakv_domain_options_get_block_bytes(const metakv_domain_options_t*);
unsigned char metakv_domain_options_get_purge_in_compaction(const metakv_domain_options_t*);
unsigned char metakv_domain_options_get_merge_small_files(const metakv_domain_options_t*);
uint64_t metakv_domain_options_get_small_file_budget(const metakv_domain_options_t*);
uint64_t metakv_domain_options_get_ingest_min_bytes(const metakv_domain_options_t*);
unsigned char metakv_domain_options_get_partition_by_tenant(const metakv_domain_options_t*);
double metakv_domain_options_get_partition_min_file_fraction(const metakv_domain_options_t*);
uint64_t metakv_domain_options_get_large_tenant_bytes(const metakv_domain_options_t*);

/* ---- Store options (metakv::Options) ---- */

metakv_options_t* metakv_options_create(void);
void metakv_options_destroy(metakv_options_t* options);
void metakv_options_set_create_if_missing(metakv_options_t*, unsigned char);
void metakv_options_set_error_if_exists(metakv_options_t*, unsigned char);
void metakv_options_set_read_only(metakv_options_t*, unsigned char);
/* Opens as a RocksDB secondary instance beside a running writer
 * (metakv::Options::secondary_path; NULL or "": not); implies read-only.
 * metakv_try_catch_up_with_primary moves its view. */
void metakv_options_set_secondary_path(metakv_options_t*, const char* path);
void metakv_options_set_record_domain_settings(metakv_options_t*, unsigned char);
void metakv_options_set_create_missing_domains(metakv_options_t*, unsigned char);
/* Declares the file-system model's domains (metakv::FileSystemDomains):
 * "inode" and "dentry" (hot), "history" (cold, 30-day TTL). */
void metakv_options_use_filesystem_domains(metakv_options_t*);
/* Declares a domain: a copy of *domain is appended to the options. */
void metakv_options_add_domain(metakv_options_t*, const metakv_domain_options_t* domain);
/* The number of domains declared so far. */
size_t metakv_options_domain_count(const metakv_options_t*);
/* The i-th domain declared, owned by options and valid until the next
 * domain is declared; NULL if i is out of range. */
const metakv_domain_options_t* metakv_options_get_domain(const metakv_options_t*, size_t i);
/* The store's clock; NULL: the system clock. The store keeps the clock
 * alive for as long as it needs it. */
void metakv_options_set_clock(metakv_options_t*, const metakv_clock_t* clock);
void metakv_options_set_max_key_bytes(metakv_options_t*, size_t);
void metakv_options_set_max_value_bytes(metakv_options_t*, size_t);
void metakv_options_set_memory_budget_bytes(metakv_options_t*, uint64_t);
void metakv_options_set_memtable_budget_fraction(metakv_options_t*, double);
void metakv_options_set_max_background_jobs(metakv_options_t*, int);
void metakv_options_set_enable_statistics(metakv_options_t*, unsigned char);
void metakv_options_set_info_log_level(metakv_options_t*, int);
void metakv_options_set_maintenance_interval_seconds(metakv_options_t*, uint64_t);
void metakv_options_set_flush_controller_interval_seconds(metakv_options_t*, uint64_t);
void metakv_options_set_purge_deadline_seconds(metakv_options_t*, uint64_t);
void metakv_options_set_stats_dump_period_seconds(metakv_options_t*, uint64_t);
void metakv_options_set_stats_top_tenants(metakv_options_t*, size_t);
/* metakv::WalRecoveryMode: 0 tolerate corrupted tail records (default),
 * 1 absolute consistency, 2 point in time, 3 skip any corrupted record. */
void metakv_options_set_wal_recovery_mode(metakv_options_t*, int mode);

/* ---- Read and write options ---- */

metakv_readoptions_t* metakv_readoptions_create(void);
void metakv_readoptions_destroy(metakv_readoptions_t*);
/* Reads through snapshot (NULL: the latest state). The snapshot must stay
 * unreleased while reads use these options. */
void metakv_readoptions_set_snapshot(metakv_readoptions_t*, const metakv_snapshot_t* snapshot);
void metakv_readoptions_set_verify_checksums(metakv_readoptions_t*, unsigned char);
void metakv_readoptions_set_fill_cache(metakv_readoptions_t*, unsigned char);

metakv_writeoptions_t* metakv_writeoptions_create(void);
void metakv_writeoptions_destroy(metakv_writeoptions_t*);
void metakv_writeoptions_set_sync(metakv_writeoptions_t*, unsigned char);
/* metakv::WriteOptions::applied_index: stored with every write made with
 * these options; index 0: none. */
void metakv_writeoptions_set_applied_index(metakv_writeoptions_t*, uint64_t term, uint64_t index);

/* ---- Open and close ---- */

/* NULL on failure (with *errptr set). */
metakv_t* metakv_open(const metakv_options_t* options, const char* path, char** errptr);
/* Closes the store (ignoring errors) and frees the handle. NULL: no-op. */
void metakv_close(metakv_t* db);
/* Closes the store and frees the handle, reporting an error of the close
 * (a failed final sync, say) in *errptr; the handle is freed either way. */
void metakv_close_checked(metakv_t* db, char** errptr);
/* metakv::RepairStore on a closed store. */
void metakv_repair(const metakv_options_t* options, const char* path, char** errptr);

/* ---- Writes ---- */

void metakv_put(metakv_t* db, const metakv_writeoptions_t* options, const char* domain,
                const char* tenant, size_t tenantlen, const char* key, size_t keylen,
                const char* val, size_t vallen, char** errptr);
/* Put with a time to live (0: the domain's default). */
void metakv_put_with_ttl(metakv_t* db, const metakv_writeoptions_t* options, const char* domain,
                         const char* tenant, size_t tenantlen, const char* key, size_t keylen,
                         const char* val, size_t vallen, uint64_t ttl_seconds, char** errptr);
/* NotFound if no live record exists. */
void metakv_delete(metakv_t* db, const metakv_writeoptions_t* options, const char* domain,
                   const char* tenant, size_t tenantlen, const char* key, size_t keylen,
                   char** errptr);
/* FailedPrecondition if live, Expired past retention, NotFound if none. */
void metakv_undelete(metakv_t* db, const metakv_writeoptions_t* options, const char* domain,
                     const char* tenant, size_t tenantlen, const char* key, size_t keylen,
                     char** errptr);
void metakv_hard_delete(metakv_t* db, const metakv_writeoptions_t* options, const char* domain,
                        const char* tenant, size_t tenantlen, const char* key, size_t keylen,
                        char** errptr);

/* A batch copies what is added to it. An add with a bad argument (a NULL
 * pointer with a non-zero length, a NULL domain) cannot report it: the
 * batch remembers the first one, and metakv_write fails with it
 * (InvalidArgument) until metakv_writebatch_clear. */
metakv_writebatch_t* metakv_writebatch_create(void);
void metakv_writebatch_destroy(metakv_writebatch_t*);
void metakv_writebatch_clear(metakv_writebatch_t*);
size_t metakv_writebatch_count(const metakv_writebatch_t*);
void metakv_writebatch_put(metakv_writebatch_t*, const char* domain, const char* tenant,
                           size_t tenantlen, const char* key, size_t keylen, const char* val,
                           size_t vallen);
void metakv_writebatch_put_with_ttl(metakv_writebatch_t*, const char* domain, const char* tenant,
                                    size_t tenantlen, const char* key, size_t keylen,
                                    const char* val, size_t vallen, uint64_t ttl_seconds);
void metakv_writebatch_delete(metakv_writebatch_t*, const char* domain, const char* tenant,
                              size_t tenantlen, const char* key, size_t keylen);
void metakv_writebatch_hard_delete(metakv_writebatch_t*, const char* domain, const char* tenant,
                                   size_t tenantlen, const char* key, size_t keylen);
void metakv_writebatch_undelete(metakv_writebatch_t*, const char* domain, const char* tenant,
                                size_t tenantlen, const char* key, size_t keylen);
void metakv_write(metakv_t* db, const metakv_writeoptions_t* options, metakv_writebatch_t* batch,
                  char** errptr);

/* A batch as one packed buffer of operations, applied as metakv_write
 * applies a batch (atomically, in order). Each operation is one byte of
 * type (1 put, 2 delete, 3 hard delete, 4 undelete), then the strings domain, tenant
 * and key, then for a put the string value and a u64 ttl_seconds. A
 * malformed buffer is InvalidArgument and nothing is applied. */
void metakv_write_packed(metakv_t* db, const metakv_writeoptions_t* options, const char* ops,
                         size_t opslen, char** errptr);

/* ---- Cold ingest (metakv::Store::IngestCold) ---- */

/* The records of one IngestCold call; each is copied. */
metakv_coldbatch_t* metakv_coldbatch_create(void);
void metakv_coldbatch_destroy(metakv_coldbatch_t*);
void metakv_coldbatch_clear(metakv_coldbatch_t*);
size_t metakv_coldbatch_count(const metakv_coldbatch_t*);
/* ttl_seconds, write_time_seconds, expiry_seconds as in metakv::ColdRecord
 * (0: the defaults). A bad argument is remembered as in a writebatch. */
void metakv_coldbatch_add(metakv_coldbatch_t*, const char* key, size_t keylen, const char* val,
                          size_t vallen, uint64_t ttl_seconds, uint64_t write_time_seconds,
                          uint64_t expiry_seconds);
void metakv_ingest_cold(metakv_t* db, const char* domain, const char* tenant, size_t tenantlen,
                        const metakv_coldbatch_t* records, char** errptr);
/* The records packed: each is the strings key and value, then the u64s
 * ttl_seconds, write_time_seconds and expiry_seconds. */
void metakv_ingest_cold_packed(metakv_t* db, const char* domain, const char* tenant,
                               size_t tenantlen, const char* records, size_t recordslen,
                               char** errptr);

/* ---- Point reads ---- */

/* The value (malloc'ed, *vallen its length), or NULL with no error if the
 * record is absent (never written, deleted, expired, removed). */
char* metakv_get(metakv_t* db, const metakv_readoptions_t* options, const char* domain,
                 const char* tenant, size_t tenantlen, const char* key, size_t keylen,
                 size_t* vallen, char** errptr);
/* Get without an allocation: returns 1 if the record is present and sets
 * *vallen to the length of its value, which is copied into buf only if it
 * fits (vallen <= bufcap; otherwise call again with a larger buffer).
 * Returns 0 if absent or on error. buf may be NULL when bufcap is 0. */
unsigned char metakv_get_into(metakv_t* db, const metakv_readoptions_t* options, const char* domain,
                              const char* tenant, size_t tenantlen, const char* key, size_t keylen,
                              char* buf, size_t bufcap, size_t* vallen, char** errptr);

/* Reads n keys from one consistent view. For each i: values[i] and
 * vallens[i] get the value (malloc'ed) or NULL if absent; errs[i] gets an
 * error message of that key (NULL if none). *errptr reports a failure of
 * the whole call (then nothing is set). */
void metakv_multi_get(metakv_t* db, const metakv_readoptions_t* options, size_t n,
                      const char* const* domains, const char* const* tenants,
                      const size_t* tenantlens, const char* const* keys, const size_t* keylens,
                      char** values, size_t* vallens, char** errs, char** errptr);
/* MultiGet over packed keys: each key is the strings domain, tenant and
 * key. Returns a malloc'ed buffer (*outlen its length) holding, for each
 * key in order, a byte of code (metakv_ok: found, metakv_not_found:
 * absent, other: an error of that key) and a string: the value, empty, or
 * the error message. */
char* metakv_multi_get_packed(metakv_t* db, const metakv_readoptions_t* options, const char* keys,
                              size_t keyslen, size_t* outlen, char** errptr);

/* ---- Iterators ---- */

/* What a scan covers (metakv::ScanSpec): every field empty by default. */
metakv_scanspec_t* metakv_scanspec_create(void);
void metakv_scanspec_destroy(metakv_scanspec_t*);
void metakv_scanspec_set_tenant(metakv_scanspec_t*, const char* tenant, size_t tenantlen);
void metakv_scanspec_set_prefix(metakv_scanspec_t*, const char* prefix, size_t prefixlen);
void metakv_scanspec_set_lower_bound(metakv_scanspec_t*, const char* key, size_t keylen);
void metakv_scanspec_set_upper_bound(metakv_scanspec_t*, const char* key, size_t keylen);
/* 1: the recycle bin (logically deleted records still restorable). */
void metakv_scanspec_set_deleted(metakv_scanspec_t*, unsigned char);

/* An iterator over the visible records of one tenant's keys with prefix
 * (prefixlen 0: all of them), or with tenantlen 0 of the whole domain
 * (then prefixlen must be 0). Unpositioned: seek first. */
metakv_iterator_t* metakv_create_iterator(metakv_t* db, const metakv_readoptions_t* options,
                                          const char* domain, const char* tenant, size_t tenantlen,
                                          const char* prefix, size_t prefixlen, char** errptr);
/* The same over the recycle bin: the deleted records Undelete could
 * restore, each with its metakv_iter_delete_time. */
metakv_iterator_t* metakv_create_recycle_bin_iterator(metakv_t* db,
                                                      const metakv_readoptions_t* options,
                                                      const char* domain, const char* tenant,
                                                      size_t tenantlen, const char* prefix,
                                                      size_t prefixlen, char** errptr);
metakv_iterator_t* metakv_create_scan_iterator(metakv_t* db, const metakv_readoptions_t* options,
                                               const char* domain, const metakv_scanspec_t* spec,
                                               char** errptr);
void metakv_iter_destroy(metakv_iterator_t*);

/* Moves. A move of a NULL iterator, and next or prev of one that is not
 * valid, do nothing. */
void metakv_iter_seek_to_first(metakv_iterator_t*);
void metakv_iter_seek_to_last(metakv_iterator_t*);
/* The first record at or after key (the last at or before it), in the
 * scan's tenant. A whole-domain scan has no tenant of its own: there the
 * iterator turns invalid with InvalidArgument (use the _tenant forms). */
void metakv_iter_seek(metakv_iterator_t*, const char* key, size_t keylen);
void metakv_iter_seek_for_prev(metakv_iterator_t*, const char* key, size_t keylen);
/* Seek and SeekForPrev to (tenant, key); in a tenant or prefix scan the
 * tenant must be the scan's (else the iterator turns invalid with an
 * InvalidArgument error). */
void metakv_iter_seek_tenant(metakv_iterator_t*, const char* tenant, size_t tenantlen,
                             const char* key, size_t keylen);
void metakv_iter_seek_for_prev_tenant(metakv_iterator_t*, const char* tenant, size_t tenantlen,
                                      const char* key, size_t keylen);
void metakv_iter_next(metakv_iterator_t*);
void metakv_iter_prev(metakv_iterator_t*);

/* 0 for NULL. */
unsigned char metakv_iter_valid(const metakv_iterator_t*);
/* The current record; the pointers stay valid until the iterator moves or
 * is destroyed. Not valid (or NULL): NULL with length 0, and times 0. */
const char* metakv_iter_key(const metakv_iterator_t*, size_t* keylen);
const char* metakv_iter_value(const metakv_iterator_t*, size_t* vallen);
const char* metakv_iter_tenant(const metakv_iterator_t*, size_t* tenantlen);
uint64_t metakv_iter_write_time(const metakv_iterator_t*);
uint64_t metakv_iter_delete_time(const metakv_iterator_t*);
uint64_t metakv_iter_expiry_time(const metakv_iterator_t*);
void metakv_iter_get_error(const metakv_iterator_t*, char** errptr);

/* Copies records into buf, from the current one forwards, moving past each
 * copied: at most max_entries, as many as fit in bufcap bytes. Each record
 * is the u32 lengths of tenant, key and value, the u64 write, delete and
 * expiry times, then the bytes of tenant, key and value (36 bytes of
 * header). Returns the number copied and sets *used to the bytes used. If
 * the current record alone does not fit, returns 0 with *used set to the
 * bytes it needs, leaving the iterator where it was. Not valid: 0, *used
 * 0 (check metakv_iter_get_error). */
size_t metakv_iter_read_entries(metakv_iterator_t*, char* buf, size_t bufcap, size_t max_entries,
                                size_t* used);

/* ---- Snapshots ---- */

/* A consistent view of the whole store and of time; NULL after close (or
 * for a NULL db). Release it with metakv_release_snapshot, before close. */
const metakv_snapshot_t* metakv_create_snapshot(metakv_t* db);
void metakv_release_snapshot(metakv_t* db, const metakv_snapshot_t* snapshot);
/* The time, in seconds since the epoch, at which reads through the
 * snapshot evaluate expiry and retention. 0 for NULL. */
uint64_t metakv_snapshot_time(const metakv_snapshot_t* snapshot);

/* ---- Bulk deletes ---- */

/* Removes, as one unit, every record of tenant under one of n prefixes,
 * prefix i in domain domains[i]. hard: 0 for RemoveMode::kLogical (into
 * the recycle bin; *removal_id, if removal_id is not NULL, gets the id
 * metakv_restore_tree takes), 1 for kHard (*removal_id gets 0, as it
 * does on failure). */
void metakv_remove_tree(metakv_t* db, const metakv_writeoptions_t* options, const char* tenant,
                        size_t tenantlen, size_t n, const char* const* domains,
                        const char* const* prefixes, const size_t* prefixlens, unsigned char hard,
                        uint64_t* removal_id, char** errptr);
void metakv_restore_tree(metakv_t* db, const metakv_writeoptions_t* options, uint64_t removal_id,
                         char** errptr);
void metakv_remove_tenant(metakv_t* db, const metakv_writeoptions_t* options, const char* tenant,
                          size_t tenantlen, char** errptr);
/* The pending removals (metakv::Store::ListRemovals) as a packed buffer,
 * malloc'ed; *len its length: per removal u64 id, the string tenant, a
 * mode byte (0 logical, 1 hard), u64 time and purge time (seconds), a u32
 * count, then per prefix the strings domain and prefix (empty: the whole
 * tenant). */
char* metakv_list_removals(metakv_t* db, size_t* len, char** errptr);

/* ---- Background work ---- */

/* metakv::MaintenanceOptions, with its defaults. */
metakv_maintenance_options_t* metakv_maintenance_options_create(void);
void metakv_maintenance_options_destroy(metakv_maintenance_options_t*);
void metakv_maintenance_options_set_drop_purgeable_files(metakv_maintenance_options_t*,
                                                         unsigned char);
void metakv_maintenance_options_set_enforce_purge_deadline(metakv_maintenance_options_t*,
                                                           unsigned char);
/* UINT64_MAX: the age the maintenance thread uses (the default). */
void metakv_maintenance_options_set_purge_min_age_seconds(metakv_maintenance_options_t*, uint64_t);
void metakv_maintenance_options_set_merge_small_cold_files(metakv_maintenance_options_t*,
                                                           unsigned char);
void metakv_maintenance_options_set_refresh_large_tenants(metakv_maintenance_options_t*,
                                                          unsigned char);
/* NULL or "": every domain. */
void metakv_maintenance_options_set_domain(metakv_maintenance_options_t*, const char* domain);

/* One maintenance pass (options NULL: the defaults). The three counts of
 * metakv::MaintenanceResult go where their pointers say; each may be
 * NULL. */
void metakv_run_maintenance(metakv_t* db, const metakv_maintenance_options_t* options,
                            uint64_t* purgeable_files_dropped, uint64_t* deadline_compactions,
                            uint64_t* cold_files_merged, char** errptr);
/* domain NULL or "": every domain. */
void metakv_flush(metakv_t* db, const char* domain, char** errptr);
/* Store::Resume: lets writes in again after a write error (a full disk)
 * once its cause is gone; no error if writes were not stopped. */
void metakv_resume(metakv_t* db, char** errptr);
/* domain NULL or "": every domain (then tenantlen must be 0). */
void metakv_compact_range(metakv_t* db, const char* domain, const char* tenant, size_t tenantlen,
                          char** errptr);
void metakv_wait_for_background_work(metakv_t* db, uint64_t timeout_ms, char** errptr);
/* A secondary store (metakv_options_set_secondary_path): moves its view to
 * the writer's current state. Busy while an iterator or snapshot is open. */
void metakv_try_catch_up_with_primary(metakv_t* db, char** errptr);

/* ---- Checkpoints ---- */

/* metakv::Store::CreateCheckpoint: a consistent, openable copy of the
 * store in dir, which must not exist. */
void metakv_create_checkpoint(metakv_t* db, const char* dir, char** errptr);

/* ---- Replication (metakv::Store::GetAppliedIndex, ExportTenant,
 * ImportTenant) ---- */

/* *term and *index get the stored applied index (0, 0 if none). */
void metakv_get_applied_index(metakv_t* db, uint64_t* term, uint64_t* index, char** errptr);
/* info (NULL, or 4 elements) gets files, records, bytes, removals. */
void metakv_export_tenant(metakv_t* db, const char* tenant, size_t tenantlen, const char* dir,
                          uint64_t* info, char** errptr);
/* replace and (term, index) as in metakv::ImportOptions; info as above. */
void metakv_import_tenant(metakv_t* db, const char* dir, unsigned char replace, uint64_t term,
                          uint64_t index, uint64_t* info, char** errptr);

/* ---- Figures ---- */

uint64_t metakv_approximate_size(metakv_t* db, const char* domain, const char* tenant,
                                 size_t tenantlen, const char* prefix, size_t prefixlen,
                                 char** errptr);
/* metakv::Store::GetStats as one JSON object (the fields of metakv::Stats,
 * named as in C++), malloc'ed and NUL-terminated; *len (if not NULL) its
 * length. */
char* metakv_stats_json(metakv_t* db, size_t* len, char** errptr);
/* The same figures in the Prometheus text exposition format
 * (metakv::StatsToPrometheus), malloc'ed and NUL-terminated. */
char* metakv_stats_prometheus(metakv_t* db, size_t* len, char** errptr);
/* The same figures as lines of text for people (metakv::StatsToText). */
char* metakv_stats_text(metakv_t* db, size_t* len, char** errptr);
/* One integer figure by name (metakv::Store::GetIntProperty); domain NULL
 * or "": a store-wide figure. Returns 1 and sets *value on success. */
unsigned char metakv_get_int_property(metakv_t* db, const char* domain, const char* name,
                                      uint64_t* value, char** errptr);
/* The names metakv_get_int_property takes, one per line, malloc'ed and
 * NUL-terminated: store-wide (per_domain 0) or per domain. */
char* metakv_int_property_names(unsigned char per_domain, size_t* len);
/* The declared domains, one per line in declaration order, malloc'ed and
 * NUL-terminated. */
char* metakv_domain_names(metakv_t* db, size_t* len, char** errptr);

/* ---- The file-system model's inode record (metakv/filesystem.h) ---- */

typedef struct metakv_inode_attributes_t {
  uint64_t ino;
  uint32_t mode;
  uint32_t uid;
  uint32_t gid;
  uint32_t nlink;
  uint64_t size;
  uint64_t blocks;
  int64_t atime_ns;
  int64_t mtime_ns;
  int64_t ctime_ns;
  uint64_t generation;
  uint32_t flags;
} metakv_inode_attributes_t;

/* The encoding of *attrs, malloc'ed; *len its length. */
char* metakv_inode_encode(const metakv_inode_attributes_t* attrs, size_t* len);
/* Decodes a whole encoded inode into *attrs (Corruption naming the field
 * for malformed input; *attrs is then unspecified). */
void metakv_inode_decode(const char* input, size_t inputlen, metakv_inode_attributes_t* attrs,
                         char** errptr);

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* METAKV_C_H_ */
