// A bounded HTTPS GET (Boost.Beast over OpenSSL) for `blastwall packs add/update/sync`. Only
// https:// URLs; the server certificate is verified against the system store plus an optional CA
// file, with host name checking; redirects (to https:// only), body size and total time are
// bounded. Never throws.
#pragma once

#include <cstddef>
#include <string>

#include "blastwall/result.hpp"

namespace blastwall::cli {

struct HttpsOptions {
  std::string ca_file;  // extra trusted CA certificates (PEM); empty = system store only
  int timeout_ms = 15000;
  std::size_t max_bytes = 4u << 20;  // a pack file's limit
  int max_redirects = 3;
};

struct HttpsResponse {
  int status = 0;
  std::string body;
  std::string final_url;
};

// Any completed exchange is a value (a 404 included: callers decide); an unreachable host, a
// failed handshake, a bad certificate, a timeout or an oversize body is an error.
[[nodiscard]] Result<HttpsResponse> https_get(const std::string& url, const HttpsOptions& options);

}  // namespace blastwall::cli
