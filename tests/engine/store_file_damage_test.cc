// Damaged database files (as opposed to damaged records, store_corruption_
// test.cc): a corrupted or truncated SST file, a truncated or damaged WAL, a
// damaged or missing MANIFEST, a missing SST file, a missing CURRENT file.
// Store::Open (or the first read) gives an error naming the problem;
// Options::wal_recovery_mode chooses how a damaged WAL is replayed; and
// RepairStore rebuilds a store whose MANIFEST is damaged or whose files are
// missing, keeping the data of the undamaged files.
#include <gtest/gtest.h>
#include <rocksdb/db.h>
#include <rocksdb/metadata.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "engine/store_impl.h"
#include "metakv/repair.h"
#include "metakv/store.h"
#include "tests/engine/store_fixture.h"

namespace metakv::test {
namespace {

namespace fs = std::filesystem;

std::string Key(int i) { return "k" + std::to_string(1000 + i); }
std::string Val(int i) { return "value-" + std::to_string(i) + std::string(100, 'v'); }

bool Contains(const Status& s, const std::string& what) {
  return s.ToString().find(what) != std::string::npos;
}

void FlipByte(const std::string& file, uint64_t offset) {
  std::fstream f(file, std::ios::in | std::ios::out | std::ios::binary);
  ASSERT_TRUE(f.good()) << file;
  f.seekg(static_cast<std::streamoff>(offset));
  char c = 0;
  f.get(c);
  c = static_cast<char>(c ^ 0x5a);
  f.seekp(static_cast<std::streamoff>(offset));
  f.put(c);
  ASSERT_TRUE(f.good()) << file;
}

uint64_t FileSize(const std::string& file) { return fs::file_size(file); }

class FileDamageTest : public StoreTest {
 protected:
  void SetUp() override {
    StoreTest::SetUp();
    MKV_ASSERT_OK(store_->Close());
    store_.reset();
    options_.maintenance_interval_seconds = 0;
    options_.flush_controller_interval_seconds = 0;
    OpenStore();
  }

  // The live SST files of a domain, as paths.
  std::vector<std::string> SstFiles(const std::string& domain) {
    std::vector<rocksdb::LiveFileMetaData> files;
    ImplOf(store_)->TEST_db()->GetLiveFilesMetaData(&files);
    std::vector<std::string> out;
    for (const auto& f : files) {
      if (f.column_family_name == domain) out.push_back(f.db_path + f.name);
    }
    return out;
  }
  std::vector<std::string> FilesEndingIn(const std::string& suffix) {
    std::vector<std::string> out;
    for (const auto& e : fs::directory_iterator(dir_.path())) {
      const std::string name = e.path().filename().string();
      if (name.size() >= suffix.size() &&
          name.compare(name.size() - suffix.size(), suffix.size(), suffix) == 0) {
        out.push_back(e.path().string());
      }
    }
    std::sort(out.begin(), out.end());
    return out;
  }
  std::vector<std::string> Manifests() {
    std::vector<std::string> out;
    for (const auto& e : fs::directory_iterator(dir_.path())) {
      if (e.path().filename().string().rfind("MANIFEST-", 0) == 0) out.push_back(e.path());
    }
    return out;
  }
  // A copy of the open store's directory, as a machine crash would leave it
  // after synced writes: the WAL holds the records written since the last
  // flush (Close would flush them). Later opens use the copy.
  void CrashImage() {
    MKV_ASSERT_OK(store_->WaitForBackgroundWork());
    for (const auto& e : fs::directory_iterator(dir_.path())) {
      if (e.path().filename() == "LOCK") continue;
      fs::copy(e.path(), crash_.Sub(e.path().filename().string()), fs::copy_options::recursive);
    }
    CloseStore();
    path_ = crash_.path();
  }
  void CloseStore() {
    MKV_ASSERT_OK(store_->Close());
    store_.reset();
  }
  std::vector<std::string> SstFilesOnDisk() { return FilesEndingIn(".sst"); }
  Status TryOpen() {
    store_.reset();
    return Store::Open(options_, path_, &store_);
  }
  void OpenAt() {
    const Status s = TryOpen();
    ASSERT_TRUE(s.ok()) << s.ToString();
  }
  std::vector<std::string> Wals() {
    std::vector<std::string> out;
    for (const auto& e : fs::directory_iterator(path_)) {
      if (e.path().extension() == ".log" && e.file_size() > 0) out.push_back(e.path());
    }
    std::sort(out.begin(), out.end());
    return out;
  }
  TempDir crash_;
  std::string path_ = dir_.path();

  // inode: keys 0-39 in one flushed, compacted file, 10 of them logically
  // deleted; dentry: keys 0-19 in a file of its own; inode keys 100-119
  // in the WAL only.
  void Fill() {
    for (int i = 0; i < 40; ++i) MKV_ASSERT_OK(store_->Put(Synced(), kInode, "t", Key(i), Val(i)));
    for (int i = 0; i < 10; ++i) MKV_ASSERT_OK(store_->Delete(Synced(), kInode, "t", Key(i)));
    for (int i = 0; i < 20; ++i) {
      MKV_ASSERT_OK(store_->Put(Synced(), kDentry, "t", Key(i), Val(i)));
    }
    MKV_ASSERT_OK(store_->Flush());
    MKV_ASSERT_OK(store_->CompactRange());
    for (int i = 100; i < 120; ++i) {
      MKV_ASSERT_OK(store_->Put(Synced(), kInode, "t", Key(i), Val(i)));
    }
  }
  void ExpectInodeFile() {
    for (int i = 0; i < 10; ++i) EXPECT_EQ(Get(kInode, "t", Key(i)), "NOT_FOUND") << i;
    for (int i = 10; i < 40; ++i) EXPECT_EQ(Get(kInode, "t", Key(i)), Val(i)) << i;
  }
  void ExpectDentry() {
    for (int i = 0; i < 20; ++i) EXPECT_EQ(Get(kDentry, "t", Key(i)), Val(i)) << i;
  }
  // Fill(), then closes the store and returns the path of the domain's one
  // SST file (empty, with a failure, if it has another number of files).
  std::string FillAndCloseOneFile(const std::string& domain) {
    Fill();
    const auto files = SstFiles(domain);
    EXPECT_EQ(files.size(), 1u) << domain;
    CloseStore();
    return files.size() == 1 ? files[0] : std::string();
  }
  // Whether RepairStore set the file aside in lost/.
  bool SetAside(const std::string& file) {
    return !fs::exists(file) && fs::exists(dir_.Sub("lost/" + fs::path(file).filename().string()));
  }
  void ExpectWal(int from = 100, int to = 120) {
    for (int i = from; i < to; ++i) EXPECT_EQ(Get(kInode, "t", Key(i)), Val(i)) << i;
  }
};

// ----------------------------------------------------------- SST files ----

TEST_F(FileDamageTest, CorruptedSstBlockIsCorruptionNamingTheFileOtherFilesRead) {
  const std::string file = FillAndCloseOneFile(kInode);
  ASSERT_FALSE(file.empty());
  FlipByte(file, 20);  // inside the first data block
  OpenStore();         // Open reads only the footer, index and filter
  std::string value;
  const Status s = store_->Get(ReadOptions(), kInode, "t", Key(10), &value);
  EXPECT_TRUE(s.IsCorruption()) << s.ToString();
  EXPECT_TRUE(Contains(s, fs::path(file).filename().string())) << s.ToString();
  EXPECT_TRUE(Contains(s, "checksum mismatch")) << s.ToString();
  // A scan stops with the same error, never shows damaged data.
  Status scan;
  {
    std::unique_ptr<Iterator> it;
    MKV_ASSERT_OK(store_->NewIterator(ReadOptions(), kInode, TenantSpec("t"), &it));
    it->SeekToFirst();
    EXPECT_FALSE(it->Valid());
    EXPECT_TRUE(it->status().IsCorruption()) << it->status().ToString();
  }
  ExpectDentry();
  ExpectWal();
}

// RepairStore after a corrupted block: RocksDB's repair reads every entry of
// every SST file, and sets a file with an unreadable block aside whole (to
// lost/). The other files and the WAL are kept, and the store reads cleanly
// again: the damaged file's records are gone, not an error on every read.
TEST_F(FileDamageTest, CorruptedSstRepairSetsTheFileAsideKeepsTheRest) {
  const std::string file = FillAndCloseOneFile(kInode);
  ASSERT_FALSE(file.empty());
  FlipByte(file, 20);
  MKV_ASSERT_OK(RepairStore(options_, dir_.path()));
  EXPECT_TRUE(SetAside(file));
  OpenStore();
  for (int i = 0; i < 40; ++i) EXPECT_EQ(Get(kInode, "t", Key(i)), "NOT_FOUND") << i;
  ExpectDentry();
  ExpectWal();
  std::vector<std::string> keys;
  std::unique_ptr<Iterator> it;
  MKV_ASSERT_OK(store_->NewIterator(ReadOptions(), kInode, TenantSpec("t"), &it));
  for (it->SeekToFirst(); it->Valid(); it->Next()) keys.emplace_back(it->key());
  MKV_ASSERT_OK(it->status());
  ASSERT_EQ(keys.size(), 20u);
  EXPECT_EQ(keys.front(), Key(100));
  it.reset();
  Reopen();
  ExpectDentry();
  ExpectWal();
}

// The same for a file cut short: Open refuses the store, the repair sets
// the file aside and keeps everything else.
TEST_F(FileDamageTest, TruncatedSstRepairSetsTheFileAsideKeepsTheRest) {
  const std::string file = FillAndCloseOneFile(kDentry);
  ASSERT_FALSE(file.empty());
  fs::resize_file(file, FileSize(file) / 2);
  ASSERT_FALSE(TryOpen().ok());
  MKV_ASSERT_OK(RepairStore(options_, dir_.path()));
  EXPECT_TRUE(SetAside(file));
  OpenStore();
  ExpectInodeFile();
  ExpectWal();
  for (int i = 0; i < 20; ++i) EXPECT_EQ(Get(kDentry, "t", Key(i)), "NOT_FOUND") << i;
}

TEST_F(FileDamageTest, TruncatedSstFileFailsOpenNamingTheFile) {
  const std::string file = FillAndCloseOneFile(kDentry);
  ASSERT_FALSE(file.empty());
  fs::resize_file(file, FileSize(file) / 2);
  const Status s = TryOpen();
  EXPECT_TRUE(s.IsCorruption()) << s.ToString();
  EXPECT_TRUE(Contains(s, fs::path(file).filename().string())) << s.ToString();
  EXPECT_EQ(store_, nullptr);
}

TEST_F(FileDamageTest, MissingSstFileFailsOpenNamingItRepairKeepsTheRest) {
  const std::string file = FillAndCloseOneFile(kDentry);
  ASSERT_FALSE(file.empty());
  fs::remove(file);
  const Status s = TryOpen();
  EXPECT_FALSE(s.ok());
  EXPECT_TRUE(s.IsCorruption()) << s.ToString();
  // RocksDB names the file by number (and tries the legacy .ldb name too).
  EXPECT_TRUE(Contains(s, fs::path(file).stem().string())) << s.ToString();
  EXPECT_TRUE(Contains(s, "No such file")) << s.ToString();
  EXPECT_TRUE(Contains(s, "RepairStore")) << s.ToString();

  MKV_ASSERT_OK(RepairStore(options_, dir_.path()));
  OpenStore();
  ExpectInodeFile();
  ExpectWal();
  for (int i = 0; i < 20; ++i) EXPECT_EQ(Get(kDentry, "t", Key(i)), "NOT_FOUND") << i;
  // Writable and reopenable after the repair.
  MKV_ASSERT_OK(store_->Put(Synced(), kDentry, "t", Key(0), Val(0)));
  Reopen();
  EXPECT_EQ(Get(kDentry, "t", Key(0)), Val(0));
  ExpectInodeFile();
}

// ---------------------------------------------------------------- WAL ----

TEST_F(FileDamageTest, TruncatedWalTailIsDroppedByDefaultRefusedInAbsoluteConsistency) {
  Fill();
  CrashImage();
  const auto logs = Wals();
  ASSERT_FALSE(logs.empty());
  const std::string wal = logs.back();
  fs::resize_file(wal, FileSize(wal) - 10);  // the last record cut short

  options_.wal_recovery_mode = WalRecoveryMode::kAbsoluteConsistency;
  Status s = TryOpen();
  EXPECT_TRUE(s.IsCorruption()) << s.ToString();
  EXPECT_TRUE(Contains(s, "WAL")) << s.ToString();
  EXPECT_TRUE(Contains(s, "wal_recovery_mode")) << s.ToString();

  options_.wal_recovery_mode = WalRecoveryMode::kTolerateCorruptedTailRecords;
  OpenAt();
  ExpectInodeFile();
  ExpectDentry();
  ExpectWal(100, 119);  // all but the record cut short
  EXPECT_EQ(Get(kInode, "t", Key(119)), "NOT_FOUND");
}

TEST_F(FileDamageTest, DamageInsideTheWalFailsOpenByDefaultPointInTimeOpens) {
  Fill();
  CrashImage();
  const auto logs = Wals();
  ASSERT_FALSE(logs.empty());
  const std::string wal = logs.back();
  const uint64_t size = FileSize(wal);
  ASSERT_GT(size, 2000u);
  FlipByte(wal, size / 2);  // a record in the middle

  // Default: damage that is not a crash's cut-short tail fails Open.
  Status s = TryOpen();
  EXPECT_TRUE(s.IsCorruption()) << s.ToString();
  EXPECT_TRUE(Contains(s, "WAL")) << s.ToString();
  EXPECT_EQ(store_, nullptr);

  // Point in time: the records before the damage.
  options_.wal_recovery_mode = WalRecoveryMode::kPointInTime;
  OpenAt();
  ExpectInodeFile();
  ExpectDentry();
  int present = 0;
  for (int i = 100; i < 120; ++i) {
    const std::string got = Get(kInode, "t", Key(i));
    if (got == Val(i)) {
      ++present;
      EXPECT_EQ(present, i - 99) << "a record after the damage was replayed: " << i;
    } else {
      EXPECT_EQ(got, "NOT_FOUND") << i;
    }
  }
  EXPECT_GT(present, 0);
  EXPECT_LT(present, 20);
}

TEST_F(FileDamageTest, SkipAnyCorruptedRecordsKeepsRecordsAfterTheDamage) {
  Fill();
  // 40 KiB more: the WAL spans two of its 32 KiB blocks. A damaged record
  // costs the rest of its block; the next block is read again.
  const std::string big(2048, 'b');
  for (int i = 200; i < 220; ++i) {
    MKV_ASSERT_OK(store_->Put(Synced(), kInode, "t", Key(i), big + std::to_string(i)));
  }
  CrashImage();
  const auto logs = Wals();
  ASSERT_FALSE(logs.empty());
  const std::string wal = logs.back();
  ASSERT_GT(FileSize(wal), 40000u);
  FlipByte(wal, 100);  // the first record of the first block
  EXPECT_TRUE(TryOpen().IsCorruption());
  options_.wal_recovery_mode = WalRecoveryMode::kSkipAnyCorruptedRecords;
  OpenAt();
  ExpectInodeFile();
  ExpectDentry();
  EXPECT_EQ(Get(kInode, "t", Key(100)), "NOT_FOUND");  // in the damaged block
  EXPECT_EQ(Get(kInode, "t", Key(219)), big + "219");  // after it
}

// ----------------------------------------------------------- MANIFEST ----

TEST_F(FileDamageTest, DamagedManifestFailsOpenNamingItRepairRestoresEverything) {
  Fill();
  CloseStore();
  const auto manifests = Manifests();
  ASSERT_EQ(manifests.size(), 1u);
  // Inside its first record (after the 7-byte record header): never a
  // torn tail, always checksummed.
  FlipByte(manifests[0], 10);
  const Status s = TryOpen();
  EXPECT_TRUE(s.IsCorruption()) << s.ToString();
  EXPECT_TRUE(Contains(s, "MANIFEST")) << s.ToString();
  EXPECT_TRUE(Contains(s, "RepairStore")) << s.ToString();
  EXPECT_EQ(store_, nullptr);

  MKV_ASSERT_OK(RepairStore(options_, dir_.path()));
  OpenStore();
  ExpectInodeFile();
  ExpectDentry();
  ExpectWal();
  // Logical deletes survive the repair: still restorable, still invisible.
  MKV_ASSERT_OK(Undelete(kInode, "t", Key(0)));
  EXPECT_EQ(Get(kInode, "t", Key(0)), Val(0));
  Reopen();
  EXPECT_EQ(Get(kInode, "t", Key(0)), Val(0));
  for (int i = 1; i < 10; ++i) EXPECT_EQ(Get(kInode, "t", Key(i)), "NOT_FOUND") << i;
}

TEST_F(FileDamageTest, MissingManifestFailsOpenRepairRestoresEverything) {
  Fill();
  CloseStore();
  for (const auto& m : Manifests()) fs::remove(m);
  const Status s = TryOpen();
  EXPECT_FALSE(s.ok());
  EXPECT_TRUE(Contains(s, "MANIFEST")) << s.ToString();
  MKV_ASSERT_OK(RepairStore(options_, dir_.path()));
  OpenStore();
  ExpectInodeFile();
  ExpectDentry();
  ExpectWal();
}

// Regression: RocksDB's repair rebuilt only the column families it found
// files of, so a domain that held nothing came out without one, and a
// read-only open refused the repaired store ("has no column family yet").
TEST_F(FileDamageTest, RepairKeepsADomainThatHeldNothing) {
  MKV_ASSERT_OK(Put(kInode, "t", "k", "v"));
  CloseStore();
  MKV_ASSERT_OK(RepairStore(options_, dir_.path()));
  Options ro = options_;
  ro.read_only = true;
  ro.create_if_missing = false;
  std::unique_ptr<Store> reader;
  MKV_ASSERT_OK(Store::Open(ro, dir_.path(), &reader));
  std::string value;
  MKV_EXPECT_OK(reader->Get(ReadOptions(), kInode, "t", "k", &value));
  EXPECT_EQ(value, "v");
  std::vector<Entry> none = ScanForward(reader.get(), kHistory, ScanSpec());
  EXPECT_TRUE(none.empty());
  MKV_EXPECT_OK(reader->Close());
}

// Regression: without CURRENT, Open took the directory for an empty one:
// with create_if_missing it wrote its creation marker into the damaged store
// and asked RocksDB to create a new database over the old files (refused
// only because a WAL file was there, with "While creating a new Db, wal_dir
// contains existing log file"); without, it said "no database here".
TEST_F(FileDamageTest, MissingCurrentIsCorruptionNotANewStore) {
  Fill();
  CloseStore();
  fs::remove(dir_.Sub("CURRENT"));
  ASSERT_TRUE(options_.create_if_missing);
  const Status s = TryOpen();
  EXPECT_TRUE(s.IsCorruption()) << s.ToString();
  EXPECT_TRUE(Contains(s, "CURRENT")) << s.ToString();
  EXPECT_TRUE(Contains(s, "RepairStore")) << s.ToString();
  EXPECT_EQ(store_, nullptr);
  EXPECT_FALSE(SstFilesOnDisk().empty()) << "the old files were deleted";

  MKV_ASSERT_OK(RepairStore(options_, dir_.path()));
  OpenStore();
  ExpectInodeFile();
  ExpectDentry();
  ExpectWal();
}

TEST_F(FileDamageTest, UnknownWalRecoveryModeIsInvalidArgument) {
  CloseStore();
  options_.wal_recovery_mode = static_cast<WalRecoveryMode>(9);
  const Status s = TryOpen();
  EXPECT_TRUE(s.IsInvalidArgument()) << s.ToString();
  EXPECT_TRUE(Contains(s, "wal_recovery_mode")) << s.ToString();
  EXPECT_TRUE(RepairStore(options_, dir_.path()).IsInvalidArgument());
}

TEST_F(FileDamageTest, RepairStoreArguments) {
  Fill();
  // The store is open: the lock is held.
  Status s = RepairStore(options_, dir_.path());
  EXPECT_TRUE(s.IsIOError()) << s.ToString();
  CloseStore();
  Options bad = options_;
  bad.domains.clear();
  EXPECT_TRUE(RepairStore(bad, dir_.path()).IsInvalidArgument());
  EXPECT_TRUE(RepairStore(options_, dir_.Sub("missing")).IsInvalidArgument());
  // An undamaged store repairs to itself.
  MKV_ASSERT_OK(RepairStore(options_, dir_.path()));
  OpenStore();
  ExpectInodeFile();
  ExpectDentry();
  ExpectWal();
}

// Regression: RocksDB's repair drops the WAL records of a column family
// it knows no SST file of, so the writes of a never-flushed domain were
// lost by RepairStore on a store that opened fine.
TEST_F(FileDamageTest, RepairKeepsTheWalRecordsOfADomainNeverFlushed) {
  MKV_ASSERT_OK(store_->Put(Synced(), kInode, "t", Key(1), Val(1)));
  MKV_ASSERT_OK(store_->Flush(kInode));
  MKV_ASSERT_OK(store_->Put(Synced(), kInode, "t", Key(2), Val(2)));
  MKV_ASSERT_OK(store_->Put(Synced(), kDentry, "t", Key(3), Val(3)));  // no dentry SST
  CloseStore();
  MKV_ASSERT_OK(RepairStore(options_, dir_.path()));
  OpenStore();
  EXPECT_EQ(Get(kInode, "t", Key(1)), Val(1));
  EXPECT_EQ(Get(kInode, "t", Key(2)), Val(2));
  EXPECT_EQ(Get(kDentry, "t", Key(3)), Val(3));
}

}  // namespace
}  // namespace metakv::test
