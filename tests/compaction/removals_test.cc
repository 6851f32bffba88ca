// The removal record's encoding and the RemovalSet's per-record answers,
// without a database: the ranges a removal covers (tenants and prefixes
// kept apart), which removal hides a record by its write time, which are
// purgeable, which still need their written-under mark.
#include "compaction/removals.h"

#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

#include "codecs/key_codec.h"

namespace metakv {
namespace {

Removal MakeRemoval(uint64_t id, const std::string& tenant,
                    std::vector<std::pair<std::string, std::string>> ranges, uint64_t time,
                    uint64_t purge_time, bool written_under = false) {
  Removal r;
  r.id = id;
  r.logical = true;
  r.written_under = written_under;
  r.time = time;
  r.purge_time = purge_time;
  r.seq_before = 1000 + id;
  r.tenant = tenant;
  r.ranges = std::move(ranges);
  return r;
}

RemovalSet MakeSet(const std::vector<Removal>& removals) {
  static const std::map<std::string, size_t, std::less<>> kDomains{{"inode", 0}, {"dentry", 1}};
  return RemovalSet(removals, kDomains.size(), [](std::string_view name, size_t* index) {
    auto it = kDomains.find(name);
    if (it == kDomains.end()) return false;
    *index = it->second;
    return true;
  });
}

std::string K(const std::string& tenant, const std::string& key) {
  return codecs::EncodeKey(tenant, key);
}

TEST(RemovalTest, EncodesAndDecodesEveryField) {
  Removal r = MakeRemoval(7, "acme", {{"inode", "/a/"}, {"dentry", ""}}, 100, 200, true);
  r.logical = false;
  Removal back;
  ASSERT_TRUE(Removal::Decode(r.Key(), r.Encode(), &back).ok());
  EXPECT_EQ(back.id, 7u);
  EXPECT_FALSE(back.logical);
  EXPECT_TRUE(back.written_under);
  EXPECT_EQ(back.time, 100u);
  EXPECT_EQ(back.purge_time, 200u);
  EXPECT_EQ(back.seq_before, 1007u);
  EXPECT_EQ(back.tenant, "acme");
  EXPECT_EQ(back.ranges, r.ranges);
}

TEST(RemovalTest, DamagedRecordsAreCorruptionNeverACrash) {
  const Removal r = MakeRemoval(3, "t", {{"inode", "/x/"}}, 10, 20);
  const std::string value = r.Encode();
  Removal out;
  EXPECT_TRUE(Removal::Decode("not a removal key", value, &out).IsCorruption());
  for (size_t n = 0; n < value.size(); ++n) {
    EXPECT_FALSE(Removal::Decode(r.Key(), value.substr(0, n), &out).ok()) << "cut at " << n;
  }
  std::string flipped = value;
  flipped[flipped.size() / 2] ^= 0x40;
  EXPECT_FALSE(Removal::Decode(r.Key(), flipped, &out).ok()) << "checksummed";
}

TEST(RemovalTest, RangeBoundsKeepTenantsAndPrefixesApart) {
  std::string begin, end;
  RemovalRangeBounds("ab", "", &begin, &end);
  EXPECT_TRUE(begin <= K("ab", "x") && K("ab", "x") < end);
  EXPECT_FALSE(begin <= K("abc", "x") && K("abc", "x") < end) << "a longer tenant id";
  EXPECT_FALSE(begin <= K("a", "bx") && K("a", "bx") < end) << "a shorter tenant id";
  RemovalRangeBounds("ab", "/d/", &begin, &end);
  EXPECT_TRUE(begin <= K("ab", "/d/f") && K("ab", "/d/f") < end);
  EXPECT_FALSE(begin <= K("ab", "/d") && K("ab", "/d") < end);
  EXPECT_FALSE(begin <= K("ab", "/e/") && K("ab", "/e/") < end);
}

TEST(RemovalSetTest, HidesRecordsWrittenAtOrBeforeTheRemovalUnderItsRanges) {
  const RemovalSet set = MakeSet({MakeRemoval(1, "t", {{"inode", "/d/"}}, 100, 200)});
  struct Case {
    size_t domain;
    std::string tenant, key;
    uint64_t record_time;
    bool hidden;
  } cases[] = {
      {0, "t", "/d/f", 99, true},    // written before
      {0, "t", "/d/f", 100, true},   // in the removal's second
      {0, "t", "/d/f", 101, false},  // written after: stays visible
      {0, "t", "/e/f", 50, false},   // another prefix
      {0, "u", "/d/f", 50, false},   // another tenant
      {1, "t", "/d/f", 50, false},   // another domain
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.tenant + c.key + " at " + std::to_string(c.record_time));
    EXPECT_EQ(set.Hiding(c.domain, K(c.tenant, c.key), c.record_time) != nullptr, c.hidden);
    EXPECT_EQ(set.Covering(c.domain, K(c.tenant, c.key)) != nullptr,
              c.domain == 0 && c.tenant == "t" && c.key == "/d/f");
  }
  EXPECT_FALSE(set.empty());
  EXPECT_FALSE(set.Empty(0));
  EXPECT_TRUE(set.Empty(1));
  EXPECT_TRUE(set.Empty(7)) << "a domain past the end";
}

TEST(RemovalSetTest, OfOverlappingRemovalsTheNewestHidingOneAnswers) {
  // The tenant removed at 300, its tree at 100 and again at 200.
  const RemovalSet set = MakeSet({MakeRemoval(1, "t", {{"inode", "/d/"}}, 100, 150),
                                  MakeRemoval(2, "t", {{"inode", "/d/"}}, 200, 250, true),
                                  MakeRemoval(3, "t", {{"inode", ""}}, 300, 350)});
  EXPECT_EQ(set.Hiding(0, K("t", "/d/f"), 50)->id, 3u);
  EXPECT_EQ(set.Hiding(0, K("t", "/d/f"), 250)->id, 3u);
  EXPECT_EQ(set.Hiding(0, K("t", "/d/f"), 301), nullptr);
  EXPECT_EQ(set.Covering(0, K("t", "/d/f"))->id, 3u);
  // Every covering removal not yet marked written-under, not only the newest.
  std::vector<uint64_t> ids;
  set.UnmarkedCovering(0, K("t", "/d/f"), &ids);
  EXPECT_EQ(ids, (std::vector<uint64_t>{1, 3}));
  ids.clear();
  set.UnmarkedCovering(0, K("t", "/e/f"), &ids);
  EXPECT_EQ(ids, (std::vector<uint64_t>{3}));
  // Purgeable once a hiding removal's purge time has come; of several, one
  // nothing was written under.
  EXPECT_EQ(set.Purgeable(0, K("t", "/d/f"), 50, 149), nullptr);
  EXPECT_EQ(set.Purgeable(0, K("t", "/d/f"), 50, 150)->id, 1u);
  EXPECT_NE(set.Purgeable(0, K("t", "/d/f"), 50, 400), nullptr);
  EXPECT_FALSE(set.Purgeable(0, K("t", "/d/f"), 50, 400)->written_under);
  EXPECT_EQ(set.Purgeable(0, K("t", "/d/f"), 150, 260)->id, 2u) << "only the one at 200 hides it";
  EXPECT_EQ(set.Purgeable(0, K("t", "/d/f"), 301, 400), nullptr) << "written after every one";
}

TEST(RemovalSetTest, RangesOfUnknownDomainsAreLeftOut) {
  const RemovalSet set =
      MakeSet({MakeRemoval(1, "t", {{"history", ""}, {"dentry", ""}}, 100, 200)});
  EXPECT_TRUE(set.Empty(0));
  EXPECT_NE(set.Hiding(1, K("t", "x"), 100), nullptr);
  EXPECT_FALSE(set.empty());
  const RemovalSet none = MakeSet({MakeRemoval(1, "t", {{"history", ""}}, 100, 200)});
  EXPECT_TRUE(none.empty());
}

}  // namespace
}  // namespace metakv
