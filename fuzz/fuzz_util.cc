#include "fuzz/fuzz_util.h"

#include <unistd.h>

#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>

namespace metakv::fuzz {

namespace fs = std::filesystem;

void CheckFailed(const char* file, int line, const char* what, const std::string& detail) {
  std::fprintf(stderr, "fuzz check failed: %s:%d: %s: %s\n", file, line, what, detail.c_str());
  std::fflush(stderr);
  std::abort();
}

namespace {

std::string MakeScratchDir() {
  std::string base;
  if (const char* e = std::getenv("FUZZ_TMPDIR"); e != nullptr && *e != '\0') {
    base = e;
  } else if (access("/dev/shm", W_OK) == 0) {
    base = "/dev/shm";
  } else if (const char* t = std::getenv("TMPDIR"); t != nullptr && *t != '\0') {
    base = t;
  } else {
    base = "/tmp";
  }
  std::string templ = base + "/metakv-fuzz-XXXXXX";
  if (mkdtemp(templ.data()) == nullptr) {
    CheckFailed(__FILE__, __LINE__, "mkdtemp", templ);
  }
  return templ;
}

struct Scratch {
  std::string path = MakeScratchDir();
  ~Scratch() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
};

}  // namespace

const std::string& ScratchDir() {
  static Scratch scratch;
  return scratch.path;
}

InputDir::InputDir() {
  static uint64_t next = 0;
  path_ = ScratchDir() + "/in" + std::to_string(next++);
  std::error_code ec;
  fs::remove_all(path_, ec);
  fs::create_directories(path_, ec);
  if (ec) CheckFailed(__FILE__, __LINE__, "create_directories", path_ + ": " + ec.message());
}

InputDir::~InputDir() {
  std::error_code ec;
  fs::remove_all(path_, ec);
}

void WriteFileOrDie(const std::string& path, std::string_view bytes) {
  std::ofstream f(path, std::ios::binary | std::ios::trunc);
  f.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  f.close();
  if (!f) CheckFailed(__FILE__, __LINE__, "write", path);
}

ArgV::ArgV(std::vector<std::string> args) {
  args_.reserve(args.size() + 1);
  args_.push_back("prog");
  for (auto& a : args) args_.push_back(std::move(a));
  for (auto& a : args_) ptrs_.push_back(a.data());
  ptrs_.push_back(nullptr);
}

std::vector<std::string> SplitArgs(std::string_view bytes, size_t max_args) {
  std::vector<std::string> out;
  size_t begin = 0;
  while (begin < bytes.size() && out.size() < max_args) {
    size_t nl = bytes.find('\n', begin);
    if (nl == std::string_view::npos) nl = bytes.size();
    out.emplace_back(bytes.substr(begin, nl - begin));
    begin = nl + 1;
  }
  return out;
}

// ---------------------------------------------------------------- JSON ----

namespace {

class JsonChecker {
 public:
  explicit JsonChecker(std::string_view s) : s_(s) {}

  bool Document(std::string* where) {
    SkipSpace();
    bool ok = Value(0);
    if (ok) {
      SkipSpace();
      if (pos_ != s_.size()) ok = Fail("trailing bytes after the document");
    }
    if (!ok && where != nullptr) *where = error_ + " at offset " + std::to_string(pos_);
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
  bool Value(int depth) {
    if (depth > 64) return Fail("nesting deeper than 64");
    if (pos_ >= s_.size()) return Fail("unexpected end");
    const char c = s_[pos_];
    if (c == '{') return Object(depth);
    if (c == '[') return Array(depth);
    if (c == '"') return String();
    if (c == '-' || (c >= '0' && c <= '9')) return Number();
    for (std::string_view lit : {"true", "false", "null"}) {
      if (s_.substr(pos_, lit.size()) == lit) {
        pos_ += lit.size();
        return true;
      }
    }
    return Fail("unexpected character");
  }
  bool Object(int depth) {
    ++pos_;
    SkipSpace();
    if (Eat('}')) return true;
    while (true) {
      SkipSpace();
      if (pos_ >= s_.size() || s_[pos_] != '"') return Fail("object key is not a string");
      if (!String()) return false;
      SkipSpace();
      if (!Eat(':')) return Fail("missing ':'");
      SkipSpace();
      if (!Value(depth + 1)) return false;
      SkipSpace();
      if (Eat('}')) return true;
      if (!Eat(',')) return Fail("missing ',' or '}'");
    }
  }
  bool Array(int depth) {
    ++pos_;
    SkipSpace();
    if (Eat(']')) return true;
    while (true) {
      SkipSpace();
      if (!Value(depth + 1)) return false;
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
  bool Number() {
    Eat('-');
    if (Eat('0')) {
      // no leading zeros
    } else if (!Digits()) {
      return Fail("bad number");
    }
    if (Eat('.') && !Digits()) return Fail("bad fraction");
    if (pos_ < s_.size() && (s_[pos_] == 'e' || s_[pos_] == 'E')) {
      ++pos_;
      if (!Eat('+')) Eat('-');
      if (!Digits()) return Fail("bad exponent");
    }
    return true;
  }
  bool Hex4() {
    for (int i = 0; i < 4; ++i, ++pos_) {
      if (pos_ >= s_.size() || !std::isxdigit(static_cast<unsigned char>(s_[pos_]))) {
        return Fail("bad \\u escape");
      }
    }
    return true;
  }
  // One UTF-8 sequence at pos_ (RFC 3629: no overlongs, no surrogates).
  bool Utf8() {
    const auto c = static_cast<unsigned char>(s_[pos_]);
    size_t n = 0;
    uint32_t cp = 0;
    if ((c & 0xE0) == 0xC0) {
      n = 2;
      cp = c & 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
      n = 3;
      cp = c & 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
      n = 4;
      cp = c & 0x07;
    } else {
      return Fail("invalid UTF-8 lead byte");
    }
    if (pos_ + n > s_.size()) return Fail("truncated UTF-8 sequence");
    for (size_t k = 1; k < n; ++k) {
      const auto cc = static_cast<unsigned char>(s_[pos_ + k]);
      if ((cc & 0xC0) != 0x80) return Fail("invalid UTF-8 continuation byte");
      cp = (cp << 6) | (cc & 0x3F);
    }
    if ((n == 2 && cp < 0x80) || (n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) ||
        (cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF) {
      return Fail("invalid UTF-8 code point");
    }
    pos_ += n;
    return true;
  }
  bool String() {
    ++pos_;  // the opening quote
    while (true) {
      if (pos_ >= s_.size()) return Fail("unterminated string");
      const auto c = static_cast<unsigned char>(s_[pos_]);
      if (c == '"') {
        ++pos_;
        return true;
      }
      if (c < 0x20) return Fail("raw control character in string");
      if (c == '\\') {
        ++pos_;
        if (pos_ >= s_.size()) return Fail("unterminated escape");
        const char e = s_[pos_++];
        if (e == 'u') {
          if (!Hex4()) return false;
        } else if (std::string_view("\"\\/bfnrt").find(e) == std::string_view::npos) {
          return Fail("bad escape");
        }
        continue;
      }
      if (c < 0x80) {
        ++pos_;
        continue;
      }
      if (!Utf8()) return false;
    }
  }

  std::string_view s_;
  size_t pos_ = 0;
  std::string error_;
};

}  // namespace

bool IsValidJson(std::string_view text, std::string* where) {
  if (!text.empty() && text.back() == '\n') text.remove_suffix(1);
  return JsonChecker(text).Document(where);
}

}  // namespace metakv::fuzz
