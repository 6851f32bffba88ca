// Direct RocksDB access to a closed metakv database, for tests that damage
// stored records or check what compaction physically kept. Header-only.
#ifndef METAKV_TESTS_ENGINE_RAW_ROCKSDB_H_
#define METAKV_TESTS_ENGINE_RAW_ROCKSDB_H_

#include <rocksdb/db.h>

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

namespace metakv::test {

// A metakv database opened with plain RocksDB, every column family included.
// REQUIRES: the Store at path is closed.
class RawDb {
 public:
  explicit RawDb(const std::string& path, bool read_only = false) {
    std::vector<std::string> names;
    rocksdb::Status s = rocksdb::DB::ListColumnFamilies(rocksdb::DBOptions(), path, &names);
    EXPECT_TRUE(s.ok()) << s.ToString();
    // No compaction in a raw session: RocksDB's defaults would compact a
    // time-ordered domain's level-0 files into lower levels, and metakv's
    // next Open would merge them back into one file, changing the layout
    // the test looks at.
    rocksdb::ColumnFamilyOptions cf_options;
    cf_options.disable_auto_compactions = true;
    std::vector<rocksdb::ColumnFamilyDescriptor> descriptors;
    for (const auto& n : names) descriptors.emplace_back(n, cf_options);
    rocksdb::DB* raw = nullptr;
    s = read_only
            ? rocksdb::DB::OpenForReadOnly(rocksdb::DBOptions(), path, descriptors, &handles_, &raw)
            : rocksdb::DB::Open(rocksdb::DBOptions(), path, descriptors, &handles_, &raw);
    EXPECT_TRUE(s.ok()) << s.ToString();
    db_.reset(raw);
    names_ = names;
  }
  ~RawDb() {
    if (!db_) return;
    for (auto* h : handles_) db_->DestroyColumnFamilyHandle(h).PermitUncheckedError();
    db_->Close().PermitUncheckedError();
  }
  bool ok() const { return db_ != nullptr; }
  // Every column family's name.
  const std::vector<std::string>& Names() const { return names_; }

  rocksdb::ColumnFamilyHandle* Cf(const std::string& name) {
    for (size_t i = 0; i < names_.size(); ++i) {
      if (names_[i] == name) return handles_[i];
    }
    ADD_FAILURE() << "no column family " << name;
    return nullptr;
  }
  std::string Get(const std::string& cf, const std::string& key) {
    std::string value;
    rocksdb::Status s = db_->Get(rocksdb::ReadOptions(), Cf(cf), key, &value);
    if (s.IsNotFound()) return "NOT_FOUND";
    EXPECT_TRUE(s.ok()) << s.ToString();
    return value;
  }
  void Put(const std::string& cf, const std::string& key, const std::string& value) {
    rocksdb::WriteOptions wo;
    wo.sync = true;
    rocksdb::Status s = db_->Put(wo, Cf(cf), key, value);
    EXPECT_TRUE(s.ok()) << s.ToString();
  }
  void Delete(const std::string& cf, const std::string& key) {
    rocksdb::WriteOptions wo;
    wo.sync = true;
    rocksdb::Status s = db_->Delete(wo, Cf(cf), key);
    EXPECT_TRUE(s.ok()) << s.ToString();
  }
  // The keys physically present (newest version a value) in a column family.
  std::vector<std::string> Keys(const std::string& cf) {
    std::vector<std::string> out;
    std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions(), Cf(cf)));
    for (it->SeekToFirst(); it->Valid(); it->Next()) out.push_back(it->key().ToString());
    EXPECT_TRUE(it->status().ok()) << it->status().ToString();
    return out;
  }

 private:
  std::unique_ptr<rocksdb::DB> db_;
  std::vector<std::string> names_;
  std::vector<rocksdb::ColumnFamilyHandle*> handles_;
};

}  // namespace metakv::test

#endif  // METAKV_TESTS_ENGINE_RAW_ROCKSDB_H_
