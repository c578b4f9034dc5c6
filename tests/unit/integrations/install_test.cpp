#include "integrations/common/install.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include "integrations/common/files.hpp"
#include "integrations/common/toml_mcp.hpp"
#include "test_util.hpp"

namespace blastwall::integrations {
namespace {

namespace fs = std::filesystem;
using testing::slurp;
using testing::snapshot;

const fs::path k_configs = fs::path(BLASTWALL_SOURCE_DIR) / "tests/fixtures/agents/configs";
constexpr const char* k_bin = "/opt/blastwall/bin/blastwall";

struct Sandbox {
  fs::path root;
  InstallOptions opts;
  explicit Sandbox(const std::string& name, bool project) {
    root = testing::temp_dir(name);
    fs::copy(k_configs, root, fs::copy_options::recursive);
    opts.paths.home = (root / "home").string();
    opts.paths.project = (root / "project").string();
    opts.paths.xdg_config = opts.paths.home + "/.config";
    opts.paths.codex_home = opts.paths.home + "/.codex";
    opts.paths.project_scope = project;
    opts.bin = k_bin;
    opts.backup_dir = (root / "state/backups").string();
  }
  ~Sandbox() { fs::remove_all(root); }
  std::map<std::string, std::string> files() const {
    auto all = snapshot(root);
    std::map<std::string, std::string> out;
    for (auto& [k, v] : all) {
      if (k.rfind("state/", 0) != 0) out[k] = v;
    }
    return out;
  }
};

class RoundTrip : public ::testing::TestWithParam<std::tuple<std::string, bool>> {};

TEST_P(RoundTrip, install_is_idempotent_and_uninstall_restores_bytes) {
  const auto& [agent, project] = GetParam();
  const AgentSpec* spec = find_agent_spec(agent);
  ASSERT_NE(spec, nullptr);
  Sandbox box(agent + (project ? "-p" : "-u"), project);
  auto before = box.files();

  auto dry = box.opts;
  dry.dry_run = true;
  auto dry_rep = install_agent(*spec, dry);
  EXPECT_TRUE(dry_rep.errors.empty());
  EXPECT_EQ(box.files(), before) << "--dry-run changed files";

  auto rep = install_agent(*spec, box.opts);
  ASSERT_TRUE(rep.errors.empty()) << rep.errors.front();
  auto installed = box.files();
  bool changed = false;
  for (const auto& f : rep.files)
    changed = changed || f.action == "updated" || f.action == "created";
  if (spec->has_hooks) {
    EXPECT_TRUE(changed) << agent << ": a hook agent must change something";
  }
  // Every MCP file it touched now has only wrapped (or remote) servers; hook files hold our hook.
  for (const auto& file : spec->config_files(box.opts.paths, hook_command_line(k_bin, agent))) {
    auto text = read_text_file(file.path);
    ASSERT_TRUE(text);
    if (!text->exists) continue;
    for (const auto& s : mcp_servers_in(file, text->text)) {
      if (s.key == "legacy") continue;  // Zed's old command-object form is reported, not edited
      EXPECT_TRUE(s.wrapped || s.remote) << file.path << " server " << s.key;
    }
    if (!file.slots.empty()) {
      auto v = parse_jsonc(text->text);
      ASSERT_TRUE(v) << file.path;
      EXPECT_NE(text->text.find(std::string(k_bin) + " hook " + agent), std::string::npos);
    }
  }

  auto again = install_agent(*spec, box.opts);
  ASSERT_TRUE(again.errors.empty());
  for (const auto& f : again.files) EXPECT_NE(f.action, "updated") << f.path;
  EXPECT_EQ(box.files(), installed) << "second install changed files";

  auto un = uninstall_agent(*spec, box.opts);
  ASSERT_TRUE(un.errors.empty()) << un.errors.front();
  EXPECT_EQ(box.files(), before) << "uninstall did not restore byte for byte";
}

INSTANTIATE_TEST_SUITE_P(Agents, RoundTrip,
                         ::testing::Combine(::testing::Values("claude", "cursor", "gemini", "codex",
                                                              "vscode", "copilot", "claude-desktop",
                                                              "windsurf", "cline", "roo", "zed"),
                                            ::testing::Bool()),
                         [](const auto& info) {
                           std::string n = std::get<0>(info.param) +
                                           (std::get<1>(info.param) ? "_project" : "_user");
                           for (auto& c : n) {
                             if (c == '-') c = '_';
                           }
                           return n;
                         });

TEST(Install, wraps_mcp_entry_keeping_key_env_and_other_fields) {
  Sandbox box("wrap", false);
  ASSERT_TRUE(install_agent(*find_agent_spec("claude"), box.opts).errors.empty());
  auto v = parse_jsonc(slurp(box.root / "home/.claude.json"));
  ASSERT_TRUE(v);
  const auto& gh = (*v)["mcpServers"]["github"];
  EXPECT_EQ(gh["command"], k_bin);
  EXPECT_EQ(gh["args"], nlohmann::json::array({"mcp", "--name", "github", "--", "npx", "-y",
                                               "@modelcontextprotocol/server-github"}));
  EXPECT_EQ(gh["env"]["GITHUB_TOKEN"], "${GITHUB_TOKEN}");
  EXPECT_EQ(gh["type"], "stdio");
  EXPECT_EQ((*v)["mcpServers"]["linear"]["url"], "https://mcp.linear.app/mcp");  // remote untouched
  const auto& pg = (*v)["projects"]["/work/proj"]["mcpServers"]["pg"];
  EXPECT_EQ(pg["args"][3], "--");
  EXPECT_EQ(pg["args"][4], "uvx");
  EXPECT_EQ((*v)["numStartups"], 42);
}

TEST(Install, keeps_comments_in_jsonc_and_toml) {
  Sandbox box("comments", false);
  ASSERT_TRUE(install_agent(*find_agent_spec("gemini"), box.opts).errors.empty());
  ASSERT_TRUE(install_agent(*find_agent_spec("codex"), box.opts).errors.empty());
  ASSERT_TRUE(install_agent(*find_agent_spec("zed"), box.opts).errors.empty());
  std::string gem = slurp(box.root / "home/.gemini/settings.json");
  EXPECT_NE(gem.find("// Gemini CLI user settings"), std::string::npos);
  auto gv = parse_jsonc(gem);
  ASSERT_TRUE(gv);
  EXPECT_EQ((*gv)["hooks"]["BeforeTool"][0]["hooks"][0]["command"],
            std::string(k_bin) + " hook gemini");
  std::string toml = slurp(box.root / "home/.codex/config.toml");
  EXPECT_NE(toml.find("# The docs server"), std::string::npos);
  EXPECT_NE(toml.find("startup_timeout_sec = 20"), std::string::npos);
  auto servers = scan_toml_mcp_servers(toml);
  ASSERT_EQ(servers.size(), 3u);
  EXPECT_EQ(servers[0].command, k_bin);
  EXPECT_EQ(servers[0].args, (std::vector<std::string>{"mcp", "--name", "docs", "--", "npx", "-y",
                                                       "@upstash/context7-mcp"}));
  EXPECT_EQ(servers[1].args,
            (std::vector<std::string>{"mcp", "--name", "shell tools", "--", "uvx"}));
  EXPECT_FALSE(servers[2].has_command);  // the remote server stays as it was
  std::string zed = slurp(box.root / "home/.config/zed/settings.json");
  EXPECT_EQ(zed.rfind("// Zed settings", 0), 0u);
}

TEST(Install, uninstall_after_user_edit_removes_only_blastwall_entries) {
  Sandbox box("edited", false);
  const AgentSpec* spec = find_agent_spec("claude");
  ASSERT_TRUE(install_agent(*spec, box.opts).errors.empty());
  fs::path settings = box.root / "home/.claude/settings.json";
  std::string text = slurp(settings);
  text.replace(text.find("\"opus\""), 6, "\"sonnet\"");
  testing::spit(settings, text);
  auto un = uninstall_agent(*spec, box.opts);
  ASSERT_TRUE(un.errors.empty());
  auto v = parse_jsonc(slurp(settings));
  ASSERT_TRUE(v);
  EXPECT_EQ((*v)["model"], "sonnet");
  EXPECT_EQ(slurp(settings).find("hook claude"), std::string::npos);
  EXPECT_EQ((*v)["hooks"]["PostToolUse"].size(), 1u);
  auto mcp = parse_jsonc(slurp(box.root / "home/.claude.json"));
  ASSERT_TRUE(mcp);
  EXPECT_EQ((*mcp)["mcpServers"]["github"]["command"], "npx");  // restored from the backup
}

TEST(Install, created_hook_file_is_removed_on_uninstall) {
  Sandbox box("created", true);
  const AgentSpec* spec = find_agent_spec("copilot");
  fs::path hook = box.root / "project/.github/hooks/blastwall-copilot.json";
  ASSERT_FALSE(fs::exists(hook));
  ASSERT_TRUE(install_agent(*spec, box.opts).errors.empty());
  auto v = parse_jsonc(slurp(hook));
  ASSERT_TRUE(v);
  EXPECT_EQ((*v)["version"], 1);
  EXPECT_EQ((*v)["hooks"]["preToolUse"][0]["bash"], std::string(k_bin) + " hook copilot");
  ASSERT_TRUE(uninstall_agent(*spec, box.opts).errors.empty());
  EXPECT_FALSE(fs::exists(hook));
}

TEST(Install, invalid_settings_file_is_reported_and_left_alone) {
  Sandbox box("invalid", false);
  fs::path settings = box.root / "home/.cursor/mcp.json";
  testing::spit(settings, "{ not json");
  auto rep = install_agent(*find_agent_spec("cursor"), box.opts);
  EXPECT_FALSE(rep.errors.empty());
  EXPECT_EQ(slurp(settings), "{ not json");
}

TEST(Install, dry_run_prints_a_diff) {
  Sandbox box("dry", true);
  auto opts = box.opts;
  opts.dry_run = true;
  auto rep = install_agent(*find_agent_spec("claude"), opts);
  bool saw = false;
  for (const auto& f : rep.files) {
    if (f.path.find(".mcp.json") != std::string::npos) {
      saw = true;
      EXPECT_NE(f.diff.find("-      \"command\": \"npx\","), std::string::npos) << f.diff;
      EXPECT_NE(f.diff.find(std::string("+      \"command\": \"") + k_bin), std::string::npos);
    }
  }
  EXPECT_TRUE(saw);
}

TEST(Install, doctor_reports_missing_hook_unwrapped_servers_and_fixes) {
  Sandbox box("doctor", false);
  auto never = [](std::string_view) -> std::optional<int64_t> { return std::nullopt; };
  auto checks = run_doctor(box.opts.paths, never, 0, "/usr/bin:/bin");
  const DoctorCheck* claude = nullptr;
  for (const auto& c : checks) {
    if (c.agent == "claude") claude = &c;
  }
  ASSERT_NE(claude, nullptr);
  EXPECT_TRUE(claude->found);
  ASSERT_FALSE(claude->problems.empty());
  EXPECT_EQ(claude->problems.size(), claude->fixes.size());
  bool no_hook = false, unwrapped = false;
  for (const auto& p : claude->problems) {
    no_hook = no_hook || p.find("no blastwall hook") != std::string::npos;
    unwrapped = unwrapped || p.find("github") != std::string::npos;
  }
  EXPECT_TRUE(no_hook);
  EXPECT_TRUE(unwrapped);

  // After install with a binary that exists, the hook resolves and the servers are wrapped; the
  // audit log decides "fired".
  fs::path fake = box.root / "bin/blastwall";
  testing::spit(fake, "#!/bin/sh\n");
  fs::permissions(fake, fs::perms::owner_all);
  box.opts.bin = fake.string();
  ASSERT_TRUE(install_agent(*find_agent_spec("claude"), box.opts).errors.empty());
  auto fired = [](std::string_view a) -> std::optional<int64_t> {
    return a == "claude" ? std::optional<int64_t>(1'000'000) : std::nullopt;
  };
  checks = run_doctor(box.opts.paths, fired, 61'000'000, "/usr/bin:/bin");
  for (const auto& c : checks) {
    if (c.agent != "claude") continue;
    std::string all;
    for (const auto& s : c.ok) all += s + "\n";
    EXPECT_NE(all.find("hook installed"), std::string::npos) << all;
    EXPECT_NE(all.find("resolves"), std::string::npos) << all;
    EXPECT_NE(all.find("last fired 60s ago"), std::string::npos) << all;
    for (const auto& p : c.problems) EXPECT_EQ(p.find(".claude.json"), std::string::npos) << p;
  }
}

}  // namespace
}  // namespace blastwall::integrations
