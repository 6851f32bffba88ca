// The C API's store calls (include/metakv/c.h): each checks its arguments,
// calls the C++ Store, and turns the Status into an errptr message.
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "capi/c_handles.h"
#include "capi/c_util.h"
#include "capi/packed.h"
#include "metakv/filesystem.h"
#include "metakv/repair.h"

using metakv::Status;
using metakv::capi::Bytes;
using metakv::capi::CopyOut;
using metakv::capi::CString;
using metakv::capi::Handle;
using metakv::capi::OptionalCString;
using metakv::capi::SaveError;

namespace {

// The arguments that name one record.
struct RecordArgs {
  std::string_view domain;
  std::string_view tenant;
  std::string_view key;
};

Status CheckRecord(const char* domain, const char* tenant, size_t tenantlen, const char* key,
                   size_t keylen, RecordArgs* out) {
  Status s = CString(domain, "domain", &out->domain);
  if (s.ok()) s = Bytes(tenant, tenantlen, "tenant", &out->tenant);
  if (s.ok()) s = Bytes(key, keylen, "key", &out->key);
  return s;
}

Status CheckStore(const metakv_t* db) { return Handle(db, "store handle"); }

Status CheckWrite(const metakv_t* db, const metakv_writeoptions_t* options) {
  Status s = CheckStore(db);
  return s.ok() ? Handle(options, "write options") : s;
}

Status CheckRead(const metakv_t* db, const metakv_readoptions_t* options) {
  Status s = CheckStore(db);
  return s.ok() ? Handle(options, "read options") : s;
}

Status BuildOptions(const metakv_options_t* o, metakv::Options* out) {
  Status s = Handle(o, "options");
  if (!s.ok()) return s;
  if (!o->error.empty()) return Status::InvalidArgument(o->error);
  *out = o->rep;
  out->domains.clear();
  for (const metakv_domain_options_t& d : o->domains) {
    if (!d.error.empty()) {
      return Status::InvalidArgument("domain '" + d.rep.name + "': " + d.error);
    }
    out->domains.push_back(d.rep);
  }
  return Status::OK();
}

enum PackedOp : uint8_t {
  kPackedPut = 1,
  kPackedDelete = 2,
  kPackedHardDelete = 3,
  kPackedUndelete = 4
};

Status ParsePackedBatch(const char* ops, size_t opslen, metakv::WriteBatch* batch) {
  std::string_view all;
  Status s = Bytes(ops, opslen, "packed operations", &all);
  metakv::capi::PackedReader r(all.data(), all.size());
  while (s.ok() && !r.done()) {
    uint8_t type = 0;
    std::string_view domain, tenant, key, value;
    uint64_t ttl = 0;
    s = r.U8(&type);
    if (s.ok() && (type < kPackedPut || type > kPackedUndelete)) {
      s = Status::InvalidArgument("packed operation type " + std::to_string(type) +
                                  " is not 1 (put), 2 (delete), 3 (hard delete) or 4 (undelete)");
    }
    if (s.ok()) s = r.String(&domain);
    if (s.ok()) s = r.String(&tenant);
    if (s.ok()) s = r.String(&key);
    if (s.ok() && type == kPackedPut) s = r.String(&value);
    if (s.ok() && type == kPackedPut) s = r.U64(&ttl);
    if (!s.ok()) break;
    if (type == kPackedPut) batch->Put(domain, tenant, key, value, ttl);
    if (type == kPackedDelete) batch->Delete(domain, tenant, key);
    if (type == kPackedHardDelete) batch->HardDelete(domain, tenant, key);
    if (type == kPackedUndelete) batch->Undelete(domain, tenant, key);
  }
  return s;
}

Status ParsePackedCold(const char* records, size_t len, std::vector<metakv::ColdRecord>* out) {
  std::string_view all;
  Status s = Bytes(records, len, "packed records", &all);
  metakv::capi::PackedReader r(all.data(), all.size());
  while (s.ok() && !r.done()) {
    std::string_view key, value;
    metakv::ColdRecord rec;
    s = r.String(&key);
    if (s.ok()) s = r.String(&value);
    if (s.ok()) s = r.U64(&rec.ttl_seconds);
    if (s.ok()) s = r.U64(&rec.write_time_seconds);
    if (s.ok()) s = r.U64(&rec.expiry_seconds);
    if (!s.ok()) break;
    rec.key = std::string(key);
    rec.value = std::string(value);
    out->push_back(std::move(rec));
  }
  return s;
}

Status ParsePackedKeys(const char* keys, size_t len, std::vector<metakv::KeyRef>* out) {
  std::string_view all;
  Status s = Bytes(keys, len, "packed keys", &all);
  metakv::capi::PackedReader r(all.data(), all.size());
  while (s.ok() && !r.done()) {
    metakv::KeyRef k;
    s = r.String(&k.domain);
    if (s.ok()) s = r.String(&k.tenant);
    if (s.ok()) s = r.String(&k.key);
    if (s.ok()) out->push_back(k);
  }
  return s;
}

// Records the first bad argument of a batch add in *error; true if the
// arguments are good.
bool CheckAdd(const Status& s, std::string* error) {
  if (!s.ok() && error->empty()) *error = s.message();
  return s.ok();
}

metakv_iterator_t* NewIterator(metakv_t* db, const metakv_readoptions_t* options,
                               const char* domain, const metakv::ScanSpec& spec, char** errptr) {
  std::string_view d;
  Status s = CheckRead(db, options);
  if (s.ok()) s = CString(domain, "domain", &d);
  std::unique_ptr<metakv::Iterator> it;
  if (s.ok()) s = db->rep->NewIterator(options->rep, d, spec, &it);
  if (SaveError(errptr, s)) return nullptr;
  return new metakv_iterator_t{std::move(it), spec.tenant, Status::OK()};
}

metakv_iterator_t* NewPrefixIterator(metakv_t* db, const metakv_readoptions_t* options,
                                     const char* domain, const char* tenant, size_t tenantlen,
                                     const char* prefix, size_t prefixlen, bool deleted,
                                     char** errptr) {
  std::string_view t, p;
  Status s = Bytes(tenant, tenantlen, "tenant", &t);
  if (s.ok()) s = Bytes(prefix, prefixlen, "prefix", &p);
  if (SaveError(errptr, s)) return nullptr;
  metakv::ScanSpec spec;
  spec.tenant = std::string(t);
  spec.prefix = std::string(p);
  spec.deleted = deleted;
  return NewIterator(db, options, domain, spec, errptr);
}

bool Valid(const metakv_iterator_t* it) {
  return it != nullptr && it->error.ok() && it->rep->Valid();
}

// The record's size in metakv_iter_read_entries' layout.
constexpr size_t kEntryHeader = 3 * 4 + 3 * 8;

size_t EntrySize(const metakv::Iterator& it) {
  return kEntryHeader + it.tenant().size() + it.key().size() + it.value().size();
}

char* WriteEntry(const metakv::Iterator& it, char* out) {
  using metakv::capi::PutU32At;
  using metakv::capi::PutU64At;
  PutU32At(out, static_cast<uint32_t>(it.tenant().size()));
  PutU32At(out + 4, static_cast<uint32_t>(it.key().size()));
  PutU32At(out + 8, static_cast<uint32_t>(it.value().size()));
  PutU64At(out + 12, it.write_time());
  PutU64At(out + 20, it.delete_time());
  PutU64At(out + 28, it.expiry_time());
  out += kEntryHeader;
  for (std::string_view part : {it.tenant(), it.key(), it.value()}) {
    if (!part.empty()) std::memcpy(out, part.data(), part.size());
    out += part.size();
  }
  return out;
}

}  // namespace

extern "C" {

// ---- Open and close ----

metakv_t* metakv_open(const metakv_options_t* options, const char* path, char** errptr) {
  metakv::Options o;
  std::string_view p;
  Status s = BuildOptions(options, &o);
  if (s.ok()) s = CString(path, "path", &p);
  std::unique_ptr<metakv::Store> store;
  if (s.ok()) s = metakv::Store::Open(o, p, &store);
  if (SaveError(errptr, s)) return nullptr;
  return new metakv_t{std::move(store)};
}

void metakv_close(metakv_t* db) { delete db; }

void metakv_close_checked(metakv_t* db, char** errptr) {
  if (db == nullptr) {
    SaveError(errptr, CheckStore(db));
    return;
  }
  SaveError(errptr, db->rep->Close());
  delete db;
}

void metakv_repair(const metakv_options_t* options, const char* path, char** errptr) {
  metakv::Options o;
  std::string_view p;
  Status s = BuildOptions(options, &o);
  if (s.ok()) s = CString(path, "path", &p);
  if (s.ok()) s = metakv::RepairStore(o, p);
  SaveError(errptr, s);
}

// ---- Writes ----

void metakv_put(metakv_t* db, const metakv_writeoptions_t* options, const char* domain,
                const char* tenant, size_t tenantlen, const char* key, size_t keylen,
                const char* val, size_t vallen, char** errptr) {
  metakv_put_with_ttl(db, options, domain, tenant, tenantlen, key, keylen, val, vallen, 0, errptr);
}

void metakv_put_with_ttl(metakv_t* db, const metakv_writeoptions_t* options, const char* domain,
                         const char* tenant, size_t tenantlen, const char* key, size_t keylen,
                         const char* val, size_t vallen, uint64_t ttl_seconds, char** errptr) {
  RecordArgs r;
  std::string_view v;
  Status s = CheckWrite(db, options);
  if (s.ok()) s = CheckRecord(domain, tenant, tenantlen, key, keylen, &r);
  if (s.ok()) s = Bytes(val, vallen, "value", &v);
  if (s.ok()) s = db->rep->Put(options->rep, r.domain, r.tenant, r.key, v, ttl_seconds);
  SaveError(errptr, s);
}

// Delete, Undelete and HardDelete: the same arguments, one C++ call each.
#define METAKV_KEY_WRITE(c_name, method)                                              \
  void c_name(metakv_t* db, const metakv_writeoptions_t* options, const char* domain, \
              const char* tenant, size_t tenantlen, const char* key, size_t keylen,   \
              char** errptr) {                                                        \
    RecordArgs r;                                                                     \
    Status s = CheckWrite(db, options);                                               \
    if (s.ok()) s = CheckRecord(domain, tenant, tenantlen, key, keylen, &r);          \
    if (s.ok()) s = db->rep->method(options->rep, r.domain, r.tenant, r.key);         \
    SaveError(errptr, s);                                                             \
  }
METAKV_KEY_WRITE(metakv_delete, Delete)
METAKV_KEY_WRITE(metakv_undelete, Undelete)
METAKV_KEY_WRITE(metakv_hard_delete, HardDelete)
#undef METAKV_KEY_WRITE

metakv_writebatch_t* metakv_writebatch_create(void) { return new metakv_writebatch_t; }
void metakv_writebatch_destroy(metakv_writebatch_t* b) { delete b; }
void metakv_writebatch_clear(metakv_writebatch_t* b) {
  if (b == nullptr) return;
  b->rep.Clear();
  b->error.clear();
}
size_t metakv_writebatch_count(const metakv_writebatch_t* b) {
  return b == nullptr ? 0 : b->rep.Count();
}

void metakv_writebatch_put(metakv_writebatch_t* b, const char* domain, const char* tenant,
                           size_t tenantlen, const char* key, size_t keylen, const char* val,
                           size_t vallen) {
  metakv_writebatch_put_with_ttl(b, domain, tenant, tenantlen, key, keylen, val, vallen, 0);
}

void metakv_writebatch_put_with_ttl(metakv_writebatch_t* b, const char* domain, const char* tenant,
                                    size_t tenantlen, const char* key, size_t keylen,
                                    const char* val, size_t vallen, uint64_t ttl_seconds) {
  if (b == nullptr) return;
  RecordArgs r;
  std::string_view v;
  Status s = CheckRecord(domain, tenant, tenantlen, key, keylen, &r);
  if (s.ok()) s = Bytes(val, vallen, "value", &v);
  if (CheckAdd(s, &b->error)) b->rep.Put(r.domain, r.tenant, r.key, v, ttl_seconds);
}

void metakv_writebatch_delete(metakv_writebatch_t* b, const char* domain, const char* tenant,
                              size_t tenantlen, const char* key, size_t keylen) {
  if (b == nullptr) return;
  RecordArgs r;
  if (CheckAdd(CheckRecord(domain, tenant, tenantlen, key, keylen, &r), &b->error)) {
    b->rep.Delete(r.domain, r.tenant, r.key);
  }
}

void metakv_writebatch_hard_delete(metakv_writebatch_t* b, const char* domain, const char* tenant,
                                   size_t tenantlen, const char* key, size_t keylen) {
  if (b == nullptr) return;
  RecordArgs r;
  if (CheckAdd(CheckRecord(domain, tenant, tenantlen, key, keylen, &r), &b->error)) {
    b->rep.HardDelete(r.domain, r.tenant, r.key);
  }
}

void metakv_writebatch_undelete(metakv_writebatch_t* b, const char* domain, const char* tenant,
                                size_t tenantlen, const char* key, size_t keylen) {
  if (b == nullptr) return;
  RecordArgs r;
  if (CheckAdd(CheckRecord(domain, tenant, tenantlen, key, keylen, &r), &b->error)) {
    b->rep.Undelete(r.domain, r.tenant, r.key);
  }
}

void metakv_write(metakv_t* db, const metakv_writeoptions_t* options, metakv_writebatch_t* batch,
                  char** errptr) {
  Status s = CheckWrite(db, options);
  if (s.ok()) s = Handle(batch, "write batch");
  if (s.ok() && !batch->error.empty()) {
    s = Status::InvalidArgument("write batch: " + batch->error);
  }
  if (s.ok()) s = db->rep->Write(options->rep, batch->rep);
  SaveError(errptr, s);
}

void metakv_write_packed(metakv_t* db, const metakv_writeoptions_t* options, const char* ops,
                         size_t opslen, char** errptr) {
  metakv::WriteBatch batch;
  Status s = CheckWrite(db, options);
  if (s.ok()) s = ParsePackedBatch(ops, opslen, &batch);
  if (s.ok()) s = db->rep->Write(options->rep, batch);
  SaveError(errptr, s);
}

// ---- Cold ingest ----

metakv_coldbatch_t* metakv_coldbatch_create(void) { return new metakv_coldbatch_t; }
void metakv_coldbatch_destroy(metakv_coldbatch_t* b) { delete b; }
void metakv_coldbatch_clear(metakv_coldbatch_t* b) {
  if (b == nullptr) return;
  b->rep.clear();
  b->error.clear();
}
size_t metakv_coldbatch_count(const metakv_coldbatch_t* b) {
  return b == nullptr ? 0 : b->rep.size();
}

void metakv_coldbatch_add(metakv_coldbatch_t* b, const char* key, size_t keylen, const char* val,
                          size_t vallen, uint64_t ttl_seconds, uint64_t write_time_seconds,
                          uint64_t expiry_seconds) {
  if (b == nullptr) return;
  std::string_view k, v;
  Status s = Bytes(key, keylen, "key", &k);
  if (s.ok()) s = Bytes(val, vallen, "value", &v);
  if (!CheckAdd(s, &b->error)) return;
  metakv::ColdRecord rec;
  rec.key = std::string(k);
  rec.value = std::string(v);
  rec.ttl_seconds = ttl_seconds;
  rec.write_time_seconds = write_time_seconds;
  rec.expiry_seconds = expiry_seconds;
  b->rep.push_back(std::move(rec));
}

void metakv_ingest_cold(metakv_t* db, const char* domain, const char* tenant, size_t tenantlen,
                        const metakv_coldbatch_t* records, char** errptr) {
  std::string_view d, t;
  Status s = CheckStore(db);
  if (s.ok()) s = CString(domain, "domain", &d);
  if (s.ok()) s = Bytes(tenant, tenantlen, "tenant", &t);
  if (s.ok()) s = Handle(records, "cold records");
  if (s.ok() && !records->error.empty()) {
    s = Status::InvalidArgument("cold records: " + records->error);
  }
  if (s.ok()) s = db->rep->IngestCold(d, t, records->rep);
  SaveError(errptr, s);
}

void metakv_ingest_cold_packed(metakv_t* db, const char* domain, const char* tenant,
                               size_t tenantlen, const char* records, size_t recordslen,
                               char** errptr) {
  metakv_coldbatch_t batch;
  Status s = ParsePackedCold(records, recordslen, &batch.rep);
  if (SaveError(errptr, s)) return;
  metakv_ingest_cold(db, domain, tenant, tenantlen, &batch, errptr);
}

// ---- Point reads ----

char* metakv_get(metakv_t* db, const metakv_readoptions_t* options, const char* domain,
                 const char* tenant, size_t tenantlen, const char* key, size_t keylen,
                 size_t* vallen, char** errptr) {
  RecordArgs r;
  std::string value;
  Status s = CheckRead(db, options);
  if (s.ok()) s = Handle(vallen, "vallen");
  if (s.ok()) s = CheckRecord(domain, tenant, tenantlen, key, keylen, &r);
  if (s.ok()) s = db->rep->Get(options->rep, r.domain, r.tenant, r.key, &value);
  if (s.IsNotFound()) {
    *vallen = 0;
    return nullptr;
  }
  if (SaveError(errptr, s)) return nullptr;
  return CopyOut(value, vallen);
}

unsigned char metakv_get_into(metakv_t* db, const metakv_readoptions_t* options, const char* domain,
                              const char* tenant, size_t tenantlen, const char* key, size_t keylen,
                              char* buf, size_t bufcap, size_t* vallen, char** errptr) {
  RecordArgs r;
  // Kept per thread, so that a value needs no allocation once the
  // thread's string has grown to its size (as a C++ caller reusing one).
  thread_local std::string value;
  Status s = CheckRead(db, options);
  if (s.ok()) s = Handle(vallen, "vallen");
  if (s.ok() && buf == nullptr && bufcap > 0) s = Status::InvalidArgument("buf is NULL");
  if (s.ok()) s = CheckRecord(domain, tenant, tenantlen, key, keylen, &r);
  if (s.ok()) s = db->rep->Get(options->rep, r.domain, r.tenant, r.key, &value);
  if (s.IsNotFound()) {
    *vallen = 0;
    return 0;
  }
  if (SaveError(errptr, s)) return 0;
  *vallen = value.size();
  if (value.size() <= bufcap && !value.empty()) std::memcpy(buf, value.data(), value.size());
  return 1;
}

void metakv_multi_get(metakv_t* db, const metakv_readoptions_t* options, size_t n,
                      const char* const* domains, const char* const* tenants,
                      const size_t* tenantlens, const char* const* keys, const size_t* keylens,
                      char** values, size_t* vallens, char** errs, char** errptr) {
  Status s = CheckRead(db, options);
  if (n > 0) {
    for (const void* p : {static_cast<const void*>(domains), static_cast<const void*>(tenants),
                          static_cast<const void*>(tenantlens), static_cast<const void*>(keys),
                          static_cast<const void*>(keylens), static_cast<const void*>(values),
                          static_cast<const void*>(vallens), static_cast<const void*>(errs)}) {
      if (s.ok()) s = Handle(p, "a multi_get array");
    }
  }
  std::vector<metakv::KeyRef> refs(n);
  for (size_t i = 0; s.ok() && i < n; ++i) {
    RecordArgs r;
    s = CheckRecord(domains[i], tenants[i], tenantlens[i], keys[i], keylens[i], &r);
    refs[i] = metakv::KeyRef{r.domain, r.tenant, r.key};
  }
  std::vector<std::string> got;
  std::vector<Status> statuses;
  if (s.ok()) s = db->rep->MultiGet(options->rep, refs, &got, &statuses);
  if (SaveError(errptr, s)) return;
  for (size_t i = 0; i < n; ++i) {
    values[i] = statuses[i].ok() ? CopyOut(got[i], &vallens[i]) : nullptr;
    if (!statuses[i].ok()) vallens[i] = 0;
    errs[i] = nullptr;
    if (!statuses[i].IsNotFound()) SaveError(&errs[i], statuses[i]);
  }
}

char* metakv_multi_get_packed(metakv_t* db, const metakv_readoptions_t* options, const char* keys,
                              size_t keyslen, size_t* outlen, char** errptr) {
  std::vector<metakv::KeyRef> refs;
  std::vector<std::string> got;
  std::vector<Status> statuses;
  Status s = CheckRead(db, options);
  if (s.ok()) s = Handle(outlen, "outlen");
  if (s.ok()) s = ParsePackedKeys(keys, keyslen, &refs);
  if (s.ok()) s = db->rep->MultiGet(options->rep, refs, &got, &statuses);
  if (SaveError(errptr, s)) return nullptr;
  std::string out;
  for (size_t i = 0; i < refs.size(); ++i) {
    metakv::capi::PutU8(&out, static_cast<uint8_t>(statuses[i].code()));
    std::string_view text;  // absent: empty
    if (statuses[i].ok()) text = got[i];
    if (!statuses[i].ok() && !statuses[i].IsNotFound()) text = statuses[i].message();
    metakv::capi::PutString(&out, text);
  }
  return CopyOut(out, outlen);
}

// ---- Iterators ----

metakv_iterator_t* metakv_create_iterator(metakv_t* db, const metakv_readoptions_t* options,
                                          const char* domain, const char* tenant, size_t tenantlen,
                                          const char* prefix, size_t prefixlen, char** errptr) {
  return NewPrefixIterator(db, options, domain, tenant, tenantlen, prefix, prefixlen, false,
                           errptr);
}

metakv_iterator_t* metakv_create_recycle_bin_iterator(metakv_t* db,
                                                      const metakv_readoptions_t* options,
                                                      const char* domain, const char* tenant,
                                                      size_t tenantlen, const char* prefix,
                                                      size_t prefixlen, char** errptr) {
  return NewPrefixIterator(db, options, domain, tenant, tenantlen, prefix, prefixlen, true, errptr);
}

metakv_iterator_t* metakv_create_scan_iterator(metakv_t* db, const metakv_readoptions_t* options,
                                               const char* domain, const metakv_scanspec_t* spec,
                                               char** errptr) {
  Status s = Handle(spec, "scan spec");
  if (s.ok() && !spec->error.empty()) s = Status::InvalidArgument(spec->error);
  if (SaveError(errptr, s)) return nullptr;
  return NewIterator(db, options, domain, spec->rep, errptr);
}

void metakv_iter_destroy(metakv_iterator_t* it) { delete it; }

void metakv_iter_seek_to_first(metakv_iterator_t* it) {
  if (it == nullptr) return;
  it->error = Status::OK();
  it->rep->SeekToFirst();
}
void metakv_iter_seek_to_last(metakv_iterator_t* it) {
  if (it == nullptr) return;
  it->error = Status::OK();
  it->rep->SeekToLast();
}

// Seek or SeekForPrev to (tenant, key). A bad argument leaves the
// iterator invalid with the error, until its next move.
static void IterSeek(metakv_iterator_t* it, const char* tenant, size_t tenantlen, const char* key,
                     size_t keylen, bool forward) {
  if (it == nullptr) return;
  std::string_view t, k;
  it->error = Bytes(tenant, tenantlen, "tenant", &t);
  if (it->error.ok()) it->error = Bytes(key, keylen, "key", &k);
  if (it->error.ok() && t.empty()) {
    it->error = Status::InvalidArgument(
        "seek in a whole-domain scan needs a tenant (metakv_iter_seek_tenant)");
  }
  if (!it->error.ok()) return;
  if (forward) {
    it->rep->Seek(t, k);
  } else {
    it->rep->SeekForPrev(t, k);
  }
}

void metakv_iter_seek_tenant(metakv_iterator_t* it, const char* tenant, size_t tenantlen,
                             const char* key, size_t keylen) {
  IterSeek(it, tenant, tenantlen, key, keylen, true);
}
void metakv_iter_seek_for_prev_tenant(metakv_iterator_t* it, const char* tenant, size_t tenantlen,
                                      const char* key, size_t keylen) {
  IterSeek(it, tenant, tenantlen, key, keylen, false);
}
void metakv_iter_seek(metakv_iterator_t* it, const char* key, size_t keylen) {
  if (it != nullptr) IterSeek(it, it->tenant.data(), it->tenant.size(), key, keylen, true);
}
void metakv_iter_seek_for_prev(metakv_iterator_t* it, const char* key, size_t keylen) {
  if (it != nullptr) IterSeek(it, it->tenant.data(), it->tenant.size(), key, keylen, false);
}

void metakv_iter_next(metakv_iterator_t* it) {
  if (Valid(it)) it->rep->Next();
}
void metakv_iter_prev(metakv_iterator_t* it) {
  if (Valid(it)) it->rep->Prev();
}
unsigned char metakv_iter_valid(const metakv_iterator_t* it) { return Valid(it) ? 1 : 0; }

#define METAKV_ITER_BYTES(c_name, method, lenname)                   \
  const char* c_name(const metakv_iterator_t* it, size_t* lenname) { \
    std::string_view v;                                              \
    if (Valid(it)) v = it->rep->method();                            \
    if (lenname != nullptr) *lenname = v.size();                     \
    return Valid(it) ? v.data() : nullptr;                           \
  }
METAKV_ITER_BYTES(metakv_iter_key, key, keylen)
METAKV_ITER_BYTES(metakv_iter_value, value, vallen)
METAKV_ITER_BYTES(metakv_iter_tenant, tenant, tenantlen)
#undef METAKV_ITER_BYTES

uint64_t metakv_iter_write_time(const metakv_iterator_t* it) {
  return Valid(it) ? it->rep->write_time() : 0;
}
uint64_t metakv_iter_delete_time(const metakv_iterator_t* it) {
  return Valid(it) ? it->rep->delete_time() : 0;
}
uint64_t metakv_iter_expiry_time(const metakv_iterator_t* it) {
  return Valid(it) ? it->rep->expiry_time() : 0;
}
void metakv_iter_get_error(const metakv_iterator_t* it, char** errptr) {
  if (it == nullptr) {
    SaveError(errptr, Handle(it, "iterator"));
  } else {
    SaveError(errptr, it->error.ok() ? it->rep->status() : it->error);
  }
}

size_t metakv_iter_read_entries(metakv_iterator_t* it, char* buf, size_t bufcap, size_t max_entries,
                                size_t* used) {
  size_t n = 0, bytes = 0;
  if (buf == nullptr) bufcap = 0;
  while (n < max_entries && Valid(it)) {
    const size_t size = EntrySize(*it->rep);
    if (size > bufcap - bytes) {
      if (n == 0) bytes = size;  // what the first record needs
      break;
    }
    WriteEntry(*it->rep, buf + bytes);
    bytes += size;
    ++n;
    it->rep->Next();
  }
  if (used != nullptr) *used = bytes;
  return n;
}

// ---- Snapshots ----

const metakv_snapshot_t* metakv_create_snapshot(metakv_t* db) {
  if (db == nullptr) return nullptr;
  const metakv::Snapshot* snap = db->rep->GetSnapshot();
  return snap == nullptr ? nullptr : new metakv_snapshot_t{snap};
}

void metakv_release_snapshot(metakv_t* db, const metakv_snapshot_t* snapshot) {
  if (db == nullptr || snapshot == nullptr) return;
  db->rep->ReleaseSnapshot(snapshot->rep);
  delete snapshot;
}

uint64_t metakv_snapshot_time(const metakv_snapshot_t* snapshot) {
  return snapshot == nullptr ? 0 : snapshot->rep->time_seconds();
}

// ---- Bulk deletes ----

void metakv_remove_tree(metakv_t* db, const metakv_writeoptions_t* options, const char* tenant,
                        size_t tenantlen, size_t n, const char* const* domains,
                        const char* const* prefixes, const size_t* prefixlens, unsigned char hard,
                        uint64_t* removal_id, char** errptr) {
  std::string_view t;
  Status s = CheckWrite(db, options);
  if (s.ok()) s = Bytes(tenant, tenantlen, "tenant", &t);
  if (s.ok() && n > 0) s = Handle(domains, "domains");
  if (s.ok() && n > 0) s = Handle(prefixes, "prefixes");
  if (s.ok() && n > 0) s = Handle(prefixlens, "prefixlens");
  std::vector<metakv::PrefixRef> refs(n);
  for (size_t i = 0; s.ok() && i < n; ++i) {
    s = CString(domains[i], "domain", &refs[i].domain);
    if (s.ok()) s = Bytes(prefixes[i], prefixlens[i], "prefix", &refs[i].prefix);
  }
  const auto mode = hard != 0 ? metakv::RemoveMode::kHard : metakv::RemoveMode::kLogical;
  uint64_t id = 0;
  if (s.ok()) s = db->rep->RemoveTree(options->rep, t, refs, mode, &id);
  if (removal_id != nullptr) *removal_id = s.ok() && hard == 0 ? id : 0;
  SaveError(errptr, s);
}

void metakv_restore_tree(metakv_t* db, const metakv_writeoptions_t* options, uint64_t removal_id,
                         char** errptr) {
  Status s = CheckWrite(db, options);
  if (s.ok()) s = db->rep->RestoreTree(options->rep, removal_id);
  SaveError(errptr, s);
}

char* metakv_list_removals(metakv_t* db, size_t* len, char** errptr) {
  std::vector<metakv::RemovalInfo> removals;
  Status s = CheckStore(db);
  if (s.ok()) s = db->rep->ListRemovals(&removals);
  if (SaveError(errptr, s)) return nullptr;
  std::string out;
  for (const metakv::RemovalInfo& r : removals) {
    metakv::capi::PutU64(&out, r.id);
    metakv::capi::PutString(&out, r.tenant);
    metakv::capi::PutU8(&out, r.mode == metakv::RemoveMode::kLogical ? 0 : 1);
    metakv::capi::PutU64(&out, r.time_seconds);
    metakv::capi::PutU64(&out, r.purge_time_seconds);
    metakv::capi::PutU32(&out, static_cast<uint32_t>(r.prefixes.size()));
    for (const auto& [domain, prefix] : r.prefixes) {
      metakv::capi::PutString(&out, domain);
      metakv::capi::PutString(&out, prefix);
    }
  }
  return CopyOut(out, len);
}

void metakv_remove_tenant(metakv_t* db, const metakv_writeoptions_t* options, const char* tenant,
                          size_t tenantlen, char** errptr) {
  std::string_view t;
  Status s = CheckWrite(db, options);
  if (s.ok()) s = Bytes(tenant, tenantlen, "tenant", &t);
  if (s.ok()) s = db->rep->RemoveTenant(options->rep, t);
  SaveError(errptr, s);
}

// ---- Background work ----

void metakv_run_maintenance(metakv_t* db, const metakv_maintenance_options_t* options,
                            uint64_t* purgeable_files_dropped, uint64_t* deadline_compactions,
                            uint64_t* cold_files_merged, char** errptr) {
  Status s = CheckStore(db);
  metakv::MaintenanceResult result;
  if (s.ok()) {
    s = db->rep->RunMaintenance(options == nullptr ? metakv::MaintenanceOptions() : options->rep,
                                &result);
  }
  if (purgeable_files_dropped != nullptr) *purgeable_files_dropped = result.purgeable_files_dropped;
  if (deadline_compactions != nullptr) *deadline_compactions = result.deadline_compactions;
  if (cold_files_merged != nullptr) *cold_files_merged = result.cold_files_merged;
  SaveError(errptr, s);
}

void metakv_try_catch_up_with_primary(metakv_t* db, char** errptr) {
  Status s = CheckStore(db);
  if (s.ok()) s = db->rep->TryCatchUpWithPrimary();
  SaveError(errptr, s);
}

void metakv_flush(metakv_t* db, const char* domain, char** errptr) {
  Status s = CheckStore(db);
  if (s.ok()) s = db->rep->Flush(OptionalCString(domain));
  SaveError(errptr, s);
}

void metakv_resume(metakv_t* db, char** errptr) {
  Status s = CheckStore(db);
  if (s.ok()) s = db->rep->Resume();
  SaveError(errptr, s);
}

void metakv_compact_range(metakv_t* db, const char* domain, const char* tenant, size_t tenantlen,
                          char** errptr) {
  std::string_view t;
  Status s = CheckStore(db);
  if (s.ok()) s = Bytes(tenant, tenantlen, "tenant", &t);
  if (s.ok()) s = db->rep->CompactRange(OptionalCString(domain), t);
  SaveError(errptr, s);
}

void metakv_wait_for_background_work(metakv_t* db, uint64_t timeout_ms, char** errptr) {
  Status s = CheckStore(db);
  if (s.ok()) s = db->rep->WaitForBackgroundWork(timeout_ms);
  SaveError(errptr, s);
}

// ---- Checkpoints ----

// ---- Replication ----

void metakv_get_applied_index(metakv_t* db, uint64_t* term, uint64_t* index, char** errptr) {
  Status s = CheckStore(db);
  if (s.ok() && (term == nullptr || index == nullptr)) {
    s = Status::InvalidArgument("metakv_get_applied_index: term or index is NULL");
  }
  metakv::AppliedIndex a;
  if (s.ok()) s = db->rep->GetAppliedIndex(&a);
  if (s.ok()) {
    *term = a.term;
    *index = a.index;
  }
  SaveError(errptr, s);
}

namespace {
void SaveTenantFiles(const metakv::TenantFiles& f, uint64_t* info) {
  if (info == nullptr) return;
  info[0] = f.files;
  info[1] = f.records;
  info[2] = f.bytes;
  info[3] = f.removals;
}
}  // namespace

void metakv_export_tenant(metakv_t* db, const char* tenant, size_t tenantlen, const char* dir,
                          uint64_t* info, char** errptr) {
  std::string_view t, d;
  Status s = CheckStore(db);
  if (s.ok()) s = Bytes(tenant, tenantlen, "tenant", &t);
  if (s.ok()) s = CString(dir, "export directory", &d);
  metakv::TenantFiles f;
  if (s.ok()) s = db->rep->ExportTenant(t, d, &f);
  if (s.ok()) SaveTenantFiles(f, info);
  SaveError(errptr, s);
}

void metakv_import_tenant(metakv_t* db, const char* dir, unsigned char replace, uint64_t term,
                          uint64_t index, uint64_t* info, char** errptr) {
  std::string_view d;
  Status s = CheckStore(db);
  if (s.ok()) s = CString(dir, "export directory", &d);
  metakv::ImportOptions o;
  o.replace = replace != 0;
  o.applied_index = metakv::AppliedIndex{term, index};
  metakv::TenantFiles f;
  if (s.ok()) s = db->rep->ImportTenant(d, o, &f);
  if (s.ok()) SaveTenantFiles(f, info);
  SaveError(errptr, s);
}

void metakv_create_checkpoint(metakv_t* db, const char* dir, char** errptr) {
  std::string_view d;
  Status s = CheckStore(db);
  if (s.ok()) s = CString(dir, "checkpoint directory", &d);
  if (s.ok()) s = db->rep->CreateCheckpoint(d);
  SaveError(errptr, s);
}

// ---- Figures ----

uint64_t metakv_approximate_size(metakv_t* db, const char* domain, const char* tenant,
                                 size_t tenantlen, const char* prefix, size_t prefixlen,
                                 char** errptr) {
  std::string_view d, t, p;
  uint64_t bytes = 0;
  Status s = CheckStore(db);
  if (s.ok()) s = CString(domain, "domain", &d);
  if (s.ok()) s = Bytes(tenant, tenantlen, "tenant", &t);
  if (s.ok()) s = Bytes(prefix, prefixlen, "prefix", &p);
  if (s.ok()) s = db->rep->GetApproximateSize(d, t, p, &bytes);
  return SaveError(errptr, s) ? 0 : bytes;
}

// GetStats rendered by render, malloc'ed.
static char* StatsText(metakv_t* db, std::string (*render)(const metakv::Stats&), size_t* len,
                       char** errptr) {
  metakv::Stats stats;
  Status s = CheckStore(db);
  if (s.ok()) s = db->rep->GetStats(&stats);
  if (SaveError(errptr, s)) return nullptr;
  return CopyOut(render(stats), len);
}

char* metakv_stats_json(metakv_t* db, size_t* len, char** errptr) {
  return StatsText(db, metakv::StatsToJson, len, errptr);
}

char* metakv_stats_prometheus(metakv_t* db, size_t* len, char** errptr) {
  return StatsText(db, metakv::StatsToPrometheus, len, errptr);
}

char* metakv_stats_text(metakv_t* db, size_t* len, char** errptr) {
  return StatsText(db, metakv::StatsToText, len, errptr);
}

unsigned char metakv_get_int_property(metakv_t* db, const char* domain, const char* name,
                                      uint64_t* value, char** errptr) {
  std::string_view n;
  uint64_t v = 0;
  Status s = CheckStore(db);
  if (s.ok()) s = CString(name, "property name", &n);
  if (s.ok()) s = Handle(value, "value");
  if (s.ok()) s = db->rep->GetIntProperty(OptionalCString(domain), n, &v);
  if (SaveError(errptr, s)) return 0;
  *value = v;
  return 1;
}

char* metakv_int_property_names(unsigned char per_domain, size_t* len) {
  std::string out;
  for (const std::string& name : metakv::Store::IntPropertyNames(per_domain != 0)) {
    out += name + "\n";
  }
  return CopyOut(out, len);
}

char* metakv_domain_names(metakv_t* db, size_t* len, char** errptr) {
  if (SaveError(errptr, CheckStore(db))) return nullptr;
  std::string out;
  for (const std::string& name : db->rep->DomainNames()) out += name + "\n";
  return CopyOut(out, len);
}

// ---- Inodes ----

char* metakv_inode_encode(const metakv_inode_attributes_t* attrs, size_t* len) {
  if (attrs == nullptr) return nullptr;
  const metakv::InodeAttributes a{attrs->ino,      attrs->mode,       attrs->uid,
                                  attrs->gid,      attrs->nlink,      attrs->size,
                                  attrs->blocks,   attrs->atime_ns,   attrs->mtime_ns,
                                  attrs->ctime_ns, attrs->generation, attrs->flags};
  std::string out;
  metakv::EncodeInode(a, &out);
  return CopyOut(out, len);
}

void metakv_inode_decode(const char* input, size_t inputlen, metakv_inode_attributes_t* attrs,
                         char** errptr) {
  std::string_view in;
  metakv::InodeAttributes a;
  Status s = Bytes(input, inputlen, "input", &in);
  if (s.ok()) s = Handle(attrs, "attrs");
  if (s.ok()) s = metakv::DecodeInode(in, &a);
  if (SaveError(errptr, s)) return;
  *attrs = metakv_inode_attributes_t{a.ino,      a.mode,     a.uid,        a.gid,
                                     a.nlink,    a.size,     a.blocks,     a.atime_ns,
                                     a.mtime_ns, a.ctime_ns, a.generation, a.flags};
}

}  // extern "C"
