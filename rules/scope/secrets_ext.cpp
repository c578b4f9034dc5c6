// Credential files recognised by what they are, wherever they live: the stores tools keep tokens
// and passwords in (database clients, package registries, keychains, browsers, cloud CLIs), private
// key material, secret state files and the system's own credential files. `add_target` turns a hit
// into the secrets_read / secrets_write fact, so every surface (cat, file tools, MCP reads,
// uploads, copies) gets the same fact from one list.
#include <array>
#include <string_view>

#include "rules/scope/facts_ext.hpp"

namespace blastwall::scope {
namespace {

bool ends_with(std::string_view s, std::string_view x) {
  return s.size() >= x.size() && s.substr(s.size() - x.size()) == x;
}
bool starts_with(std::string_view s, std::string_view x) { return s.substr(0, x.size()) == x; }
bool contains(std::string_view s, std::string_view x) {
  return s.find(x) != std::string_view::npos;
}

// p is under dir (a whole-component prefix).
bool under(std::string_view p, std::string_view dir) {
  return starts_with(p, dir) && (p.size() == dir.size() || p[dir.size()] == '/');
}

struct Named {
  std::string_view name;
  const char* why;
};

// Files with these names hold credentials wherever they are.
constexpr std::array<Named, 16> k_cred_names{{
    {".pgpass", "PostgreSQL password file"},
    {".my.cnf", "MySQL client config with password"},
    {".mylogin.cnf", "MySQL login path file"},
    {".netrc", "netrc login file"},
    {".git-credentials", "git credential store"},
    {".vault-token", "Vault token"},
    {".vault_pass", "Ansible vault password"},
    {".vault_pass.txt", "Ansible vault password"},
    {".htpasswd", "HTTP password file"},
    {"id_rsa", "private SSH key"},
    {"id_ed25519", "private SSH key"},
    {"id_ecdsa", "private SSH key"},
    {"id_dsa", "private SSH key"},
    {"terraform.tfstate", "Terraform state (holds resource secrets in clear)"},
    {"terraform.tfstate.backup", "Terraform state (holds resource secrets in clear)"},
    {"credentials.tfrc.json", "Terraform Cloud token"},
}};

// Home-relative credential stores.
constexpr std::array<Named, 24> k_home_stores{{
    {".m2/settings.xml", "Maven settings (repository passwords)"},
    {".m2/settings-security.xml", "Maven master password"},
    {".gradle/gradle.properties", "Gradle properties (signing and repository passwords)"},
    {".cargo/credentials", "cargo registry token"},
    {".cargo/credentials.toml", "cargo registry token"},
    {".gem/credentials", "RubyGems API key"},
    {".config/composer/auth.json", "Composer auth tokens"},
    {".composer/auth.json", "Composer auth tokens"},
    {".config/hub", "hub GitHub token"},
    {".password-store", "pass password store"},
    {".local/share/keyrings", "GNOME keyring"},
    {".azure", "Azure CLI tokens"},
    {".oci", "Oracle Cloud keys"},
    {".s3cfg", "s3cmd keys"},
    {".boto", "boto credentials"},
    {".config/rclone/rclone.conf", "rclone remotes with tokens"},
    {".databrickscfg", "Databricks token"},
    {".config/doctl", "DigitalOcean token"},
    {".fly/config.yml", "Fly.io token"},
    {".config/op", "1Password CLI session"},
    {".bash_history", "shell history (pasted tokens and passwords)"},
    {".zsh_history", "shell history (pasted tokens and passwords)"},
    {".local/share/fish/fish_history", "shell history (pasted tokens and passwords)"},
    {".psql_history", "psql history (passwords typed in SQL)"},
}};

constexpr std::array<std::string_view, 9> k_browser_dirs{
    "/google-chrome/", "/chromium/",       "/BraveSoftware/",  "/Google/Chrome/", "/.mozilla/",
    "/Firefox/",       "/microsoft-edge/", "/Microsoft Edge/", "/Vivaldi/"};
constexpr std::array<std::string_view, 9> k_browser_files{
    "Cookies", "Login Data", "Web Data",    "cookies.sqlite",        "logins.json",
    "key4.db", "key3.db",    "Local State", "Login Data For Account"};

// Private key and keystore file types.
constexpr std::array<std::string_view, 8> k_key_exts{".key", ".p12", ".pfx",  ".keystore",
                                                     ".jks", ".ppk", ".kdbx", ".keychain"};

}  // namespace

const char* credential_reason(std::string_view p, std::string_view home,
                              std::string_view project_root) {
  if (p.empty() || p == "/") return nullptr;
  const auto slash = p.rfind('/');
  const std::string_view base = slash == std::string_view::npos ? p : p.substr(slash + 1);
  if (base.empty()) return nullptr;
  for (const auto& n : k_cred_names)
    if (base == n.name) return n.why;
  // System credential files.
  if (p == "/etc/shadow" || p == "/etc/gshadow" || p == "/etc/shadow-" || p == "/etc/gshadow-" ||
      p == "/etc/master.passwd" || p == "/etc/security/opasswd")
    return "system password hashes";
  if (under(p, "/etc/ssh") && starts_with(base, "ssh_host_") && ends_with(base, "_key"))
    return "SSH host private key";
  if (under(p, "/etc/ssl/private") && p.size() > 17) return "TLS private key";
  if (under(p, "/etc/letsencrypt") && starts_with(base, "privkey")) return "TLS private key";
  if (p == "/etc/kubernetes/admin.conf" || p == "/etc/rancher/k3s/k3s.yaml")
    return "cluster admin kubeconfig";
  if ((under(p, "/var/run/secrets") || under(p, "/run/secrets") || under(p, "/var/lib/kubelet")) &&
      (base == "token" || contains(p, "/secrets/")))
    return "service-account token";
  if (under(p, "/proc") && base == "environ") return "process environment (tokens)";
  // Home stores (every one a dot-directory or dot-file right under HOME: one prefix test).
  if (!home.empty() && p.size() > home.size() + 1 && p[home.size()] == '/' &&
      p[home.size() + 1] == '.' && starts_with(p, home)) {
    const std::string_view rel = p.substr(home.size() + 1);
    for (const auto& n : k_home_stores)
      if (under(rel, n.name)) return n.why;
  }
  // Browsers and keychains: the file name first (a compare), the directory only then (a search).
  for (auto f : k_browser_files) {
    if (base != f) continue;
    for (auto d : k_browser_dirs)
      if (contains(p, d)) return "browser cookie / password store";
  }
  if (contains(p, "/Library/Keychains/")) return "macOS keychain";
  if (ends_with(base, ".keychain-db")) return "macOS keychain";
  // Key material by type. `.pub` and certificates are public.
  for (auto e : k_key_exts)
    if (ends_with(base, e) && base.size() > e.size()) return "private key or keystore";
  if (ends_with(base, ".pem") && (contains(base, "key") || contains(base, "priv")))
    return "private key (PEM)";
  if (ends_with(base, ".tfstate")) return "Terraform state (holds resource secrets in clear)";
  // Cloud service-account keys and OAuth client secrets.
  if (ends_with(base, ".json") &&
      (starts_with(base, "client_secret") || contains(base, "service-account") ||
       contains(base, "service_account") || contains(base, "-sa-") || starts_with(base, "sa-") ||
       base == "credentials.json" || base == "application_default_credentials.json"))
    return "cloud service-account key";
  // Composer's auth.json next to composer.json (the project root) or in its home directory.
  if (base == "auth.json" && !project_root.empty() && p.size() == project_root.size() + 10 &&
      starts_with(p, project_root))
    return "Composer auth tokens";
  // A secrets directory or act/dotenv-style secret file holding data (not source code).
  if (starts_with(base, ".secrets")) return "secret file";
  if (contains(p, "/secrets/") || contains(p, "/.secrets/")) {
    for (auto e : {".json", ".yaml", ".yml", ".txt", ".env", ".toml", ".ini", ".conf"})
      if (ends_with(base, e)) return "file in a secrets directory";
    if (base.find('.') == std::string_view::npos) return "file in a secrets directory";
  }
  return nullptr;
}

}  // namespace blastwall::scope
