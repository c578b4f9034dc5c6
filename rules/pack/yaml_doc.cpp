#include "rules/pack/yaml_doc.hpp"

#include <yaml-cpp/eventhandler.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <exception>
#include <map>
#include <sstream>
#include <utility>

namespace blastwall::rules::detail {
namespace {

int to_one_based(int zero_based) { return zero_based >= 0 ? zero_based + 1 : 0; }

// Walks the tree as a consumer would (aliases expanded) with a budget, so that neither deep
// nesting nor alias fan-out can make later passes slow.
bool check_shape(const YAML::Node& node, int depth, std::size_t& count, const YamlDoc& doc,
                 Error& err) {
  if (++count > k_max_yaml_nodes) {
    err = doc.error_at(node, "document too large: more than " + std::to_string(k_max_yaml_nodes) +
                                 " nodes after expanding aliases");
    return false;
  }
  if (depth > k_max_yaml_depth) {
    err = doc.error_at(node, "nesting deeper than " + std::to_string(k_max_yaml_depth) + " levels");
    return false;
  }
  if (node.IsSequence()) {
    for (const auto& child : node) {
      if (!check_shape(child, depth + 1, count, doc, err)) return false;
    }
  } else if (node.IsMap()) {
    for (const auto& kv : node) {
      if (!check_shape(kv.first, depth + 1, count, doc, err)) return false;
      if (!check_shape(kv.second, depth + 1, count, doc, err)) return false;
    }
  }
  return true;
}

// Records where each document starts; ignores everything else.
class DocumentStarts : public YAML::EventHandler {
 public:
  std::vector<YAML::Mark> marks;
  void OnDocumentStart(const YAML::Mark& mark) override { marks.push_back(mark); }
  void OnDocumentEnd() override {}
  void OnNull(const YAML::Mark&, YAML::anchor_t) override {}
  void OnAlias(const YAML::Mark&, YAML::anchor_t) override {}
  void OnScalar(const YAML::Mark&, const std::string&, YAML::anchor_t,
                const std::string&) override {}
  void OnSequenceStart(const YAML::Mark&, const std::string&, YAML::anchor_t,
                       YAML::EmitterStyle::value) override {}
  void OnSequenceEnd() override {}
  void OnMapStart(const YAML::Mark&, const std::string&, YAML::anchor_t,
                  YAML::EmitterStyle::value) override {}
  void OnMapEnd() override {}
};

std::size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> prev(b.size() + 1), cur(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) prev[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    cur[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      std::size_t sub = prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1);
      cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, sub});
    }
    std::swap(prev, cur);
  }
  return prev[b.size()];
}

}  // namespace

Result<YamlDoc> YamlDoc::parse(std::string_view text, const std::string& source) {
  YamlDoc doc;
  doc.m_source = source;
  if (text.size() > k_max_yaml_bytes) {
    return Error{"file too large: " + std::to_string(text.size()) + " bytes (limit " +
                     std::to_string(k_max_yaml_bytes) + ")",
                 source,
                 0,
                 0,
                 {}};
  }
  // Keep the lines for snippets (yaml-cpp marks are 0-based line/column into this text).
  std::size_t start = 0;
  while (start <= text.size()) {
    std::size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    std::string line(text.substr(start, end - start));
    if (!line.empty() && line.back() == '\r') line.pop_back();
    doc.m_lines.push_back(std::move(line));
    start = end + 1;
  }
  if (auto nul = text.find('\0'); nul != std::string_view::npos) {
    std::size_t line = static_cast<std::size_t>(std::count(text.begin(), text.begin() + nul, '\n'));
    std::size_t line_start = text.rfind('\n', nul);
    int column =
        static_cast<int>(line_start == std::string_view::npos ? nul + 1 : nul - line_start);
    YAML::Mark mark;
    mark.line = static_cast<int>(line);
    mark.column = column - 1;
    return doc.error_at(mark, "NUL byte in YAML text");
  }
  try {
    // Not YAML::LoadAll: yaml-cpp 0.7 loops forever there on a stray ',' in block context
    // (each "document" is an empty node that consumes nothing). Instead: one event pass that
    // looks for a second document, then YAML::Load, which parses only the first.
    const std::string owned(text);
    {
      std::istringstream in(owned);
      YAML::Parser parser(in);
      DocumentStarts starts;
      parser.HandleNextDocument(starts);
      if (parser.HandleNextDocument(starts) && starts.marks.size() > 1) {
        return doc.error_at(starts.marks[1],
                            "unexpected content after the first YAML document (a second '---' "
                            "document or a stray token)");
      }
    }
    // Construct, never assign: yaml-cpp's Node::operator= writes through to the referenced node.
    doc.m_root.reset(YAML::Load(owned));
    std::size_t count = 0;
    Error err;
    if (doc.m_root && !check_shape(doc.m_root, 1, count, doc, err)) return err;
  } catch (const YAML::Exception& e) {
    return doc.error_at(e.mark, "YAML syntax error: " + e.msg);
  } catch (const std::exception& e) {
    return Error{std::string("YAML parse failed: ") + e.what(), source, 0, 0, {}};
  }
  return doc;
}

Error YamlDoc::error_at(const YAML::Node& node, std::string message) const {
  YAML::Mark mark = YAML::Mark::null_mark();
  try {
    if (node.IsDefined()) mark = node.Mark();
  } catch (const YAML::Exception&) {
    // An invalid node has no position; report the file only.
  }
  return error_at(mark, std::move(message));
}

Error YamlDoc::error_at(const YAML::Mark& mark, std::string message) const {
  Error e{std::move(message), m_source, to_one_based(mark.line), 0, {}};
  if (e.line > 0) {
    e.column = to_one_based(mark.column);
    if (static_cast<std::size_t>(e.line) <= m_lines.size()) {
      e.snippet = m_lines[static_cast<std::size_t>(e.line - 1)];
      // Very long lines (minified YAML) make unreadable diagnostics; the caret still fits.
      constexpr std::size_t k_max_snippet = 240;
      if (e.snippet.size() > k_max_snippet && static_cast<std::size_t>(e.column) < k_max_snippet) {
        e.snippet.resize(k_max_snippet);
      } else if (e.snippet.size() > k_max_snippet) {
        e.snippet.clear();
      }
    }
  }
  return e;
}

SourceLoc YamlDoc::loc(const YAML::Node& node) const {
  SourceLoc l;
  l.file = m_source;
  try {
    if (node.IsDefined()) {
      YAML::Mark m = node.Mark();
      l.line = to_one_based(m.line);
      l.column = l.line > 0 ? to_one_based(m.column) : 0;
    }
  } catch (const YAML::Exception&) {
    // No position known.
  }
  return l;
}

std::string closest_key(std::string_view key, std::span<const std::string_view> allowed) {
  std::string best;
  std::size_t best_d = 3;
  for (auto a : allowed) {
    std::size_t d = edit_distance(key, a);
    if (d < best_d) {
      best_d = d;
      best = std::string(a);
    }
  }
  return best;
}

std::optional<Error> check_keys(const YamlDoc& doc, const YAML::Node& map,
                                std::span<const std::string_view> allowed, std::string_view what) {
  std::map<std::string, int> seen;
  for (const auto& kv : map) {
    if (!kv.first.IsScalar())
      return doc.error_at(kv.first, std::string(what) + " keys must be strings");
    const std::string& key = kv.first.Scalar();
    if (std::find(allowed.begin(), allowed.end(), key) == allowed.end()) {
      std::string msg = "unknown key '" + key + "' in " + std::string(what);
      std::string hint = closest_key(key, allowed);
      if (!hint.empty()) {
        msg += "; did you mean '" + hint + "'?";
      } else {
        msg += " (expected one of:";
        for (auto a : allowed) msg += " " + std::string(a);
        msg += ")";
      }
      return doc.error_at(kv.first, msg);
    }
    auto [it, inserted] = seen.emplace(key, kv.first.Mark().line + 1);
    if (!inserted) {
      return doc.error_at(kv.first, "duplicate key '" + key + "' in " + std::string(what) +
                                        " (first at line " + std::to_string(it->second) + ")");
    }
  }
  return std::nullopt;
}

nlohmann::json yaml_to_json(const YAML::Node& node) {
  if (node.IsMap()) {
    nlohmann::json j = nlohmann::json::object();
    for (const auto& kv : node) j[kv.first.Scalar()] = yaml_to_json(kv.second);
    return j;
  }
  if (node.IsSequence()) {
    nlohmann::json j = nlohmann::json::array();
    for (const auto& child : node) j.push_back(yaml_to_json(child));
    return j;
  }
  if (!node.IsDefined() || node.IsNull()) return nullptr;
  const std::string& s = node.Scalar();
  if (node.Tag() != "?") return s;  // quoted or explicitly tagged: a string
  if (s == "true" || s == "True" || s == "TRUE") return true;
  if (s == "false" || s == "False" || s == "FALSE") return false;
  const char* first = s.data();
  const char* last = s.data() + s.size();
  if (!s.empty()) {
    long long i = 0;
    auto [p, ec] = std::from_chars(first, last, i);
    if (ec == std::errc() && p == last) return i;
    double d = 0;
    auto [pd, ecd] = std::from_chars(first, last, d);
    if (ecd == std::errc() && pd == last && std::isfinite(d)) return d;
  }
  return s;
}

}  // namespace blastwall::rules::detail
