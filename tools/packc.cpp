// STUB (pack-loader owner replaces): writes an empty embedded pack table.
#include <fstream>
#include <string>
int main(int argc, char** argv) {
  std::string out;
  for (int i = 1; i < argc; ++i) {
    if (std::string(argv[i]) == "--out" && i + 1 < argc) out = argv[++i];
  }
  std::ofstream f(out);
  f << "// generated\n#include \"rules/pack/builtin.hpp\"\nnamespace blastwall::rules {\n"
       "std::span<const EmbeddedPack> embedded_packs() { return {}; }\n}\n";
  return f ? 0 : 1;
}
