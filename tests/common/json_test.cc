// Tests of common/json_writer.h and common/json_reader.h: what the writer
// produces, what the reader accepts and rejects, and that every document
// the writer produces reads back as what was written.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <sstream>
#include <stdexcept>
#include <string>

#include "common/json_reader.h"
#include "common/json_writer.h"

namespace metakv::common {
namespace {

TEST(JsonWriterTest, CompactDocument) {
  JsonWriter w;
  w.BeginObject();
  w.Field("s", "a\"b\\c\n\t\r\x01");
  w.Field("u", uint64_t{18446744073709551615ull});
  w.Field("i", -3);
  w.Field("d", 0.25);
  w.Field("b", true);
  w.Key("n");
  w.Null();
  w.Key("a");
  w.BeginArray();
  w.Int(1);
  w.BeginObject();
  w.EndObject();
  w.BeginArray();
  w.EndArray();
  w.EndArray();
  EXPECT_FALSE(w.complete());
  w.EndObject();
  EXPECT_TRUE(w.complete());
  EXPECT_EQ(w.output(), R"({"s":"a\"b\\c\n\t\r\u0001","u":18446744073709551615,"i":-3,"d":0.25,)"
                        R"("b":true,"n":null,"a":[1,{},[]]})");
}

TEST(JsonWriterTest, SpacedDocumentAndRawValues) {
  JsonWriter inner(JsonWriter::Spacing::kSpaced);
  inner.BeginArray();
  inner.Uint(1);
  inner.Uint(2);
  inner.EndArray();
  JsonWriter w(JsonWriter::Spacing::kSpaced);
  w.BeginObject();
  w.Key("list");
  w.RawValue(inner.output());
  w.Field("x", "y");
  w.EndObject();
  EXPECT_EQ(w.output(), R"({"list": [1, 2], "x": "y"})");
}

TEST(JsonWriterTest, NonFiniteDoubles) {
  JsonWriter w;
  w.BeginArray();
  w.Double(std::nan(""));
  w.Double(std::numeric_limits<double>::infinity());
  w.DoubleOrNull(std::nan(""));
  w.DoubleOrNull(1.5);
  w.Double(1234567.0);
  w.EndArray();
  EXPECT_EQ(w.output(), "[0,0,null,1.5,1.23457e+06]");
}

TEST(JsonWriterTest, InvalidUtf8BecomesReplacementCharacter) {
  JsonWriter w;
  // Valid two- and four-byte sequences pass; a lone continuation byte, an
  // overlong encoding, a surrogate and a truncated sequence do not.
  w.String("\xc3\xa9|\xf0\x9f\x98\x80|\x80|\xc0\xaf|\xed\xa0\x80|\xe2\x82");
  EXPECT_EQ(w.output(),
            "\"\xc3\xa9|\xf0\x9f\x98\x80|\\ufffd|\\ufffd\\ufffd|\\ufffd\\ufffd\\ufffd|"
            "\\ufffd\\ufffd\"");
}

TEST(JsonWriterTest, TakeOutputAndWriteToStream) {
  JsonWriter w;
  w.BeginArray();
  w.Uint(1);
  std::string taken = "<";
  w.TakeOutput(&taken);
  EXPECT_EQ(taken, "<[1");
  EXPECT_EQ(w.buffered_bytes(), 0u);
  w.Uint(2);
  w.EndArray();
  std::ostringstream out;
  w.WriteTo(&out);
  EXPECT_EQ(out.str(), ",2]");
  EXPECT_TRUE(w.output().empty());
}

TEST(JsonReaderTest, ReadsValues) {
  JsonValue v;
  std::string error;
  ASSERT_TRUE(ParseJson(R"( {"a":[1,2.5e3,-0,true,false,null,"x\u0041\n\/"],"b":{},)"
                        R"("c": -2.5E-1, "d": "\u00e9\ud83d\ude00\ud800"} )",
                        &v, &error))
      << error;
  EXPECT_EQ(v.type, JsonValue::kObject);
  EXPECT_EQ(v.size(), 4u);
  const JsonValue& a = v["a"];
  ASSERT_EQ(a.type, JsonValue::kArray);
  ASSERT_EQ(a.size(), 7u);
  EXPECT_EQ(a[0].AsUint(), 1u);
  EXPECT_DOUBLE_EQ(a[1].number, 2500);
  EXPECT_EQ(a[3].type, JsonValue::kBool);
  EXPECT_TRUE(a[3].boolean);
  EXPECT_FALSE(a[4].boolean);
  EXPECT_EQ(a[5].type, JsonValue::kNull);
  EXPECT_EQ(a[6].string, "xA\n/");
  EXPECT_EQ(v["b"].type, JsonValue::kObject);
  EXPECT_DOUBLE_EQ(v["c"].number, -0.25);
  // U+00E9, U+1F600 from a surrogate pair, a lone surrogate as U+FFFD.
  EXPECT_EQ(v["d"].string, "\xc3\xa9\xf0\x9f\x98\x80\xef\xbf\xbd");
  EXPECT_TRUE(v.Has("a"));
  EXPECT_FALSE(v.Has("z"));
  EXPECT_EQ(v.Find("z"), nullptr);
  EXPECT_THROW(v["z"], std::out_of_range);
  EXPECT_THROW(a[7], std::out_of_range);
}

TEST(JsonReaderTest, RejectsMalformedDocuments) {
  // 66 arrays: the innermost has 65 containers around it.
  const std::string deep = std::string(66, '[') + std::string(66, ']');
  for (const std::string bad : {"",
                                " ",
                                "{",
                                "{\"a\":1",
                                "{\"a\": }",
                                "[1,]",
                                "{\"a\" 1}",
                                "{\"a\":1,}",
                                "{1:2}",
                                "01",
                                "01x",
                                "1.",
                                "1e",
                                "-",
                                "+1",
                                ".5",
                                "tru",
                                "nul",
                                "[1] x",
                                "{\"a\": 1} x",
                                "\"abc",
                                "\"\x01\"",
                                "\"\\q\"",
                                "\"\\u12\"",
                                "\"\\u12g4\"",
                                "\"\xff\"",
                                "\"\xc0\xaf\"",
                                "{\"a\": 1, \"a\": 2}",
                                deep.c_str()}) {
    JsonValue v;
    std::string error;
    EXPECT_FALSE(ParseJson(bad, &v, &error)) << bad;
    EXPECT_NE(error.find(" at offset "), std::string::npos) << error;
    EXPECT_FALSE(IsValidJson(bad, nullptr)) << bad;
  }
  const std::string deep_ok = std::string(65, '[') + std::string(65, ']');
  EXPECT_TRUE(IsValidJson(deep_ok, nullptr));
  EXPECT_TRUE(IsValidJson("{\"a\": {\"a\": 1}}\n", nullptr));  // same name, other objects
}

TEST(JsonReaderTest, SaysWhereTheErrorIs) {
  std::string error;
  EXPECT_FALSE(IsValidJson("[1, 2,]", &error));
  EXPECT_EQ(error, "unexpected character at offset 6");
  JsonValue v;
  EXPECT_FALSE(ParseJson("{\"k\": 1, \"k\": 2}", &v, &error));
  EXPECT_EQ(error, "duplicate member 'k' at offset 12");
}

// Whatever bytes a string holds, the writer's document is valid and reads
// back as the string (invalid UTF-8 as U+FFFD).
TEST(JsonRoundTripTest, EveryByteReadsBack) {
  std::string all;
  for (int c = 0; c < 0x80; ++c) all.push_back(static_cast<char>(c));
  all += "\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80";
  JsonWriter w;
  w.BeginObject();
  w.Field(all, all);
  w.Field("bad", "\xff");
  w.Field("n", uint64_t{1} << 53);
  w.EndObject();
  std::string error;
  ASSERT_TRUE(IsValidJson(w.output(), &error)) << error;
  JsonValue v;
  ASSERT_TRUE(ParseJson(w.output(), &v, &error)) << error;
  EXPECT_EQ(v[all].string, all);
  EXPECT_EQ(v["bad"].string, "\xef\xbf\xbd");
  EXPECT_EQ(v["n"].AsUint(), uint64_t{1} << 53);
}

}  // namespace
}  // namespace metakv::common
