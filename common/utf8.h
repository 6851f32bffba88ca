// UTF-8 validation shared by the JSON writer (which replaces invalid bytes)
// and the JSON reader (which rejects them). Pure functions: thread-safe.
#ifndef METAKV_COMMON_UTF8_H_
#define METAKV_COMMON_UTF8_H_

#include <cstddef>
#include <string_view>

namespace metakv::common::internal {

// Length of the valid UTF-8 sequence starting at s[i] (RFC 3629: no
// overlong encodings, no surrogates, nothing past U+10FFFF), or 0 if the
// bytes there are not one. REQUIRES: i < s.size().
size_t Utf8SequenceLength(std::string_view s, size_t i);

}  // namespace metakv::common::internal

#endif  // METAKV_COMMON_UTF8_H_
