#include "ship/config.hpp"

#include <sys/stat.h>

#include <array>
#include <cstdlib>
#include <fstream>
#include <set>
#include <sstream>

#include "rules/pack/yaml_doc.hpp"

namespace blastwall::ship {
namespace {

using rules::detail::check_keys;
using rules::detail::YamlDoc;

bool file_exists(const std::string& p) {
  struct stat st {};
  return ::stat(p.c_str(), &st) == 0 && S_ISREG(st.st_mode);
}

Result<int> int_in(const YamlDoc& doc, const YAML::Node& n, const char* what, int lo, int hi) {
  try {
    if (!n.IsScalar()) return doc.error_at(n, std::string(what) + " must be a number");
    int v = n.as<int>();
    if (v < lo || v > hi)
      return doc.error_at(n, std::string(what) + " must be between " + std::to_string(lo) +
                                 " and " + std::to_string(hi));
    return v;
  } catch (const YAML::Exception&) {
    return doc.error_at(n, std::string(what) + " must be a whole number");
  }
}

Result<std::string> str_of(const YamlDoc& doc, const YAML::Node& n, const char* what) {
  if (!n.IsScalar()) return doc.error_at(n, std::string(what) + " must be a string");
  return n.Scalar();
}

Result<Destination> parse_target(const YamlDoc& doc, const YAML::Node& n) {
  static constexpr std::array<std::string_view, 11> k_keys{
      "name",  "type",     "endpoint",      "headers",    "address",       "app_name",
      "batch", "facility", "enterprise_id", "timeout_ms", "max_backoff_ms"};
  if (!n.IsMap()) return doc.error_at(n, "a target must be a mapping");
  if (auto e = check_keys(doc, n, k_keys, "target")) return *e;
  Destination t;
  if (!n["name"]) return doc.error_at(n, "a target needs a name");
  auto name = str_of(doc, n["name"], "name");
  if (!name) return name.error();
  t.name = *name;
  if (t.name.empty() || t.name.find_first_of(" \t/") != std::string::npos)
    return doc.error_at(n["name"], "a target name must be a non-empty word");
  if (!n["type"]) return doc.error_at(n, "target '" + t.name + "' needs a type (otlp or syslog)");
  auto type = str_of(doc, n["type"], "type");
  if (!type) return type.error();
  if (*type == "otlp") {
    t.type = TargetType::otlp;
  } else if (*type == "syslog") {
    t.type = TargetType::syslog;
  } else {
    return doc.error_at(n["type"], "unknown target type '" + *type + "' (otlp or syslog)");
  }
  if (n["endpoint"]) {
    auto v = str_of(doc, n["endpoint"], "endpoint");
    if (!v) return v.error();
    t.endpoint = *v;
  }
  if (n["address"]) {
    auto v = str_of(doc, n["address"], "address");
    if (!v) return v.error();
    t.address = *v;
  }
  if (n["app_name"]) {
    auto v = str_of(doc, n["app_name"], "app_name");
    if (!v) return v.error();
    t.app_name = *v;
  }
  if (n["enterprise_id"]) {
    auto v = str_of(doc, n["enterprise_id"], "enterprise_id");
    if (!v) return v.error();
    t.enterprise_id = *v;
  }
  if (n["headers"]) {
    const auto& h = n["headers"];
    if (!h.IsMap()) return doc.error_at(h, "headers must be a mapping of name: value");
    for (const auto& kv : h) {
      if (!kv.first.IsScalar() || !kv.second.IsScalar())
        return doc.error_at(kv.first, "header names and values must be strings");
      t.headers[kv.first.Scalar()] = kv.second.Scalar();
    }
  }
  struct IntKey {
    const char* key;
    int* out;
    int lo, hi;
  };
  for (const IntKey& k :
       {IntKey{"batch", &t.batch, 1, 100000}, IntKey{"facility", &t.facility, 0, 23},
        IntKey{"timeout_ms", &t.timeout_ms, 100, 600000},
        IntKey{"max_backoff_ms", &t.max_backoff_ms, 100, 3600000}}) {
    if (!n[k.key]) continue;
    auto v = int_in(doc, n[k.key], k.key, k.lo, k.hi);
    if (!v) return v.error();
    *k.out = *v;
  }
  if (t.type == TargetType::otlp) {
    if (t.endpoint.empty())
      return doc.error_at(n, "otlp target '" + t.name + "' needs an endpoint");
    if (auto ep = parse_endpoint(t.endpoint, t.type); !ep)
      return doc.error_at(n["endpoint"], ep.error().message);
  } else {
    if (auto ep = parse_endpoint(t.address, t.type); !ep)
      return doc.error_at(n["address"] ? n["address"] : n, ep.error().message);
  }
  return t;
}

}  // namespace

Result<ShipConfig> parse_ship_config(std::string_view text, const std::string& source) {
  auto doc = YamlDoc::parse(text, source);
  if (!doc) return doc.error();
  ShipConfig cfg;
  cfg.source = source;
  const auto& root = doc->root();
  if (root.IsNull()) return cfg;
  if (!root.IsMap()) return doc->error_at(root, "ship config must be a mapping");
  static constexpr std::array<std::string_view, 4> k_keys{"format", "targets", "continuous",
                                                          "poll_ms"};
  try {
    if (auto e = check_keys(*doc, root, k_keys, "ship config")) return *e;
    if (root["format"] && root["format"].Scalar() != "1")
      return doc->error_at(root["format"], "format must be 1");
    if (root["continuous"]) {
      if (!root["continuous"].IsScalar())
        return doc->error_at(root["continuous"], "continuous must be true or false");
      cfg.continuous = root["continuous"].as<bool>();
    }
    if (root["poll_ms"]) {
      auto v = int_in(*doc, root["poll_ms"], "poll_ms", 50, 60000);
      if (!v) return v.error();
      cfg.poll_ms = *v;
    }
    if (root["targets"]) {
      const auto& ts = root["targets"];
      if (!ts.IsSequence()) return doc->error_at(ts, "targets must be a list");
      std::set<std::string> names;
      for (const auto& n : ts) {
        auto t = parse_target(*doc, n);
        if (!t) return t.error();
        if (!names.insert(t->name).second)
          return doc->error_at(n, "duplicate target name '" + t->name + "'");
        cfg.targets.push_back(std::move(*t));
      }
    }
  } catch (const YAML::Exception& e) {
    return doc->error_at(e.mark, e.msg);
  }
  return cfg;
}

std::string default_ship_config_path() {
  if (const char* p = std::getenv("BLASTWALL_SHIP_CONFIG"); p && *p) return p;
  if (file_exists("/etc/blastwall/ship.yaml")) return "/etc/blastwall/ship.yaml";
  std::string base;
  if (const char* x = std::getenv("XDG_CONFIG_HOME"); x && *x) {
    base = x;
  } else if (const char* h = std::getenv("HOME"); h && *h) {
    base = std::string(h) + "/.config";
  } else {
    return {};
  }
  std::string p = base + "/blastwall/ship.yaml";
  return file_exists(p) ? p : std::string();
}

Result<ShipConfig> load_ship_config(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return make_error("cannot read ship config " + path);
  std::ostringstream ss;
  ss << in.rdbuf();
  return parse_ship_config(ss.str(), path);
}

Result<std::string> expand_env(std::string_view value) {
  std::string out;
  for (size_t i = 0; i < value.size(); ++i) {
    if (value[i] == '$' && i + 1 < value.size() && value[i + 1] == '{') {
      auto close = value.find('}', i + 2);
      if (close == std::string_view::npos) return make_error("unterminated ${ in header value");
      std::string name(value.substr(i + 2, close - i - 2));
      const char* v = std::getenv(name.c_str());
      if (!v) return make_error("header value names ${" + name + "}, which is not set");
      out += v;
      i = close;
    } else {
      out += value[i];
    }
  }
  return out;
}

Result<Endpoint> parse_endpoint(std::string_view url, TargetType type) {
  Endpoint ep;
  auto sep = url.find("://");
  if (sep == std::string_view::npos)
    return make_error("'" + std::string(url) + "' is not a URL (scheme://host:port)");
  ep.scheme = std::string(url.substr(0, sep));
  std::string_view rest = url.substr(sep + 3);
  if (type == TargetType::otlp) {
    if (ep.scheme != "http")
      return make_error("otlp endpoint must be http://host:port[/path] (got '" + ep.scheme +
                        "://'); terminate TLS in the local collector");
  } else if (ep.scheme == "unix") {
    if (rest.empty() || rest[0] != '/') return make_error("unix socket path must be absolute");
    ep.path = std::string(rest);
    return ep;
  } else if (ep.scheme != "udp" && ep.scheme != "tcp") {
    return make_error("syslog address must be udp://, tcp:// or unix:// (got '" + ep.scheme +
                      "://')");
  }
  auto slash = rest.find('/');
  std::string_view hostport = rest.substr(0, slash);
  ep.path = slash == std::string_view::npos ? std::string() : std::string(rest.substr(slash));
  std::string_view host = hostport, port;
  if (!hostport.empty() && hostport[0] == '[') {
    auto close = hostport.find(']');
    if (close == std::string_view::npos)
      return make_error("bad IPv6 address in " + std::string(url));
    host = hostport.substr(1, close - 1);
    if (close + 1 < hostport.size() && hostport[close + 1] == ':')
      port = hostport.substr(close + 2);
  } else if (auto colon = hostport.rfind(':'); colon != std::string_view::npos) {
    host = hostport.substr(0, colon);
    port = hostport.substr(colon + 1);
  }
  if (host.empty()) return make_error("no host in " + std::string(url));
  ep.host = std::string(host);
  ep.port = port.empty() ? (ep.scheme == "http"  ? "4318"
                            : ep.scheme == "tcp" ? "601"
                                                 : "514")
                         : std::string(port);
  for (char ch : ep.port) {
    if (ch < '0' || ch > '9') return make_error("bad port in " + std::string(url));
  }
  if (type == TargetType::otlp && (ep.path.empty() || ep.path == "/")) ep.path = "/v1/logs";
  return ep;
}

}  // namespace blastwall::ship
