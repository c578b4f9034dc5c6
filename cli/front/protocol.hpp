// The wire format between the `blastwall` front (cli/front/front.cpp) and the resident engine
// (`blastwall-core serve`, cli/serve.cpp) over a unix stream socket. Header-only and free of the
// standard library's heavier parts: the front is a small static binary whose start-up is the cost
// every hook call pays. See docs/ARCHITECTURE.md "Resident engine".
//
// Request:  magic "BWRQ" u32 version | u32 payload_len | payload
//   payload = identity (5 × u64: dev, ino, size, mtime_s, mtime_ns of blastwall-core)
//             u32 flags | u32 umask | str cwd | u32 argc, str × argc | u32 envc, str × envc |
//             str stdin
//   str = u32 length + bytes. Every integer is little-endian (both ends are the same machine).
// Response: u32 status | i32 exit_code | str stdout | str stderr
//   status 0 = ran; 1 = fall back (run the command in-process: stale server, cwd unreachable, …).
#pragma once

#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstring>

namespace blastwall::front {

inline constexpr uint32_t k_magic = 0x51525742;  // "BWRQ"
inline constexpr uint32_t k_version = 1;
inline constexpr uint32_t k_flag_stdout_tty = 1u << 0;
inline constexpr uint32_t k_flag_stderr_tty = 1u << 1;
inline constexpr uint32_t k_flag_stdin_timeout = 1u << 2;  // hook input not closed within budget
inline constexpr uint32_t k_status_ran = 0;
inline constexpr uint32_t k_status_fallback = 1;
// Upper bound of a request the server reads (envelopes are capped at 4 MiB, actions at 16 MiB).
inline constexpr uint32_t k_max_request = 40u << 20;

struct Identity {
  uint64_t dev = 0, ino = 0, size = 0, mtime_s = 0, mtime_ns = 0;
  [[nodiscard]] bool operator==(const Identity& o) const {
    return dev == o.dev && ino == o.ino && size == o.size && mtime_s == o.mtime_s &&
           mtime_ns == o.mtime_ns;
  }
};

// FNV-1a: names the socket after the core binary's path, so each installation has its own server.
[[nodiscard]] inline uint64_t fnv1a(const char* s, size_t n) {
  uint64_t h = 1469598103934665603ull;
  for (size_t i = 0; i < n; ++i) {
    h ^= static_cast<unsigned char>(s[i]);
    h *= 1099511628211ull;
  }
  return h;
}

// Moves exactly n bytes, retrying short transfers and EINTR. op: 'r' read, 'w' write, 's' send
// without SIGPIPE. False on EOF or error.
[[nodiscard]] inline bool transfer(int fd, char* p, size_t n, char op) {
  while (n > 0) {
    ssize_t k = op == 'r'   ? ::read(fd, p, n)
                : op == 'w' ? ::write(fd, p, n)
                            : ::send(fd, p, n, MSG_NOSIGNAL);
    if (k < 0 && errno == EINTR) continue;
    if (k <= 0) return false;
    p += k;
    n -= static_cast<size_t>(k);
  }
  return true;
}

// Bounds-checked reader over a received payload.
struct Reader {
  const char* p;
  const char* end;
  bool ok = true;
  bool u32(uint32_t& v) {
    if (!ok || end - p < 4) return ok = false;
    std::memcpy(&v, p, 4);
    p += 4;
    return true;
  }
  bool u64(uint64_t& v) {
    if (!ok || end - p < 8) return ok = false;
    std::memcpy(&v, p, 8);
    p += 8;
    return true;
  }
  // A view into the payload (not NUL-terminated).
  bool str(const char*& s, uint32_t& n) {
    if (!u32(n) || static_cast<uint64_t>(end - p) < n) return ok = false;
    s = p;
    p += n;
    return true;
  }
};

}  // namespace blastwall::front
