#include "integrations/common/install.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>

#include "integrations/common/files.hpp"
#include "integrations/common/toml_mcp.hpp"

namespace blastwall::integrations {

namespace fs = std::filesystem;

namespace {

// Concrete container paths for a pattern with "*" steps, walking the document value.
void expand(const nlohmann::json& v, const JsonPath& pattern, size_t i, JsonPath& cur,
            std::vector<JsonPath>& out) {
  if (i == pattern.size()) {
    if (v.is_object()) out.push_back(cur);
    return;
  }
  if (!v.is_object()) return;
  const auto& step = pattern[i];
  if (!std::holds_alternative<std::string>(step)) return;
  const auto& key = std::get<std::string>(step);
  if (key == "*") {
    for (auto it = v.begin(); it != v.end(); ++it) {
      cur.emplace_back(it.key());
      expand(it.value(), pattern, i + 1, cur, out);
      cur.pop_back();
    }
    return;
  }
  auto it = v.find(key);
  if (it == v.end()) return;
  cur.emplace_back(key);
  expand(*it, pattern, i + 1, cur, out);
  cur.pop_back();
}

const nlohmann::json* at(const nlohmann::json& v, const JsonPath& path) {
  const nlohmann::json* cur = &v;
  for (const auto& step : path) {
    if (std::holds_alternative<std::string>(step)) {
      if (!cur->is_object()) return nullptr;
      auto it = cur->find(std::get<std::string>(step));
      if (it == cur->end()) return nullptr;
      cur = &*it;
    } else {
      size_t idx = std::get<size_t>(step);
      if (!cur->is_array() || idx >= cur->size()) return nullptr;
      cur = &(*cur)[idx];
    }
  }
  return cur;
}

JsonPath join(JsonPath a, std::string_view key) {
  a.emplace_back(std::string(key));
  return a;
}

std::vector<std::string> string_args(const nlohmann::json& args) {
  std::vector<std::string> out;
  if (!args.is_array()) return out;
  for (const auto& a : args) {
    if (a.is_string()) out.push_back(a.get<std::string>());
  }
  return out;
}

std::vector<std::string> wrapped_args(const std::string& key, const std::string& command,
                                      const std::vector<std::string>& args) {
  std::vector<std::string> out{"mcp", "--name", key, "--", command};
  out.insert(out.end(), args.begin(), args.end());
  return out;
}

// The original command and args of a wrapped entry.
bool unwrap_args(const std::vector<std::string>& args, std::string& command,
                 std::vector<std::string>& rest) {
  auto dd = std::find(args.begin(), args.end(), "--");
  if (dd == args.end() || dd + 1 == args.end()) return false;
  command = *(dd + 1);
  rest.assign(dd + 2, args.end());
  return true;
}

bool is_remote(const nlohmann::json& entry) {
  return entry.is_object() && !entry.contains("command") &&
         (entry.contains("url") || entry.contains("httpUrl") || entry.contains("serverUrl"));
}

Result<std::string> json_install(const ConfigFile& file, const std::string& text,
                                 const std::string& bin, std::string_view agent,
                                 std::vector<std::string>& notes) {
  auto ed = JsoncEditor::open(text);
  if (!ed) return ed.error();
  for (const auto& [path, value] : file.defaults) {
    if (at(ed->value(), path)) continue;
    auto ok = ed->set(path, value);
    if (!ok) return ok.error();
  }
  for (const auto& slot : file.slots) {
    const nlohmann::json* arr = at(ed->value(), slot.array_path);
    bool present = false;
    if (arr && arr->is_array()) {
      for (const auto& e : *arr) present = present || is_blastwall_hook_entry(e, agent);
    } else if (arr) {
      return make_error(file.path + ": expected an array at the hook list");
    }
    if (present) continue;
    auto ok = ed->append(slot.array_path, slot.entry);
    if (!ok) return ok.error();
  }
  for (const auto& pattern : file.containers) {
    std::vector<JsonPath> containers;
    JsonPath cur;
    expand(ed->value(), pattern, 0, cur, containers);
    for (const auto& cpath : containers) {
      const nlohmann::json* servers = at(ed->value(), cpath);
      std::vector<std::string> keys;
      for (auto it = servers->begin(); it != servers->end(); ++it) keys.push_back(it.key());
      for (const auto& key : keys) {
        const nlohmann::json* entry = at(ed->value(), join(cpath, key));
        if (!entry || !entry->is_object()) continue;
        if (is_remote(*entry)) {
          notes.push_back("remote MCP server '" + key +
                          "' left as is (bridge it with `blastwall mcp --url`)");
          continue;
        }
        auto cmd = entry->find("command");
        if (cmd == entry->end()) continue;
        if (!cmd->is_string()) {
          notes.push_back("MCP server '" + key + "' uses a command form blastwall does not edit");
          continue;
        }
        nlohmann::json args = entry->contains("args") ? (*entry)["args"] : nlohmann::json::array();
        if (is_wrapped_command(cmd->get<std::string>(), args)) continue;
        if (!args.is_array() || string_args(args).size() != args.size()) {
          notes.push_back("MCP server '" + key + "' has non-string args; left as is");
          continue;
        }
        auto wrapped = wrapped_args(key, cmd->get<std::string>(), string_args(args));
        auto ok = ed->set(join(join(cpath, key), "command"), bin);
        if (!ok) return ok.error();
        ok = ed->set(join(join(cpath, key), "args"), nlohmann::ordered_json(wrapped));
        if (!ok) return ok.error();
        notes.push_back("wrapped MCP server '" + key + "'");
      }
    }
  }
  return ed->text();
}

Result<std::string> json_uninstall(const ConfigFile& file, const std::string& text,
                                   std::string_view agent) {
  auto ed = JsoncEditor::open(text);
  if (!ed) return ed.error();
  for (const auto& slot : file.slots) {
    while (true) {
      const nlohmann::json* arr = at(ed->value(), slot.array_path);
      if (!arr || !arr->is_array()) break;
      std::optional<size_t> found;
      for (size_t i = 0; i < arr->size(); ++i) {
        if (is_blastwall_hook_entry((*arr)[i], agent)) found = i;
      }
      if (!found) break;
      JsonPath p = slot.array_path;
      p.emplace_back(*found);
      auto ok = ed->erase(p);
      if (!ok) return ok.error();
    }
  }
  for (const auto& pattern : file.containers) {
    std::vector<JsonPath> containers;
    JsonPath cur;
    expand(ed->value(), pattern, 0, cur, containers);
    for (const auto& cpath : containers) {
      std::vector<std::string> keys;
      const nlohmann::json* servers = at(ed->value(), cpath);
      for (auto it = servers->begin(); it != servers->end(); ++it) keys.push_back(it.key());
      for (const auto& key : keys) {
        const nlohmann::json* entry = at(ed->value(), join(cpath, key));
        if (!entry || !entry->is_object() || !entry->contains("command")) continue;
        const auto& cmd = (*entry)["command"];
        nlohmann::json args = entry->contains("args") ? (*entry)["args"] : nlohmann::json::array();
        if (!cmd.is_string() || !is_wrapped_command(cmd.get<std::string>(), args)) continue;
        std::string orig;
        std::vector<std::string> rest;
        if (!unwrap_args(string_args(args), orig, rest)) continue;
        auto ok = ed->set(join(join(cpath, key), "command"), orig);
        if (!ok) return ok.error();
        ok = rest.empty() ? ed->erase(join(join(cpath, key), "args"))
                          : ed->set(join(join(cpath, key), "args"), nlohmann::ordered_json(rest));
        if (!ok) return ok.error();
      }
    }
  }
  return ed->text();
}

Result<std::string> toml_transform(const std::string& text, const std::string& bin, bool install,
                                   std::vector<std::string>& notes) {
  std::string out = text;
  auto servers = scan_toml_mcp_servers(text);
  // Edit from the back so earlier spans stay valid.
  std::sort(servers.begin(), servers.end(), [](const TomlMcpServer& a, const TomlMcpServer& b) {
    return a.command_begin > b.command_begin;
  });
  for (const auto& s : servers) {
    if (s.unsupported || !s.has_command) {
      if (install && s.unsupported) {
        notes.push_back("MCP server '" + s.name + "' uses a TOML form blastwall does not edit");
      }
      continue;
    }
    nlohmann::json args_json = s.args;
    bool wrapped = is_wrapped_command(s.command, args_json);
    std::string new_cmd;
    std::vector<std::string> new_args;
    if (install) {
      if (wrapped) continue;
      new_cmd = bin;
      new_args = wrapped_args(s.name, s.command, s.args);
      notes.push_back("wrapped MCP server '" + s.name + "'");
    } else {
      if (!wrapped || !unwrap_args(s.args, new_cmd, new_args)) continue;
    }
    // Apply the later edit first so the earlier span stays valid.
    auto edit_args = [&] {
      if (s.has_args) {
        out.replace(s.args_begin, s.args_end - s.args_begin, toml_string_array(new_args));
      } else if (!new_args.empty()) {
        std::string line = "args = " + toml_string_array(new_args) + "\n";
        if (s.command_line_end == out.size() && !out.empty() && out.back() != '\n') {
          line = "\n" + line;
        }
        out.insert(s.command_line_end, line);
      }
    };
    bool args_after = !s.has_args || s.args_begin > s.command_begin;
    if (args_after) edit_args();
    out.replace(s.command_begin, s.command_end - s.command_begin, toml_string(new_cmd));
    if (!args_after) edit_args();
  }
  return out;
}

}  // namespace

bool is_wrapped_command(const std::string& command, const nlohmann::json& args) {
  std::string base = fs::path(command).filename().string();
  if (base != "blastwall") return false;
  auto a = string_args(args);
  return !a.empty() && a[0] == "mcp" && std::find(a.begin(), a.end(), "--") != a.end();
}

bool is_blastwall_hook_entry(const nlohmann::json& entry, std::string_view agent) {
  std::string needle = "hook " + std::string(agent);
  bool hit = false;
  std::function<void(const nlohmann::json&)> walk = [&](const nlohmann::json& v) {
    if (v.is_string()) {
      const auto& s = v.get_ref<const std::string&>();
      size_t pos = s.find(needle);
      if (s.find("blastwall") != std::string::npos && pos != std::string::npos &&
          (pos + needle.size() == s.size() || s[pos + needle.size()] == ' ')) {
        hit = true;
      }
    } else if (v.is_structured()) {
      for (const auto& e : v) walk(e);
    }
  };
  walk(entry);
  return hit;
}

Result<std::string> apply_install(const ConfigFile& file, const std::string& text,
                                  const std::string& bin, std::string_view agent,
                                  std::vector<std::string>& notes) {
  if (file.kind == ConfigFile::Kind::mcp_toml) return toml_transform(text, bin, true, notes);
  return json_install(file, text, bin, agent, notes);
}

Result<std::string> apply_uninstall(const ConfigFile& file, const std::string& text,
                                    std::string_view agent) {
  std::vector<std::string> notes;
  if (file.kind == ConfigFile::Kind::mcp_toml) return toml_transform(text, "", false, notes);
  return json_uninstall(file, text, agent);
}

InstallReport install_agent(const AgentSpec& spec, const InstallOptions& opts) {
  InstallReport rep;
  BackupStore backups(opts.backup_dir);
  std::string cmd = hook_command_line(opts.bin, spec.name);
  for (const auto& file : spec.config_files(opts.paths, cmd)) {
    FileChange ch;
    ch.path = file.path;
    auto cur = read_text_file(file.path);
    if (!cur) {
      rep.errors.push_back(cur.error().message);
      continue;
    }
    if (!cur->exists && !file.create) {
      ch.action = "missing";
      rep.files.push_back(std::move(ch));
      continue;
    }
    auto next = apply_install(file, cur->text, opts.bin, spec.name, ch.notes);
    if (!next) {
      rep.errors.push_back(file.path + ": " + next.error().message);
      continue;
    }
    if (cur->exists && *next == cur->text) {
      ch.action = "unchanged";
      rep.files.push_back(std::move(ch));
      continue;
    }
    ch.diff = unified_diff(file.path, cur->text, *next);
    ch.action = cur->exists ? "updated" : "created";
    if (!opts.dry_run) {
      auto prev = backups.load(file.path);
      BackupStore::Entry e;
      if (!prev) {
        e.existed = cur->exists;
        e.original = cur->text;
      } else if (prev->installed == cur->text) {
        e = *prev;
      } else {
        // Changed since the last install: the new baseline is today's file minus our entries.
        e.existed = prev->existed || cur->exists;
        auto base = apply_uninstall(file, cur->text, spec.name);
        e.original = base ? *base : cur->text;
      }
      e.installed = *next;
      auto saved = backups.save(file.path, e);
      if (!saved) {
        rep.errors.push_back("backup of " + file.path + " failed: " + saved.error().message +
                             " (file left unchanged)");
        continue;
      }
      auto ok = write_text_file_atomic(file.path, *next);
      if (!ok) {
        rep.errors.push_back(ok.error().message);
        continue;
      }
    }
    rep.files.push_back(std::move(ch));
  }
  return rep;
}

InstallReport uninstall_agent(const AgentSpec& spec, const InstallOptions& opts) {
  InstallReport rep;
  BackupStore backups(opts.backup_dir);
  std::string cmd = hook_command_line(opts.bin, spec.name);
  for (const auto& file : spec.config_files(opts.paths, cmd)) {
    FileChange ch;
    ch.path = file.path;
    auto cur = read_text_file(file.path);
    if (!cur) {
      rep.errors.push_back(cur.error().message);
      continue;
    }
    auto prev = backups.load(file.path);
    if (prev && cur->exists && cur->text == prev->installed) {
      ch.action = prev->existed ? "restored" : "removed";
      ch.diff = unified_diff(file.path, cur->text, prev->existed ? prev->original : "");
      if (!opts.dry_run) {
        auto ok = prev->existed ? write_text_file_atomic(file.path, prev->original)
                                : remove_file(file.path);
        if (!ok) {
          rep.errors.push_back(ok.error().message);
          continue;
        }
        (void)backups.drop(file.path);
      }
      rep.files.push_back(std::move(ch));
      continue;
    }
    if (!cur->exists) {
      ch.action = "missing";
      if (prev && !opts.dry_run) (void)backups.drop(file.path);
      rep.files.push_back(std::move(ch));
      continue;
    }
    auto next = apply_uninstall(file, cur->text, spec.name);
    if (!next) {
      rep.errors.push_back(file.path + ": " + next.error().message);
      continue;
    }
    if (*next == cur->text) {
      ch.action = "unchanged";
    } else {
      ch.action = "cleaned";
      if (prev) ch.notes.push_back("changed since install: removed blastwall entries only");
      ch.diff = unified_diff(file.path, cur->text, *next);
      if (!opts.dry_run) {
        auto ok = write_text_file_atomic(file.path, *next);
        if (!ok) {
          rep.errors.push_back(ok.error().message);
          continue;
        }
      }
    }
    if (prev && !opts.dry_run) (void)backups.drop(file.path);
    rep.files.push_back(std::move(ch));
  }
  return rep;
}

std::vector<McpServerStatus> mcp_servers_in(const ConfigFile& file, const std::string& text) {
  std::vector<McpServerStatus> out;
  if (file.kind == ConfigFile::Kind::mcp_toml) {
    for (const auto& s : scan_toml_mcp_servers(text)) {
      McpServerStatus st;
      st.key = s.name;
      st.remote = !s.has_command && !s.unsupported;
      st.wrapped = s.has_command && is_wrapped_command(s.command, nlohmann::json(s.args));
      out.push_back(std::move(st));
    }
    return out;
  }
  auto v = parse_jsonc(text);
  if (!v) return out;
  for (const auto& pattern : file.containers) {
    std::vector<JsonPath> containers;
    JsonPath cur;
    expand(*v, pattern, 0, cur, containers);
    for (const auto& cpath : containers) {
      const nlohmann::json* servers = at(*v, cpath);
      for (auto it = servers->begin(); it != servers->end(); ++it) {
        McpServerStatus st;
        st.key = it.key();
        st.remote = is_remote(it.value());
        auto cmd = it.value().is_object() ? it.value().find("command") : it.value().end();
        if (it.value().is_object() && cmd != it.value().end() && cmd->is_string()) {
          st.wrapped = is_wrapped_command(cmd->get<std::string>(),
                                          it.value().value("args", nlohmann::json::array()));
        }
        out.push_back(std::move(st));
      }
    }
  }
  return out;
}

namespace {

// First word of a command line, honouring simple single/double quotes.
std::string first_word(const std::string& cmd) {
  std::string w;
  char q = 0;
  for (char c : cmd) {
    if (q) {
      if (c == q) {
        q = 0;
      } else {
        w += c;
      }
    } else if (c == '\'' || c == '"') {
      q = c;
    } else if (c == ' ' || c == '\t') {
      if (!w.empty()) break;
    } else {
      w += c;
    }
  }
  return w;
}

bool resolves(const std::string& prog, const std::string& path_env) {
  if (prog.empty()) return false;
  if (prog.find('/') != std::string::npos) return ::access(prog.c_str(), X_OK) == 0;
  size_t pos = 0;
  while (pos <= path_env.size()) {
    size_t e = path_env.find(':', pos);
    std::string dir = path_env.substr(pos, e == std::string::npos ? std::string::npos : e - pos);
    if (!dir.empty() && ::access((dir + "/" + prog).c_str(), X_OK) == 0) return true;
    if (e == std::string::npos) break;
    pos = e + 1;
  }
  return false;
}

void collect_commands(const nlohmann::json& v, std::string_view agent,
                      std::vector<std::string>& out) {
  if (v.is_string()) {
    if (is_blastwall_hook_entry(v, agent)) out.push_back(v.get<std::string>());
  } else if (v.is_structured()) {
    for (const auto& e : v) collect_commands(e, agent, out);
  }
}

std::string ago(int64_t us) {
  int64_t s = us / 1'000'000;
  if (s < 120) return std::to_string(s) + "s ago";
  if (s < 7200) return std::to_string(s / 60) + "m ago";
  if (s < 172800) return std::to_string(s / 3600) + "h ago";
  return std::to_string(s / 86400) + "d ago";
}

}  // namespace

std::vector<DoctorCheck> run_doctor(
    const InstallPaths& base,
    const std::function<std::optional<int64_t>(std::string_view)>& last_fired, int64_t now_us,
    const std::string& path_env) {
  std::vector<DoctorCheck> out;
  for (const auto& spec : agent_specs()) {
    DoctorCheck c;
    c.agent = spec.name;
    c.title = spec.title;
    std::error_code ec;
    for (const auto& d : spec.detect_dirs(base)) c.found = c.found || fs::exists(d, ec);
    if (!c.found) {
      out.push_back(std::move(c));
      continue;
    }
    bool hook_found = false;
    for (bool project : {false, true}) {
      InstallPaths p = base;
      p.project_scope = project;
      const char* scope = project ? "--project" : "--user";
      for (const auto& file : spec.config_files(p, "")) {
        auto cur = read_text_file(file.path);
        if (!cur || !cur->exists) continue;
        if (!file.slots.empty()) {
          auto v = parse_jsonc(cur->text);
          if (!v) {
            c.problems.push_back(file.path + " is not valid JSON: " + v.error().message);
            c.fixes.push_back("repair " + file.path + " by hand, then run `blastwall install " +
                              std::string(spec.name) + " " + scope + "`");
            continue;
          }
          std::vector<std::string> cmds;
          collect_commands(*v, spec.name, cmds);
          if (!cmds.empty()) {
            hook_found = true;
            c.ok.push_back("hook installed in " + file.path);
            std::string prog = first_word(cmds.front());
            if (resolves(prog, path_env)) {
              c.ok.push_back("hook command resolves: " + prog);
            } else {
              c.problems.push_back("hook command does not resolve: " + prog);
              c.fixes.push_back("reinstall with the current binary: `blastwall uninstall " +
                                std::string(spec.name) + " " + scope + " && blastwall install " +
                                std::string(spec.name) + " " + scope + "`");
            }
          }
        }
        auto servers = mcp_servers_in(file, cur->text);
        std::vector<std::string> unwrapped;
        size_t wrapped = 0;
        for (const auto& s : servers) {
          if (s.wrapped) ++wrapped;
          if (!s.wrapped && !s.remote) unwrapped.push_back(s.key);
        }
        if (wrapped)
          c.ok.push_back(std::to_string(wrapped) + " MCP server(s) wrapped in " + file.path);
        if (!unwrapped.empty()) {
          std::string names;
          for (const auto& n : unwrapped) names += (names.empty() ? "" : ", ") + n;
          c.problems.push_back("MCP server(s) not wrapped in " + file.path + ": " + names);
          c.fixes.push_back("`blastwall install " + std::string(spec.name) + " " + scope + "`");
        }
      }
    }
    if (spec.has_hooks) {
      if (!hook_found) {
        c.problems.push_back("no blastwall hook installed");
        c.fixes.push_back("`blastwall install " + std::string(spec.name) + "` (or --project)");
      } else if (last_fired) {
        auto ts = last_fired(spec.name);
        if (ts) {
          c.ok.push_back("hook last fired " + ago(now_us - *ts));
        } else {
          c.problems.push_back("hook never fired (no audit rows from this agent)");
          std::string hint = "start a session and run one tool";
          if (spec.name == "codex") hint += "; trust the hook in Codex's /hooks";
          if (spec.name == "gemini") hint += "; accept the hook when Gemini warns about a new hook";
          if (spec.name == "vscode") hint += "; enable chat hooks (Preview) in VS Code settings";
          c.fixes.push_back(hint);
        }
      }
    }
    out.push_back(std::move(c));
  }
  return out;
}

}  // namespace blastwall::integrations
