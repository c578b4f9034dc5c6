// Unicode look-alikes: characters that render like ASCII letters, dashes or spaces (Cyrillic and
// Greek letters, fullwidth forms, en/em dashes and minus signs, non-breaking and zero-width
// spaces). A subset of Unicode's confusables.txt chosen for the ASCII that shell commands, flags
// and paths are written in; not a general skeleton algorithm. Words that are ASCII (almost all)
// return at the first byte check.
#include <algorithm>
#include <cstdio>
#include <string>

#include "rules/shell/unwrap_internal.hpp"

namespace blastwall::shell::detail {

namespace {

struct Confusable {
  char32_t cp;
  const char* ascii;  // "" = removed (zero-width)
  const char* name;
};

// Sorted by code point (binary search).
constexpr Confusable k_table[] = {
    {0x00A0, " ", "NO-BREAK SPACE"},
    {0x00AD, "", "SOFT HYPHEN"},
    {0x0131, "i", "LATIN SMALL LETTER DOTLESS I"},
    {0x0251, "a", "LATIN SMALL LETTER ALPHA"},
    {0x0261, "g", "LATIN SMALL LETTER SCRIPT G"},
    {0x02DC, "~", "SMALL TILDE"},
    {0x0391, "A", "GREEK CAPITAL LETTER ALPHA"},
    {0x0392, "B", "GREEK CAPITAL LETTER BETA"},
    {0x0395, "E", "GREEK CAPITAL LETTER EPSILON"},
    {0x0396, "Z", "GREEK CAPITAL LETTER ZETA"},
    {0x0397, "H", "GREEK CAPITAL LETTER ETA"},
    {0x0399, "I", "GREEK CAPITAL LETTER IOTA"},
    {0x039A, "K", "GREEK CAPITAL LETTER KAPPA"},
    {0x039C, "M", "GREEK CAPITAL LETTER MU"},
    {0x039D, "N", "GREEK CAPITAL LETTER NU"},
    {0x039F, "O", "GREEK CAPITAL LETTER OMICRON"},
    {0x03A1, "P", "GREEK CAPITAL LETTER RHO"},
    {0x03A4, "T", "GREEK CAPITAL LETTER TAU"},
    {0x03A5, "Y", "GREEK CAPITAL LETTER UPSILON"},
    {0x03A7, "X", "GREEK CAPITAL LETTER CHI"},
    {0x03B1, "a", "GREEK SMALL LETTER ALPHA"},
    {0x03B9, "i", "GREEK SMALL LETTER IOTA"},
    {0x03BA, "k", "GREEK SMALL LETTER KAPPA"},
    {0x03BD, "v", "GREEK SMALL LETTER NU"},
    {0x03BF, "o", "GREEK SMALL LETTER OMICRON"},
    {0x03C1, "p", "GREEK SMALL LETTER RHO"},
    {0x03C5, "u", "GREEK SMALL LETTER UPSILON"},
    {0x0405, "S", "CYRILLIC CAPITAL LETTER DZE"},
    {0x0406, "I", "CYRILLIC CAPITAL LETTER BYELORUSSIAN-UKRAINIAN I"},
    {0x0408, "J", "CYRILLIC CAPITAL LETTER JE"},
    {0x0410, "A", "CYRILLIC CAPITAL LETTER A"},
    {0x0412, "B", "CYRILLIC CAPITAL LETTER VE"},
    {0x0415, "E", "CYRILLIC CAPITAL LETTER IE"},
    {0x041A, "K", "CYRILLIC CAPITAL LETTER KA"},
    {0x041C, "M", "CYRILLIC CAPITAL LETTER EM"},
    {0x041D, "H", "CYRILLIC CAPITAL LETTER EN"},
    {0x041E, "O", "CYRILLIC CAPITAL LETTER O"},
    {0x0420, "P", "CYRILLIC CAPITAL LETTER ER"},
    {0x0421, "C", "CYRILLIC CAPITAL LETTER ES"},
    {0x0422, "T", "CYRILLIC CAPITAL LETTER TE"},
    {0x0425, "X", "CYRILLIC CAPITAL LETTER HA"},
    {0x0430, "a", "CYRILLIC SMALL LETTER A"},
    {0x0435, "e", "CYRILLIC SMALL LETTER IE"},
    {0x043C, "m", "CYRILLIC SMALL LETTER EM"},
    {0x043E, "o", "CYRILLIC SMALL LETTER O"},
    {0x0440, "p", "CYRILLIC SMALL LETTER ER"},
    {0x0441, "c", "CYRILLIC SMALL LETTER ES"},
    {0x0443, "y", "CYRILLIC SMALL LETTER U"},
    {0x0445, "x", "CYRILLIC SMALL LETTER HA"},
    {0x0455, "s", "CYRILLIC SMALL LETTER DZE"},
    {0x0456, "i", "CYRILLIC SMALL LETTER BYELORUSSIAN-UKRAINIAN I"},
    {0x0458, "j", "CYRILLIC SMALL LETTER JE"},
    {0x04BB, "h", "CYRILLIC SMALL LETTER SHHA"},
    {0x04CF, "l", "CYRILLIC SMALL LETTER PALOCHKA"},
    {0x0501, "d", "CYRILLIC SMALL LETTER KOMI DE"},
    {0x051B, "q", "CYRILLIC SMALL LETTER QA"},
    {0x051D, "w", "CYRILLIC SMALL LETTER WE"},
    {0x2000, " ", "EN QUAD"},
    {0x2001, " ", "EM QUAD"},
    {0x2002, " ", "EN SPACE"},
    {0x2003, " ", "EM SPACE"},
    {0x2004, " ", "THREE-PER-EM SPACE"},
    {0x2005, " ", "FOUR-PER-EM SPACE"},
    {0x2006, " ", "SIX-PER-EM SPACE"},
    {0x2007, " ", "FIGURE SPACE"},
    {0x2008, " ", "PUNCTUATION SPACE"},
    {0x2009, " ", "THIN SPACE"},
    {0x200A, " ", "HAIR SPACE"},
    {0x200B, "", "ZERO WIDTH SPACE"},
    {0x200C, "", "ZERO WIDTH NON-JOINER"},
    {0x200D, "", "ZERO WIDTH JOINER"},
    {0x2010, "-", "HYPHEN"},
    {0x2011, "-", "NON-BREAKING HYPHEN"},
    {0x2012, "-", "FIGURE DASH"},
    {0x2013, "-", "EN DASH"},
    {0x2014, "-", "EM DASH"},
    {0x2015, "-", "HORIZONTAL BAR"},
    {0x2044, "/", "FRACTION SLASH"},
    {0x202F, " ", "NARROW NO-BREAK SPACE"},
    {0x205F, " ", "MEDIUM MATHEMATICAL SPACE"},
    {0x2060, "", "WORD JOINER"},
    {0x2212, "-", "MINUS SIGN"},
    {0x2215, "/", "DIVISION SLASH"},
    {0x2216, "\\", "SET MINUS"},
    {0x3000, " ", "IDEOGRAPHIC SPACE"},
    {0xFE58, "-", "SMALL EM DASH"},
    {0xFE63, "-", "SMALL HYPHEN-MINUS"},
    {0xFEFF, "", "ZERO WIDTH NO-BREAK SPACE"},
};

// Decodes one UTF-8 sequence at s[i]; returns its length (0 = invalid).
size_t decode_utf8(std::string_view s, size_t i, char32_t& cp) {
  const auto b0 = static_cast<unsigned char>(s[i]);
  size_t len = b0 >= 0xF0 ? 4 : b0 >= 0xE0 ? 3 : b0 >= 0xC0 ? 2 : 0;
  if (len == 0 || i + len > s.size()) return 0;
  cp = b0 & (0x7F >> len);
  for (size_t k = 1; k < len; ++k) {
    const auto b = static_cast<unsigned char>(s[i + k]);
    if ((b & 0xC0) != 0x80) return 0;
    cp = (cp << 6) | (b & 0x3F);
  }
  return len;
}

std::string code_point_label(char32_t cp, const std::string& name) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "U+%04X", static_cast<unsigned>(cp));
  return std::string(buf) + " " + name;
}

// The ASCII a confusable code point stands for, and its name; false when it is not one.
bool lookup(char32_t cp, std::string& ascii, std::string& name) {
  if (cp >= 0xFF01 && cp <= 0xFF5E) {  // fullwidth ASCII
    const char c = static_cast<char>(cp - 0xFF01 + 0x21);
    ascii.assign(1, c);
    if (c >= 'a' && c <= 'z') {
      name = std::string("FULLWIDTH LATIN SMALL LETTER ") +
             static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    } else if (c >= 'A' && c <= 'Z') {
      name = std::string("FULLWIDTH LATIN CAPITAL LETTER ") + c;
    } else if (c >= '0' && c <= '9') {
      name = std::string("FULLWIDTH DIGIT ") + c;
    } else {
      name = std::string("FULLWIDTH FORM OF '") + c + "'";
    }
    return true;
  }
  const auto* it = std::lower_bound(std::begin(k_table), std::end(k_table), cp,
                                    [](const Confusable& e, char32_t v) { return e.cp < v; });
  if (it == std::end(k_table) || it->cp != cp) return false;
  ascii = it->ascii;
  name = it->name;
  return true;
}

}  // namespace

std::optional<Skeleton> ascii_skeleton(std::string_view word) {
  const bool ascii = std::all_of(word.begin(), word.end(),
                                 [](char c) { return static_cast<unsigned char>(c) < 0x80; });
  if (ascii) return std::nullopt;  // the fast path: nothing to normalise
  Skeleton out;
  out.text.reserve(word.size());
  for (size_t i = 0; i < word.size();) {
    const auto b = static_cast<unsigned char>(word[i]);
    if (b < 0x80) {
      out.text += word[i++];
      continue;
    }
    char32_t cp = 0;
    const size_t len = decode_utf8(word, i, cp);
    if (len == 0) return std::nullopt;  // not UTF-8: not a look-alike, just bytes
    std::string ascii;
    std::string name;
    if (!lookup(cp, ascii, name)) return std::nullopt;  // a real non-Latin letter: data
    if (out.first.empty()) out.first = code_point_label(cp, name);
    out.text += ascii;
    i += len;
  }
  return out;
}

bool valid_utf8(std::string_view s) {
  for (size_t i = 0; i < s.size();) {
    if (static_cast<unsigned char>(s[i]) < 0x80) {
      ++i;
      continue;
    }
    char32_t cp = 0;
    const size_t len = decode_utf8(s, i, cp);
    if (len == 0) return false;
    i += len;
  }
  return true;
}

}  // namespace blastwall::shell::detail
