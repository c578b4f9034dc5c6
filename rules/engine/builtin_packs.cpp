#include "rules/pack/builtin.hpp"
#include "rules/pack/loader.hpp"
#include "rules/pack/serialize.hpp"

namespace blastwall::rules {

Result<std::vector<PackSpec>> load_builtin_packs(bool with_tests) {
  if (!with_tests) return generated_lean_packs();
  std::vector<PackSpec> out;
  for (const auto& e : embedded_packs()) {
    // Parse through the SAX DOM builder directly: json::from_cbor returns its result through a
    // conditional expression that copies the whole document, which doubled start-up time of every
    // short-lived hook process.
    nlohmann::json j;
    try {
      nlohmann::detail::json_sax_dom_parser<nlohmann::json> sdp(j, true);
      const std::uint8_t* data = with_tests ? e.cbor : e.lean_cbor;
      const std::size_t size = with_tests ? e.size : e.lean_size;
      if (!nlohmann::json::sax_parse(data, data + size, &sdp, nlohmann::json::input_format_t::cbor))
        return make_error("builtin pack " + std::string(e.name) + " is corrupt");
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
