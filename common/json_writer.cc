#include "common/json_writer.h"

#include <cassert>
#include <cmath>
#include <cstdio>

#include "common/utf8.h"

namespace metakv::common {

void JsonWriter::BeforeValue() {
  if (after_key_) {
    after_key_ = false;
    return;
  }
  if (!stack_.empty()) {
    if (!stack_.back()) out_ += comma_;
    stack_.back() = false;
  } else {
    assert(!started_ && "a JSON document has one outermost value");
  }
  started_ = true;
}

void JsonWriter::BeginObject() {
  BeforeValue();
  out_.push_back('{');
  stack_.push_back(true);
}

void JsonWriter::EndObject() {
  assert(!stack_.empty() && !after_key_);
  stack_.pop_back();
  out_.push_back('}');
}

void JsonWriter::BeginArray() {
  BeforeValue();
  out_.push_back('[');
  stack_.push_back(true);
}

void JsonWriter::EndArray() {
  assert(!stack_.empty() && !after_key_);
  stack_.pop_back();
  out_.push_back(']');
}

void JsonWriter::Key(std::string_view name) {
  assert(!stack_.empty() && !after_key_);
  if (!stack_.back()) out_ += comma_;
  stack_.back() = false;
  AppendEscaped(name);
  out_ += colon_;
  after_key_ = true;
}

void JsonWriter::String(std::string_view s) {
  BeforeValue();
  AppendEscaped(s);
}

void JsonWriter::Uint(uint64_t v) {
  BeforeValue();
  out_ += std::to_string(v);
}

void JsonWriter::Int(int64_t v) {
  BeforeValue();
  out_ += std::to_string(v);
}

void JsonWriter::Double(double v) {
  BeforeValue();
  if (!std::isfinite(v)) v = 0;
  char buf[40];
  const int n = std::snprintf(buf, sizeof(buf), "%.6g", v);
  out_.append(buf, n > 0 ? static_cast<size_t>(n) : 0);
}

void JsonWriter::DoubleOrNull(double v) {
  if (std::isfinite(v)) {
    Double(v);
  } else {
    Null();
  }
}

void JsonWriter::RawValue(std::string_view json) {
  BeforeValue();
  out_.append(json);
}

void JsonWriter::Bool(bool v) {
  BeforeValue();
  out_ += v ? "true" : "false";
}

void JsonWriter::Null() {
  BeforeValue();
  out_ += "null";
}

void JsonWriter::TakeOutput(std::string* dest) {
  dest->append(out_);
  out_.clear();
}

void JsonWriter::WriteTo(std::ostream* out) {
  out->write(out_.data(), static_cast<std::streamsize>(out_.size()));
  out_.clear();
}

void JsonWriter::AppendEscaped(std::string_view s) {
  static const char kHex[] = "0123456789abcdef";
  out_.push_back('"');
  for (size_t i = 0; i < s.size();) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c == '"' || c == '\\') {
      out_.push_back('\\');
      out_.push_back(static_cast<char>(c));
      ++i;
    } else if (c < 0x20) {
      switch (c) {
        case '\n':
          out_ += "\\n";
          break;
        case '\t':
          out_ += "\\t";
          break;
        case '\r':
          out_ += "\\r";
          break;
        default: {
          const char esc[6] = {'\\', 'u', '0', '0', kHex[c >> 4], kHex[c & 15]};
          out_.append(esc, 6);
        }
      }
      ++i;
    } else if (c < 0x80) {
      out_.push_back(static_cast<char>(c));
      ++i;
    } else {
      const size_t n = internal::Utf8SequenceLength(s, i);
      if (n == 0) {
        out_ += "\\ufffd";
        ++i;
      } else {
        out_.append(s.data() + i, n);
        i += n;
      }
    }
  }
  out_.push_back('"');
}

}  // namespace metakv::common
