#include "blastwall/result.hpp"

namespace blastwall {

std::string Error::format() const {
  std::string out;
  if (!file.empty()) {
    out += file;
    if (line > 0) {
      out += ":" + std::to_string(line);
      if (column > 0) out += ":" + std::to_string(column);
    }
    out += ": ";
  }
  out += message;
  if (!snippet.empty()) {
    out += "\n  " + snippet + "\n  ";
    if (column > 0) out += std::string(static_cast<size_t>(column - 1), ' ');
    out += "^";
  }
  return out;
}

}  // namespace blastwall
