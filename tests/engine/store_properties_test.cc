// Store::GetIntProperty: the figures of GetStats by name.
#include <gtest/gtest.h>

#include <set>
#include <string>

#include "common/json_reader.h"
#include "tests/engine/store_fixture.h"

namespace metakv::test {
namespace {

class PropertiesTest : public StoreTest {
 protected:
  uint64_t Property(const std::string& domain, const std::string& name) {
    uint64_t value = ~uint64_t{0};
    const Status s = store_->GetIntProperty(domain, name, &value);
    EXPECT_TRUE(s.ok()) << domain << " " << name << ": " << s.ToString();
    return value;
  }
};

TEST_F(PropertiesTest, EveryNameAnswersAndMatchesGetStats) {
  for (int i = 0; i < 50; ++i) {
    MKV_ASSERT_OK(Put(kInode, "t", "k" + std::to_string(i), RandomBytes(100, i)));
  }
  MKV_ASSERT_OK(Delete(kInode, "t", "k1"));
  MKV_ASSERT_OK(Undelete(kInode, "t", "k1"));
  MKV_ASSERT_OK(HardDelete(kInode, "t", "k2"));
  MKV_ASSERT_OK(store_->Flush());
  Stats stats;
  MKV_ASSERT_OK(store_->GetStats(&stats));
  const DomainStats* inode = nullptr;
  for (const DomainStats& d : stats.domains) {
    if (d.name == kInode) inode = &d;
  }
  ASSERT_NE(inode, nullptr);
  EXPECT_EQ(Property(kInode, "metakv.puts"), 50u);
  EXPECT_EQ(Property(kInode, "metakv.deletes"), 1u);
  EXPECT_EQ(Property(kInode, "metakv.undeletes"), 1u);
  EXPECT_EQ(Property(kInode, "metakv.hard-deletes"), 1u);
  EXPECT_EQ(Property(kInode, "metakv.user-bytes-written"), inode->user_bytes_written);
  EXPECT_EQ(Property(kInode, "metakv.flushes"), inode->flushes);
  EXPECT_GT(Property(kInode, "metakv.flush-bytes-written"), 0u);
  EXPECT_EQ(Property(kDentry, "metakv.puts"), 0u);
  EXPECT_EQ(Property("", "metakv.user-bytes-written"), stats.user_bytes_written);
  EXPECT_EQ(Property("", "metakv.flush-bytes-written"), stats.flush_bytes_written);

  for (bool per_domain : {false, true}) {
    const std::vector<std::string> names = Store::IntPropertyNames(per_domain);
    EXPECT_GT(names.size(), 5u);
    EXPECT_EQ(std::set<std::string>(names.begin(), names.end()).size(), names.size())
        << "names must be unique";
    for (const std::string& name : names) {
      EXPECT_EQ(name.rfind("metakv.", 0), 0u) << name;
      Property(per_domain ? kHistory : "", name);
    }
  }
}

// StatsToJson: one strict JSON object whose members are GetStats' fields,
// named as in C++, with the same values.
TEST_F(PropertiesTest, StatsToJsonHoldsEveryDomainWithGetStatsFigures) {
  for (int i = 0; i < 30; ++i) {
    MKV_ASSERT_OK(Put(kInode, "t\"q", "k" + std::to_string(i), RandomBytes(50, i)));
  }
  MKV_ASSERT_OK(Delete(kInode, "t\"q", "k3"));
  MKV_ASSERT_OK(store_->Flush());
  Stats stats;
  MKV_ASSERT_OK(store_->GetStats(&stats));
  common::JsonValue json;
  std::string error;
  ASSERT_TRUE(common::ParseJson(StatsToJson(stats), &json, &error)) << error;
  EXPECT_EQ(json["user_bytes_written"].AsUint(), stats.user_bytes_written);
  EXPECT_EQ(json["flush_bytes_written"].AsUint(), stats.flush_bytes_written);
  EXPECT_EQ(json["maintenance_passes"].AsUint(), stats.maintenance_passes);
  ASSERT_EQ(json["domains"].size(), stats.domains.size());
  for (size_t i = 0; i < stats.domains.size(); ++i) {
    const DomainStats& d = stats.domains[i];
    const common::JsonValue& j = json["domains"][i];
    EXPECT_EQ(j["name"].string, d.name);
    EXPECT_EQ(j["temperature"].string, d.temperature == Temperature::kCold ? "cold" : "hot");
    EXPECT_EQ(j["puts"].AsUint(), d.puts);
    EXPECT_EQ(j["deletes"].AsUint(), d.deletes);
    EXPECT_EQ(j["user_bytes_written"].AsUint(), d.user_bytes_written);
    EXPECT_EQ(j["flush_bytes_written"].AsUint(), d.flush_bytes_written);
    EXPECT_EQ(j["live_sst_bytes"].AsUint(), d.live_sst_bytes);
    EXPECT_DOUBLE_EQ(j["write_amplification"].number, d.write_amplification);
    ASSERT_EQ(j["levels"].size(), d.levels.size());
    for (size_t l = 0; l < d.levels.size(); ++l) {
      EXPECT_EQ(j["levels"][l]["files"].AsUint(), d.levels[l].files);
      EXPECT_EQ(j["levels"][l]["bytes"].AsUint(), d.levels[l].bytes);
    }
    ASSERT_EQ(j["top_tenants"].size(), d.top_tenants.size());
    for (size_t t = 0; t < d.top_tenants.size(); ++t) {
      EXPECT_EQ(j["top_tenants"][t]["tenant"].string, d.top_tenants[t].tenant);
    }
  }
  EXPECT_EQ(json["domains"][0]["puts"].AsUint(), 30u);
  EXPECT_EQ(json["domains"][0]["top_tenants"][0]["tenant"].string, "t\"q");
}

TEST_F(PropertiesTest, UnknownNamesAndDomainsAreInvalidArguments) {
  uint64_t value = 7;
  MKV_EXPECT_CODE(kInvalidArgument, store_->GetIntProperty(kInode, "metakv.nosuch", &value));
  // A per-domain name is not a store-wide one.
  MKV_EXPECT_CODE(kInvalidArgument, store_->GetIntProperty("", "metakv.puts", &value));
  MKV_EXPECT_CODE(kInvalidArgument, store_->GetIntProperty("nosuch", "metakv.puts", &value));
  MKV_EXPECT_CODE(kInvalidArgument, store_->GetIntProperty(kInode, "metakv.puts", nullptr));
  EXPECT_EQ(value, 7u) << "unchanged on error";
  MKV_ASSERT_OK(store_->Close());
  MKV_EXPECT_CODE(kAborted, store_->GetIntProperty(kInode, "metakv.puts", &value));
  store_.reset();
}

}  // namespace
}  // namespace metakv::test
