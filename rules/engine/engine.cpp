// The evaluator: Action -> subjects (scope analysis) -> every applicable rule -> default table ->
// the most restrictive decision. Pure; never throws out of evaluate().
#include "blastwall/engine.hpp"

#include <fnmatch.h>

#include <algorithm>
#include <cstring>
#include <exception>
#include <string>
#include <string_view>

#include "rules/engine/compiled.hpp"
#include "rules/engine/dry_run.hpp"
#include "rules/pack/loader.hpp"
#include "rules/pack/spec.hpp"
#include "rules/scope/scope.hpp"

namespace blastwall {

using engine::CompiledCond;
using engine::CompiledRule;
using engine::Field;
using rules::Condition;
using rules::Op;

struct Engine::Impl {
  std::vector<rules::PackSpec> packs;
  Policy policy;
  scope::ScopeConfig scope_config;
  engine::Compiled compiled;
};

namespace engine {

bool parse_field(const std::string& name, Field& field, std::string& env_name) {
  static const std::pair<std::string_view, Field> k_fields[] = {
      {"kind", Field::kind},
      {"cmd", Field::cmd},
      {"argv0", Field::argv0},
      {"args", Field::args},
      {"argv", Field::argv},
      {"positionals", Field::positionals},
      {"line", Field::line},
      {"target", Field::target},
      {"target_raw", Field::target_raw},
      {"target_rel", Field::target_rel},
      {"target_name", Field::target_name},
      {"redirect", Field::redirect},
      {"stdin_from", Field::stdin_from},
      {"wrappers", Field::wrappers},
      {"origin", Field::origin},
      {"sql", Field::sql},
      {"path", Field::path},
      {"content", Field::content},
      {"url", Field::url},
      {"method", Field::method},
      {"mcp.server", Field::mcp_server},
      {"mcp.tool", Field::mcp_tool},
      {"mcp.args", Field::mcp_args},
      {"tool", Field::tool},
  };
  if (name.rfind("env.", 0) == 0 && name.size() > 4) {
    field = Field::env;
    env_name = name.substr(4);
    return true;
  }
  for (const auto& [n, f] : k_fields) {
    if (n == name) {
      field = f;
      return true;
    }
  }
  return false;
}

}  // namespace engine

namespace {

constexpr size_t k_max_command_bytes = 256u << 10;

// ---------------------------------------------------------------- compile

struct CompileState {
  engine::Compiled& out;
  engine::Group* group = nullptr;  // where `matches` leaves of the current rule go
};

engine::RegexSet* set_for(engine::Group& g, Field f, const std::string& env_name) {
  for (auto& s : g.sets) {
    if (s->field == f && s->env_name == env_name) return s.get();
  }
  g.sets.push_back(std::make_unique<engine::RegexSet>());
  g.sets.back()->field = f;
  g.sets.back()->env_name = env_name;
  return g.sets.back().get();
}

std::string alternation(const std::vector<std::string>& pats) {
  if (pats.size() == 1) return pats[0];
  std::string out;
  for (const auto& p : pats) {
    if (!out.empty()) out += '|';
    out += "(?:" + p + ")";
  }
  return out;
}

// A cheap necessary condition for fnmatch(pattern, v, 0), worked out once per pattern: the
// literal text before the first and after the last wildcard must begin and end `v` (without
// FNM_PATHNAME or FNM_PERIOD, `*` and `?` match any byte; no wildcard means equality). Patterns
// with brackets or escapes are not prefiltered.
engine::GlobHint glob_hint(std::string_view pattern) {
  engine::GlobHint h;
  size_t first = std::string_view::npos, last = 0;
  for (size_t i = 0; i < pattern.size(); ++i) {
    const char ch = pattern[i];
    if (ch == '[' || ch == ']' || ch == '\\') return h;  // no filter
    if (ch == '*' || ch == '?') {
      if (first == std::string_view::npos) first = i;
      last = i;
    }
  }
  h.filter = true;
  if (first == std::string_view::npos) {
    h.exact = true;
    return h;
  }
  h.head = static_cast<uint32_t>(first);
  h.tail = static_cast<uint32_t>(pattern.size() - last - 1);
  for (size_t i = first; i < last;) {
    while (i < last && (pattern[i] == '*' || pattern[i] == '?')) ++i;
    size_t j = i;
    while (j < last && pattern[j] != '*' && pattern[j] != '?') ++j;
    if (j - i > h.inner_len) {
      h.inner_at = static_cast<uint32_t>(i);
      h.inner_len = static_cast<uint32_t>(j - i);
    }
    i = j;
  }
  return h;
}

std::vector<engine::GlobHint> glob_hints(Op op, const std::vector<std::string>& values) {
  std::vector<engine::GlobHint> out;
  if (op != Op::glob) return out;
  for (const auto& v : values) out.push_back(glob_hint(v));
  return out;
}

bool glob_may_match(const engine::GlobHint& h, std::string_view pattern, std::string_view v) {
  if (!h.filter) return true;
  if (h.exact) return pattern == v;
  return v.size() >= size_t{h.head} + h.tail + h.inner_len &&
         std::memcmp(v.data(), pattern.data(), h.head) == 0 &&
         std::memcmp(v.data() + v.size() - h.tail, pattern.data() + pattern.size() - h.tail,
                     h.tail) == 0 &&
         (h.inner_len == 0 ||
          v.substr(h.head, v.size() - h.head - h.tail)
                  .find(pattern.substr(h.inner_at, h.inner_len)) != std::string_view::npos);
}

Result<CompiledCond> compile_cond(const Condition& c, const rules::RuleSpec& rule,
                                  engine::Compiled& out, std::vector<engine::Group*>& groups) {
  CompiledCond cc;
  cc.type = c.type;
  cc.op = c.op;
  cc.values = c.values;
  cc.case_insensitive = c.case_insensitive;
  cc.glob_hints = glob_hints(c.op, cc.values);
  if ((c.op == Op::in || c.op == Op::equals) && !c.values.empty()) {
    for (const auto& v : c.values) cc.length_mask |= uint64_t{1} << std::min<size_t>(v.size(), 63);
  }
  auto err = [&](const std::string& m) {
    return Error{rule.id + ": " + m, c.loc.file, c.loc.line, c.loc.column, {}};
  };
  for (const auto& child : c.children) {
    auto r = compile_cond(child, rule, out, groups);
    if (!r) return r.error();
    cc.children.push_back(std::move(*r));
  }
  switch (c.type) {
    case Condition::Type::field:
      if (!engine::parse_field(c.field, cc.field, cc.env_name))
        return err("unknown field '" + c.field + "'");
      break;
    case Condition::Type::option:
      cc.env_name = c.field;
      break;
    case Condition::Type::sub:
      for (const auto& v : c.values) {
        std::vector<std::string> words;
        size_t i = 0;
        while (i < v.size()) {
          while (i < v.size() && v[i] == ' ') ++i;
          size_t j = v.find(' ', i);
          if (j == std::string::npos) j = v.size();
          if (j > i) words.push_back(v.substr(i, j - i));
          i = j;
        }
        cc.sub_words.push_back(std::move(words));
      }
      break;
    case Condition::Type::target:
    case Condition::Type::target_all:
      for (const auto& v : c.values) {
        auto pc = parse_path_class(v);
        if (!pc) return err("unknown path class '" + v + "'");
        cc.classes.push_back(static_cast<int>(*pc));
      }
      break;
    default:
      break;
  }
  if (c.op == Op::matches && !c.values.empty()) {
    std::string pattern = alternation(c.values);
    if (c.case_insensitive) pattern = "(?i)" + pattern;
    if (c.type == Condition::Type::option) {
      RE2::Options o;
      o.set_log_errors(false);
      cc.option_regex = std::make_shared<RE2>(pattern, o);
      if (!cc.option_regex->ok()) return err("bad regex: " + cc.option_regex->error());
    } else if (c.type == Condition::Type::field) {
      cc.leaf_id = out.leaf_count++;
      // Add the leaf to every group the rule lives in; the first one answers for it.
      for (auto* g : groups) {
        auto* s = set_for(*g, cc.field, cc.env_name);
        s->patterns.push_back(pattern);
        s->leaf_ids.push_back(cc.leaf_id);
        if (!cc.set) cc.set = s;
        if (groups.size() > 1) cc.group_sets.emplace_back(g, s);
      }
    }
  }
  return cc;
}

bool is_index_cmd(const Condition& c) {
  return c.type == Condition::Type::field && c.field == "cmd" && c.op == Op::in;
}

// Command names a rule can be indexed under: a top-level `cmd: [...]` (or inside a top-level all).
std::vector<std::string> index_names(const Condition& when) {
  auto is_cmd = is_index_cmd;
  if (is_cmd(when)) return when.values;
  if (when.type == Condition::Type::all) {
    for (const auto& ch : when.children) {
      if (is_cmd(ch)) return ch.values;
    }
  }
  // `any` of branches that are each indexed by command: the union of their names.
  if (when.type == Condition::Type::any && !when.children.empty()) {
    std::vector<std::string> names;
    for (const auto& ch : when.children) {
      auto sub = index_names(ch);
      if (sub.empty()) return {};
      names.insert(names.end(), sub.begin(), sub.end());
    }
    return names;
  }
  return {};
}

// Marks the condition index_names took the names from (the top-level `cmd`, or the first one in a
// top-level all); the branches of an indexed `any` keep their own `cmd` tests.
void mark_index_condition(const Condition& when, CompiledCond& cc) {
  if (is_index_cmd(when)) {
    cc.implied_by_index = true;
    return;
  }
  if (when.type != Condition::Type::all) return;
  for (size_t i = 0; i < when.children.size() && i < cc.children.size(); ++i) {
    if (is_index_cmd(when.children[i])) {
      cc.children[i].implied_by_index = true;
      return;
    }
  }
}

bool rule_enabled(const rules::RuleSpec& r, const rules::PackSpec& p, const Policy& pol) {
  if (std::find(pol.disabled_packs.begin(), pol.disabled_packs.end(), p.id) !=
      pol.disabled_packs.end())
    return false;
  for (const auto& t : r.tags) {
    if (std::find(pol.disabled_tags.begin(), pol.disabled_tags.end(), t) != pol.disabled_tags.end())
      return false;
  }
  auto it = pol.rules.find(r.id);
  if (it != pol.rules.end() && it->second.enabled) return *it->second.enabled;
  return r.enabled;
}

uint16_t bigram(char a, char b) {
  return static_cast<uint16_t>((static_cast<unsigned char>(a) << 8) |
                               static_cast<unsigned char>(b));
}

void build_keyword_index(engine::Compiled& comp) {
  auto& ix = comp.keyword_index;
  for (const auto& [kw, idx] : comp.keyword_rules) {
    if (kw.size() < 2 || kw.find('\n') != std::string::npos) {
      ix.slow.emplace_back(kw, idx);
      continue;
    }
    uint16_t key = bigram(kw[0], kw[1]);
    ix.bigrams[key >> 6] |= uint64_t{1} << (key & 63);
    ix.entries.push_back({key, kw, idx});
  }
  std::stable_sort(ix.entries.begin(), ix.entries.end(),
                   [](const auto& a, const auto& b) { return a.key < b.key; });
}

// Rules whose keyword occurs in `text`, appended to `out` (possibly more than once).
void keyword_hits(const engine::KeywordIndex& ix, std::string_view text, std::vector<int>& out) {
  if (text.size() < 2) return;
  for (size_t i = 0; i + 1 < text.size(); ++i) {
    uint16_t key = bigram(text[i], text[i + 1]);
    if (!ix.has(key)) continue;
    auto it = std::lower_bound(ix.entries.begin(), ix.entries.end(), key,
                               [](const auto& e, uint16_t k) { return e.key < k; });
    std::string_view rest = text.substr(i);
    for (; it != ix.entries.end() && it->key == key; ++it) {
      if (rest.size() >= it->keyword.size() &&
          rest.compare(0, it->keyword.size(), it->keyword) == 0)
        out.push_back(it->rule);
    }
  }
}

// ---------------------------------------------------------------- fact gate

using engine::FeatureMask;

FeatureMask bit_mask(int bit) {
  FeatureMask m;
  m.set(bit);
  return m;
}

// How often a clause is likely to be open, for choosing one clause per `any` branch: a field
// nearly every shell subject has (cmd, args, ...) is nearly always there, another field's value
// often, a path class sometimes, a fact or a command name rarely.
int clause_cost(const FeatureMask& m) {
  static const uint64_t common = [] {
    uint64_t c = 0;
    for (Field f : {Field::kind, Field::cmd, Field::argv0, Field::args, Field::argv,
                    Field::positionals, Field::line, Field::origin})
      c |= uint64_t{1} << static_cast<int>(f);
    return c;
  }();
  const uint64_t fields = m.w[0] & ((uint64_t{1} << engine::k_class_base) - 1);
  const uint64_t classes = m.w[0] >> engine::k_class_base;
  int named = 0;
  for (size_t i = 1; i < m.w.size(); ++i) named += __builtin_popcountll(m.w[i]);
  return 1000 * __builtin_popcountll(fields & common) +
         20 * __builtin_popcountll(fields & ~common) + 5 * __builtin_popcountll(classes) + named;
}

// The bit of a named feature (a fact, a command name), allocated on first use; -1 when full.
int named_bit(std::unordered_map<std::string, int>& bits, int& next, const std::string& name) {
  auto it = bits.find(name);
  if (it != bits.end()) return it->second;
  if (next >= FeatureMask::k_bits) return -1;
  bits.emplace(name, next);
  return next++;
}

// A necessary condition for `c`, as clauses that must each share a feature with the subject: a
// field with a value, a target of a path class, a fact, the command's name. False when there is
// none (`not`, `env`, `kind`, or a fact beyond the mask's capacity). `matches` leaves need a
// value too: a set that cannot compile sets Compiled::regex_failed, which fails every later
// evaluation closed, so a broken set is never skipped silently.
bool gate_of(const CompiledCond& c, engine::Compiled& comp, std::vector<FeatureMask>& out) {
  using T = Condition::Type;
  switch (c.type) {
    case T::fact: {
      if (c.values.empty()) return false;
      FeatureMask m;
      for (const auto& f : c.values) {
        int bit = named_bit(comp.fact_bits, comp.next_bit, f);
        if (bit < 0) return false;
        m.set(bit);
      }
      out.push_back(m);
      return true;
    }
    case T::field: {
      if (c.field == Field::env || c.field == Field::kind) return false;
      if ((c.field == Field::cmd || c.field == Field::origin || c.field == Field::stdin_from) &&
          (c.op == Op::in || c.op == Op::equals) && !c.case_insensitive && !c.values.empty()) {
        // The field's one value must be one of these.
        auto it = std::find_if(comp.value_bits.begin(), comp.value_bits.end(),
                               [&](const auto& p) { return p.first == c.field; });
        if (it == comp.value_bits.end()) {
          comp.value_bits.emplace_back(c.field, std::unordered_map<std::string, int>{});
          it = comp.value_bits.end() - 1;
        }
        FeatureMask m;
        bool full = false;
        for (const auto& v : c.values) {
          int bit = named_bit(it->second, comp.next_bit, v);
          if (bit < 0) full = true;
          if (bit >= 0) m.set(bit);
        }
        if (!full) {
          out.push_back(m);
          return true;
        }
      }
      out.push_back(bit_mask(static_cast<int>(c.field)));
      return true;
    }
    case T::flag:
    case T::option:
      out.push_back(bit_mask(static_cast<int>(Field::args)));
      return true;
    case T::sub:
      for (const auto& words : c.sub_words)
        if (words.empty()) return false;  // an empty word list matches every subject
      out.push_back(bit_mask(static_cast<int>(Field::positionals)));
      return true;
    case T::target:
    case T::target_all: {
      // Some target (target_all: every one, and there is one) has one of these classes.
      if (c.classes.empty()) return false;
      FeatureMask m;
      for (int cls : c.classes) m.set(engine::k_class_base + cls);
      out.push_back(m);
      return true;
    }
    case T::all: {
      // Every child must hold, so every gated child's clauses must.
      bool found = false;
      for (const auto& ch : c.children) found = gate_of(ch, comp, out) || found;
      return found;
    }
    case T::any: {
      // Some child must hold: the union of one clause per child, if every child has one.
      if (c.children.empty()) return false;
      FeatureMask u;
      for (const auto& ch : c.children) {
        std::vector<FeatureMask> sub;
        if (!gate_of(ch, comp, sub)) return false;
        const FeatureMask* best = &sub.front();
        for (const auto& m : sub)
          if (clause_cost(m) < clause_cost(*best)) best = &m;
        u.merge(*best);
      }
      out.push_back(u);
      return true;
    }
    case T::not_:
      return false;
  }
  return false;
}

// The features a subject has before any rule marks a fact: a superset of what gate_of can ask
// for (a field's bit whenever field_values could yield a value).
void subject_features(const scope::Subject& s, const engine::Compiled& comp, FeatureMask& m) {
  m = FeatureMask{};
  auto field = [&m](Field f, bool present) {
    if (present) m.set(static_cast<int>(f));
  };
  field(Field::cmd, !s.name.empty());
  field(Field::argv0, !s.argv0.empty());
  field(Field::args, !s.args.empty());
  field(Field::argv, !s.argv_joined.empty());
  field(Field::positionals, !s.positionals.empty());
  field(Field::line, !s.line.empty());
  const bool targets = !s.facts.targets.empty();
  for (const auto& t : s.facts.targets) m.set(engine::k_class_base + static_cast<int>(t.cls));
  field(Field::target, targets);
  field(Field::target_raw, targets);
  field(Field::target_rel, targets);
  field(Field::target_name, targets);
  field(Field::redirect, !s.redirects.empty());
  field(Field::stdin_from, !s.stdin_from.empty());
  field(Field::wrappers, !s.wrappers.empty());
  field(Field::origin, !s.origin.empty());
  field(Field::sql, !s.sql.empty());
  field(Field::path, !s.path.empty());
  field(Field::content, s.kind == ActionKind::file_write || s.kind == ActionKind::file_edit);
  field(Field::url, !s.url.empty());
  field(Field::method, !s.method.empty());
  field(Field::mcp_server, !s.mcp_server.empty());
  field(Field::mcp_tool, !s.mcp_tool.empty());
  field(Field::mcp_args, !s.mcp_args.empty());
  field(Field::tool, !s.tool.empty());
  for (const auto& [name, reasons] : s.facts.flags) {
    auto it = comp.fact_bits.find(name);
    if (it != comp.fact_bits.end()) m.set(it->second);
  }
  for (const auto& [f, bits] : comp.value_bits) {
    const std::string& v = f == Field::cmd ? s.name : f == Field::origin ? s.origin : s.stdin_from;
    if (v.empty()) continue;
    auto it = bits.find(v);
    if (it != bits.end()) m.set(it->second);
  }
}

bool gate_open(const engine::CompiledRule& r, const FeatureMask& m) {
  for (const auto& clause : r.gate)
    if (!clause.intersects(m)) return false;
  return true;
}

// Adds to `candidates` (kept ascending) every gated rule of the subject's kind whose gate the
// subject can open: with its own features, or with a fact some candidate may mark when it matches
// (to a fixpoint, since a gated rule's marks can open another gate). A rule left out cannot
// match, so evaluating the others in the same order gives the same verdict.
void add_gated(const scope::Subject& s, const engine::Compiled& comp, const std::vector<int>& gated,
               std::vector<int>& candidates, std::vector<uint8_t>& taken) {
  FeatureMask m;
  subject_features(s, comp, m);
  for (int idx : candidates) m.merge(comp.rules[static_cast<size_t>(idx)].marks);
  taken.assign(gated.size(), 0);
  const size_t before = candidates.size();
  for (bool again = true; again;) {
    again = false;
    for (size_t i = 0; i < gated.size(); ++i) {
      if (taken[i]) continue;
      const auto& r = comp.rules[static_cast<size_t>(gated[i])];
      if (!gate_open(r, m)) continue;
      taken[i] = 1;
      candidates.push_back(gated[i]);
      if (m.merge(r.marks)) again = true;
    }
  }
  if (candidates.size() != before) std::sort(candidates.begin(), candidates.end());
}

// ---------------------------------------------------------------- evaluate

struct EvalCtx {
  const Action& action;
  const scope::Subject& s;
  const engine::Compiled& compiled;
  std::vector<uint8_t>& leaf_state;       // 0 unknown, 1 hit, 2 miss
  std::vector<std::string_view>& values;  // scratch for field values (never used re-entrantly)
  std::vector<int>& hits;                 // scratch for RE2::Set matches
  const engine::Group* group = nullptr;   // the subject's command group (Compiled::by_cmd)
  bool regex_failure = false;
};

std::string_view basename_of(std::string_view p) {
  auto pos = p.rfind('/');
  return pos == std::string_view::npos ? p : p.substr(pos + 1);
}

// Values of a field for a subject, as views into the subject (or into static names): nothing is
// copied. Every view ends where its string ends (whole strings or suffixes).
void field_values(const EvalCtx& e, Field f, const std::string& env_name,
                  std::vector<std::string_view>& out) {
  const auto& s = e.s;
  auto push = [&](std::string_view v) { out.push_back(v); };
  switch (f) {
    case Field::kind:
      push(to_string(s.kind));
      break;
    case Field::cmd:
      if (!s.name.empty()) push(s.name);
      break;
    case Field::argv0:
      if (!s.argv0.empty()) push(s.argv0);
      break;
    case Field::args:
      for (const auto& a : s.args) push(a);
      break;
    case Field::argv:
      if (!s.argv_joined.empty()) push(s.argv_joined);
      break;
    case Field::positionals:
      for (const auto& a : s.positionals) push(a);
      break;
    case Field::line:
      // The shell text the subject came from: the action's command line, or the shell text found
      // in an MCP argument.
      if (!s.line.empty()) push(s.line);
      break;
    case Field::target:
      for (const auto& t : s.facts.targets)
        if (!t.resolved.empty()) push(t.resolved);
      break;
    case Field::target_raw:
      for (const auto& t : s.facts.targets) push(t.raw);
      break;
    case Field::target_rel: {
      const auto& root = e.action.ctx.project_root;
      for (const auto& t : s.facts.targets) {
        if (root.empty() || t.resolved.size() <= root.size() + 1 ||
            t.resolved.compare(0, root.size(), root) != 0 || t.resolved[root.size()] != '/')
          continue;
        push(std::string_view(t.resolved).substr(root.size() + 1));
      }
      break;
    }
    case Field::target_name:
      for (const auto& t : s.facts.targets) {
        auto b = basename_of(t.resolved.empty() ? t.raw : t.resolved);
        if (!b.empty()) push(b);
      }
      break;
    case Field::redirect:
      for (const auto& r : s.redirects) push(r);
      break;
    case Field::stdin_from:
      if (!s.stdin_from.empty()) push(s.stdin_from);
      break;
    case Field::wrappers:
      for (const auto& w : s.wrappers) push(w);
      break;
    case Field::origin:
      if (!s.origin.empty()) push(s.origin);
      break;
    case Field::env:
      if (const auto* v = s.env_value(env_name)) push(*v);
      break;
    case Field::sql:
      for (const auto& q : s.sql) push(q);
      break;
    case Field::path:
      if (!s.path.empty()) push(s.path);
      break;
    case Field::content:
      if (s.kind == ActionKind::file_write || s.kind == ActionKind::file_edit) push(s.content);
      break;
    case Field::url:
      if (!s.url.empty()) push(s.url);
      break;
    case Field::method:
      if (!s.method.empty()) push(s.method);
      break;
    case Field::mcp_server:
      if (!s.mcp_server.empty()) push(s.mcp_server);
      break;
    case Field::mcp_tool:
      if (!s.mcp_tool.empty()) push(s.mcp_tool);
      break;
    case Field::mcp_args:
      if (!s.mcp_args.empty()) push(s.mcp_args);
      break;
    case Field::tool:
      if (!s.tool.empty()) push(s.tool);
      break;
  }
}

// `hints`: one per value for Op::glob (glob_hints), else empty.
bool text_op(Op op, std::string_view v, const std::vector<std::string>& values, bool ci,
             const std::vector<engine::GlobHint>& hints) {
  auto eq = [&](std::string_view a, std::string_view b) {
    if (!ci) return a == b;
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
             return std::tolower(static_cast<unsigned char>(x)) ==
                    std::tolower(static_cast<unsigned char>(y));
           });
  };
  for (size_t k = 0; k < values.size(); ++k) {
    const auto& x = values[k];
    switch (op) {
      case Op::in:
      case Op::equals:
        if (eq(v, x)) return true;
        break;
      case Op::prefix:
        if (v.size() >= x.size() && eq(v.substr(0, x.size()), x)) return true;
        break;
      case Op::suffix:
        if (v.size() >= x.size() && eq(v.substr(v.size() - x.size()), x)) return true;
        break;
      case Op::contains:
        if (v.find(x) != std::string_view::npos) return true;
        break;
      case Op::glob: {
        if (!ci && k < hints.size() && !glob_may_match(hints[k], x, v)) break;
        // fnmatch needs a terminated string; field values are views.
        thread_local std::string buf;
        buf.assign(v.data(), v.size());
        if (fnmatch(x.c_str(), buf.c_str(), ci ? FNM_CASEFOLD : 0) == 0) return true;
        break;
      }
      case Op::exists:
        return true;
      case Op::matches:
        break;  // handled by the caller
    }
  }
  return false;
}

void run_set(EvalCtx& e, engine::RegexSet& set) {
  std::call_once(set.once, [&set] {
    RE2::Options o;
    o.set_log_errors(false);
    auto rs = std::make_unique<RE2::Set>(o, RE2::UNANCHORED);
    for (const auto& p : set.patterns) {
      std::string err;
      if (rs->Add(p, &err) < 0) {
        set.failed = true;
        return;
      }
    }
    if (!rs->Compile()) {
      set.failed = true;
      return;
    }
    set.set = std::move(rs);
  });
  for (int id : set.leaf_ids) e.leaf_state[static_cast<size_t>(id)] = 2;
  if (set.failed || !set.set) {
    // Fail closed: a regex set that cannot run counts as a match and is reported, and so is every
    // later evaluation (Compiled::regex_failed).
    e.regex_failure = true;
    e.compiled.regex_failed.store(true, std::memory_order_relaxed);
    for (int id : set.leaf_ids) e.leaf_state[static_cast<size_t>(id)] = 1;
    return;
  }
  auto& values = e.values;
  values.clear();
  field_values(e, set.field, set.env_name, values);
  auto& hits = e.hits;
  for (const auto& v : values) {
    hits.clear();
    RE2::Set::ErrorInfo info{RE2::Set::kNoError};
    if (set.set->Match(re2::StringPiece(v), &hits, &info)) {
      for (int h : hits)
        e.leaf_state[static_cast<size_t>(set.leaf_ids[static_cast<size_t>(h)])] = 1;
    } else if (info.kind != RE2::Set::kNoError) {
      // The DFA ran out of memory (or worse) on this text: no answer is not "no match". Fail
      // closed as for a set that cannot compile, for this subject.
      e.regex_failure = true;
      for (int id : set.leaf_ids) e.leaf_state[static_cast<size_t>(id)] = 1;
      return;
    }
  }
}

bool flag_present(const scope::Subject& s, const std::string& flag) {
  for (const auto& a : s.args) {
    if (a == "--") break;
    if (a.size() < 2 || a[0] != '-') continue;
    if (a[1] == '-') {
      auto eq = a.find('=');
      if (a.compare(0, eq, flag) == 0 && (eq == std::string::npos ? a.size() : eq) == flag.size())
        return true;
      continue;
    }
    if (a == flag) return true;
    if (flag.size() == 2 && flag[0] == '-' && flag[1] != '-') {
      bool letters = std::all_of(a.begin() + 1, a.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) != 0;
      });
      if (letters && a.find(flag[1], 1) != std::string::npos) return true;
    }
  }
  return false;
}

void option_values(const scope::Subject& s, const std::string& opt,
                   std::vector<std::string_view>& out) {
  const auto& args = s.args;
  for (size_t i = 0; i < args.size(); ++i) {
    const auto& a = args[i];
    if (a == "--") break;
    if (a == opt) {
      if (i + 1 < args.size()) out.push_back(args[i + 1]);
    } else if (a.size() > opt.size() && a.compare(0, opt.size(), opt) == 0 &&
               a[opt.size()] == '=') {
      out.push_back(std::string_view(a).substr(opt.size() + 1));
    } else if (opt.size() == 2 && opt[0] == '-' && opt[1] != '-' && a.size() > 2 &&
               a.compare(0, 2, opt) == 0 && a[1] != '-') {
      out.push_back(std::string_view(a).substr(2));
    }
  }
}

bool eval(EvalCtx& e, const CompiledCond& c) {
  using T = Condition::Type;
  switch (c.type) {
    case T::all:
      for (const auto& ch : c.children) {
        if (!eval(e, ch)) return false;
      }
      return true;
    case T::any:
      for (const auto& ch : c.children) {
        if (eval(e, ch)) return true;
      }
      return false;
    case T::not_:
      return c.children.empty() ? false : !eval(e, c.children[0]);
    case T::field: {
      if (c.implied_by_index && e.group) return true;
      if (c.leaf_id >= 0) {
        auto& st = e.leaf_state[static_cast<size_t>(c.leaf_id)];
        if (st == 0) {
          engine::RegexSet* set = c.set;
          if (e.group)
            for (const auto& [g, gs] : c.group_sets)
              if (g == e.group) {
                set = gs;
                break;
              }
          if (set) run_set(e, *set);
        }
        return st == 1;
      }
      auto& values = e.values;
      values.clear();
      field_values(e, c.field, c.env_name, values);
      if (c.op == Op::exists) return !values.empty();
      for (const auto& v : values) {
        // Exact comparisons: skip values whose length no candidate has.
        if (c.length_mask != 0 && ((c.length_mask >> std::min<size_t>(v.size(), 63)) & 1u) == 0)
          continue;
        if (text_op(c.op, v, c.values, c.case_insensitive, c.glob_hints)) return true;
      }
      return false;
    }
    case T::flag:
      for (const auto& f : c.values) {
        if (flag_present(e.s, f)) return true;
      }
      return false;
    case T::sub: {
      const auto& pos = e.s.positionals;
      for (const auto& words : c.sub_words) {
        if (words.size() > pos.size()) continue;
        if (std::equal(words.begin(), words.end(), pos.begin())) return true;
      }
      return false;
    }
    case T::option: {
      auto& vals = e.values;
      vals.clear();
      option_values(e.s, c.env_name, vals);
      if (vals.empty()) return false;
      if (c.op == Op::exists) return true;
      for (const auto& v : vals) {
        if (c.option_regex ? RE2::PartialMatch(re2::StringPiece(v), *c.option_regex)
                           : text_op(c.op, v, c.values, c.case_insensitive, c.glob_hints))
          return true;
      }
      return false;
    }
    case T::fact:
      if (e.s.facts.flags.empty()) return false;  // most subjects have no facts
      for (const auto& f : c.values) {
        if (e.s.facts.flags.count(f) != 0) return true;
      }
      return false;
    case T::target:
      for (const auto& t : e.s.facts.targets) {
        if (std::find(c.classes.begin(), c.classes.end(), static_cast<int>(t.cls)) !=
            c.classes.end())
          return true;
      }
      return false;
    case T::target_all:
      if (e.s.facts.targets.empty()) return false;
      for (const auto& t : e.s.facts.targets) {
        if (std::find(c.classes.begin(), c.classes.end(), static_cast<int>(t.cls)) ==
            c.classes.end())
          return false;
      }
      return true;
  }
  return false;
}

// An exception suppresses when the field has values and every one satisfies it.
const std::string* exception_hit(EvalCtx& e, const engine::CompiledException& x) {
  if (x.values.empty()) return nullptr;
  auto& values = e.values;
  values.clear();
  field_values(e, x.field, x.env_name, values);
  if (values.empty()) return nullptr;
  for (const auto& v : values) {
    bool ok = x.regex ? RE2::PartialMatch(re2::StringPiece(v), *x.regex)
                      : text_op(x.op, v, x.values, false, x.glob_hints);
    if (!ok) return nullptr;
  }
  // Report the first value that matched, by reference into the exception values for stability.
  return &x.values.front();
}

std::string fill_message(const std::string& tmpl, const scope::Subject& s,
                         const rules::RuleSpec& r) {
  std::string out;
  out.reserve(tmpl.size() + 32);
  for (size_t i = 0; i < tmpl.size(); ++i) {
    if (tmpl[i] != '{') {
      // Copy the literal run up to the next placeholder in one go.
      size_t open = tmpl.find('{', i);
      if (open == std::string::npos) open = tmpl.size();
      out.append(tmpl, i, open - i);
      i = open - 1;
      continue;
    }
    auto close = tmpl.find('}', i);
    if (close == std::string::npos) {
      out += tmpl.substr(i);
      break;
    }
    // Placeholders are appended in place (a match fills two messages; no value is copied twice).
    const std::string_view key = std::string_view(tmpl).substr(i + 1, close - i - 1);
    // A separator only after a non-empty part of this value (as the reasons were always joined).
    auto append_joined = [&out](const std::vector<std::string>& v, std::string_view sep) {
      const size_t start = out.size();
      for (const auto& x : v) {
        if (out.size() != start) out += sep;
        out += x;
      }
    };
    auto append_fact = [&](const std::string& name) {
      auto it = s.facts.flags.find(name);
      if (it != s.facts.flags.end()) append_joined(it->second, "; ");
    };
    if (key == "cmd") {
      out += s.name.empty() ? s.display : s.name;
    } else if (key == "argv") {
      out += s.display;
    } else if (key == "targets" || key == "target") {
      if (s.facts.targets.empty()) {
        out += "(no path)";
      } else {
        const size_t start = out.size();
        for (const auto& t : s.facts.targets) {
          if (out.size() != start) out += ", ";
          out += t.resolved.empty() ? t.raw : t.resolved;
          if (key == "target") break;
        }
      }
    } else if (key == "prod") {
      append_fact("prod");
    } else if (key == "global") {
      append_fact("global");
    } else if (key == "rule") {
      out += r.id;
    } else if (key.substr(0, 5) == "fact.") {  // {fact.homoglyph}: that fact's reasons
      append_fact(std::string(key.substr(5)));
    } else {
      out.append("{").append(key).append("}");
    }
    i = close;
  }
  return out;
}

int rank(Decision d) { return static_cast<int>(d); }

std::string facts_brief(const Facts& f) {
  std::string out;
  for (const auto& [name, reasons] : f.flags) {
    if (!out.empty()) out += ", ";
    out += name;
    if (!reasons.empty()) out += " (" + reasons.front() + ")";
  }
  return out;
}

}  // namespace

// ---------------------------------------------------------------- Engine

Engine::Engine(std::unique_ptr<Impl> impl) : m_impl(std::move(impl)) {}
Engine::~Engine() = default;

Result<std::shared_ptr<const Engine>> Engine::create(std::vector<rules::PackSpec> packs,
                                                     Policy policy) {
  auto impl = std::make_unique<Impl>();
  impl->packs = std::move(packs);
  impl->policy = std::move(policy);
  impl->scope_config.prod_patterns = impl->policy.prod_patterns;
  impl->scope_config.protected_branches = impl->policy.protected_branches;
  impl->scope_config.temp_dirs = impl->policy.temp_dirs;
  impl->scope_config.session_window_s = impl->policy.session_window_s;
  impl->scope_config.burst_threshold = impl->policy.burst_threshold;
  auto& comp = impl->compiled;
  comp.keyword_group = std::make_unique<engine::Group>();
  comp.always = std::make_unique<engine::Group>();
  // Unknown rule ids in the policy are errors: a typo must not silently disable nothing.
  for (const auto& [id, ov] : impl->policy.rules) {
    bool found = false;
    for (const auto& p : impl->packs)
      for (const auto& r : p.rules) found = found || r.id == id;
    if (!found) return make_error("policy names unknown rule '" + id + "'");
  }
  size_t total = 0;
  for (const auto& p : impl->packs) total += p.rules.size();
  comp.rules.reserve(total);
  for (const auto& pack : impl->packs) {
    for (const auto& rule : pack.rules) {
      if (!rule_enabled(rule, pack, impl->policy)) continue;
      CompiledRule cr;
      cr.spec = &rule;
      cr.pack = &pack;
      cr.decision = rule.decision;
      cr.kinds = rule.applies_to.empty() ? std::vector<ActionKind>{ActionKind::shell_exec}
                                         : rule.applies_to;
      cr.cmd_index = index_names(rule.when);
      cr.keywords = rule.keywords;
      auto ov = impl->policy.rules.find(rule.id);
      if (ov != impl->policy.rules.end() && ov->second.decision) {
        // A project layer may only tighten: its decision applies only when stricter than the
        // rule's.
        Decision d = *ov->second.decision;
        cr.decision = ov->second.tighten_only ? std::max(d, rule.decision) : d;
      }
      int idx = static_cast<int>(comp.rules.size());
      std::vector<engine::Group*> groups;
      if (!cr.cmd_index.empty()) {
        for (const auto& n : cr.cmd_index) {
          auto& g = comp.by_cmd[n];
          g.rules.push_back(idx);
          groups.push_back(&g);
        }
      } else if (!cr.keywords.empty()) {
        for (const auto& k : cr.keywords) comp.keyword_rules.emplace_back(k, idx);
        comp.keyword_group->rules.push_back(idx);
        groups.push_back(comp.keyword_group.get());
      } else {
        groups.push_back(comp.always.get());
      }
      auto when = compile_cond(rule.when, rule, comp, groups);
      if (!when) return when.error();
      cr.when = std::move(*when);
      if (!cr.cmd_index.empty()) mark_index_condition(rule.when, cr.when);
      if (cr.cmd_index.empty() && cr.keywords.empty()) {
        // No command or keyword index: a rule that needs a fact (or a field with a value) waits
        // behind its fact gate; the others run for every subject of their kinds.
        cr.gated = gate_of(cr.when, comp, cr.gate);
        if (!cr.gated) cr.gate.clear();
        for (auto& clause : cr.gate) clause.shrink();
        comp.any_gated = comp.any_gated || cr.gated;
        for (auto k : cr.kinds) {
          auto& list =
              (cr.gated ? comp.gated_by_kind : comp.ungated_by_kind)[static_cast<size_t>(k)];
          if (list.empty() || list.back() != idx) list.push_back(idx);
        }
      }
      for (const auto& x : rule.exceptions) {
        engine::CompiledException cx;
        cx.name = x.name;
        cx.op = x.op;
        cx.values = x.values;
        if (!engine::parse_field(x.field, cx.field, cx.env_name))
          return Error{rule.id + ": exception field '" + x.field + "' is unknown",
                       x.loc.file,
                       x.loc.line,
                       x.loc.column,
                       {}};
        if (ov != impl->policy.rules.end()) {
          auto extra = ov->second.exceptions.find(x.name);
          if (extra != ov->second.exceptions.end())
            cx.values.insert(cx.values.end(), extra->second.begin(), extra->second.end());
        }
        cx.glob_hints = glob_hints(cx.op, cx.values);
        if (x.op == Op::matches && !cx.values.empty()) {
          RE2::Options o;
          o.set_log_errors(false);
          cx.regex = std::make_shared<RE2>(alternation(cx.values), o);
          if (!cx.regex->ok()) return make_error(rule.id + ": bad exception regex");
        }
        cr.exceptions.push_back(std::move(cx));
      }
      if (ov != impl->policy.rules.end()) {
        for (const auto& [name, vals] : ov->second.exceptions) {
          bool known = std::any_of(rule.exceptions.begin(), rule.exceptions.end(),
                                   [&](const auto& x) { return x.name == name; });
          if (!known)
            return make_error("policy adds values to unknown exception '" + name + "' of rule " +
                              rule.id);
        }
      }
      comp.rules.push_back(std::move(cr));
    }
  }
  build_keyword_index(comp);
  // Marks in gate bits, once every gated fact has its bit.
  if (comp.any_gated) {
    for (auto& r : comp.rules) {
      for (const auto& m : r.spec->marks) {
        auto it = comp.fact_bits.find(m);
        if (it != comp.fact_bits.end()) r.marks.set(it->second);
      }
      r.marks.shrink();
    }
  }
  return std::shared_ptr<const Engine>(new Engine(std::move(impl)));
}

Result<std::shared_ptr<const Engine>> Engine::create_builtin(Policy policy) {
  auto packs = rules::load_builtin_packs();
  if (!packs) return packs.error();
  return create(std::move(*packs), std::move(policy));
}

const std::vector<rules::PackSpec>& Engine::packs() const { return m_impl->packs; }
const Policy& Engine::policy() const { return m_impl->policy; }

namespace {

struct SubjectOutcome {
  Decision decision = Decision::allow;
  std::string why;  // default-table reason when it decided
};

SubjectOutcome default_table(const Facts& f, const Policy& p) {
  SubjectOutcome o;
  if (f.flags.empty()) return o;  // every row below needs a fact
  // One pass over the subject's facts instead of a map lookup per row.
  const std::vector<std::string>* self = nullptr;
  const std::vector<std::string>* secrets_send = nullptr;
  const std::vector<std::string>* remote_exec = nullptr;
  const std::vector<std::string>* recreate = nullptr;
  const std::vector<std::string>* prod = nullptr;
  const std::vector<std::string>* destructive = nullptr;
  const std::vector<std::string>* global = nullptr;
  const std::vector<std::string>* dynamic = nullptr;
  const std::vector<std::string>* burst = nullptr;
  for (const auto& [name, reasons] : f.flags) {
    std::string_view n = name;
    if (n == "self")
      self = &reasons;
    else if (n == "secrets_send")
      secrets_send = &reasons;
    else if (n == "remote_exec")
      remote_exec = &reasons;
    else if (n == "recreate")
      recreate = &reasons;
    else if (n == "prod")
      prod = &reasons;
    else if (n == "destructive")
      destructive = &reasons;
    else if (n == "global")
      global = &reasons;
    else if (n == "dynamic")
      dynamic = &reasons;
    else if (n == "burst")
      burst = &reasons;
  }
  auto first = [](const std::vector<std::string>* reasons, const char* name) {
    return reasons->empty() ? std::string(name) : reasons->front();
  };
  if (self) return {Decision::deny, "touches blastwall itself: " + first(self, "self")};
  if (secrets_send)
    return {Decision::deny,
            "sends secrets off the machine: " + first(secrets_send, "secrets_send")};
  if (remote_exec)
    return {Decision::deny,
            "runs code fetched from the network: " + first(remote_exec, "remote_exec")};
  // Delete-and-recreate (docs/RULES.md "Session facts"): the incident this project exists for.
  if (recreate && prod)
    return {p.destructive_scoped, "re-creates a production environment (" +
                                      first(recreate, "recreate") + "; " + first(prod, "prod") +
                                      ")"};
  if (destructive && (prod || global)) {
    return {p.destructive_scoped, "destructive (" + first(destructive, "destructive") + ") and " +
                                      (prod ? "production-targeted (" + first(prod, "prod") + ")"
                                            : "global (" + first(global, "global") + ")")};
  }
  if (dynamic) return {p.fail_closed, first(dynamic, "dynamic")};
  if (recreate) return {p.destructive, "delete-and-recreate: " + first(recreate, "recreate")};
  if (burst)
    return {p.destructive,
            "abnormal bulk operation: " + first(burst, "burst") + "; confirm the next one"};
  if (destructive) return {p.destructive, "destructive: " + first(destructive, "destructive")};
  return o;
}

}  // namespace

Verdict Engine::evaluate(const Action& action, const EngineOptions& options) const {
  Verdict v;
  try {
    const auto& comp = m_impl->compiled;
    const auto& policy = m_impl->policy;
    // Commands agents really send are far below 256 KiB; anything larger is refused before it is
    // scanned (fail closed, ask), which keeps the worst case of every surface bounded.
    shell::Limits limits;
    limits.max_input_bytes = k_max_command_bytes;
    limits.trace = options.explain;  // the parse trace is only shown by --explain
    auto analysis = scope::analyze(action, m_impl->scope_config, limits);
    if (options.explain) v.explanation = analysis.trace;
    Decision best = Decision::allow;
    std::string best_reason;
    std::string best_source = "default";
    Severity best_sev = Severity::info;
    // `prefer`: at an equal decision this reason replaces the current one (the recreate row's
    // remediation says more than the teardown rule's message).
    auto consider = [&](Decision d, Severity sev, const std::string& reason, const char* source,
                        bool prefer = false) {
      if (rank(d) > rank(best) ||
          (rank(d) == rank(best) && rank(d) > 0 && (best_reason.empty() || prefer))) {
        best = d;
        best_reason = reason;
        best_source = source;
      }
      if (static_cast<int>(sev) > static_cast<int>(best_sev)) best_sev = sev;
    };
    if (analysis.fail_closed) {
      consider(policy.fail_closed, Severity::high,
               "could not be fully understood (" + analysis.fail_reason + "); a human must confirm",
               "error");
      v.facts.set("unparsed", analysis.fail_reason);
    }
    // Per-thread scratch buffers: evaluate() allocates nothing for them once warm.
    struct Scratch {
      std::vector<uint8_t> leaf_state;
      std::vector<int> candidates, matched, hits;
      std::vector<uint8_t> taken;
      std::vector<std::string_view> values;
    };
    thread_local Scratch scratch;
    auto& leaf_state = scratch.leaf_state;
    leaf_state.assign(static_cast<size_t>(comp.leaf_count), 0);
    auto& candidates = scratch.candidates;
    candidates.clear();
    // Bulk-operation anomaly: the session's recent destructive actions (adapter-supplied).
    const std::string burst = action.ctx.recent.empty()
                                  ? std::string()
                                  : scope::burst_summary(action.ctx, m_impl->scope_config);
    for (auto& s : analysis.subjects) {
      if (s.informational) {
        if (options.explain)
          v.explanation.push_back("subject '" + s.display +
                                  "': informational (--help), not evaluated");
        continue;
      }
      std::fill(leaf_state.begin(), leaf_state.end(), 0);
      EvalCtx e{action, s, comp, leaf_state, scratch.values, scratch.hits};
      candidates.clear();
      if (!s.name.empty()) {
        auto it = comp.by_cmd.find(s.name);
        if (it != comp.by_cmd.end()) {
          candidates.assign(it->second.rules.begin(), it->second.rules.end());
          e.group = &it->second;
        }
      }
      if (!comp.keyword_rules.empty()) {
        // Keyword-gated rules whose keyword occurs in the subject's text. A keyword without '\n'
        // cannot span two of these texts, so each is scanned on its own.
        const auto& ix = comp.keyword_index;
        keyword_hits(ix, s.argv_joined, candidates);
        keyword_hits(ix, s.path, candidates);
        keyword_hits(ix, s.content, candidates);
        keyword_hits(ix, s.url, candidates);
        keyword_hits(ix, s.mcp_args, candidates);
        keyword_hits(ix, s.mcp_tool, candidates);
        for (const auto& q : s.sql) keyword_hits(ix, q, candidates);
        if (!ix.slow.empty()) {
          std::string hay = s.argv_joined + "\n" + s.path + "\n" + s.content + "\n" + s.url + "\n" +
                            s.mcp_args + "\n" + s.mcp_tool + "\n";
          for (const auto& q : s.sql) hay += q + "\n";
          for (const auto& [kw, idx] : ix.slow) {
            if (hay.find(kw) != std::string::npos) candidates.push_back(idx);
          }
        }
      }
      const auto kind = static_cast<size_t>(s.kind);
      const auto& ungated = comp.ungated_by_kind[kind];
      candidates.insert(candidates.end(), ungated.begin(), ungated.end());
      std::sort(candidates.begin(), candidates.end());
      candidates.erase(std::unique(candidates.begin(), candidates.end()), candidates.end());
      if (!comp.gated_by_kind[kind].empty())
        add_gated(s, comp, comp.gated_by_kind[kind], candidates, scratch.taken);
      // Rules may mark facts that other rules test: evaluate in two passes so order never matters.
      auto& matched = scratch.matched;
      matched.clear();
      for (int pass = 0; pass < 2; ++pass) {
        bool added = false;
        for (int idx : candidates) {
          if (std::find(matched.begin(), matched.end(), idx) != matched.end()) continue;
          const auto& r = comp.rules[static_cast<size_t>(idx)];
          if (std::find(r.kinds.begin(), r.kinds.end(), s.kind) == r.kinds.end()) continue;
          if (!eval(e, r.when)) continue;
          const std::string* exc_val = nullptr;
          const engine::CompiledException* exc = nullptr;
          for (const auto& x : r.exceptions) {
            if ((exc_val = exception_hit(e, x))) {
              exc = &x;
              break;
            }
          }
          if (!exc && s.facts.has("dry_run") && !survives_dry_run(*r.spec)) {
            // A dry run changes nothing: the change this rule judges does not happen.
            if (std::none_of(v.suppressed.begin(), v.suppressed.end(), [&](const auto& sp) {
                  return sp.rule_id == r.spec->id && sp.subject == s.display;
                }))
              v.suppressed.push_back(
                  {r.spec->id, "dry_run", s.facts.flags.at("dry_run").front(), s.display});
            matched.push_back(idx);
            continue;
          }
          if (exc) {
            if (pass == 0 ||
                std::none_of(v.suppressed.begin(), v.suppressed.end(), [&](const auto& sp) {
                  return sp.rule_id == r.spec->id && sp.subject == s.display;
                }))
              v.suppressed.push_back({r.spec->id, exc->name, *exc_val, s.display});
            matched.push_back(idx);  // do not re-report in pass 2
            continue;
          }
          matched.push_back(idx);
          for (const auto& m : r.spec->marks) {
            if (!s.facts.has(m)) added = true;
            s.facts.set(m, r.spec->id);
          }
          RuleMatch rm;
          rm.rule_id = r.spec->id;
          rm.pack_id = r.pack->id;
          rm.pack_version = r.pack->version;
          rm.title = r.spec->title;
          rm.message = fill_message(r.spec->message, s, *r.spec);
          rm.remediation = fill_message(r.spec->remediation, s, *r.spec);
          rm.decision = r.decision;
          rm.severity = r.spec->severity;
          rm.subject = s.display;
          rm.begin = s.begin;
          rm.end = s.end;
          v.matches.push_back(rm);
          // The reason text is only built when this match would become the reason.
          if (rank(rm.decision) > rank(best) ||
              (rank(rm.decision) == rank(best) && rank(best) > 0 && best_reason.empty()))
            consider(rm.decision, rm.severity,
                     rm.rule_id + ": " + rm.message +
                         (rm.remediation.empty() ? "" : ". " + rm.remediation),
                     "rule");
          else if (static_cast<int>(rm.severity) > static_cast<int>(best_sev))
            best_sev = rm.severity;
        }
        if (!added) break;
      }
      if (comp.regex_failed.load(std::memory_order_relaxed)) e.regex_failure = true;
      if (e.regex_failure) {
        consider(policy.fail_closed, Severity::high, "a rule's regular expressions could not run",
                 "error");
        v.facts.set("engine_error", "regex set failed to compile");
      }
      if (!burst.empty() &&
          (s.facts.destructive() || s.facts.has("deletion") || s.facts.has("recreate")))
        s.facts.set("burst", burst);
      auto d = default_table(s.facts, policy);
      if (rank(d.decision) > 0) {
        // A rule's own message is more useful to the agent than the table's; the table only
        // supplies the reason when it raised the decision above every rule.
        std::string reason = d.why;
        for (const auto& m : v.matches) {
          if (m.subject == s.display) {
            reason += " — " + m.rule_id + ": " + m.message +
                      (m.remediation.empty() ? "" : ". " + m.remediation);
            break;
          }
        }
        consider(d.decision, d.decision == Decision::deny ? Severity::critical : Severity::high,
                 reason, "default", s.facts.has("recreate"));
      }
      if (options.explain) {
        v.explanation.push_back(
            "subject '" + s.display + "' [" + std::string(to_string(s.kind)) +
            (s.origin.empty() || s.origin == "shell" ? "" : ", origin " + s.origin) +
            "]: " + std::to_string(candidates.size()) + " candidate rules, " +
            std::to_string(matched.size()) +
            " matched; facts: " + (s.facts.flags.empty() ? "none" : facts_brief(s.facts)) +
            "; subject decision: " + std::string(to_string(d.decision)));
      }
      if (v.facts.flags.empty() && v.facts.targets.empty()) {
        // The first subject's facts: move them in, deduplicated as merge() would copy them.
        v.facts = std::move(s.facts);
        for (auto& [name, reasons] : v.facts.flags) {
          for (size_t i = 1; i < reasons.size(); ++i) {
            if (std::find(reasons.begin(), reasons.begin() + static_cast<std::ptrdiff_t>(i),
                          reasons[i]) != reasons.begin() + static_cast<std::ptrdiff_t>(i))
              reasons.erase(reasons.begin() + static_cast<std::ptrdiff_t>(i--));
          }
        }
        auto& ts = v.facts.targets;
        for (size_t i = 1; i < ts.size(); ++i) {
          bool seen = false;
          for (size_t j = 0; j < i && !seen; ++j)
            seen = ts[j].resolved == ts[i].resolved && ts[j].raw == ts[i].raw;
          if (seen) ts.erase(ts.begin() + static_cast<std::ptrdiff_t>(i--));
        }
      } else {
        v.facts.merge(s.facts);
      }
    }
    // A tool that says it only reads, called with arguments that destroy: flag the lie.
    if (action.kind == ActionKind::mcp_call && v.facts.has("read_only_hint") &&
        v.facts.destructive()) {
      v.facts.set("annotation_mismatch",
                  action.mcp.server + "." + action.mcp.tool +
                      " is annotated readOnlyHint but its arguments are destructive");
      if (options.explain)
        v.explanation.push_back("annotation mismatch: readOnlyHint with destructive arguments");
    }
    v.decision = best;
    v.severity = best_sev;
    v.source = best_source;
    v.reason = best == Decision::allow ? "no rule or default objects" : best_reason;
  } catch (const std::exception& ex) {
    v = Verdict{};
    v.decision = m_impl->policy.fail_closed;
    v.severity = Severity::high;
    v.source = "error";
    v.reason =
        std::string("internal error while evaluating (") + ex.what() + "); a human must confirm";
  } catch (...) {
    v = Verdict{};
    v.decision = m_impl->policy.fail_closed;
    v.severity = Severity::high;
    v.source = "error";
    v.reason = "internal error while evaluating; a human must confirm";
  }
  return v;
}

}  // namespace blastwall
