// The record rules (compaction/record_rules.h), each from a table.
#include "compaction/record_rules.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "codecs/key_codec.h"

namespace metakv {
namespace {

using codecs::Record;
using codecs::RecordKind;

Record Rec(RecordKind kind, uint64_t time, uint64_t expiry) {
  Record r;
  r.kind = kind;
  r.time = time;
  r.expiry = expiry;
  return r;
}
constexpr RecordKind kLive = RecordKind::kLive;
constexpr RecordKind kTomb = RecordKind::kTombstone;

TEST(RecordRulesTest, VisibilityWithoutRemovals) {
  struct Case {
    Record record;
    uint64_t now;
    Visibility want;
  };
  const std::vector<Case> cases = {
      {Rec(kLive, 100, 0), 100, Visibility::kVisible},
      {Rec(kLive, 100, 0), ~uint64_t{0}, Visibility::kVisible},  // no expiry: never expires
      {Rec(kLive, 100, 200), 199, Visibility::kVisible},
      {Rec(kLive, 100, 200), 200, Visibility::kExpired},  // expired at its expiry
      {Rec(kLive, 100, 200), 201, Visibility::kExpired},
      {Rec(kTomb, 100, 0), 100, Visibility::kDeleted},
      {Rec(kTomb, 100, 200), 300, Visibility::kDeleted},  // deleted wins over expired
  };
  for (const Case& c : cases) {
    static const RemovalSet::Entry kUnset;
    const RemovalSet::Entry* hiding = &kUnset;
    EXPECT_EQ(VisibilityOf(c.record, c.now, nullptr, 0, "key", &hiding), c.want)
        << "time " << c.record.time << " expiry " << c.record.expiry << " now " << c.now;
    EXPECT_EQ(hiding, nullptr);
  }
}

TEST(RecordRulesTest, VisibilityUnderARemoval) {
  Removal removal;
  removal.id = 7;
  removal.logical = true;
  removal.time = 500;
  removal.purge_time = 1500;
  removal.tenant = "t";
  removal.ranges = {{"inode", "dir/"}};
  const RemovalSet set({removal}, 2, [](std::string_view name, size_t* index) {
    *index = name == "inode" ? 0 : 1;
    return true;
  });
  const std::string inside = codecs::EncodeKey("t", "dir/f");
  const std::string outside = codecs::EncodeKey("t", "other");
  struct Case {
    Record record;
    size_t domain;
    const std::string* key;
    Visibility want;
  };
  const std::vector<Case> cases = {
      {Rec(kLive, 500, 0), 0, &inside, Visibility::kRemoved},  // written at the removal time
      {Rec(kTomb, 400, 0), 0, &inside, Visibility::kRemoved},  // removed wins over deleted
      {Rec(kLive, 501, 0), 0, &inside, Visibility::kVisible},  // written after it
      {Rec(kLive, 400, 0), 0, &outside, Visibility::kVisible},
      {Rec(kLive, 400, 0), 1, &inside, Visibility::kVisible},  // another domain
  };
  for (const Case& c : cases) {
    const RemovalSet::Entry* hiding = nullptr;
    EXPECT_EQ(VisibilityOf(c.record, 600, &set, c.domain, *c.key, &hiding), c.want);
    EXPECT_EQ(hiding != nullptr, c.want == Visibility::kRemoved);
    if (hiding != nullptr) {
      EXPECT_EQ(hiding->id, 7u);
    }
  }
}

TEST(RecordRulesTest, Restorable) {
  struct Case {
    Record record;
    uint64_t now;
    uint64_t retention;
    Restorable want;
  };
  const std::vector<Case> cases = {
      {Rec(kLive, 100, 0), 100, 50, Restorable::kNotDeleted},
      {Rec(kTomb, 100, 0), 100, 50, Restorable::kYes},
      {Rec(kTomb, 100, 0), 149, 50, Restorable::kYes},
      {Rec(kTomb, 100, 0), 150, 50, Restorable::kRetentionPassed},  // at exactly time + retention
      {Rec(kTomb, 100, 0), 100, 0, Restorable::kRetentionPassed},   // no recycle bin
      {Rec(kTomb, 100, 120), 119, 50, Restorable::kYes},
      {Rec(kTomb, 100, 120), 120, 50, Restorable::kExpiredWhileDeleted},
      {Rec(kTomb, 100, 120), 150, 50, Restorable::kRetentionPassed},  // retention is named first
      {Rec(kTomb, ~uint64_t{0} - 5, 0), ~uint64_t{0} - 1, 50, Restorable::kYes},  // saturates
  };
  for (const Case& c : cases) {
    EXPECT_EQ(RestorableAt(c.record, c.now, c.retention), c.want)
        << "time " << c.record.time << " now " << c.now << " retention " << c.retention;
  }
}

TEST(RecordRulesTest, PurgeableFrom) {
  struct Case {
    Record record;
    uint64_t retention;
    uint64_t want;
  };
  const std::vector<Case> cases = {
      {Rec(kLive, 100, 0), 50, kNeverPurgeable},
      {Rec(kLive, 100, 300), 50, 300},
      {Rec(kTomb, 100, 0), 50, 150},
      {Rec(kTomb, 100, 0), 0, 100},
      {Rec(kTomb, 100, 120), 50, 120},  // whichever comes first
      {Rec(kTomb, 100, 900), 50, 150},
      {Rec(kTomb, ~uint64_t{0} - 5, 0), 50, ~uint64_t{0}},  // saturates: never
  };
  for (const Case& c : cases) {
    EXPECT_EQ(PurgeableFrom(c.record, c.retention), c.want)
        << "kind " << static_cast<int>(c.record.kind) << " time " << c.record.time;
    if (c.want != kNeverPurgeable) {
      EXPECT_FALSE(PurgeableAt(c.record, c.retention, c.want - 1));
      EXPECT_TRUE(PurgeableAt(c.record, c.retention, c.want));
    }
  }
}

}  // namespace
}  // namespace metakv
