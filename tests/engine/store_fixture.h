// Shared helpers for the Store test suites: a fixture owning a store in a
// temporary directory with a ManualClock, status assertions, scans collected
// into vectors, and a std::map model of one domain's visible records.
// Header-only; each *_test.cc binary includes it.
#ifndef METAKV_TESTS_ENGINE_STORE_FIXTURE_H_
#define METAKV_TESTS_ENGINE_STORE_FIXTURE_H_

#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <tuple>
#include <utility>
#include <vector>

#include "codecs/coding.h"
#include "metakv/store.h"
#include "tests/testutil.h"

#define MKV_ASSERT_OK(expr)                                           \
  do {                                                                \
    const ::metakv::Status mkv_s_ = (expr);                           \
    ASSERT_TRUE(mkv_s_.ok()) << #expr << " -> " << mkv_s_.ToString(); \
  } while (0)
#define MKV_EXPECT_OK(expr)                                           \
  do {                                                                \
    const ::metakv::Status mkv_s_ = (expr);                           \
    EXPECT_TRUE(mkv_s_.ok()) << #expr << " -> " << mkv_s_.ToString(); \
  } while (0)
// Expects a status with the given code (kNotFound, kInvalidArgument, ...).
#define MKV_EXPECT_CODE(want, expr)                                       \
  do {                                                                    \
    const ::metakv::Status mkv_s_ = (expr);                               \
    EXPECT_EQ(mkv_s_.code(), ::metakv::Status::Code::want)                \
        << #expr << " -> " << mkv_s_.ToString() << " (wanted " #want ")"; \
  } while (0)

namespace metakv {
// Lets gtest print statuses and codes.
inline void PrintTo(const Status& s, std::ostream* os) { *os << s.ToString(); }
}  // namespace metakv

namespace metakv::test {

inline const std::string kInode(kInodeDomain);
inline const std::string kDentry(kDentryDomain);
inline const std::string kHistory(kHistoryDomain);

inline std::string Bin(std::string_view s) { return std::string(s); }

// n pseudo-random (incompressible) bytes from seed.
inline std::string RandomBytes(size_t n, uint64_t seed) {
  std::string s(n, '\0');
  uint64_t x = seed * 0x9E3779B97F4A7C15ull + 1;
  for (char& c : s) {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    c = static_cast<char>(x);
  }
  return s;
}
inline std::string P(std::string_view s) { return codecs::Printable(s); }

// Write options of a synced write.
inline WriteOptions Synced() {
  WriteOptions wo;
  wo.sync = true;
  return wo;
}

// One record as an iterator shows it.
struct Entry {
  std::string tenant;
  std::string key;
  std::string value;
  bool operator==(const Entry& o) const {
    return tenant == o.tenant && key == o.key && value == o.value;
  }
};
inline std::ostream& operator<<(std::ostream& os, const Entry& e) {
  return os << "(" << P(e.tenant) << ", " << P(e.key) << ") = " << P(e.value.substr(0, 40));
}
inline void PrintTo(const Entry& e, std::ostream* os) { *os << e; }

inline Entry Current(const Iterator& it) {
  return Entry{std::string(it.tenant()), std::string(it.key()), std::string(it.value())};
}

// Every record from SeekToFirst to the end. *status: the iterator's final
// status (a failure is also reported).
inline std::vector<Entry> ScanForward(Store* store, const std::string& domain, const ScanSpec& spec,
                                      const Snapshot* snapshot = nullptr,
                                      Status* status = nullptr) {
  ReadOptions ro;
  ro.snapshot = snapshot;
  std::unique_ptr<Iterator> it;
  Status s = store->NewIterator(ro, domain, spec, &it);
  std::vector<Entry> out;
  if (!s.ok()) {
    if (status) *status = s;
    ADD_FAILURE() << "NewIterator(" << domain << ", tenant " << P(spec.tenant) << ") -> "
                  << s.ToString();
    return out;
  }
  for (it->SeekToFirst(); it->Valid(); it->Next()) out.push_back(Current(*it));
  s = it->status();
  if (status) *status = s;
  EXPECT_TRUE(s.ok()) << "forward scan of " << domain << ": " << s.ToString();
  return out;
}

// Every record from SeekToLast back to the front, in reverse order.
inline std::vector<Entry> ScanBackward(Store* store, const std::string& domain,
                                       const ScanSpec& spec, const Snapshot* snapshot = nullptr) {
  ReadOptions ro;
  ro.snapshot = snapshot;
  std::unique_ptr<Iterator> it;
  Status s = store->NewIterator(ro, domain, spec, &it);
  std::vector<Entry> out;
  if (!s.ok()) {
    ADD_FAILURE() << "NewIterator(" << domain << ") -> " << s.ToString();
    return out;
  }
  for (it->SeekToLast(); it->Valid(); it->Prev()) out.push_back(Current(*it));
  EXPECT_TRUE(it->status().ok()) << "reverse scan of " << domain << ": " << it->status().ToString();
  return out;
}

inline std::vector<Entry> Reversed(std::vector<Entry> v) {
  return std::vector<Entry>(v.rbegin(), v.rend());
}

inline ScanSpec TenantSpec(std::string tenant, std::string prefix = {}, std::string lower = {},
                           std::string upper = {}) {
  ScanSpec spec;
  spec.tenant = std::move(tenant);
  spec.prefix = std::move(prefix);
  spec.lower_bound = std::move(lower);
  spec.upper_bound = std::move(upper);
  return spec;
}

// The visible records of one domain, ordered by (tenant, key) bytewise
// (std::string compares as unsigned char).
using DomainModel = std::map<std::pair<std::string, std::string>, std::string>;

inline bool InSpec(const ScanSpec& spec, const std::string& tenant, const std::string& key) {
  if (spec.tenant.empty()) return true;
  if (tenant != spec.tenant) return false;
  if (key.compare(0, spec.prefix.size(), spec.prefix) != 0) return false;
  if (!spec.lower_bound.empty() && key < spec.lower_bound) return false;
  if (!spec.upper_bound.empty() && !(key < spec.upper_bound)) return false;
  return true;
}

inline std::vector<Entry> ModelScan(const DomainModel& model, const ScanSpec& spec) {
  std::vector<Entry> out;
  for (const auto& [tk, v] : model) {
    if (InSpec(spec, tk.first, tk.second)) out.push_back(Entry{tk.first, tk.second, v});
  }
  return out;
}

// The model's answer to Seek: the first entry at or after (tenant, key).
inline std::optional<Entry> ModelSeek(const std::vector<Entry>& scan, const std::string& tenant,
                                      const std::string& key) {
  for (const Entry& e : scan) {
    if (std::tie(e.tenant, e.key) >= std::tie(tenant, key)) return e;
  }
  return std::nullopt;
}
// The model's answer to SeekForPrev: the last entry at or before (tenant, key).
inline std::optional<Entry> ModelSeekForPrev(const std::vector<Entry>& scan,
                                             const std::string& tenant, const std::string& key) {
  for (auto it = scan.rbegin(); it != scan.rend(); ++it) {
    if (std::tie(it->tenant, it->key) <= std::tie(tenant, key)) return *it;
  }
  return std::nullopt;
}

// A fixture with a store over the file-system domains (small LSM) in a
// temporary directory, on a ManualClock.
class StoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    clock_ = std::make_shared<ManualClock>();
    options_ = SmallOptions(clock_);
    OpenStore();
  }
  void TearDown() override {
    if (store_) {
      const Status s = store_->Close();
      EXPECT_TRUE(s.ok()) << "Close: " << s.ToString();
      store_.reset();
    }
  }

  void OpenStore() {
    store_.reset();
    const Status s = Store::Open(options_, dir_.path(), &store_);
    ASSERT_TRUE(s.ok()) << "Open: " << s.ToString();
    ASSERT_NE(store_, nullptr);
  }
  void Reopen() {
    if (store_) {
      MKV_ASSERT_OK(store_->Close());
      store_.reset();
    }
    OpenStore();
  }

  Status Put(const std::string& domain, const std::string& tenant, const std::string& key,
             const std::string& value, uint64_t ttl = 0) {
    return store_->Put(WriteOptions(), domain, tenant, key, value, ttl);
  }
  Status Delete(const std::string& domain, const std::string& tenant, const std::string& key) {
    return store_->Delete(WriteOptions(), domain, tenant, key);
  }
  Status Undelete(const std::string& domain, const std::string& tenant, const std::string& key) {
    return store_->Undelete(WriteOptions(), domain, tenant, key);
  }
  Status HardDelete(const std::string& domain, const std::string& tenant, const std::string& key) {
    return store_->HardDelete(WriteOptions(), domain, tenant, key);
  }

  // The visible value, "NOT_FOUND", or "ERROR: <status>" for any other
  // outcome, so expectations read as EXPECT_EQ(Get(...), "v").
  std::string Get(const std::string& domain, const std::string& tenant, const std::string& key,
                  const Snapshot* snapshot = nullptr) {
    ReadOptions ro;
    ro.snapshot = snapshot;
    std::string value = "unchanged";
    const Status s = store_->Get(ro, domain, tenant, key, &value);
    if (s.IsNotFound()) return "NOT_FOUND";
    if (!s.ok()) return "ERROR: " + s.ToString();
    return value;
  }

  // Flush and compact every domain.
  void FlushAndCompact() {
    MKV_ASSERT_OK(store_->Flush());
    MKV_ASSERT_OK(store_->CompactRange());
  }

  TempDir dir_;
  std::shared_ptr<ManualClock> clock_;
  Options options_;
  std::unique_ptr<Store> store_;
};

}  // namespace metakv::test

#endif  // METAKV_TESTS_ENGINE_STORE_FIXTURE_H_
