#include "ui/token.hpp"

#include <fcntl.h>
#include <sodium.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <vector>

namespace blastwall::ui {
namespace {

bool make_dirs(const std::string& dir) {
  if (dir.empty()) return false;
  std::string cur;
  for (size_t i = 0; i < dir.size(); ++i) {
    cur.push_back(dir[i]);
    if ((dir[i] == '/' && i > 0) || i + 1 == dir.size()) {
      if (::mkdir(cur.c_str(), 0700) != 0 && errno != EEXIST) return false;
    }
  }
  return true;
}

bool is_hex_token(const std::string& s) {
  if (s.size() < 32) return false;
  for (char c : s) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

}  // namespace

std::string random_hex(size_t bytes) {
  if (sodium_init() < 0) return {};
  std::vector<unsigned char> raw(bytes);
  randombytes_buf(raw.data(), raw.size());
  std::string hex(bytes * 2 + 1, '\0');
  sodium_bin2hex(hex.data(), hex.size(), raw.data(), raw.size());
  hex.pop_back();
  return hex;
}

bool token_equal(const std::string& a, const std::string& b) {
  if (a.size() != b.size() || a.empty()) return false;
  return sodium_memcmp(a.data(), b.data(), a.size()) == 0;
}

Result<std::string> load_or_create_token(const std::string& state_dir) {
  if (!make_dirs(state_dir)) {
    return make_error("cannot create " + state_dir + ": " + std::strerror(errno));
  }
  const std::string path = state_dir + "/" + k_token_file;
  int fd = ::open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0 && errno == ENOENT) {
    const std::string token = random_hex(32);
    if (token.empty()) return make_error("libsodium is not usable");
    // O_EXCL: two dashboards starting at once must not overwrite each other's token.
    int w = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (w >= 0) {
      const std::string line = token + "\n";
      const bool ok = ::write(w, line.data(), line.size()) == static_cast<ssize_t>(line.size()) &&
                      ::fsync(w) == 0;
      ::close(w);
      if (!ok) {
        ::unlink(path.c_str());
        return make_error("cannot write " + path + ": " + std::strerror(errno));
      }
    } else if (errno != EEXIST) {
      return make_error("cannot create " + path + ": " + std::strerror(errno));
    }
    fd = ::open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
  }
  if (fd < 0) return make_error("cannot open " + path + ": " + std::strerror(errno));
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    ::close(fd);
    return make_error(path + " is not a regular file");
  }
  if (st.st_uid != ::getuid()) {
    ::close(fd);
    return make_error(path + " is not owned by this user; remove it");
  }
  if ((st.st_mode & 077) != 0) {
    ::close(fd);
    char mode[8];
    std::snprintf(mode, sizeof mode, "%03o", static_cast<unsigned>(st.st_mode & 0777));
    return make_error(path + " is readable by others (mode " + mode +
                      "); run chmod 600 on it or remove it");
  }
  char buf[256];
  const ssize_t n = ::read(fd, buf, sizeof buf);
  ::close(fd);
  std::string token = n > 0 ? std::string(buf, static_cast<size_t>(n)) : std::string();
  while (!token.empty() && (token.back() == '\n' || token.back() == '\r' || token.back() == ' '))
    token.pop_back();
  if (!is_hex_token(token))
    return make_error(path + " holds no token; remove it to make a new one");
  return token;
}

}  // namespace blastwall::ui
