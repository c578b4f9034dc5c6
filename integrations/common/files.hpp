// File helpers for installers: whole-file reads, atomic writes that keep the file mode, a small
// unified diff for --dry-run, and the backup store that lets `uninstall` restore a file byte for
// byte. All functions return errors; none throws.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "blastwall/result.hpp"

namespace blastwall::integrations {

struct FileText {
  bool exists = false;
  std::string text;
};

[[nodiscard]] Result<FileText> read_text_file(const std::string& path);
// Creates parent directories; writes a temp file beside the target and renames it over.
[[nodiscard]] Result<bool> write_text_file_atomic(const std::string& path, const std::string& text);
[[nodiscard]] Result<bool> remove_file(const std::string& path);

// Unified diff (3 lines of context) between two texts; empty when equal.
[[nodiscard]] std::string unified_diff(const std::string& path, const std::string& before,
                                       const std::string& after);

[[nodiscard]] uint64_t fnv1a64(std::string_view data);

// Original and installed bytes of each file an installer changed, keyed by the file's path.
// Lives in $XDG_STATE_HOME/blastwall/backups (default ~/.local/state/blastwall/backups).
class BackupStore {
 public:
  explicit BackupStore(std::string dir) : m_dir(std::move(dir)) {}
  struct Entry {
    bool existed = false;   // the file existed before the first install
    std::string original;   // its bytes then
    std::string installed;  // the bytes the last install wrote
  };
  [[nodiscard]] std::optional<Entry> load(const std::string& path) const;
  [[nodiscard]] Result<bool> save(const std::string& path, const Entry& entry) const;
  [[nodiscard]] Result<bool> drop(const std::string& path) const;
  [[nodiscard]] const std::string& dir() const { return m_dir; }

 private:
  [[nodiscard]] std::string stem(const std::string& path) const;
  std::string m_dir;
};

}  // namespace blastwall::integrations
