// Pure helpers of the shell parser: ANSI-C decoding, literal arithmetic, lexical paths, braces.
#include "rules/shell/parser_util.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace blastwall::shell::detail {
namespace {

using ::testing::ElementsAre;

std::vector<std::string> braces(std::string_view word, size_t max_results = 1000) {
  FlaggedText ft;
  ft.append(word, 0);
  std::vector<FlaggedText> out;
  if (!brace_expand(ft, max_results, 1 << 20, 32, out)) return {"<fail>"};
  std::vector<std::string> texts;
  for (const auto& f : out) texts.push_back(f.text);
  return texts;
}

TEST(ParserUtil, ansi_c_decodes_all_escape_forms) {
  EXPECT_EQ(decode_ansi_c("\\x41\\101\\u0042\\U00000043\\n\\t\\\\\\'\\\"\\cA"),
            std::string("AAB") + "C\n\t\\'\"\x01");
}

TEST(ParserUtil, ansi_c_keeps_unknown_escapes_and_lone_backslash) {
  EXPECT_EQ(decode_ansi_c("\\q\\x\\"), "\\q\\x\\");
}

TEST(ParserUtil, ansi_c_invalid_code_point_becomes_replacement_character) {
  EXPECT_EQ(decode_ansi_c("\\UFFFFFFFF"), "\xef\xbf\xbd");
}

TEST(ParserUtil, ansi_c_string_ends_at_decoded_nul) {
  EXPECT_EQ(decode_ansi_c("rm\\x00 -rf"), "rm");
  EXPECT_EQ(decode_ansi_c("\\0"), "");
}

TEST(ParserUtil, literal_arithmetic_follows_precedence) {
  EXPECT_EQ(eval_literal_arith("1 + 2 * 3"), 7);
  EXPECT_EQ(eval_literal_arith("(1 + 2) * 3"), 9);
  EXPECT_EQ(eval_literal_arith("-4 / 2 % 3"), -2);
}

TEST(ParserUtil, arithmetic_refuses_names_division_by_zero_and_overflow) {
  EXPECT_FALSE(eval_literal_arith("x + 1"));
  EXPECT_FALSE(eval_literal_arith("1 / 0"));
  EXPECT_FALSE(eval_literal_arith("9223372036854775807 + 1"));
  EXPECT_FALSE(eval_literal_arith("010"));  // octal in bash
  EXPECT_FALSE(eval_literal_arith(std::string(1000, '(') + "1" + std::string(1000, ')')));
  EXPECT_FALSE(eval_literal_arith(""));
}

TEST(ParserUtil, resolve_path_is_lexical) {
  EXPECT_EQ(resolve_path("/home/dev", "../x/./y//z"), "/home/x/y/z");
  EXPECT_EQ(resolve_path("/a", "/b/../../c"), "/c");
  EXPECT_EQ(resolve_path("/", ".."), "/");
  EXPECT_EQ(resolve_path("", "rel"), "");
  EXPECT_EQ(resolve_path("", "/abs"), "/abs");
}

TEST(ParserUtil, brace_expansion_matches_bash_order) {
  EXPECT_THAT(braces("a{1,2}b{x,y}"), ElementsAre("a1bx", "a1by", "a2bx", "a2by"));
  EXPECT_THAT(braces("{a,b{c,d}}"), ElementsAre("a", "bc", "bd"));
  EXPECT_THAT(braces("{a}{b,c}"), ElementsAre("{a}b", "{a}c"));
  EXPECT_THAT(braces("{3..1}"), ElementsAre("3", "2", "1"));
  EXPECT_THAT(braces("{c..a}"), ElementsAre("c", "b", "a"));
  EXPECT_THAT(braces("{-1..1}"), ElementsAre("-1", "0", "1"));
  EXPECT_THAT(braces("x{,y}"), ElementsAre("x", "xy"));
}

TEST(ParserUtil, brace_expansion_ignores_protected_bytes) {
  FlaggedText ft;
  ft.append("{a,b}", k_flag_quoted);
  std::vector<FlaggedText> out;
  ASSERT_TRUE(brace_expand(ft, 10, 1024, 8, out));
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].text, "{a,b}");
}

TEST(ParserUtil, brace_expansion_refuses_results_over_the_limit) {
  EXPECT_THAT(braces("{1..100000}", 1000), ElementsAre("<fail>"));
  EXPECT_THAT(braces("{a,b}{a,b}{a,b}{a,b}{a,b}{a,b}{a,b}{a,b}{a,b}{a,b}{a,b}", 1000),
              ElementsAre("<fail>"));
}

TEST(ParserUtil, brace_expansion_refuses_deep_nesting) {
  EXPECT_THAT(braces(std::string(100, '{') + "a,b" + std::string(100, '}')), ElementsAre("<fail>"));
}

}  // namespace
}  // namespace blastwall::shell::detail
