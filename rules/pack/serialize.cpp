// STUB (pack-loader owner replaces).
#include "rules/pack/serialize.hpp"
namespace blastwall::rules {
nlohmann::json pack_to_json(const PackSpec&) { return nlohmann::json::object(); }
Result<PackSpec> pack_from_json(const nlohmann::json&) { return make_error("not implemented"); }
}  // namespace blastwall::rules
