/* The C API (include/metakv/c.h) from a program compiled as C11: every
 * call against a real store in a temporary directory, and the bad
 * arguments that must come back as errors. Each test_* function opens its
 * own store; a failed check prints where and exits 1. */
#define _POSIX_C_SOURCE 200809L
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "metakv/c.h"

static int g_checks = 0;

#define CHECK(cond)                                                            \
  do {                                                                         \
    ++g_checks;                                                                \
    if (!(cond)) {                                                             \
      fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); \
      exit(1);                                                                 \
    }                                                                          \
  } while (0)

/* No error: err is NULL (else print it and fail). */
#define CHECK_OK(err)                                                              \
  do {                                                                             \
    ++g_checks;                                                                    \
    if ((err) != NULL) {                                                           \
      fprintf(stderr, "%s:%d: unexpected error: %s\n", __FILE__, __LINE__, (err)); \
      exit(1);                                                                     \
    }                                                                              \
  } while (0)

/* An error of the given code; frees it and resets err. */
#define CHECK_ERR(err, code)                                                               \
  do {                                                                                     \
    ++g_checks;                                                                            \
    if ((err) == NULL || metakv_error_code(err) != (code)) {                               \
      fprintf(stderr, "%s:%d: wanted error code %d, got %s\n", __FILE__, __LINE__, (code), \
              (err) ? (err) : "no error");                                                 \
      exit(1);                                                                             \
    }                                                                                      \
    metakv_free(err);                                                                      \
    (err) = NULL;                                                                          \
  } while (0)

static char g_root[256];
static int g_dirs = 0;

/* A new directory path under the test's temporary root (not created). */
static const char* NewPath(void) {
  static char path[300];
  snprintf(path, sizeof(path), "%s/db%d", g_root, g_dirs++);
  return path;
}

static metakv_clock_t* g_clock; /* every store's clock */

/* Options with the file-system domains, small memtables, no background
 * maintenance, on g_clock. */
static metakv_options_t* SmallOptions(void) {
  metakv_options_t* o = metakv_options_create();
  metakv_options_set_create_if_missing(o, 1);
  metakv_options_use_filesystem_domains(o);
  metakv_options_set_maintenance_interval_seconds(o, 0);
  metakv_options_set_flush_controller_interval_seconds(o, 0);
  metakv_options_set_stats_dump_period_seconds(o, 0);
  metakv_options_set_memory_budget_bytes(o, 64u << 20);
  metakv_options_set_max_key_bytes(o, 64);
  metakv_options_set_clock(o, g_clock);
  return o;
}

static metakv_t* OpenSmall(void) {
  char* err = NULL;
  metakv_options_t* o = SmallOptions();
  metakv_t* db = metakv_open(o, NewPath(), &err);
  CHECK_OK(err);
  CHECK(db != NULL);
  metakv_options_destroy(o);
  return db;
}

static metakv_readoptions_t* ro;
static metakv_writeoptions_t* wo;

#define PUT(db, domain, tenant, key, val)                                                        \
  do {                                                                                           \
    char* e_ = NULL;                                                                             \
    metakv_put(db, wo, domain, tenant, strlen(tenant), key, strlen(key), val, strlen(val), &e_); \
    CHECK_OK(e_);                                                                                \
  } while (0)

/* The value of (domain, tenant, key) as a NUL-terminated string, or NULL
 * if absent; the caller frees it. */
static char* GetString(metakv_t* db, const char* domain, const char* tenant, const char* key) {
  char* err = NULL;
  size_t len = 0;
  char* v = metakv_get(db, ro, domain, tenant, strlen(tenant), key, strlen(key), &len, &err);
  CHECK_OK(err);
  if (v == NULL) return NULL;
  CHECK(v[len] == '\0');
  return v;
}

static int ValueIs(metakv_t* db, const char* domain, const char* tenant, const char* key,
                   const char* want) {
  char* v = GetString(db, domain, tenant, key);
  int same = (v == NULL && want == NULL) || (v != NULL && want != NULL && strcmp(v, want) == 0);
  metakv_free(v);
  return same;
}

static void test_open_errors(void) {
  char* err = NULL;
  CHECK(metakv_open(NULL, NewPath(), &err) == NULL);
  CHECK_ERR(err, metakv_invalid_argument);
  metakv_options_t* o = SmallOptions();
  CHECK(metakv_open(o, NULL, &err) == NULL);
  CHECK_ERR(err, metakv_invalid_argument);
  metakv_options_set_create_if_missing(o, 0);
  CHECK(metakv_open(o, NewPath(), &err) == NULL); /* missing directory */
  CHECK_ERR(err, metakv_invalid_argument);
  metakv_options_set_create_if_missing(o, 1);
  metakv_options_set_stats_dump_period_seconds(o, 400 * 24 * 3600); /* over a year */
  CHECK(metakv_open(o, NewPath(), &err) == NULL);
  CHECK(strstr(err, "stats_dump_period_seconds") != NULL);
  CHECK_ERR(err, metakv_invalid_argument);
  metakv_options_set_stats_dump_period_seconds(o, 0);
  metakv_domain_options_t* d = metakv_domain_options_create("bad");
  metakv_domain_options_set_temperature(d, 7); /* no such temperature */
  metakv_options_add_domain(o, d);
  CHECK(metakv_open(o, NewPath(), &err) == NULL);
  CHECK(strstr(err, "temperature") != NULL);
  CHECK_ERR(err, metakv_invalid_argument);
  metakv_domain_options_destroy(d);
  metakv_options_destroy(o);
  o = SmallOptions();
  metakv_options_add_domain(o, NULL);
  CHECK(metakv_open(o, NewPath(), &err) == NULL);
  CHECK_ERR(err, metakv_invalid_argument);
  metakv_options_destroy(o);
  /* Calls that cannot report an error do nothing with NULL handles. */
  metakv_close(NULL);
  metakv_options_set_create_if_missing(NULL, 1);
  metakv_options_destroy(NULL);
  metakv_iter_destroy(NULL);
  metakv_writebatch_put(NULL, "inode", "t", 1, "k", 1, "v", 1);
  CHECK(metakv_iter_valid(NULL) == 0);
  CHECK(metakv_error_code(NULL) == metakv_ok);
  CHECK(metakv_error_code("something else") == metakv_io_error);
}

static void test_domain_options(void) {
  metakv_options_t* o = metakv_options_create();
  metakv_options_use_filesystem_domains(o);
  CHECK(metakv_options_domain_count(o) == 3);
  const metakv_domain_options_t* history = metakv_options_get_domain(o, 2);
  CHECK(strcmp(metakv_domain_options_get_name(history), "history") == 0);
  CHECK(metakv_domain_options_get_temperature(history) == metakv_cold);
  CHECK(metakv_domain_options_get_default_ttl_seconds(history) == 30u * 24 * 3600);
  CHECK(metakv_domain_options_get_temperature(metakv_options_get_domain(o, 0)) == metakv_hot);
  CHECK(metakv_options_get_domain(o, 3) == NULL);
  metakv_domain_options_t* d = metakv_domain_options_create("custom");
  CHECK(metakv_domain_options_get_adaptive_write_buffer(d) == 1); /* the C++ default */
  metakv_domain_options_set_write_buffer_bytes(d, 1u << 20);
  metakv_domain_options_set_adaptive_write_buffer(d, 0);
  CHECK(metakv_domain_options_get_write_buffer_bytes(d) == 1u << 20);
  CHECK(metakv_domain_options_get_adaptive_write_buffer(d) == 0);
  CHECK(metakv_domain_options_get_tenant_shards(d) == 1); /* the C++ default */
  metakv_domain_options_set_tenant_shards(d, 3);          /* column families, not names */
  CHECK(metakv_domain_options_get_tenant_shards(d) == 3);
  metakv_options_add_domain(o, d);
  metakv_domain_options_destroy(d); /* the options hold a copy */
  CHECK(metakv_options_domain_count(o) == 4);
  CHECK(strcmp(metakv_domain_options_get_name(metakv_options_get_domain(o, 3)), "custom") == 0);
  metakv_options_set_create_if_missing(o, 1);
  char* err = NULL;
  metakv_t* db = metakv_open(o, NewPath(), &err);
  CHECK_OK(err);
  size_t len = 0;
  char* names = metakv_domain_names(db, &len, &err);
  CHECK_OK(err);
  CHECK(strcmp(names, "inode\ndentry\nhistory\ncustom\n") == 0);
  CHECK(len == strlen(names));
  metakv_free(names);
  metakv_close_checked(db, &err);
  CHECK_OK(err);
  metakv_options_destroy(o);
}

static void test_put_get_delete(void) {
  metakv_t* db = OpenSmall();
  char* err = NULL;
  PUT(db, "inode", "tenant1", "k1", "v1");
  CHECK(ValueIs(db, "inode", "tenant1", "k1", "v1"));
  CHECK(ValueIs(db, "inode", "tenant1", "absent", NULL));
  CHECK(ValueIs(db, "dentry", "tenant1", "k1", NULL)); /* domains are apart */

  /* get_into: too small, then retried. */
  char small[1];
  size_t vallen = 0;
  CHECK(metakv_get_into(db, ro, "inode", "tenant1", 7, "k1", 2, small, sizeof(small), &vallen,
                        &err) == 1);
  CHECK_OK(err);
  CHECK(vallen == 2);
  char big[8];
  CHECK(metakv_get_into(db, ro, "inode", "tenant1", 7, "k1", 2, big, sizeof(big), &vallen, &err));
  CHECK(vallen == 2 && memcmp(big, "v1", 2) == 0);
  CHECK(metakv_get_into(db, ro, "inode", "tenant1", 7, "nope", 4, big, sizeof(big), &vallen,
                        &err) == 0);
  CHECK_OK(err);

  /* Binary keys and values, with NUL bytes. */
  const char bkey[3] = {'a', 0, 'b'};
  const char bval[4] = {0, 1, 0, 2};
  metakv_put(db, wo, "inode", "t\0x", 3, bkey, 3, bval, 4, &err);
  CHECK_OK(err);
  char* v = metakv_get(db, ro, "inode", "t\0x", 3, bkey, 3, &vallen, &err);
  CHECK(v != NULL && vallen == 4 && memcmp(v, bval, 4) == 0);
  metakv_free(v);

  /* Logical delete, undelete, hard delete and their codes. */
  metakv_delete(db, wo, "inode", "tenant1", 7, "k1", 2, &err);
  CHECK_OK(err);
  CHECK(ValueIs(db, "inode", "tenant1", "k1", NULL));
  metakv_delete(db, wo, "inode", "tenant1", 7, "k1", 2, &err);
  CHECK_ERR(err, metakv_not_found);
  metakv_undelete(db, wo, "inode", "tenant1", 7, "k1", 2, &err);
  CHECK_OK(err);
  CHECK(ValueIs(db, "inode", "tenant1", "k1", "v1"));
  metakv_undelete(db, wo, "inode", "tenant1", 7, "k1", 2, &err);
  CHECK_ERR(err, metakv_failed_precondition);
  metakv_delete(db, wo, "inode", "tenant1", 7, "k1", 2, &err);
  CHECK_OK(err);
  metakv_manual_clock_advance_seconds(g_clock, 8 * 24 * 3600); /* past 7 days' retention */
  metakv_undelete(db, wo, "inode", "tenant1", 7, "k1", 2, &err);
  CHECK_ERR(err, metakv_expired);
  PUT(db, "inode", "tenant1", "k2", "v2");
  metakv_hard_delete(db, wo, "inode", "tenant1", 7, "k2", 2, &err);
  CHECK_OK(err);
  metakv_undelete(db, wo, "inode", "tenant1", 7, "k2", 2, &err);
  CHECK_ERR(err, metakv_not_found);

  /* A TTL: gone once the clock passes it. */
  metakv_put_with_ttl(db, wo, "inode", "tenant1", 7, "ttl", 3, "x", 1, 60, &err);
  CHECK_OK(err);
  CHECK(ValueIs(db, "inode", "tenant1", "ttl", "x"));
  metakv_manual_clock_advance_seconds(g_clock, 61);
  CHECK(ValueIs(db, "inode", "tenant1", "ttl", NULL));
  metakv_close(db);
}

static void test_bad_arguments(void) {
  metakv_t* db = OpenSmall();
  char* err = NULL;
  size_t len = 0;
  char long_tenant[300];
  memset(long_tenant, 't', sizeof(long_tenant));
  char long_key[100];
  memset(long_key, 'k', sizeof(long_key));

  metakv_put(NULL, wo, "inode", "t", 1, "k", 1, "v", 1, &err);
  CHECK_ERR(err, metakv_invalid_argument);
  metakv_put(db, NULL, "inode", "t", 1, "k", 1, "v", 1, &err);
  CHECK_ERR(err, metakv_invalid_argument);
  metakv_put(db, wo, NULL, "t", 1, "k", 1, "v", 1, &err);
  CHECK_ERR(err, metakv_invalid_argument);
  metakv_put(db, wo, "inode", NULL, 1, "k", 1, "v", 1, &err);
  CHECK_ERR(err, metakv_invalid_argument);
  metakv_put(db, wo, "inode", "t", 1, NULL, 1, "v", 1, &err);
  CHECK_ERR(err, metakv_invalid_argument);
  metakv_put(db, wo, "inode", "t", 1, "k", 1, NULL, 1, &err);
  CHECK_ERR(err, metakv_invalid_argument);
  metakv_put(db, wo, "inode", "t", 1, "k", 1, "v", (size_t)-1, &err); /* absurd length */
  CHECK_ERR(err, metakv_invalid_argument);
  metakv_put(db, wo, "nosuch", "t", 1, "k", 1, "v", 1, &err);
  CHECK_ERR(err, metakv_invalid_argument);
  metakv_put(db, wo, "inode", "", 0, "k", 1, "v", 1, &err); /* empty tenant */
  CHECK_ERR(err, metakv_invalid_argument);
  metakv_put(db, wo, "inode", long_tenant, 256, "k", 1, "v", 1, &err);
  CHECK_ERR(err, metakv_invalid_argument);
  metakv_put(db, wo, "inode", "t", 1, long_key, 65, "v", 1, &err); /* max_key_bytes 64 */
  CHECK_ERR(err, metakv_invalid_argument);
  metakv_put(db, wo, "inode", "t", 1, "", 0, "v", 1, &err); /* empty key */
  CHECK_ERR(err, metakv_invalid_argument);
  /* A value of length 0 may come with a NULL pointer. */
  metakv_put(db, wo, "inode", "t", 1, "k", 1, NULL, 0, &err);
  CHECK_OK(err);
  CHECK(ValueIs(db, "inode", "t", "k", ""));
  CHECK(metakv_get(db, ro, "inode", "t", 1, "k", 1, NULL, &err) == NULL); /* NULL vallen */
  CHECK_ERR(err, metakv_invalid_argument);
  CHECK(metakv_get(db, ro, "nosuch", "t", 1, "k", 1, &len, &err) == NULL);
  CHECK_ERR(err, metakv_invalid_argument);
  /* A NULL errptr loses the message, nothing else. */
  metakv_put(db, wo, NULL, "t", 1, "k", 1, "v", 1, NULL);
  /* A message already in errptr is replaced. */
  metakv_put(db, wo, NULL, "t", 1, "k", 1, "v", 1, &err);
  metakv_put(db, wo, "nosuch", "t", 1, "k", 1, "v", 1, &err);
  CHECK(strstr(err, "nosuch") != NULL);
  CHECK_ERR(err, metakv_invalid_argument);
  /* Nothing bad reached the store. */
  uint64_t puts = 0;
  CHECK(metakv_get_int_property(db, "inode", "metakv.puts", &puts, &err) == 1);
  CHECK_OK(err);
  CHECK(puts == 1);
  CHECK(metakv_get_int_property(db, "inode", "metakv.nosuch", &puts, &err) == 0);
  CHECK_ERR(err, metakv_invalid_argument);
  metakv_close(db);
}

static void test_batches(void) {
  metakv_t* db = OpenSmall();
  char* err = NULL;
  metakv_writebatch_t* b = metakv_writebatch_create();
  metakv_writebatch_put(b, "inode", "t", 1, "a", 1, "1", 1);
  metakv_writebatch_put(b, "dentry", "t", 1, "b", 1, "2", 1);
  metakv_writebatch_put_with_ttl(b, "inode", "t", 1, "c", 1, "3", 1, 100);
  metakv_writebatch_delete(b, "inode", "t", 1, "c", 1);
  CHECK(metakv_writebatch_count(b) == 4);
  metakv_write(db, wo, b, &err);
  CHECK_OK(err);
  CHECK(ValueIs(db, "inode", "t", "a", "1") && ValueIs(db, "dentry", "t", "b", "2"));
  CHECK(ValueIs(db, "inode", "t", "c", NULL));

  /* All or nothing: a delete of an absent key fails the whole batch. */
  metakv_writebatch_clear(b);
  metakv_writebatch_put(b, "inode", "t", 1, "d", 1, "4", 1);
  metakv_writebatch_delete(b, "inode", "t", 1, "absent", 6);
  metakv_write(db, wo, b, &err);
  CHECK_ERR(err, metakv_not_found);
  CHECK(ValueIs(db, "inode", "t", "d", NULL));

  /* A bad add is reported by the write, until clear. */
  metakv_writebatch_clear(b);
  metakv_writebatch_put(b, "inode", "t", 1, NULL, 5, "4", 1);
  metakv_writebatch_put(b, "inode", "t", 1, "e", 1, "5", 1);
  metakv_write(db, wo, b, &err);
  CHECK(strstr(err, "key") != NULL);
  CHECK_ERR(err, metakv_invalid_argument);
  CHECK(ValueIs(db, "inode", "t", "e", NULL));
  metakv_writebatch_hard_delete(b, NULL, "t", 1, "a", 1);
  metakv_write(db, NULL, b, &err);
  CHECK_ERR(err, metakv_invalid_argument);
  metakv_write(db, wo, NULL, &err);
  CHECK_ERR(err, metakv_invalid_argument);
  metakv_writebatch_clear(b);
  metakv_writebatch_hard_delete(b, "inode", "t", 1, "a", 1);
  metakv_write(db, wo, b, &err);
  CHECK_OK(err);
  CHECK(ValueIs(db, "inode", "t", "a", NULL));
  metakv_writebatch_destroy(b);

  /* The packed form: put "p" -> "q" (ttl 0), then hard delete "b". */
  static const char packed[] =
      "\x01"
      "\x05\0\0\0"
      "inode"
      "\x01\0\0\0"
      "t"
      "\x01\0\0\0"
      "p"
      "\x01\0\0\0"
      "q"
      "\0\0\0\0\0\0\0\0"
      "\x03"
      "\x06\0\0\0"
      "dentry"
      "\x01\0\0\0"
      "t"
      "\x01\0\0\0"
      "b";
  metakv_write_packed(db, wo, packed, sizeof(packed) - 1, &err);
  CHECK_OK(err);
  CHECK(ValueIs(db, "inode", "t", "p", "q") && ValueIs(db, "dentry", "t", "b", NULL));
  /* Truncated anywhere, or a bad type: InvalidArgument, nothing applied. */
  for (size_t cut = 1; cut < sizeof(packed) - 1; ++cut) {
    if (cut == 33) continue; /* exactly the first operation: a whole batch */
    metakv_write_packed(db, wo, packed, cut, &err);
    CHECK_ERR(err, metakv_invalid_argument);
  }
  metakv_write_packed(db, wo, "\x09", 1, &err);
  CHECK_ERR(err, metakv_invalid_argument);
  metakv_write_packed(db, wo, NULL, 0, &err); /* an empty batch */
  CHECK_OK(err);
  metakv_close(db);
}

static void test_multi_get(void) {
  metakv_t* db = OpenSmall();
  char* err = NULL;
  PUT(db, "inode", "t", "a", "1");
  PUT(db, "dentry", "t", "b", "22");
  const char* domains[3] = {"inode", "dentry", "nosuch"};
  const char* tenants[3] = {"t", "t", "t"};
  const size_t tenantlens[3] = {1, 1, 1};
  const char* keys[3] = {"a", "b", "a"};
  size_t keylens[3] = {1, 1, 1};
  char* values[3];
  size_t vallens[3];
  char* errs[3];
  metakv_multi_get(db, ro, 3, domains, tenants, tenantlens, keys, keylens, values, vallens, errs,
                   &err);
  CHECK_OK(err);
  CHECK(values[0] != NULL && vallens[0] == 1 && memcmp(values[0], "1", 1) == 0 && !errs[0]);
  CHECK(values[1] != NULL && vallens[1] == 2 && memcmp(values[1], "22", 2) == 0 && !errs[1]);
  CHECK(values[2] == NULL);
  CHECK_ERR(errs[2], metakv_invalid_argument);
  metakv_free(values[0]);
  metakv_free(values[1]);
  keys[1] = "absent";
  keylens[1] = 6;
  domains[1] = "inode";
  metakv_multi_get(db, ro, 2, domains, tenants, tenantlens, keys, keylens, values, vallens, errs,
                   &err);
  CHECK(values[1] == NULL && errs[1] == NULL); /* absent: no value, no error */
  metakv_free(values[0]);
  metakv_multi_get(db, ro, 2, NULL, tenants, tenantlens, keys, keylens, values, vallens, errs,
                   &err);
  CHECK_ERR(err, metakv_invalid_argument);

  static const char packed[] =
      "\x05\0\0\0"
      "inode"
      "\x01\0\0\0"
      "t"
      "\x01\0\0\0"
      "a"
      "\x05\0\0\0"
      "inode"
      "\x01\0\0\0"
      "t"
      "\x01\0\0\0"
      "z";
  size_t outlen = 0;
  char* out = metakv_multi_get_packed(db, ro, packed, sizeof(packed) - 1, &outlen, &err);
  CHECK_OK(err);
  static const char want[] =
      "\0"
      "\x01\0\0\0"
      "1"
      "\x01"
      "\0\0\0\0";
  CHECK(outlen == sizeof(want) - 1 && memcmp(out, want, outlen) == 0);
  metakv_free(out);
  CHECK(metakv_multi_get_packed(db, ro, packed, 7, &outlen, &err) == NULL);
  CHECK_ERR(err, metakv_invalid_argument);
  metakv_close(db);
}

/* Reads a u32 / u64 little-endian. */
static uint32_t U32(const char* p) {
  const unsigned char* u = (const unsigned char*)p;
  return (uint32_t)u[0] | ((uint32_t)u[1] << 8) | ((uint32_t)u[2] << 16) | ((uint32_t)u[3] << 24);
}
static uint64_t U64(const char* p) { return (uint64_t)U32(p) | ((uint64_t)U32(p + 4) << 32); }

static void test_iterators(void) {
  metakv_t* db = OpenSmall();
  char* err = NULL;
  PUT(db, "dentry", "t1", "dir/b", "2");
  PUT(db, "dentry", "t1", "dir/a", "1");
  PUT(db, "dentry", "t1", "dir/c", "3");
  PUT(db, "dentry", "t1", "other", "x");
  PUT(db, "dentry", "t2", "dir/a", "y");
  metakv_iterator_t* it = metakv_create_iterator(db, ro, "dentry", "t1", 2, "dir/", 4, &err);
  CHECK_OK(err);
  CHECK(!metakv_iter_valid(it)); /* unpositioned */
  metakv_iter_next(it);          /* not valid: nothing happens */
  metakv_iter_seek_to_first(it);
  const char* want[3] = {"dir/a", "dir/b", "dir/c"};
  int n = 0;
  for (; metakv_iter_valid(it); metakv_iter_next(it), ++n) {
    size_t klen = 0, vlen = 0, tlen = 0;
    const char* k = metakv_iter_key(it, &klen);
    const char* v = metakv_iter_value(it, &vlen);
    const char* t = metakv_iter_tenant(it, &tlen);
    CHECK(n < 3 && klen == 5 && memcmp(k, want[n], 5) == 0);
    CHECK(vlen == 1 && v[0] == '1' + n && tlen == 2 && memcmp(t, "t1", 2) == 0);
    CHECK(metakv_iter_write_time(it) > 0 && metakv_iter_delete_time(it) == 0);
  }
  CHECK(n == 3);
  size_t klen = 99;
  CHECK(metakv_iter_key(it, &klen) == NULL && klen == 0);
  metakv_iter_seek(it, "dir/b", 5);
  CHECK(metakv_iter_valid(it) && memcmp(metakv_iter_key(it, &klen), "dir/b", 5) == 0);
  metakv_iter_seek_for_prev(it, "dir/bz", 6);
  CHECK(metakv_iter_valid(it) && memcmp(metakv_iter_key(it, &klen), "dir/b", 5) == 0);
  metakv_iter_prev(it);
  CHECK(metakv_iter_valid(it) && memcmp(metakv_iter_key(it, &klen), "dir/a", 5) == 0);
  metakv_iter_seek_to_last(it);
  CHECK(metakv_iter_valid(it) && memcmp(metakv_iter_key(it, &klen), "dir/c", 5) == 0);
  /* A seek to another tenant, or with a NULL key, makes it invalid with an error. */
  metakv_iter_seek_tenant(it, "t2", 2, "dir/", 4);
  CHECK(!metakv_iter_valid(it));
  metakv_iter_get_error(it, &err);
  CHECK_ERR(err, metakv_invalid_argument);
  metakv_iter_seek(it, NULL, 3);
  CHECK(!metakv_iter_valid(it));
  metakv_iter_get_error(it, &err);
  CHECK_ERR(err, metakv_invalid_argument);
  metakv_iter_seek_to_first(it); /* a move clears it */
  metakv_iter_get_error(it, &err);
  CHECK_OK(err);

  /* read_entries: two records fit in 90 bytes (44 each), not three. */
  char buf[90];
  size_t used = 0;
  CHECK(metakv_iter_read_entries(it, buf, sizeof(buf), 10, &used) == 2);
  CHECK(used == 88);
  CHECK(U32(buf) == 2 && U32(buf + 4) == 5 && U32(buf + 8) == 1);
  CHECK(U64(buf + 12) > 0 && U64(buf + 20) == 0 && U64(buf + 28) == 0);
  CHECK(memcmp(buf + 36, "t1dir/a1", 8) == 0 && memcmp(buf + 44 + 36, "t1dir/b2", 8) == 0);
  CHECK(metakv_iter_read_entries(it, buf, 10, 10, &used) == 0 && used == 44); /* too small */
  CHECK(metakv_iter_read_entries(it, buf, sizeof(buf), 10, &used) == 1 && used == 44);
  CHECK(memcmp(buf + 36, "t1dir/c3", 8) == 0);
  CHECK(metakv_iter_read_entries(it, buf, sizeof(buf), 10, &used) == 0 && used == 0);
  metakv_iter_destroy(it);

  /* A whole-domain scan: every tenant; seek needs a tenant. */
  it = metakv_create_iterator(db, ro, "dentry", NULL, 0, NULL, 0, &err);
  CHECK_OK(err);
  n = 0;
  for (metakv_iter_seek_to_first(it); metakv_iter_valid(it); metakv_iter_next(it)) ++n;
  CHECK(n == 5);
  metakv_iter_seek(it, "dir/a", 5);
  CHECK(!metakv_iter_valid(it));
  metakv_iter_get_error(it, &err);
  CHECK_ERR(err, metakv_invalid_argument);
  metakv_iter_seek_tenant(it, "t2", 2, "", 0);
  CHECK(metakv_iter_valid(it) && memcmp(metakv_iter_value(it, &klen), "y", 1) == 0);
  metakv_iter_destroy(it);

  /* Bad arguments. */
  CHECK(metakv_create_iterator(db, ro, "nosuch", "t1", 2, NULL, 0, &err) == NULL);
  CHECK_ERR(err, metakv_invalid_argument);
  CHECK(metakv_create_iterator(db, ro, "dentry", NULL, 0, "dir", 3, &err) == NULL);
  CHECK_ERR(err, metakv_invalid_argument);
  CHECK(metakv_create_iterator(db, ro, "dentry", NULL, 2, NULL, 0, &err) == NULL);
  CHECK_ERR(err, metakv_invalid_argument);

  /* Scan specs: bounds, and the recycle bin. */
  metakv_scanspec_t* spec = metakv_scanspec_create();
  metakv_scanspec_set_tenant(spec, "t1", 2);
  metakv_scanspec_set_lower_bound(spec, "dir/b", 5);
  metakv_scanspec_set_upper_bound(spec, "other", 5);
  it = metakv_create_scan_iterator(db, ro, "dentry", spec, &err);
  CHECK_OK(err);
  n = 0;
  for (metakv_iter_seek_to_first(it); metakv_iter_valid(it); metakv_iter_next(it)) ++n;
  CHECK(n == 2); /* dir/b, dir/c */
  metakv_iter_destroy(it);
  metakv_delete(db, wo, "dentry", "t1", 2, "dir/b", 5, &err);
  CHECK_OK(err);
  const uint64_t deleted_at = metakv_clock_now_micros(g_clock) / 1000000;
  metakv_scanspec_set_deleted(spec, 1);
  it = metakv_create_scan_iterator(db, ro, "dentry", spec, &err);
  CHECK_OK(err);
  metakv_iter_seek_to_first(it);
  CHECK(metakv_iter_valid(it) && memcmp(metakv_iter_key(it, &klen), "dir/b", 5) == 0);
  CHECK(memcmp(metakv_iter_value(it, &klen), "2", 1) == 0);
  CHECK(metakv_iter_delete_time(it) == deleted_at);
  metakv_iter_next(it);
  CHECK(!metakv_iter_valid(it));
  metakv_iter_destroy(it);
  it = metakv_create_recycle_bin_iterator(db, ro, "dentry", "t1", 2, "dir/", 4, &err);
  CHECK_OK(err);
  metakv_iter_seek_to_first(it);
  CHECK(metakv_iter_valid(it) && metakv_iter_delete_time(it) == deleted_at);
  metakv_iter_destroy(it);
  metakv_scanspec_set_prefix(spec, NULL, 4);
  CHECK(metakv_create_scan_iterator(db, ro, "dentry", spec, &err) == NULL);
  CHECK_ERR(err, metakv_invalid_argument);
  metakv_scanspec_destroy(spec);
  metakv_close(db);
}

/* Tenant isolation through the C API: tenants "t", "t\0" and "t1" (one a
 * prefix of the others, one with a zero byte, passed with its length), each
 * with a live and a logically deleted record under the same keys. Every
 * scan of one tenant, of the live records or of the recycle bin, returns
 * exactly that tenant's records; reads never see another tenant's. */
static void test_tenant_isolation(void) {
  metakv_t* db = OpenSmall();
  char* err = NULL;
  static const char* const kTenants[] = {"t", "t\0", "t1"};
  static const size_t kLens[] = {1, 2, 2};
  for (int t = 0; t < 3; ++t) {
    char val[8];
    snprintf(val, sizeof(val), "v%d", t);
    metakv_put(db, wo, "inode", kTenants[t], kLens[t], "a", 1, val, strlen(val), &err);
    CHECK_OK(err);
    metakv_put(db, wo, "inode", kTenants[t], kLens[t], "b", 1, val, strlen(val), &err);
    CHECK_OK(err);
    metakv_delete(db, wo, "inode", kTenants[t], kLens[t], "b", 1, &err);
    CHECK_OK(err);
  }
  metakv_flush(db, "inode", &err);
  CHECK_OK(err);
  for (int t = 0; t < 3; ++t) {
    char want[8];
    snprintf(want, sizeof(want), "v%d", t);
    for (int bin = 0; bin < 2; ++bin) {
      metakv_iterator_t* it =
          bin ? metakv_create_recycle_bin_iterator(db, ro, "inode", kTenants[t], kLens[t], NULL, 0,
                                                   &err)
              : metakv_create_iterator(db, ro, "inode", kTenants[t], kLens[t], NULL, 0, &err);
      CHECK_OK(err);
      int n = 0;
      for (metakv_iter_seek_to_first(it); metakv_iter_valid(it); metakv_iter_next(it), ++n) {
        size_t tlen = 0, klen = 0, vlen = 0;
        const char* tenant = metakv_iter_tenant(it, &tlen);
        const char* key = metakv_iter_key(it, &klen);
        const char* value = metakv_iter_value(it, &vlen);
        CHECK(tlen == kLens[t] && memcmp(tenant, kTenants[t], tlen) == 0);
        CHECK(klen == 1 && key[0] == (bin ? 'b' : 'a'));
        CHECK(vlen == strlen(want) && memcmp(value, want, vlen) == 0);
      }
      CHECK(n == 1);
      metakv_iter_get_error(it, &err);
      CHECK_OK(err);
      metakv_iter_destroy(it);
    }
    size_t len = 0;
    char* v = metakv_get(db, ro, "inode", kTenants[t], kLens[t], "a", 1, &len, &err);
    CHECK_OK(err);
    CHECK(v != NULL && len == strlen(want) && memcmp(v, want, len) == 0);
    metakv_free(v);
  }
  metakv_close_checked(db, &err);
  CHECK_OK(err);
}

/* The applied index with writes and batches (undelete in a batch too), and
 * a tenant exported and imported into another store. */
static void test_replication(void) {
  metakv_t* db = OpenSmall();
  char* err = NULL;
  uint64_t term = 9, index = 9;
  metakv_get_applied_index(db, &term, &index, &err);
  CHECK_OK(err);
  CHECK(term == 0 && index == 0);
  metakv_writeoptions_t* at = metakv_writeoptions_create();
  metakv_writeoptions_set_applied_index(at, 2, 5);
  metakv_put(db, at, "inode", "t", 1, "a", 1, "1", 1, &err);
  CHECK_OK(err);
  metakv_get_applied_index(db, &term, &index, &err);
  CHECK_OK(err);
  CHECK(term == 2 && index == 5);
  PUT(db, "inode", "t", "b", "2");
  metakv_delete(db, wo, "inode", "t", 1, "b", 1, &err);
  CHECK_OK(err);
  metakv_writebatch_t* b = metakv_writebatch_create();
  metakv_writebatch_undelete(b, "inode", "t", 1, "b", 1);
  metakv_writeoptions_set_applied_index(at, 2, 6);
  metakv_write(db, at, b, &err);
  CHECK_OK(err);
  CHECK(ValueIs(db, "inode", "t", "b", "2"));
  /* A packed batch with an undelete of a live record: the whole batch fails,
   * and the index stays. */
  const char packed[] = "\x04\x05\0\0\0inode\x01\0\0\0t\x01\0\0\0b";
  metakv_writeoptions_set_applied_index(at, 2, 7);
  metakv_write_packed(db, at, packed, sizeof(packed) - 1, &err);
  CHECK_ERR(err, metakv_failed_precondition);
  metakv_get_applied_index(db, &term, &index, &err);
  CHECK_OK(err);
  CHECK(term == 2 && index == 6);
  metakv_get_applied_index(db, NULL, &index, &err);
  CHECK_ERR(err, metakv_invalid_argument);

  PUT(db, "inode", "t1", "a", "other");
  char dir[320];
  snprintf(dir, sizeof(dir), "%s/export", NewPath());
  char* parent = strdup(dir);
  *strrchr(parent, '/') = '\0';
  CHECK(mkdir(parent, 0755) == 0);
  free(parent);
  uint64_t info[4] = {0, 0, 0, 0};
  metakv_export_tenant(db, "t", 1, dir, info, &err);
  CHECK_OK(err);
  CHECK(info[0] == 1 && info[1] == 2 && info[2] > 0 && info[3] == 0);
  metakv_export_tenant(db, "t", 1, dir, NULL, &err);
  CHECK_ERR(err, metakv_invalid_argument); /* exists */
  metakv_export_tenant(db, NULL, 1, dir, NULL, &err);
  CHECK_ERR(err, metakv_invalid_argument);
  metakv_t* other = OpenSmall();
  uint64_t got[4] = {0, 0, 0, 0};
  metakv_import_tenant(other, dir, 0, 3, 11, got, &err);
  CHECK_OK(err);
  CHECK(got[1] == info[1]);
  CHECK(ValueIs(other, "inode", "t", "a", "1"));
  CHECK(ValueIs(other, "inode", "t", "b", "2"));
  CHECK(ValueIs(other, "inode", "t1", "a", NULL));
  metakv_get_applied_index(other, &term, &index, &err);
  CHECK_OK(err);
  CHECK(term == 3 && index == 11);
  metakv_import_tenant(other, dir, 0, 0, 0, NULL, &err);
  CHECK_ERR(err, metakv_failed_precondition);
  metakv_import_tenant(other, dir, 1, 0, 0, NULL, &err);
  CHECK_OK(err);
  metakv_import_tenant(other, NULL, 0, 0, 0, NULL, &err);
  CHECK_ERR(err, metakv_invalid_argument);
  metakv_close_checked(other, &err);
  CHECK_OK(err);
  metakv_writebatch_destroy(b);
  metakv_writeoptions_destroy(at);
  metakv_close_checked(db, &err);
  CHECK_OK(err);
}

static void test_snapshots(void) {
  metakv_t* db = OpenSmall();
  PUT(db, "inode", "t", "k", "old");
  const metakv_snapshot_t* snap = metakv_create_snapshot(db);
  CHECK(snap != NULL);
  CHECK(metakv_snapshot_time(snap) == metakv_clock_now_micros(g_clock) / 1000000);
  PUT(db, "inode", "t", "k", "new");
  PUT(db, "inode", "t", "k2", "new");
  metakv_readoptions_t* at = metakv_readoptions_create();
  metakv_readoptions_set_snapshot(at, snap);
  char* err = NULL;
  size_t len = 0;
  char* v = metakv_get(db, at, "inode", "t", 1, "k", 1, &len, &err);
  CHECK(v != NULL && len == 3 && memcmp(v, "old", 3) == 0);
  metakv_free(v);
  CHECK(metakv_get(db, at, "inode", "t", 1, "k2", 2, &len, &err) == NULL);
  CHECK_OK(err);
  metakv_iterator_t* it = metakv_create_iterator(db, at, "inode", "t", 1, NULL, 0, &err);
  int n = 0;
  for (metakv_iter_seek_to_first(it); metakv_iter_valid(it); metakv_iter_next(it)) ++n;
  CHECK(n == 1);
  metakv_iter_destroy(it);
  metakv_release_snapshot(db, snap);
  metakv_readoptions_destroy(at);
  CHECK(ValueIs(db, "inode", "t", "k", "new"));
  CHECK(metakv_create_snapshot(NULL) == NULL && metakv_snapshot_time(NULL) == 0);
  metakv_close(db);
}

static void test_removals(void) {
  metakv_t* db = OpenSmall();
  char* err = NULL;
  PUT(db, "dentry", "t", "d/1", "a");
  PUT(db, "inode", "t", "d/1", "b");
  PUT(db, "inode", "t", "e/1", "c");
  const char* domains[2] = {"dentry", "inode"};
  const char* prefixes[2] = {"d/", "d/"};
  const size_t prefixlens[2] = {2, 2};
  uint64_t id = 0;
  metakv_remove_tree(db, wo, "t", 1, 2, domains, prefixes, prefixlens, 0, &id, &err);
  CHECK_OK(err);
  CHECK(id != 0);
  CHECK(ValueIs(db, "dentry", "t", "d/1", NULL) && ValueIs(db, "inode", "t", "d/1", NULL));
  CHECK(ValueIs(db, "inode", "t", "e/1", "c"));
  metakv_restore_tree(db, wo, id, &err);
  CHECK_OK(err);
  CHECK(ValueIs(db, "dentry", "t", "d/1", "a") && ValueIs(db, "inode", "t", "d/1", "b"));
  metakv_restore_tree(db, wo, id, &err); /* already restored */
  CHECK_ERR(err, metakv_not_found);
  /* The pending removal, listed: id, tenant, mode, times, two prefixes. */
  const metakv_snapshot_t* before = metakv_create_snapshot(db);
  const uint64_t now = metakv_snapshot_time(before);
  metakv_release_snapshot(db, before);
  metakv_remove_tree(db, wo, "t", 1, 2, domains, prefixes, prefixlens, 0, &id, &err);
  CHECK_OK(err);
  size_t len = 0;
  char* listed = metakv_list_removals(db, &len, &err);
  CHECK_OK(err);
  CHECK(listed != NULL && len == 65); /* 34 bytes, then dentry:d/ and inode:d/ */
  if (listed != NULL && len >= 34) {
    CHECK(U64(listed) == id);
    CHECK(U32(listed + 8) == 1 && listed[12] == 't');
    CHECK(listed[13] == 0); /* logical */
    CHECK(U64(listed + 14) == now);
    CHECK(U64(listed + 22) > U64(listed + 14)); /* purged after its retention */
    CHECK(U32(listed + 30) == 2);
    CHECK(U32(listed + 34) == 6 && memcmp(listed + 38, "dentry", 6) == 0);
  }
  metakv_free(listed);
  metakv_restore_tree(db, wo, id, &err);
  CHECK_OK(err);
  listed = metakv_list_removals(db, &len, &err);
  CHECK_OK(err);
  CHECK(len == 0);
  metakv_free(listed);
  CHECK(metakv_list_removals(NULL, &len, &err) == NULL);
  CHECK_ERR(err, metakv_invalid_argument);
  metakv_remove_tree(db, wo, "t", 1, 0, NULL, NULL, NULL, 0, &id, &err); /* no prefixes */
  CHECK_ERR(err, metakv_invalid_argument);
  metakv_remove_tree(db, wo, "t", 1, 2, domains, NULL, prefixlens, 1, NULL, &err);
  CHECK_ERR(err, metakv_invalid_argument);
  metakv_remove_tree(db, wo, "t", 1, 2, domains, prefixes, prefixlens, 1, &id, &err); /* hard */
  CHECK_OK(err);
  CHECK(id == 0); /* not restorable: no id */
  CHECK(ValueIs(db, "dentry", "t", "d/1", NULL));
  metakv_remove_tenant(db, wo, "t", 1, &err);
  CHECK_OK(err);
  CHECK(ValueIs(db, "inode", "t", "e/1", NULL));
  metakv_remove_tenant(db, wo, NULL, 1, &err);
  CHECK_ERR(err, metakv_invalid_argument);
  metakv_close(db);
}

/* Appends a packed string. */
static size_t PutString(char* out, const char* s, size_t n) {
  out[0] = (char)(n & 0xff);
  out[1] = (char)((n >> 8) & 0xff);
  out[2] = out[3] = 0;
  memcpy(out + 4, s, n);
  return 4 + n;
}

static void test_cold_ingest(void) {
  metakv_t* db = OpenSmall();
  char* err = NULL;
  metakv_coldbatch_t* b = metakv_coldbatch_create();
  const uint64_t now = metakv_clock_now_micros(g_clock) / 1000000;
  metakv_coldbatch_add(b, "v2", 2, "second", 6, 0, 0, 0);
  metakv_coldbatch_add(b, "v1", 2, "first", 5, 0, now - 100, 0);
  CHECK(metakv_coldbatch_count(b) == 2);
  metakv_ingest_cold(db, "history", "t", 1, b, &err);
  CHECK_OK(err);
  CHECK(ValueIs(db, "history", "t", "v1", "first") && ValueIs(db, "history", "t", "v2", "second"));
  metakv_ingest_cold(db, "inode", "t", 1, b, &err); /* a hot domain */
  CHECK_ERR(err, metakv_invalid_argument);
  metakv_coldbatch_clear(b);
  metakv_ingest_cold(db, "history", "t", 1, b, &err); /* no records */
  CHECK_ERR(err, metakv_invalid_argument);
  metakv_coldbatch_add(b, NULL, 2, "x", 1, 0, 0, 0);
  metakv_ingest_cold(db, "history", "t", 1, b, &err);
  CHECK_ERR(err, metakv_invalid_argument);
  metakv_coldbatch_destroy(b);

  /* Packed: one record with an expiry in the past (expired at once). */
  char packed[64];
  size_t n = PutString(packed, "v3", 2);
  n += PutString(packed + n, "third", 5);
  memset(packed + n, 0, 24);
  packed[n + 16] = 1; /* expiry_seconds = 1 */
  n += 24;
  metakv_ingest_cold_packed(db, "history", "t", 1, packed, n, &err);
  CHECK_OK(err);
  CHECK(ValueIs(db, "history", "t", "v3", NULL));
  metakv_ingest_cold_packed(db, "history", "t", 1, packed, n - 1, &err);
  CHECK_ERR(err, metakv_invalid_argument);
  metakv_close(db);
}

static void test_figures_and_maintenance(void) {
  metakv_t* db = OpenSmall();
  char* err = NULL;
  char key[16];
  for (int i = 0; i < 100; ++i) {
    snprintf(key, sizeof(key), "k%03d", i);
    PUT(db, "inode", "t", key, "value");
  }
  metakv_flush(db, "inode", &err);
  CHECK_OK(err);
  metakv_flush(db, NULL, &err);
  CHECK_OK(err);
  metakv_flush(db, "nosuch", &err);
  CHECK_ERR(err, metakv_invalid_argument);
  metakv_resume(db, &err); /* writes were never stopped: nothing to do */
  CHECK_OK(err);
  metakv_compact_range(db, "inode", "t", 1, &err);
  CHECK_OK(err);
  metakv_compact_range(db, NULL, "t", 1, &err); /* a tenant needs a domain */
  CHECK_ERR(err, metakv_invalid_argument);
  metakv_wait_for_background_work(db, 0, &err);
  CHECK_OK(err);
  uint64_t dropped = 9, deadline = 9, merged = 9;
  metakv_run_maintenance(db, NULL, &dropped, &deadline, &merged, &err);
  CHECK_OK(err);
  CHECK(dropped == 0 && merged == 0);
  metakv_maintenance_options_t* mo = metakv_maintenance_options_create();
  metakv_maintenance_options_set_domain(mo, "nosuch");
  metakv_run_maintenance(db, mo, NULL, NULL, NULL, &err);
  CHECK_ERR(err, metakv_invalid_argument);
  metakv_maintenance_options_destroy(mo);
  CHECK(metakv_approximate_size(db, "inode", "t", 1, NULL, 0, &err) > 0);
  CHECK_OK(err);

  size_t len = 0;
  char* json = metakv_stats_json(db, &len, &err);
  CHECK_OK(err);
  CHECK(len == strlen(json) && json[0] == '{' && json[len - 1] == '}');
  CHECK(strstr(json, "\"name\":\"inode\",\"temperature\":\"hot\",\"user_bytes_written\":") != NULL);
  CHECK(strstr(json, "\"puts\":100,") != NULL);
  metakv_free(json);
  char* prom = metakv_stats_prometheus(db, &len, &err);
  CHECK_OK(err);
  CHECK(len == strlen(prom));
  CHECK(strstr(prom, "# TYPE metakv_puts_total counter\n") != NULL);
  CHECK(strstr(prom, "metakv_puts_total{domain=\"inode\"} 100\n") != NULL);
  metakv_free(prom);
  uint64_t v = 0;
  CHECK(metakv_get_int_property(db, "inode", "metakv.puts", &v, &err) && v == 100);
  CHECK(metakv_get_int_property(db, NULL, "metakv.user-bytes-written", &v, &err) && v > 0);
  CHECK_OK(err);
  char* names = metakv_int_property_names(1, &len);
  CHECK(strstr(names, "metakv.puts\n") != NULL && len == strlen(names));
  metakv_free(names);
  CHECK(metakv_stats_json(NULL, &len, &err) == NULL);
  CHECK_ERR(err, metakv_invalid_argument);
  metakv_close(db);
}

static void test_inode_codec(void) {
  metakv_inode_attributes_t a;
  memset(&a, 0, sizeof(a));
  a.ino = 42;
  a.mode = 0100644;
  a.size = 1u << 20;
  a.mtime_ns = -5;
  size_t len = 0;
  char* enc = metakv_inode_encode(&a, &len);
  CHECK(enc != NULL && len > 0);
  metakv_inode_attributes_t b;
  char* err = NULL;
  metakv_inode_decode(enc, len, &b, &err);
  CHECK_OK(err);
  CHECK(b.ino == 42 && b.mode == 0100644 && b.size == (1u << 20) && b.mtime_ns == -5);
  metakv_inode_decode(enc, len - 1, &b, &err);
  CHECK_ERR(err, metakv_corruption);
  metakv_free(enc);
  CHECK(metakv_inode_encode(NULL, &len) == NULL);
}

static void test_close_and_repair(void) {
  char* err = NULL;
  metakv_options_t* o = SmallOptions();
  const char* path = NewPath();
  char dir[300];
  snprintf(dir, sizeof(dir), "%s", path);
  metakv_t* db = metakv_open(o, dir, &err);
  CHECK_OK(err);
  PUT(db, "inode", "t", "k", "v"); /* in the WAL only */
  metakv_close_checked(db, &err);
  CHECK_OK(err);
  metakv_close_checked(NULL, &err);
  CHECK_ERR(err, metakv_invalid_argument);
  metakv_repair(o, dir, &err);
  CHECK_OK(err);
  db = metakv_open(o, dir, &err);
  CHECK_OK(err);
  CHECK(ValueIs(db, "inode", "t", "k", "v"));
  /* A checkpoint opens as a store with the same record. */
  char copy[320];
  snprintf(copy, sizeof(copy), "%s-copy", dir);
  metakv_create_checkpoint(db, copy, &err);
  CHECK_OK(err);
  metakv_create_checkpoint(db, copy, &err); /* exists */
  CHECK_ERR(err, metakv_invalid_argument);
  metakv_create_checkpoint(db, NULL, &err);
  CHECK_ERR(err, metakv_invalid_argument);
  metakv_t* from_copy = metakv_open(o, copy, &err);
  CHECK_OK(err);
  CHECK(ValueIs(from_copy, "inode", "t", "k", "v"));
  metakv_close(from_copy);
  metakv_t* second = metakv_open(o, dir, &err); /* locked */
  CHECK(second == NULL);
  CHECK_ERR(err, metakv_io_error);
  /* A secondary beside the writer: sees its state, then more after a
   * catch-up; refuses writes. */
  metakv_options_t* so = SmallOptions();
  char side[320];
  snprintf(side, sizeof(side), "%s-side", dir);
  metakv_options_set_create_if_missing(so, 0);
  metakv_options_set_secondary_path(so, side);
  metakv_t* reader = metakv_open(so, dir, &err);
  CHECK_OK(err);
  CHECK(ValueIs(reader, "inode", "t", "k", "v"));
  PUT(db, "inode", "t", "later", "w");
  CHECK(ValueIs(reader, "inode", "t", "later", NULL));
  metakv_try_catch_up_with_primary(reader, &err);
  CHECK_OK(err);
  CHECK(ValueIs(reader, "inode", "t", "later", "w"));
  metakv_put(reader, wo, "inode", "t", 1, "x", 1, "y", 1, &err);
  CHECK_ERR(err, metakv_not_supported);
  metakv_try_catch_up_with_primary(db, &err); /* not a secondary */
  CHECK_ERR(err, metakv_not_supported);
  size_t text_len = 0;
  char* text = metakv_stats_text(reader, &text_len, &err);
  CHECK_OK(err);
  CHECK(text != NULL && strstr(text, "domain inode: ") != NULL && strlen(text) == text_len);
  metakv_free(text);
  metakv_close(reader);
  metakv_options_set_secondary_path(so, NULL);
  metakv_options_destroy(so);
  metakv_close(db);
  metakv_repair(NULL, dir, &err);
  CHECK_ERR(err, metakv_invalid_argument);
  metakv_options_destroy(o);
}

int main(void) {
  const char* tmp = getenv("TMPDIR");
  snprintf(g_root, sizeof(g_root), "%s/metakv_c_api_XXXXXX", tmp ? tmp : "/tmp");
  if (mkdtemp(g_root) == NULL) {
    perror("mkdtemp");
    return 1;
  }
  g_clock = metakv_manual_clock_create(UINT64_C(1700000000) * 1000000);
  ro = metakv_readoptions_create();
  wo = metakv_writeoptions_create();
  test_open_errors();
  test_domain_options();
  test_put_get_delete();
  test_bad_arguments();
  test_batches();
  test_multi_get();
  test_iterators();
  test_tenant_isolation();
  test_replication();
  test_snapshots();
  test_removals();
  test_cold_ingest();
  test_figures_and_maintenance();
  test_inode_codec();
  test_close_and_repair();
  metakv_readoptions_destroy(ro);
  metakv_writeoptions_destroy(wo);
  metakv_manual_clock_destroy(g_clock);
  char cmd[300];
  snprintf(cmd, sizeof(cmd), "rm -rf '%s'", g_root);
  if (system(cmd) != 0) fprintf(stderr, "could not remove %s\n", g_root);
  printf("c_api_test: %d checks passed\n", g_checks);
  return 0;
}
