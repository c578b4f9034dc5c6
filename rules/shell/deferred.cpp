// Deferred and detached execution: commands handed to a runner that executes them later or in
// another terminal (systemd-run, screen, tmux, at/batch, crontab). The unwrapper asks here where
// the command they will run is, so that it is classified like a direct one; when it cannot be seen
// (`at -f job.sh`) the caller marks it dynamic, which fails closed (ask).
#include <string>
#include <string_view>

#include "rules/shell/unwrap_internal.hpp"

namespace blastwall::shell::detail {
namespace {

bool starts_with(std::string_view s, std::string_view p) { return s.substr(0, p.size()) == p; }

bool in(std::string_view v, std::initializer_list<std::string_view> l) {
  for (auto x : l)
    if (x == v) return true;
  return false;
}

// Skips options from argv[i]: `--x=v`, long options in `valued`, short letters in `short_valued`
// (`-u NAME`, `-uNAME`). Returns the first non-option index; `--` is consumed.
size_t skip_options(const std::vector<Word>& a, size_t i, std::string_view short_valued,
                    std::initializer_list<std::string_view> valued, bool* timer = nullptr) {
  while (i < a.size()) {
    const std::string& t = a[i].text;
    if (t == "--") return i + 1;
    if (t.size() < 2 || t[0] != '-') return i;
    if (timer && starts_with(t, "--on-")) *timer = true;
    if (t[1] == '-') {
      if (t.find('=') != std::string::npos) {
        ++i;
      } else {
        i += in(std::string_view(t).substr(2), valued) ? 2 : 1;
      }
      continue;
    }
    // Short options: the first letter that takes a value ends the bundle.
    size_t next = i + 1;
    for (size_t k = 1; k < t.size(); ++k) {
      if (short_valued.find(t[k]) != std::string_view::npos) {
        if (k + 1 == t.size()) next = i + 2;
        break;
      }
    }
    i = next;
  }
  return i;
}

Deferred argv_at(size_t start, std::string label) {
  Deferred d;
  d.form = Deferred::Form::argv;
  d.start = start;
  d.label = std::move(label);
  return d;
}

Deferred text_of(const std::vector<Word>& a, size_t from, std::string label) {
  Deferred d;
  d.form = Deferred::Form::text;
  d.label = std::move(label);
  for (size_t i = from; i < a.size(); ++i) {
    if (i > from) d.text += ' ';
    d.text += a[i].text;
    d.dynamic = d.dynamic || a[i].dynamic;
  }
  return d;
}

// `tmux send-keys -t T 'rm -rf ~' Enter`: key names become the characters they type.
Deferred tmux_keys(const std::vector<Word>& a, size_t from, bool literal) {
  Deferred d;
  d.form = Deferred::Form::text;
  d.label = "tmux send-keys";
  for (size_t i = from; i < a.size(); ++i) {
    const std::string& k = a[i].text;
    d.dynamic = d.dynamic || a[i].dynamic;
    if (!literal && in(k, {"Enter", "C-m", "KPEnter", "C-j", "C-c", "C-d"})) {
      d.text += '\n';
    } else if (!literal && k == "Space") {
      d.text += ' ';
    } else if (!literal && (in(k, {"Tab", "Escape", "BSpace", "Up", "Down", "Left", "Right", "Home",
                                   "End", "C-l", "C-u", "C-z"}))) {
      continue;
    } else {
      d.text += k;
    }
  }
  return d;
}

Deferred tmux(const std::vector<Word>& a) {
  size_t i = skip_options(a, 1, "LSfc", {});
  if (i >= a.size()) return {};
  const std::string& sub = a[i].text;
  if (sub == "send-keys" || sub == "send") {
    bool literal = false;
    size_t j = i + 1;
    while (j < a.size() && a[j].text.size() > 1 && a[j].text[0] == '-') {
      const std::string& t = a[j].text;
      if (t == "--") {
        ++j;
        break;
      }
      if (t.find('l') != std::string::npos) literal = true;
      j += (t == "-t" || t == "-N" || t == "-c") ? 2 : 1;
    }
    return tmux_keys(a, j, literal);
  }
  if (in(sub, {"new-session", "new", "new-window", "neww", "split-window", "splitw", "respawn-pane",
               "respawnp", "respawn-window", "respawnw", "run-shell", "run"})) {
    const bool run = sub == "run-shell" || sub == "run";  // -d DELAY there, a flag elsewhere
    size_t j = skip_options(a, i + 1, run ? "dt" : "stncexyFlf", {});
    if (j >= a.size()) return {};
    return text_of(a, j, "tmux " + sub);
  }
  return {};
}

Deferred screen(const std::vector<Word>& a) {
  size_t i = 1;
  bool command_mode = false;
  while (i < a.size() && a[i].text.size() > 1 && a[i].text[0] == '-') {
    const std::string& t = a[i].text;
    if (t == "-X") {
      command_mode = true;
      ++i;
      break;
    }
    // A bundle ending in a letter that takes a value (`-dmS name`) consumes the next word.
    const bool valued =
        t == "-Logfile" ||
        (t[1] != '-' && std::string_view("ScehpsTt").find(t.back()) != std::string_view::npos);
    i += valued ? 2 : 1;
  }
  if (i >= a.size()) return {};
  if (!command_mode) return argv_at(i, "screen");
  if (a[i].text == "stuff") {
    Deferred d = text_of(a, i + 1, "screen -X stuff");
    std::string out;
    for (size_t k = 0; k < d.text.size(); ++k) {  // ^M and \n end a typed line
      if (d.text[k] == '^' && k + 1 < d.text.size() &&
          (d.text[k + 1] == 'M' || d.text[k + 1] == 'J')) {
        out += '\n';
        ++k;
      } else if (d.text[k] == '\\' && k + 1 < d.text.size() &&
                 (d.text[k + 1] == 'n' || d.text[k + 1] == 'r')) {
        out += '\n';
        ++k;
      } else {
        out += d.text[k];
      }
    }
    d.text = std::move(out);
    return d;
  }
  if (a[i].text == "exec" || a[i].text == "screen") return argv_at(i + 1, "screen -X exec");
  return {};
}

}  // namespace

Deferred deferred_command(std::string_view name, const std::vector<Word>& a) {
  if (name == "systemd-run") {
    bool timer = false;
    size_t i = skip_options(a, 1, "upEHMd",
                            {"unit",
                             "property",
                             "setenv",
                             "description",
                             "slice",
                             "on-active",
                             "on-boot",
                             "on-startup",
                             "on-unit-active",
                             "on-unit-inactive",
                             "on-calendar",
                             "timer-property",
                             "path-property",
                             "socket-property",
                             "host",
                             "machine",
                             "uid",
                             "gid",
                             "nice",
                             "working-directory",
                             "service-type",
                             "expand-environment"},
                            &timer);
    if (i >= a.size()) return {};
    return argv_at(i, timer ? "systemd-run --on-timer" : "systemd-run");
  }
  if (name == "screen") return screen(a);
  if (name == "tmux") return tmux(a);
  if (name == "at" || name == "batch") {
    for (size_t i = 1; i < a.size(); ++i) {
      const std::string& t = a[i].text;
      // Listing, removing or showing jobs runs nothing.
      if (t == "-l" || t == "-d" || t == "-r" || t == "-c" || t == "--help" || t == "-V") return {};
      if (t == "-f" || starts_with(t, "-f")) {
        Deferred d;
        d.form = Deferred::Form::hidden;
        d.label = std::string(name) + " -f";
        return d;
      }
    }
    Deferred d;
    d.form = Deferred::Form::stdin_text;
    d.label = std::string(name);
    return d;
  }
  if (name == "crontab") {
    for (size_t i = 1; i < a.size(); ++i) {
      const std::string& t = a[i].text;
      if (t == "-l" || t == "-r" || t == "-e" || t == "-i") return {};
      if (t == "-u") ++i;
    }
    // `crontab -` or `crontab` reads the table on stdin; `crontab FILE` installs a file unseen.
    size_t i = skip_options(a, 1, "u", {});
    Deferred d;
    d.label = "crontab";
    d.crontab = true;
    d.form =
        (i >= a.size() || a[i].text == "-") ? Deferred::Form::stdin_text : Deferred::Form::hidden;
    return d;
  }
  return {};
}

std::string crontab_commands(std::string_view table) {
  std::string out;
  size_t pos = 0;
  while (pos <= table.size()) {
    size_t nl = table.find('\n', pos);
    std::string_view line = table.substr(pos, nl == std::string_view::npos ? nl : nl - pos);
    pos = nl == std::string_view::npos ? table.size() + 1 : nl + 1;
    while (!line.empty() && (line[0] == ' ' || line[0] == '\t')) line.remove_prefix(1);
    if (line.empty() || line[0] == '#') continue;
    const auto eq = line.find('=');
    const auto sp = line.find_first_of(" \t");
    if (eq != std::string_view::npos && (sp == std::string_view::npos || eq < sp)) continue;
    int fields = line[0] == '@' ? 1 : 5;
    while (fields-- > 0 && !line.empty()) {
      auto end = line.find_first_of(" \t");
      line = end == std::string_view::npos ? std::string_view() : line.substr(end);
      while (!line.empty() && (line[0] == ' ' || line[0] == '\t')) line.remove_prefix(1);
    }
    if (line.empty()) continue;
    out.append(line);
    out += '\n';
  }
  return out;
}

}  // namespace blastwall::shell::detail
