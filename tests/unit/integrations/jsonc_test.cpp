#include "integrations/common/jsonc.hpp"

#include <gtest/gtest.h>

namespace blastwall::integrations {
namespace {

TEST(Jsonc, comments_and_trailing_commas_parse) {
  auto v = parse_jsonc("{\n  // a comment\n  \"a\": [1, 2,], /* block */ \"b\": \"x//y\",\n}\n");
  ASSERT_TRUE(v) << v.error().message;
  EXPECT_EQ((*v)["a"].size(), 2u);
  EXPECT_EQ((*v)["b"], "x//y");
}

TEST(Jsonc, invalid_json_is_an_error) {
  EXPECT_FALSE(parse_jsonc("{\"a\": }"));
  EXPECT_FALSE(JsoncEditor::open("{\"a\": 1"));
}

TEST(Jsonc, set_inserts_member_keeping_comments_and_indentation) {
  const std::string in = "{\n    // keep me\n    \"theme\": \"dark\" // and me\n}\n";
  auto ed = JsoncEditor::open(in);
  ASSERT_TRUE(ed);
  ASSERT_TRUE(ed->set({"hooks", "PreToolUse"}, nlohmann::ordered_json::array()));
  EXPECT_EQ(ed->text(),
            "{\n    // keep me\n    \"theme\": \"dark\", // and me\n    \"hooks\": {\n"
            "        \"PreToolUse\": []\n    }\n}\n");
}

TEST(Jsonc, append_creates_missing_array_and_appends_to_existing) {
  auto ed = JsoncEditor::open("{\"a\": {\"list\": [1]}}");
  ASSERT_TRUE(ed);
  ASSERT_TRUE(ed->append({"a", "list"}, 2));
  ASSERT_TRUE(ed->append({"a", "other"}, "x"));
  EXPECT_EQ(ed->value()["a"]["list"], nlohmann::json::array({1, 2}));
  EXPECT_EQ(ed->value()["a"]["other"], nlohmann::json::array({"x"}));
  EXPECT_EQ(ed->text().substr(0, 19), "{\"a\": {\"list\": [1, ");
}

TEST(Jsonc, replace_value_changes_only_that_span) {
  const std::string in = "{\n  \"s\": {\"command\": \"npx\", /* c */ \"args\": [\"-y\"]}\n}";
  auto ed = JsoncEditor::open(in);
  ASSERT_TRUE(ed);
  ASSERT_TRUE(ed->set({"s", "command"}, "/bin/blastwall"));
  EXPECT_EQ(ed->text(),
            "{\n  \"s\": {\"command\": \"/bin/blastwall\", /* c */ \"args\": [\"-y\"]}\n}");
}

TEST(Jsonc, erase_member_and_array_element_keep_valid_json) {
  auto ed = JsoncEditor::open("{\n  \"a\": 1,\n  \"b\": [1, 2, 3],\n  \"c\": 3\n}\n");
  ASSERT_TRUE(ed);
  ASSERT_TRUE(ed->erase({"c"}));
  ASSERT_TRUE(ed->erase({"b", size_t{1}}));
  EXPECT_EQ(ed->text(), "{\n  \"a\": 1,\n  \"b\": [1, 3]\n}\n");
  ASSERT_TRUE(ed->erase({"a"}));
  EXPECT_EQ(ed->text(), "{\n  \"b\": [1, 3]\n}\n");
  auto missing = ed->erase({"zzz"});
  ASSERT_TRUE(missing);
  EXPECT_FALSE(*missing);
}

TEST(Jsonc, empty_file_becomes_an_object) {
  auto ed = JsoncEditor::open("");
  ASSERT_TRUE(ed);
  ASSERT_TRUE(ed->set({"version"}, 1));
  EXPECT_EQ(ed->text(), "{\n  \"version\": 1\n}\n");
}

TEST(Jsonc, trailing_comma_style_is_kept_when_appending) {
  auto ed = JsoncEditor::open("{\n  \"a\": 1,\n}\n");
  ASSERT_TRUE(ed);
  ASSERT_TRUE(ed->set({"b"}, 2));
  EXPECT_EQ(ed->text(), "{\n  \"a\": 1,\n  \"b\": 2,\n}\n");
}

TEST(Jsonc, deep_nesting_is_rejected_not_crashing) {
  std::string deep(100000, '[');
  EXPECT_FALSE(JsoncEditor::open(deep));
}

}  // namespace
}  // namespace blastwall::integrations
