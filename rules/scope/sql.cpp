// SQL (and Mongo/Redis command) breadth facts. Not a SQL parser: a tokenizer that skips comments
// and string literals, enough to tell DROP/TRUNCATE and a DELETE/UPDATE without WHERE.
#include <algorithm>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "rules/scope/scope.hpp"

namespace blastwall::scope {
namespace {

// Upper-cased keywords/identifiers outside strings and comments.
std::vector<std::string> sql_tokens(std::string_view s) {
  std::vector<std::string> out;
  size_t i = 0;
  while (i < s.size()) {
    char c = s[i];
    if (c == '-' && i + 1 < s.size() && s[i + 1] == '-') {
      while (i < s.size() && s[i] != '\n') ++i;
    } else if (c == '/' && i + 1 < s.size() && s[i + 1] == '*') {
      auto end = s.find("*/", i + 2);
      i = end == std::string_view::npos ? s.size() : end + 2;
    } else if (c == '\'' || c == '"' || c == '`') {
      char q = c;
      ++i;
      while (i < s.size() && s[i] != q) ++i;
      ++i;
      out.emplace_back("'");  // a literal stands in as one token
    } else if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_') {
      std::string tok;
      while (i < s.size() && ((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') ||
                              (s[i] >= '0' && s[i] <= '9') || s[i] == '_' || s[i] == '.')) {
        char ch = s[i];
        tok += (ch >= 'a' && ch <= 'z') ? static_cast<char>(ch - 32) : ch;
        ++i;
      }
      out.push_back(std::move(tok));
    } else if (c >= '0' && c <= '9') {
      std::string tok;
      while (i < s.size() && s[i] >= '0' && s[i] <= '9') tok += s[i++];
      out.push_back(std::move(tok));
    } else if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
      ++i;
    } else {
      out.emplace_back(1, c);
      ++i;
    }
  }
  return out;
}

bool where_is_trivial(const std::vector<std::string>& t, size_t where) {
  // WHERE 1=1 / WHERE true / WHERE 1 with nothing after.
  std::vector<std::string> rest(t.begin() + static_cast<long>(where) + 1, t.end());
  while (!rest.empty() && rest.back() == ";") rest.pop_back();
  if (rest.size() == 1 && (rest[0] == "TRUE" || rest[0] == "1")) return true;
  if (rest.size() == 3 && rest[1] == "=" && rest[0] == rest[2]) return true;
  return false;
}

// DELETE/UPDATE in tokens [from, to): sets the same facts as a top-level statement.
void cte_write(const std::vector<std::string>& t, size_t from, size_t to,
               std::string_view statement, Facts& facts) {
  std::string shown(statement.substr(0, 80));
  int depth = 0;
  bool where = false;
  for (size_t i = from + 1; i < to; ++i) {
    if (t[i] == "(") ++depth;
    if (t[i] == ")") --depth;
    if (depth == 0 && t[i] == "WHERE") where = true;
  }
  const std::string& verb = t[from];
  facts.set(verb == "DELETE" ? "sql_delete" : "sql_update", shown);
  if (!where) {
    facts.set("sql_unbounded", shown);
    facts.set("global", "SQL " + verb + " inside a WITH clause without WHERE touches every row");
  }
}

// Privilege changes that widen who can do what: ALTER/CREATE ROLE|USER ... SUPERUSER|PASSWORD,
// GRANT ALL / GRANT ... TO PUBLIC, SET ROLE-less ownership transfers.
bool privilege_change(const std::vector<std::string>& t, size_t k) {
  const std::string& verb = t[k];
  auto has = [&](std::string_view w) {
    return std::find(t.begin() + static_cast<long>(k), t.end(), w) != t.end();
  };
  if ((verb == "ALTER" || verb == "CREATE") && k + 1 < t.size() &&
      (t[k + 1] == "ROLE" || t[k + 1] == "USER"))
    return has("SUPERUSER") || has("PASSWORD") || has("CREATEROLE") || has("BYPASSRLS") ||
           has("REPLICATION") || has("IDENTIFIED") || verb == "ALTER";
  if (verb == "GRANT") return has("ALL") || has("PUBLIC") || has("SUPERUSER");
  return false;
}

}  // namespace

void analyze_sql(std::string_view statement, Facts& facts) {
  auto t = sql_tokens(statement);
  if (t.empty()) return;
  size_t k = 0;
  // WITH ... AS (...) DELETE: skip to the main verb. A data-modifying CTE (`WITH gone AS
  // (DELETE FROM carts RETURNING id) SELECT ...`) is judged as the statement it carries.
  if (t[0] == "WITH") {
    int depth = 0;
    for (k = 1; k < t.size(); ++k) {
      if (t[k] == "(") {
        ++depth;
        if (depth == 1 && k + 1 < t.size() && (t[k + 1] == "DELETE" || t[k + 1] == "UPDATE")) {
          size_t close = k + 1;
          for (int d = 1; close < t.size() && d > 0; ++close) {
            if (t[close] == "(") ++d;
            if (t[close] == ")") --d;
          }
          cte_write(t, k + 1, close == 0 ? 0 : close - 1, statement, facts);
        }
      }
      if (t[k] == ")") --depth;
      if (depth == 0 &&
          (t[k] == "DELETE" || t[k] == "UPDATE" || t[k] == "SELECT" || t[k] == "INSERT"))
        break;
    }
    if (k >= t.size()) return;
  }
  const std::string& verb = t[k];
  auto has_where = [&](size_t from) -> std::optional<size_t> {
    int depth = 0;
    for (size_t i = from; i < t.size(); ++i) {
      if (t[i] == "(") ++depth;
      if (t[i] == ")") --depth;
      if (depth == 0 && t[i] == "WHERE") return i;
    }
    return std::nullopt;
  };
  std::string shown(statement.substr(0, 80));
  if (verb == "DROP") {
    std::string what = k + 1 < t.size() ? t[k + 1] : "";
    facts.set("sql_drop", shown);
    if (what == "DATABASE" || what == "SCHEMA" || what == "TABLE" || what == "OWNED" ||
        what == "USER" || what == "ROLE" || what == "TABLESPACE" || what == "COLLECTION" ||
        what == "KEYSPACE" || what == "WAREHOUSE" || what == "DATASET")
      facts.set("global", "SQL DROP " + what);
  } else if (verb == "TRUNCATE") {
    facts.set("sql_truncate", shown);
    facts.set("global", "SQL TRUNCATE empties the whole table");
  } else if (verb == "DELETE" || verb == "UPDATE") {
    auto where = has_where(k + 1);
    if (!where || where_is_trivial(t, *where)) {
      facts.set("sql_unbounded", shown);
      facts.set("global", "SQL " + verb + " without a WHERE clause touches every row");
    }
    facts.set(verb == "DELETE" ? "sql_delete" : "sql_update", shown);
  } else if (verb == "ALTER") {
    for (size_t i = k + 1; i < t.size(); ++i) {
      if (t[i] == "DROP") {
        facts.set("sql_drop", shown);
        break;
      }
      // ClickHouse mutations: ALTER TABLE t DELETE WHERE ... / UPDATE ... WHERE ...
      if ((t[i] == "DELETE" || t[i] == "UPDATE") && i >= k + 3) {
        facts.set(t[i] == "DELETE" ? "sql_delete" : "sql_update", shown);
        auto where = has_where(i + 1);
        if (!where || where_is_trivial(t, *where)) {
          facts.set("sql_unbounded", shown);
          facts.set("global",
                    "SQL ALTER TABLE " + t[i] + " without a real WHERE touches every row");
        }
        break;
      }
    }
    if (privilege_change(t, k)) facts.set("sql_privilege", shown);
  } else if (verb == "CREATE" || verb == "GRANT") {
    if (privilege_change(t, k)) facts.set("sql_privilege", shown);
  } else if (verb == "COPY") {
    // COPY ... TO/FROM PROGRAM runs a shell command as the database server's user.
    for (size_t i = k + 1; i + 1 < t.size(); ++i) {
      if ((t[i] == "TO" || t[i] == "FROM") && t[i + 1] == "PROGRAM") {
        facts.set("sql_program", shown);
        break;
      }
    }
  } else if (verb == "FLUSHALL" || verb == "FLUSHDB") {
    facts.set("global", "Redis " + verb + " deletes every key");
  }
  // Mongo shell: db.dropDatabase(), db.x.drop(), deleteMany({}), remove({})
  std::string_view s = statement;
  if (s.find("dropDatabase") != std::string_view::npos) {
    facts.set("sql_drop", shown);
    facts.set("global", "Mongo dropDatabase");
  } else if (s.find(".drop(") != std::string_view::npos) {
    facts.set("sql_drop", shown);
    facts.set("global", "Mongo collection drop");
  }
  for (std::string_view m : {"deleteMany({})", "deleteMany( {} )", "remove({})", "updateMany({}"}) {
    if (s.find(m) != std::string_view::npos) {
      facts.set("sql_unbounded", shown);
      facts.set("global", "Mongo " + std::string(m) + " matches every document");
    }
  }
}

}  // namespace blastwall::scope
