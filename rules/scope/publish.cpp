// Publishing and remote destruction: facts for actions whose effect leaves the machine and cannot
// be taken back (a published package is mirrored within minutes), deletes remote state, or makes
// data public. Dry runs, local registries and read-only calls get no fact.
#include <algorithm>
#include <string>
#include <string_view>
#include <vector>

#include "rules/scope/extra_facts.hpp"

namespace blastwall::scope {
namespace {

bool starts_with(std::string_view s, std::string_view p) { return s.substr(0, p.size()) == p; }
bool has_arg(const Subject& s, std::string_view a) {
  for (const auto& x : s.args) {
    if (x == "--") break;
    if (x == a) return true;
    if (starts_with(x, a) && x.size() > a.size() && x[a.size()] == '=') return true;
  }
  return false;
}
bool any_arg(const Subject& s, std::initializer_list<std::string_view> list) {
  return std::any_of(list.begin(), list.end(), [&](auto a) { return has_arg(s, a); });
}
std::string upper(std::string_view s) {
  std::string out(s);
  for (auto& ch : out) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
  return out;
}
std::string lower(std::string_view s) {
  std::string out(s);
  for (auto& ch : out) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  return out;
}

// True when `text`, split at any of `seps`, has a token equal to one of `words`.
bool has_token(std::string_view text, std::string_view seps,
               std::initializer_list<std::string_view> words) {
  size_t i = 0;
  while (i <= text.size()) {
    size_t j = text.find_first_of(seps, i);
    if (j == std::string_view::npos) j = text.size();
    const auto tok = text.substr(i, j - i);
    for (auto w : words)
      if (tok == w) return true;
    i = j + 1;
  }
  return false;
}

bool is_local_host(std::string_view host) {
  auto colon = host.rfind(':');
  std::string_view h = host;
  if (!h.empty() && h[0] == '[') {
    h = h.substr(0, h.find(']') + 1);
  } else if (colon != std::string_view::npos) {
    h = h.substr(0, colon);
  }
  return h == "localhost" || h == "127.0.0.1" || h == "[::1]" || h == "0.0.0.0" ||
         starts_with(h, "127.") || h == "host.docker.internal" || h.ends_with(".localhost") ||
         h.ends_with(".local");
}

// Registry / URL values that point at the local machine (verdaccio, devpi, a local registry).
bool local_destination(const Subject& s) {
  for (auto o : {"--registry", "--repository-url", "--index-url", "--host", "--source", "-s",
                 "--server", "--repository", "-r", "--index"}) {
    for (const auto& v : option_values(s.args, o)) {
      auto scheme = v.find("://");
      std::string_view rest = scheme == std::string::npos ? std::string_view(v)
                                                          : std::string_view(v).substr(scheme + 3);
      rest = rest.substr(0, rest.find('/'));
      if (is_local_host(rest)) return true;
      if (v == "testpypi" || v.find("test.pypi.org") != std::string::npos) return true;
    }
  }
  return false;
}

bool dry_run(const Subject& s) {
  return any_arg(s, {"--dry-run", "--dryrun", "--dry", "-n", "--snapshot", "--skip-publish",
                     "--draft", "--no-publish"}) ||
         std::any_of(s.args.begin(), s.args.end(), [](const std::string& a) {
           return a == "--skip=publish" || starts_with(a, "--skip=publish") ||
                  (starts_with(a, "--skip=") && a.find("publish") != std::string::npos);
         });
}

// An image reference whose namespace or tag names a throw-away environment, or a local registry.
bool throwaway_image(std::string_view ref) {
  auto slash = ref.find('/');
  if (slash != std::string_view::npos && is_local_host(ref.substr(0, slash))) return true;
  if (slash != std::string_view::npos && ref.substr(0, slash).find(':') != std::string_view::npos &&
      (starts_with(ref, "kind-registry") || starts_with(ref, "registry.local")))
    return true;
  // Namespace components only (not the tag): registry.acme.com/dev/api:feature-x.
  std::string_view path =
      ref.substr(0, ref.rfind(':') == std::string_view::npos || ref.rfind(':') < ref.rfind('/')
                        ? ref.size()
                        : ref.rfind(':'));
  auto last = path.rfind('/');
  return last != std::string_view::npos &&
         has_token(path.substr(0, last), "/",
                   {"dev", "test", "scratch", "sandbox", "tmp", "ci", "preview"});
}

void publishes(Subject& s, const std::string& why) { s.facts.set("publishes", why); }
void destroys(Subject& s, const std::string& why, bool whole = false) {
  s.facts.set("remote_destroy", why);
  if (whole) s.facts.set("global", why);
}
void exposes(Subject& s, const std::string& why) { s.facts.set("public_exposure", why); }

// Facts of the command a runner starts (npx lerna, python -m twine), added to the runner's subject.
void judge_as(Subject& s, const std::string& name, std::vector<std::string> args) {
  Subject inner;
  inner.name = name;
  inner.args = std::move(args);
  for (const auto& a : inner.args)
    if (!a.empty() && a[0] != '-') inner.positionals.push_back(a);
  publish_command_facts(inner);
  for (const auto& [k, why] : inner.facts.flags)
    for (const auto& w : why) s.facts.set(k, w);
}

// First non-option word after a runner (npx, pnpm dlx, bunx): the tool it runs.
std::string runner_tool(const Subject& s, size_t& next) {
  for (size_t i = 0; i < s.args.size(); ++i) {
    const auto& a = s.args[i];
    if (a == "--") continue;
    if (!a.empty() && a[0] == '-') {
      if (a == "-p" || a == "--package") ++i;
      continue;
    }
    if ((s.name == "pnpm" || s.name == "yarn") && (a == "dlx" || a == "exec")) continue;
    next = i + 1;
    std::string t = a;
    if (t.size() > 1 && t[0] == '@') {
      auto sl = t.find('/');
      if (t.rfind("@changesets/", 0) == 0) return "changeset";
      t = sl == std::string::npos ? t : t.substr(sl + 1);
    }
    auto at = t.find('@', 1);
    return at == std::string::npos ? t : t.substr(0, at);
  }
  next = s.args.size();
  return {};
}

void js_facts(Subject& s) {
  const auto& pos = s.positionals;
  const std::string_view n = s.name;
  // yarn npm publish (berry), pnpm -r publish, pnpm --filter @x/y publish, npm publish: the
  // subcommand is the first positional that names one (option values come before it).
  static constexpr std::string_view k_subs[] = {"publish",  "unpublish", "deprecate",
                                                "dist-tag", "owner",     "access"};
  size_t v = 0;
  while (v < pos.size() && v < 3 &&
         std::find(std::begin(k_subs), std::end(k_subs), pos[v]) == std::end(k_subs))
    ++v;
  if (pos.size() <= v) return;
  const std::string& sub = pos[v];
  auto local = [&] { return local_destination(s); };  // only asked for publishing verbs
  if (sub == "publish" && !dry_run(s) && !local())
    publishes(s, std::string(n) + " publish uploads the package to the registry");
  if (sub == "unpublish" && !dry_run(s) && !local()) {
    // A bare name (no @version) or --force removes the whole package.
    bool whole = has_arg(s, "--force") || has_arg(s, "-f");
    for (size_t i = v + 1; i < pos.size(); ++i) {
      auto at = pos[i].find('@', pos[i][0] == '@' ? 1 : 0);
      if (at == std::string::npos) whole = true;
    }
    destroys(s,
             std::string(n) + " unpublish removes published versions" +
                 std::string(whole ? " (the whole package)" : ""),
             whole);
  }
  if (sub == "deprecate" && !local())
    publishes(s, std::string(n) + " deprecate changes the published package");
  if (sub == "dist-tag" && pos.size() > v + 1 && (pos[v + 1] == "add" || pos[v + 1] == "rm") &&
      !local())
    publishes(s, std::string(n) + " dist-tag " + pos[v + 1] + " moves what users install");
  if (sub == "owner" && pos.size() > v + 1 && (pos[v + 1] == "add" || pos[v + 1] == "rm"))
    s.facts.set("trust_change",
                std::string(n) + " owner " + pos[v + 1] + " changes who may publish");
  if (sub == "access" && pos.size() > v + 1) {
    for (size_t i = v + 1; i < pos.size(); ++i) {
      if (pos[i] == "public" || pos[i] == "status=public")
        exposes(s, std::string(n) + " access makes the package public");
      if (pos[i] == "grant" || pos[i] == "revoke")
        s.facts.set("trust_change",
                    std::string(n) + " access " + pos[i] + " changes who may publish");
    }
  }
}

// Release tools run through npx / pnpm dlx / bunx / yarn.
void runner_facts(Subject& s) {
  size_t next = 0;
  std::string tool = runner_tool(s, next);
  if (tool.empty()) return;
  judge_as(s, tool,
           std::vector<std::string>(
               s.args.begin() + static_cast<long>(std::min(next, s.args.size())), s.args.end()));
}

void forge_facts(Subject& s) {
  const auto& pos = s.positionals;
  const std::string_view n = s.name;
  if (pos.size() < 2) {
    if (pos.size() == 1 && pos[0] == "api") {
      // fallthrough to api handling below
    } else {
      return;
    }
  }
  const std::string& a0 = pos[0];
  const std::string a1 = pos.size() > 1 ? pos[1] : "";
  if (a0 == "repo") {
    if (a1 == "delete") destroys(s, std::string(n) + " repo delete removes the repository", true);
    if (a1 == "archive")
      destroys(s, std::string(n) + " repo archive makes the repository read-only");
    if (a1 == "rename" || a1 == "transfer")
      destroys(s, std::string(n) + " repo " + a1 + " breaks every clone, link and integration");
    if (a1 == "edit") {
      for (const auto& v : option_values(s.args, "--visibility")) {
        if (v == "public" || v == "internal")
          exposes(s, std::string(n) + " repo edit --visibility " + v + " publishes the repository");
        else
          destroys(s,
                   std::string(n) + " repo edit --visibility " + v + " (forks and stars are lost)");
      }
      if (has_arg(s, "--public"))
        exposes(s, std::string(n) + " repo edit --public publishes the repository");
    }
    if (a1 == "create" && (has_arg(s, "--public")))
      exposes(s, std::string(n) + " repo create --public publishes local sources");
  }
  if (a0 == "release") {
    if (a1 == "delete" || a1 == "delete-asset")
      destroys(s, std::string(n) + " release " + a1 + " removes published artifacts");
    if (a1 == "create" && !dry_run(s))
      publishes(s, std::string(n) + " release create publishes a release");
    if (a1 == "edit" && (has_arg(s, "--draft=false") || has_arg(s, "--latest")))
      publishes(s, std::string(n) + " release edit publishes the release");
  }
  if (a0 == "gist" && a1 == "create" && has_arg(s, "--public"))
    exposes(s, std::string(n) + " gist create --public publishes local files");
  if ((a0 == "ssh-key" || a0 == "gpg-key") && a1 == "delete")
    destroys(s, std::string(n) + " " + a0 + " delete removes account access");
  if (a0 == "workflow" && a1 == "disable")
    destroys(s, std::string(n) + " workflow disable turns off a repository workflow");
  if (a0 == "api") {
    std::string method;
    for (auto o : {"-X", "--method"})
      for (const auto& v : option_values(s.args, o)) method = upper(v);
    // gh/glab api switch to POST when fields are given.
    if (method.empty() && any_arg(s, {"-f", "-F", "--field", "--raw-field", "--input"}))
      method = "POST";
    // The endpoint is the first positional after `api` that is not the method's value (the
    // generic option table does not know gh's -X takes one).
    std::string endpoint;
    for (size_t i = 1; i < pos.size(); ++i) {
      if (upper(pos[i]) == method) continue;
      endpoint = pos[i];
      break;
    }
    std::string e = endpoint;
    while (!e.empty() && e[0] == '/') e.erase(0, 1);
    while (!e.empty() && e.back() == '/') e.pop_back();
    // repos/OWNER/REPO (GitHub) or projects/ID (GitLab) with nothing after it: the whole thing.
    auto parts = std::count(e.begin(), e.end(), '/');
    bool whole =
        (starts_with(e, "repos/") && parts == 2) || (starts_with(e, "projects/") && parts == 1) ||
        (starts_with(e, "orgs/") && parts == 1) || (starts_with(e, "groups/") && parts == 1);
    if (method == "DELETE") destroys(s, std::string(n) + " api DELETE " + endpoint, whole);
    bool fields_public = false;
    for (auto o : {"-f", "-F", "--field", "--raw-field"}) {
      for (const auto& v : option_values(s.args, o)) {
        std::string lv = lower(v);
        if (lv == "private=false" || lv == "visibility=public" || lv == "visibility=internal")
          fields_public = true;
      }
    }
    if (fields_public)
      exposes(s, std::string(n) + " api " + endpoint + " makes the repository public");
    if ((method == "PUT" || method == "POST" || method == "PATCH") &&
        (e.find("/collaborators/") != std::string::npos || e.ends_with("/keys") ||
         e.ends_with("/hooks") || e.find("/members") != std::string::npos ||
         e.ends_with("/deploy_keys")))
      s.facts.set("trust_change", std::string(n) + " api " + method + " " + endpoint +
                                      " grants access or sends events elsewhere");
    if ((method == "POST" || method == "PUT" || method == "PATCH") && e.size() > 9 &&
        e.substr(e.size() - 9) == "/transfer")
      destroys(s, std::string(n) + " api transfers " + endpoint + " to another owner");
  }
}

void cloud_exposure_facts(Subject& s) {
  const std::string_view n = s.name;
  const auto& pos = s.positionals;
  auto sub = [&](size_t i) -> std::string_view {
    return i < pos.size() ? std::string_view(pos[i]) : std::string_view();
  };
  if (n == "aws") {
    for (const auto& v : option_values(s.args, "--acl")) {
      if (v == "public-read" || v == "public-read-write" || v == "authenticated-read")
        exposes(s, "aws --acl " + v + " makes objects readable by anyone");
    }
    for (auto o : {"--grant-read", "--grant-full-control", "--grant-read-acp", "--grants"}) {
      for (const auto& v : option_values(s.args, o)) {
        if (v.find("AllUsers") != std::string::npos ||
            v.find("AuthenticatedUsers") != std::string::npos)
          exposes(s, "aws " + std::string(o) + " grants everyone access");
      }
    }
    if (sub(1) == "delete-public-access-block" || sub(1) == "delete-bucket-ownership-controls")
      exposes(s, "aws s3api " + std::string(sub(1)) + " removes the public-access guard");
    if (sub(1) == "put-public-access-block") {
      for (const auto& v : option_values(s.args, "--public-access-block-configuration"))
        if (lower(v).find("=false") != std::string::npos ||
            lower(v).find(": false") != std::string::npos ||
            lower(v).find(":false") != std::string::npos)
          exposes(s, "aws s3api put-public-access-block turns the public-access guard off");
    }
    if (sub(1) == "put-bucket-policy" || sub(1) == "add-permission") {
      for (const auto& a : s.args) {
        if (a.find("\"*\"") != std::string::npos || a == "*" ||
            a.find("\"AWS\":\"*\"") != std::string::npos)
          exposes(s, "aws " + std::string(sub(1)) + " grants access to everyone (principal *)");
      }
    }
    if (sub(1) == "authorize-security-group-ingress") {
      for (const auto& a : s.args)
        if (a.find("0.0.0.0/0") != std::string::npos || a.find("::/0") != std::string::npos)
          exposes(s, "security group opened to the whole internet");
    }
    if (has_arg(s, "--publicly-accessible"))
      exposes(s, "aws --publicly-accessible puts the database on the internet");
  }
  if (n == "gsutil") {
    for (const auto& a : s.args) {
      if (a.find("AllUsers") != std::string::npos || a.find("allUsers") != std::string::npos ||
          a.find("allAuthenticatedUsers") != std::string::npos ||
          a.find("AllAuthenticatedUsers") != std::string::npos || a == "public-read")
        exposes(s, "gsutil grants everyone access: " + a);
    }
  }
  if (n == "gcloud") {
    for (const auto& a : s.args) {
      if (a.find("allUsers") != std::string::npos ||
          a.find("allAuthenticatedUsers") != std::string::npos ||
          a == "--predefined-acl=publicRead" || a == "--predefined-acl=publicReadWrite")
        exposes(s, "gcloud grants everyone access: " + a);
      if (a.find("0.0.0.0/0") != std::string::npos &&
          std::find(pos.begin(), pos.end(), "firewall-rules") != pos.end())
        exposes(s, "firewall rule open to the whole internet");
    }
  }
  if (n == "az") {
    for (const auto& v : option_values(s.args, "--public-access"))
      if (v == "blob" || v == "container")
        exposes(s, "az storage --public-access " + v + " makes blobs readable by anyone");
    for (const auto& v : option_values(s.args, "--allow-blob-public-access"))
      if (lower(v) == "true") exposes(s, "az storage account allows public blob access");
  }
}

// A notebook server on every interface with no token is a remote shell for anyone on the network.
void server_exposure_facts(Subject& s) {
  const std::string_view n = s.name;
  if (n != "jupyter" && n != "jupyter-notebook" && n != "jupyter-lab") return;
  bool open_ip = false, no_auth = false;
  for (const auto& a : s.args) {
    if (a == "--ip=0.0.0.0" || a == "--ip=*" || a == "--ip='*'" || a.ends_with(".ip=0.0.0.0"))
      open_ip = true;
    if (a.ends_with(".token=") || a.ends_with(".token=''") || a == "--NotebookApp.token=" ||
        a.ends_with(".password=") || a == "--IdentityProvider.token=" || a.ends_with("token=\"\""))
      no_auth = true;
  }
  for (const auto& v : option_values(s.args, "--ip"))
    if (v == "0.0.0.0" || v == "*") open_ip = true;
  if (open_ip && no_auth)
    exposes(s,
            std::string(n) +
                " serves on every interface without a token (anyone on the network can run code)");
}

void registry_facts(Subject& s) {
  const std::string_view n = s.name;
  const auto& pos = s.positionals;
  auto sub = [&](size_t i) -> std::string_view {
    return i < pos.size() ? std::string_view(pos[i]) : std::string_view();
  };
  // Computed on first use: most commands that reach here are not publishing at all.
  int dry_v = -1, local_v = -1;
  auto dry = [&] { return dry_v < 0 ? (dry_v = dry_run(s)) != 0 : dry_v != 0; };
  auto local = [&] { return local_v < 0 ? (local_v = local_destination(s)) != 0 : local_v != 0; };
  if (n == "cargo") {
    if (sub(0) == "publish" && !dry()) publishes(s, "cargo publish uploads the crate to crates.io");
    if (sub(0) == "yank" && !has_arg(s, "--undo"))
      destroys(s, "cargo yank withdraws a published version");
    if (sub(0) == "owner" && any_arg(s, {"--add", "-a", "--remove", "-r"}))
      s.facts.set("trust_change", "cargo owner changes who may publish the crate");
    if (sub(0) == "release" && any_arg(s, {"--execute", "-x"}))
      publishes(s, "cargo release --execute publishes, tags and pushes");
  }
  if ((n == "twine" && sub(0) == "upload") || ((n == "poetry" || n == "uv" || n == "flit" ||
                                                n == "hatch" || n == "pdm" || n == "maturin") &&
                                               (sub(0) == "publish" || sub(0) == "upload"))) {
    if (!dry() && !local())
      publishes(s, std::string(n) + " " + std::string(sub(0)) + " uploads the package to PyPI");
  }
  if ((n == "python" || n == "python3") && (sub(0) == "setup.py") &&
      std::find(pos.begin(), pos.end(), "upload") != pos.end())
    publishes(s, "setup.py upload publishes to PyPI");
  if (n == "gem") {
    if (sub(0) == "push" && !local()) publishes(s, "gem push publishes the gem");
    if (sub(0) == "yank") destroys(s, "gem yank withdraws a published version");
    if (sub(0) == "owner" && any_arg(s, {"--add", "-a", "--remove", "-r"}))
      s.facts.set("trust_change", "gem owner changes who may publish the gem");
  }
  if ((n == "rake" || n == "bundle") && std::find(pos.begin(), pos.end(), "release") != pos.end())
    publishes(s, std::string(n) + " release builds, tags, pushes and publishes the gem");
  if ((n == "docker" || n == "podman" || n == "nerdctl" || n == "buildah")) {
    bool push = sub(0) == "push" || (sub(0) == "image" && sub(1) == "push") ||
                (sub(0) == "manifest" && sub(1) == "push");
    if (push) {
      bool throwaway = false;
      for (const auto& p : pos)
        if (p.find('/') != std::string::npos || p.find(':') != std::string::npos)
          throwaway = throwaway || throwaway_image(p);
      if (!throwaway) publishes(s, std::string(n) + " push uploads the image to a registry");
    }
    bool build = sub(0) == "build" || (sub(0) == "buildx" && sub(1) == "build") ||
                 (sub(0) == "image" && sub(1) == "build");
    if (build && any_arg(s, {"--push"})) {
      bool throwaway = false;
      for (auto o : {"-t", "--tag"})
        for (const auto& t : option_values(s.args, o)) throwaway = throwaway || throwaway_image(t);
      if (!throwaway)
        publishes(s, std::string(n) + " build --push uploads the image to a registry");
    }
  }
  if ((n == "crane" || n == "skopeo") && (sub(0) == "push" || sub(0) == "copy" || sub(0) == "cp")) {
    bool throwaway = false;
    for (const auto& p : pos) throwaway = throwaway || throwaway_image(p);
    if (!throwaway)
      publishes(s, std::string(n) + " " + std::string(sub(0)) + " uploads an image to a registry");
  }
  if (n == "goreleaser" && sub(0) == "release" && !dry())
    publishes(s, "goreleaser release publishes binaries and a release");
  if (n == "mvn" || n == "mvnw" || n == "./mvnw") {
    for (const auto& p : pos)
      if (p == "deploy" || p == "release:perform" || p == "deploy:deploy-file" ||
          p == "nexus-staging:release")
        publishes(s, "maven " + p + " uploads artifacts to a remote repository");
  }
  if (n == "gradle" || n == "gradlew" || n == "./gradlew") {
    for (const auto& p : pos) {
      std::string_view t = p;
      if (t.rfind(':') != std::string_view::npos) t = t.substr(t.rfind(':') + 1);
      if ((starts_with(t, "publish") && t != "publishToMavenLocal" &&
           t.find("MavenLocal") == std::string_view::npos) ||
          t == "closeAndReleaseSonatypeStagingRepository" ||
          t == "releaseSonatypeStagingRepository" || t == "closeAndReleaseRepository")
        publishes(s, "gradle " + std::string(t) + " uploads artifacts to a remote repository");
    }
  }
  if (n == "sbt") {
    for (const auto& p : pos) {
      std::string_view t = p;
      if (!t.empty() && t[0] == '+') t.remove_prefix(1);
      if (t == "publish" || t == "publishSigned" || t == "sonatypeBundleRelease" ||
          t == "sonatypeRelease" || t == "release" || t == "ci-release")
        publishes(s, "sbt " + std::string(t) + " uploads artifacts to a remote repository");
    }
  }
  if (n == "dotnet" && sub(0) == "nuget") {
    if (sub(1) == "push" && !local()) publishes(s, "dotnet nuget push publishes the package");
    if (sub(1) == "delete") destroys(s, "dotnet nuget delete unlists a published version");
  }
  if (n == "nuget" && sub(0) == "push") publishes(s, "nuget push publishes the package");
  if (n == "nuget" && sub(0) == "delete") destroys(s, "nuget delete unlists a published version");
  if (n == "mix") {
    if (sub(0) == "hex.publish" && !dry()) publishes(s, "mix hex.publish publishes the package");
    if (sub(0) == "hex.retire") publishes(s, "mix hex.retire retires a published version");
    if (sub(0) == "hex.owner" && (sub(1) == "add" || sub(1) == "remove" || sub(1) == "transfer"))
      s.facts.set("trust_change", "mix hex.owner changes who may publish");
  }
  if ((n == "dart" || n == "flutter") && sub(0) == "pub" && sub(1) == "publish" && !dry())
    publishes(s, std::string(n) + " pub publish uploads the package to pub.dev");
  if (n == "helm" && (sub(0) == "push" || sub(0) == "cm-push") && !local()) {
    bool throwaway = false;
    for (const auto& p : pos)
      if (p.rfind("oci://", 0) == 0) throwaway = throwaway_image(p.substr(6));
    if (!throwaway) publishes(s, "helm push uploads the chart to a registry");
  }
  if ((n == "vsce" || n == "ovsx") && sub(0) == "publish")
    publishes(s, std::string(n) + " publish uploads the extension to the marketplace");
  if ((n == "deno" || n == "jsr") && sub(0) == "publish" && !dry())
    publishes(s, std::string(n) + " publish uploads the package to JSR");
  if ((n == "anaconda" || n == "conda") && sub(0) == "upload")
    publishes(s, std::string(n) + " upload publishes the package");
  if (n == "fastlane" || (n == "bundle" && sub(0) == "exec" && sub(1) == "fastlane")) {
    size_t k = n == "fastlane" ? 0 : 2;
    std::string lane = lower(std::string(sub(k)) + " " + std::string(sub(k + 1)));
    if (lane.find("release") != std::string::npos || lane.find("deliver") != std::string::npos ||
        lane.find("pilot") != std::string::npos || lane.find("upload") != std::string::npos ||
        lane.find("supply") != std::string::npos)
      publishes(s, "fastlane " + lane + " uploads a build to an app store");
    if (sub(k) == "match" && sub(k + 1) == "nuke")
      destroys(s, "fastlane match nuke revokes every signing certificate", true);
  }
  if (n == "xcrun" && sub(0) == "altool" && any_arg(s, {"--upload-app", "--upload-package"}))
    publishes(s, "xcrun altool uploads a build to App Store Connect");
  if ((n == "semantic-release" || n == "release-it" || n == "np") && !dry())
    publishes(s, std::string(n) + " cuts and publishes a release");
  if (n == "changeset" && sub(0) == "publish")
    publishes(s, "changeset publish publishes every changed package");
  if (n == "lerna" && sub(0) == "publish" && !dry())
    publishes(s, "lerna publish publishes packages");
  if (n == "nx" && sub(0) == "release" && !dry() &&
      (sub(1) == "publish" || sub(1).empty() || any_arg(s, {"--yes", "-y"})))
    publishes(s, "nx release publishes packages");
}

}  // namespace

void publish_command_facts(Subject& s) {
  const std::string_view n = s.name;
  // Only these commands publish, destroy remote state or expose data: one sorted lookup keeps
  // every other command (ls, grep, make, ...) at the cost of a binary search.
  static constexpr std::string_view k_relevant[] = {"./gradlew",
                                                    "./mvnw",
                                                    "anaconda",
                                                    "aws",
                                                    "az",
                                                    "buildah",
                                                    "bun",
                                                    "bundle",
                                                    "bunx",
                                                    "cargo",
                                                    "changeset",
                                                    "conda",
                                                    "crane",
                                                    "curl",
                                                    "dart",
                                                    "deno",
                                                    "docker",
                                                    "dotnet",
                                                    "fastlane",
                                                    "flit",
                                                    "flutter",
                                                    "gcloud",
                                                    "gem",
                                                    "gh",
                                                    "git",
                                                    "glab",
                                                    "goreleaser",
                                                    "gradle",
                                                    "gradlew",
                                                    "gsutil",
                                                    "hatch",
                                                    "helm",
                                                    "http",
                                                    "https",
                                                    "jsr",
                                                    "jupyter",
                                                    "jupyter-lab",
                                                    "jupyter-notebook",
                                                    "lerna",
                                                    "maturin",
                                                    "mix",
                                                    "mvn",
                                                    "mvnw",
                                                    "nerdctl",
                                                    "np",
                                                    "npm",
                                                    "npx",
                                                    "nuget",
                                                    "nx",
                                                    "ovsx",
                                                    "pdm",
                                                    "pnpm",
                                                    "pnpx",
                                                    "podman",
                                                    "poetry",
                                                    "python",
                                                    "python3",
                                                    "rake",
                                                    "release-it",
                                                    "sbt",
                                                    "semantic-release",
                                                    "skopeo",
                                                    "twine",
                                                    "uv",
                                                    "vsce",
                                                    "wget",
                                                    "xcrun",
                                                    "xh",
                                                    "yarn"};
  static_assert(std::is_sorted(std::begin(k_relevant), std::end(k_relevant)));
  if (n.empty() || !std::binary_search(std::begin(k_relevant), std::end(k_relevant), n)) return;
  // python -m twine upload: judge the module as the command it is.
  if ((n == "python" || n == "python3") && s.args.size() >= 2 && s.args[0] == "-m") {
    judge_as(s, s.args[1], std::vector<std::string>(s.args.begin() + 2, s.args.end()));
  }
  if (n == "npm" || n == "pnpm" || n == "yarn" || n == "bun") js_facts(s);
  if (n == "npx" || n == "pnpx" || n == "bunx" ||
      ((n == "pnpm" || n == "yarn") && !s.positionals.empty() &&
       (s.positionals[0] == "dlx" || s.positionals[0] == "exec")))
    runner_facts(s);
  if (n == "gh" || n == "glab") forge_facts(s);
  if (n == "aws" || n == "gsutil" || n == "gcloud" || n == "az") {
    cloud_exposure_facts(s);
  } else if (n.rfind("jupyter", 0) == 0) {
    server_exposure_facts(s);
  } else if (n != "git" && n != "gh" && n != "glab" && n != "curl" && n != "wget" && n != "http" &&
             n != "https" && n != "xh") {
    registry_facts(s);
  }
  if (n == "git" && !s.positionals.empty() && s.positionals[0] == "push") {
    if (has_arg(s, "--mirror"))
      destroys(s,
               "git push --mirror makes the remote an exact copy, deleting refs it has and "
               "this clone lacks");
    if (s.positionals.size() >= 2 && s.positionals[1].find("://") != std::string::npos)
      publishes(s, "git push to " + s.positionals[1] + ", a URL rather than a configured remote");
  }
  // Raw HTTP verbs from curl / httpie / xh / wget.
  if (n == "curl" || n == "http" || n == "https" || n == "xh" || n == "wget") {
    std::string method;
    for (auto o : {"-X", "--request", "--method"})
      for (const auto& v : option_values(s.args, o)) method = upper(v);
    std::vector<std::string> urls;
    for (const auto& p : s.positionals) {
      if (p.find("://") != std::string::npos || starts_with(p, "localhost") ||
          starts_with(p, "127.0.0.1") ||
          (p.find(':') != std::string::npos && p.find('/') != std::string::npos))
        urls.push_back(p);
      else if ((n == "http" || n == "https" || n == "xh") && urls.empty() && method.empty()) {
        std::string u = upper(p);
        if (u == "DELETE" || u == "PUT" || u == "PATCH" || u == "POST" || u == "GET") method = u;
      }
    }
    if (method.empty() && any_arg(s, {"-d", "--data", "--data-binary", "--data-raw", "--json", "-F",
                                      "--form", "--post-data"}))
      method = "POST";
    const bool sends =
        any_arg(s, {"-d", "--data", "--data-binary", "--data-raw", "--data-urlencode", "--json",
                    "-F", "--form", "--post-data", "--post-file", "-T", "--upload-file",
                    "--body-data", "--body-file"});
    if (method.empty()) method = "GET";
    // A plain curl/wget GET or HEAD sends nothing and changes nothing (httpie and xh turn
    // key=value words into a POST body, so they are not judged read-only here).
    if ((n == "curl" || n == "wget") && !sends && (method == "GET" || method == "HEAD"))
      s.facts.set("http_read_only", std::string(n) + " " + method);
    if (any_arg(s, {"--unix-socket"}) && method == "DELETE")
      destroys(s, "HTTP DELETE through a local service socket");
    for (const auto& u : urls) http_request_facts(s, method, u);
  }
}

void http_request_facts(Subject& s, std::string_view method_in, std::string_view url) {
  const std::string method = upper(method_in);
  if (method == "GET" || method == "HEAD" || method == "OPTIONS") return;
  std::string_view rest = url;
  if (auto sc = rest.find("://"); sc != std::string_view::npos) rest = rest.substr(sc + 3);
  std::string_view host = rest.substr(0, rest.find_first_of("/?#"));
  if (auto at = host.rfind('@'); at != std::string_view::npos) host = host.substr(at + 1);
  std::string_view path =
      rest.size() > host.size() ? rest.substr(rest.find_first_of("/?#")) : std::string_view();
  if (rest.find('@') != std::string_view::npos && rest.find('@') < rest.find('/')) {
    auto at = rest.find('@');
    std::string_view after = rest.substr(at + 1);
    host = after.substr(0, after.find_first_of("/?#"));
    path = after.size() > host.size() ? after.substr(after.find_first_of("/?#")) : "";
  }
  const std::string lpath = lower(path);
  // Wildcards and _all name every index / database at once.
  const bool wildcard = lpath.find('*') != std::string::npos ||
                        lpath.find("%2a") != std::string::npos ||
                        lpath.find("/_all") != std::string::npos || lpath == "/" || lpath.empty();
  const bool local = is_local_host(host);
  auto port_of = [&]() -> std::string_view {
    auto c = host.rfind(':');
    return c == std::string_view::npos || host.find(']') > c ? std::string_view()
                                                             : host.substr(c + 1);
  };
  const std::string_view port = port_of();
  const std::string what = method + " " + std::string(host) + std::string(path.substr(0, 120));
  const bool destroy_path = lpath.find("_delete_by_query") != std::string::npos ||
                            lpath.find("/_close") != std::string::npos ||
                            lpath.find("/_shutdown") != std::string::npos ||
                            lpath.find("method=delete") != std::string::npos;
  if (method == "DELETE") {
    // A local development server's resource (localhost:3000/api/todos/1, a local test index) is
    // routine; a remote service, or a wildcard, is not.
    if (!local || wildcard) destroys(s, "HTTP DELETE " + what, wildcard);
    return;
  }
  if (destroy_path && (!local || wildcard))
    destroys(s, "HTTP " + what + " deletes or closes data", wildcard);
  (void)port;
}

void push_to_new_remote_facts(std::vector<Subject>& subjects, size_t first) {
  std::vector<std::string> added;
  for (size_t i = first; i < subjects.size(); ++i) {
    auto& s = subjects[i];
    if (s.name != "git" || s.positionals.empty()) continue;
    const auto& p = s.positionals;
    if (p.size() >= 3 && p[0] == "remote" && (p[1] == "add" || p[1] == "set-url"))
      added.push_back(p[2]);
    if (p[0] != "push" || p.size() < 2) continue;
    const bool all = has_arg(s, "--all") || has_arg(s, "--mirror") || has_arg(s, "--tags");
    if (!all) continue;
    if (std::find(added.begin(), added.end(), p[1]) != added.end())
      publishes(s, "git push " + p[1] +
                       " --all/--tags/--mirror sends every ref to a remote added "
                       "in the same command");
    else if (p[1].find("://") != std::string::npos || p[1].find('@') != std::string::npos)
      publishes(s, "git push of every ref to " + p[1]);
  }
}

}  // namespace blastwall::scope
