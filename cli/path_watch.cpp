#include "cli/path_watch.hpp"

#include <sys/inotify.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include <cerrno>
#include <climits>

namespace blastwall::cli {

namespace {

constexpr uint32_t k_mask = IN_CREATE | IN_DELETE | IN_MOVED_FROM | IN_MOVED_TO | IN_MODIFY |
                            IN_ATTRIB | IN_CLOSE_WRITE | IN_DELETE_SELF | IN_MOVE_SELF;

// File systems on which inotify reports every change to what this host sees: local ones. On a
// network file system a change made by another host raises no event, so nothing is remembered.
bool local_fs(const std::string& dir) {
  struct statfs fs {};
  if (::statfs(dir.c_str(), &fs) != 0) return false;
  switch (static_cast<unsigned long>(fs.f_type)) {
    case 0xEF53UL:      // ext2/3/4
    case 0x58465342UL:  // xfs
    case 0x9123683EUL:  // btrfs
    case 0x01021994UL:  // tmpfs
    case 0x858458F6UL:  // ramfs
    case 0xF2F52010UL:  // f2fs
    case 0x2FC12FC1UL:  // zfs
    case 0x794C7630UL:  // overlayfs (changes made through it)
      return true;
    default:
      return false;
  }
}

}  // namespace

PathWatch::PathWatch() : m_fd(::inotify_init1(IN_NONBLOCK | IN_CLOEXEC)) {}

PathWatch::~PathWatch() {
  if (m_fd >= 0) ::close(m_fd);
}

void PathWatch::reset() {
  if (m_fd >= 0) ::close(m_fd);
  m_fd = ::inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
  m_filters.clear();
  m_quiet = false;
  ++m_generation;
}

bool PathWatch::add(const std::string& path, bool all, const std::string& entry, bool dir) {
  if (m_fd < 0) return false;
  if (m_filters.size() >= k_max_watches) {
    reset();
    return false;  // the caller's memo is from before the reset: take it again next call
  }
  int wd =
      ::inotify_add_watch(m_fd, path.c_str(), k_mask | IN_DONT_FOLLOW | (dir ? IN_ONLYDIR : 0));
  if (wd < 0) return false;
  auto [it, fresh] = m_filters.try_emplace(wd);
  if (fresh && dir && !local_fs(path)) return false;  // stays registered; harmless
  if (all) it->second.all = true;
  if (!entry.empty()) it->second.names.insert(entry);
  return true;
}

bool PathWatch::watch(const std::string& path, bool all_entries) {
  if (m_fd < 0 || path.empty() || path[0] != '/') return false;
  std::string dir = "/";
  std::size_t pos = 1;
  for (;;) {
    std::size_t next = path.find('/', pos);
    std::string name = path.substr(pos, next == std::string::npos ? next : next - pos);
    if (!name.empty()) {
      if (name == "." || name == "..") return false;
      // The parent first: a change to the entry after this is an event.
      if (!add(dir, false, name, true)) return false;
      std::string child = dir == "/" ? "/" + name : dir + "/" + name;
      struct stat st {};
      if (::lstat(child.c_str(), &st) != 0) return errno == ENOENT;  // its creation is an event
      if (S_ISLNK(st.st_mode)) return false;
      if (next != std::string::npos && !S_ISDIR(st.st_mode)) return false;
      dir = std::move(child);
    }
    if (next == std::string::npos) break;
    pos = next + 1;
  }
  struct stat st {};
  if (::lstat(dir.c_str(), &st) != 0) return errno == ENOENT;
  if (S_ISDIR(st.st_mode)) return add(dir, all_entries, {}, true);
  return S_ISREG(st.st_mode) && add(dir, true, {}, false);
}

bool PathWatch::watch_file_in_watched_dir(const std::string& path) {
  struct stat st {};
  if (::lstat(path.c_str(), &st) != 0) return errno == ENOENT;
  return S_ISREG(st.st_mode) && add(path, true, {}, false);
}

void PathWatch::drain() {
  if (m_fd < 0) return;
  alignas(struct inotify_event) char buf[4096];
  for (;;) {
    ssize_t n = ::read(m_fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && errno == EAGAIN) return;  // nothing (more) happened
    if (n <= 0) {                          // the descriptor failed: start over
      reset();
      return;
    }
    for (ssize_t off = 0; off < n;) {
      const auto* ev = reinterpret_cast<const struct inotify_event*>(buf + off);
      off += static_cast<ssize_t>(sizeof(struct inotify_event) + ev->len);
      auto it = m_filters.find(ev->wd);
      if ((ev->mask & IN_Q_OVERFLOW) || it == m_filters.end()) {
        ++m_generation;  // lost events, or one we cannot place
        continue;
      }
      if (ev->mask & IN_IGNORED) {  // the watch is gone (inode deleted, file system unmounted)
        m_filters.erase(it);
        ++m_generation;
        continue;
      }
      // A directory's events about itself carry no name; entry events name the entry.
      if (it->second.all || ev->len == 0 || it->second.names.count(ev->name) != 0) ++m_generation;
    }
    // Room left for the largest event: the queue was empty when this read returned.
    if (static_cast<std::size_t>(n) + sizeof(struct inotify_event) + NAME_MAX + 1 <= sizeof buf)
      return;
  }
}

std::optional<uint64_t> PathWatch::generation() {
  if (m_fd < 0) return std::nullopt;
  if (m_quiet) {
    m_quiet = false;
    return m_generation;
  }
  drain();
  if (m_fd < 0) return std::nullopt;
  return m_generation;
}

void PathWatch::polled(bool readable) {
  if (m_fd < 0) return;
  if (readable) drain();
  m_quiet = m_fd >= 0;
}

}  // namespace blastwall::cli
