// What every file of the C API shares: errors into errptr, argument checks
// that turn NULLs and impossible lengths into InvalidArgument, and
// malloc'ed copies for buffers handed to the caller.
#ifndef METAKV_CAPI_C_UTIL_H_
#define METAKV_CAPI_C_UTIL_H_

#include <cstddef>
#include <string>
#include <string_view>

#include "metakv/status.h"

namespace metakv::capi {

// No single argument may claim more bytes than a packed string holds
// (a u32 length); a larger length is rejected before anything is read.
inline constexpr size_t kMaxArgumentBytes = 0xffffffffu;

// Stores s's message in *errptr (freeing a message already there, as
// LevelDB does); returns true if s is an error. A NULL errptr drops it.
bool SaveError(char** errptr, const Status& s);

// *out = (p, n). InvalidArgument naming what if p is NULL with n > 0 or n
// is over kMaxArgumentBytes.
Status Bytes(const char* p, size_t n, const char* what, std::string_view* out);
// *out = the NUL-terminated s. InvalidArgument naming what if s is NULL.
Status CString(const char* s, const char* what, std::string_view* out);
// As CString, but NULL is the empty string.
std::string_view OptionalCString(const char* s);
// InvalidArgument naming what if p is NULL.
Status Handle(const void* p, const char* what);

// A malloc'ed copy of s with a NUL after it; *len (if not NULL) = s.size().
char* CopyOut(std::string_view s, size_t* len);

}  // namespace metakv::capi

#endif  // METAKV_CAPI_C_UTIL_H_
