#include "rules/pack/binary.hpp"

#include <algorithm>

namespace blastwall::rules {

namespace {
constexpr int k_max_condition_depth = 64;  // as the JSON form
constexpr uint64_t k_max_int = 1u << 30;
}  // namespace

// ---------------------------------------------------------------- writer

void BinWriter::u64(uint64_t v) {
  while (v >= 0x80) {
    m_out.push_back(static_cast<char>((v & 0x7f) | 0x80));
    v >>= 7;
  }
  m_out.push_back(static_cast<char>(v));
}

void BinWriter::str(std::string_view s) {
  u64(s.size());
  m_out.append(s);
}

void BinWriter::strs(const std::vector<std::string>& v) {
  u64(v.size());
  for (const auto& s : v) str(s);
}

void BinWriter::loc(const SourceLoc& l) {
  // The file is nearly always the previous location's: 0 says so, else length + 1 and the bytes.
  if (l.file == m_last_file) {
    u64(0);
  } else {
    u64(l.file.size() + 1);
    m_out.append(l.file);
    m_last_file = l.file;
  }
  u64(static_cast<uint64_t>(std::max(l.line, 0)));
  u64(static_cast<uint64_t>(std::max(l.column, 0)));
}

void BinWriter::condition(const Condition& c) {
  u64(static_cast<uint64_t>(c.type));
  u64(c.children.size());
  for (const auto& ch : c.children) condition(ch);
  str(c.field);
  u64(static_cast<uint64_t>(c.op));
  strs(c.values);
  u64(c.case_insensitive ? 1 : 0);
  loc(c.loc);
}

void BinWriter::pack(const PackSpec& p) {
  u64(static_cast<uint64_t>(std::max(p.format, 0)));
  str(p.id);
  str(p.version);
  str(p.title);
  str(p.description);
  str(p.maturity);
  str(p.requires_engine);
  u64(p.lists.size());
  for (const auto& [name, items] : p.lists) {
    str(name);
    strs(items);
  }
  u64(p.rules.size());
  for (const auto& r : p.rules) {
    str(r.id);
    str(r.title);
    u64(r.applies_to.size());
    for (auto k : r.applies_to) u64(static_cast<uint64_t>(k));
    strs(r.keywords);
    condition(r.when);
    u64(static_cast<uint64_t>(r.decision));
    u64(static_cast<uint64_t>(r.severity));
    str(r.message);
    str(r.remediation);
    str(r.rationale);
    strs(r.references);
    strs(r.tags);
    strs(r.marks);
    u64(r.exceptions.size());
    for (const auto& x : r.exceptions) {
      str(x.name);
      str(x.field);
      u64(static_cast<uint64_t>(x.op));
      strs(x.values);
      loc(x.loc);
    }
    str(r.maturity);
    u64(r.enabled ? 1 : 0);
    strs(r.tests.match);
    strs(r.tests.no_match);
    strs(r.tests.todo_match);
    loc(r.loc);
  }
  str(p.source);
}

// ---------------------------------------------------------------- reader

bool BinReader::u64(uint64_t& v) {
  v = 0;
  for (int shift = 0; shift < 64; shift += 7) {
    if (m_failed || m_pos >= m_in.size()) {
      m_failed = true;
      return false;
    }
    auto b = static_cast<unsigned char>(m_in[m_pos++]);
    v |= static_cast<uint64_t>(b & 0x7f) << shift;
    if ((b & 0x80) == 0) return true;
  }
  m_failed = true;
  return false;
}

bool BinReader::count(uint64_t& n) {
  // Every element takes at least one byte, so a count above the bytes left is corrupt.
  if (!u64(n)) return false;
  if (n > m_in.size() - m_pos) return m_failed = true, false;
  return true;
}

bool BinReader::str(std::string& s) {
  uint64_t n = 0;
  if (!u64(n)) return false;
  if (n > m_in.size() - m_pos) return m_failed = true, false;
  s.assign(m_in.data() + m_pos, static_cast<size_t>(n));
  m_pos += static_cast<size_t>(n);
  return true;
}

bool BinReader::strs(std::vector<std::string>& v) {
  uint64_t n = 0;
  if (!count(n)) return false;
  v.resize(static_cast<size_t>(n));
  for (auto& s : v)
    if (!str(s)) return false;
  return true;
}

template <typename E>
bool BinReader::small_enum(E& e, uint64_t max) {
  uint64_t v = 0;
  if (!u64(v)) return false;
  if (v > max) return m_failed = true, false;
  e = static_cast<E>(v);
  return true;
}

bool BinReader::loc(SourceLoc& l) {
  uint64_t line = 0, col = 0, file = 0;
  if (!u64(file)) return false;
  if (file == 0) {
    l.file = m_last_file;
  } else {
    if (file - 1 > m_in.size() - m_pos) return m_failed = true, false;
    l.file.assign(m_in.data() + m_pos, static_cast<size_t>(file - 1));
    m_pos += static_cast<size_t>(file - 1);
    m_last_file = l.file;
  }
  if (!u64(line) || !u64(col) || line > k_max_int || col > k_max_int) return m_failed = true, false;
  l.line = static_cast<int>(line);
  l.column = static_cast<int>(col);
  return true;
}

bool BinReader::condition(Condition& c, int depth) {
  if (depth > k_max_condition_depth) return m_failed = true, false;
  uint64_t n = 0, ci = 0;
  if (!small_enum(c.type, static_cast<uint64_t>(Condition::Type::target_all)) || !count(n))
    return false;
  c.children.resize(static_cast<size_t>(n));
  for (auto& ch : c.children)
    if (!condition(ch, depth + 1)) return false;
  if (!str(c.field) || !small_enum(c.op, static_cast<uint64_t>(Op::exists)) || !strs(c.values) ||
      !u64(ci) || ci > 1 || !loc(c.loc))
    return m_failed = true, false;
  c.case_insensitive = ci == 1;
  return true;
}

bool BinReader::pack(PackSpec& p) {
  uint64_t format = 0, n = 0;
  if (!u64(format) || format > k_max_int) return m_failed = true, false;
  p.format = static_cast<int>(format);
  if (!str(p.id) || !str(p.version) || !str(p.title) || !str(p.description) || !str(p.maturity) ||
      !str(p.requires_engine) || !count(n))
    return false;
  for (uint64_t i = 0; i < n; ++i) {
    std::string name;
    std::vector<std::string> items;
    if (!str(name) || !strs(items)) return false;
    p.lists[name] = std::move(items);
  }
  if (!count(n)) return false;
  p.rules.resize(static_cast<size_t>(n));
  for (auto& r : p.rules) {
    uint64_t kinds = 0, exceptions = 0, enabled = 0;
    if (!str(r.id) || !str(r.title) || !count(kinds)) return false;
    r.applies_to.resize(static_cast<size_t>(kinds));
    for (auto& k : r.applies_to)
      if (!small_enum(k, static_cast<uint64_t>(ActionKind::mcp_call))) return false;
    if (!strs(r.keywords) || !condition(r.when, 0) ||
        !small_enum(r.decision, static_cast<uint64_t>(Decision::deny)) ||
        !small_enum(r.severity, static_cast<uint64_t>(Severity::critical)) || !str(r.message) ||
        !str(r.remediation) || !str(r.rationale) || !strs(r.references) || !strs(r.tags) ||
        !strs(r.marks) || !count(exceptions))
      return false;
    r.exceptions.resize(static_cast<size_t>(exceptions));
    for (auto& x : r.exceptions) {
      if (!str(x.name) || !str(x.field) || !small_enum(x.op, static_cast<uint64_t>(Op::exists)) ||
          !strs(x.values) || !loc(x.loc))
        return false;
    }
    if (!str(r.maturity) || !u64(enabled) || enabled > 1 || !strs(r.tests.match) ||
        !strs(r.tests.no_match) || !strs(r.tests.todo_match) || !loc(r.loc))
      return m_failed = true, false;
    r.enabled = enabled == 1;
  }
  return str(p.source);
}

std::string pack_to_binary(const PackSpec& pack) {
  BinWriter w;
  w.pack(pack);
  return w.take();
}

Result<PackSpec> pack_from_binary(std::string_view bytes) {
  BinReader r(bytes);
  PackSpec p;
  if (!r.pack(p) || !r.done()) return make_error("compiled pack is malformed");
  return p;
}

}  // namespace blastwall::rules
