// What MCP arguments carry besides shell, SQL, paths and URLs: program text for a tool that runs
// it (code runners, notebook cells, browser evaluate), and credential material in text a tool
// sends (chat messages, issue comments, URLs). Pure; private to rules/scope.
#include "rules/scope/mcp_code.hpp"

#include <re2/re2.h>

#include <algorithm>
#include <cctype>

namespace blastwall::scope {

namespace {

std::string lower(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (char ch : s) out += static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  return out;
}

bool has_any(std::string_view hay, std::initializer_list<std::string_view> needles) {
  return std::any_of(needles.begin(), needles.end(),
                     [&](std::string_view n) { return hay.find(n) != std::string_view::npos; });
}

}  // namespace

std::string normalise_language(std::string_view name) {
  const std::string n = lower(name);
  if (n.empty()) return {};
  // Flat alias table (an initializer_list member of a static array would dangle).
  static constexpr std::pair<std::string_view, std::string_view> k_names[] = {
      {"python", "python"},
      {"python3", "python"},
      {"py", "python"},
      {"ipython", "python"},
      {"jupyter", "python"},
      {"ipynb", "python"},
      {"python2", "python"},
      {"javascript", "node"},
      {"js", "node"},
      {"node", "node"},
      {"nodejs", "node"},
      {"typescript", "node"},
      {"ts", "node"},
      {"deno", "node"},
      {"bun", "node"},
      {"jsx", "node"},
      {"tsx", "node"},
      {"mjs", "node"},
      {"ruby", "ruby"},
      {"rb", "ruby"},
      {"perl", "perl"},
      {"pl", "perl"},
      {"php", "php"},
      {"lua", "lua"},
      {"bash", "shell"},
      {"sh", "shell"},
      {"shell", "shell"},
      {"shellscript", "shell"},
      {"zsh", "shell"},
      {"console", "shell"},
      {"terminal", "shell"},
      {"ksh", "shell"},
      {"dash", "shell"},
      {"go", "go"},
      {"golang", "go"},
      {"java", "java"},
      {"jshell", "java"},
      {"kotlin", "kotlin"},
      {"kt", "kotlin"},
      {"kts", "kotlin"},
      {"groovy", "groovy"},
      {"scala", "scala"},
      {"rust", "rust"},
      {"rs", "rust"},
      {"c", "c"},
      {"cpp", "c"},
      {"c++", "c"},
      {"cc", "c"},
      {"objective-c", "c"},
      {"csharp", "csharp"},
      {"cs", "csharp"},
      {"c#", "csharp"},
      {"dotnet", "csharp"},
      {"swift", "swift"}};
  for (const auto& [alias, lang] : k_names) {
    if (alias == n) return std::string(lang);
  }
  return {};
}

bool tool_runs_code(std::string_view tool) {
  const std::string t = lower(tool);
  return has_any(t, {"run", "exec", "eval", "repl", "cell", "kernel", "interpret", "sandbox",
                     "notebook", "jupyter", "python", "javascript", "script"});
}

bool tool_is_browser(std::string_view tool, std::string_view server) {
  const std::string t = lower(tool) + " " + lower(server);
  return has_any(t, {"browser", "puppeteer", "playwright", "page", "chrome", "devtools", "selenium",
                     "webdriver"});
}

bool is_code_key(std::string_view key) {
  const std::string k = lower(key);
  static constexpr std::string_view k_keys[] = {
      "code",       "cell_source", "source_code", "sourcecode", "snippet",    "program",
      "expression", "function",    "python_code", "js_code",    "code_block", "codeblock",
      "cell",       "python",      "javascript",  "js",         "statements"};
  return std::find(std::begin(k_keys), std::end(k_keys), k) != std::end(k_keys);
}

std::string mcp_code_language(std::string_view tool, std::string_view server,
                              const nlohmann::json& obj) {
  if (obj.is_object()) {
    for (const char* k : {"language", "languageId", "language_id", "lang", "runtime", "kernel",
                          "kernel_name", "interpreter"}) {
      auto it = obj.find(k);
      if (it != obj.end() && it->is_string()) {
        if (auto l = normalise_language(it->get<std::string>()); !l.empty()) return l;
      }
    }
  }
  const std::string t = lower(tool);
  if (tool_is_browser(tool, server)) return "browser";
  if (has_any(t, {"python", "jupyter", "notebook", "cell", "kernel", "ipython"})) return "python";
  if (has_any(t, {"javascript", "node", "typescript", "deno"})) return "node";
  if (has_any(t, {"bash", "shell", "terminal"})) return "shell";
  if (t.find("ruby") != std::string::npos) return "ruby";
  return {};
}

CellParts split_ipython_cell(std::string_view cell) {
  CellParts out;
  // %%bash / %%sh / %%script bash: the whole cell is a shell script.
  std::string_view first = cell.substr(0, cell.find('\n'));
  while (!first.empty() && (first.front() == ' ' || first.front() == '\t')) first.remove_prefix(1);
  for (std::string_view magic : {"%%bash", "%%sh", "%%script bash", "%%script sh", "%%system"}) {
    if (first.substr(0, magic.size()) == magic) {
      const auto nl = cell.find('\n');
      if (nl != std::string_view::npos) out.shell.emplace_back(cell.substr(nl + 1));
      return out;
    }
  }
  size_t pos = 0;
  while (pos <= cell.size()) {
    const auto nl = cell.find('\n', pos);
    std::string_view line =
        cell.substr(pos, nl == std::string_view::npos ? std::string_view::npos : nl - pos);
    std::string_view t = line;
    while (!t.empty() && (t.front() == ' ' || t.front() == '\t')) t.remove_prefix(1);
    // `!cmd`, `%sx cmd`, `%system cmd`, `x = !cmd`: IPython hands the rest to a shell.
    std::string_view sh;
    if (!t.empty() && t.front() == '!') {
      sh = t.substr(t.size() > 1 && t[1] == '!' ? 2 : 1);
    } else if (t.substr(0, 4) == "%sx " || t.substr(0, 8) == "%system ") {
      sh = t.substr(t.find(' ') + 1);
    } else if (auto eq = t.find("= !");
               eq != std::string_view::npos && t.find_first_of("(\"'") > eq) {
      sh = t.substr(eq + 3);
    }
    if (!sh.empty()) {
      out.shell.emplace_back(sh);
      out.python += "\n";
    } else {
      out.python += std::string(line) + "\n";
    }
    if (nl == std::string_view::npos) break;
    pos = nl + 1;
  }
  return out;
}

std::string browser_credential_send(std::string_view code) {
  static constexpr std::string_view k_material[] = {
      "document.cookie", "localStorage", "sessionStorage",    "indexedDB",
      "credentials.get", "getItem(",     "PasswordCredential"};
  static constexpr std::string_view k_send[] = {
      "fetch(", "sendBeacon(", "XMLHttpRequest", ".send(",     "new Image",       "WebSocket(",
      ".src=",  ".src =",      "location.href",  "location =", "location.assign", "window.open("};
  std::string_view material;
  for (auto m : k_material) {
    if (code.find(m) != std::string_view::npos) {
      material = m;
      break;
    }
  }
  if (material.empty()) return {};
  std::string_view via;
  for (auto s : k_send) {
    if (code.find(s) != std::string_view::npos) {
      via = s;
      break;
    }
  }
  if (via.empty()) return {};
  // A literal destination on this machine is the app under test talking to itself.
  static const RE2 k_url(R"((https?|wss?)://([^/'"`\s:]+))");
  std::string host;
  if (RE2::PartialMatch(code, k_url, static_cast<void*>(nullptr), &host)) {
    if (host == "localhost" || host.rfind("127.", 0) == 0 || host == "[::1]") return {};
  }
  std::string to = host.empty() ? std::string("a computed address") : host;
  return "the page code sends browser credentials (" + std::string(material) + ") to " + to + " (" +
         std::string(via) + ")";
}

std::string credential_in_text(std::string_view text) {
  if (text.size() < 16) return {};
  // Cheap gate: every pattern below needs one of these.
  if (!has_any(text, {"PRIVATE KEY", "AKIA", "ASIA", "_KEY", "secret", "SECRET", "ghp_", "gho_",
                      "ghs_", "ghu_", "github_pat_", "xox", "sk_live_", "rk_live_", "AIza", "npm_",
                      "glpat-", "://", "Bearer "})) {
    return {};
  }
  struct Pattern {
    const char* what;
    const char* re;
  };
  static const Pattern k_patterns[] = {
      {"a private key", R"(-----BEGIN ([A-Z0-9]+ )*PRIVATE KEY( BLOCK)?-----)"},
      {"an AWS access key id", R"(\b(AKIA|ASIA)[0-9A-Z]{16}\b)"},
      {"an AWS secret access key",
       R"((?i)aws_?secret_?access_?key["']?\s*[:=]\s*["']?[A-Za-z0-9/+]{40}\b)"},
      {"a GitHub token", R"(\b(gh[opusr]_[A-Za-z0-9]{30,}|github_pat_[A-Za-z0-9_]{30,}))"},
      {"a GitLab token", R"(\bglpat-[A-Za-z0-9_-]{20,})"},
      {"a Slack token", R"(\bxox[abprse]-[A-Za-z0-9-]{10,})"},
      {"a Stripe live key", R"(\b[rs]k_live_[A-Za-z0-9]{16,})"},
      {"a Google API key", R"(\bAIza[0-9A-Za-z_-]{35}\b)"},
      {"an npm token", R"(\bnpm_[A-Za-z0-9]{36}\b)"},
      {"a bearer token", R"(\bBearer\s+[A-Za-z0-9._~+/-]{30,}=*)"},
  };
  static const auto* k_compiled = [] {
    auto* v = new std::vector<std::pair<const char*, std::unique_ptr<RE2>>>();
    for (const auto& p : k_patterns) v->emplace_back(p.what, std::make_unique<RE2>(p.re));
    return v;
  }();
  for (const auto& [what, re] : *k_compiled) {
    if (RE2::PartialMatch(text, *re)) return std::string("the text contains ") + what;
  }
  // scheme://user:password@host: a connection string with its password written out.
  static const RE2 k_url_pass(R"(\b[a-z][a-z0-9+.-]*://[^/\s:@'"]+:([^/\s@'"]+)@([A-Za-z0-9.-]+))");
  std::string pass;
  std::string host;
  re2::StringPiece in(text.data(), text.size());
  while (RE2::FindAndConsume(&in, k_url_pass, &pass, &host)) {
    if (host == "localhost" || host.rfind("127.", 0) == 0 || host == "db" || host == "postgres")
      continue;  // a local development database's throw-away password
    const std::string p = lower(pass);
    const bool placeholder = p.size() < 4 || p[0] == '$' || p[0] == '<' || p[0] == '{' ||
                             p[0] == '%' || p.find("***") != std::string::npos ||
                             p.find("xxx") != std::string::npos || p == "password" || p == "pass" ||
                             p == "passwd" || p == "secret" || p == "changeme" || p == "postgres" ||
                             p == "root" || p == "test" || p == "example";
    if (!placeholder) return "the text contains a connection URL with its password";
  }
  return {};
}

}  // namespace blastwall::scope

namespace blastwall::scope {

std::vector<std::string> tool_words(std::string_view tool) {
  std::vector<std::string> out;
  std::string cur;
  auto flush = [&] {
    if (!cur.empty()) out.push_back(std::move(cur));
    cur.clear();
  };
  for (size_t i = 0; i < tool.size(); ++i) {
    const char ch = tool[i];
    if (std::isalnum(static_cast<unsigned char>(ch)) == 0) {
      flush();
      continue;
    }
    if (std::isupper(static_cast<unsigned char>(ch)) != 0 && !cur.empty() &&
        std::islower(static_cast<unsigned char>(cur.back())) != 0)
      flush();
    cur += static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  }
  flush();
  return out;
}

std::string tool_destructive_verb(std::string_view tool) {
  static constexpr std::string_view k_verbs[] = {
      "delete", "remove", "rm",       "destroy", "drop",     "uninstall",   "terminate",
      "purge",  "wipe",   "truncate", "pause",   "kill",     "deprovision", "decommission",
      "erase",  "nuke",   "teardown", "evict",   "shutdown", "flush"};
  const auto words = tool_words(tool);
  for (const auto& w : words) {
    if (std::find(std::begin(k_verbs), std::end(k_verbs), w) != std::end(k_verbs)) return w;
  }
  return {};
}

std::string tool_resource(std::string_view tool, const nlohmann::json& args) {
  static constexpr std::string_view k_nouns[] = {
      "namespace",   "project",      "cluster",  "volume",     "database",    "db",
      "bucket",      "stack",        "instance", "deployment", "service",     "release",
      "chart",       "helm",         "pod",      "pods",       "container",   "repository",
      "repo",        "index",        "table",    "collection", "topic",       "queue",
      "zone",        "record",       "dns",      "vm",         "droplet",     "server",
      "environment", "branch",       "app",      "function",   "statefulset", "resource",
      "resources",   "secret",       "pvc",      "node",       "workspace",   "site",
      "domain",      "organization", "org",      "schema",     "snapshot",    "backup",
      "image",       "network",      "firewall", "key",        "keys",        "user",
      "role",        "worker",       "manifest", "account",    "configmap",   "ingress",
      "job",         "cronjob"};
  for (const auto& w : tool_words(tool)) {
    if (std::find(std::begin(k_nouns), std::end(k_nouns), w) != std::end(k_nouns)) return w;
  }
  if (!args.is_object()) return {};
  // {params: {projectId: ..}}: one level of wrapping is common.
  const nlohmann::json* obj = &args;
  if (args.size() == 1 && args.begin()->is_object()) obj = &*args.begin();
  // The resource's own type, when an argument gives it (`resourceType: deployment`).
  for (const char* k : {"resourceType", "resource_type", "kind", "type"}) {
    auto it = obj->find(k);
    if (it != obj->end() && it->is_string() && !it->get_ref<const std::string&>().empty() &&
        (obj->contains("name") || obj->contains("namespace") || obj->contains("apiVersion")))
      return lower(it->get<std::string>());
  }
  for (const auto& [k, v] : obj->items()) {
    (void)v;
    const auto words = tool_words(k);
    for (const auto& w : words) {
      if (w == "id" || w == "name") continue;
      if (std::find(std::begin(k_nouns), std::end(k_nouns), w) != std::end(k_nouns)) return w;
    }
    if (k == "resourceType" || k == "resource_type" || k == "apiVersion") return "resource";
  }
  return {};
}

}  // namespace blastwall::scope

namespace blastwall::scope {

std::string metadata_credentials(std::string_view host, std::string_view path) {
  if (const auto colon = host.rfind(':'); colon != std::string_view::npos && host.front() != '[')
    host = host.substr(0, colon);
  const bool metadata = host == "169.254.169.254" || host == "metadata.google.internal" ||
                        host == "metadata" || host == "100.100.100.200" ||
                        host == "[fd00:ec2::254]" || host == "169.254.170.2";
  if (!metadata) return {};
  const std::string p = lower(path);
  if (!has_any(p, {"credential", "token", "identity", "service-accounts", "security-credentials",
                   "/v2/credentials", "userdata", "user-data", "msi"})) {
    return {};
  }
  return "the cloud instance metadata service hands out this machine's credentials (" +
         std::string(host) + std::string(path.substr(0, 80)) + ")";
}

}  // namespace blastwall::scope
