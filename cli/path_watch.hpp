// Change notification for what the resident engine remembers between requests about files it does
// not own (cli/pack_store.cpp installed_view: the lockfile and the pack cache). One inotify
// descriptor; generation() moves on whenever anything watched may have changed, so a memo taken at
// generation G stays valid while generation() still returns G.
//
// What "watched" covers, for each path given to watch(): every directory from "/" down to the
// path's parent, for the entry that leads to it (so renaming, replacing or creating any component —
// an ancestor directory moved away, a file replaced by rename, a missing file created — is seen),
// and the path itself (a file's inode: writes and attribute changes through any name, hard links
// included; a directory with all_entries: every entry). A queue overflow, a lost watch or an event
// on a descriptor it does not know also move the generation. watch() refuses (returns false, and
// the caller must not remember anything) where events could be missed: a symlink on the way, ".."
// components, a file system inotify does not see every change on (network, FUSE: only the local
// ones below are trusted), or no inotify at all.
//
// The server's poll includes fd() (cli/serve.cpp): after each poll it calls polled(), which drains
// what is pending, so the request that follows learns "nothing changed" without a system call of
// its own. Everything else reads the descriptor in generation(). Single-threaded (the server is).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <unordered_map>
#include <unordered_set>

namespace blastwall::cli {

class PathWatch {
 public:
  PathWatch();
  ~PathWatch();
  PathWatch(const PathWatch&) = delete;
  PathWatch& operator=(const PathWatch&) = delete;

  // The descriptor to poll; -1 when inotify is not available.
  [[nodiscard]] int fd() const { return m_fd; }
  // See above. `path` must be absolute.
  [[nodiscard]] bool watch(const std::string& path, bool all_entries = false);
  // Only the inode of `path` (a regular file, not a symlink) inside a directory already watched
  // with all_entries; true also when it does not exist (its creation is an entry event).
  [[nodiscard]] bool watch_file_in_watched_dir(const std::string& path);
  // The current generation; nullopt when nothing can be watched. Reads pending events unless the
  // server's last poll already did and no one has asked since.
  [[nodiscard]] std::optional<uint64_t> generation();
  // From the server's loop, after a poll that included fd(): drains when readable, then lets the
  // next generation() skip its read.
  void polled(bool readable);
  // The request is over: the next generation() reads again unless a poll comes first.
  void request_done() { m_quiet = false; }
  // Watches held (bounded: past k_max_watches everything is dropped and watched afresh).
  [[nodiscard]] std::size_t watches() const { return m_filters.size(); }

 private:
  struct Filter {
    bool all = false;                       // every entry (or: a file's inode)
    std::unordered_set<std::string> names;  // else only these entries
  };
  static constexpr std::size_t k_max_watches = 1024;

  bool add(const std::string& path, bool all, const std::string& entry, bool dir);
  void drain();
  void reset();

  int m_fd = -1;
  uint64_t m_generation = 0;
  bool m_quiet = false;
  std::unordered_map<int, Filter> m_filters;  // by watch descriptor
};

}  // namespace blastwall::cli
