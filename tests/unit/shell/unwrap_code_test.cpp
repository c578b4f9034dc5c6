// Unit tests for the pieces behind unwrap(): one-level decoders, the interpreter code scanner and
// the SQL statement splitter. End-to-end behaviour is in unwrap_test.cpp.
#include <gtest/gtest.h>

#include "rules/shell/unwrap_internal.hpp"

namespace blastwall::shell::detail {
namespace {

std::vector<std::string> argv_of(const CodeFinding& f) {
  std::vector<std::string> out;
  for (const auto& a : f.argv) out.push_back(a.text);
  return out;
}

using V = std::vector<std::string>;

TEST(UnwrapDecode, base64_decodes_with_and_without_padding) {
  EXPECT_EQ(decode_base64("cm0gLXJmIH4="), "rm -rf ~");
  EXPECT_EQ(decode_base64("cm0gLXJmIH4"), "rm -rf ~");
  EXPECT_EQ(decode_base64("cm0g\nLXJmIH4=\n"), "rm -rf ~");
}

TEST(UnwrapDecode, base64_rejects_non_alphabet_and_truncated_input) {
  EXPECT_FALSE(decode_base64("not base64!"));
  EXPECT_FALSE(decode_base64("a"));
  EXPECT_FALSE(decode_base64(""));
  EXPECT_FALSE(decode_base64("cm0=gLX"));
}

TEST(UnwrapDecode, hex_decodes_plain_dump) {
  EXPECT_EQ(decode_hex("726d202d7266202f"), "rm -rf /");
  EXPECT_EQ(decode_hex("72 6d\n"), "rm");
  EXPECT_FALSE(decode_hex("7"));
  EXPECT_FALSE(decode_hex("zz"));
}

TEST(UnwrapDecode, junk_is_not_text) {
  EXPECT_TRUE(looks_like_text("rm -rf /\n"));
  EXPECT_FALSE(looks_like_text(std::string("\x01\x02rm", 4)));
  EXPECT_FALSE(looks_like_text(""));
}

TEST(UnwrapCode, python_rmtree_literal_becomes_rm_rf) {
  const auto f = scan_inline_code("python", "import shutil;shutil.rmtree('proj')");
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].kind, CodeFinding::Kind::argv);
  EXPECT_EQ(argv_of(f[0]), (V{"rm", "-rf", "proj"}));
  EXPECT_FALSE(f[0].argv[2].dynamic);
}

TEST(UnwrapCode, python_rmtree_of_variable_is_dynamic_target) {
  const auto f = scan_inline_code("python", "import shutil, sys\nshutil.rmtree(sys.argv[1])");
  ASSERT_EQ(f.size(), 1u);
  EXPECT_TRUE(f[0].argv[2].dynamic);
  EXPECT_EQ(f[0].argv[2].text, "sys.argv[1]");
}

TEST(UnwrapCode, python_os_remove_and_pathlib_unlink_become_rm) {
  const auto f =
      scan_inline_code("python", "import os, pathlib\nos.remove('a.txt')\nPath('b.txt').unlink()");
  ASSERT_EQ(f.size(), 2u);
  EXPECT_EQ(argv_of(f[0]), (V{"rm", "a.txt"}));
  EXPECT_EQ(argv_of(f[1]), (V{"rm", "b.txt"}));
}

TEST(UnwrapCode, python_os_system_is_shell_text) {
  const auto f = scan_inline_code("python", "import os; os.system(\"rm -rf ~/x\")");
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].kind, CodeFinding::Kind::shell_text);
  EXPECT_EQ(f[0].text.text, "rm -rf ~/x");
}

TEST(UnwrapCode, python_subprocess_list_is_argv) {
  const auto f = scan_inline_code(
      "python", "import subprocess\nsubprocess.run(['rm', '-rf', 'build'], check=True)");
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].kind, CodeFinding::Kind::argv);
  EXPECT_EQ(argv_of(f[0]), (V{"rm", "-rf", "build"}));
}

TEST(UnwrapCode, python_subprocess_shell_true_string_is_shell_text) {
  const auto f = scan_inline_code("python", "subprocess.call('git push --force', shell=True)");
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].kind, CodeFinding::Kind::shell_text);
  EXPECT_EQ(f[0].text.text, "git push --force");
}

TEST(UnwrapCode, python_fstring_is_dynamic) {
  const auto f = scan_inline_code("python", "os.system(f'rm -rf {path}')");
  ASSERT_EQ(f.size(), 1u);
  EXPECT_TRUE(f[0].text.dynamic);
}

TEST(UnwrapCode, python_open_for_write_is_write_marker_and_read_is_cat) {
  const auto f =
      scan_inline_code("python", "open('/etc/hosts','w').write('x'); open('r.txt').read()");
  ASSERT_EQ(f.size(), 2u);
  EXPECT_EQ(argv_of(f[0]), (V{"tee", "/etc/hosts"}));
  EXPECT_EQ(argv_of(f[1]), (V{"cat", "r.txt"}));  // judged like cat: secrets rules see the file
}

TEST(UnwrapCode, python_execute_sql_is_sql_finding) {
  const auto f = scan_inline_code("python", "cur.execute(\"DROP TABLE users\")");
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].kind, CodeFinding::Kind::sql);
  EXPECT_EQ(f[0].text.text, "DROP TABLE users");
}

TEST(UnwrapCode, strings_and_comments_do_not_produce_calls) {
  EXPECT_TRUE(
      scan_inline_code("python", "print('shutil.rmtree(\"/\")')  # os.remove('x')").empty());
  EXPECT_TRUE(
      scan_inline_code("node", "console.log('fs.rmSync(\"/\")') // fs.unlinkSync('x')").empty());
}

TEST(UnwrapCode, node_rmsync_recursive_is_rm_rf_and_plain_is_rm) {
  const auto f = scan_inline_code(
      "node",
      "const fs=require('fs');fs.rmSync('dist',{recursive:true,force:true});fs.rmSync('a')");
  ASSERT_EQ(f.size(), 2u);
  EXPECT_EQ(argv_of(f[0]), (V{"rm", "-rf", "dist"}));
  EXPECT_EQ(argv_of(f[1]), (V{"rm", "a"}));
}

TEST(UnwrapCode, node_exec_sync_and_spawn_sh_c_are_shell_text) {
  const auto f = scan_inline_code(
      "node", "require('child_process').execSync('rm -rf /tmp/x'); cp.spawn('sh', ['-c', 'ls'])");
  ASSERT_EQ(f.size(), 2u);
  EXPECT_EQ(f[0].kind, CodeFinding::Kind::shell_text);
  EXPECT_EQ(f[0].text.text, "rm -rf /tmp/x");
  EXPECT_EQ(f[1].kind, CodeFinding::Kind::shell_text);
  EXPECT_EQ(f[1].text.text, "ls");
}

TEST(UnwrapCode, node_template_literal_with_substitution_is_dynamic) {
  const auto f = scan_inline_code("node", "execSync(`rm -rf ${dir}`)");
  ASSERT_EQ(f.size(), 1u);
  EXPECT_TRUE(f[0].text.dynamic);
}

TEST(UnwrapCode, perl_system_backticks_and_unlink) {
  const auto f =
      scan_inline_code("perl", "system(\"rm -rf /srv\"); my $x = `ls`; unlink 'a', 'b';");
  ASSERT_EQ(f.size(), 3u);
  EXPECT_EQ(f[0].kind, CodeFinding::Kind::shell_text);
  EXPECT_EQ(f[0].text.text, "rm -rf /srv");
  EXPECT_EQ(f[1].kind, CodeFinding::Kind::shell_text);
  EXPECT_EQ(f[1].text.text, "ls");
  EXPECT_EQ(argv_of(f[2]), (V{"rm", "a", "b"}));
}

TEST(UnwrapCode, perl_interpolated_string_is_dynamic_single_quoted_is_not) {
  const auto f = scan_inline_code("perl", "system(\"rm $dir\"); system('rm $dir')");
  ASSERT_EQ(f.size(), 2u);
  EXPECT_TRUE(f[0].text.dynamic);
  EXPECT_FALSE(f[1].text.dynamic);
}

TEST(UnwrapCode, perl_qx_is_shell_text) {
  const auto f = scan_inline_code("perl", "print qx{git reset --hard};");
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].text.text, "git reset --hard");
}

TEST(UnwrapCode, ruby_fileutils_rm_rf_and_percent_x) {
  const auto f =
      scan_inline_code("ruby", "require 'fileutils'; FileUtils.rm_rf('tmp'); %x{ls -la}");
  ASSERT_EQ(f.size(), 2u);
  EXPECT_EQ(argv_of(f[0]), (V{"rm", "-rf", "tmp"}));
  EXPECT_EQ(f[1].kind, CodeFinding::Kind::shell_text);
  EXPECT_EQ(f[1].text.text, "ls -la");
}

TEST(UnwrapCode, ruby_system_with_several_args_is_argv) {
  const auto f = scan_inline_code("ruby", "system('rm', '-rf', 'x')");
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].kind, CodeFinding::Kind::argv);
  EXPECT_EQ(argv_of(f[0]), (V{"rm", "-rf", "x"}));
}

TEST(UnwrapCode, php_shell_exec_and_unlink) {
  const auto f = scan_inline_code("php", "shell_exec('whoami'); unlink('/var/www/index.php');");
  ASSERT_EQ(f.size(), 2u);
  EXPECT_EQ(f[0].text.text, "whoami");
  EXPECT_EQ(argv_of(f[1]), (V{"rm", "/var/www/index.php"}));
}

TEST(UnwrapCode, unknown_language_finds_nothing) {
  EXPECT_TRUE(scan_inline_code("cobol", "os.system('rm -rf /')").empty());
}

TEST(UnwrapCode, unterminated_string_does_not_hang_or_crash) {
  const auto f = scan_inline_code("python", "os.system('rm -rf /");
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].text.text, "rm -rf /");
  EXPECT_TRUE(scan_inline_code("node", "execSync(`").size() <= 1u);
  EXPECT_TRUE(scan_inline_code("perl", "qx{").size() <= 1u);
}

TEST(UnwrapSql, statements_split_outside_quotes_and_comments) {
  const auto s = split_sql("DELETE FROM t WHERE a=';'; -- c;\nDROP TABLE x;;  ");
  ASSERT_EQ(s.size(), 2u);
  EXPECT_EQ(s[0], "DELETE FROM t WHERE a=';'");
  EXPECT_EQ(s[1], "DROP TABLE x");
}

}  // namespace
}  // namespace blastwall::shell::detail
