// metakv-ctl in every mode: on a closed store (every command, the writing
// ones included), read-only, and as a secondary beside a live writer, in
// this process and from another one (the binary); its usage errors, exit
// statuses and progress line.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <atomic>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "common/json_reader.h"
#include "metakv/filesystem.h"
#include "metakv/store.h"
#include "tests/small_options.h"
#include "tests/testutil.h"
#include "tools/ctl/ctl.h"

namespace metakv::tools::ctl {
namespace {

namespace fs = std::filesystem;

#define ASSERT_MKV_OK(expr)                                   \
  do {                                                        \
    const ::metakv::Status s_ = (expr);                       \
    ASSERT_TRUE(s_.ok()) << #expr << " -> " << s_.ToString(); \
  } while (0)

struct RunResult {
  int code = -1;
  std::string out;
  std::string err;
};

std::ostream& operator<<(std::ostream& os, const RunResult& r) {
  return os << "exit " << r.code << "\n--- stdout:\n" << r.out << "--- stderr:\n" << r.err;
}

bool Has(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

class CtlTest : public ::testing::Test {
 protected:
  void SetUp() override {
    options_ = test::SmallOptions();
    options_.clock = nullptr;  // the tool reads by the system clock too
    db_ = dir_.Sub("db");
    ASSERT_MKV_OK(Store::Open(options_, db_, &store_));
    WriteOptions wo;
    wo.sync = true;
    ASSERT_MKV_OK(store_->Put(wo, kInodeDomain, "t1", "a", "alpha"));
    ASSERT_MKV_OK(store_->Put(wo, kInodeDomain, "t1", "b", "beta"));
    ASSERT_MKV_OK(store_->Put(wo, kInodeDomain, "t2", "c", std::string("\x01\xff", 2)));
    ASSERT_MKV_OK(store_->Put(wo, kInodeDomain, "t1", "gone", "deleted value"));
    ASSERT_MKV_OK(store_->Delete(wo, kInodeDomain, "t1", "gone"));
    ASSERT_MKV_OK(store_->Flush());
    ASSERT_MKV_OK(store_->Put(wo, kDentryDomain, "t1", "dir/x", "in the wal"));
    ASSERT_MKV_OK(store_->Put(wo, kDentryDomain, "t1", "tree/1", "removed"));
    ASSERT_MKV_OK(store_->RemoveTree(wo, "t1", {{kDentryDomain, "tree/"}}, RemoveMode::kLogical,
                                     &removal_));
  }
  void TearDown() override { CloseWriter(); }

  void CloseWriter() {
    if (store_) {
      EXPECT_TRUE(store_->Close().ok());
      store_.reset();
    }
  }

  // Runs metakv-ctl in this process: --db first, then args.
  RunResult Ctl(std::vector<std::string> args, bool with_db = true) {
    std::vector<std::string> all{"metakv-ctl"};
    if (with_db) all.push_back("--db=" + db_);
    all.insert(all.end(), args.begin(), args.end());
    std::vector<char*> argv;
    for (auto& a : all) argv.push_back(a.data());
    argv.push_back(nullptr);
    std::ostringstream out, err;
    RunResult r;
    r.code = RunCtl(static_cast<int>(all.size()), argv.data(), out, err);
    r.out = out.str();
    r.err = err.str();
    return r;
  }

  // Runs the metakv-ctl binary: another process.
  RunResult CtlBinary(const std::string& args) {
    const std::string out_path = dir_.Sub("out.txt"), err_path = dir_.Sub("err.txt");
    const int status = std::system((std::string(METAKV_CTL_BINARY) + " --db=" + db_ + " " + args +
                                    " >" + out_path + " 2>" + err_path)
                                       .c_str());
    RunResult r;
    r.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    r.out = ReadFile(out_path);
    r.err = ReadFile(err_path);
    return r;
  }

  test::TempDir dir_;
  Options options_;
  std::string db_;
  std::unique_ptr<Store> store_;
  uint64_t removal_ = 0;
};

// One error line on stderr holding each of parts; exit 2.
void ExpectUsageError(const RunResult& r, const std::vector<std::string>& parts) {
  EXPECT_EQ(r.code, kExitError) << r;
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r;
  EXPECT_TRUE(Has(r.err, "metakv-ctl: ")) << r;
  for (const auto& p : parts) EXPECT_TRUE(Has(r.err, p)) << "wanted '" << p << "': " << r;
  EXPECT_EQ(r.out, "") << r;
}

TEST_F(CtlTest, UsageErrorsAreOneLineAndExitTwo) {
  CloseWriter();
  ExpectUsageError(Ctl({}, /*with_db=*/false), {"no command"});
  ExpectUsageError(Ctl({"frobnicate"}), {"unknown command 'frobnicate'"});
  ExpectUsageError(Ctl({"stats"}, /*with_db=*/false), {"--db=DIR is required"});
  ExpectUsageError(Ctl({"stats", "--limit=3"}), {"unknown flag --limit"});
  ExpectUsageError(Ctl({"stats", "--format=xml"}), {"--format must be"});
  ExpectUsageError(Ctl({"stats", "--mode=sideways"}), {"--mode must be"});
  ExpectUsageError(Ctl({"stats", "--progress=maybe"}), {"--progress must be"});
  ExpectUsageError(Ctl({"get", "inode", "t1"}), {"usage: metakv-ctl --db=DIR get DOMAIN TENANT KEY"});
  ExpectUsageError(Ctl({"get", "inode", "t1", "a", "extra"}), {"usage:"});
  ExpectUsageError(Ctl({"get", "inode", "t1", "bad\\x4"}), {"bad escape in KEY"});
  ExpectUsageError(Ctl({"scan", "inode", "--limit=ten"}), {"--limit must be a decimal number"});
  ExpectUsageError(Ctl({"scan", "inode", "--prefix=a"}), {"--prefix needs --tenant"});
  ExpectUsageError(Ctl({"scan", "inode", "--tenant=t1", "--tenant=t2"}), {"given twice"});
  ExpectUsageError(Ctl({"restore-tree", "x"}), {"ID must be a decimal number"});
  ExpectUsageError(Ctl({"compact", "--mode=read-only"}), {"compact writes", "--mode=closed"});
  ExpectUsageError(Ctl({"purge", "--mode=secondary"}), {"--mode=closed"});
  ExpectUsageError(Ctl({"repair", "--mode=secondary"}), {"--mode=closed"});
  ExpectUsageError(Ctl({"repair", "--domains=mine"}), {"--domains must be"});
  ExpectUsageError(Ctl({"repair", "--domains=filesystem"}), {"needs --retention"});
  ExpectUsageError(Ctl({"stats", "--retention=-1"}), {"--retention must be"});
  // Not a store: the open fails with one line.
  const RunResult none = Ctl({"--db=" + dir_.Sub("nothing"), "stats"}, /*with_db=*/false);
  ExpectUsageError(none, {"metakv-ctl: stats: InvalidArgument", "no database here"});

  const RunResult help = Ctl({"--help"}, /*with_db=*/false);
  EXPECT_EQ(help.code, kExitOk);
  for (const char* command : {"stats", "get", "scan", "recycle-bin", "removals", "restore-tree",
                              "checkpoint", "compact", "purge", "verify", "repair", "secondary",
                              "read-only", "closed", "Exit status"}) {
    EXPECT_TRUE(Has(help.out, command)) << command;
  }
}

// On a closed store, every command, the writing ones in mode closed.
TEST_F(CtlTest, EveryCommandOnAClosedStore) {
  CloseWriter();
  for (const char* mode : {"--mode=closed", "--mode=read-only", "--mode=secondary", "--mode=auto"}) {
    SCOPED_TRACE(mode);
    RunResult r = Ctl({"get", "inode", "t1", "a", mode});
    EXPECT_EQ(r.code, kExitOk) << r;
    EXPECT_EQ(r.out, "alpha\n");
    r = Ctl({"get", "inode", "t2", "c", mode});
    EXPECT_EQ(r.out, "\\x01\\xff\n") << r;
    r = Ctl({"get", "dentry", "t1", "dir/x", mode});  // only in the WAL
    EXPECT_EQ(r.out, "in the wal\n") << r;
    r = Ctl({"get", "inode", "t1", "gone", mode});
    ExpectUsageError(r, {"metakv-ctl: get: NotFound"});
    r = Ctl({"get", "dentry", "t1", "tree/1", mode});  // under the removed tree
    ExpectUsageError(r, {"NotFound"});
    r = Ctl({"get", "nodomain", "t1", "a", mode});
    ExpectUsageError(r, {"unknown domain 'nodomain'"});
    r = Ctl({"get", "inode", "t1", mode, "--", "-a"});  // after "--", a key
    ExpectUsageError(r, {"NotFound"});
  }

  RunResult r = Ctl({"scan", "inode"});
  ASSERT_EQ(r.code, kExitOk) << r;
  EXPECT_TRUE(Has(r.out, "TENANT")) << r;
  EXPECT_TRUE(Has(r.out, "alpha") && Has(r.out, "beta") && Has(r.out, "\\x01\\xff")) << r;
  EXPECT_FALSE(Has(r.out, "deleted value")) << r;
  EXPECT_TRUE(Has(r.out, "# 3 records")) << r;
  r = Ctl({"scan", "inode", "--tenant=t1", "--prefix=b"});
  EXPECT_TRUE(Has(r.out, "beta") && !Has(r.out, "alpha") && Has(r.out, "# 1 record")) << r;
  r = Ctl({"scan", "inode", "--limit=1", "--value-bytes=2"});
  EXPECT_TRUE(Has(r.out, "al...") && Has(r.out, "--limit reached")) << r;
  r = Ctl({"recycle-bin", "inode", "--tenant=t1"});
  EXPECT_TRUE(Has(r.out, "DELETED") && Has(r.out, "deleted value") && Has(r.out, "# 1 record"))
      << r;

  r = Ctl({"removals"});
  ASSERT_EQ(r.code, kExitOk) << r;
  EXPECT_TRUE(Has(r.out, "logical") && Has(r.out, "dentry:tree/") &&
              Has(r.out, "# 1 pending removal"))
      << r;

  r = Ctl({"stats"});
  EXPECT_EQ(r.code, kExitOk) << r;
  EXPECT_TRUE(Has(r.out, "domain inode: ") && Has(r.out, "pending removals 1")) << r;
  r = Ctl({"stats", "--format=json"});
  common::JsonValue doc;
  std::string error;
  ASSERT_TRUE(common::ParseJson(r.out, &doc, &error)) << error << r;
  EXPECT_TRUE(doc.Has("domains"));
  r = Ctl({"stats", "--format=prometheus"});
  EXPECT_TRUE(Has(r.out, "# TYPE metakv_") && Has(r.out, "domain=\"inode\"")) << r;

  r = Ctl({"verify"});
  EXPECT_EQ(r.code, kExitOk) << r;
  EXPECT_TRUE(Has(r.out, "inode: 3 visible records, 1 in the recycle bin")) << r;
  EXPECT_TRUE(Has(r.out, "# verify: ok")) << r;

  // The writing commands.
  r = Ctl({"restore-tree", std::to_string(removal_)});
  EXPECT_EQ(r.code, kExitOk) << r;
  EXPECT_EQ(Ctl({"get", "dentry", "t1", "tree/1"}).out, "removed\n");
  ExpectUsageError(Ctl({"restore-tree", std::to_string(removal_)}), {"NotFound"});

  const std::string copy = dir_.Sub("copy");
  r = Ctl({"checkpoint", copy});
  EXPECT_EQ(r.code, kExitOk) << r;
  ExpectUsageError(Ctl({"checkpoint", copy}), {"InvalidArgument"});  // exists

  r = Ctl({"compact"});
  EXPECT_EQ(r.code, kExitOk) << r;
  EXPECT_TRUE(Has(r.out, "compacted inode: ")) << r;
  r = Ctl({"compact", "--domain=inode", "--tenant=t1"});
  EXPECT_EQ(r.code, kExitOk) << r;
  ExpectUsageError(Ctl({"compact", "--domain=nodomain"}), {"unknown domain"});

  // The recorded retention keeps the recycle bin; --retention=0 purges it.
  r = Ctl({"purge"});
  EXPECT_EQ(r.code, kExitOk) << r;
  EXPECT_TRUE(Has(Ctl({"recycle-bin", "inode"}).out, "# 1 record")) << r;
  r = Ctl({"purge", "--retention=0"});
  EXPECT_EQ(r.code, kExitOk) << r;
  EXPECT_TRUE(Has(r.out, "purged: ")) << r;
  r = Ctl({"recycle-bin", "inode"});
  EXPECT_TRUE(Has(r.out, "# 0 records")) << r;
  // The purge did not change what the store records: its own retention.
  std::vector<DomainOptions> domains;
  ASSERT_MKV_OK(Store::StoredDomains(Options(), db_, &domains));
  EXPECT_EQ(domains[0].tombstone_retention_seconds, options_.domains[0].tombstone_retention_seconds);

  r = Ctl({"repair"});
  EXPECT_EQ(r.code, kExitOk) << r;
  r = Ctl({"get", "inode", "t1", "a"});
  EXPECT_EQ(r.out, "alpha\n") << r;
  EXPECT_EQ(Ctl({"verify"}).code, kExitOk);

  // The checkpoint holds the state of its moment, removal restored.
  std::unique_ptr<Store> opened;
  Options o = options_;
  o.create_if_missing = false;
  ASSERT_MKV_OK(Store::Open(o, copy, &opened));
  std::string value;
  ASSERT_MKV_OK(opened->Get(ReadOptions(), kDentryDomain, "t1", "tree/1", &value));
  ASSERT_MKV_OK(opened->Close());
}

TEST_F(CtlTest, ReadOnlyModeReadsAndRefusesWrites) {
  CloseWriter();
  for (const char* command : {"stats", "removals", "verify"}) {
    const RunResult r = Ctl({command, "--mode=read-only"});
    EXPECT_EQ(r.code, kExitOk) << command << ": " << r;
  }
  EXPECT_EQ(Ctl({"scan", "dentry", "--mode=read-only"}).code, kExitOk);
  ExpectUsageError(Ctl({"checkpoint", dir_.Sub("c"), "--mode=read-only"}), {"--mode=closed"});
}

// A live store: reads as a secondary see the writer's latest writes, in
// this process and from another; writing commands are refused with a
// hint; verify and scan run while writes and removals go on.
TEST_F(CtlTest, ASecondaryBesideALiveWriter) {
  WriteOptions wo;  // not synced: still in the writer's WAL, not flushed
  ASSERT_MKV_OK(store_->Put(wo, kInodeDomain, "t3", "fresh", "just written"));
  RunResult r = Ctl({"get", "inode", "t3", "fresh", "--mode=secondary"});
  EXPECT_EQ(r.out, "just written\n") << r;
  r = Ctl({"removals", "--mode=secondary", "--secondary-path=" + dir_.Sub("side")});
  EXPECT_TRUE(Has(r.out, "# 1 pending removal")) << r;
  EXPECT_TRUE(fs::exists(dir_.Sub("side")));

  // From another process, in the default mode.
  r = CtlBinary("get inode t3 fresh");
  EXPECT_EQ(r.code, kExitOk) << r;
  EXPECT_EQ(r.out, "just written\n");
  r = CtlBinary("compact");
  EXPECT_EQ(r.code, kExitError) << r;
  EXPECT_TRUE(Has(r.err, "metakv-ctl: compact: IOError") &&
              Has(r.err, "is the store open in another process?"))
      << r;
  r = CtlBinary("verify");
  EXPECT_EQ(r.code, kExitOk) << r;

  // While a writer writes, removes and flushes.
  std::atomic<bool> stop{false};
  std::thread writer([&] {
    for (int i = 0; !stop.load(); ++i) {
      const std::string key = "k" + std::to_string(i);
      if (!store_->Put(WriteOptions(), kDentryDomain, "t4", key, std::string(100, 'v')).ok()) break;
      if (i % 100 == 99) {
        store_->RemoveTree(WriteOptions(), "t4", {{kDentryDomain, "k" + std::to_string(i / 2)}},
                           RemoveMode::kLogical)
            .PermitUncheckedError();
        store_->Flush().PermitUncheckedError();
      }
    }
  });
  for (int round = 0; round < 3; ++round) {
    r = Ctl({"verify", "--mode=secondary"});
    EXPECT_EQ(r.code, kExitOk) << r;
    r = Ctl({"scan", "dentry", "--tenant=t4", "--mode=secondary"});
    EXPECT_EQ(r.code, kExitOk) << r;
    r = CtlBinary("scan dentry --tenant=t4");
    EXPECT_EQ(r.code, kExitOk) << r;
  }
  stop.store(true);
  writer.join();
}

TEST_F(CtlTest, VerifyFindsADamagedFile) {
  CloseWriter();
  // Damage the middle of every SST file of the store.
  int damaged = 0;
  for (const auto& entry : fs::directory_iterator(db_)) {
    if (entry.path().extension() != ".sst") continue;
    std::string bytes = ReadFile(entry.path());
    if (bytes.size() < 200) continue;
    for (size_t i = 20; i < 60; ++i) bytes[i] = static_cast<char>(bytes[i] ^ 0x5a);
    std::ofstream(entry.path(), std::ios::binary | std::ios::trunc) << bytes;
    ++damaged;
  }
  ASSERT_GT(damaged, 0);
  RunResult r = CtlBinary("verify --mode=read-only --progress=on");
  EXPECT_EQ(r.code, kExitCorruption) << r;
  // The files' problems, each a line of its own beside the progress line.
  EXPECT_TRUE(Has(r.err, "\nmetakv-sst-dump: ") || r.err.rfind("metakv-sst-dump: ", 0) == 0) << r;
  r = CtlBinary("verify --mode=read-only");
  EXPECT_EQ(r.code, kExitCorruption) << r;
  EXPECT_TRUE(Has(r.out, "CORRUPT")) << r;  // the files' table
  EXPECT_TRUE(Has(r.err, "metakv-ctl: verify: Corruption")) << r;
}

TEST_F(CtlTest, TheProgressLineOfLongCommands) {
  CloseWriter();
  RunResult r = Ctl({"verify", "--progress=on"});
  EXPECT_EQ(r.code, kExitOk) << r;
  EXPECT_TRUE(Has(r.err, "metakv-ctl: verify: ") && Has(r.err, "records read (")) << r;
  r = Ctl({"compact", "--progress=on"});
  EXPECT_TRUE(Has(r.err, "metakv-ctl: compact: done (")) << r;
  r = Ctl({"verify", "--progress=off"});
  EXPECT_EQ(r.err, "") << r;
}

}  // namespace
}  // namespace metakv::tools::ctl
