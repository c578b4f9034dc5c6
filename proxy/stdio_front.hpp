// The stdio client side for the asio-based modes: `blastwall mcp --upstream URL` speaks newline-
// framed JSON-RPC on stdin/stdout to its client and Streamable HTTP to the server. Runs until the
// client closes its input (the upstream session is then ended with DELETE), the server is gone,
// or SIGINT/SIGTERM/SIGHUP. Returns 0, or 1 when the server went away first.
#pragma once

#include <boost/asio/io_context.hpp>
#include <functional>
#include <memory>

#include "proxy/links.hpp"

namespace blastwall::proxy {

struct StdioFrontOptions {
  std::size_t frame_cap = k_default_frame_cap;
  int in_fd = 0;
  int out_fd = 1;
};

int run_stdio_front(boost::asio::io_context& io, const StdioFrontOptions& options,
                    const std::function<std::unique_ptr<Session>(Wire&)>& make_session,
                    const LinkFactory& make_link);

}  // namespace blastwall::proxy
