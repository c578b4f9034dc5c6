// `blastwall ui`: the local dashboard. One process serves the embedded pages (ui/assets/, compiled
// into the binary) and a small JSON API over HTTP/1.1 on a loopback address only (Boost.Beast):
// pending approvals (approve/deny through proxy/decide.hpp, the code `blastwall approve` runs), a
// live timeline (server-sent events), sessions, stats and replay of a candidate pack.
//
// Auth (docs/UI.md): the human opens the URL printed by `blastwall ui` (the token from
// <state dir>/ui-token in the URL fragment); the page exchanges it once for an HttpOnly,
// SameSite=Strict session cookie and a per-session CSRF token. Every request must name a
// loopback Host (DNS rebinding); API reads need the cookie; mutations also need an allowed Origin
// and the CSRF token header.
//
// Threads: an acceptor thread, one thread per connection (at most max_connections), a janitor
// that closes idle keep-alive connections. stop() (or the destructor) closes everything and joins.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "blastwall/engine.hpp"
#include "blastwall/result.hpp"

namespace blastwall::ui {

inline constexpr uint16_t k_default_port = 8765;  // rules/packs/self-protection.yaml knows it

// Builds the engine a replay evaluates with: candidate pack files/directories and an optional
// policy file on top of the shipped packs (the CLI passes its build_engine).
using EngineFactory = std::function<Result<std::shared_ptr<const Engine>>(
    const std::vector<std::string>& packs, const std::string& policy)>;

struct UiOptions {
  std::string host = "127.0.0.1";  // must be a loopback address (is_loopback_address)
  uint16_t port = k_default_port;  // 0 = any free port (tests)
  std::string state_dir;           // approvals.db lives here
  std::string audit_db;            // empty = the default audit path
  std::string token;               // load_or_create_token()
  std::string who;                 // recorded as the decider: "<who> via dashboard"
  EngineFactory engine_factory;    // for replay; unset = replay answers 501
  int poll_ms = 250;               // how often live streams look for new rows
  int64_t approved_ttl_ms = 600'000;
  int max_connections = 64;
  int idle_close_ms = 30'000;  // keep-alive connections idle this long are closed
};

// 127.0.0.0/8, ::1 or "localhost". Anything else is refused before binding.
[[nodiscard]] bool is_loopback_address(std::string_view host);

class UiServer {
 public:
  // Binds and starts serving. Errors: not a loopback address, port in use, no token.
  [[nodiscard]] static Result<std::unique_ptr<UiServer>> start(UiOptions options);
  ~UiServer();
  UiServer(const UiServer&) = delete;
  UiServer& operator=(const UiServer&) = delete;

  [[nodiscard]] uint16_t port() const;
  // http://127.0.0.1:PORT/ and the same with #token=... (what the human opens).
  [[nodiscard]] std::string base_url() const;
  [[nodiscard]] std::string login_url() const;
  void stop();

  struct Impl;

 private:
  explicit UiServer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> m;
};

}  // namespace blastwall::ui
