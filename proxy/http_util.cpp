#include "proxy/http_util.hpp"

#include <fcntl.h>
#include <sodium.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <nlohmann/json.hpp>

namespace blastwall::proxy {
namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

std::optional<uint16_t> parse_port(std::string_view s) {
  unsigned v = 0;
  if (s.empty() || s.size() > 5) return std::nullopt;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size() || v > 65535) return std::nullopt;
  return static_cast<uint16_t>(v);
}

// Splits "host[:port]" / "[v6][:port]". False when malformed.
bool split_authority(std::string_view a, std::string& host, std::optional<uint16_t>& port) {
  port.reset();
  if (a.empty()) return false;
  std::string_view rest;
  if (a.front() == '[') {
    const auto close = a.find(']');
    if (close == std::string_view::npos) return false;
    host = std::string(a.substr(1, close - 1));
    rest = a.substr(close + 1);
  } else {
    const auto colon = a.rfind(':');
    if (colon != std::string_view::npos && a.find(':') != colon) return false;  // bare v6
    host = std::string(a.substr(0, colon));
    rest = colon == std::string_view::npos ? std::string_view{} : a.substr(colon);
  }
  if (!rest.empty()) {
    if (rest.front() != ':') return false;
    port = parse_port(rest.substr(1));
    if (!port) return false;
  }
  return !host.empty();
}

}  // namespace

bool known_protocol_version(std::string_view v) {
  return v == "2025-11-25" || v == "2025-06-18" || v == "2025-03-26" || v == "2024-11-05" ||
         v == "2024-10-07";
}

std::string HttpUrl::host_header() const {
  const bool v6 = host.find(':') != std::string::npos;
  std::string h = v6 ? "[" + host + "]" : host;
  if (port != 80) h += ":" + std::to_string(port);
  return h;
}

Result<HttpUrl> parse_http_url(std::string_view url) {
  const std::string l = lower(url.substr(0, 8));
  if (l.rfind("https://", 0) == 0) {
    return make_error("--upstream " + std::string(url) +
                      ": https is not supported (no TLS in this build); use http:// to a local "
                      "server or a local TLS-terminating tunnel");
  }
  if (l.rfind("http://", 0) != 0) {
    return make_error("--upstream " + std::string(url) + ": expected an http:// URL");
  }
  std::string_view rest = url.substr(7);
  const auto slash = rest.find_first_of("/?#");
  std::string_view authority = rest.substr(0, slash);
  HttpUrl u;
  if (authority.find('@') != std::string_view::npos) {
    return make_error("--upstream: credentials in the URL are not supported");
  }
  std::optional<uint16_t> port;
  if (!split_authority(authority, u.host, port)) {
    return make_error("--upstream " + std::string(url) + ": malformed host or port");
  }
  u.port = port.value_or(80);
  if (slash != std::string_view::npos) {
    std::string_view target = rest.substr(slash);
    if (const auto hash = target.find('#'); hash != std::string_view::npos) {
      target = target.substr(0, hash);
    }
    u.target =
        target.empty() || target.front() != '/' ? "/" + std::string(target) : std::string(target);
  }
  return u;
}

bool is_loopback_host(std::string_view host) {
  std::string h = lower(host);
  if (h.size() >= 2 && h.front() == '[' && h.back() == ']') h = h.substr(1, h.size() - 2);
  if (h == "localhost" || h == "::1" || h == "0:0:0:0:0:0:0:1") return true;
  // 127.0.0.0/8, dotted quad only.
  if (h.rfind("127.", 0) != 0) return false;
  int parts = 0;
  std::size_t i = 0;
  while (i <= h.size()) {
    const auto dot = h.find('.', i);
    const std::string_view part =
        std::string_view(h).substr(i, dot == std::string::npos ? std::string::npos : dot - i);
    unsigned v = 0;
    auto [p, ec] = std::from_chars(part.data(), part.data() + part.size(), v);
    if (part.empty() || ec != std::errc() || p != part.data() + part.size() || v > 255) {
      return false;
    }
    ++parts;
    if (dot == std::string::npos) break;
    i = dot + 1;
  }
  return parts == 4;
}

Result<ListenAddress> parse_listen_address(std::string_view text) {
  ListenAddress a;
  std::string host;
  std::optional<uint16_t> port;
  // A bare port ("8080") means 127.0.0.1:8080.
  if (auto p = parse_port(text)) {
    a.port = *p;
    return a;
  }
  if (!split_authority(text, host, port) || !port) {
    return make_error("--listen " + std::string(text) +
                      ": expected HOST:PORT, e.g. 127.0.0.1:8765");
  }
  if (!is_loopback_host(host)) {
    return make_error("--listen " + std::string(text) +
                      ": blastwall only listens on loopback (127.0.0.1, ::1, localhost); "
                      "exposing an MCP proxy to the network would let anyone drive its tools");
  }
  a.host = lower(host) == "localhost" ? "127.0.0.1" : host;
  a.port = *port;
  return a;
}

std::string host_of_authority(std::string_view authority) {
  std::string host;
  std::optional<uint16_t> port;
  if (!split_authority(trim(authority), host, port)) return {};
  return host;
}

bool origin_allowed(std::string_view origin) {
  origin = trim(origin);
  const std::string l = lower(origin);
  std::size_t skip = 0;
  if (l.rfind("http://", 0) == 0) {
    skip = 7;
  } else if (l.rfind("https://", 0) == 0) {
    skip = 8;
  } else {
    return false;  // "null", file:, chrome-extension:, garbage
  }
  std::string_view authority = origin.substr(skip);
  if (authority.find_first_of("/?#@") != std::string_view::npos) return false;
  std::string host;
  std::optional<uint16_t> port;
  return split_authority(authority, host, port) && is_loopback_host(host);
}

Result<std::string> load_or_create_token(const std::string& path) {
  if (sodium_init() < 0) return make_error("libsodium failed to initialise");
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  if (fd >= 0) {
    struct stat st {};
    if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
      ::close(fd);
      return make_error("token file " + path + " is not a regular file");
    }
    if (st.st_uid != ::geteuid()) {
      ::close(fd);
      return make_error("token file " + path + " is not owned by this user");
    }
    if ((st.st_mode & 077) != 0) {
      ::close(fd);
      return make_error("token file " + path +
                        " is readable by group or others; run `chmod 600` on it (or delete it to "
                        "get a new token)");
    }
    std::string text(512, '\0');
    const ssize_t n = ::read(fd, text.data(), text.size());
    ::close(fd);
    if (n < 0) return make_error("cannot read token file " + path + ": " + std::strerror(errno));
    text.resize(static_cast<std::size_t>(n));
    while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) text.pop_back();
    if (text.size() < 32 || text.find_first_of(" \t\r\n") != std::string::npos) {
      return make_error("token file " + path +
                        " does not hold a token (at least 32 characters, no spaces)");
    }
    return text;
  }
  if (errno != ENOENT) {
    return make_error("cannot open token file " + path + ": " + std::strerror(errno));
  }
  if (const auto slash = path.find_last_of('/'); slash != std::string::npos && slash > 0) {
    // Create missing parents privately (the state directory is normally there already).
    std::string dir = path.substr(0, slash);
    for (std::size_t i = 1; i <= dir.size(); ++i) {
      if (i == dir.size() || dir[i] == '/') {
        const std::string part = dir.substr(0, i);
        if (::mkdir(part.c_str(), 0700) != 0 && errno != EEXIST) {
          return make_error("cannot create " + part + ": " + std::strerror(errno));
        }
      }
    }
  }
  unsigned char raw[32];
  randombytes_buf(raw, sizeof raw);
  char hex[sizeof raw * 2 + 1];
  sodium_bin2hex(hex, sizeof hex, raw, sizeof raw);
  sodium_memzero(raw, sizeof raw);
  const std::string token(hex, sizeof raw * 2);
  sodium_memzero(hex, sizeof hex);
  const int out = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (out < 0) {
    if (errno == EEXIST) return load_or_create_token(path);  // another proxy won the race
    return make_error("cannot create token file " + path + ": " + std::strerror(errno));
  }
  const std::string line = token + "\n";
  const bool ok = ::write(out, line.data(), line.size()) == static_cast<ssize_t>(line.size());
  ::fchmod(out, 0600);  // whatever the umask
  ::close(out);
  if (!ok) {
    ::unlink(path.c_str());
    return make_error("cannot write token file " + path);
  }
  return token;
}

bool bearer_matches(std::string_view authorization, std::string_view token) {
  authorization = trim(authorization);
  if (authorization.size() < 7 || lower(authorization.substr(0, 7)) != "bearer ") return false;
  const std::string_view given = trim(authorization.substr(7));
  // The length is not secret (it is fixed); the bytes are compared in constant time.
  if (given.size() != token.size() || token.empty()) return false;
  return sodium_memcmp(given.data(), token.data(), token.size()) == 0;
}

bool accepts(std::string_view accept, std::string_view media_type) {
  const std::string want = lower(media_type);
  const std::string type = want.substr(0, want.find('/'));
  std::size_t i = 0;
  while (i <= accept.size()) {
    const auto comma = accept.find(',', i);
    std::string_view item =
        accept.substr(i, comma == std::string_view::npos ? std::string_view::npos : comma - i);
    item = trim(item.substr(0, item.find(';')));
    const std::string it = lower(item);
    if (it == want || it == "*/*" || it == type + "/*") return true;
    if (comma == std::string_view::npos) break;
    i = comma + 1;
  }
  return false;
}

std::string media_type_of(std::string_view content_type) {
  return lower(trim(content_type.substr(0, content_type.find(';'))));
}

std::string jsonrpc_error(std::string_view id_json, int code, std::string_view message) {
  std::string out = "{\"jsonrpc\":\"2.0\",\"id\":";
  out += id_json.empty() ? std::string_view("null") : id_json;
  out += ",\"error\":{\"code\":" + std::to_string(code) + ",\"message\":";
  out += nlohmann::json(std::string(message)).dump();
  out += "}}";
  return out;
}

std::string sse_event(std::string_view id, std::string_view data) {
  std::string out;
  out.reserve(data.size() + id.size() + 16);
  if (!id.empty()) {
    out += "id: ";
    out += id;
    out += '\n';
  }
  std::size_t i = 0;
  do {
    const auto nl = data.find('\n', i);
    out += "data: ";
    out += data.substr(i, nl == std::string_view::npos ? std::string_view::npos : nl - i);
    out += '\n';
    if (nl == std::string_view::npos) break;
    i = nl + 1;
  } while (i <= data.size());
  out += '\n';
  return out;
}

std::string http_chunk(std::string_view bytes) {
  char len[20];
  auto [p, ec] = std::to_chars(len, len + sizeof len, bytes.size(), 16);
  (void)ec;
  std::string out;
  out.reserve(bytes.size() + 24);
  out.append(len, p);
  out += "\r\n";
  out += bytes;
  out += "\r\n";
  return out;
}

void SseParser::feed(std::string_view bytes, const EventFn& on_event) {
  for (char c : bytes) {
    if (m_failed) return;
    if (m_after_cr) {
      m_after_cr = false;
      if (c == '\n') continue;  // \r\n
    }
    if (c == '\r' || c == '\n') {
      m_after_cr = c == '\r';
      line(m_line, on_event);
      m_line.clear();
      continue;
    }
    if (m_line.size() >= m_cap) {
      m_failed = true;
      return;
    }
    m_line.push_back(c);
  }
}

void SseParser::line(std::string_view l, const EventFn& on_event) {
  if (l.empty()) {  // dispatch
    if (m_any) {
      if (m_has_data) {
        // The WHATWG rule: the trailing newline of the data buffer is removed.
        if (!m_ev.data.empty() && m_ev.data.back() == '\n') m_ev.data.pop_back();
      }
      on_event(m_ev);
    }
    const std::string keep_id = m_ev.id;
    m_ev = SseEvent{};
    m_ev.id = keep_id;  // the last event id persists, but has_id marks this event's own id
    m_any = m_has_data = false;
    return;
  }
  if (l.front() == ':') return;  // comment / keep-alive
  const auto colon = l.find(':');
  std::string_view field = l.substr(0, colon);
  std::string_view value =
      colon == std::string_view::npos ? std::string_view{} : l.substr(colon + 1);
  if (!value.empty() && value.front() == ' ') value.remove_prefix(1);
  if (field == "data") {
    m_ev.data.append(value);
    m_ev.data.push_back('\n');
    m_any = m_has_data = true;
    if (m_ev.data.size() > m_cap) m_failed = true;
  } else if (field == "id") {
    if (value.find('\0') == std::string_view::npos) {
      m_ev.id = std::string(value);
      m_ev.has_id = true;
      m_any = true;
    }
  } else if (field == "event") {
    m_ev.event = std::string(value);
    m_any = true;
  } else if (field == "retry") {
    int64_t v = 0;
    auto [p, ec] = std::from_chars(value.data(), value.data() + value.size(), v);
    if (ec == std::errc() && p == value.data() + value.size() && v >= 0) {
      m_ev.retry_ms = v;
      m_any = true;
    }
  }
}

}  // namespace blastwall::proxy
