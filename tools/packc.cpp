// blastwall_packc: the build-time pack compiler.
//
//   blastwall_packc --out FILE PACK.yaml...
//
// Loads and validates every pack (any diagnostic fails the build), checks that pack and rule ids
// are unique across packs, then writes FILE: a C++ source defining embedded_packs() with the CBOR
// encoding of pack_to_json() for each pack, sorted by file name. FILE is written to FILE.tmp and
// renamed, so an interrupted build never leaves a half-written source behind.
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <exception>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "rules/pack/loader.hpp"
#include "rules/pack/serialize.hpp"

namespace {

using blastwall::rules::LintFinding;
using blastwall::rules::PackSpec;

constexpr int k_bytes_per_line = 16;

void usage() {
  std::cerr << "usage: blastwall_packc [--warnings] --out FILE PACK.yaml...\n"
               "  Validates rule packs and writes a C++ source embedding them.\n"
               "  --warnings  also print lint warnings (they never fail the build)\n";
}

// A C++ string literal for an arbitrary file name.
std::string cxx_string_literal(const std::string& s) {
  std::string out = "\"";
  for (unsigned char c : s) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c < 0x20 || c >= 0x7f) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\%03o", c);
      out += buf;
    } else {
      out += static_cast<char>(c);
    }
  }
  return out + "\"";
}

void relabel(blastwall::rules::Condition& c, const std::string& from, const std::string& to) {
  if (c.loc.file == from) c.loc.file = to;
  for (auto& ch : c.children) relabel(ch, from, to);
}

// Embedded packs name their source relative to the repository ("rules/packs/git.yaml") instead
// of the build machine's absolute path: reproducible output, and still a path a reader can open.
void relabel(PackSpec& pack, const std::string& name, const std::string& path) {
  auto parent = std::filesystem::path(path).lexically_normal().parent_path();
  const bool shipped = parent.filename() == "packs" && parent.parent_path().filename() == "rules";
  const std::string from = pack.source;
  const std::string to = shipped ? "rules/packs/" + name : "builtin:" + name;
  pack.source = to;
  for (auto& r : pack.rules) {
    if (r.loc.file == from) r.loc.file = to;
    relabel(r.when, from, to);
    for (auto& e : r.exceptions) {
      if (e.loc.file == from) e.loc.file = to;
    }
  }
}

struct Compiled {
  std::string name;                     // file name
  std::vector<std::uint8_t> cbor;       // the whole pack
  std::vector<std::uint8_t> lean_cbor;  // without tests, rationale and references (hot path)
};

void emit_bytes(std::ostringstream& o, const std::string& name,
                const std::vector<std::uint8_t>& bytes) {
  o << "static const std::uint8_t " << name << "[] = {";
  for (std::size_t b = 0; b < bytes.size(); ++b) {
    if (b % k_bytes_per_line == 0) o << "\n    ";
    char buf[8];
    std::snprintf(buf, sizeof buf, "0x%02x,", bytes[b]);
    o << buf;
    if (b % k_bytes_per_line != k_bytes_per_line - 1 && b + 1 != bytes.size()) o << ' ';
  }
  o << "\n};\n\n";
}

// ---- C++ code for the lean packs: evaluation starts without decoding anything -------------------

std::string lit_vec(const std::vector<std::string>& v) {
  std::string out = "{";
  for (std::size_t i = 0; i < v.size(); ++i) out += (i ? ", " : "") + cxx_string_literal(v[i]);
  return out + "}";
}

std::string cond_expr(const blastwall::rules::Condition& c, const std::string& file_var) {
  std::string children = "{";
  for (std::size_t i = 0; i < c.children.size(); ++i)
    children += (i ? ", " : "") + cond_expr(c.children[i], file_var);
  children += "}";
  return "C(" + std::to_string(static_cast<int>(c.type)) + ", " + cxx_string_literal(c.field) +
         ", " + std::to_string(static_cast<int>(c.op)) + ", " + lit_vec(c.values) + ", " +
         (c.case_insensitive ? "true" : "false") + ", " + children + ", " + file_var + ", " +
         std::to_string(c.loc.line) + ", " + std::to_string(c.loc.column) + ")";
}

void emit_lean_code(std::ostringstream& o, const std::vector<PackSpec>& packs) {
  o << "// Lean packs as code: no tests, rationale or references (see load_builtin_packs).\n"
       "namespace lean {\n"
       "[[maybe_unused]] Condition C(int type, const char* field, int op, std::vector<std::string> "
       "values, bool ci,\n"
       "            std::vector<Condition> children, const char* file, int line, int col) {\n"
       "  Condition c;\n  c.type = static_cast<Condition::Type>(type);\n  c.field = field;\n"
       "  c.op = static_cast<Op>(op);\n  c.values = std::move(values);\n  c.case_insensitive = "
       "ci;\n"
       "  c.children = std::move(children);\n  c.loc = SourceLoc{file, line, col};\n  return "
       "c;\n}\n"
       "[[maybe_unused]] ExceptionSpec X(const char* name, const char* field, int op, "
       "std::vector<std::string> values,\n"
       "                const char* file, int line, int col) {\n"
       "  ExceptionSpec e;\n  e.name = name;\n  e.field = field;\n  e.op = static_cast<Op>(op);\n"
       "  e.values = std::move(values);\n  e.loc = SourceLoc{file, line, col};\n  return e;\n}\n\n";
  for (std::size_t i = 0; i < packs.size(); ++i) {
    const auto& p = packs[i];
    const std::string fv = "k_file_" + std::to_string(i);
    o << "const char* const " << fv << " = " << cxx_string_literal(p.source) << ";\n";
    for (std::size_t k = 0; k < p.rules.size(); ++k) {
      const auto& r = p.rules[k];
      o << "RuleSpec rule_" << i << "_" << k << "() {\n  RuleSpec r;\n";
      o << "  r.id = " << cxx_string_literal(r.id) << ";\n";
      o << "  r.title = " << cxx_string_literal(r.title) << ";\n";
      for (auto kind : r.applies_to)
        o << "  r.applies_to.push_back(static_cast<ActionKind>(" << static_cast<int>(kind)
          << "));\n";
      if (!r.keywords.empty()) o << "  r.keywords = " << lit_vec(r.keywords) << ";\n";
      o << "  r.when = " << cond_expr(r.when, fv) << ";\n";
      o << "  r.decision = static_cast<Decision>(" << static_cast<int>(r.decision) << ");\n";
      o << "  r.severity = static_cast<Severity>(" << static_cast<int>(r.severity) << ");\n";
      o << "  r.message = " << cxx_string_literal(r.message) << ";\n";
      o << "  r.remediation = " << cxx_string_literal(r.remediation) << ";\n";
      if (!r.tags.empty()) o << "  r.tags = " << lit_vec(r.tags) << ";\n";
      if (!r.marks.empty()) o << "  r.marks = " << lit_vec(r.marks) << ";\n";
      for (const auto& e : r.exceptions) {
        o << "  r.exceptions.push_back(X(" << cxx_string_literal(e.name) << ", "
          << cxx_string_literal(e.field) << ", " << static_cast<int>(e.op) << ", "
          << lit_vec(e.values) << ", " << fv << ", " << e.loc.line << ", " << e.loc.column
          << "));\n";
      }
      if (!r.maturity.empty()) o << "  r.maturity = " << cxx_string_literal(r.maturity) << ";\n";
      o << "  r.enabled = " << (r.enabled ? "true" : "false") << ";\n";
      o << "  r.loc = SourceLoc{" << fv << ", " << r.loc.line << ", " << r.loc.column << "};\n";
      o << "  return r;\n}\n";
    }
    o << "PackSpec pack_" << i << "() {\n  PackSpec p;\n  p.format = " << p.format << ";\n";
    o << "  p.id = " << cxx_string_literal(p.id) << ";\n";
    o << "  p.version = " << cxx_string_literal(p.version) << ";\n";
    o << "  p.title = " << cxx_string_literal(p.title) << ";\n";
    o << "  p.maturity = " << cxx_string_literal(p.maturity) << ";\n";
    o << "  p.requires_engine = " << cxx_string_literal(p.requires_engine) << ";\n";
    o << "  p.source = " << fv << ";\n";
    o << "  p.rules.reserve(" << p.rules.size() << ");\n";
    for (std::size_t k = 0; k < p.rules.size(); ++k)
      o << "  p.rules.push_back(rule_" << i << "_" << k << "());\n";
    o << "  return p;\n}\n\n";
  }
  o << "}  // namespace lean\n\n";
}

std::string generate(const std::vector<Compiled>& packs, const std::vector<PackSpec>& specs) {
  std::ostringstream o;
  o << "// Generated by blastwall_packc from rules/packs/*.yaml. Do not edit.\n"
       "#include <cstdint>\n#include <span>\n#include <string>\n#include <vector>\n\n"
       "#include \"rules/pack/builtin.hpp\"\n#include \"rules/pack/spec.hpp\"\n\n"
       "namespace blastwall::rules {\nnamespace {\n\n";
  emit_lean_code(o, specs);
  for (std::size_t i = 0; i < packs.size(); ++i) {
    o << "// " << packs[i].name << "\n";
    emit_bytes(o, "k_pack_" + std::to_string(i), packs[i].cbor);
    emit_bytes(o, "k_lean_" + std::to_string(i), packs[i].lean_cbor);
  }
  if (!packs.empty()) {
    o << "static const EmbeddedPack k_packs[] = {\n";
    for (std::size_t i = 0; i < packs.size(); ++i) {
      o << "    {" << cxx_string_literal(packs[i].name) << ", k_pack_" << i << ", sizeof(k_pack_"
        << i << "), k_lean_" << i << ", sizeof(k_lean_" << i << ")},\n";
    }
    o << "};\n\n";
  }
  o << "}  // namespace\n\n";
  if (packs.empty()) {
    o << "std::span<const EmbeddedPack> embedded_packs() { return {}; }\n\n";
  } else {
    o << "std::span<const EmbeddedPack> embedded_packs() { return k_packs; }\n\n";
  }
  o << "std::vector<PackSpec> generated_lean_packs() {\n  std::vector<PackSpec> out;\n";
  o << "  out.reserve(" << specs.size() << ");\n";
  for (std::size_t i = 0; i < specs.size(); ++i)
    o << "  out.push_back(lean::pack_" << i << "());\n";
  o << "  return out;\n}\n\n";
  o << "}  // namespace blastwall::rules\n";
  return o.str();
}

bool write_atomically(const std::string& path, const std::string& content) {
  const std::string tmp = path + ".tmp";
  {
    std::ofstream f(tmp, std::ios::binary | std::ios::trunc);
    if (!f) {
      std::cerr << "blastwall_packc: cannot write " << tmp << "\n";
      return false;
    }
    f << content;
    f.flush();
    if (!f) {
      std::cerr << "blastwall_packc: write failed: " << tmp << "\n";
      return false;
    }
  }
  std::error_code ec;
  std::filesystem::rename(tmp, path, ec);
  if (ec) {
    std::cerr << "blastwall_packc: cannot rename " << tmp << " to " << path << ": " << ec.message()
              << "\n";
    std::filesystem::remove(tmp, ec);
    return false;
  }
  return true;
}

int run(int argc, char** argv) {
  std::string out;
  bool warnings = false;
  std::vector<std::string> inputs;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--out") {
      if (i + 1 >= argc) {
        usage();
        return 2;
      }
      out = argv[++i];
    } else if (arg == "--warnings") {
      warnings = true;
    } else if (arg == "--help" || arg == "-h") {
      usage();
      return 0;
    } else if (!arg.empty() && arg[0] == '-') {
      std::cerr << "blastwall_packc: unknown option " << arg << "\n";
      usage();
      return 2;
    } else {
      inputs.push_back(arg);
    }
  }
  if (out.empty()) {
    usage();
    return 2;
  }

  // Sort by file name so the embedded order (and thus the build output) is reproducible.
  std::map<std::string, std::string> by_name;
  int errors = 0;
  for (const auto& in : inputs) {
    std::string name = std::filesystem::path(in).filename().string();
    if (auto [it, inserted] = by_name.emplace(name, in); !inserted) {
      std::cerr << in << ": error: pack file name '" << name << "' also used by " << it->second
                << "\n";
      ++errors;
    }
  }

  std::vector<PackSpec> packs;
  std::vector<std::string> names;
  for (const auto& [name, path] : by_name) {
    auto pack = blastwall::rules::load_pack_file(path);
    if (!pack) {
      std::cerr << pack.error().format() << "\n";
      ++errors;
      continue;
    }
    packs.push_back(std::move(*pack));
    names.push_back(name);
  }

  for (const auto& f : blastwall::rules::lint_packs(packs)) {
    if (f.level == LintFinding::Level::error) {
      std::cerr << f.where.format() << "\n";
      ++errors;
    } else if (warnings) {
      std::cerr << "warning: " << f.where.format() << "\n";
    }
  }
  if (errors > 0) {
    std::cerr << "blastwall_packc: " << errors << " error(s); no output written\n";
    return 1;
  }

  std::vector<Compiled> compiled;
  for (std::size_t i = 0; i < packs.size(); ++i) {
    relabel(packs[i], names[i], by_name[names[i]]);
    auto json = blastwall::rules::pack_to_json(packs[i]);
    // Verify the round trip now rather than at the first start of the binary.
    auto back = blastwall::rules::pack_from_json(json);
    if (!back || blastwall::rules::pack_to_json(*back) != json) {
      std::cerr << packs[i].source << ": error: pack does not survive serialisation"
                << (back ? "" : ": " + back.error().message) << "\n";
      return 1;
    }
    auto lean = json;
    for (auto& r : lean["rules"]) {
      r.erase("tests");
      r.erase("rationale");
      r.erase("references");
    }
    compiled.push_back({names[i], nlohmann::json::to_cbor(json), nlohmann::json::to_cbor(lean)});
  }
  if (!write_atomically(out, generate(compiled, packs))) return 1;
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    return run(argc, argv);
  } catch (const std::exception& e) {
    std::cerr << "blastwall_packc: internal error: " << e.what() << "\n";
    return 1;
  }
}
