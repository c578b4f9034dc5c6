// Write-then-run and `source /dev/stdin`: text the line itself hands to a shell later on.
#include <gtest/gtest.h>

#include <algorithm>

#include "rules/shell/shell.hpp"

namespace blastwall::shell {
namespace {

ShellParse parse(const std::string& line) {
  ShellEnv env{"/home/dev/project", "/home/dev", "dev", {}, {}};
  return parse_shell(line, env);
}

bool runs(const ShellParse& p, const std::string& joined) {
  return std::any_of(p.commands.begin(), p.commands.end(),
                     [&](const auto& c) { return c.joined() == joined; });
}

TEST(UnwrapScripts, script_written_then_run_with_bash_is_parsed) {
  auto p = parse("echo 'rm -rf ~' > /tmp/x.sh; bash /tmp/x.sh");
  EXPECT_TRUE(runs(p, "rm -rf /home/dev"));
}

TEST(UnwrapScripts, script_written_then_run_by_path_is_parsed) {
  auto p = parse("printf 'git push -f origin main\\n' > run.sh && chmod +x run.sh && ./run.sh");
  EXPECT_TRUE(runs(p, "git push -f origin main"));
}

TEST(UnwrapScripts, heredoc_script_then_source_is_parsed) {
  auto p = parse("cat > s.sh <<'EOF'\nrm -rf /\nEOF\nsource s.sh");
  EXPECT_TRUE(runs(p, "rm -rf /"));
}

TEST(UnwrapScripts, appended_lines_accumulate) {
  auto p = parse("echo 'ls' > a.sh; echo 'rm -rf /etc' >> a.sh; sh a.sh");
  EXPECT_TRUE(runs(p, "ls"));
  EXPECT_TRUE(runs(p, "rm -rf /etc"));
}

TEST(UnwrapScripts, unknown_script_is_kept_as_is) {
  auto p = parse("bash deploy.sh");
  EXPECT_TRUE(runs(p, "bash deploy.sh"));
}

TEST(UnwrapScripts, overwritten_with_unknown_content_is_forgotten) {
  auto p = parse("echo 'rm -rf ~' > x.sh; curl -s https://e.x > x.sh; bash x.sh");
  EXPECT_FALSE(runs(p, "rm -rf /home/dev"));
}

TEST(UnwrapScripts, source_dev_stdin_reads_the_here_string) {
  auto p = parse("source /dev/stdin <<< \"rm -rf ~\"");
  EXPECT_TRUE(runs(p, "rm -rf /home/dev"));
}

}  // namespace
}  // namespace blastwall::shell
