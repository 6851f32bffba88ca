// Store::Open, Close and the domain catalogue: creation and reopening, every
// documented open failure, option validation, read-only opens, foreign
// RocksDB databases, domain declarations checked against the stored
// catalogue, unknown domains in every call, and calls after Close.
#include <rocksdb/db.h>

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "metakv/store.h"
#include "tests/engine/store_fixture.h"
#include "tests/testutil.h"

namespace metakv::test {
namespace {

bool Contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

std::string Lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// Opens, expecting failure; checks that *out is reset.
Status OpenExpectingFailure(const Options& options, const std::string& path) {
  std::unique_ptr<Store> out;
  Status s = Store::Open(options, path, &out);
  EXPECT_FALSE(s.ok()) << "Open of " << path << " succeeded";
  EXPECT_EQ(out, nullptr);
  return s;
}

std::string GetValue(Store* store, const std::string& domain, const std::string& tenant,
                     const std::string& key) {
  std::string value;
  const Status s = store->Get(ReadOptions(), domain, tenant, key, &value);
  if (s.IsNotFound()) return "NOT_FOUND";
  if (!s.ok()) return "ERROR: " + s.ToString();
  return value;
}

// Every entry under path (recursively) with its size (-1 for a directory),
// so a failed Open can be shown to have changed nothing on disk.
std::map<std::string, int64_t> Listing(const std::string& path) {
  namespace fs = std::filesystem;
  std::map<std::string, int64_t> out;
  for (const auto& e : fs::recursive_directory_iterator(path)) {
    out[fs::relative(e.path(), path).string()] =
        e.is_directory() ? -1 : static_cast<int64_t>(e.file_size());
  }
  return out;
}

std::string FileContents(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

// A hot domain with SmallOptions' sizes.
DomainOptions Domain(const std::string& name, Temperature t = Temperature::kHot) {
  DomainOptions d = SmallOptions().domains[0];
  d.name = name;
  d.temperature = t;
  d.default_ttl_seconds = 0;
  return d;
}

TEST(StoreOpenTest, CreatesThenReopensWithData) {
  TempDir dir;
  const std::string path = dir.Sub("db");
  Options options = SmallOptions();
  {
    std::unique_ptr<Store> store;
    MKV_ASSERT_OK(Store::Open(options, path, &store));
    ASSERT_NE(store, nullptr);
    EXPECT_EQ(store->DomainNames(), (std::vector<std::string>{"inode", "dentry", "history"}));
    MKV_ASSERT_OK(store->Put(WriteOptions(), kInode, "t", "k", "v"));
    MKV_ASSERT_OK(store->Put(WriteOptions(), kHistory, "t", "k", "h"));
    MKV_ASSERT_OK(store->Close());
  }
  options.create_if_missing = false;
  std::unique_ptr<Store> store;
  MKV_ASSERT_OK(Store::Open(options, path, &store));
  EXPECT_EQ(GetValue(store.get(), kInode, "t", "k"), "v");
  EXPECT_EQ(GetValue(store.get(), kHistory, "t", "k"), "h");
  EXPECT_EQ(GetValue(store.get(), kDentry, "t", "k"), "NOT_FOUND");
  MKV_EXPECT_OK(store->Close());
}

TEST(StoreOpenTest, DestructorClosesAndKeepsData) {
  TempDir dir;
  Options options = SmallOptions();
  {
    std::unique_ptr<Store> store;
    MKV_ASSERT_OK(Store::Open(options, dir.path(), &store));
    MKV_ASSERT_OK(store->Put(WriteOptions(), kDentry, "t", "k", "v"));
  }  // no Close: the destructor closes
  std::unique_ptr<Store> store;
  MKV_ASSERT_OK(Store::Open(options, dir.path(), &store));
  EXPECT_EQ(GetValue(store.get(), kDentry, "t", "k"), "v");
}

// store.h: "A missing directory without create_if_missing ... [is]
// InvalidArgument".
TEST(StoreOpenTest, MissingDirectoryWithoutCreateIfMissingFails) {
  TempDir dir;
  Options options = SmallOptions();
  options.create_if_missing = false;
  const Status s = OpenExpectingFailure(options, dir.Sub("missing"));
  EXPECT_TRUE(s.IsInvalidArgument()) << s.ToString();
  // Nor is a store (or anything else) created there as a side effect.
  EXPECT_FALSE(std::filesystem::exists(dir.Sub("missing")));
  EXPECT_TRUE(std::filesystem::is_empty(dir.path()));
}

TEST(StoreOpenTest, FailedOpenResetsOut) {
  TempDir dir;
  Options options = SmallOptions();
  std::unique_ptr<Store> out;
  MKV_ASSERT_OK(Store::Open(options, dir.Sub("a"), &out));
  ASSERT_NE(out, nullptr);
  Options bad = SmallOptions();
  bad.create_if_missing = false;
  const Status s = Store::Open(bad, dir.Sub("missing"), &out);
  EXPECT_TRUE(s.IsInvalidArgument()) << s.ToString();
  EXPECT_EQ(out, nullptr);
  EXPECT_FALSE(std::filesystem::exists(dir.Sub("missing")));
}

TEST(StoreOpenTest, ErrorIfExists) {
  TempDir dir;
  Options options = SmallOptions();
  options.error_if_exists = true;
  {
    // A new database: error_if_exists does not stop its creation.
    std::unique_ptr<Store> store;
    MKV_ASSERT_OK(Store::Open(options, dir.path(), &store));
    MKV_ASSERT_OK(store->Put(WriteOptions(), kInode, "t", "k", "v"));
    MKV_ASSERT_OK(store->Close());
  }
  const auto before = Listing(dir.path());
  const std::string current = FileContents(dir.Sub("CURRENT"));
  ASSERT_FALSE(current.empty());
  // store.h: "an existing database with error_if_exists [is]
  // InvalidArgument".
  const Status s = OpenExpectingFailure(options, dir.path());
  EXPECT_TRUE(s.IsInvalidArgument()) << s.ToString();
  // The existing database is untouched: the same files, the same sizes.
  EXPECT_EQ(Listing(dir.path()), before);
  EXPECT_EQ(FileContents(dir.Sub("CURRENT")), current);
  options.error_if_exists = false;
  std::unique_ptr<Store> store;
  MKV_ASSERT_OK(Store::Open(options, dir.path(), &store));
  EXPECT_EQ(GetValue(store.get(), kInode, "t", "k"), "v");
}

// store.h: "a path that is not a directory [is] InvalidArgument", with or
// without create_if_missing; the file is left as it was.
TEST(StoreOpenTest, PathIsARegularFile) {
  TempDir dir;
  const std::string path = dir.Sub("file");
  { std::ofstream(path) << "not a database"; }
  Options options = SmallOptions();
  for (bool create : {true, false}) {
    SCOPED_TRACE(create ? "create_if_missing" : "no create_if_missing");
    options.create_if_missing = create;
    const Status s = OpenExpectingFailure(options, path);
    EXPECT_TRUE(s.IsInvalidArgument()) << s.ToString();
    EXPECT_TRUE(std::filesystem::is_regular_file(path));
    EXPECT_EQ(FileContents(path), "not a database");
    EXPECT_EQ(Listing(dir.path()), (std::map<std::string, int64_t>{{"file", 14}}));
  }
}

TEST(StoreOpenTest, DirectoryLockedByAnotherOpenStore) {
  TempDir dir;
  Options options = SmallOptions();
  std::unique_ptr<Store> first;
  MKV_ASSERT_OK(Store::Open(options, dir.path(), &first));
  MKV_ASSERT_OK(first->Put(WriteOptions(), kInode, "t", "k", "v1"));

  const Status s = OpenExpectingFailure(options, dir.path());
  // store.h: "IOError for I/O problems and a directory locked by another
  // open Store".
  EXPECT_TRUE(s.IsIOError()) << s.ToString();

  // The first store is unaffected.
  MKV_EXPECT_OK(first->Put(WriteOptions(), kInode, "t", "k", "v2"));
  EXPECT_EQ(GetValue(first.get(), kInode, "t", "k"), "v2");
  MKV_ASSERT_OK(first->Close());

  // Once closed, the directory opens again.
  std::unique_ptr<Store> second;
  MKV_ASSERT_OK(Store::Open(options, dir.path(), &second));
  EXPECT_EQ(GetValue(second.get(), kInode, "t", "k"), "v2");
}

TEST(StoreOpenTest, BadOptionsAreInvalidArgument) {
  TempDir dir;
  struct Case {
    const char* what;
    void (*mutate)(Options*);
  };
  const Case cases[] = {
      {"no domains", [](Options* o) { o->domains.clear(); }},
      {"duplicate domain", [](Options* o) { o->domains.push_back(o->domains[0]); }},
      {"duplicate domain, other temperature",
       [](Options* o) {
         o->domains.push_back(o->domains[0]);
         o->domains.back().temperature = Temperature::kCold;
       }},
      {"name default", [](Options* o) { o->domains[0].name = "default"; }},
      {"empty name", [](Options* o) { o->domains[0].name = ""; }},
      {"name with space", [](Options* o) { o->domains[0].name = "A B"; }},
      {"upper case name", [](Options* o) { o->domains[0].name = "Inode"; }},
      {"name with slash", [](Options* o) { o->domains[0].name = "a/b"; }},
      {"name with 0x00", [](Options* o) { o->domains[0].name = std::string("a\0b", 3); }},
      {"65-character name", [](Options* o) { o->domains[0].name = std::string(65, 'a'); }},
      {"memory budget 0", [](Options* o) { o->memory_budget_bytes = 0; }},
      // Found by fuzz/options_fuzzer: intervals past a year overflowed the
      // background threads' std::chrono waits (undefined behaviour).
      {"maintenance interval past a year",
       [](Options* o) { o->maintenance_interval_seconds = 365ull * 24 * 3600 + 1; }},
      {"maintenance interval UINT64_MAX",
       [](Options* o) { o->maintenance_interval_seconds = UINT64_MAX; }},
      {"flush controller interval past a year",
       [](Options* o) { o->flush_controller_interval_seconds = 365ull * 24 * 3600 + 1; }},
      {"flush controller interval UINT64_MAX",
       [](Options* o) { o->flush_controller_interval_seconds = UINT64_MAX; }},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.what);
    Options options = SmallOptions();
    c.mutate(&options);
    const Status s = OpenExpectingFailure(options, dir.Sub("db"));
    EXPECT_TRUE(s.IsInvalidArgument()) << s.ToString();
  }
}

// Found while writing fuzz/options_fuzzer (and shown by UBSan): a memory
// budget or target file size near UINT64_MAX times a fraction of 1 rounds
// to 2^64 as a double, whose conversion back was undefined behaviour. Such
// sizes are valid and the store must open and work.
TEST(StoreOpenTest, HugeSizesTimesWholeFractionsOpen) {
  TempDir dir;
  Options options = SmallOptions();
  options.memory_budget_bytes = UINT64_MAX;
  options.memtable_budget_fraction = 1.0;
  options.domains[0].target_file_size_bytes = UINT64_MAX;
  options.domains[0].max_bytes_for_level_base = UINT64_MAX;
  options.domains[0].partition_min_file_fraction = 1.0;
  std::unique_ptr<Store> store;
  Status s = Store::Open(options, dir.Sub("db"), &store);
  ASSERT_TRUE(s.ok()) << s.ToString();
  const std::string domain = options.domains[0].name;
  ASSERT_TRUE(store->Put(WriteOptions(), domain, "t", "k", "v").ok());
  ASSERT_TRUE(store->Flush().ok());
  ASSERT_TRUE(store->CompactRange().ok());
  EXPECT_EQ(GetValue(store.get(), domain, "t", "k"), "v");
  EXPECT_TRUE(store->Close().ok());
}

TEST(StoreOpenTest, ValidDomainNames) {
  TempDir dir;
  Options options = SmallOptions();
  options.domains = {Domain(std::string(64, 'z')), Domain("a.b-c_9"), Domain("0")};
  std::unique_ptr<Store> store;
  MKV_ASSERT_OK(Store::Open(options, dir.path(), &store));
  EXPECT_EQ(store->DomainNames(), (std::vector<std::string>{std::string(64, 'z'), "a.b-c_9", "0"}));
  MKV_EXPECT_OK(store->Put(WriteOptions(), "a.b-c_9", "t", "k", "v"));
  EXPECT_EQ(GetValue(store.get(), "a.b-c_9", "t", "k"), "v");
}

TEST(StoreOpenTest, ReadOnlyReadsWorkWritesAreNotSupported) {
  TempDir dir;
  Options options = SmallOptions();
  {
    std::unique_ptr<Store> store;
    MKV_ASSERT_OK(Store::Open(options, dir.path(), &store));
    MKV_ASSERT_OK(store->Put(WriteOptions(), kInode, "t", "a", "1"));
    MKV_ASSERT_OK(store->Put(WriteOptions(), kInode, "t", "b", "2"));
    MKV_ASSERT_OK(store->Put(WriteOptions(), kDentry, "t", "gone", "x"));
    MKV_ASSERT_OK(store->Delete(WriteOptions(), kDentry, "t", "gone"));
    MKV_ASSERT_OK(store->Close());
  }
  options.read_only = true;
  options.create_if_missing = false;
  std::unique_ptr<Store> store;
  MKV_ASSERT_OK(Store::Open(options, dir.path(), &store));

  EXPECT_EQ(GetValue(store.get(), kInode, "t", "a"), "1");
  EXPECT_EQ(GetValue(store.get(), kDentry, "t", "gone"), "NOT_FOUND");
  std::vector<std::string> values;
  std::vector<Status> statuses;
  MKV_ASSERT_OK(
      store->MultiGet(ReadOptions(), {{kInode, "t", "a"}, {kInode, "t", "c"}}, &values, &statuses));
  ASSERT_EQ(statuses.size(), 2u);
  EXPECT_TRUE(statuses[0].ok());
  EXPECT_EQ(values[0], "1");
  EXPECT_TRUE(statuses[1].IsNotFound());
  EXPECT_EQ(ScanForward(store.get(), kInode, TenantSpec("t")),
            (std::vector<Entry>{{"t", "a", "1"}, {"t", "b", "2"}}));
  const Snapshot* snap = store->GetSnapshot();
  ASSERT_NE(snap, nullptr);
  std::string v;
  ReadOptions ro;
  ro.snapshot = snap;
  MKV_EXPECT_OK(store->Get(ro, kInode, "t", "b", &v));
  EXPECT_EQ(v, "2");
  store->ReleaseSnapshot(snap);

  MKV_EXPECT_CODE(kNotSupported, store->Put(WriteOptions(), kInode, "t", "a", "new"));
  MKV_EXPECT_CODE(kNotSupported, store->Put(WriteOptions(), kInode, "t", "new", "new"));
  MKV_EXPECT_CODE(kNotSupported, store->Delete(WriteOptions(), kInode, "t", "a"));
  MKV_EXPECT_CODE(kNotSupported, store->Undelete(WriteOptions(), kDentry, "t", "gone"));
  MKV_EXPECT_CODE(kNotSupported, store->HardDelete(WriteOptions(), kInode, "t", "b"));
  WriteBatch batch;
  batch.Put(kInode, "t", "batch", "x");
  MKV_EXPECT_CODE(kNotSupported, store->Write(WriteOptions(), batch));

  // Nothing changed.
  EXPECT_EQ(GetValue(store.get(), kInode, "t", "a"), "1");
  EXPECT_EQ(GetValue(store.get(), kInode, "t", "b"), "2");
  EXPECT_EQ(GetValue(store.get(), kInode, "t", "new"), "NOT_FOUND");
  EXPECT_EQ(GetValue(store.get(), kInode, "t", "batch"), "NOT_FOUND");
  MKV_EXPECT_OK(store->Close());

  // And a writable reopen shows the tombstone is still restorable.
  options.read_only = false;
  MKV_ASSERT_OK(Store::Open(options, dir.path(), &store));
  MKV_EXPECT_OK(store->Undelete(WriteOptions(), kDentry, "t", "gone"));
  EXPECT_EQ(GetValue(store.get(), kDentry, "t", "gone"), "x");
}

TEST(StoreOpenTest, ReadOnlyOpenOfMissingDirectoryFails) {
  TempDir dir;
  Options options = SmallOptions();
  options.read_only = true;
  options.create_if_missing = false;
  const Status s = OpenExpectingFailure(options, dir.Sub("missing"));
  EXPECT_TRUE(s.IsInvalidArgument()) << s.ToString();
  EXPECT_FALSE(std::filesystem::exists(dir.Sub("missing")));
}

TEST(StoreOpenTest, ReadOnlyOpenWhileAWriterHoldsTheLock) {
  // options.h: with read_only "another process may hold the write lock".
  TempDir dir;
  Options options = SmallOptions();
  std::unique_ptr<Store> writer;
  MKV_ASSERT_OK(Store::Open(options, dir.path(), &writer));
  MKV_ASSERT_OK(writer->Put(WriteOptions(), kInode, "t", "k", "v"));
  MKV_ASSERT_OK(writer->Flush());

  Options ro_options = options;
  ro_options.read_only = true;
  ro_options.create_if_missing = false;
  std::unique_ptr<Store> reader;
  MKV_ASSERT_OK(Store::Open(ro_options, dir.path(), &reader));
  EXPECT_EQ(GetValue(reader.get(), kInode, "t", "k"), "v");
  MKV_EXPECT_OK(reader->Close());
  MKV_EXPECT_OK(writer->Close());
}

// Writes a plain RocksDB database (not created by metakv) at path.
void MakePlainRocksDb(const std::string& path, const std::vector<std::string>& extra_cfs) {
  rocksdb::Options options;
  options.create_if_missing = true;
  rocksdb::DB* raw = nullptr;
  rocksdb::Status s = rocksdb::DB::Open(options, path, &raw);
  ASSERT_TRUE(s.ok()) << s.ToString();
  std::unique_ptr<rocksdb::DB> db(raw);
  ASSERT_TRUE(db->Put(rocksdb::WriteOptions(), "some-key", "some-value").ok());
  for (const std::string& name : extra_cfs) {
    rocksdb::ColumnFamilyHandle* cf = nullptr;
    ASSERT_TRUE(db->CreateColumnFamily(rocksdb::ColumnFamilyOptions(), name, &cf).ok());
    ASSERT_TRUE(db->Put(rocksdb::WriteOptions(), cf, "cf-key", "cf-value").ok());
    ASSERT_TRUE(db->DestroyColumnFamilyHandle(cf).ok());
  }
  ASSERT_TRUE(db->Close().ok());
}

// The column families and default-family keys of a plain RocksDB database.
void DescribePlainRocksDb(const std::string& path, std::vector<std::string>* cfs,
                          std::vector<std::string>* keys) {
  rocksdb::Status s = rocksdb::DB::ListColumnFamilies(rocksdb::DBOptions(), path, cfs);
  ASSERT_TRUE(s.ok()) << s.ToString();
  rocksdb::DB* raw = nullptr;
  s = rocksdb::DB::OpenForReadOnly(rocksdb::Options(), path, &raw);
  ASSERT_TRUE(s.ok()) << s.ToString();
  std::unique_ptr<rocksdb::DB> db(raw);
  std::unique_ptr<rocksdb::Iterator> it(db->NewIterator(rocksdb::ReadOptions()));
  for (it->SeekToFirst(); it->Valid(); it->Next()) keys->push_back(it->key().ToString());
}

TEST(StoreOpenTest, PlainRocksDbIsNotAMetakvDatabase) {
  for (const std::vector<std::string>& extra :
       {std::vector<std::string>{}, std::vector<std::string>{"inode", "dentry", "history"}}) {
    SCOPED_TRACE(extra.empty() ? "default column family only" : "with the domains' families");
    TempDir dir;
    ASSERT_NO_FATAL_FAILURE(MakePlainRocksDb(dir.path(), extra));
    std::vector<std::string> cfs_before, keys_before;
    ASSERT_NO_FATAL_FAILURE(DescribePlainRocksDb(dir.path(), &cfs_before, &keys_before));

    for (bool create : {false, true}) {
      Options options = SmallOptions();
      options.create_if_missing = create;
      const Status s = OpenExpectingFailure(options, dir.path());
      EXPECT_TRUE(s.IsInvalidArgument()) << s.ToString();
      EXPECT_TRUE(Contains(Lower(s.message()), "metakv")) << s.ToString();
      EXPECT_TRUE(Contains(Lower(s.message()), "not")) << s.ToString();
    }
    // The foreign database was not modified.
    std::vector<std::string> cfs_after, keys_after;
    ASSERT_NO_FATAL_FAILURE(DescribePlainRocksDb(dir.path(), &cfs_after, &keys_after));
    EXPECT_EQ(std::set<std::string>(cfs_after.begin(), cfs_after.end()),
              std::set<std::string>(cfs_before.begin(), cfs_before.end()));
    EXPECT_EQ(keys_after, keys_before);
  }
}

// What a crash during Store::Open's creation of a new store leaves when it
// strikes after RocksDB made the database and before metakv wrote its
// catalogue: an empty RocksDB database and the creation marker.
void MakeInterruptedCreation(const std::string& path) {
  rocksdb::Options options;
  options.create_if_missing = true;
  rocksdb::DB* raw = nullptr;
  rocksdb::Status s = rocksdb::DB::Open(options, path, &raw);
  ASSERT_TRUE(s.ok()) << s.ToString();
  ASSERT_TRUE(raw->Close().ok());
  delete raw;
  std::ofstream(path + "/METAKV-CREATING").flush();
}

// Regression: found by the crash test (scripts/crash-test.sh) killing
// metakv-stress in its first milliseconds; every later Open refused the
// directory as "a RocksDB database but not a metakv database".
TEST(StoreOpenTest, ACreationInterruptedBeforeTheCatalogueIsFinishedByTheNextOpen) {
  TempDir dir;
  const std::string path = dir.Sub("db");
  ASSERT_NO_FATAL_FAILURE(MakeInterruptedCreation(path));
  {
    Options options = SmallOptions();
    options.read_only = true;
    options.create_if_missing = false;
    const Status s = OpenExpectingFailure(options, path);
    EXPECT_TRUE(s.IsInvalidArgument()) << s.ToString();
    EXPECT_TRUE(Contains(s.message(), "creation was interrupted")) << s.ToString();
    options.read_only = false;
    const Status s2 = OpenExpectingFailure(options, path);
    EXPECT_TRUE(Contains(s2.message(), "create_if_missing")) << s2.ToString();
  }
  {
    std::unique_ptr<Store> store;
    MKV_ASSERT_OK(Store::Open(SmallOptions(), path, &store));
    EXPECT_FALSE(std::filesystem::exists(path + "/METAKV-CREATING"));
    MKV_ASSERT_OK(store->Put(WriteOptions(), kHistory, "t", "k", "v"));
    MKV_ASSERT_OK(store->Close());
  }
  Options options = SmallOptions();
  options.create_if_missing = false;
  std::unique_ptr<Store> store;
  MKV_ASSERT_OK(Store::Open(options, path, &store));
  EXPECT_EQ(GetValue(store.get(), kHistory, "t", "k"), "v");
  EXPECT_EQ(store->DomainNames(), (std::vector<std::string>{kInode, kDentry, kHistory}));
}

TEST(StoreOpenTest, TheCreationMarkerDoesNotMakeAForeignDatabaseOurs) {
  for (const std::vector<std::string>& extra :
       {std::vector<std::string>{}, std::vector<std::string>{"inode"}}) {
    TempDir dir;
    ASSERT_NO_FATAL_FAILURE(MakePlainRocksDb(dir.path(), extra));  // holds a key
    std::ofstream(dir.Sub("METAKV-CREATING")).flush();
    const Status s = OpenExpectingFailure(SmallOptions(), dir.path());
    EXPECT_TRUE(s.IsInvalidArgument()) << s.ToString();
    EXPECT_TRUE(Contains(s.message(), "not a metakv database")) << s.ToString();
  }
}

TEST(StoreOpenTest, ACompleteCreationLeavesNoMarker) {
  TempDir dir;
  std::unique_ptr<Store> store;
  MKV_ASSERT_OK(Store::Open(SmallOptions(), dir.Sub("db"), &store));
  EXPECT_FALSE(std::filesystem::exists(dir.Sub("db") + "/METAKV-CREATING"));
}

// ---- The domain catalogue ----

class CatalogueTest : public ::testing::Test {
 protected:
  void SetUp() override {
    options_ = SmallOptions();
    std::unique_ptr<Store> store;
    MKV_ASSERT_OK(Store::Open(options_, dir_.path(), &store));
    MKV_ASSERT_OK(store->Put(WriteOptions(), kInode, "t", "k", "inode-v"));
    MKV_ASSERT_OK(store->Put(WriteOptions(), kHistory, "t", "k", "history-v"));
    MKV_ASSERT_OK(store->Close());
  }
  TempDir dir_;
  Options options_;
};

TEST_F(CatalogueTest, UndeclaredDomainIsInvalidArgumentNamingIt) {
  Options options = options_;
  options.domains.pop_back();  // drop "history"
  const Status s = OpenExpectingFailure(options, dir_.path());
  EXPECT_TRUE(s.IsInvalidArgument()) << s.ToString();
  EXPECT_TRUE(Contains(s.message(), "history")) << s.ToString();

  options = options_;
  options.domains.erase(options.domains.begin());  // drop "inode"
  const Status s2 = OpenExpectingFailure(options, dir_.path());
  EXPECT_TRUE(s2.IsInvalidArgument()) << s2.ToString();
  EXPECT_TRUE(Contains(s2.message(), "inode")) << s2.ToString();

  // The failed opens changed nothing.
  std::unique_ptr<Store> store;
  MKV_ASSERT_OK(Store::Open(options_, dir_.path(), &store));
  EXPECT_EQ(GetValue(store.get(), kHistory, "t", "k"), "history-v");
}

TEST_F(CatalogueTest, ChangedTemperatureIsInvalidArgumentNamingTheDomain) {
  Options options = options_;
  options.domains[2].temperature = Temperature::kHot;  // history was cold
  Status s = OpenExpectingFailure(options, dir_.path());
  EXPECT_TRUE(s.IsInvalidArgument()) << s.ToString();
  EXPECT_TRUE(Contains(s.message(), "history")) << s.ToString();

  options = options_;
  options.domains[1].temperature = Temperature::kCold;  // dentry was hot
  s = OpenExpectingFailure(options, dir_.path());
  EXPECT_TRUE(s.IsInvalidArgument()) << s.ToString();
  EXPECT_TRUE(Contains(s.message(), "dentry")) << s.ToString();

  std::unique_ptr<Store> store;
  MKV_ASSERT_OK(Store::Open(options_, dir_.path(), &store));
  EXPECT_EQ(GetValue(store.get(), kInode, "t", "k"), "inode-v");
}

TEST_F(CatalogueTest, NewDomainIsAddedByDefault) {
  Options options = options_;
  options.domains.push_back(Domain("xattr"));
  {
    std::unique_ptr<Store> store;
    MKV_ASSERT_OK(Store::Open(options, dir_.path(), &store));
    EXPECT_EQ(store->DomainNames(),
              (std::vector<std::string>{"inode", "dentry", "history", "xattr"}));
    MKV_ASSERT_OK(store->Put(WriteOptions(), "xattr", "t", "k", "xattr-v"));
    EXPECT_EQ(GetValue(store.get(), kInode, "t", "k"), "inode-v");
    MKV_ASSERT_OK(store->Close());
  }
  {
    std::unique_ptr<Store> store;
    MKV_ASSERT_OK(Store::Open(options, dir_.path(), &store));
    EXPECT_EQ(GetValue(store.get(), "xattr", "t", "k"), "xattr-v");
    EXPECT_EQ(GetValue(store.get(), kHistory, "t", "k"), "history-v");
    MKV_ASSERT_OK(store->Close());
  }
  // Now "xattr" is part of the database: leaving it out fails.
  const Status s = OpenExpectingFailure(options_, dir_.path());
  EXPECT_TRUE(s.IsInvalidArgument()) << s.ToString();
  EXPECT_TRUE(Contains(s.message(), "xattr")) << s.ToString();
}

TEST_F(CatalogueTest, NewDomainWithoutCreateMissingDomainsFails) {
  Options options = options_;
  options.domains.push_back(Domain("xattr"));
  options.create_missing_domains = false;
  const Status s = OpenExpectingFailure(options, dir_.path());
  EXPECT_TRUE(s.IsInvalidArgument()) << s.ToString();
  EXPECT_TRUE(Contains(s.message(), "xattr")) << s.ToString();
  // Nothing was added: the original declaration still opens, and the
  // database still lacks the domain.
  {
    std::unique_ptr<Store> store;
    MKV_ASSERT_OK(Store::Open(options_, dir_.path(), &store));
    EXPECT_EQ(store->DomainNames(), (std::vector<std::string>{"inode", "dentry", "history"}));
    MKV_ASSERT_OK(store->Close());
  }
  OpenExpectingFailure(options, dir_.path()).PermitUncheckedError();
  // Declaring exactly the stored domains works with create_missing_domains off.
  Options exact = options_;
  exact.create_missing_domains = false;
  std::unique_ptr<Store> store;
  MKV_EXPECT_OK(Store::Open(exact, dir_.path(), &store));
}

TEST_F(CatalogueTest, DeclarationOrderMayChange) {
  Options options = options_;
  std::swap(options.domains[0], options.domains[2]);  // history, dentry, inode
  std::unique_ptr<Store> store;
  MKV_ASSERT_OK(Store::Open(options, dir_.path(), &store));
  EXPECT_EQ(store->DomainNames(), (std::vector<std::string>{"history", "dentry", "inode"}));
  EXPECT_EQ(GetValue(store.get(), kInode, "t", "k"), "inode-v");
  EXPECT_EQ(GetValue(store.get(), kHistory, "t", "k"), "history-v");
}

TEST_F(CatalogueTest, BehaviourAndPerformanceOptionsChangeableOnReopen) {
  Options options = options_;
  for (auto& d : options.domains) {
    d.tombstone_retention_seconds = 60;
    d.default_ttl_seconds = d.temperature == Temperature::kCold ? 3600 : 0;
    d.write_buffer_bytes = 128 << 10;
    d.level0_compaction_trigger = 3;
    d.bloom_bits_per_key = 0;
    d.block_bytes = 1024;
    d.compression = Compression::kNone;
  }
  options.memory_budget_bytes = 32 << 20;
  options.max_background_jobs = 1;
  std::unique_ptr<Store> store;
  MKV_ASSERT_OK(Store::Open(options, dir_.path(), &store));
  EXPECT_EQ(GetValue(store.get(), kInode, "t", "k"), "inode-v");
}

// ---- Unknown domains ----

TEST_F(StoreTest, UnknownDomainIsInvalidArgumentInEveryCall) {
  MKV_ASSERT_OK(Put(kInode, "t", "k", "v"));
  for (const std::string domain : {"nope", "default", "INODE", "inode ", ""}) {
    SCOPED_TRACE("domain '" + domain + "'");
    MKV_EXPECT_CODE(kInvalidArgument, Put(domain, "t", "k", "v"));
    std::string value;
    MKV_EXPECT_CODE(kInvalidArgument, store_->Get(ReadOptions(), domain, "t", "k", &value));
    MKV_EXPECT_CODE(kInvalidArgument, Delete(domain, "t", "k"));
    MKV_EXPECT_CODE(kInvalidArgument, Undelete(domain, "t", "k"));
    MKV_EXPECT_CODE(kInvalidArgument, HardDelete(domain, "t", "k"));
    WriteBatch batch;
    batch.Put(domain, "t", "k", "v");
    MKV_EXPECT_CODE(kInvalidArgument, store_->Write(WriteOptions(), batch));
    std::unique_ptr<Iterator> it;
    MKV_EXPECT_CODE(kInvalidArgument, store_->NewIterator(ReadOptions(), domain, ScanSpec(), &it));
    MKV_EXPECT_CODE(kInvalidArgument,
                    store_->NewIterator(ReadOptions(), domain, TenantSpec("t"), &it));

    // MultiGet: either the call fails, or the key's own status does, as Get
    // would; the known key is still answered in the second case.
    std::vector<std::string> values;
    std::vector<Status> statuses;
    const Status s = store_->MultiGet(ReadOptions(), {{kInode, "t", "k"}, {domain, "t", "k"}},
                                      &values, &statuses);
    if (s.ok()) {
      ASSERT_EQ(statuses.size(), 2u);
      ASSERT_EQ(values.size(), 2u);
      EXPECT_TRUE(statuses[0].ok()) << statuses[0].ToString();
      EXPECT_EQ(values[0], "v");
      EXPECT_TRUE(statuses[1].IsInvalidArgument()) << statuses[1].ToString();
    } else {
      EXPECT_TRUE(s.IsInvalidArgument()) << s.ToString();
    }
    if (!domain.empty()) {  // empty means "all domains" for these three
      MKV_EXPECT_CODE(kInvalidArgument, store_->Flush(domain));
      MKV_EXPECT_CODE(kInvalidArgument, store_->CompactRange(domain));
      MKV_EXPECT_CODE(kInvalidArgument,
                      store_->RunMaintenance(MaintenanceOptions::DropPurgeableFilesOnly(domain)));
      MaintenanceOptions pass;
      pass.domain = domain;
      MKV_EXPECT_CODE(kInvalidArgument, store_->RunMaintenance(pass));
    }
    MKV_EXPECT_CODE(kInvalidArgument, store_->CompactRange(domain, "t"));
    // Bulk deletes: the unknown domain alone, or beside a real one (the
    // removal is one unit: nothing of it may apply).
    uint64_t id = 0;
    for (const RemoveMode mode : {RemoveMode::kLogical, RemoveMode::kHard}) {
      MKV_EXPECT_CODE(kInvalidArgument,
                      store_->RemoveTree(WriteOptions(), "t", {{domain, "k"}}, mode, &id));
      MKV_EXPECT_CODE(
          kInvalidArgument,
          store_->RemoveTree(WriteOptions(), "t", {{kInode, "k"}, {domain, "k"}}, mode, &id));
    }
    MKV_EXPECT_CODE(kInvalidArgument, store_->IngestCold(domain, "t", {{"k", "v", 0}}));
    uint64_t bytes = 0;
    MKV_EXPECT_CODE(kInvalidArgument, store_->GetApproximateSize(domain, "", "", &bytes));
    MKV_EXPECT_CODE(kInvalidArgument, store_->GetApproximateSize(domain, "t", "", &bytes));
    MKV_EXPECT_CODE(kInvalidArgument, store_->GetApproximateSize(domain, "t", "k", &bytes));
  }
  // No stray writes or removals landed in the real domains (RestoreTree,
  // RemoveTenant and the purge deadline name no domain).
  EXPECT_EQ(Get(kInode, "t", "k"), "v");
  Stats stats;
  MKV_ASSERT_OK(store_->GetStats(&stats));
  for (const DomainStats& d : stats.domains) {
    EXPECT_EQ(d.tree_removals, 0u) << d.name;
    EXPECT_EQ(d.pending_purges, 0u) << d.name;
    EXPECT_EQ(d.ingested_records, 0u) << d.name;
  }
  EXPECT_TRUE(ScanForward(store_.get(), kHistory, ScanSpec()).empty());
}

// ---- Close ----

TEST_F(StoreTest, CloseIsIdempotentAndLaterCallsFail) {
  MKV_ASSERT_OK(Put(kInode, "t", "k", "v"));
  MKV_ASSERT_OK(Put(kInode, "t", "d", "v"));
  MKV_ASSERT_OK(Delete(kInode, "t", "d"));
  MKV_ASSERT_OK(Put(kInode, "t", "tree/a", "v"));
  uint64_t removal = 0;
  MKV_ASSERT_OK(
      store_->RemoveTree(WriteOptions(), "t", {{kInode, "tree/"}}, RemoveMode::kLogical, &removal));
  MKV_ASSERT_OK(store_->Close());
  MKV_EXPECT_OK(store_->Close());

  EXPECT_FALSE(Put(kInode, "t", "k2", "v").ok());
  std::string value;
  EXPECT_FALSE(store_->Get(ReadOptions(), kInode, "t", "k", &value).ok());
  EXPECT_FALSE(Delete(kInode, "t", "k").ok());
  EXPECT_FALSE(Undelete(kInode, "t", "d").ok());
  EXPECT_FALSE(HardDelete(kInode, "t", "k").ok());
  WriteBatch batch;
  batch.Put(kInode, "t", "k3", "v");
  EXPECT_FALSE(store_->Write(WriteOptions(), batch).ok());
  std::vector<std::string> values;
  std::vector<Status> statuses;
  EXPECT_FALSE(store_->MultiGet(ReadOptions(), {{kInode, "t", "k"}}, &values, &statuses).ok());
  std::unique_ptr<Iterator> it;
  EXPECT_FALSE(store_->NewIterator(ReadOptions(), kInode, ScanSpec(), &it).ok());
  EXPECT_EQ(store_->GetSnapshot(), nullptr);
  EXPECT_FALSE(store_->Flush().ok());
  EXPECT_FALSE(store_->CompactRange().ok());
  Stats stats;
  EXPECT_FALSE(store_->GetStats(&stats).ok());
  // Bulk deletes, ingest, purges and sizes.
  EXPECT_FALSE(store_->RemoveTree(WriteOptions(), "t", {{kInode, "k"}}, RemoveMode::kHard).ok());
  EXPECT_FALSE(store_->RestoreTree(WriteOptions(), removal).ok());
  EXPECT_FALSE(store_->RemoveTenant(WriteOptions(), "t").ok());
  EXPECT_FALSE(store_->IngestCold(kHistory, "t", {{"h", "x", 0}}).ok());
  {
    MaintenanceResult done;
    EXPECT_FALSE(
        store_->RunMaintenance(MaintenanceOptions::DropPurgeableFilesOnly({}), &done).ok());
    EXPECT_EQ(done.purgeable_files_dropped, 0u);  // a closed store does nothing
  }
  {
    MaintenanceResult done;
    EXPECT_FALSE(
        store_->RunMaintenance(MaintenanceOptions::DropPurgeableFilesOnly(kInode), &done).ok());
    EXPECT_EQ(done.purgeable_files_dropped, 0u);  // a closed store does nothing
  }
  {
    MaintenanceResult done;
    EXPECT_FALSE(store_->RunMaintenance(MaintenanceOptions::PurgeDeadlineOnly(0), &done).ok());
    EXPECT_EQ(done.deadline_compactions, 0u);  // a closed store does nothing
  }
  uint64_t bytes = 0;
  EXPECT_FALSE(store_->GetApproximateSize(kInode, "", "", &bytes).ok());
  EXPECT_FALSE(store_->GetApproximateSize(kInode, "t", "", &bytes).ok());
  MKV_EXPECT_OK(store_->Close());

  // None of the failed calls reached the database.
  OpenStore();
  EXPECT_EQ(Get(kInode, "t", "k"), "v");
  EXPECT_EQ(Get(kInode, "t", "k2"), "NOT_FOUND");
  EXPECT_EQ(Get(kInode, "t", "k3"), "NOT_FOUND");
  EXPECT_EQ(Get(kInode, "t", "d"), "NOT_FOUND");
  EXPECT_EQ(Get(kInode, "t", "tree/a"), "NOT_FOUND") << "the tree was restored after Close";
  EXPECT_EQ(Get(kHistory, "t", "h"), "NOT_FOUND") << "ingested after Close";
  MKV_EXPECT_OK(Undelete(kInode, "t", "d"));
  EXPECT_EQ(Get(kInode, "t", "d"), "v");
  // The logical removal is still pending, restorable.
  MKV_EXPECT_OK(store_->RestoreTree(WriteOptions(), removal));
  EXPECT_EQ(Get(kInode, "t", "tree/a"), "v");
}

}  // namespace
}  // namespace metakv::test
