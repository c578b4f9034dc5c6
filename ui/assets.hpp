// The dashboard's static files (ui/assets/*), embedded at build time by cmake/EmbedAssets.cmake
// into a generated .cpp: no file is read at run time and no CDN is ever contacted.
#pragma once

#include <string_view>

namespace blastwall::ui {

struct Asset {
  std::string_view name;          // "index.html", "app.js", ...
  std::string_view content_type;  // from the extension
  std::string_view body;
};

// The asset with this file name, or nullptr.
[[nodiscard]] const Asset* find_asset(std::string_view name);

}  // namespace blastwall::ui
