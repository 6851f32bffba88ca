// A strict JSON reader (RFC 8259) for what the tests and fuzz targets read
// back from metakv-sst-dump and metakv-bench: one document into a tree of
// JsonValue, or only a yes/no check of its syntax.
//
// Strict: exactly one value with optional white space around it; strings
// must be valid UTF-8 with no raw control characters and only JSON's
// escapes; no leading zeros, trailing commas or duplicate member names;
// at most 64 arrays and objects around any value. Pure functions: thread-safe.
#ifndef METAKV_COMMON_JSON_READER_H_
#define METAKV_COMMON_JSON_READER_H_

#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace metakv::common {

// A parsed JSON value. Numbers are doubles (exact below 2^53); \u escapes
// are decoded to UTF-8 (a lone surrogate to U+FFFD).
struct JsonValue {
  enum Type : unsigned char { kNull, kBool, kNumber, kString, kArray, kObject };

  Type type = kNull;
  bool boolean = false;
  double number = 0;
  std::string string;
  std::vector<JsonValue> array;
  std::map<std::string, JsonValue, std::less<>> object;

  // The member called name, or null if there is none (or this is not an
  // object).
  const JsonValue* Find(std::string_view name) const;
  bool Has(std::string_view name) const { return Find(name) != nullptr; }
  // The member called name; throws std::out_of_range naming it if there is
  // none, so a test reading a missing member fails.
  const JsonValue& operator[](std::string_view name) const;
  // The element at i; throws std::out_of_range past the end.
  const JsonValue& operator[](size_t i) const { return array.at(i); }
  // Elements of an array or members of an object.
  size_t size() const { return type == kArray ? array.size() : object.size(); }
  // The number as an integer (truncated).
  uint64_t AsUint() const { return static_cast<uint64_t>(number); }
};

// Parses text as one JSON document into *out. On failure returns false and
// sets *error (if not null) to what is wrong and at which byte offset.
bool ParseJson(std::string_view text, JsonValue* out, std::string* error);

// True if text is one JSON document by the same rules, without building the
// tree. On false, *error (if not null) says what is wrong and where.
bool IsValidJson(std::string_view text, std::string* error);

}  // namespace metakv::common

#endif  // METAKV_COMMON_JSON_READER_H_
