#include "blastwall/action.hpp"

#include <algorithm>
#include <array>
#include <utility>

namespace blastwall {
namespace {

constexpr std::array<std::pair<ActionKind, std::string_view>, 7> k_kinds{{
    {ActionKind::shell_exec, "shell.exec"},
    {ActionKind::file_read, "file.read"},
    {ActionKind::file_write, "file.write"},
    {ActionKind::file_edit, "file.edit"},
    {ActionKind::file_delete, "file.delete"},
    {ActionKind::net_fetch, "net.fetch"},
    {ActionKind::mcp_call, "mcp.call"},
}};

// Reads an optional string member; a present non-string value is an error naming the key.
bool read_string(const nlohmann::json& j, const char* key, std::string& out, std::string& err) {
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) return true;
  if (!it->is_string()) {
    err = std::string("action key '") + key + "' must be a string";
    return false;
  }
  out = it->get<std::string>();
  return true;
}

}  // namespace

std::string_view to_string(ActionKind kind) {
  for (const auto& [k, name] : k_kinds) {
    if (k == kind) return name;
  }
  return "unknown";
}

std::optional<ActionKind> parse_action_kind(std::string_view text) {
  for (const auto& [k, name] : k_kinds) {
    if (name == text) return k;
  }
  return std::nullopt;
}

nlohmann::json to_json(const Action& a) {
  nlohmann::json j;
  j["kind"] = std::string(to_string(a.kind));
  auto put = [&](const char* key, const std::string& v) {
    if (!v.empty()) j[key] = v;
  };
  switch (a.kind) {
    case ActionKind::shell_exec:
      j["command"] = a.command;
      break;
    case ActionKind::file_read:
    case ActionKind::file_delete:
      j["path"] = a.path;
      break;
    case ActionKind::file_write:
    case ActionKind::file_edit:
      j["path"] = a.path;
      j["content"] = a.content;
      put("old_content", a.old_content);
      break;
    case ActionKind::net_fetch:
      j["url"] = a.url;
      put("method", a.method);
      break;
    case ActionKind::mcp_call:
      j["server"] = a.mcp.server;
      j["tool"] = a.mcp.tool;
      j["arguments"] = a.mcp.arguments;
      if (!a.mcp.annotations.empty()) j["annotations"] = a.mcp.annotations;
      break;
  }
  put("agent", a.ctx.agent);
  put("surface", a.ctx.surface);
  put("session", a.ctx.session);
  put("cwd", a.ctx.cwd);
  put("home", a.ctx.home);
  put("user", a.ctx.user);
  put("project_root", a.ctx.project_root);
  put("branch", a.ctx.vcs_branch);
  put("agent_tool", a.ctx.tool);
  if (!a.ctx.env.empty()) j["env"] = a.ctx.env;
  return j;
}

namespace {

// "recent": [{"at_us": N, "destructive": true, "teardown": [..], "teardown_prod": [..],
// "summary": ".."}], "now_us": N — session memory handed in by `check --action` and pack tests.
Result<bool> recent_from_json(const nlohmann::json& j, ActionContext& ctx) {
  if (auto it = j.find("now_us"); it != j.end() && !it->is_null()) {
    if (!it->is_number_integer()) return make_error("action key 'now_us' must be an integer");
    ctx.now_us = it->get<int64_t>();
  }
  auto it = j.find("recent");
  if (it == j.end() || it->is_null()) return true;
  if (!it->is_array()) return make_error("action key 'recent' must be an array");
  for (const auto& e : *it) {
    if (!e.is_object()) return make_error("action key 'recent' must hold objects");
    RecentAction r;
    if (auto t = e.find("at_us"); t != e.end()) {
      if (!t->is_number_integer()) return make_error("recent[].at_us must be an integer");
      r.at_us = t->get<int64_t>();
    }
    if (auto d = e.find("destructive"); d != e.end()) {
      if (!d->is_boolean()) return make_error("recent[].destructive must be a boolean");
      r.destructive = d->get<bool>();
    }
    for (auto [key, out] :
         {std::pair{"teardown", &r.teardown}, std::pair{"teardown_prod", &r.teardown_prod}}) {
      auto l = e.find(key);
      if (l == e.end()) continue;
      if (!l->is_array()) return make_error(std::string("recent[].") + key + " must be an array");
      for (const auto& v : *l) {
        if (!v.is_string())
          return make_error(std::string("recent[].") + key + " must hold strings");
        out->push_back(v.get<std::string>());
      }
    }
    if (auto sm = e.find("summary"); sm != e.end() && sm->is_string())
      r.summary = sm->get<std::string>();
    ctx.recent.push_back(std::move(r));
  }
  return true;
}

}  // namespace

Result<Action> action_from_json(const nlohmann::json& j) {
  if (!j.is_object()) return make_error("action must be a JSON object");
  Action a;
  std::string kind_text, err;
  if (!read_string(j, "kind", kind_text, err)) return make_error(err);
  if (kind_text.empty()) {
    // A bare {"command": "..."} is the common case for `check --action`.
    if (j.contains("command")) {
      kind_text = "shell.exec";
    } else {
      return make_error(
          "action needs a 'kind' (shell.exec, file.read, file.write, file.edit, "
          "file.delete, net.fetch, mcp.call)");
    }
  }
  auto kind = parse_action_kind(kind_text);
  if (!kind) return make_error("unknown action kind '" + kind_text + "'");
  a.kind = *kind;
  const std::pair<const char*, std::string*> strings[] = {
      {"command", &a.command},
      {"path", &a.path},
      {"content", &a.content},
      {"old_content", &a.old_content},
      {"url", &a.url},
      {"method", &a.method},
      {"server", &a.mcp.server},
      {"tool", &a.mcp.tool},
      {"agent", &a.ctx.agent},
      {"surface", &a.ctx.surface},
      {"session", &a.ctx.session},
      {"cwd", &a.ctx.cwd},
      {"home", &a.ctx.home},
      {"user", &a.ctx.user},
      {"project_root", &a.ctx.project_root},
      {"branch", &a.ctx.vcs_branch},
      {"agent_tool", &a.ctx.tool},
  };
  for (const auto& [key, out] : strings) {
    if (!read_string(j, key, *out, err)) return make_error(err);
  }
  // An edit written as the agent's Edit tool input (`old_string`/`new_string`) means the same.
  if (a.kind == ActionKind::file_edit) {
    if (a.content.empty() && !read_string(j, "new_string", a.content, err)) return make_error(err);
    if (a.old_content.empty() && !read_string(j, "old_string", a.old_content, err))
      return make_error(err);
  }
  if (auto it = j.find("arguments"); it != j.end() && !it->is_null()) {
    if (!it->is_object()) return make_error("action key 'arguments' must be an object");
    a.mcp.arguments = *it;
  }
  if (auto it = j.find("annotations"); it != j.end() && !it->is_null()) {
    if (!it->is_object()) return make_error("action key 'annotations' must be an object");
    a.mcp.annotations = *it;
  }
  if (auto r = recent_from_json(j, a.ctx); !r) return r.error();
  if (auto it = j.find("env"); it != j.end() && !it->is_null()) {
    if (!it->is_object()) return make_error("action key 'env' must be an object of strings");
    for (const auto& [k, v] : it->items()) {
      if (!v.is_string()) return make_error("env value for '" + k + "' must be a string");
      a.ctx.env[k] = v.get<std::string>();
    }
  }
  switch (a.kind) {
    case ActionKind::shell_exec:
      if (!j.contains("command")) return make_error("shell.exec action needs 'command'");
      break;
    case ActionKind::file_read:
    case ActionKind::file_write:
    case ActionKind::file_edit:
    case ActionKind::file_delete:
      if (a.path.empty())
        return make_error(std::string(to_string(a.kind)) + " action needs 'path'");
      break;
    case ActionKind::net_fetch:
      if (a.url.empty()) return make_error("net.fetch action needs 'url'");
      break;
    case ActionKind::mcp_call:
      if (a.mcp.tool.empty()) return make_error("mcp.call action needs 'tool'");
      break;
  }
  if (!a.method.empty()) {
    for (auto& c : a.method) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  }
  return a;
}

namespace {

// Deepest nesting of arrays and objects in JSON text (strings skipped). Copying or printing a
// nlohmann value recurses once per level, so absurd nesting must be refused before it is parsed.
size_t json_depth(std::string_view text) {
  size_t depth = 0;
  size_t deepest = 0;
  bool in_string = false;
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (in_string) {
      if (c == '\\') {
        ++i;
      } else if (c == '"') {
        in_string = false;
      }
    } else if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      deepest = std::max(deepest, ++depth);
    } else if ((c == ']' || c == '}') && depth > 0) {
      --depth;
    }
  }
  return deepest;
}

}  // namespace

Result<Action> action_from_json_text(std::string_view text) {
  // The MCP proxy refuses lines nested deeper than this too (proxy/json_scan.hpp).
  constexpr size_t k_max_depth = 256;
  if (json_depth(text) > k_max_depth) {
    return make_error("malformed action JSON: nested deeper than " + std::to_string(k_max_depth) +
                      " levels");
  }
  // nlohmann rejects invalid UTF-8 in strings and reports the byte offset.
  try {
    auto j = nlohmann::json::parse(text);
    return action_from_json(j);
  } catch (const nlohmann::json::exception& e) {
    return make_error(std::string("malformed action JSON: ") + e.what());
  }
}

}  // namespace blastwall
