// The command table (command_table.hpp): an open-addressing hash table built on first use from
// every provider's lists, and a one-entry memo of the last name asked (per thread).
#include "rules/scope/command_table.hpp"

#include <array>
#include <cstring>
#include <string_view>
#include <vector>

namespace blastwall::scope {
namespace {

bool g_on = true;

uint64_t hash_name(std::string_view s) {
  uint64_t h = 1469598103934665603ull;  // FNV-1a
  for (const char c : s) {
    h ^= static_cast<unsigned char>(c);
    h *= 1099511628211ull;
  }
  return h;
}

struct Table {
  struct Slot {
    std::string_view name;
    uint32_t bits = 0;
  };
  std::vector<Slot> slots;
  size_t mask = 0;

  Table() {
    std::vector<std::pair<std::string_view, uint32_t>> all;
    for (auto provider : {cloud_command_names, analyze_command_names, data_command_names,
                          commands_command_names, classes_command_names})
      for (const auto& list : provider())
        for (const std::string_view n : list.names) all.emplace_back(n, list.bit);
    size_t size = 16;
    while (size < all.size() * 4) size *= 2;
    slots.resize(size);
    mask = size - 1;
    for (const auto& [n, bit] : all) {
      size_t i = hash_name(n) & mask;
      while (!slots[i].name.empty() && slots[i].name != n) i = (i + 1) & mask;
      slots[i].name = n;
      slots[i].bits |= bit;
    }
  }
  uint32_t find(std::string_view n) const {
    if (n.empty()) return 0;
    size_t i = hash_name(n) & mask;
    while (!slots[i].name.empty()) {
      if (slots[i].name == n) return slots[i].bits;
      i = (i + 1) & mask;
    }
    return 0;
  }
};

const Table& table() {
  static const Table t;
  return t;
}

// The last name asked and its bits: the analyses ask about the same command one after another.
struct Memo {
  std::array<char, 32> name{};
  size_t size = static_cast<size_t>(-1);
  uint32_t bits = 0;
};
thread_local Memo t_memo;

}  // namespace

uint32_t command_bits(std::string_view name) {
  Memo& m = t_memo;
  if (name.size() == m.size && std::memcmp(name.data(), m.name.data(), name.size()) == 0)
    return m.bits;
  const uint32_t bits = table().find(name);
  if (name.size() <= m.name.size()) {
    std::memcpy(m.name.data(), name.data(), name.size());
    m.size = name.size();
    m.bits = bits;
  }
  return bits;
}

bool command_table_on() { return g_on; }
void set_command_table(bool on) { g_on = on; }

}  // namespace blastwall::scope
