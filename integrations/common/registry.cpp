#include "integrations/common/agent.hpp"

namespace blastwall::integrations {

namespace {

ConfigFile mcp_file(std::string path, JsonPath container) {
  ConfigFile f;
  f.kind = ConfigFile::Kind::mcp_json;
  f.path = std::move(path);
  f.containers = {std::move(container)};
  return f;
}

AgentSpec mcp_only(std::string_view name, std::string_view title,
                   std::vector<ConfigFile> (*files)(const InstallPaths&, const std::string&),
                   std::vector<std::string> (*dirs)(const InstallPaths&)) {
  AgentSpec s;
  s.name = name;
  s.title = title;
  s.config_files = files;
  s.detect_dirs = dirs;
  return s;
}

}  // namespace

std::vector<AgentSpec> mcp_only_specs() {
  return {
      mcp_only(
          "windsurf", "Windsurf",
          [](const InstallPaths& p, const std::string&) {
            if (p.project_scope) return std::vector<ConfigFile>{};
            return std::vector<ConfigFile>{
                mcp_file(p.home + "/.codeium/windsurf/mcp_config.json", {"mcpServers"})};
          },
          [](const InstallPaths& p) {
            return std::vector<std::string>{p.home + "/.codeium/windsurf"};
          }),
      mcp_only(
          "cline", "Cline",
          [](const InstallPaths& p, const std::string&) {
            if (p.project_scope) return std::vector<ConfigFile>{};
            return std::vector<ConfigFile>{
                mcp_file(p.xdg_config + "/Code/User/globalStorage/saoudrizwan.claude-dev/settings/"
                                        "cline_mcp_settings.json",
                         {"mcpServers"})};
          },
          [](const InstallPaths& p) {
            return std::vector<std::string>{p.xdg_config +
                                            "/Code/User/globalStorage/saoudrizwan.claude-dev"};
          }),
      mcp_only(
          "roo", "Roo Code",
          [](const InstallPaths& p, const std::string&) {
            if (p.project_scope) {
              return std::vector<ConfigFile>{
                  mcp_file(p.project + "/.roo/mcp.json", {"mcpServers"})};
            }
            return std::vector<ConfigFile>{
                mcp_file(p.xdg_config + "/Code/User/globalStorage/rooveterinaryinc.roo-cline/"
                                        "settings/mcp_settings.json",
                         {"mcpServers"})};
          },
          [](const InstallPaths& p) {
            return std::vector<std::string>{
                p.xdg_config + "/Code/User/globalStorage/rooveterinaryinc.roo-cline",
                p.project + "/.roo"};
          }),
      mcp_only(
          "zed", "Zed",
          [](const InstallPaths& p, const std::string&) {
            return std::vector<ConfigFile>{mcp_file(
                (p.project_scope ? p.project + "/.zed" : p.xdg_config + "/zed") + "/settings.json",
                {"context_servers"})};
          },
          [](const InstallPaths& p) {
            return std::vector<std::string>{p.xdg_config + "/zed", p.project + "/.zed"};
          }),
  };
}

const std::vector<AgentSpec>& agent_specs() {
  static const std::vector<AgentSpec> k_specs = [] {
    std::vector<AgentSpec> v{claude_spec(), cursor_spec(),  gemini_spec(),        codex_spec(),
                             vscode_spec(), copilot_spec(), claude_desktop_spec()};
    for (auto& s : mcp_only_specs()) v.push_back(std::move(s));
    return v;
  }();
  return k_specs;
}

const AgentSpec* find_agent_spec(std::string_view name) {
  for (const auto& s : agent_specs()) {
    if (s.name == name) return &s;
  }
  return nullptr;
}

}  // namespace blastwall::integrations
