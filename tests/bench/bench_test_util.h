// What the metakv-bench suites share: a tiny strict JSON reader for the
// --json report, a temporary directory, and reading a report back.
#ifndef METAKV_TESTS_BENCH_BENCH_TEST_UTIL_H_
#define METAKV_TESTS_BENCH_BENCH_TEST_UTIL_H_

#include <gtest/gtest.h>
#include <stdlib.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <system_error>
#include <vector>

namespace metakv::bench {

// A tiny strict JSON reader, enough to check the report's shape.
struct JsonValue {
  enum Type { kNull, kBool, kNumber, kString, kArray, kObject } type = kNull;
  bool boolean = false;
  double number = 0;
  std::string string;
  std::vector<JsonValue> array;
  std::map<std::string, JsonValue> object;

  bool Has(const std::string& name) const { return object.count(name) != 0; }
  const JsonValue& operator[](const std::string& name) const { return object.at(name); }
};

class JsonReader {
 public:
  explicit JsonReader(const std::string& text) : text_(text) {}

  // Parses the whole text; false (with error()) on any syntax error or
  // trailing bytes.
  bool Parse(JsonValue* out) {
    if (!Value(out)) return false;
    Space();
    return pos_ == text_.size() || Fail("trailing bytes");
  }
  const std::string& error() const { return error_; }

 private:
  bool Fail(const std::string& what) {
    error_ = what + " at offset " + std::to_string(pos_);
    return false;
  }
  void Space() {
    while (pos_ < text_.size() && (text_[pos_] == ' ' || text_[pos_] == '\n' ||
                                   text_[pos_] == '\t' || text_[pos_] == '\r')) {
      ++pos_;
    }
  }
  bool Literal(const char* word) {
    const std::string w(word);
    if (text_.compare(pos_, w.size(), w) != 0) return Fail("bad literal");
    pos_ += w.size();
    return true;
  }
  bool String(std::string* out) {
    if (pos_ >= text_.size() || text_[pos_] != '"') return Fail("expected string");
    ++pos_;
    while (pos_ < text_.size() && text_[pos_] != '"') {
      char c = text_[pos_++];
      if (static_cast<unsigned char>(c) < 0x20) return Fail("control byte in string");
      if (c == '\\') {
        if (pos_ >= text_.size()) return Fail("bad escape");
        const char e = text_[pos_++];
        if (e == 'u') {
          if (pos_ + 4 > text_.size()) return Fail("bad \\u escape");
          c = static_cast<char>(std::stoi(text_.substr(pos_, 4), nullptr, 16));
          pos_ += 4;
        } else if (e == 'n') {
          c = '\n';
        } else if (e == 't') {
          c = '\t';
        } else if (e == '"' || e == '\\' || e == '/') {
          c = e;
        } else {
          return Fail("bad escape");
        }
      }
      out->push_back(c);
    }
    if (pos_ >= text_.size()) return Fail("unterminated string");
    ++pos_;
    return true;
  }
  bool Value(JsonValue* out) {
    Space();
    if (pos_ >= text_.size()) return Fail("unexpected end");
    const char c = text_[pos_];
    if (c == 'n') return Literal("null");
    if (c == 't' || c == 'f') {
      out->type = JsonValue::kBool;
      out->boolean = c == 't';
      return Literal(c == 't' ? "true" : "false");
    }
    if (c == '"') {
      out->type = JsonValue::kString;
      return String(&out->string);
    }
    if (c == '[') {
      out->type = JsonValue::kArray;
      ++pos_;
      Space();
      if (pos_ < text_.size() && text_[pos_] == ']') return ++pos_, true;
      while (true) {
        out->array.emplace_back();
        if (!Value(&out->array.back())) return false;
        Space();
        if (pos_ < text_.size() && text_[pos_] == ',') {
          ++pos_;
          continue;
        }
        if (pos_ < text_.size() && text_[pos_] == ']') return ++pos_, true;
        return Fail("expected , or ]");
      }
    }
    if (c == '{') {
      out->type = JsonValue::kObject;
      ++pos_;
      Space();
      if (pos_ < text_.size() && text_[pos_] == '}') return ++pos_, true;
      while (true) {
        Space();
        std::string name;
        if (!String(&name)) return false;
        if (out->object.count(name) != 0) return Fail("duplicate member " + name);
        Space();
        if (pos_ >= text_.size() || text_[pos_] != ':') return Fail("expected :");
        ++pos_;
        if (!Value(&out->object[name])) return false;
        Space();
        if (pos_ < text_.size() && text_[pos_] == ',') {
          ++pos_;
          continue;
        }
        if (pos_ < text_.size() && text_[pos_] == '}') return ++pos_, true;
        return Fail("expected , or }");
      }
    }
    // Number: -?digits(.digits)?([eE][+-]?digits)?
    const size_t start = pos_;
    if (text_[pos_] == '-') ++pos_;
    auto digits = [&] {
      const size_t from = pos_;
      while (pos_ < text_.size() && text_[pos_] >= '0' && text_[pos_] <= '9') ++pos_;
      return pos_ > from;
    };
    if (!digits()) return Fail("bad value");
    if (pos_ < text_.size() && text_[pos_] == '.' && (++pos_, !digits())) return Fail("bad number");
    if (pos_ < text_.size() && (text_[pos_] == 'e' || text_[pos_] == 'E')) {
      ++pos_;
      if (pos_ < text_.size() && (text_[pos_] == '+' || text_[pos_] == '-')) ++pos_;
      if (!digits()) return Fail("bad exponent");
    }
    out->type = JsonValue::kNumber;
    out->number = std::strtod(text_.substr(start, pos_ - start).c_str(), nullptr);
    return true;
  }

  const std::string text_;  // a copy: callers pass temporaries
  size_t pos_ = 0;
  std::string error_;
};

// A fresh directory, removed with everything in it at the end.
class TempDir {
 public:
  TempDir() {
    std::string pattern =
        (std::filesystem::temp_directory_path() / "metakv-bench-test-XXXXXX").string();
    if (mkdtemp(pattern.data()) != nullptr) path_ = pattern;
  }
  ~TempDir() {
    std::error_code ec;
    if (!path_.empty()) std::filesystem::remove_all(path_, ec);
  }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// Reads and parses a JSON report, failing the test on a syntax error.
inline JsonValue ReadReport(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  JsonValue doc;
  JsonReader reader(text.str());
  EXPECT_TRUE(reader.Parse(&doc)) << reader.error() << "\n" << text.str();
  return doc;
}

}  // namespace metakv::bench

#endif  // METAKV_TESTS_BENCH_BENCH_TEST_UTIL_H_
