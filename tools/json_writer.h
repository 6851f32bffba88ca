// JsonWriter: builds one JSON document into a caller's string, adding the
// commas and quotes, so commands cannot emit malformed JSON.
//
// Strings are written as given when they are valid UTF-8 (invalid bytes
// become U+FFFD), with the escapes JSON requires. Numbers are integers or
// finite doubles (a NaN or infinity is written as 0). Callers may move the
// buffer's contents to a stream between calls (WriteTo) to stream a long
// document. Not thread-safe.
#ifndef METAKV_TOOLS_JSON_WRITER_H_
#define METAKV_TOOLS_JSON_WRITER_H_

#include <cstdint>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

namespace metakv::tools {

class JsonWriter {
 public:
  JsonWriter() = default;

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
  void Bool(bool v);
  void Null();

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

  std::string out_;
  // One entry per open container: true while it has no member yet.
  std::vector<bool> stack_;
  bool after_key_ = false;
  bool started_ = false;
};

}  // namespace metakv::tools

#endif  // METAKV_TOOLS_JSON_WRITER_H_
