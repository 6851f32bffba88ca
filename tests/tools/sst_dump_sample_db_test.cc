// Tests of metakv-sst-dump's commands on the sample database (every record
// kind, several tenants, tombstones, expired records): scan, stats and
// verify in text and JSON, checked against what was written, and filters.
#include "tests/tools/sst_dump_test_util.h"

namespace metakv::tools {
namespace {

using common::JsonValue;

// -------------------------------------------------- sample database ----

TEST_F(SstDumpSampleDbTest, ScanJsonMatchesWhatWasWritten) {
  const RunResult r = Dump({"--json", NowFlag(), "--value-bytes=0", db()});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_TRUE(r.err.empty()) << r.err;
  const JsonValue doc = ParseJson(r.out);
  EXPECT_EQ(doc["tool"].string, "metakv-sst-dump");
  EXPECT_EQ(doc["input"].string, "database");
  EXPECT_TRUE(doc["metakv"].boolean);
  EXPECT_EQ(doc["now"].AsUint(), kNow);
  std::vector<std::string> domains;
  for (const JsonValue& d : doc["domains"].array) domains.push_back(d["name"].string);
  EXPECT_EQ(domains, (std::vector<std::string>{"inode", "dentry", "history", "default"}));

  Model seen;
  uint64_t metadata_records = 0;
  for (const JsonValue& file : doc["files"].array) {
    EXPECT_TRUE(file["complete"].boolean);
    EXPECT_EQ(file["level"].AsUint(), 0u);
    if (file["domain"].string == "default") {
      // Metadata: the domain catalogue and settings, once the engine has
      // flushed them.
      for (const JsonValue& rec : file["records"].array) {
        EXPECT_TRUE(rec["key"].string == "metakv.catalogue" ||
                    rec["key"].string == "metakv.domain-settings")
            << rec["key"].string;
        ++metadata_records;
      }
      continue;
    }
    for (const JsonValue& rec : file["records"].array) {
      ASSERT_FALSE(rec.Has("bad"));
      Expected e;
      e.domain = file["domain"].string;
      e.tenant = rec["tenant"].string;
      e.key = rec["key"].string;
      e.kind = rec["kind"].string;
      e.time = rec["time"].AsUint();
      e.expiry = rec["expiry"].AsUint();
      e.value = rec["value"].string;
      EXPECT_EQ(rec["expired"].boolean, e.expired()) << e.key;
      seen[{e.domain, e.tenant, e.key}] = e;
    }
  }
  ASSERT_EQ(seen.size(), model().size());
  for (const auto& [id, want] : model()) {
    auto it = seen.find({want.domain, codecs::Printable(want.tenant), codecs::Printable(want.key)});
    ASSERT_NE(it, seen.end()) << want.domain << " " << want.tenant << " " << want.key;
    const Expected& got = it->second;
    EXPECT_EQ(got.kind, want.kind) << want.key;
    EXPECT_EQ(got.time, want.time) << want.key;
    EXPECT_EQ(got.expiry, want.expiry) << want.key;
    EXPECT_EQ(got.value, codecs::Printable(want.value)) << want.key;
  }
  EXPECT_EQ(doc["records_shown"].AsUint(), model().size() + metadata_records);
  EXPECT_EQ(doc["bad_records"].AsUint(), 0u);
  EXPECT_TRUE(doc["ok"].boolean);
  // The catalogue and settings are in an SST file or still only in the
  // write-ahead log (then said in a note).
  const bool noted =
      doc["notes"].size() > 0 &&
      doc["notes"][0].string.find("domain default: 2 entries only in the write-ahead log") !=
          std::string::npos;
  EXPECT_TRUE(noted != (metadata_records == 2)) << r.out;
}

TEST_F(SstDumpSampleDbTest, ScanTextOneRowPerRecord) {
  const RunResult r = Dump({NowFlag(), db()});
  ASSERT_EQ(r.code, 0) << r.err;
  const auto lines = Lines(r.out);
  ASSERT_FALSE(lines.empty());
  EXPECT_EQ(lines[0].rfind("# metakv-sst-dump scan " + db() + ": metakv database, ", 0), 0u)
      << lines[0];
  EXPECT_NE(lines[0].find(" live SST files; domains: inode (hot), dentry (hot), history (cold); "
                          "expiry judged at 2023-11-14T22:16:40Z"),
            std::string::npos)
      << lines[0];
  size_t rows = 0;
  std::map<std::string, int> kinds;
  for (const auto& line : lines) {
    if (line.empty() || line[0] == '#' || line.rfind("DOMAIN", 0) == 0) continue;
    const auto t = Tokens(line);
    ASSERT_GE(t.size(), 7u) << line;
    if (t[0] == "default") continue;  // metadata
    ++rows;
    ++kinds[t[3]];
  }
  EXPECT_EQ(rows, model().size());
  EXPECT_EQ(kinds["live"], 18);
  EXPECT_EQ(kinds["tombstone"], 2);
  EXPECT_EQ(kinds["expired"], 3);
  EXPECT_EQ(kinds["expiring"], 2);
  // The exact row of a tombstone.
  const std::string want =
      "dentry  acme    d2   tombstone  2023-11-14T22:13:30Z  -           5  ino-2\n";
  EXPECT_NE(r.out.find(want), std::string::npos) << r.out;
}

TEST_F(SstDumpSampleDbTest, StatsJsonMatchesWhatWasWritten) {
  const RunResult r = Dump({"--command=stats", "--json", NowFlag(), db()});
  ASSERT_EQ(r.code, 0) << r.err;
  const JsonValue doc = ParseJson(r.out);

  // Expected totals per domain, per tenant, overall.
  struct Want {
    uint64_t records = 0, bytes = 0, live = 0, expiring = 0, tombstone = 0, tombstone_bytes = 0,
             expired = 0;
    void Add(const Expected& e) {
      ++records;
      bytes += e.stored_bytes();
      if (e.kind == "live") ++live;
      if (e.kind == "expiring") ++expiring;
      if (e.kind == "tombstone") {
        ++tombstone;
        tombstone_bytes += e.stored_bytes();
      }
      if (e.expired()) ++expired;
    }
  };
  std::map<std::string, Want> by_domain, by_tenant;
  Want all;
  for (const auto& [id, e] : model()) {
    by_domain[e.domain].Add(e);
    by_tenant[codecs::Printable(e.tenant)].Add(e);
    all.Add(e);
  }
  auto check = [](const JsonValue& t, const Want& w, const std::string& what) {
    SCOPED_TRACE(what);
    EXPECT_EQ(t["records"].AsUint(), w.records);
    EXPECT_EQ(t["bytes"].AsUint(), w.bytes);
    EXPECT_EQ(t["live"]["records"].AsUint(), w.live);
    EXPECT_EQ(t["expiring"]["records"].AsUint(), w.expiring);
    EXPECT_EQ(t["tombstone"]["records"].AsUint(), w.tombstone);
    EXPECT_EQ(t["tombstone"]["bytes"].AsUint(), w.tombstone_bytes);
    EXPECT_EQ(t["expired"]["records"].AsUint(), w.expired);
    // At the default retention of 7 days no tombstone is purgeable yet.
    EXPECT_EQ(t["purgeable"]["records"].AsUint(), w.expired);
    EXPECT_EQ(t["oldest_purgeable_time"].type == JsonValue::kNull, w.expired == 0);
    EXPECT_EQ(t["bad"]["records"].AsUint(), 0u);
    EXPECT_NEAR(t["ghost_bytes_share"].number,
                w.bytes ? static_cast<double>(w.tombstone_bytes) / w.bytes : 0.0, 1e-5);
  };
  // Metadata (the catalogue, if flushed) counts in the total, not per tenant.
  uint64_t metadata_records = 0, metadata_bytes = 0, metadata_files = 0;
  for (const JsonValue& d : doc["by_domain"].array) {
    if (d["domain"].string != "default") continue;
    metadata_records = d["totals"]["records"].AsUint();
    metadata_bytes = d["totals"]["bytes"].AsUint();
    metadata_files = d["files"].AsUint();
  }
  Want with_metadata = all;
  with_metadata.records += metadata_records;
  with_metadata.live += metadata_records;
  with_metadata.bytes += metadata_bytes;
  check(doc["total"]["totals"], with_metadata, "total");
  EXPECT_EQ(doc["total"]["files"].AsUint(), 3u + metadata_files);
  EXPECT_EQ(doc["total"]["tenant_count"].AsUint(), 3u);
  for (const JsonValue& t : doc["total"]["tenants"].array) {
    check(t, by_tenant.at(t["tenant"].string), "tenant " + t["tenant"].string);
  }
  EXPECT_EQ(doc["total"]["tenants"].size(), 3u);
  EXPECT_EQ(doc["total"]["tenants"][0]["tenant"].string, "acme");  // largest first
  for (const JsonValue& d : doc["by_domain"].array) {
    const std::string name = d["domain"].string;
    if (name == "default") {
      EXPECT_EQ(d["files"].AsUint() + d["unflushed_entries"].AsUint(), 1u);  // the catalogue
      continue;
    }
    check(d["totals"], by_domain.at(name), "domain " + name);
    ASSERT_EQ(d["levels"].size(), 1u);
    EXPECT_EQ(d["levels"][0]["level"].AsUint(), 0u);
  }
  ASSERT_EQ(doc["files"].size(), 3u + metadata_files);
  for (const JsonValue& f : doc["files"].array) {
    if (f["domain"].string == "default") continue;
    check(f["totals"], by_domain.at(f["domain"].string), "file of " + f["domain"].string);
    const JsonValue& props = f["properties"];
    EXPECT_EQ(props["column_family"].string, f["domain"].string);
    EXPECT_FALSE(props["compression"].string.empty());
    EXPECT_GT(f["file_bytes"].AsUint(), 0u);
    EXPECT_TRUE(f["key_range"]["smallest"].Has("tenant"));
    if (f["domain"].string == "inode") {
      // The hard delete is a RocksDB deletion in the table, not shown.
      EXPECT_EQ(props["deletions"].AsUint(), 1u);
      EXPECT_EQ(f["entries_not_shown"].AsUint(), 1u);
      EXPECT_EQ(f["key_range"]["smallest"]["tenant"].string, "acme");
      EXPECT_EQ(f["key_range"]["smallest"]["key"].string, "/a/01");
      EXPECT_EQ(f["key_range"]["largest"]["tenant"].string, "z\\x00y");
      EXPECT_EQ(f["key_range"]["largest"]["key"].string, "/odd/2");
      EXPECT_EQ(f["tenant_count"].AsUint(), 3u);
    }
  }
}

// The "all" rows of the Domains table of a stats run, by domain.
// Columns: DOMAIN LEVEL FILES FILE_BYTES RECORDS BYTES LIVE EXPIRING TOMBSTONE
// GHOST_BYTES GHOST% EXPIRED PURGEABLE PURGEABLE_FOR BAD
std::map<std::string, std::vector<std::string>> DomainRows(const std::string& out) {
  std::map<std::string, std::vector<std::string>> all_rows;
  bool in_domains = false;
  for (const auto& line : Lines(out)) {
    if (line == "Domains") in_domains = true;
    if (line.empty()) in_domains = false;
    const auto t = Tokens(line);
    if (in_domains && t.size() == 15 && t[1] == "all") all_rows[t[0]] = t;
  }
  return all_rows;
}

TEST_F(SstDumpSampleDbTest, StatsTextTables) {
  const RunResult r = Dump({"--command=stats", NowFlag(), "--top=2", db()});
  ASSERT_EQ(r.code, 0) << r.err;
  auto all_rows = DomainRows(r.out);
  ASSERT_EQ(all_rows.count("dentry"), 1u) << r.out;
  const auto& dentry = all_rows["dentry"];
  EXPECT_EQ(dentry[4], "6");  // records
  EXPECT_EQ(dentry[6], "4");  // live
  EXPECT_EQ(dentry[8], "2");  // tombstones
  const auto& history = all_rows["history"];
  EXPECT_EQ(history[7], "5");   // expiring
  EXPECT_EQ(history[11], "3");  // expired
  EXPECT_EQ(history[12], "3");  // purgeable: the expired ones
  EXPECT_NE(history[13], "-");  // purgeable for some time
  // Tombstones are purgeable once --retention has passed (default 7 days).
  EXPECT_EQ(all_rows["dentry"][12], "0");
  EXPECT_EQ(all_rows["dentry"][13], "-");
  const RunResult zero = Dump({"--command=stats", NowFlag(), "--retention=0", db()});
  ASSERT_EQ(zero.code, 0) << zero.err;
  auto zero_rows = DomainRows(zero.out);
  ASSERT_EQ(zero_rows.count("dentry"), 1u) << zero.out;
  EXPECT_EQ(zero_rows["dentry"][12], "2");
  EXPECT_NE(zero_rows["dentry"][13], "-");
  EXPECT_EQ(Dump({"--command=stats", "--retention=x", db()}).code, 2);
  const uint64_t metadata = all_rows.count("default") ? std::stoull(all_rows["default"][4]) : 0;
  EXPECT_EQ(all_rows["(total)"][4], std::to_string(model().size() + metadata));
  // --top=2 of three tenants: an "(other: 1 tenant)" row.
  EXPECT_NE(r.out.find("(other: 1 tenant)"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("key range"), std::string::npos);
  EXPECT_NE(r.out.find("compression"), std::string::npos);
}

TEST_F(SstDumpSampleDbTest, VerifyCleanDatabase) {
  RunResult r = Dump({"--command=verify", "--json", db()});
  ASSERT_EQ(r.code, 0);
  const JsonValue doc = ParseJson(r.out);
  const uint64_t files = doc["files_checked"].AsUint();
  const uint64_t metadata = files - 3;  // the catalogue's file, once flushed
  EXPECT_LE(metadata, 1u);
  // It holds the catalogue and the domain settings.
  EXPECT_EQ(doc["records_checked"].AsUint(), model().size() + 2 * metadata);
  r = Dump({"--command=verify", db()});
  ASSERT_EQ(r.code, 0) << r.err << r.out;
  EXPECT_TRUE(r.err.empty());
  const auto lines = Lines(r.out);
  ASSERT_FALSE(lines.empty());
  EXPECT_EQ(lines.back(),
            "verify: OK: " + std::to_string(files) + " files checked, " +
                std::to_string(model().size() + 2 * metadata) +
                " records checked, 0 bad records, 0 files with bad blocks, 0 files unreadable or "
                "missing");
  EXPECT_TRUE(doc["ok"].boolean);
  for (const JsonValue& f : doc["files"].array) EXPECT_EQ(f["status"].string, "ok");
}

TEST_F(SstDumpSampleDbTest, Filters) {
  // One tenant across every domain.
  RunResult r = Dump({"--json", "--tenant=beta", NowFlag(), db()});
  ASSERT_EQ(r.code, 0) << r.err;
  JsonValue doc = ParseJson(r.out);
  EXPECT_EQ(doc["records_shown"].AsUint(), 5u);
  EXPECT_EQ(doc["filter"]["tenant"].string, "beta");
  // A key range inside a tenant; /a/05 was hard deleted.
  r = Dump({"--json", "--tenant=acme", "--from=/a/03", "--to=/a/07", db()});
  doc = ParseJson(r.out);
  std::vector<std::string> keys;
  for (const JsonValue& f : doc["files"].array) {
    for (const JsonValue& rec : f["records"].array) keys.push_back(rec["key"].string);
  }
  EXPECT_EQ(keys, (std::vector<std::string>{"/a/03", "/a/04", "/a/06"}));
  // A tenant with a zero byte, given escaped.
  r = Dump({"--json", "--tenant=z\\x00y", db()});
  doc = ParseJson(r.out);
  EXPECT_EQ(doc["records_shown"].AsUint(), 2u);
  // User-key bounds without a tenant apply in every tenant.
  r = Dump({"--json", "--from=h", "--to=h3", db()});
  doc = ParseJson(r.out);
  EXPECT_EQ(doc["records_shown"].AsUint(), 4u);  // acme h1 h2, beta h1 h2
  // --limit across files.
  r = Dump({"--json", "--limit=4", db()});
  doc = ParseJson(r.out);
  EXPECT_EQ(doc["records_shown"].AsUint(), 4u);
  EXPECT_TRUE(doc["limit_reached"].boolean);
  // stats of one tenant.
  r = Dump({"--command=stats", "--json", "--tenant=acme", NowFlag(), db()});
  doc = ParseJson(r.out);
  EXPECT_EQ(doc["total"]["totals"]["records"].AsUint(), 9u + 6u + 3u);
  EXPECT_EQ(doc["total"]["tenant_count"].AsUint(), 1u);
  // raw with a tenant: the stored keys of that tenant.
  r = Dump({"--raw", "--json", "--tenant=beta", db()});
  doc = ParseJson(r.out);
  EXPECT_EQ(doc["entries_shown"].AsUint(), 5u);
  EXPECT_EQ(doc["files"][0]["entries"][0]["key"].string, "beta\\x00\\x01/b/1");
}

TEST_F(SstDumpSampleDbTest, ReadingLeavesTheDirectoryUntouched) {
  const auto before = DirState(db());
  for (const char* command : {"scan", "stats", "verify", "raw"}) {
    for (const char* format : {"--json", "--value-bytes=8"}) {
      const RunResult r = Dump({std::string("--command=") + command, format, db()});
      EXPECT_EQ(r.code, 0) << command << " " << r.err;
    }
  }
  EXPECT_EQ(DirState(db()), before);
}

TEST_F(SstDumpSampleDbTest, LoneDatabaseFileKnowsItsDomain) {
  std::string inode_file;
  for (const auto& f : SstFilesIn(db())) {
    const RunResult r = Dump({"--command=stats", "--json", f});
    ASSERT_EQ(r.code, 0) << r.err;
    const JsonValue doc = ParseJson(r.out);
    if (doc["files"][0]["domain"].string == "inode") inode_file = f;
  }
  ASSERT_FALSE(inode_file.empty());
  const RunResult r = Dump({"--tenant=beta", inode_file});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("SST file of column family inode"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("inode   beta    /b/1"), std::string::npos) << r.out;
}

}  // namespace
}  // namespace metakv::tools
