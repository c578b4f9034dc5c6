// PackSpec <-> JSON (lossless, including source locations). Used to embed validated packs in the
// binary (as CBOR) and by `blastwall rules list --json`.
#pragma once

#include <nlohmann/json.hpp>

#include "blastwall/result.hpp"
#include "rules/pack/spec.hpp"

namespace blastwall::rules {

[[nodiscard]] nlohmann::json pack_to_json(const PackSpec& pack);
[[nodiscard]] Result<PackSpec> pack_from_json(const nlohmann::json& j);

}  // namespace blastwall::rules
