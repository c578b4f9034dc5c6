// Tool call -> Action(s). One table for every agent's tool names, so a renamed or aliased tool
// (PowerShell arriving as "Bash", VS Code's runInTerminal, Gemini's run_shell_command) lands on the
// same action kind.
#include <algorithm>
#include <cctype>
#include <filesystem>

#include "integrations/common/agent.hpp"

namespace blastwall::integrations {

namespace {

enum class ToolClass { shell, write, edit, patch, read, del, fetch, unguarded, unknown };

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

ToolClass classify(std::string_view name) {
  struct Row {
    std::string_view name;
    ToolClass cls;
  };
  static constexpr Row k_rows[] = {
      {"bash", ToolClass::shell},
      {"powershell", ToolClass::shell},
      {"shell", ToolClass::shell},
      {"run_shell_command", ToolClass::shell},
      {"runinterminal", ToolClass::shell},
      {"run_in_terminal", ToolClass::shell},
      {"terminal", ToolClass::shell},
      {"execute_command", ToolClass::shell},
      {"exec_command", ToolClass::shell},
      {"local_shell", ToolClass::shell},
      {"shell_command", ToolClass::shell},
      {"write", ToolClass::write},
      {"write_file", ToolClass::write},
      {"create_file", ToolClass::write},
      {"createfile", ToolClass::write},
      {"create", ToolClass::write},
      {"write_to_file", ToolClass::write},
      {"edit", ToolClass::edit},
      {"multiedit", ToolClass::edit},
      {"notebookedit", ToolClass::edit},
      {"replace", ToolClass::edit},
      {"str_replace", ToolClass::edit},
      {"strreplace", ToolClass::edit},
      {"str_replace_editor", ToolClass::edit},
      {"replace_string_in_file", ToolClass::edit},
      {"replacestring", ToolClass::edit},
      {"multi_replace_string_in_file", ToolClass::edit},
      {"edit_file", ToolClass::edit},
      {"editfiles", ToolClass::edit},
      {"insert_edit_into_file", ToolClass::edit},
      {"replace_in_file", ToolClass::edit},
      {"apply_diff", ToolClass::edit},
      {"apply_patch", ToolClass::patch},
      {"read", ToolClass::read},
      {"read_file", ToolClass::read},
      {"readfile", ToolClass::read},
      {"view", ToolClass::read},
      {"glob", ToolClass::read},
      {"grep", ToolClass::read},
      {"ls", ToolClass::read},
      {"list_directory", ToolClass::read},
      {"list_dir", ToolClass::read},
      {"search_file_content", ToolClass::read},
      {"read_many_files", ToolClass::read},
      {"file_search", ToolClass::read},
      {"grep_search", ToolClass::read},
      {"delete", ToolClass::del},
      {"delete_file", ToolClass::del},
      {"deletefile", ToolClass::del},
      {"webfetch", ToolClass::fetch},
      {"web_fetch", ToolClass::fetch},
      {"fetch", ToolClass::fetch},
      {"fetch_webpage", ToolClass::fetch},
      {"websearch", ToolClass::unguarded},
      {"google_web_search", ToolClass::unguarded},
      {"todowrite", ToolClass::unguarded},
      {"task", ToolClass::unguarded},
      {"exitplanmode", ToolClass::unguarded},
  };
  std::string l = lower(name);
  for (const auto& r : k_rows) {
    if (r.name == l) return r.cls;
  }
  return ToolClass::unknown;
}

std::string first_str(const nlohmann::json& j, std::initializer_list<std::string_view> keys) {
  for (auto k : keys) {
    std::string v = str_field(j, k);
    if (!v.empty()) return v;
  }
  return {};
}

// Shell-quotes one argv word (for Codex's array form of a command).
std::string shell_quote(const std::string& w) {
  if (!w.empty() && std::all_of(w.begin(), w.end(), [](unsigned char c) {
        return std::isalnum(c) ||
               std::string_view("@%+=:,./_-").find(static_cast<char>(c)) != std::string_view::npos;
      })) {
    return w;
  }
  std::string out = "'";
  for (char c : w) {
    if (c == '\'') {
      out += "'\\''";
    } else {
      out += c;
    }
  }
  return out + "'";
}

Action base(ActionKind kind, const ActionContext& ctx) {
  Action a;
  a.kind = kind;
  a.ctx = ctx;
  return a;
}

void extract_urls(const std::string& text, std::vector<std::string>& out) {
  size_t pos = 0;
  while ((pos = text.find("http", pos)) != std::string::npos) {
    if (text.compare(pos, 7, "http://") == 0 || text.compare(pos, 8, "https://") == 0) {
      size_t end = pos;
      while (end < text.size() && !std::isspace(static_cast<unsigned char>(text[end])) &&
             std::string_view("\"'<>`").find(text[end]) == std::string_view::npos) {
        ++end;
      }
      out.push_back(text.substr(pos, end - pos));
      pos = end;
    } else {
      pos += 4;
    }
  }
}

}  // namespace

std::string str_field(const nlohmann::json& j, std::string_view key) {
  if (!j.is_object()) return {};
  auto it = j.find(std::string(key));
  if (it == j.end() || !it->is_string()) return {};
  return it->get<std::string>();
}

nlohmann::json object_or_json_string(const nlohmann::json& j) {
  if (j.is_string()) {
    try {
      return nlohmann::json::parse(j.get<std::string>());
    } catch (const std::exception&) {
      return nlohmann::json();  // null: caller reports malformed input
    }
  }
  return j;
}

std::string absolute_path(const std::string& p, const std::string& cwd) {
  if (p.empty()) return p;
  if (p[0] == '/') return std::filesystem::path(p).lexically_normal().string();
  if (p[0] == '~' || cwd.empty() || cwd[0] != '/') return p;
  return (std::filesystem::path(cwd) / p).lexically_normal().string();
}

bool split_mcp_tool_name(std::string_view name, std::string& server, std::string& tool) {
  if (name.rfind("mcp__", 0) == 0) {
    std::string_view rest = name.substr(5);
    size_t sep = rest.find("__");
    if (sep == std::string_view::npos || sep == 0 || sep + 2 >= rest.size()) return false;
    server = rest.substr(0, sep);
    tool = rest.substr(sep + 2);
    return true;
  }
  if (name.rfind("mcp_", 0) == 0) {
    // Gemini: mcp_<server>_<tool>; server names cannot contain '_' there.
    std::string_view rest = name.substr(4);
    size_t sep = rest.find('_');
    if (sep == std::string_view::npos || sep == 0 || sep + 1 >= rest.size()) return false;
    server = rest.substr(0, sep);
    tool = rest.substr(sep + 1);
    return true;
  }
  return false;
}

std::vector<Action> patch_to_actions(std::string_view patch, const ActionContext& ctx) {
  std::vector<Action> out;
  Action* cur = nullptr;
  size_t pos = 0;
  auto flush_lines = [](std::string& s) {
    if (!s.empty() && s.back() == '\n') s.pop_back();
  };
  while (pos < patch.size()) {
    size_t eol = patch.find('\n', pos);
    std::string_view line =
        patch.substr(pos, eol == std::string_view::npos ? std::string_view::npos : eol - pos);
    pos = eol == std::string_view::npos ? patch.size() : eol + 1;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    auto header = [&](std::string_view prefix) -> std::optional<std::string> {
      if (line.rfind(prefix, 0) != 0) return std::nullopt;
      return absolute_path(std::string(line.substr(prefix.size())), ctx.cwd);
    };
    if (auto p = header("*** Add File: ")) {
      out.push_back(base(ActionKind::file_write, ctx));
      out.back().path = *p;
      cur = &out.back();
    } else if (auto p2 = header("*** Update File: ")) {
      out.push_back(base(ActionKind::file_edit, ctx));
      out.back().path = *p2;
      cur = &out.back();
    } else if (auto p3 = header("*** Delete File: ")) {
      out.push_back(base(ActionKind::file_delete, ctx));
      out.back().path = *p3;
      cur = nullptr;
    } else if (auto p4 = header("*** Move to: ")) {
      // The moved content lands on the new path: a write there, and the old path goes away.
      if (cur) {
        Action moved = *cur;
        moved.kind = ActionKind::file_write;
        moved.path = *p4;
        out.push_back(base(ActionKind::file_delete, ctx));
        out.back().path = out[out.size() - 2].path;
        out.push_back(std::move(moved));
        cur = &out.back();
      }
    } else if (line.rfind("***", 0) == 0) {
      if (line == "*** End Patch") cur = nullptr;
    } else if (cur && !line.empty()) {
      if (line[0] == '+') {
        cur->content.append(line.substr(1));
        cur->content += '\n';
      } else if (line[0] == '-') {
        cur->old_content.append(line.substr(1));
        cur->old_content += '\n';
      }
    }
  }
  for (auto& a : out) {
    flush_lines(a.content);
    flush_lines(a.old_content);
  }
  return out;
}

bool tool_to_actions(std::string_view tool, const nlohmann::json& raw_input,
                     const ActionContext& ctx, std::vector<Action>& out, std::string& error) {
  nlohmann::json input = object_or_json_string(raw_input);
  if (raw_input.is_string() && input.is_null()) {
    error = "tool input is a string that is not JSON";
    return false;
  }
  if (input.is_null()) input = nlohmann::json::object();
  if (!input.is_object()) {
    error = "tool_input is not an object";
    return false;
  }
  std::string server, mcp_tool;
  if (split_mcp_tool_name(tool, server, mcp_tool)) {
    Action a = base(ActionKind::mcp_call, ctx);
    a.mcp.server = server;
    a.mcp.tool = mcp_tool;
    a.mcp.arguments = input;
    out.push_back(std::move(a));
    return true;
  }
  ToolClass cls = classify(tool);
  if (cls == ToolClass::unknown) {
    // A tool we do not know that carries a command is treated as shell (fail closed on renames).
    if (input.contains("command")) cls = ToolClass::shell;
  }
  const std::string path =
      absolute_path(first_str(input, {"file_path", "filePath", "notebook_path", "absolute_path",
                                      "path", "target_file", "file", "filename", "dir_path"}),
                    ctx.cwd);
  switch (cls) {
    case ToolClass::shell: {
      Action a = base(ActionKind::shell_exec, ctx);
      const auto it = input.find("command");
      if (it != input.end() && it->is_string()) {
        a.command = it->get<std::string>();
      } else if (it != input.end() && it->is_array()) {
        for (const auto& w : *it) {
          if (!w.is_string()) {
            error = "command array holds a non-string";
            return false;
          }
          if (!a.command.empty()) a.command += ' ';
          a.command += shell_quote(w.get<std::string>());
        }
      } else {
        error = "shell tool without a string command";
        return false;
      }
      // Gemini's dir_path / VS Code's cwd: the command runs there.
      std::string dir = first_str(input, {"dir_path", "cwd", "workdir", "directory"});
      if (!dir.empty()) a.ctx.cwd = absolute_path(dir, ctx.cwd);
      out.push_back(std::move(a));
      return true;
    }
    case ToolClass::write: {
      if (path.empty()) {
        error = "file write without a path";
        return false;
      }
      Action a = base(ActionKind::file_write, ctx);
      a.path = path;
      a.content = first_str(input, {"content", "contents", "file_text", "text", "code"});
      out.push_back(std::move(a));
      return true;
    }
    case ToolClass::edit: {
      Action a = base(ActionKind::file_edit, ctx);
      a.path = path;
      a.content = first_str(input, {"new_string", "newString", "new_str", "new_source",
                                    "replacement", "content", "code", "diff"});
      a.old_content = first_str(input, {"old_string", "oldString", "old_str"});
      for (const char* key : {"edits", "replacements"}) {
        auto it = input.find(key);
        if (it == input.end() || !it->is_array()) continue;
        for (const auto& e : *it) {
          std::string n = first_str(e, {"new_string", "newString", "new_str"});
          std::string o = first_str(e, {"old_string", "oldString", "old_str"});
          if (!n.empty()) a.content += (a.content.empty() ? "" : "\n") + n;
          if (!o.empty()) a.old_content += (a.old_content.empty() ? "" : "\n") + o;
          std::string ep = first_str(e, {"filePath", "file_path", "path"});
          if (!ep.empty() && ep != a.path) {
            Action extra = base(ActionKind::file_edit, ctx);
            extra.path = absolute_path(ep, ctx.cwd);
            extra.content = n;
            extra.old_content = o;
            out.push_back(std::move(extra));
          }
        }
      }
      auto files = input.find("files");  // VS Code editFiles
      if (files != input.end() && files->is_array()) {
        for (const auto& f : *files) {
          std::string fp =
              f.is_string() ? f.get<std::string>() : first_str(f, {"filePath", "path"});
          if (fp.empty()) continue;
          Action extra = base(ActionKind::file_edit, ctx);
          extra.path = absolute_path(fp, ctx.cwd);
          out.push_back(std::move(extra));
        }
      }
      if (!a.path.empty()) {
        out.push_back(std::move(a));
      } else if (out.empty()) {
        error = "file edit without a path";
        return false;
      }
      return true;
    }
    case ToolClass::patch: {
      std::string text = first_str(input, {"command", "patch", "input"});
      if (text.empty() && input.contains("command") && input["command"].is_array()) {
        for (const auto& w : input["command"]) {
          if (w.is_string()) text += w.get<std::string>() + "\n";
        }
      }
      auto actions = patch_to_actions(text, ctx);
      if (actions.empty()) {
        error = "apply_patch without a recognisable patch";
        return false;
      }
      for (auto& a : actions) out.push_back(std::move(a));
      return true;
    }
    case ToolClass::read: {
      std::vector<std::string> paths;
      if (!path.empty()) paths.push_back(path);
      auto many = input.find("paths");
      if (many != input.end() && many->is_array()) {
        for (const auto& p : *many) {
          if (p.is_string()) paths.push_back(absolute_path(p.get<std::string>(), ctx.cwd));
        }
      }
      std::string pattern = str_field(input, "pattern");
      if (paths.empty() && !pattern.empty() && (pattern[0] == '/' || pattern[0] == '~')) {
        paths.push_back(pattern);
      }
      for (auto& p : paths) {
        Action a = base(ActionKind::file_read, ctx);
        a.path = std::move(p);
        out.push_back(std::move(a));
      }
      return true;
    }
    case ToolClass::del: {
      if (path.empty()) {
        error = "file delete without a path";
        return false;
      }
      Action a = base(ActionKind::file_delete, ctx);
      a.path = path;
      out.push_back(std::move(a));
      return true;
    }
    case ToolClass::fetch: {
      std::vector<std::string> urls;
      std::string url = str_field(input, "url");
      if (!url.empty()) urls.push_back(url);
      auto many = input.find("urls");
      if (many != input.end() && many->is_array()) {
        for (const auto& u : *many) {
          if (u.is_string()) urls.push_back(u.get<std::string>());
        }
      }
      if (urls.empty()) extract_urls(str_field(input, "prompt"), urls);
      for (auto& u : urls) {
        Action a = base(ActionKind::net_fetch, ctx);
        a.url = std::move(u);
        a.method = "GET";
        out.push_back(std::move(a));
      }
      return true;
    }
    case ToolClass::unguarded:
    case ToolClass::unknown:
      return true;
  }
  return true;
}

nlohmann::ordered_json claude_style_group(const std::string& matcher, const std::string& command,
                                          int timeout_s) {
  nlohmann::ordered_json handler = {{"type", "command"}, {"command", command}};
  if (timeout_s > 0) handler["timeout"] = timeout_s;
  nlohmann::ordered_json group = nlohmann::ordered_json::object();
  if (!matcher.empty()) group["matcher"] = matcher;
  group["hooks"] = nlohmann::ordered_json::array({handler});
  return group;
}

}  // namespace blastwall::integrations

namespace blastwall::integrations {

HookEnvelope parse_tool_envelope(const nlohmann::json& j, ActionContext ctx,
                                 const EnvelopeKeys& keys, std::string_view default_event,
                                 std::initializer_list<std::string_view> guard_events) {
  HookEnvelope env;
  if (!j.is_object()) {
    env.error = "the hook input is not a JSON object";
    return env;
  }
  env.event = str_field(j, keys.event);
  if (env.event.empty()) env.event = default_event;
  env.session = str_field(j, keys.session);
  env.cwd = str_field(j, keys.cwd);
  env.tool = str_field(j, keys.tool);
  bool guarded = false;
  for (auto e : guard_events) guarded = guarded || e == env.event;
  if (!guarded) return env;
  if (env.tool.empty()) {
    env.error = "the hook input has no " + std::string(keys.tool);
    return env;
  }
  ctx.session = env.session;
  if (!env.cwd.empty()) ctx.cwd = env.cwd;
  ctx.tool = env.tool;
  auto it = j.find(std::string(keys.input));
  nlohmann::json input = it == j.end() ? nlohmann::json::object() : *it;
  if (!tool_to_actions(env.tool, input, ctx, env.actions, env.error)) env.actions.clear();
  return env;
}

std::string hook_command_line(const std::string& bin, std::string_view agent) {
  bool plain = std::all_of(bin.begin(), bin.end(), [](unsigned char c) {
    return std::isalnum(c) ||
           std::string_view("@%+=:,./_-").find(static_cast<char>(c)) != std::string_view::npos;
  });
  return (plain ? bin : shell_quote(bin)) + " hook " + std::string(agent);
}

}  // namespace blastwall::integrations
