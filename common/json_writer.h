// JsonWriter: builds one JSON document into a caller's string, adding the
// commas and quotes, so metakv-sst-dump and metakv-bench cannot emit
// malformed JSON.
//
// Strings are written as given when they are valid UTF-8 (invalid bytes
// become U+FFFD), with the escapes JSON requires. Numbers are integers or
// finite doubles (Double writes a NaN or infinity as 0, DoubleOrNull as
// null). Compact by default; a spaced writer puts a space after each comma
// and colon. Callers may move the buffer's contents to a stream between
// calls (WriteTo) to stream a long document. Not thread-safe.
#ifndef METAKV_COMMON_JSON_WRITER_H_
#define METAKV_COMMON_JSON_WRITER_H_

#include <cstdint>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

namespace metakv::common {

class JsonWriter {
 public:
  enum class Spacing : unsigned char { kCompact, kSpaced };

  explicit JsonWriter(Spacing spacing = Spacing::kCompact)
      : comma_(spacing == Spacing::kSpaced ? ", " : ","),
        colon_(spacing == Spacing::kSpaced ? ": " : ":") {}

  void BeginObject();
  void EndObject();
  void BeginArray();
  void EndArray();
  // The name of the next member. REQUIRES: inside an object.
  void Key(std::string_view name);

  void String(std::string_view s);
  void Uint(uint64_t v);
  void Int(int64_t v);
  void Double(double v);
  // v as Double does, or null if it is not finite (an undefined figure).
  void DoubleOrNull(double v);
  void Bool(bool v);
  void Null();
  // A value another writer produced (complete JSON), inserted as is.
  void RawValue(std::string_view json);

  // Key(name) then the value.
  void Field(std::string_view name, std::string_view v) {
    Key(name);
    String(v);
  }
  void Field(std::string_view name, const char* v) {
    Key(name);
    String(v);
  }
  void Field(std::string_view name, uint64_t v) {
    Key(name);
    Uint(v);
  }
  void Field(std::string_view name, int v) {
    Key(name);
    Int(v);
  }
  void Field(std::string_view name, double v) {
    Key(name);
    Double(v);
  }
  void Field(std::string_view name, bool v) {
    Key(name);
    Bool(v);
  }

  // True once the outermost value is complete.
  bool complete() const { return started_ && stack_.empty(); }
  // The text written so far (and not yet taken).
  const std::string& output() const { return out_; }
  // Moves the text written so far into *dest (appending) and clears it.
  void TakeOutput(std::string* dest);
  // Writes the text written so far to *out and clears it.
  void WriteTo(std::ostream* out);
  size_t buffered_bytes() const { return out_.size(); }

 private:
  void BeforeValue();
  void AppendEscaped(std::string_view s);

  const char* comma_;
  const char* colon_;
  std::string out_;
  // One entry per open container: true while it has no member yet.
  std::vector<bool> stack_;
  bool after_key_ = false;
  bool started_ = false;
};

}  // namespace metakv::common

#endif  // METAKV_COMMON_JSON_WRITER_H_
