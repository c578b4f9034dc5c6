// The shipped packs as embedded by the build-time pack compiler (tools/packc.cpp writes
// build/generated/builtin_packs.cpp defining embedded_packs()). Each entry holds the CBOR encoding
// of pack_to_json(PackSpec) for one validated rules/packs/*.yaml file.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

namespace blastwall::rules {

struct EmbeddedPack {
  std::string_view name;     // file name, e.g. "filesystem.yaml"
  const std::uint8_t* cbor;  // the whole pack
  std::size_t size;
  const std::uint8_t* lean_cbor;  // without tests, rationale and references: what evaluation needs
  std::size_t lean_size;
};

std::span<const EmbeddedPack> embedded_packs();

// The same packs without tests, rationale and references, as generated C++ (no decoding at
// start-up: what every short-lived hook process pays for).
struct PackSpec;
std::vector<PackSpec> generated_lean_packs();

}  // namespace blastwall::rules
