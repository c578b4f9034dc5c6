// libFuzzer target: arbitrary bytes through the pack loader and the policy loader. Both must
// return (a PackSpec/Policy or an Error) without crashing, hanging or throwing; a pack that loads
// must also survive serialisation.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "blastwall/policy.hpp"
#include "rules/pack/loader.hpp"
#include "rules/pack/serialize.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto pack = blastwall::rules::load_pack_text(text, "fuzz.yaml");
  if (pack) {
    auto json = blastwall::rules::pack_to_json(*pack);
    auto back = blastwall::rules::pack_from_json(json);
    if (!back || blastwall::rules::pack_to_json(*back) != json) __builtin_trap();
    (void)blastwall::rules::lint_packs({*pack});
  } else {
    (void)pack.error().format();
  }
  auto policy = blastwall::parse_policy_layers({blastwall::PolicyLayer{
      blastwall::PolicyLayer::Tier::project, "fuzz.yaml", std::string(text)}});
  (void)policy;
  return 0;
}
