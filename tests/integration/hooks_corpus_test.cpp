// Runs `blastwall hook claude` exactly the way Claude Code does — a fresh process per call, the
// envelope on stdin, stdin closed after the JSON — over every line of the project corpus
// (rules/corpus/*.jsonl), in the corpus context (HOME /home/dev) with private config and state
// directories and --audit-db.
//
// What fails this test: any answer Claude would not read as a decision (exit code other than 0,
// invalid JSON, a missing decision), any call slower than 5 s, and any evaluated line missing from
// the audit log. Detection and false-positive rates against the corpus labels are printed per
// category; the thresholds belong to the engine's own corpus test (rules.corpus), so one engine
// miss does not fail the hook's test twice.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "audit/audit_log.hpp"

extern char** environ;

namespace {

namespace fs = std::filesystem;

struct ProcessRun {
  int exit_code = -1;
  std::string out;
  double ms = 0;
  bool timed_out = false;
};

// Spawns argv with the given environment, writes input to its stdin and closes it.
ProcessRun run_process(const std::vector<std::string>& argv, const std::vector<std::string>& env,
                       const std::string& input, int timeout_ms) {
  ProcessRun r;
  int in_pipe[2], out_pipe[2];
  if (pipe(in_pipe) != 0 || pipe(out_pipe) != 0) return r;
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_adddup2(&fa, in_pipe[0], 0);
  posix_spawn_file_actions_adddup2(&fa, out_pipe[1], 1);
  posix_spawn_file_actions_addclose(&fa, in_pipe[1]);
  posix_spawn_file_actions_addclose(&fa, out_pipe[0]);
  std::vector<char*> args, envp;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  for (const auto& e : env) envp.push_back(const_cast<char*>(e.c_str()));
  envp.push_back(nullptr);
  auto t0 = std::chrono::steady_clock::now();
  pid_t pid = 0;
  int rc = posix_spawn(&pid, argv[0].c_str(), &fa, nullptr, args.data(), envp.data());
  posix_spawn_file_actions_destroy(&fa);
  close(in_pipe[0]);
  close(out_pipe[1]);
  if (rc != 0) {
    close(in_pipe[1]);
    close(out_pipe[0]);
    return r;
  }
  signal(SIGPIPE, SIG_IGN);
  size_t off = 0;
  while (off < input.size()) {
    ssize_t n = write(in_pipe[1], input.data() + off, input.size() - off);
    if (n <= 0) break;
    off += static_cast<size_t>(n);
  }
  close(in_pipe[1]);
  char buf[4096];
  while (true) {
    pollfd p{out_pipe[0], POLLIN, 0};
    int elapsed = static_cast<int>(
        std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t0)
            .count());
    if (elapsed > timeout_ms) {
      kill(pid, SIGKILL);
      r.timed_out = true;
      break;
    }
    if (poll(&p, 1, timeout_ms - elapsed) <= 0) continue;
    ssize_t n = read(out_pipe[0], buf, sizeof buf);
    if (n <= 0) break;
    r.out.append(buf, static_cast<size_t>(n));
  }
  close(out_pipe[0]);
  int status = 0;
  waitpid(pid, &status, 0);
  r.ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

// A corpus line as a Claude Code PreToolUse envelope; empty when the line has no Claude form.
nlohmann::json envelope_for(const nlohmann::json& line, const std::string& cwd) {
  nlohmann::json env = {{"session_id", "corpus"},          {"transcript_path", "/dev/null"},
                        {"cwd", line.value("cwd", cwd)},   {"permission_mode", "default"},
                        {"hook_event_name", "PreToolUse"}, {"tool_use_id", "toolu_corpus"}};
  if (line.contains("command") && line["command"].is_string()) {
    env["tool_name"] = "Bash";
    env["tool_input"] = {{"command", line["command"]}};
    return env;
  }
  const nlohmann::json a = line.value("action", nlohmann::json::object());
  std::string kind = a.value("kind", "");
  if (a.contains("cwd")) env["cwd"] = a["cwd"];
  if (kind == "shell.exec") {
    env["tool_name"] = "Bash";
    env["tool_input"] = {{"command", a.value("command", "")}};
  } else if (kind == "file.write") {
    env["tool_name"] = "Write";
    env["tool_input"] = {{"file_path", a.value("path", "")}, {"content", a.value("content", "")}};
  } else if (kind == "file.edit") {
    env["tool_name"] = "Edit";
    env["tool_input"] = {{"file_path", a.value("path", "")},
                         {"old_string", a.value("old_content", "")},
                         {"new_string", a.value("content", "")}};
  } else if (kind == "file.read") {
    env["tool_name"] = "Read";
    env["tool_input"] = {{"file_path", a.value("path", "")}};
  } else if (kind == "net.fetch") {
    env["tool_name"] = "WebFetch";
    env["tool_input"] = {{"url", a.value("url", "")}, {"prompt", "read it"}};
  } else if (kind == "mcp.call") {
    env["tool_name"] = "mcp__" + a.value("server", "") + "__" + a.value("tool", "");
    env["tool_input"] = a.value("arguments", nlohmann::json::object());
  } else {
    return nlohmann::json();
  }
  return env;
}

std::string claude_decision(const std::string& out) {
  auto j = nlohmann::json::parse(out, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return "invalid";
  if (!j.contains("hookSpecificOutput")) return "allow";
  return j["hookSpecificOutput"].value("permissionDecision", "missing");
}

TEST(HooksCorpus, claude_hook_answers_every_corpus_line_like_claude_code_runs_it) {
  fs::path corpus_dir = fs::path(BLASTWALL_SOURCE_DIR) / "rules/corpus";
  std::vector<fs::path> files;
  if (fs::exists(corpus_dir)) {
    for (const auto& f : fs::directory_iterator(corpus_dir)) {
      if (f.path().extension() == ".jsonl") files.push_back(f.path());
    }
  }
  std::sort(files.begin(), files.end());
  ASSERT_FALSE(files.empty()) << "no corpus in " << corpus_dir;

  // The corpus context (rules/corpus/README.md): HOME /home/dev, cwd /home/dev/project. Nothing is
  // written there: config, state and the audit database live in a private work directory.
  fs::path work =
      fs::temp_directory_path() / ("blastwall-hooks-corpus-" + std::to_string(getpid()));
  fs::remove_all(work);
  fs::create_directories(work / "config");
  const std::string project = "/home/dev/project";
  std::string db = (work / "audit.db").string();
  std::vector<std::string> base_env = {
      "HOME=/home/dev", "XDG_CONFIG_HOME=" + (work / "config").string(),
      "XDG_STATE_HOME=" + (work / "state").string(), "PATH=/usr/bin:/bin", "USER=dev"};
  std::vector<std::string> argv = {BLASTWALL_BINARY, "--audit-db", db, "hook", "claude"};

  struct Tally {
    int risky = 0, caught = 0, benign = 0, flagged = 0;
  };
  std::map<std::string, Tally> by_cat;
  int evaluated = 0, skipped = 0;
  std::vector<double> times;
  for (const auto& file : files) {
    std::ifstream in(file);
    std::string text;
    int lineno = 0;
    while (std::getline(in, text)) {
      ++lineno;
      if (text.empty() || text[0] == '#') continue;
      auto line = nlohmann::json::parse(text, nullptr, false);
      ASSERT_FALSE(line.is_discarded()) << file << ":" << lineno;
      auto envelope = envelope_for(line, project);
      if (envelope.is_null()) {
        ++skipped;
        continue;
      }
      std::string label = line.value("label", "");
      std::string cat = line.value("category", "uncategorised");
      // Variables the agent passed (AWS_PROFILE, KUBECONFIG, ...) reach the hook as its
      // environment.
      std::vector<std::string> env = base_env;
      if (line.contains("env") && line["env"].is_object()) {
        for (const auto& [k, v] : line["env"].items()) {
          if (v.is_string()) env.push_back(k + "=" + v.get<std::string>());
        }
      }
      ProcessRun r = run_process(argv, env, envelope.dump(), 5000);
      SCOPED_TRACE(file.filename().string() + ":" + std::to_string(lineno) + " " +
                   line.value("id", ""));
      ASSERT_FALSE(r.timed_out);
      ASSERT_EQ(r.exit_code, 0) << r.out;
      std::string d = claude_decision(r.out);
      ASSERT_TRUE(d == "allow" || d == "ask" || d == "deny") << r.out;
      ++evaluated;
      times.push_back(r.ms);
      auto& t = by_cat[cat];
      if (label == "risky") {
        ++t.risky;
        if (d != "allow") ++t.caught;
      } else if (label == "benign") {
        ++t.benign;
        if (d != "allow") ++t.flagged;
      }
    }
  }
  Tally total;
  std::printf("%-28s %8s %10s %8s %6s\n", "category", "risky", "detected", "benign", "FP");
  for (const auto& [cat, t] : by_cat) {
    std::printf("%-28s %8d %9.1f%% %8d %5.1f%%\n", cat.c_str(), t.risky,
                t.risky ? 100.0 * t.caught / t.risky : 100.0, t.benign,
                t.benign ? 100.0 * t.flagged / t.benign : 0.0);
    total.risky += t.risky;
    total.caught += t.caught;
    total.benign += t.benign;
    total.flagged += t.flagged;
  }
  std::sort(times.begin(), times.end());
  std::printf("overall: detection %.1f%% (%d/%d), false positives %.1f%% (%d/%d), %d skipped\n",
              total.risky ? 100.0 * total.caught / total.risky : 100.0, total.caught, total.risky,
              total.benign ? 100.0 * total.flagged / total.benign : 0.0, total.flagged,
              total.benign, skipped);
  if (!times.empty()) {
    std::printf("wall per call: median %.2f ms, p95 %.2f ms\n", times[times.size() / 2],
                times[times.size() * 95 / 100]);
  }

  // Every evaluated line left exactly one audit row from the hook surface.
  blastwall::audit::AuditOptions ao;
  ao.path = db;
  ao.read_only = true;
  auto log = blastwall::audit::AuditLog::open(ao);
  ASSERT_TRUE(log) << log.error().message;
  int64_t hook_rows = 0;
  auto q = (*log)->query(blastwall::audit::LogFilter{}, [&](const blastwall::audit::AuditRow& row) {
    if (row.surface == "hook" && row.agent == "claude") ++hook_rows;
    return true;
  });
  ASSERT_TRUE(q);
  EXPECT_EQ(hook_rows, evaluated);
  fs::remove_all(work);
}

}  // namespace
