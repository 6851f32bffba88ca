// Wrappers, for the Go package, of the C API calls on its hot paths.
#ifndef METAKV_GO_MKV_H_
#define METAKV_GO_MKV_H_

#include <stddef.h>
#include <stdint.h>

#include "metakv/c.h"

// The calls on the hot paths, taking the handles as uintptr_t and
// returning the error message instead of taking an errptr. A Go pointer to
// an errptr would be checked by cgo and moved to the heap on every call;
// a pointer to an incomplete C type (the handles) is checked too, and
// boxed on the heap for the check. Handles are C memory, so passing them
// as integers hides nothing from the Go collector.
#define MKV_DB(x) ((metakv_t*)(x))
#define MKV_WO(x) ((const metakv_writeoptions_t*)(x))
#define MKV_RO(x) ((const metakv_readoptions_t*)(x))
static inline char* mkv_put(uintptr_t db, uintptr_t wo, const char* domain,
                            const char* tenant, size_t tenantlen, const char* key, size_t keylen,
                            const char* val, size_t vallen, uint64_t ttl_seconds) {
  char* err = NULL;
  if (ttl_seconds == 0) {
    metakv_put(MKV_DB(db), MKV_WO(wo), domain, tenant, tenantlen, key, keylen, val, vallen, &err);
  } else {
    metakv_put_with_ttl(MKV_DB(db), MKV_WO(wo), domain, tenant, tenantlen, key, keylen, val, vallen, ttl_seconds,
                        &err);
  }
  return err;
}

// op: 0 delete, 1 undelete, 2 hard delete.
static inline char* mkv_key_op(int op, uintptr_t db, uintptr_t wo,
                               const char* domain, const char* tenant, size_t tenantlen,
                               const char* key, size_t keylen) {
  char* err = NULL;
  switch (op) {
    case 0: metakv_delete(MKV_DB(db), MKV_WO(wo), domain, tenant, tenantlen, key, keylen, &err); break;
    case 1: metakv_undelete(MKV_DB(db), MKV_WO(wo), domain, tenant, tenantlen, key, keylen, &err); break;
    default: metakv_hard_delete(MKV_DB(db), MKV_WO(wo), domain, tenant, tenantlen, key, keylen, &err); break;
  }
  return err;
}

static inline char* mkv_write_packed(uintptr_t db, uintptr_t wo,
                                     const char* ops, size_t opslen) {
  char* err = NULL;
  metakv_write_packed(MKV_DB(db), MKV_WO(wo), ops, opslen, &err);
  return err;
}

typedef struct {
  size_t vallen;
  char* err;
  unsigned char found;
} mkv_get_result;

static inline mkv_get_result mkv_get_into(uintptr_t db, uintptr_t ro,
                                          const char* domain, const char* tenant,
                                          size_t tenantlen, const char* key, size_t keylen,
                                          char* buf, size_t bufcap) {
  mkv_get_result r = {0, NULL, 0};
  r.found = metakv_get_into(MKV_DB(db), MKV_RO(ro), domain, tenant, tenantlen, key, keylen, buf, bufcap,
                            &r.vallen, &r.err);
  return r;
}

#endif  // METAKV_GO_MKV_H_
