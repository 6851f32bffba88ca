// Per-domain compression as declared: the upper levels' codec for flushed
// files, the bottommost codec (and zstd dictionary) for the last level.
#include <gtest/gtest.h>
#include <rocksdb/db.h>
#include <rocksdb/metadata.h>
#include <rocksdb/table_properties.h>

#include <map>
#include <set>

#include "engine/store_impl.h"
#include "metakv/store.h"
#include "tests/testutil.h"

namespace metakv {
namespace {

TEST(StoreCompressionTest, UpperLevelsSnappyBottommostZstdWithDictionary) {
  test::TempDir dir;
  Options options = test::SmallOptions();
  options.maintenance_interval_seconds = 0;
  for (auto& d : options.domains) {
    d.compression = Compression::kSnappy;
    d.bottommost_compression = Compression::kZstd;
    d.zstd_dictionary_bytes = 4096;
  }
  std::unique_ptr<Store> store;
  ASSERT_TRUE(Store::Open(options, dir.path(), &store).ok());
  for (int i = 0; i < 3000; ++i) {
    ASSERT_TRUE(store
                    ->Put(WriteOptions(), "inode", "t" + std::to_string(i % 5),
                          "ino" + std::to_string(i), "mode=0644 uid=1000 size=" + std::to_string(i))
                    .ok());
  }
  ASSERT_TRUE(store->Flush("inode").ok());
  rocksdb::DB* db = ImplOf(store)->TEST_db();
  rocksdb::ColumnFamilyHandle* cf = ImplOf(store)->TEST_cf("inode");

  auto codecs_by_level = [&] {
    rocksdb::TablePropertiesCollection props;
    EXPECT_TRUE(db->GetPropertiesOfAllTables(cf, &props).ok());
    rocksdb::ColumnFamilyMetaData meta;
    db->GetColumnFamilyMetaData(cf, &meta);
    std::map<int, std::set<std::string>> out;
    std::map<int, std::set<std::string>> options_by_level;
    for (const auto& level : meta.levels) {
      for (const auto& f : level.files) {
        auto it = props.find(f.db_path + f.name);
        EXPECT_NE(it, props.end());
        if (it == props.end()) continue;
        out[level.level].insert(it->second->compression_name);
        options_by_level[level.level].insert(it->second->compression_options);
      }
    }
    return std::make_pair(out, options_by_level);
  };
  // Flushed files are written with the upper levels' codec.
  auto [flushed, flushed_options] = codecs_by_level();
  ASSERT_FALSE(flushed[0].empty());
  EXPECT_EQ(flushed[0], std::set<std::string>{"Snappy"});

  // After a full compaction the data sits in the bottommost level, zstd
  // with a dictionary.
  ASSERT_TRUE(store->CompactRange("inode").ok());
  auto [compacted, compacted_options] = codecs_by_level();
  ASSERT_EQ(compacted.size(), 1u) << "one level after a full compaction";
  EXPECT_EQ(compacted.begin()->second, std::set<std::string>{"ZSTD"});
  for (const std::string& o : compacted_options.begin()->second) {
    EXPECT_NE(o.find("max_dict_bytes=4096"), std::string::npos) << o;
  }
  std::string value;
  ASSERT_TRUE(store->Get(ReadOptions(), "inode", "t2", "ino2", &value).ok());
  EXPECT_EQ(value, "mode=0644 uid=1000 size=2");
}

TEST(StoreCompressionTest, UnsupportedOrBadSettingsAreInvalidArgument) {
  test::TempDir dir;
  Options options = test::SmallOptions();
  options.domains[0].zstd_dictionary_bytes = 1u << 30;
  std::unique_ptr<Store> store;
  Status s = Store::Open(options, dir.path(), &store);
  EXPECT_TRUE(s.IsInvalidArgument()) << s.ToString();
  EXPECT_NE(s.message().find("zstd_dictionary_bytes"), std::string::npos) << s.ToString();
}

}  // namespace
}  // namespace metakv
