//go:build metakv_cxxbench

// The benchmark loops of bench_test.go in C++, on the same store, through
// the C++ API (metakv::Store), for comparison with the Go binding
// (cxxbench_test.go). Built only with the metakv_cxxbench tag; reaches the
// Store behind a metakv_t through the C API's internal capi/c_handles.h.

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>

#include "capi/c_handles.h"
#include "cxxloop.h"

namespace {

constexpr size_t kKeyLen = 16;

// As bench_test.go's formatKey: 'k' and 15 decimal digits.
void FormatKey(char* b, uint64_t i) {
  b[0] = 'k';
  for (size_t j = kKeyLen - 1; j >= 1; j--) {
    b[j] = static_cast<char>('0' + i % 10);
    i /= 10;
  }
}

std::string Value(size_t len) {
  std::string v(len, '\0');
  for (size_t i = 0; i < len; i++) v[i] = static_cast<char>('a' + i % 26);
  return v;
}

int Fail(const metakv::Status& s, char** errptr) {
  *errptr = strdup(s.ToString().c_str());
  return 1;
}

}  // namespace

int metakv_cxx_put_loop(metakv_t* db, const char* domain, const char* tenant, uint64_t start,
                        uint64_t n, size_t vallen, char** errptr) {
  metakv::Store* store = db->rep.get();
  const std::string value = Value(vallen);
  metakv::WriteOptions wo;
  char key[kKeyLen];
  for (uint64_t i = start; i < start + n; i++) {
    FormatKey(key, i);
    metakv::Status s = store->Put(wo, domain, tenant, std::string_view(key, kKeyLen), value);
    if (!s.ok()) return Fail(s, errptr);
  }
  return 0;
}

int metakv_cxx_get_loop(metakv_t* db, const char* domain, const char* tenant, uint64_t n,
                        uint64_t nkeys, size_t vallen, char** errptr) {
  metakv::Store* store = db->rep.get();
  metakv::ReadOptions ro;
  std::string value;
  char key[kKeyLen];
  for (uint64_t i = 0; i < n; i++) {
    FormatKey(key, i % nkeys);
    metakv::Status s = store->Get(ro, domain, tenant, std::string_view(key, kKeyLen), &value);
    if (!s.ok()) return Fail(s, errptr);
    if (value.size() != vallen) return Fail(metakv::Status::Corruption("bad value"), errptr);
  }
  return 0;
}

int metakv_cxx_batch_loop(metakv_t* db, const char* domain, const char* tenant, uint64_t n,
                          size_t per_batch, size_t vallen, char** errptr) {
  metakv::Store* store = db->rep.get();
  const std::string value = Value(vallen);
  metakv::WriteOptions wo;
  metakv::WriteBatch batch;
  char key[kKeyLen];
  for (uint64_t i = 0; i < n; i++) {
    batch.Clear();
    for (size_t j = 0; j < per_batch; j++) {
      FormatKey(key, i * per_batch + j);
      batch.Put(domain, tenant, std::string_view(key, kKeyLen), value);
    }
    metakv::Status s = store->Write(wo, batch);
    if (!s.ok()) return Fail(s, errptr);
  }
  return 0;
}
