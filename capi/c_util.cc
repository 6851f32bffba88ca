#include "capi/c_util.h"

#include <cstdlib>
#include <cstring>

#include "metakv/c.h"

namespace metakv::capi {

bool SaveError(char** errptr, const Status& s) {
  if (s.ok()) return false;
  if (errptr == nullptr) return true;
  std::free(*errptr);
  // Always "<CodeName>: <message>", so metakv_error_code finds the code.
  *errptr = CopyOut(std::string(Status::CodeName(s.code())) + ": " + s.message(), nullptr);
  return true;
}

Status Bytes(const char* p, size_t n, const char* what, std::string_view* out) {
  if (p == nullptr && n > 0) {
    return Status::InvalidArgument(std::string(what) + " is NULL with a length of " +
                                   std::to_string(n));
  }
  if (n > kMaxArgumentBytes) {
    return Status::InvalidArgument(std::string(what) + " length " + std::to_string(n) +
                                   " is over the limit of " + std::to_string(kMaxArgumentBytes));
  }
  *out = n == 0 ? std::string_view() : std::string_view(p, n);
  return Status::OK();
}

Status CString(const char* s, const char* what, std::string_view* out) {
  if (s == nullptr) return Status::InvalidArgument(std::string(what) + " is NULL");
  *out = s;
  return Status::OK();
}

std::string_view OptionalCString(const char* s) { return s == nullptr ? std::string_view() : s; }

Status Handle(const void* p, const char* what) {
  if (p == nullptr) return Status::InvalidArgument(std::string(what) + " is NULL");
  return Status::OK();
}

char* CopyOut(std::string_view s, size_t* len) {
  char* out = static_cast<char*>(std::malloc(s.size() + 1));
  if (out == nullptr) std::abort();  // as operator new: no memory, no way on
  if (!s.empty()) std::memcpy(out, s.data(), s.size());
  out[s.size()] = '\0';
  if (len != nullptr) *len = s.size();
  return out;
}

}  // namespace metakv::capi

extern "C" {

int metakv_error_code(const char* errmsg) {
  if (errmsg == nullptr) return metakv_ok;
  // Messages are "<CodeName>: <message>" (SaveError).
  for (int c = metakv_not_found; c <= metakv_aborted; ++c) {
    const std::string_view name = metakv::Status::CodeName(static_cast<metakv::Status::Code>(c));
    if (std::strncmp(errmsg, name.data(), name.size()) == 0 && errmsg[name.size()] == ':') return c;
  }
  return metakv_io_error;
}

void metakv_free(void* ptr) { std::free(ptr); }

}  // extern "C"
