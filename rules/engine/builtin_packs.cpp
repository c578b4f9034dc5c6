#include "rules/pack/builtin.hpp"
#include "rules/pack/loader.hpp"
#include "rules/pack/serialize.hpp"

namespace blastwall::rules {

Result<std::vector<PackSpec>> load_builtin_packs() {
  std::vector<PackSpec> out;
  for (const auto& e : embedded_packs()) {
    nlohmann::json j;
    try {
      j = nlohmann::json::from_cbor(e.cbor, e.cbor + e.size);
    } catch (const nlohmann::json::exception& ex) {
      return make_error("builtin pack " + std::string(e.name) + " is corrupt: " + ex.what());
    }
    auto pack = pack_from_json(j);
    if (!pack) return pack.error();
    out.push_back(std::move(*pack));
  }
  return out;
}

}  // namespace blastwall::rules
