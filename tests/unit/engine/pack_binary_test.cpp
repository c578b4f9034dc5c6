// The compact binary PackSpec form used by the installed-pack bundle (rules/pack/binary.hpp), over
// every shipped pack (hence in the engine room, which embeds them).
#include <gtest/gtest.h>

#include "rules/pack/binary.hpp"
#include "rules/pack/loader.hpp"
#include "rules/pack/serialize.hpp"

namespace blastwall::rules {
namespace {

TEST(PackBinary, every_shipped_pack_round_trips_exactly) {
  auto packs = load_builtin_packs(true);
  ASSERT_TRUE(packs.has_value());
  ASSERT_FALSE(packs->empty());
  for (const auto& p : *packs) {
    auto bytes = pack_to_binary(p);
    auto back = pack_from_binary(bytes);
    ASSERT_TRUE(back.has_value()) << p.id;
    EXPECT_EQ(pack_to_json(*back).dump(), pack_to_json(p).dump()) << p.id;
    EXPECT_EQ(back->source, p.source);
  }
}

TEST(PackBinary, truncated_or_extended_input_is_an_error) {
  auto packs = load_builtin_packs(true);
  ASSERT_TRUE(packs.has_value());
  const auto bytes = pack_to_binary(packs->front());
  for (size_t n = 0; n < bytes.size(); ++n) {
    EXPECT_FALSE(pack_from_binary(std::string_view(bytes).substr(0, n)).has_value()) << n;
  }
  EXPECT_FALSE(pack_from_binary(bytes + "x").has_value());
}

TEST(PackBinary, corrupted_bytes_never_read_out_of_bounds) {
  auto packs = load_builtin_packs(true);
  ASSERT_TRUE(packs.has_value());
  const auto bytes = pack_to_binary(packs->front());
  uint32_t seed = 12345;
  for (int i = 0; i < 2000; ++i) {
    std::string b = bytes;
    for (int k = 0; k < 3; ++k) {
      seed = seed * 1103515245u + 12345u;
      b[(seed >> 8) % b.size()] = static_cast<char>(seed >> 24);
    }
    (void)pack_from_binary(b);  // an error or some pack; never a crash (run under ASan in CI)
  }
  // Huge lengths and counts are refused before anything is allocated.
  EXPECT_FALSE(pack_from_binary(std::string("\x01\xff\xff\xff\xff\xff\xff\xff\xff\x01", 10)));
}

}  // namespace
}  // namespace blastwall::rules
