// The domain catalogue's text (engine/catalogue.h): the layout word of
// time-ordered cold domains, older catalogues without it, bad lines.
#include "engine/catalogue.h"

#include <gtest/gtest.h>

#include "codecs/record_codec.h"

namespace metakv {
namespace {

// A stored value holding text as the catalogue's payload.
std::string Stored(const std::string& text) {
  codecs::Record record;
  record.time = 1;
  record.payload = text;
  std::string out;
  codecs::EncodeRecord(kCatalogueKey, record, &out);
  return out;
}

TEST(CatalogueTest, LayoutsRoundTrip) {
  Catalogue c;
  c.domains = {{"inode", Temperature::kHot, ColdLayout::kLeveled},
               {"history", Temperature::kCold, ColdLayout::kTimeOrdered},
               {"archive", Temperature::kCold, ColdLayout::kLeveled}};
  Catalogue back;
  ASSERT_TRUE(Catalogue::Decode(c.Encode(7), &back).ok());
  ASSERT_EQ(back.domains.size(), 3u);
  EXPECT_EQ(back.Find("history")->cold_layout, ColdLayout::kTimeOrdered);
  EXPECT_EQ(back.Find("archive")->cold_layout, ColdLayout::kLeveled);
  EXPECT_EQ(back.Find("inode")->temperature, Temperature::kHot);
}

// A catalogue written before layouts existed: its cold domains are leveled.
TEST(CatalogueTest, ACatalogueWithoutLayoutsIsLeveled) {
  Catalogue c;
  ASSERT_TRUE(
      Catalogue::Decode(Stored("metakv-catalogue 1\ndomain inode hot\ndomain history cold\n"), &c)
          .ok());
  EXPECT_EQ(c.Find("history")->cold_layout, ColdLayout::kLeveled);
}

TEST(CatalogueTest, BadLayoutWordsAreCorruption) {
  for (const char* line : {"domain history cold leveled", "domain inode hot time-ordered",
                           "domain history cold time-ordered extra"}) {
    Catalogue c;
    const Status s =
        Catalogue::Decode(Stored(std::string("metakv-catalogue 1\n") + line + "\n"), &c);
    EXPECT_TRUE(s.IsCorruption()) << line << ": " << s.ToString();
  }
}

TEST(CatalogueTest, TenantShardsRoundTripAndOneShardIsNotWritten) {
  Catalogue c;
  c.domains = {{"inode", Temperature::kHot, ColdLayout::kLeveled, 4},
               {"dentry", Temperature::kHot, ColdLayout::kLeveled, 1},
               {"history", Temperature::kCold, ColdLayout::kTimeOrdered, 1}};
  const std::string stored = c.Encode(7);
  Catalogue back;
  ASSERT_TRUE(Catalogue::Decode(stored, &back).ok());
  EXPECT_EQ(back.Find("inode")->tenant_shards, 4u);
  EXPECT_EQ(back.Find("dentry")->tenant_shards, 1u);
  EXPECT_EQ(back.Find("history")->tenant_shards, 1u);
  // A domain without shards is written as before they existed, so older
  // versions still read the store.
  codecs::Record record;
  ASSERT_TRUE(codecs::DecodeRecord(kCatalogueKey, stored, &record).ok());
  const std::string text(record.payload);
  EXPECT_NE(text.find("domain inode hot shards=4\n"), std::string::npos) << text;
  EXPECT_NE(text.find("domain dentry hot\n"), std::string::npos) << text;
}

TEST(CatalogueTest, BadTenantShardsAreCorruption) {
  for (const char* line :
       {"domain inode hot shards=1", "domain inode hot shards=65", "domain inode hot shards=",
        "domain inode hot shards=4x", "domain inode hot shards=-2", "domain history cold shards=2",
        "domain inode hot shards=2 shards=2", "domain inode hot shards=99999999999"}) {
    Catalogue c;
    const Status s =
        Catalogue::Decode(Stored(std::string("metakv-catalogue 1\n") + line + "\n"), &c);
    EXPECT_TRUE(s.IsCorruption()) << line << ": " << s.ToString();
  }
}

TEST(CatalogueTest, ShardColumnFamilyNames) {
  EXPECT_EQ(ShardColumnFamily("inode", 0), "inode");
  EXPECT_EQ(ShardColumnFamily("inode", 3), "inode#3");
  EXPECT_EQ(DomainOfColumnFamily("inode#3"), "inode");
  EXPECT_EQ(DomainOfColumnFamily("inode"), "inode");
}

TEST(DomainSettingsTest, RoundTripAndBadLinesAreCorruption) {
  DomainOptions a, b;
  a.name = "inode";
  a.tombstone_retention_seconds = 0;
  b.name = "history";
  b.tombstone_retention_seconds = 18446744073709551615ull;
  const DomainSettings settings = DomainSettings::Of({a, b});
  DomainSettings back;
  ASSERT_TRUE(DomainSettings::Decode(settings.Encode(9), &back).ok());
  EXPECT_TRUE(back == settings);
  EXPECT_EQ(back.retention_seconds.at("history"), 18446744073709551615ull);
  for (const char* line : {"retention inode", "retention inode 12 extra", "retention inode -1",
                           "retention inode 1x", "retention bad/name 5", "ttl inode 5",
                           "retention inode 123456789012345678901"}) {
    const std::string payload = std::string("metakv-domain-settings 1\n") + line + "\n";
    codecs::Record record;
    record.payload = payload;  // a view: payload outlives it
    std::string value;
    codecs::EncodeRecord(kDomainSettingsKey, record, &value);
    DomainSettings d;
    const Status s = DomainSettings::Decode(value, &d);
    EXPECT_TRUE(s.IsCorruption()) << line << ": " << s.ToString();
  }
  // The catalogue's value is not settings (another key in its checksum).
  Catalogue c;
  DomainSettings d;
  EXPECT_TRUE(DomainSettings::Decode(c.Encode(1), &d).IsCorruption());
}

// A new domain takes its declared layout; a stored one keeps its own.
TEST(CatalogueTest, StoredDomainsKeepTheirLayout) {
  Catalogue stored;
  stored.domains = {{"history", Temperature::kCold, ColdLayout::kLeveled}};
  DomainOptions history;
  history.name = "history";
  history.temperature = Temperature::kCold;
  history.cold_layout = ColdLayout::kTimeOrdered;
  DomainOptions versions = history;
  versions.name = "versions";
  DomainOptions inode;
  inode.name = "inode";
  inode.cold_layout = ColdLayout::kTimeOrdered;  // ignored: hot
  Catalogue merged;
  ASSERT_TRUE(ReconcileCatalogue(stored, {history, versions, inode}, true, &merged).ok());
  EXPECT_EQ(merged.Find("history")->cold_layout, ColdLayout::kLeveled);
  EXPECT_EQ(merged.Find("versions")->cold_layout, ColdLayout::kTimeOrdered);
  EXPECT_EQ(merged.Find("inode")->cold_layout, ColdLayout::kLeveled);
}

}  // namespace
}  // namespace metakv
