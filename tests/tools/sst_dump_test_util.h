// What the metakv-sst-dump suites (tests/tools/sst_dump_*_test.cc) share:
// running the tool in-process, reading its JSON, the sample database with
// the model of what was written to it, and SST files written directly.
#ifndef METAKV_TESTS_TOOLS_SST_DUMP_TEST_UTIL_H_
#define METAKV_TESTS_TOOLS_SST_DUMP_TEST_UTIL_H_

#include <gtest/gtest.h>
#include <rocksdb/db.h>
#include <rocksdb/options.h>
#include <rocksdb/sst_file_writer.h>
#include <rocksdb/table.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <tuple>
#include <vector>

#include "codecs/coding.h"
#include "codecs/key_codec.h"
#include "codecs/record_codec.h"
#include "common/format.h"
#include "common/json_reader.h"
#include "metakv/store.h"
#include "tests/testutil.h"
#include "tools/record_format.h"
#include "tools/sst_dump_lib.h"
#include "tools/table_check.h"

namespace metakv::tools {

#define ASSERT_MKV_OK(expr)                                   \
  do {                                                        \
    const ::metakv::Status s_ = (expr);                       \
    ASSERT_TRUE(s_.ok()) << #expr << " -> " << s_.ToString(); \
  } while (0)
#define ASSERT_ROCKS_OK(expr)                                 \
  do {                                                        \
    const ::rocksdb::Status s_ = (expr);                      \
    ASSERT_TRUE(s_.ok()) << #expr << " -> " << s_.ToString(); \
  } while (0)

// ------------------------------------------------------------ running ----

struct RunResult {
  int code = -1;
  std::string out;
  std::string err;
};

inline RunResult Dump(const std::vector<std::string>& args) {
  std::vector<std::string> all{"metakv-sst-dump"};
  all.insert(all.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (auto& a : all) argv.push_back(a.data());
  argv.push_back(nullptr);
  std::ostringstream out, err;
  RunResult r;
  r.code = RunSstDump(static_cast<int>(all.size()), argv.data(), out, err);
  r.out = out.str();
  r.err = err.str();
  return r;
}

inline std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) lines.push_back(line);
  return lines;
}

inline std::vector<std::string> Tokens(const std::string& line) {
  std::vector<std::string> tokens;
  std::istringstream in(line);
  std::string t;
  while (in >> t) tokens.push_back(t);
  return tokens;
}

// The one line on stderr, which must name what and why.
inline void ExpectOneErrorLine(const RunResult& r, const std::string& what,
                               const std::string& why) {
  const auto lines = Lines(r.err);
  ASSERT_EQ(lines.size(), 1u) << r.err;
  EXPECT_NE(lines[0].find(what), std::string::npos) << lines[0];
  EXPECT_NE(lines[0].find(why), std::string::npos) << lines[0];
}

// ---------------------------------------------------------------- JSON ----

// Parses a whole document or fails the test.
inline common::JsonValue ParseJson(const std::string& text) {
  common::JsonValue doc;
  std::string error;
  EXPECT_TRUE(common::ParseJson(text, &doc, &error)) << error << "\n" << text.substr(0, 2000);
  return doc;
}

// -------------------------------------------------------------- models ----

inline constexpr uint64_t kT0 = 1700000000;  // 2023-11-14T22:13:20Z
inline constexpr uint64_t kDeleteTime = kT0 + 10;
inline constexpr uint64_t kShortTtl = 100;
inline constexpr uint64_t kHistoryTtl = 30 * 24 * 3600;  // FileSystemDomains' history default
inline constexpr uint64_t kNow = kT0 + 200;              // short-TTL records have expired

struct Expected {
  std::string domain;
  std::string tenant;
  std::string key;
  std::string kind;  // live, expiring, tombstone
  uint64_t time = 0;
  uint64_t expiry = 0;
  std::string value;

  bool expired() const { return expiry != 0 && expiry <= kNow; }
  uint64_t key_bytes() const { return codecs::EncodeKey(tenant, key).size(); }
  uint64_t stored_bytes() const {
    const std::string encoded = codecs::EncodeKey(tenant, key);
    codecs::Record r;
    r.kind = kind == "tombstone" ? codecs::RecordKind::kTombstone : codecs::RecordKind::kLive;
    r.time = time;
    r.expiry = expiry;
    r.payload = value;
    std::string stored;
    codecs::EncodeRecord(encoded, r, &stored);
    return encoded.size() + stored.size();
  }
};

using Model = std::map<std::tuple<std::string, std::string, std::string>, Expected>;

inline const std::string kOddTenant("z\0y", 3);  // a tenant with a zero byte
inline const std::string kBinaryValue("\x00\x01\xff bin", 7);

// Builds the sample database: three domains, three tenants, every kind.
// Everything is flushed to SST files; the store is closed afterwards.
inline void BuildSampleDb(const std::string& path, Model* model) {
  auto clock = std::make_shared<ManualClock>(kT0 * 1000000);
  Options options = test::SmallOptions(clock);
  std::unique_ptr<Store> store;
  ASSERT_MKV_OK(Store::Open(options, path, &store));
  const WriteOptions wo;
  auto put = [&](const std::string& domain, const std::string& tenant, const std::string& key,
                 const std::string& value, uint64_t ttl, uint64_t expiry) {
    ASSERT_MKV_OK(store->Put(wo, domain, tenant, key, value, ttl));
    (*model)[{domain, tenant, key}] =
        Expected{domain, tenant, key, expiry ? "expiring" : "live", kT0, expiry, value};
  };
  for (int i = 1; i <= 10; ++i) {
    char key[16];
    std::snprintf(key, sizeof(key), "/a/%02d", i);
    put("inode", "acme", key, "attr-acme-" + std::to_string(i), 0, 0);
  }
  for (int i = 1; i <= 3; ++i) put("inode", "beta", "/b/" + std::to_string(i), "attr-beta", 0, 0);
  put("inode", kOddTenant, "/odd/1", kBinaryValue, 0, 0);
  put("inode", kOddTenant, "/odd/2", "plain", 0, 0);
  for (int i = 1; i <= 6; ++i)
    put("dentry", "acme", "d" + std::to_string(i), "ino-" + std::to_string(i), 0, 0);
  for (int i = 1; i <= 3; ++i) {
    put("history", "acme", "h" + std::to_string(i), "snap-" + std::to_string(i), kShortTtl,
        kT0 + kShortTtl);
  }
  for (int i = 1; i <= 2; ++i) {
    put("history", "beta", "h" + std::to_string(i), "snap", 0, kT0 + kHistoryTtl);
  }
  // A hard delete: gone from the model; a RocksDB deletion in the file.
  ASSERT_MKV_OK(store->HardDelete(wo, "inode", "acme", "/a/05"));
  model->erase({"inode", "acme", "/a/05"});
  // Logical deletes ten seconds later: tombstones keeping the value.
  clock->AdvanceSeconds(10);
  for (const char* key : {"d2", "d4"}) {
    ASSERT_MKV_OK(store->Delete(wo, "dentry", "acme", key));
    Expected& e = (*model)[{"dentry", "acme", key}];
    e.kind = "tombstone";
    e.time = kDeleteTime;
  }
  ASSERT_MKV_OK(store->Flush());
  ASSERT_MKV_OK(store->Close());
}

// Writes an SST file with SstFileWriter (no column family).
inline void WriteSst(const std::string& path,
                     const std::vector<std::pair<std::string, std::string>>& kvs,
                     rocksdb::CompressionType compression = rocksdb::kSnappyCompression) {
  rocksdb::Options options;
  options.compression = compression;
  rocksdb::SstFileWriter writer(rocksdb::EnvOptions(), options);
  ASSERT_ROCKS_OK(writer.Open(path));
  for (const auto& [k, v] : kvs) ASSERT_ROCKS_OK(writer.Put(k, v));
  ASSERT_ROCKS_OK(writer.Finish());
}

// metakv entries for tenant "acme", keys /k/00.. with live records.
inline std::vector<std::pair<std::string, std::string>> MetakvEntries(int n) {
  std::vector<std::pair<std::string, std::string>> kvs;
  for (int i = 0; i < n; ++i) {
    char key[16];
    std::snprintf(key, sizeof(key), "/k/%02d", i);
    const std::string encoded = codecs::EncodeKey("acme", key);
    codecs::Record r;
    r.time = kT0;
    const std::string payload = "value-" + std::to_string(i);
    r.payload = payload;
    std::string value;
    codecs::EncodeRecord(encoded, r, &value);
    kvs.emplace_back(encoded, value);
  }
  return kvs;
}

inline std::vector<std::string> SstFilesIn(const std::string& dir) {
  std::vector<std::string> files;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    if (entry.path().extension() == ".sst") files.push_back(entry.path().string());
  }
  std::sort(files.begin(), files.end());
  return files;
}

inline void WriteFile(const std::string& path, const std::string& bytes) {
  std::ofstream f(path, std::ios::binary | std::ios::trunc);
  f.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

inline std::string ReadFile(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

class SstDumpSampleDbTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new test::TempDir();
    model_ = new Model();
    BuildSampleDb(dir_->Sub("db"), model_);
  }
  static void TearDownTestSuite() {
    delete model_;
    delete dir_;
  }
  static std::string db() { return dir_->Sub("db"); }
  static const Model& model() { return *model_; }

  static inline test::TempDir* dir_ = nullptr;
  static inline Model* model_ = nullptr;
};

inline std::string NowFlag() { return "--now=" + std::to_string(kNow); }

// Names, sizes and modification times of the files in dir.
inline std::map<std::string, std::pair<uintmax_t, std::filesystem::file_time_type>> DirState(
    const std::string& dir) {
  std::map<std::string, std::pair<uintmax_t, std::filesystem::file_time_type>> state;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    state[entry.path().filename().string()] = {entry.file_size(), entry.last_write_time()};
  }
  return state;
}

}  // namespace metakv::tools

#endif  // METAKV_TESTS_TOOLS_SST_DUMP_TEST_UTIL_H_
