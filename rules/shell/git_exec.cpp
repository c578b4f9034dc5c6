// Git configuration that runs commands: `git -c core.pager=CMD log`, `-c alias.x='!CMD' x`,
// `GIT_SSH_COMMAND=CMD git fetch`, `git config alias.x '!CMD'`. Git hands these values to
// /bin/sh, so they are shell text like `bash -c`. Pure; no knowledge of the repository's own
// config (it is not visible here).
#include <algorithm>
#include <cctype>
#include <string>

#include "rules/shell/unwrap_internal.hpp"

namespace blastwall::shell::detail {

namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

bool starts_with(std::string_view s, std::string_view p) { return s.substr(0, p.size()) == p; }
bool ends_with(std::string_view s, std::string_view p) {
  return s.size() >= p.size() && s.substr(s.size() - p.size()) == p;
}

bool boolean_value(std::string_view v) {
  const std::string l = lower(v);
  return l.empty() || l == "true" || l == "false" || l == "yes" || l == "no" || l == "on" ||
         l == "off" || l == "0" || l == "1";
}

// Keys whose value git runs as a shell command (section.subsection.name, lower-cased).
bool exec_key(const std::string& k) {
  static constexpr std::string_view k_exact[] = {"core.pager",
                                                 "core.sshcommand",
                                                 "core.fsmonitor",
                                                 "core.editor",
                                                 "sequence.editor",
                                                 "diff.external",
                                                 "gpg.program",
                                                 "core.askpass",
                                                 "uploadpack.packobjectshook",
                                                 "core.alternaterefscommand",
                                                 "sendemail.sendmailcmd",
                                                 "instaweb.httpd",
                                                 "credential.helper",
                                                 "web.browser"};
  if (std::find(std::begin(k_exact), std::end(k_exact), k) != std::end(k_exact)) return true;
  if (starts_with(k, "pager.") || starts_with(k, "alias.")) return true;
  const bool sub = std::count(k.begin(), k.end(), '.') >= 2;
  if (!sub) return false;
  return (starts_with(k, "diff.") && (ends_with(k, ".command") || ends_with(k, ".textconv"))) ||
         (starts_with(k, "merge.") && ends_with(k, ".driver")) ||
         (starts_with(k, "filter.") &&
          (ends_with(k, ".clean") || ends_with(k, ".smudge") || ends_with(k, ".process"))) ||
         (starts_with(k, "gpg.") && ends_with(k, ".program")) ||
         ((starts_with(k, "difftool.") || starts_with(k, "mergetool.")) && ends_with(k, ".cmd")) ||
         (starts_with(k, "browser.") && ends_with(k, ".cmd")) ||
         (starts_with(k, "remote.") &&
          (ends_with(k, ".uploadpack") || ends_with(k, ".receivepack")));
}

bool editor_key(const std::string& k) { return k == "core.editor" || k == "sequence.editor"; }

// Pagers git is routinely told to use; setting one of these installs nothing unusual.
bool plain_pager(std::string_view v) {
  const auto sp = v.find(' ');
  const std::string_view first = v.substr(0, sp);
  return first == "less" || first == "more" || first == "cat" || first == "delta" ||
         first == "diff-so-fancy" || first == "bat" || first == "most";
}

// The shell text a config value amounts to, or nullopt when git does not run it as a command.
std::optional<std::string> command_of(const std::string& key, const std::string& value) {
  if (!exec_key(key)) return std::nullopt;
  if (starts_with(key, "alias.")) {
    if (!starts_with(value, "!")) return std::nullopt;  // expands to git arguments, not shell
    return value.substr(1);
  }
  if ((key == "core.fsmonitor" || starts_with(key, "pager.")) && boolean_value(value)) {
    return std::nullopt;
  }
  if (key == "credential.helper") {
    if (!starts_with(value, "!")) return std::nullopt;  // git credential-<name>: a helper program
    return value.substr(1);
  }
  if (value.empty()) return std::nullopt;
  return value;
}

// Programs these keys are expected to name. Anything else (`sh -c ..`, a script in /tmp, a
// pipeline) given on the command line is a command smuggled in through configuration.
bool expected_program(const std::string& key, std::string_view text) {
  if (text.find_first_of(";|&<>`$") != std::string_view::npos) return false;
  while (!text.empty() && text.front() == ' ') text.remove_prefix(1);
  std::string_view first = text.substr(0, text.find(' '));
  if (const auto slash = first.rfind('/'); slash != std::string_view::npos) {
    first = first.substr(slash + 1);
  }
  auto in = [&](std::initializer_list<std::string_view> names) {
    return std::find(names.begin(), names.end(), first) != names.end();
  };
  if (key == "core.sshcommand" || key == "GIT_SSH_COMMAND" || key == "GIT_SSH") {
    return in({"ssh", "autossh"});
  }
  if (key == "core.pager" || starts_with(key, "pager.") || key == "GIT_PAGER" || key == "PAGER") {
    return plain_pager(text);
  }
  if (key == "core.editor" || key == "sequence.editor" || key == "GIT_EDITOR" ||
      key == "GIT_SEQUENCE_EDITOR" || key == "EDITOR" || key == "VISUAL") {
    return in({"vi",    "vim",  "nvim",  "nano",  "emacs", "emacsclient", "code", "code-insiders",
               "subl",  "mate", "micro", "helix", "hx",    "kak",         "true", "false",
               ":",     "cat",  "ed",    "joe",   "gedit", "kate",        "idea", "zed",
               "cursor"});
  }
  if (key == "gpg.program" || (starts_with(key, "gpg.") && ends_with(key, ".program"))) {
    return in({"gpg", "gpg2", "ssh-keygen", "gpgsm"});
  }
  return false;
}

}  // namespace

GitExec scan_git(const std::vector<Word>& argv, const std::map<std::string, std::string>& env,
                 const std::map<std::string, std::string>& aliases) {
  GitExec out;
  std::map<std::string, std::string> line_aliases = aliases;
  // One-shot configuration (`-c`, variables): a value that is not the program the key is meant
  // for is a command smuggled into an innocent-looking git call.
  auto smuggled = [&](const std::string& k, const std::string& text, const std::string& origin) {
    if (expected_program(k, text)) return;
    out.injections.emplace_back(origin, origin + " makes git run `" + text.substr(0, 120) + "`");
  };
  auto config = [&](const std::string& key, const Word& value, const std::string& origin,
                    bool one_shot = false) {
    const std::string k = lower(key);
    if (starts_with(k, "alias.")) line_aliases[key.substr(6)] = value.text;
    if (one_shot && exec_key(k)) {
      if (auto text = command_of(k, value.text)) smuggled(k, *text, origin);
    }
    if (value.dynamic && exec_key(k) && !starts_with(k, "alias.")) {
      out.shell.push_back({origin, CodeArg{value.text, true}});
      return;
    }
    if (auto text = command_of(k, value.text)) {
      out.shell.push_back({origin, CodeArg{*text, value.dynamic}});
    }
  };
  // Variables git reads as commands, when this line sets them.
  static constexpr std::string_view k_env[] = {
      "GIT_PAGER",         "GIT_SSH_COMMAND", "GIT_SSH", "GIT_EDITOR", "GIT_SEQUENCE_EDITOR",
      "GIT_EXTERNAL_DIFF", "GIT_ASKPASS",     "EDITOR",  "VISUAL",     "PAGER"};
  for (auto name : k_env) {
    auto it = env.find(std::string(name));
    if (it != env.end() && !it->second.empty()) {
      out.shell.push_back({std::string(name) + "=", CodeArg{it->second, false}});
      smuggled(std::string(name), it->second, std::string(name) + "=");
    }
  }
  if (auto count = env.find("GIT_CONFIG_COUNT"); count != env.end()) {
    for (int i = 0; i < 16; ++i) {
      auto k = env.find("GIT_CONFIG_KEY_" + std::to_string(i));
      auto v = env.find("GIT_CONFIG_VALUE_" + std::to_string(i));
      if (k == env.end() || v == env.end()) continue;
      Word w;
      w.text = v->second;
      config(k->second, w, "GIT_CONFIG_KEY_" + std::to_string(i), true);
    }
  }
  // Global options up to the subcommand.
  size_t i = 1;
  for (; i < argv.size(); ++i) {
    const std::string& t = argv[i].text;
    if (t == "-c" && i + 1 < argv.size()) {
      const Word& kv = argv[++i];
      const auto eq = kv.text.find('=');
      if (eq == std::string::npos) continue;
      Word v = kv;
      v.text = kv.text.substr(eq + 1);
      config(kv.text.substr(0, eq), v, "git -c " + kv.text.substr(0, eq), true);
      continue;
    }
    if (t == "-C" || t == "--git-dir" || t == "--work-tree" || t == "--namespace" ||
        t == "--exec-path" || t == "--config-env" || t == "--super-prefix") {
      if (t.find('=') == std::string::npos) ++i;
      continue;
    }
    if (!t.empty() && t[0] == '-') continue;
    break;
  }
  out.sub_index = i;
  if (i >= argv.size()) return out;
  const Word& sub = argv[i];
  if (sub.text == "config" && !sub.dynamic) {
    // git config [scope] KEY VALUE, git config set [scope] KEY VALUE.
    std::vector<const Word*> operands;
    bool reading = false;
    for (size_t k = i + 1; k < argv.size(); ++k) {
      const std::string& t = argv[k].text;
      if (t == "-f" || t == "--file" || t == "--blob" || t == "--type" || t == "--default" ||
          t == "--comment") {
        ++k;
        continue;
      }
      if (t == "--get" || t == "--get-all" || t == "--get-regexp" || t == "--unset" ||
          t == "--unset-all" || t == "--list" || t == "-l" || t == "--remove-section" ||
          t == "--rename-section" || t == "get" || t == "list" || t == "unset" || t == "-e" ||
          t == "--edit") {
        reading = true;
      }
      if (!t.empty() && t[0] == '-') continue;
      if (operands.empty() && t == "set") continue;
      operands.push_back(&argv[k]);
    }
    if (!reading && operands.size() >= 2) {
      const std::string key = operands[0]->text;
      const std::string k = lower(key);
      const Word& value = *operands[1];
      config(key, value, "git config " + key);
      const bool alias_cmd = starts_with(k, "alias.") && starts_with(value.text, "!");
      const bool installs =
          alias_cmd || k == "core.hookspath" ||
          (exec_key(k) && !starts_with(k, "alias.") && !editor_key(k) &&
           command_of(k, value.text).has_value() &&
           !((k == "core.pager" || starts_with(k, "pager.")) && plain_pager(value.text)));
      if (installs) {
        out.installs.emplace_back(
            key, "git config " + key + " '" + value.text.substr(0, 120) +
                     "': git will run this as a command later, outside any review");
      }
    }
    return out;
  }
  if (auto it = line_aliases.find(sub.text); it != line_aliases.end() && !sub.dynamic) {
    out.alias_name = sub.text;
    out.alias_value = it->second;
  }
  return out;
}

}  // namespace blastwall::shell::detail
