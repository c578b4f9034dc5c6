// Where the resident engine listens: shared by the front (cli/front/front.cpp) and the server
// (cli/serve.cpp). POSIX only, no allocation beyond the caller's buffer.
//
// Directory: $BLASTWALL_RUNTIME_DIR, else $XDG_RUNTIME_DIR/blastwall, else /tmp/blastwall-<uid>.
// It must be a real directory (not a symlink) owned by this user with no group/other access; it is
// created 0700 when missing. Anything else (a directory another user planted in /tmp, say) means no
// resident engine: the caller runs the command in-process. Socket: bw-<fnv1a(core path)>.sock.
#pragma once

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "cli/front/protocol.hpp"

namespace blastwall::front {

// A private directory: created 0700 if missing; must be ours, not a symlink, no group/other bits.
[[nodiscard]] inline bool private_dir(const char* dir) {
  struct stat st {};
  if (::lstat(dir, &st) != 0) {
    if (errno != ENOENT || (::mkdir(dir, 0700) != 0 && errno != EEXIST)) return false;
    if (::lstat(dir, &st) != 0) return false;
  }
  return S_ISDIR(st.st_mode) && st.st_uid == ::getuid() && (st.st_mode & 077) == 0;
}

// Writes the socket path for the core binary at `core` into out[cap]. False = no resident engine.
[[nodiscard]] inline bool socket_path(const char* core, char* out, size_t cap) {
  char dir[256];
  const char* explicit_dir = std::getenv("BLASTWALL_RUNTIME_DIR");
  const char* xdg = std::getenv("XDG_RUNTIME_DIR");
  int n = 0;
  if (explicit_dir && *explicit_dir) {
    n = std::snprintf(dir, sizeof dir, "%s", explicit_dir);
  } else if (xdg && xdg[0] == '/') {
    n = std::snprintf(dir, sizeof dir, "%s/blastwall", xdg);
  } else {
    n = std::snprintf(dir, sizeof dir, "/tmp/blastwall-%u", static_cast<unsigned>(::getuid()));
  }
  if (n <= 0 || static_cast<size_t>(n) >= sizeof dir || !private_dir(dir)) return false;
  uint64_t h = fnv1a(core, std::strlen(core));
  n = std::snprintf(out, cap, "%s/bw-%016llx.sock", dir, static_cast<unsigned long long>(h));
  // sockaddr_un.sun_path holds 108 bytes including the NUL.
  return n > 0 && static_cast<size_t>(n) < cap && n < 108;
}

}  // namespace blastwall::front
