// Damaged records: values altered, truncated or moved to another key behind
// metakv's back (through plain RocksDB) must surface as Corruption from Get,
// MultiGet, iterators, Delete and Undelete, never as data or NotFound.
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "codecs/key_codec.h"
#include "engine/catalogue.h"
#include "metakv/store.h"
#include "tests/engine/raw_rocksdb.h"
#include "tests/engine/store_fixture.h"

namespace metakv::test {
namespace {

class CorruptionTest : public StoreTest {
 protected:
  // Closes the store, lets f edit the database with plain RocksDB, reopens.
  template <typename F>
  void EditRaw(F f) {
    MKV_ASSERT_OK(store_->Close());
    store_.reset();
    {
      RawDb raw(dir_.path());
      ASSERT_TRUE(raw.ok());
      f(raw);
    }
    OpenStore();
  }
};

TEST_F(CorruptionTest, DamagedValueIsCorruptionEverywhere) {
  MKV_ASSERT_OK(Put(kInode, "t", "a", "before"));
  MKV_ASSERT_OK(Put(kInode, "t", "bad-key", "the value"));
  MKV_ASSERT_OK(Put(kInode, "t", "c", "after"));
  const std::string encoded = codecs::EncodeKey("t", "bad-key");
  EditRaw([&](RawDb& raw) {
    std::string v = raw.Get(kInode, encoded);
    ASSERT_GT(v.size(), 8u);
    v[v.size() - 6] ^= 0x20;  // one payload bit
    raw.Put(kInode, encoded, v);
  });

  std::string value;
  Status s = store_->Get(ReadOptions(), kInode, "t", "bad-key", &value);
  EXPECT_TRUE(s.IsCorruption()) << s.ToString();
  EXPECT_NE(s.message().find("bad-key"), std::string::npos)
      << "the report should name the key: " << s.ToString();
  EXPECT_EQ(Get(kInode, "t", "a"), "before");  // neighbours unaffected

  std::vector<std::string> values;
  std::vector<Status> statuses;
  MKV_ASSERT_OK(store_->MultiGet(ReadOptions(),
                                 {{kInode, "t", "a"}, {kInode, "t", "bad-key"}, {kInode, "t", "c"}},
                                 &values, &statuses));
  ASSERT_EQ(statuses.size(), 3u);
  EXPECT_TRUE(statuses[0].ok());
  EXPECT_TRUE(statuses[1].IsCorruption()) << statuses[1].ToString();
  EXPECT_TRUE(statuses[2].ok());
  EXPECT_EQ(values[2], "after");

  // Forward scan: the record before is shown, then the iterator stops with
  // Corruption rather than skipping the damaged record.
  std::unique_ptr<Iterator> it;
  MKV_ASSERT_OK(store_->NewIterator(ReadOptions(), kInode, TenantSpec("t"), &it));
  it->SeekToFirst();
  ASSERT_TRUE(it->Valid());
  EXPECT_EQ(it->key(), "a");
  it->Next();
  EXPECT_FALSE(it->Valid());
  EXPECT_TRUE(it->status().IsCorruption()) << it->status().ToString();
  // Reverse as well.
  it->SeekToLast();
  ASSERT_TRUE(it->Valid());
  EXPECT_EQ(it->key(), "c");
  it->Prev();
  EXPECT_FALSE(it->Valid());
  EXPECT_TRUE(it->status().IsCorruption()) << it->status().ToString();
  it.reset();

  // Read-modify-writes cannot proceed over a damaged record.
  MKV_EXPECT_CODE(kCorruption, Delete(kInode, "t", "bad-key"));
  MKV_EXPECT_CODE(kCorruption, Undelete(kInode, "t", "bad-key"));
  WriteBatch batch;
  batch.Put(kInode, "t", "a", "batch");
  batch.Delete(kInode, "t", "bad-key");
  MKV_EXPECT_CODE(kCorruption, store_->Write(WriteOptions(), batch));
  EXPECT_EQ(Get(kInode, "t", "a"), "before");  // the batch applied nothing

  // HardDelete removes it; a Put replaces it.
  MKV_EXPECT_OK(HardDelete(kInode, "t", "bad-key"));
  EXPECT_EQ(Get(kInode, "t", "bad-key"), "NOT_FOUND");
  MKV_EXPECT_OK(Put(kInode, "t", "bad-key", "fresh"));
  EXPECT_EQ(Get(kInode, "t", "bad-key"), "fresh");
}

// (The checksum is seeded with the encoded key only, so the same encoded key
// in another domain is not caught: record_codec.h promises no more.)
TEST_F(CorruptionTest, ValueMovedToAnotherKeyIsCorruption) {
  MKV_ASSERT_OK(Put(kDentry, "t", "source", "payload"));
  MKV_ASSERT_OK(Put(kDentry, "t2", "other", "x"));
  MKV_ASSERT_OK(Delete(kDentry, "t2", "other"));
  EditRaw([&](RawDb& raw) {
    const std::string v = raw.Get(kDentry, codecs::EncodeKey("t", "source"));
    raw.Put(kDentry, codecs::EncodeKey("t", "copy"), v);    // same tenant
    raw.Put(kDentry, codecs::EncodeKey("u", "source"), v);  // same key, other tenant
    // A tombstone moved under a key that had none.
    raw.Put(kDentry, codecs::EncodeKey("t2", "moved"),
            raw.Get(kDentry, codecs::EncodeKey("t2", "other")));
  });
  std::string value;
  MKV_EXPECT_CODE(kCorruption, store_->Get(ReadOptions(), kDentry, "t", "copy", &value));
  MKV_EXPECT_CODE(kCorruption, store_->Get(ReadOptions(), kDentry, "u", "source", &value));
  MKV_EXPECT_CODE(kCorruption, store_->Get(ReadOptions(), kDentry, "t2", "moved", &value));
  MKV_EXPECT_CODE(kCorruption, Undelete(kDentry, "t2", "moved"));
  EXPECT_EQ(Get(kDentry, "t", "source"), "payload");
}

TEST_F(CorruptionTest, GarbageValuesAreCorruption) {
  EditRaw([&](RawDb& raw) {
    raw.Put(kInode, codecs::EncodeKey("t", "empty"), "");
    raw.Put(kInode, codecs::EncodeKey("t", "short"), "x");
    raw.Put(kInode, codecs::EncodeKey("t", "version"),
            std::string("\x09\x00\x05v\x00\x00\x00\x00", 8));
  });
  for (const std::string key : {"empty", "short", "version"}) {
    std::string value;
    MKV_EXPECT_CODE(kCorruption, store_->Get(ReadOptions(), kInode, "t", key, &value));
  }
  std::unique_ptr<Iterator> it;
  MKV_ASSERT_OK(store_->NewIterator(ReadOptions(), kInode, ScanSpec(), &it));
  it->SeekToFirst();
  EXPECT_FALSE(it->Valid());
  EXPECT_TRUE(it->status().IsCorruption()) << it->status().ToString();
}

TEST_F(CorruptionTest, MalformedStoredKeyIsCorruptionInScans) {
  MKV_ASSERT_OK(Put(kInode, "t", "a", "1"));
  EditRaw([&](RawDb& raw) {
    // A key with no tenant terminator, sorted after every real key.
    raw.Put(kInode, std::string("\xff\xff unterminated"), "junk");
  });
  std::unique_ptr<Iterator> it;
  MKV_ASSERT_OK(store_->NewIterator(ReadOptions(), kInode, ScanSpec(), &it));
  it->SeekToFirst();
  ASSERT_TRUE(it->Valid());
  EXPECT_EQ(it->key(), "a");
  it->Next();
  EXPECT_FALSE(it->Valid());
  EXPECT_TRUE(it->status().IsCorruption()) << it->status().ToString();
  // A tenant scan does not reach it.
  EXPECT_EQ(ScanForward(store_.get(), kInode, TenantSpec("t")),
            (std::vector<Entry>{{"t", "a", "1"}}));
}

TEST_F(CorruptionTest, DamagedCatalogueFailsOpen) {
  MKV_ASSERT_OK(store_->Close());
  store_.reset();
  {
    RawDb raw(dir_.path());
    ASSERT_TRUE(raw.ok());
    const std::string key(kCatalogueKey);  // engine/catalogue.h
    std::string v = raw.Get("default", key);
    ASSERT_NE(v, "NOT_FOUND");
    ASSERT_FALSE(v.empty());
    v[v.size() / 2] ^= 0x01;
    raw.Put("default", key, v);
  }
  std::unique_ptr<Store> store;
  const Status s = Store::Open(options_, dir_.path(), &store);
  EXPECT_FALSE(s.ok());
  EXPECT_EQ(store, nullptr);
}

}  // namespace
}  // namespace metakv::test
