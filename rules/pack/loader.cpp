// STUB (pack-loader owner replaces).
#include "rules/pack/loader.hpp"
namespace blastwall::rules {
Result<PackSpec> load_pack_text(std::string_view, const std::string& source) {
  return make_error("not implemented: " + source);
}
Result<PackSpec> load_pack_file(const std::string& path) { return make_error("not implemented: " + path); }
Result<std::vector<PackSpec>> load_pack_path(const std::string& path) { return make_error("not implemented: " + path); }
std::vector<LintFinding> lint_packs(const std::vector<PackSpec>&) { return {}; }
}  // namespace blastwall::rules
