// The C API's argument checks (include/metakv/c.h): the input is a
// sequence of C calls on one small store, each with arguments the fuzzer
// picks: real bytes (of any length, over the store's limits too), NULL
// with length 0 (an empty argument), NULL with a non-zero length, a real
// pointer with a length no buffer can have, NULL handles and domains,
// unknown domains, and packed buffers (batches, MultiGet keys, cold
// records) made of fuzzer bytes.
//
// Checks: no call crashes or reads outside its arguments (ASan); a call
// given an argument the C layer must refuse (a NULL where bytes are
// needed, an impossible length, a NULL handle or domain) fails with
// InvalidArgument; every error message carries a known code; a call that
// fails changes nothing a later Get can see of the key it named (checked
// for single-record writes).
//
// One store per process, in the scratch directory, reused across inputs;
// at most kMaxCalls calls per input.
#include <fuzzer/FuzzedDataProvider.h>

#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "fuzz/fuzz_util.h"
#include "metakv/c.h"

namespace {

constexpr int kMaxCalls = 48;
constexpr size_t kImpossibleLength = size_t{1} << 40;  // no buffer is this big

// One byte-string argument of a call.
struct Arg {
  std::string storage;
  const char* ptr = nullptr;
  size_t len = 0;
  bool bad = false;  // the C layer must refuse it
};

Arg PickBytes(FuzzedDataProvider* in) {
  Arg a;
  switch (in->ConsumeIntegralInRange<int>(0, 9)) {
    case 0:  // empty, NULL pointer
      break;
    case 1:  // NULL with a length
      a.len = in->ConsumeIntegralInRange<size_t>(1, 1000);
      a.bad = true;
      break;
    case 2:  // a real pointer, an impossible length
      a.storage = "x";
      a.ptr = a.storage.data();
      a.len = kImpossibleLength;
      a.bad = true;
      break;
    case 3:  // long: over the tenant and key limits
      a.storage.assign(in->ConsumeIntegralInRange<size_t>(60, 300), 'L');
      a.ptr = a.storage.data();
      a.len = a.storage.size();
      break;
    default:  // a few fuzzer bytes, often valid
      a.storage = in->ConsumeRandomLengthString(12);
      a.ptr = a.storage.data();
      a.len = a.storage.size();
      break;
  }
  return a;
}

struct Domain {
  const char* name;
  bool bad;
};

Domain PickDomain(FuzzedDataProvider* in) {
  static const char* const kNames[] = {"inode", "dentry", "history", "nosuch", ""};
  const int i = in->ConsumeIntegralInRange<int>(0, 5);
  if (i == 5) return Domain{nullptr, true};
  return Domain{kNames[i], false};
}

// Checks an error against what the arguments demand, then frees it.
void Expect(char** err, bool must_fail, const char* call) {
  if (must_fail) {
    FUZZ_CHECK(*err != nullptr, std::string(call) + " accepted a bad argument");
    FUZZ_CHECK(metakv_error_code(*err) == metakv_invalid_argument, std::string(call) + ": " + *err);
  }
  if (*err != nullptr) {
    const int code = metakv_error_code(*err);
    FUZZ_CHECK(code > metakv_ok && code <= metakv_aborted, *err);
    FUZZ_CHECK(std::strchr(*err, ':') != nullptr, *err);
  }
  metakv_free(*err);
  *err = nullptr;
}

struct Env {
  metakv_t* db = nullptr;
  metakv_readoptions_t* ro = nullptr;
  metakv_writeoptions_t* wo = nullptr;
};

Env& TheStore() {
  static Env env = [] {
    Env e;
    metakv_options_t* o = metakv_options_create();
    metakv_options_set_create_if_missing(o, 1);
    metakv_options_use_filesystem_domains(o);
    metakv_options_set_maintenance_interval_seconds(o, 0);
    metakv_options_set_flush_controller_interval_seconds(o, 0);
    metakv_options_set_memory_budget_bytes(o, 16u << 20);
    metakv_options_set_max_key_bytes(o, 64);
    metakv_options_set_max_value_bytes(o, 1024);
    char* err = nullptr;
    e.db = metakv_open(o, (metakv::fuzz::ScratchDir() + "/c_api_db").c_str(), &err);
    FUZZ_CHECK(err == nullptr && e.db != nullptr, err ? err : "no store");
    metakv_options_destroy(o);
    e.ro = metakv_readoptions_create();
    e.wo = metakv_writeoptions_create();
    return e;
  }();
  return env;
}

// The value of a record, or "<absent>"; for records named by good
// arguments only.
std::string ValueOf(Env& e, const char* domain, const Arg& t, const Arg& k) {
  char* err = nullptr;
  size_t len = 0;
  char* v = metakv_get(e.db, e.ro, domain, t.ptr, t.len, k.ptr, k.len, &len, &err);
  std::string out = v == nullptr ? "<absent>" : std::string(v, len);
  metakv_free(v);
  metakv_free(err);
  return out;
}

void SingleWrite(Env& e, FuzzedDataProvider* in) {
  const int kind = in->ConsumeIntegralInRange<int>(0, 3);
  const Domain d = PickDomain(in);
  Arg t = PickBytes(in), k = PickBytes(in), v = PickBytes(in);
  const bool null_handle = in->ConsumeIntegralInRange<int>(0, 15) == 0;
  const bool bad = d.bad || t.bad || k.bad || (kind == 0 && v.bad) || null_handle;
  const bool probe = !d.bad && !t.bad && !k.bad;  // the key can be read back
  const std::string before = probe ? ValueOf(e, d.name, t, k) : "";
  metakv_t* db = null_handle ? nullptr : e.db;
  char* err = nullptr;
  if (kind == 0) metakv_put(db, e.wo, d.name, t.ptr, t.len, k.ptr, k.len, v.ptr, v.len, &err);
  if (kind == 1) metakv_delete(db, e.wo, d.name, t.ptr, t.len, k.ptr, k.len, &err);
  if (kind == 2) metakv_undelete(db, e.wo, d.name, t.ptr, t.len, k.ptr, k.len, &err);
  if (kind == 3) metakv_hard_delete(db, e.wo, d.name, t.ptr, t.len, k.ptr, k.len, &err);
  const bool failed = err != nullptr;
  Expect(&err, bad, "single write");
  if (failed && probe) FUZZ_CHECK(ValueOf(e, d.name, t, k) == before, "a failed write changed");
}

void Reads(Env& e, FuzzedDataProvider* in) {
  const Domain d = PickDomain(in);
  Arg t = PickBytes(in), k = PickBytes(in);
  char* err = nullptr;
  size_t len = 0;
  char* v = metakv_get(e.db, e.ro, d.name, t.ptr, t.len, k.ptr, k.len, &len, &err);
  FUZZ_CHECK(v == nullptr || err == nullptr, "a value and an error");
  metakv_free(v);
  Expect(&err, d.bad || t.bad || k.bad, "metakv_get");
  const size_t cap = in->ConsumeIntegralInRange<size_t>(0, 64);
  const bool null_buf = cap > 0 && in->ConsumeBool();
  std::vector<char> buf(cap);
  const unsigned char found = metakv_get_into(e.db, e.ro, d.name, t.ptr, t.len, k.ptr, k.len,
                                              null_buf ? nullptr : buf.data(), cap, &len, &err);
  FUZZ_CHECK(!found || err == nullptr, "found and an error");
  Expect(&err, d.bad || t.bad || k.bad || null_buf, "metakv_get_into");
  const std::string packed = in->ConsumeRandomLengthString(200);
  size_t outlen = 0;
  v = metakv_multi_get_packed(e.db, e.ro, packed.data(), packed.size(), &outlen, &err);
  metakv_free(v);
  Expect(&err, false, "metakv_multi_get_packed");
}

void Batches(Env& e, FuzzedDataProvider* in) {
  metakv_writebatch_t* b = metakv_writebatch_create();
  bool bad = false;
  const int n = in->ConsumeIntegralInRange<int>(0, 4);
  for (int i = 0; i < n; ++i) {
    const Domain d = PickDomain(in);
    Arg t = PickBytes(in), k = PickBytes(in), v = PickBytes(in);
    if (in->ConsumeBool()) {
      metakv_writebatch_put(b, d.name, t.ptr, t.len, k.ptr, k.len, v.ptr, v.len);
      bad = bad || v.bad;
    } else {
      metakv_writebatch_hard_delete(b, d.name, t.ptr, t.len, k.ptr, k.len);
    }
    bad = bad || d.bad || t.bad || k.bad;
  }
  char* err = nullptr;
  metakv_write(e.db, e.wo, b, &err);
  Expect(&err, bad, "metakv_write");
  metakv_writebatch_destroy(b);
  const std::string packed = in->ConsumeRandomLengthString(200);
  metakv_write_packed(e.db, e.wo, packed.data(), packed.size(), &err);
  Expect(&err, false, "metakv_write_packed");
  metakv_ingest_cold_packed(e.db, "history", "t", 1, packed.data(), packed.size(), &err);
  Expect(&err, false, "metakv_ingest_cold_packed");
}

void Iterators(Env& e, FuzzedDataProvider* in) {
  const Domain d = PickDomain(in);
  Arg t = PickBytes(in), p = PickBytes(in);
  char* err = nullptr;
  metakv_iterator_t* it =
      in->ConsumeBool()
          ? metakv_create_iterator(e.db, e.ro, d.name, t.ptr, t.len, p.ptr, p.len, &err)
          : metakv_create_recycle_bin_iterator(e.db, e.ro, d.name, t.ptr, t.len, p.ptr, p.len,
                                               &err);
  FUZZ_CHECK((it == nullptr) == (err != nullptr), "an iterator and an error");
  Expect(&err, d.bad || t.bad || p.bad, "metakv_create_iterator");
  for (int i = 0; i < 8 && in->remaining_bytes() > 0; ++i) {
    Arg k = PickBytes(in);
    switch (in->ConsumeIntegralInRange<int>(0, 5)) {
      case 0:
        metakv_iter_seek_to_first(it);
        break;
      case 1:
        metakv_iter_seek(it, k.ptr, k.len);
        break;
      case 2:
        metakv_iter_seek_for_prev_tenant(it, t.ptr, t.len, k.ptr, k.len);
        break;
      case 3:
        metakv_iter_next(it);
        metakv_iter_prev(it);
        break;
      default: {
        char buf[128];
        size_t used = 0;
        const size_t cap = in->ConsumeIntegralInRange<size_t>(0, sizeof(buf));
        const size_t got = metakv_iter_read_entries(it, buf, cap, 4, &used);
        FUZZ_CHECK(got == 0 || used <= cap, "read_entries overran its buffer");
      }
    }
    if (it != nullptr && k.bad && !metakv_iter_valid(it)) {
      metakv_iter_get_error(it, &err);
      Expect(&err, false, "metakv_iter_get_error");
    }
    size_t len = 0;
    metakv_iter_key(it, &len);
    metakv_iter_value(it, &len);
  }
  metakv_iter_get_error(it, &err);
  Expect(&err, it == nullptr, "metakv_iter_get_error");
  metakv_iter_destroy(it);
}

void Misc(Env& e, FuzzedDataProvider* in) {
  const Domain d = PickDomain(in);
  Arg t = PickBytes(in), p = PickBytes(in);
  char* err = nullptr;
  metakv_approximate_size(e.db, d.name, t.ptr, t.len, p.ptr, p.len, &err);
  Expect(&err, d.bad || t.bad || p.bad, "metakv_approximate_size");
  const std::string name = in->ConsumeRandomLengthString(24);
  uint64_t value = 0;
  metakv_get_int_property(e.db, d.name, name.c_str(), &value, &err);
  Expect(&err, false, "metakv_get_int_property");
  const std::string inode = in->ConsumeRandomLengthString(64);
  metakv_inode_attributes_t attrs;
  metakv_inode_decode(inode.data(), inode.size(), &attrs, &err);
  Expect(&err, false, "metakv_inode_decode");
  const char* domains[2] = {d.name, "inode"};
  const char* prefixes[2] = {p.ptr, "x"};
  const size_t lens[2] = {p.len, 1};
  metakv_remove_tree(e.db, e.wo, t.ptr, t.len, in->ConsumeIntegralInRange<size_t>(0, 2), domains,
                     prefixes, lens, in->ConsumeBool() ? 1 : 0, nullptr, &err);
  Expect(&err, false, "metakv_remove_tree");  // bad only when n covers it
}

// A fresh store with a domain whose enum fields come from the input: an
// unknown value must fail the open with InvalidArgument.
void OpenWithEnums(FuzzedDataProvider* in) {
  metakv_options_t* o = metakv_options_create();
  metakv_options_set_create_if_missing(o, 1);
  metakv_domain_options_t* d = metakv_domain_options_create("d");
  const int temperature = in->ConsumeIntegralInRange<int>(-2, 3);
  const int compression = in->ConsumeIntegralInRange<int>(-2, 6);
  const int mode = in->ConsumeIntegralInRange<int>(-2, 5);
  metakv_domain_options_set_temperature(d, temperature);
  metakv_domain_options_set_compression(d, compression);
  metakv_options_set_wal_recovery_mode(o, mode);
  metakv_options_add_domain(o, d);
  metakv_domain_options_destroy(d);
  const bool bad = temperature < 0 || temperature > 1 || compression < 0 || compression > 3 ||
                   mode < 0 || mode > 3;
  metakv::fuzz::InputDir dir;
  char* err = nullptr;
  metakv_t* db = metakv_open(o, (dir.path() + "/db").c_str(), &err);
  FUZZ_CHECK((db == nullptr) == (err != nullptr), "a store and an error");
  Expect(&err, bad, "metakv_open");
  metakv_close(db);
  metakv_options_destroy(o);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  FuzzedDataProvider in(data, size);
  Env& e = TheStore();
  bool opened = false;
  for (int i = 0; i < kMaxCalls && in.remaining_bytes() > 0; ++i) {
    switch (in.ConsumeIntegralInRange<int>(0, 5)) {
      case 0:
        SingleWrite(e, &in);
        break;
      case 1:
        Reads(e, &in);
        break;
      case 2:
        Batches(e, &in);
        break;
      case 3:
        Iterators(e, &in);
        break;
      case 4:
        Misc(e, &in);
        break;
      default:
        if (!opened) OpenWithEnums(&in);
        opened = true;
    }
  }
  return 0;
}
