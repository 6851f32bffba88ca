// Text formatting for people and the parsing of command-line values, for
// the tools, the bench and their tests: times as ISO-8601 UTC, shares as
// percentages, counts with their noun, escaped byte strings (the form
// codecs::AppendPrintable writes) and decimal numbers.
//
// The Append* functions append to a caller's buffer so a command can reuse
// one buffer per column instead of allocating per record. Pure functions:
// thread-safe.
#ifndef METAKV_COMMON_FORMAT_H_
#define METAKV_COMMON_FORMAT_H_

#include <cstdint>
#include <string>
#include <string_view>

namespace metakv::common {

// Appends seconds since the epoch as "2023-11-14T22:13:20Z"; 0 as "-".
void AppendIsoTime(uint64_t seconds, std::string* out);
std::string IsoTime(uint64_t seconds);

// Appends share (0..1) as a percentage with one decimal, e.g. "16.7%".
void AppendPercent(double share, std::string* out);

// numerator / denominator, or 0 if the denominator is 0.
double Share(uint64_t numerator, uint64_t denominator);

// Reads a command-line byte string: \xNN is the byte NN and \\ a backslash;
// every other byte stands for itself. False on a malformed escape.
bool ParseEscaped(std::string_view in, std::string* out);

// "1 entry", "2 entries": n and the noun in the right number.
std::string CountOf(uint64_t n, std::string_view one, std::string_view many);

// Parses a decimal uint64 (digits only, no sign, no overflow).
bool ParseUint64(std::string_view in, uint64_t* out);

// A command-line flag, "--name" or "--name=value", split at its first '='.
struct FlagArg {
  std::string_view name;
  std::string_view value;  // empty without '='
  bool has_value = false;  // there was a '=' (the value may still be empty)
};
// REQUIRES: arg starts with "--".
FlagArg SplitFlag(std::string_view arg);

}  // namespace metakv::common

#endif  // METAKV_COMMON_FORMAT_H_
