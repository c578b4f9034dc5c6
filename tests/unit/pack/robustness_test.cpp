// Malformed and hostile inputs: every one is an Error, never an exception, crash or hang.
#include <gtest/gtest.h>

#include <random>
#include <string>

#include "blastwall/policy.hpp"
#include "pack_test_util.hpp"
#include "rules/pack/loader.hpp"

namespace blastwall::rules {
namespace {

std::string error_of(std::string_view text) {
  auto r = load_pack_text(text, "x.yaml");
  return r ? std::string() : r.error().format();
}

TEST(PackRobustness, tab_indentation_is_a_syntax_error_with_position) {
  auto r = load_pack_text("format: 1\npack:\n\tid: t.p\n", "x.yaml");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().line, 3);
  EXPECT_NE(r.error().message.find("YAML syntax error"), std::string::npos);
}

TEST(PackRobustness, unterminated_quote_is_an_error) {
  auto r = load_pack_text("format: 1\npack: {id: 't.p, version: 1.0.0}\nrules: []\n", "x.yaml");
  ASSERT_FALSE(r);
  EXPECT_GT(r.error().line, 0);
}

TEST(PackRobustness, nul_byte_is_rejected_at_its_position) {
  std::string text = "format: 1\npack: {id: t.p";
  text += '\0';
  text += "}\n";
  auto r = load_pack_text(text, "x.yaml");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().line, 2);
  EXPECT_EQ(r.error().column, 15);
  EXPECT_NE(r.error().message.find("NUL byte"), std::string::npos);
}

TEST(PackRobustness, non_mapping_documents_are_errors) {
  EXPECT_NE(error_of(""), "");
  EXPECT_NE(error_of("# only a comment\n"), "");
  EXPECT_NE(error_of("- a\n- b\n").find("a rule pack must be a mapping"), std::string::npos);
  EXPECT_NE(error_of("just a scalar").find("must be a mapping"), std::string::npos);
}

TEST(PackRobustness, second_document_is_rejected) {
  auto r = load_pack_text("format: 1\n---\nformat: 1\n", "x.yaml");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().line, 2);
  EXPECT_NE(r.error().message.find("unexpected content after the first YAML document"),
            std::string::npos);
}

TEST(PackRobustness, stray_comma_in_block_context_is_an_error_not_a_hang) {
  // yaml-cpp 0.7's LoadAll never returns on these; the loader must.
  for (const char* text : {",", ",a", "- a\n,", "# c\n,", "!!str ,", "format: 1\n---\n,"}) {
    auto r = load_pack_text(text, "x.yaml");
    EXPECT_FALSE(r) << text;
  }
}

TEST(PackRobustness, oversize_text_is_rejected_before_parsing) {
  std::string big(4u * 1024u * 1024u + 1u, '#');
  auto r = load_pack_text(big, "big.yaml");
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("file too large"), std::string::npos);
}

TEST(PackRobustness, deep_nesting_is_rejected) {
  std::string deep = "format: 1\nx: " + std::string(100, '[') + std::string(100, ']') + "\n";
  auto r = load_pack_text(deep, "x.yaml");
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("nesting deeper than 64"), std::string::npos);
  // Far deeper than yaml-cpp's own guard: still an error, not a stack overflow.
  std::string deeper = "x: " + std::string(5000, '[') + std::string(5000, ']') + "\n";
  EXPECT_FALSE(load_pack_text(deeper, "x.yaml"));
}

TEST(PackRobustness, alias_bomb_is_rejected_by_node_count) {
  std::string text = "a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n";
  for (int i = 1; i < 10; ++i) {
    text += "a" + std::to_string(i) + ": &a" + std::to_string(i) + " [";
    for (int k = 0; k < 10; ++k) text += (k ? ", *a" : "*a") + std::to_string(i - 1);
    text += "]\n";
  }
  auto r = load_pack_text(text, "bomb.yaml");
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("document too large"), std::string::npos);
}

TEST(PackRobustness, small_aliases_are_allowed) {
  auto text = testing::pack_with_when("&c {cmd: [rm]}") +
              "  - {id: t.pack.s, title: S, decision: ask, message: m, when: *c}\n";
  auto r = load_pack_text(text, "x.yaml");
  ASSERT_TRUE(r) << r.error().format();
  EXPECT_EQ(r->rules[1].when.values, std::vector<std::string>{"rm"});
}

TEST(PackRobustness, random_binary_junk_never_crashes) {
  std::mt19937 rng(12345);
  for (int i = 0; i < 300; ++i) {
    std::string junk(static_cast<std::size_t>(rng() % 200), '\0');
    for (auto& c : junk) c = static_cast<char>(rng() % 256);
    auto r = load_pack_text(junk, "junk.yaml");
    EXPECT_FALSE(r);  // random bytes are never a valid pack
  }
}

TEST(PackRobustness, mutated_good_pack_never_crashes) {
  const std::string good = testing::pack_with_rules(
      "  - id: t.pack.r\n    title: T\n    decision: ask\n    message: m\n"
      "    when: {all: [{cmd: [rm]}, {field: line, matches: ['a(b|c)']}]}\n"
      "    tests: {match: ['rm -rf x', {command: 'rm y'}]}\n");
  ASSERT_TRUE(load_pack_text(good, "g.yaml"));
  std::mt19937 rng(777);
  const char k_specials[] = "{}[]:,'\"&*!|>-?#\t\n %@`\\";
  int failures = 0;
  for (int i = 0; i < 2000; ++i) {
    std::string m = good;
    int edits = 1 + static_cast<int>(rng() % 4);
    for (int e = 0; e < edits; ++e) {
      std::size_t pos = rng() % m.size();
      switch (rng() % 3) {
        case 0:
          m[pos] = k_specials[rng() % (sizeof(k_specials) - 1)];
          break;
        case 1:
          m.erase(pos, 1 + rng() % 8);
          break;
        default:
          m.insert(pos, 1, k_specials[rng() % (sizeof(k_specials) - 1)]);
      }
      if (m.empty()) m = "x";
    }
    auto r = load_pack_text(m, "m.yaml");
    if (!r) {
      ++failures;
      EXPECT_FALSE(r.error().message.empty());
    }
  }
  EXPECT_GT(failures, 0);
}

TEST(PackRobustness, policy_loader_survives_junk) {
  std::mt19937 rng(99);
  for (int i = 0; i < 200; ++i) {
    std::string junk(static_cast<std::size_t>(rng() % 120), '\0');
    for (auto& c : junk) c = static_cast<char>(rng() % 256);
    auto r = parse_policy_layers({PolicyLayer{PolicyLayer::Tier::user, "/u.yaml", junk}});
    if (!r) {
      EXPECT_FALSE(r.error().message.empty());
    }
  }
}

}  // namespace
}  // namespace blastwall::rules
