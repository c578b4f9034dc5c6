#include "integrations/common/files.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <vector>

namespace blastwall::integrations {

namespace fs = std::filesystem;

Result<FileText> read_text_file(const std::string& path) {
  FileText out;
  std::error_code ec;
  if (!fs::exists(path, ec)) return out;
  std::ifstream in(path, std::ios::binary);
  if (!in) return make_error("cannot read " + path + ": " + std::strerror(errno));
  std::ostringstream ss;
  ss << in.rdbuf();
  out.exists = true;
  out.text = ss.str();
  return out;
}

Result<bool> write_text_file_atomic(const std::string& path, const std::string& text) {
  std::error_code ec;
  fs::path p(path);
  if (p.has_parent_path()) fs::create_directories(p.parent_path(), ec);
  if (ec) return make_error("cannot create " + p.parent_path().string() + ": " + ec.message());
  struct stat st {};
  bool had_mode = ::stat(path.c_str(), &st) == 0;
  std::string tmp = path + ".blastwall-tmp-" + std::to_string(::getpid());
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    if (!out) return make_error("cannot write " + tmp + ": " + std::strerror(errno));
    out.write(text.data(), static_cast<std::streamsize>(text.size()));
    out.flush();
    if (!out) {
      fs::remove(tmp, ec);
      return make_error("cannot write " + tmp);
    }
  }
  if (had_mode) ::chmod(tmp.c_str(), st.st_mode & 07777);
  if (std::rename(tmp.c_str(), path.c_str()) != 0) {
    int err = errno;
    fs::remove(tmp, ec);
    return make_error("cannot replace " + path + ": " + std::strerror(err));
  }
  return true;
}

Result<bool> remove_file(const std::string& path) {
  std::error_code ec;
  bool removed = fs::remove(path, ec);
  if (ec) return make_error("cannot remove " + path + ": " + ec.message());
  return removed;
}

namespace {

std::vector<std::string> split_lines(const std::string& s) {
  std::vector<std::string> out;
  size_t pos = 0;
  while (pos < s.size()) {
    size_t nl = s.find('\n', pos);
    if (nl == std::string::npos) {
      out.push_back(s.substr(pos));
      break;
    }
    out.push_back(s.substr(pos, nl - pos));
    pos = nl + 1;
  }
  return out;
}

}  // namespace

std::string unified_diff(const std::string& path, const std::string& before,
                         const std::string& after) {
  if (before == after) return {};
  auto a = split_lines(before);
  auto b = split_lines(after);
  // Trim the common prefix and suffix, then LCS on the (small) middle.
  size_t pre = 0;
  while (pre < a.size() && pre < b.size() && a[pre] == b[pre]) ++pre;
  size_t suf = 0;
  while (suf < a.size() - pre && suf < b.size() - pre &&
         a[a.size() - 1 - suf] == b[b.size() - 1 - suf]) {
    ++suf;
  }
  size_t n = a.size() - pre - suf;
  size_t m = b.size() - pre - suf;
  std::vector<std::string> body;  // lines prefixed with ' ', '-', '+'
  if (n * m <= 4'000'000) {
    std::vector<std::vector<uint32_t>> l(n + 1, std::vector<uint32_t>(m + 1, 0));
    for (size_t i = n; i-- > 0;) {
      for (size_t j = m; j-- > 0;) {
        l[i][j] =
            a[pre + i] == b[pre + j] ? l[i + 1][j + 1] + 1 : std::max(l[i + 1][j], l[i][j + 1]);
      }
    }
    size_t i = 0, j = 0;
    while (i < n || j < m) {
      if (i < n && j < m && a[pre + i] == b[pre + j]) {
        body.push_back(" " + a[pre + i]);
        ++i;
        ++j;
      } else if (j < m && (i == n || l[i][j + 1] >= l[i + 1][j])) {
        body.push_back("+" + b[pre + j++]);
      } else {
        body.push_back("-" + a[pre + i++]);
      }
    }
  } else {
    for (size_t i = 0; i < n; ++i) body.push_back("-" + a[pre + i]);
    for (size_t j = 0; j < m; ++j) body.push_back("+" + b[pre + j]);
  }
  size_t ctx_before = std::min<size_t>(pre, 3);
  size_t ctx_after = std::min<size_t>(suf, 3);
  std::ostringstream out;
  out << "--- " << path << "\n+++ " << path << " (after)\n";
  size_t a_count = ctx_before + n + ctx_after;
  size_t b_count = ctx_before + m + ctx_after;
  out << "@@ -" << (pre - ctx_before + (a_count ? 1 : 0)) << "," << a_count << " +"
      << (pre - ctx_before + (b_count ? 1 : 0)) << "," << b_count << " @@\n";
  for (size_t i = pre - ctx_before; i < pre; ++i) out << " " << a[i] << "\n";
  for (const auto& line : body) out << line << "\n";
  for (size_t i = a.size() - suf; i < a.size() - suf + ctx_after; ++i) out << " " << a[i] << "\n";
  return out.str();
}

uint64_t fnv1a64(std::string_view data) {
  uint64_t h = 1469598103934665603ULL;
  for (unsigned char c : data) {
    h ^= c;
    h *= 1099511628211ULL;
  }
  return h;
}

std::string BackupStore::stem(const std::string& path) const {
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(fnv1a64(path)));
  return (fs::path(m_dir) / buf).string();
}

std::optional<BackupStore::Entry> BackupStore::load(const std::string& path) const {
  std::string s = stem(path);
  auto meta = read_text_file(s + ".json");
  if (!meta || !meta->exists) return std::nullopt;
  try {
    auto j = nlohmann::json::parse(meta->text);
    if (j.value("path", "") != path) return std::nullopt;
    Entry e;
    e.existed = j.value("existed", false);
    auto orig = read_text_file(s + ".orig");
    auto inst = read_text_file(s + ".installed");
    if (!orig || !inst || !inst->exists) return std::nullopt;
    e.original = orig->text;
    e.installed = inst->text;
    return e;
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

Result<bool> BackupStore::save(const std::string& path, const Entry& entry) const {
  std::string s = stem(path);
  nlohmann::json meta = {{"path", path}, {"existed", entry.existed}};
  for (const auto& [suffix, text] : {std::pair<std::string, std::string>{".orig", entry.original},
                                     {".installed", entry.installed},
                                     {".json", meta.dump(2) + "\n"}}) {
    auto ok = write_text_file_atomic(s + suffix, text);
    if (!ok) return ok.error();
  }
  return true;
}

Result<bool> BackupStore::drop(const std::string& path) const {
  std::string s = stem(path);
  for (const char* suffix : {".orig", ".installed", ".json"}) {
    auto ok = remove_file(s + suffix);
    if (!ok) return ok.error();
  }
  return true;
}

}  // namespace blastwall::integrations
