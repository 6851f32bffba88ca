#include "common/json_reader.h"

#include <cstdlib>
#include <stdexcept>
#include <utility>

#include "common/utf8.h"

namespace metakv::common {

namespace {

constexpr int kMaxDepth = 64;

int HexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

void AppendUtf8(uint32_t cp, std::string* out) {
  if (cp < 0x80) {
    out->push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out->push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out->push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out->push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

// Recursive descent over one document. With a null JsonValue* the parser
// only checks the syntax (strings are still decoded, for the duplicate
// member check).
class Parser {
 public:
  explicit Parser(std::string_view text) : s_(text) {}

  bool Document(JsonValue* out, std::string* error) {
    SkipSpace();
    bool ok = Value(out, 0);
    if (ok) {
      SkipSpace();
      if (pos_ != s_.size()) ok = Fail("trailing bytes after the document");
    }
    if (!ok && error != nullptr) *error = error_ + " at offset " + std::to_string(pos_);
    return ok;
  }

 private:
  bool Fail(const std::string& what) {
    if (error_.empty()) error_ = what;
    return false;
  }
  void SkipSpace() {
    while (pos_ < s_.size() &&
           (s_[pos_] == ' ' || s_[pos_] == '\t' || s_[pos_] == '\n' || s_[pos_] == '\r')) {
      ++pos_;
    }
  }
  bool Eat(char c) {
    if (pos_ < s_.size() && s_[pos_] == c) {
      ++pos_;
      return true;
    }
    return false;
  }

  bool Value(JsonValue* v, int depth) {
    if (depth > kMaxDepth) return Fail("more than 64 arrays and objects around a value");
    if (pos_ >= s_.size()) return Fail("unexpected end");
    const char c = s_[pos_];
    if (c == '{') return Object(v, depth);
    if (c == '[') return Array(v, depth);
    if (c == '"') {
      std::string s;
      if (!String(&s)) return false;
      if (v != nullptr) {
        v->type = JsonValue::kString;
        v->string = std::move(s);
      }
      return true;
    }
    if (c == '-' || (c >= '0' && c <= '9')) return Number(v);
    for (std::string_view lit : {"true", "false", "null"}) {
      if (s_.substr(pos_, lit.size()) == lit) {
        pos_ += lit.size();
        if (v != nullptr && lit != "null") {
          v->type = JsonValue::kBool;
          v->boolean = lit == "true";
        }
        return true;
      }
    }
    return Fail("unexpected character");
  }

  bool Object(JsonValue* v, int depth) {
    ++pos_;
    if (v != nullptr) v->type = JsonValue::kObject;
    // A checking parse still needs the names, to reject duplicates.
    JsonValue names_only;
    JsonValue* const obj = v != nullptr ? v : &names_only;
    SkipSpace();
    if (Eat('}')) return true;
    while (true) {
      SkipSpace();
      if (pos_ >= s_.size() || s_[pos_] != '"') return Fail("object key is not a string");
      std::string name;
      if (!String(&name)) return false;
      if (obj->object.count(name) != 0) return Fail("duplicate member '" + name + "'");
      JsonValue& member = obj->object[std::move(name)];
      SkipSpace();
      if (!Eat(':')) return Fail("missing ':'");
      SkipSpace();
      if (!Value(v != nullptr ? &member : nullptr, depth + 1)) return false;
      SkipSpace();
      if (Eat('}')) return true;
      if (!Eat(',')) return Fail("missing ',' or '}'");
    }
  }

  bool Array(JsonValue* v, int depth) {
    ++pos_;
    if (v != nullptr) v->type = JsonValue::kArray;
    SkipSpace();
    if (Eat(']')) return true;
    while (true) {
      SkipSpace();
      JsonValue* element = nullptr;
      if (v != nullptr) element = &v->array.emplace_back();
      if (!Value(element, depth + 1)) return false;
      SkipSpace();
      if (Eat(']')) return true;
      if (!Eat(',')) return Fail("missing ',' or ']'");
    }
  }

  bool Digits() {
    const size_t start = pos_;
    while (pos_ < s_.size() && s_[pos_] >= '0' && s_[pos_] <= '9') ++pos_;
    return pos_ > start;
  }

  bool Number(JsonValue* v) {
    const size_t start = pos_;
    Eat('-');
    if (!Eat('0') && !Digits()) return Fail("bad number");
    if (Eat('.') && !Digits()) return Fail("bad fraction");
    if (pos_ < s_.size() && (s_[pos_] == 'e' || s_[pos_] == 'E')) {
      ++pos_;
      if (!Eat('+')) Eat('-');
      if (!Digits()) return Fail("bad exponent");
    }
    if (v != nullptr) {
      v->type = JsonValue::kNumber;
      v->number = std::strtod(std::string(s_.substr(start, pos_ - start)).c_str(), nullptr);
    }
    return true;
  }

  // Four hex digits at pos_, as a number.
  bool Hex4(uint32_t* out) {
    *out = 0;
    for (int i = 0; i < 4; ++i, ++pos_) {
      const int d = pos_ < s_.size() ? HexDigit(s_[pos_]) : -1;
      if (d < 0) return Fail("bad \\u escape");
      *out = *out << 4 | static_cast<uint32_t>(d);
    }
    return true;
  }

  // The code point of a \u escape whose 'u' is behind pos_: a surrogate
  // pair is one code point, a lone surrogate U+FFFD.
  bool Escape(uint32_t* cp) {
    if (!Hex4(cp)) return false;
    if (*cp >= 0xD800 && *cp <= 0xDBFF && s_.substr(pos_, 2) == "\\u") {
      const size_t at = pos_;
      pos_ += 2;
      uint32_t low = 0;
      if (!Hex4(&low)) return false;
      if (low >= 0xDC00 && low <= 0xDFFF) {
        *cp = 0x10000 + ((*cp - 0xD800) << 10) + (low - 0xDC00);
        return true;
      }
      pos_ = at;  // not a pair: the second escape stands alone
    }
    if (*cp >= 0xD800 && *cp <= 0xDFFF) *cp = 0xFFFD;
    return true;
  }

  bool String(std::string* out) {
    ++pos_;  // the opening quote
    while (true) {
      if (pos_ >= s_.size()) return Fail("unterminated string");
      const auto c = static_cast<unsigned char>(s_[pos_]);
      if (c == '"') {
        ++pos_;
        return true;
      }
      if (c < 0x20) return Fail("raw control character in string");
      if (c >= 0x80) {
        const size_t n = internal::Utf8SequenceLength(s_, pos_);
        if (n == 0) return Fail("invalid UTF-8 in string");
        out->append(s_.data() + pos_, n);
        pos_ += n;
        continue;
      }
      ++pos_;
      if (c != '\\') {
        out->push_back(static_cast<char>(c));
        continue;
      }
      if (pos_ >= s_.size()) return Fail("unterminated escape");
      const char e = s_[pos_++];
      static constexpr std::string_view kEscapes = "\"\\/bfnrt";
      static constexpr std::string_view kMeanings = "\"\\/\b\f\n\r\t";
      if (e == 'u') {
        uint32_t cp = 0;
        if (!Escape(&cp)) return false;
        AppendUtf8(cp, out);
      } else if (const size_t k = kEscapes.find(e); k != std::string_view::npos) {
        out->push_back(kMeanings[k]);
      } else {
        return Fail("bad escape");
      }
    }
  }

  std::string_view s_;
  size_t pos_ = 0;
  std::string error_;
};

}  // namespace

const JsonValue* JsonValue::Find(std::string_view name) const {
  const auto it = object.find(name);
  return it == object.end() ? nullptr : &it->second;
}

const JsonValue& JsonValue::operator[](std::string_view name) const {
  const JsonValue* v = Find(name);
  if (v == nullptr) throw std::out_of_range("no JSON member '" + std::string(name) + "'");
  return *v;
}

bool ParseJson(std::string_view text, JsonValue* out, std::string* error) {
  *out = JsonValue();
  return Parser(text).Document(out, error);
}

bool IsValidJson(std::string_view text, std::string* error) {
  return Parser(text).Document(nullptr, error);
}

}  // namespace metakv::common
