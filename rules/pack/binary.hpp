// PackSpec <-> a compact binary form (lossless, source locations included), for the installed-pack
// bundle (cli/pack_store.cpp): decoding it is one pass with no JSON document in between, so a first
// call with installed packs pays little more than the allocation of the strings. Not a stable
// interchange format: the bundle that holds it carries its version and is rebuilt when it changes.
// The reader checks every length and enum against the input and returns an error on anything
// malformed; it never reads past the end.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "blastwall/result.hpp"
#include "rules/pack/spec.hpp"

namespace blastwall::rules {

class BinWriter {
 public:
  void u64(uint64_t v);  // LEB128
  void str(std::string_view s);
  void strs(const std::vector<std::string>& v);
  void pack(const PackSpec& p);
  [[nodiscard]] const std::string& bytes() const { return m_out; }
  [[nodiscard]] std::string take() { return std::move(m_out); }

 private:
  void condition(const Condition& c);
  void loc(const SourceLoc& l);
  std::string m_out;
  std::string m_last_file;
};

class BinReader {
 public:
  explicit BinReader(std::string_view in) : m_in(in) {}
  // Each returns false (and stays failed) on malformed or truncated input.
  bool u64(uint64_t& v);
  bool str(std::string& s);
  bool strs(std::vector<std::string>& v);
  bool pack(PackSpec& p);
  [[nodiscard]] bool done() const { return m_pos == m_in.size(); }

 private:
  bool condition(Condition& c, int depth);
  bool loc(SourceLoc& l);
  bool count(uint64_t& n);  // a list length: bounded by the bytes left
  template <typename E>
  bool small_enum(E& e, uint64_t max);
  std::string_view m_in;
  size_t m_pos = 0;
  bool m_failed = false;
  std::string m_last_file;
};

[[nodiscard]] std::string pack_to_binary(const PackSpec& pack);
[[nodiscard]] Result<PackSpec> pack_from_binary(std::string_view bytes);

}  // namespace blastwall::rules
