// The C++ comparison loops of cxxloop.cc (build tag metakv_cxxbench),
// declared for cgo. Each returns 0, or 1 with a malloc'ed message in
// *errptr.
#ifndef METAKV_GO_CXXLOOP_H_
#define METAKV_GO_CXXLOOP_H_

#include <stddef.h>
#include <stdint.h>

#include "metakv/c.h"

#ifdef __cplusplus
extern "C" {
#endif

// Puts keys start .. start+n-1 with values of vallen bytes.
int metakv_cxx_put_loop(metakv_t* db, const char* domain, const char* tenant, uint64_t start,
                        uint64_t n, size_t vallen, char** errptr);
// n Gets of keys i % nkeys, each checked to be vallen bytes.
int metakv_cxx_get_loop(metakv_t* db, const char* domain, const char* tenant, uint64_t n,
                        uint64_t nkeys, size_t vallen, char** errptr);
// n batches of per_batch Puts each.
int metakv_cxx_batch_loop(metakv_t* db, const char* domain, const char* tenant, uint64_t n,
                          size_t per_batch, size_t vallen, char** errptr);

#ifdef __cplusplus
}
#endif

#endif  // METAKV_GO_CXXLOOP_H_
