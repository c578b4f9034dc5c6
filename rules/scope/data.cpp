// Data-store facts: which environment a database command runs against (production, test,
// development, local) and what it does to the data. Rules then decide by consequence: a whole-
// database reset is a question anywhere except a throw-away environment and a refusal in
// production; a migration or seed only matters in production; reads never match.
#include "rules/scope/data.hpp"

#include <algorithm>
#include <initializer_list>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "rules/scope/command_table.hpp"
#include "rules/shell/unwrap_internal.hpp"

namespace blastwall::scope {

// analyze.cpp
std::vector<std::string> option_values(const std::vector<std::string>& args, std::string_view opt);

namespace {

bool starts_with(std::string_view s, std::string_view p) { return s.substr(0, p.size()) == p; }
bool ends_with(std::string_view s, std::string_view p) {
  return s.size() >= p.size() && s.substr(s.size() - p.size()) == p;
}
bool one_of(std::string_view v, std::initializer_list<std::string_view> xs) {
  return std::find(xs.begin(), xs.end(), v) != xs.end();
}
std::string lower(std::string_view v) {
  std::string l(v);
  for (auto& ch : l) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  return l;
}
bool has_arg(const Subject& s, std::string_view a) {
  return std::find(s.args.begin(), s.args.end(), a) != s.args.end();
}
bool has_arg_prefix(const Subject& s, std::string_view p) {
  return std::any_of(s.args.begin(), s.args.end(),
                     [&](const auto& a) { return starts_with(a, p); });
}

enum class Env { unknown, production, test, development, local };

const char* env_name(Env e) {
  switch (e) {
    case Env::production:
      return "production";
    case Env::test:
      return "test";
    case Env::development:
      return "development";
    case Env::local:
      return "local";
    default:
      return "unknown";
  }
}

// What a framework environment value names: RAILS_ENV=test, --env=production, MIX_ENV=prod.
Env env_from_name(std::string_view raw, const ScopeConfig& config) {
  if (raw.empty()) return Env::unknown;
  if (matches_prod(raw, config.prod_patterns)) return Env::production;
  const std::string v = lower(raw);
  if (one_of(v, {"test", "testing", "tests", "ci", "e2e", "spec"})) return Env::test;
  if (one_of(v, {"development", "dev", "develop"})) return Env::development;
  if (one_of(v, {"local", "localhost"})) return Env::local;
  return Env::unknown;
}

// Django settings modules and similar dotted names: config.settings.test, app.settings_local.
Env env_from_module(std::string_view v, const ScopeConfig& config) {
  if (matches_prod(v, config.prod_patterns)) return Env::production;
  auto cut = v.find_last_of("._");
  return env_from_name(cut == std::string_view::npos ? v : v.substr(cut + 1), config);
}

// A database name: app_test, shop_dev, test. Only test names count on their own (a local
// development database named by a host we know is local is counted by host).
Env env_from_dbname(std::string_view raw) {
  const std::string v = lower(raw);
  if (v.empty()) return Env::unknown;
  for (std::string_view suf : {"_test", "-test", "_testing", "_ci"})
    if (ends_with(v, suf)) return Env::test;
  if (starts_with(v, "test_") || v == "test") return Env::test;
  for (std::string_view suf : {"_dev", "-dev", "_development"})
    if (ends_with(v, suf)) return Env::development;
  return Env::unknown;
}

bool local_host(std::string_view raw) {
  const std::string h = lower(raw);
  return h == "localhost" || starts_with(h, "127.") || h == "::1" || h == "[::1]" ||
         h == "0.0.0.0" || ends_with(h, ".localhost") || ends_with(h, ".local") ||
         h == "host.docker.internal";
}

struct EnvJudge {
  const ScopeConfig& config;
  Env env = Env::unknown;
  std::string why;
  std::string prod_why;

  void note(Env e, std::string reason) {
    if (e == Env::unknown) return;
    if (e == Env::production) {
      if (prod_why.empty()) prod_why = std::move(reason);
      return;
    }
    // The most specific throw-away class wins only when nothing was found yet.
    if (env == Env::unknown) {
      env = e;
      why = std::move(reason);
    }
  }
};

// Host and database of a connection string: postgres://u:p@host:5432/db?x, jdbc:mysql://h/db,
// mongodb+srv://..., 'host=h dbname=d', 'Host=h;Database=d', sqlite:///./dev.db, a bare host.
struct Conn {
  std::string host, db;
  bool file = false;  // sqlite/duckdb file URL
};
Conn parse_conn(std::string_view v) {
  Conn c;
  if (starts_with(v, "jdbc:")) v.remove_prefix(5);
  for (std::string_view p : {"file:", "sqlite:", "sqlite3:", "duckdb:"}) {
    if (starts_with(v, p) && v.substr(p.size(), 2) != "//") {
      c.file = true;
      c.db = std::string(v.substr(p.size()));
      return c;
    }
  }
  auto scheme = v.find("://");
  if (scheme != std::string_view::npos) {
    std::string_view sch = v.substr(0, scheme);
    std::string_view rest = v.substr(scheme + 3);
    if (sch.find("sqlite") != std::string_view::npos || sch == "file" || sch == "duckdb") {
      c.file = true;
      c.db = std::string(rest);
      return c;
    }
    auto slash = rest.find_first_of("/?");
    std::string_view auth = rest.substr(0, slash);
    auto at = auth.rfind('@');
    if (at != std::string_view::npos) auth.remove_prefix(at + 1);
    auto comma = auth.find(',');  // multi-host URLs: the first host decides
    if (comma != std::string_view::npos) auth = auth.substr(0, comma);
    if (!auth.empty() && auth[0] == '[') {
      c.host = std::string(auth.substr(0, auth.find(']') + 1));
    } else {
      c.host = std::string(auth.substr(0, auth.find(':')));
    }
    if (slash != std::string_view::npos && rest[slash] == '/') {
      std::string_view db = rest.substr(slash + 1);
      c.db = std::string(db.substr(0, db.find_first_of("?/")));
    }
    return c;
  }
  // key=value DSNs (libpq, ADO.NET).
  std::string l = lower(v);
  auto value_of = [&](std::initializer_list<std::string_view> keys) -> std::string {
    for (auto k : keys) {
      std::string key = std::string(k) + "=";
      size_t p = 0;
      while ((p = l.find(key, p)) != std::string::npos) {
        if (p == 0 || l[p - 1] == ' ' || l[p - 1] == ';') {
          size_t b = p + key.size();
          size_t e = l.find_first_of(" ;", b);
          return std::string(v.substr(b, e == std::string::npos ? std::string::npos : e - b));
        }
        p += key.size();
      }
    }
    return {};
  };
  if (l.find('=') != std::string::npos) {
    c.host = value_of({"host", "server", "data source", "hostname"});
    c.db = value_of({"dbname", "database", "initial catalog"});
  }
  return c;
}

void judge_db_file(EnvJudge& j, const std::string& what, const std::string& f);

void judge_conn(EnvJudge& j, std::string_view what, std::string_view value) {
  if (value.empty()) return;
  if (matches_prod(value, j.config.prod_patterns)) {
    j.note(Env::production, std::string(what) + " " + std::string(value));
    return;
  }
  Conn c = parse_conn(value);
  if (c.file) {
    std::string f = c.db;
    while (starts_with(f, "//")) f.erase(0, 1);  // sqlite:////abs/path, sqlite:///./rel
    if (starts_with(f, "/./")) f.erase(0, 1);
    judge_db_file(j, std::string(what), f);
  } else if (!c.host.empty() && local_host(c.host)) {
    j.note(Env::local, std::string(what) + " host " + c.host + " is this machine");
  } else if (c.host.empty() && !c.db.empty()) {
    j.note(env_from_dbname(c.db) == Env::test ? Env::test : Env::unknown,
           std::string(what) + " database " + c.db);
  }
}

// Tools whose environment we judge: database clients, migration tools, framework CLIs, data-store
// CLIs. Other commands never read DATABASE_URL, so an exported variable must not mark them.
// clang-format off
constexpr std::string_view k_data_tools[] = {
      "psql", "mysql", "mariadb", "sqlite3", "sqlite", "duckdb", "pg_dump", "pg_dumpall",
      "pg_restore", "mysqldump", "mariadb-dump", "mongodump", "mongorestore", "mongosh", "mongo",
      "redis-cli", "valkey-cli", "keydb-cli", "dropdb", "createdb", "dropuser", "mysqladmin",
      "clickhouse-client", "clickhouse", "cockroach", "sqlcmd", "cqlsh", "snowsql", "snow", "bq",
      "trino", "presto", "beeline", "spark-sql", "prisma", "supabase", "rails", "bin/rails",
      "rake", "bundle", "manage.py", "./manage.py", "django-admin", "python", "python3", "uv",
      "poetry", "pipenv", "alembic", "flask", "flyway", "liquibase", "goose", "migrate", "sqlx",
      "diesel", "dbmate", "knex", "sequelize", "sequelize-cli", "typeorm",
      "typeorm-ts-node-commonjs", "typeorm-ts-node-esm", "drizzle-kit", "mikro-orm", "npx",
      "pnpm", "pnpx", "yarn", "bunx", "npm", "bun", "php", "artisan", "bin/console", "console",
      "symfony", "mix", "dotnet", "dbt", "heroku", "kafka-topics", "kafka-topics.sh",
      "kafka-consumer-groups", "kafka-consumer-groups.sh", "kafka-configs", "kafka-configs.sh",
      "kafka-delete-records", "kafka-delete-records.sh", "etcdctl", "rabbitmqadmin",
      "rabbitmqctl", "gradle", "./gradlew", "gradlew", "mvn", "./mvnw", "node", "ts-node", "tsx",
      "go", "cargo", "hive", "mikro-orm", "sqlx", "valkey-cli", "pt-online-schema-change"};
// clang-format on

bool is_data_tool(std::string_view n) { return command_is(n, cmd_data_tool, k_data_tools); }

// Generic runners: they read framework variables only when running a data tool.
constexpr std::string_view k_runners[] = {
    "python", "python3", "node", "npm",     "npx", "pnpm",   "pnpx",   "yarn",
    "bun",    "bunx",    "go",   "cargo",   "uv",  "poetry", "pipenv", "php",
    "bundle", "gradle",  "mvn",  "ts-node", "tsx", "dotnet", "snow"};
bool is_runner(std::string_view n) { return command_is(n, cmd_runner, k_runners); }

// Options of data tools that take a value (`-dir db`, `--env staging`, `-H host`): their values
// are not subcommand words.
bool value_option(std::string_view o) {
  // clang-format off
  static const std::unordered_set<std::string_view> k_opts{
      "-dir", "-path", "-source", "-database", "-H", "-n", "-e", "-x", "-t", "-c", "-d", "-h",
      "-p", "-P", "-U", "-u", "-a", "-C", "-S", "-o", "-q", "-i", "-T", "--env", "--environment",
      "--target", "--settings", "--url", "--database-url", "--db-url", "--connection",
      "--connection-string", "--bootstrap-server", "--zookeeper", "--topic", "--group",
      "--endpoints", "--name", "--select", "--exclude", "--args", "--app", "--project",
      "--project-dir", "--profiles-dir", "--vars", "--dataSource", "--config", "--schema",
      "--table", "--host", "--port", "--user", "--username", "--password", "--uri", "--dsn",
      "--dir", "--migrations-dir", "--changelog-file", "--changeLogFile", "--defaults-file",
      "--output", "--format", "--project_id", "--dataset_id", "--location", "--step", "--to",
      "--context", "--startup-project", "--configuration", "--query", "--execute", "--pattern",
      "--source", "--database", "--remote", "--confirm", "--nsInclude", "--collection", "--db",
      "--vhost", "--node", "--cert", "--key", "--cacert", "--profile", "--file", "--migrations"};
  // clang-format on
  return k_opts.count(o) != 0;
}

// The command words after runners: `npx prisma migrate reset` -> [prisma, migrate, reset];
// `bundle exec rake db:drop` -> [rake, db:drop]; `python manage.py flush` -> [manage.py, flush].
// Option values are skipped so `goose -dir db postgres DSN reset` finds `reset`.
std::vector<std::string> words_of(const Subject& s) {
  std::vector<std::string> w;
  w.push_back(s.name);
  for (size_t i = 0; i < s.args.size(); ++i) {
    const std::string& a = s.args[i];
    if (a == "--") {
      for (++i; i < s.args.size(); ++i) w.push_back(s.args[i]);
      break;
    }
    if (a.size() > 1 && a[0] == '-' && !(a[1] >= '0' && a[1] <= '9')) {
      if (a.find('=') == std::string::npos && value_option(a)) ++i;
      continue;
    }
    w.push_back(a);
  }
  auto drop_front = [&](size_t k) { w.erase(w.begin(), w.begin() + static_cast<long>(k)); };
  for (int round = 0; round < 3 && !w.empty(); ++round) {
    const std::string& h = w[0];
    if (one_of(h, {"npx", "pnpx", "bunx"}) && w.size() > 1) {
      drop_front(1);
    } else if (one_of(h, {"pnpm", "yarn", "bun", "npm", "bundle", "uv", "poetry", "pipenv"}) &&
               w.size() > 2 && one_of(w[1], {"exec", "run", "dlx", "x"})) {
      drop_front(2);
    } else if (one_of(h, {"pnpm", "yarn", "bun"}) && w.size() > 1 && is_data_tool(w[1])) {
      drop_front(1);
    } else if (h == "go" && w.size() > 2 && w[1] == "run") {
      drop_front(2);
    } else if (one_of(h, {"python", "python3", "php", "node", "ts-node", "tsx"}) && w.size() > 1) {
      drop_front(1);
    } else if (h == "dotnet" && w.size() > 1 && w[1] == "ef") {
      w[0] = "dotnet-ef";
      w.erase(w.begin() + 1);
    } else if (h == "snow" && w.size() > 1 && w[1] == "sql") {
      w[0] = "snow-sql";
      w.erase(w.begin() + 1);
    } else {
      break;
    }
  }
  if (!w.empty()) {
    std::string& h = w[0];
    auto slash = h.rfind('/');
    if (slash != std::string::npos) h = h.substr(slash + 1);
    for (std::string_view ext : {".sh", ".js", ".ts", ".mjs", ".cjs"})
      if (ends_with(h, ext)) h.resize(h.size() - ext.size());
    if (h == "sequelize-cli") h = "sequelize";
    if (starts_with(h, "typeorm")) h = "typeorm";
    if (h == "gradlew") h = "gradle";
    if (h == "mvnw") h = "mvn";
  }
  return w;
}

// A bare host (or host:port, scheme://host:port, a comma list): -h, --host, --bootstrap-server.
void judge_host(EnvJudge& j, std::string_view what, std::string_view v) {
  if (auto sc = v.find("://"); sc != std::string_view::npos) v.remove_prefix(sc + 3);
  v = v.substr(0, v.find_first_of(",/"));
  if (auto at = v.rfind('@'); at != std::string_view::npos) v.remove_prefix(at + 1);
  std::string_view host =
      (!v.empty() && v[0] == '[') ? v.substr(0, v.find(']') + 1) : v.substr(0, v.find(':'));
  if (matches_prod(host, j.config.prod_patterns))
    j.note(Env::production, std::string(what) + " " + std::string(host));
  else if (local_host(host))
    j.note(Env::local, std::string(what) + " " + std::string(host) + " is this machine");
}

// Names made of tokens (BigQuery `acme-dev:sandbox_bob.tmp`): a dev/sandbox/scratch token marks a
// throw-away dataset, a production token a production one.
void judge_name_tokens(EnvJudge& j, std::string_view what, std::string_view v) {
  if (matches_prod(v, j.config.prod_patterns)) {
    j.note(Env::production, std::string(what) + " " + std::string(v));
    return;
  }
  size_t i = 0;
  while (i <= v.size()) {
    size_t e = v.find_first_of("-_.:", i);
    if (e == std::string_view::npos) e = v.size();
    std::string tok = lower(v.substr(i, e - i));
    if (one_of(tok, {"dev", "sandbox", "scratch", "test", "tmp", "playground"})) {
      j.note(Env::development, std::string(what) + " " + std::string(v));
      return;
    }
    i = e + 1;
  }
}

// A database file: :memory: and temp files are throw-away, and so are files named for a test or
// development database (test.db, db/development.sqlite3, scratch.duckdb). Other project files
// may hold the only copy of real data, so they stay unknown.
void judge_db_file(EnvJudge& j, const std::string& what, const std::string& f) {
  std::string base = lower(f.substr(f.rfind('/') == std::string::npos ? 0 : f.rfind('/') + 1));
  if (f == ":memory:") {
    j.note(Env::local, what + " :memory: is an in-memory database");
  } else if (starts_with(f, "/tmp/") || starts_with(f, "/var/tmp/")) {
    j.note(Env::local, what + " file " + f + " is in temp");
  } else if (matches_prod(f, j.config.prod_patterns)) {
    j.note(Env::production, what + " file " + f);
  } else {
    auto stem = base.substr(0, base.find('.'));
    Env e = env_from_dbname(stem);
    if (e == Env::unknown) e = env_from_name(stem, j.config);
    if (e == Env::unknown && (starts_with(base, "scratch") || starts_with(base, "tmp")))
      e = Env::local;
    j.note(e, what + " file " + f);
  }
}

void judge_environment(Subject& s, const ScopeConfig& config, const std::vector<std::string>& w) {
  EnvJudge j{config, Env::unknown, {}, {}};
  const std::string head = w.empty() ? "" : w[0];
  // Framework environment variables: the line's and the agent's (these tools read them).
  for (auto e : {"RAILS_ENV", "RACK_ENV", "NODE_ENV", "APP_ENV", "MIX_ENV", "FLASK_ENV",
                 "ASPNETCORE_ENVIRONMENT", "DOTNET_ENVIRONMENT", "SPRING_PROFILES_ACTIVE",
                 "DJANGO_ENV", "DBT_TARGET", "ENVIRONMENT", "STAGE", "DEPLOY_ENV"}) {
    if (const auto* v = s.env_value(e))
      j.note(env_from_name(*v, config), std::string(e) + "=" + *v);
  }
  if (const auto* v = s.env_value("DJANGO_SETTINGS_MODULE"))
    j.note(env_from_module(*v, config), "DJANGO_SETTINGS_MODULE=" + *v);
  // rake/rails/mix style VAR=value arguments.
  for (const auto& a : s.args) {
    for (std::string_view k : {"RAILS_ENV=", "RACK_ENV=", "MIX_ENV=", "APP_ENV=", "ENV="}) {
      if (starts_with(a, k)) j.note(env_from_name(a.substr(k.size()), config), a);
    }
  }
  // Environment flags. `-e` is SQL for psql/mysql and code for python, so only the framework CLIs.
  for (auto o : {"--env", "--environment", "--target", "--spring.profiles.active"})
    for (const auto& v : option_values(s.args, o))
      j.note(env_from_name(v, config), std::string(o) + " " + v);
  if (one_of(head, {"rails", "rake", "artisan", "console", "bin/console"}) ||
      (head == "dbt" && !has_arg(s, "-e")))
    for (const auto& v : option_values(s.args, head == "dbt" ? "-t" : "-e"))
      j.note(env_from_name(v, config), (head == "dbt" ? "-t " : "-e ") + v);
  for (const auto& v : option_values(s.args, "--settings"))
    j.note(env_from_module(v, config), "--settings " + v);
  for (const auto& v : option_values(s.args, "-x"))  // alembic -x env=prod
    if (starts_with(v, "env=")) j.note(env_from_name(v.substr(4), config), "-x " + v);
  // Connections: URL/DSN options, env variables, URL-looking positionals, hosts.
  for (auto o : {"--url",
                 "-url",
                 "--database-url",
                 "--db-url",
                 "-database",
                 "--database",
                 "--uri",
                 "--dsn",
                 "--connection",
                 "--connection-string",
                 "-Pflyway.url",
                 "-Dflyway.url",
                 "--host",
                 "-h",
                 "--bootstrap-server",
                 "--endpoints",
                 "--server",
                 "-H",
                 "-c",
                 "--project_id",
                 "--dataSource",
                 "-d"}) {
    std::string_view opt = o;
    // -h is help for most migration tools; -H is a header for curl; -c is SQL for cockroach.
    if (opt == "-h" &&
        !one_of(head, {"psql", "mysql", "mariadb", "pg_dump", "pg_restore", "mysqldump",
                       "redis-cli", "valkey-cli", "dropdb", "createdb", "mysqladmin",
                       "clickhouse-client", "mongodump", "mongorestore", "cqlsh", "pg_dumpall"}))
      continue;
    if (opt == "-H" && !one_of(head, {"rabbitmqadmin"})) continue;
    if (opt == "-c" && !one_of(head, {"snowsql", "snow-sql"})) continue;
    if (opt == "-d" && !one_of(head, {"psql", "pg_restore", "pg_dump", "typeorm"})) continue;
    if (opt == "--database" && one_of(head, {"mysql", "mariadb"})) continue;
    const bool host_opt =
        one_of(opt, {"--host", "-h", "--bootstrap-server", "--endpoints", "--server", "-H"});
    for (const auto& v : option_values(s.args, o)) {
      if (host_opt)
        judge_host(j, opt, v);
      else
        judge_conn(j, opt, v);
    }
  }
  for (size_t i = 1; i < w.size(); ++i) {
    const std::string& p = w[i];
    if (p.find("://") != std::string::npos || p.find("host=") != std::string::npos ||
        p.find("Host=") != std::string::npos) {
      judge_conn(j, "connection", p);
    } else if (ends_with(p, ".db") || ends_with(p, ".sqlite") || ends_with(p, ".sqlite3") ||
               ends_with(p, ".duckdb")) {
      if (!one_of(head, {"sqlite3", "sqlite", "duckdb"})) judge_db_file(j, "database", p);
    }
  }
  if (!is_runner(s.name) && head != "bq")
    for (size_t i = 1; i < w.size(); ++i)
      if (matches_prod(w[i], j.config.prod_patterns) && w[i].find(' ') == std::string::npos)
        j.note(Env::production, "names " + w[i]);
  if (head == "bq")  // bq's -t/-d are flags, so its table names are read from the raw arguments
    for (const auto& p : s.args)
      if (p[0] != '-' && (p.find(':') != std::string::npos || p.find('.') != std::string::npos))
        judge_name_tokens(j, "dataset", p);
  for (auto e :
       {"DATABASE_URL", "DB_URL", "PGHOST", "DB_HOST", "MYSQL_HOST", "REDIS_URL", "REDIS_HOST",
        "MONGO_URL", "MONGODB_URI", "ELASTICSEARCH_URL", "ES_URL", "SQLALCHEMY_DATABASE_URI"}) {
    if (const auto* v = s.env_value(e)) {
      if (std::string_view(e).find("HOST") != std::string_view::npos && local_host(*v))
        j.note(Env::local, std::string(e) + "=" + *v + " is this machine");
      else
        judge_conn(j, e, *v);
    }
  }
  if (const auto* v = s.env_value("PGDATABASE"))
    j.note(env_from_dbname(*v) == Env::test ? Env::test : Env::unknown, "PGDATABASE=" + *v);
  // Client positionals: `psql app_test`, `dropdb app_test`, `sqlite3 :memory:`.
  if (one_of(head, {"psql", "mysql", "mariadb", "dropdb", "createdb", "pg_dump", "mysqldump"})) {
    bool remote = false;
    for (auto o : {"-h", "--host"})
      for (const auto& v : option_values(s.args, o))
        if (!local_host(v)) remote = true;
    if (!remote)
      for (const auto& p : s.positionals)
        if (env_from_dbname(p) == Env::test) j.note(Env::test, "database " + p);
  }
  if (one_of(head, {"sqlite3", "sqlite", "duckdb"}) && w.size() > 1) judge_db_file(j, head, w[1]);
  // Local compose stacks: `docker compose exec redis redis-cli ...` without a remote context.
  for (const auto& wr : s.wrappers) {
    if (matches_prod(wr, config.prod_patterns)) {
      j.note(Env::production, "runs through " + wr);
    } else if ((starts_with(wr, "docker exec ") || starts_with(wr, "podman exec ") ||
                starts_with(wr, "docker-compose exec ")) &&
               one_of(head, {"redis-cli", "valkey-cli", "keydb-cli"}) &&
               !s.env_value("DOCKER_HOST") && !s.env_value("DOCKER_CONTEXT") &&
               wr.find(" --context") == std::string::npos && wr.find(" -c ") == std::string::npos &&
               wr.find(" -H ") == std::string::npos && wr.find(" --host") == std::string::npos) {
      // Without --context/-H (the parser puts them in the wrapper label) the container is
      // local. A cache in a local container is throw-away; a database container keeps the
      // developer's data in its volume, so it stays unknown.
      j.note(Env::local, "cache in a local container (" + wr + ")");
    }
  }
  // supabase db reset resets the local stack unless pointed at a remote project.
  if (head == "supabase" && !has_arg(s, "--linked") && !has_arg_prefix(s, "--db-url"))
    j.note(Env::local, "supabase without --linked/--db-url targets the local stack");

  if (!j.prod_why.empty()) {
    if (!s.facts.has("prod")) s.facts.set("prod", j.prod_why);
    s.facts.flags.erase("throwaway_env");
    s.facts.set("environment", "production: " + j.prod_why);
  } else if (s.facts.has("prod")) {
    s.facts.flags.erase("throwaway_env");
  } else if (j.env != Env::unknown) {
    s.facts.set("environment", std::string(env_name(j.env)) + ": " + j.why);
    s.facts.set("throwaway_env", std::string(env_name(j.env)) + " environment (" + j.why + ")");
  }
}

// The first subcommand word at or after index `from` of `w`.
const std::string& word(const std::vector<std::string>& w, size_t i) {
  static const std::string empty;
  return i < w.size() ? w[i] : empty;
}

bool contains_any(std::string_view hay, std::initializer_list<std::string_view> needles) {
  return std::any_of(needles.begin(), needles.end(),
                     [&](auto n) { return hay.find(n) != std::string_view::npos; });
}

// ORM calls in runner/shell/tinker code that write or delete many rows.
bool orm_write_code(std::string_view code) {
  return contains_any(code, {"destroy_all", "delete_all", "update_all", ".destroy", ".delete(",
                             ".update(", "truncate", "::truncate", ".save", "insert_all",
                             "upsert_all", ".create(", "bulk_create", "bulk_update", "DROP ",
                             "DELETE ", "UPDATE ", "->delete(", "::query()->delete"});
}

void set_op(Subject& s, const char* fact, const std::string& why) { s.facts.set(fact, why); }

// Migration tools, framework database tasks and data-store CLIs: what they do to the data.
void data_operation(Subject& s, const std::vector<std::string>& w) {
  if (w.empty()) return;
  const std::string& h = w[0];
  const std::string& a = word(w, 1);
  const std::string& b = word(w, 2);
  const std::string shown = s.display.substr(0, 120);
  auto wipe = [&](const std::string& what) {
    set_op(s, "data_wipe", what + " drops or empties the whole database: " + shown);
  };
  auto write = [&](const std::string& what) {
    set_op(s, "data_write", what + " changes the database: " + shown);
  };
  auto del = [&](const std::string& what) {
    set_op(s, "data_delete", what + " deletes stored data: " + shown);
  };
  auto overwrite = [&](const std::string& what) {
    set_op(s, "data_overwrite", what + " replaces existing data: " + shown);
  };
  bool all = has_arg(s, "--all") || has_arg(s, "-all") || has_arg(s, "-a");
  if (h == "rails" || h == "rake") {
    for (size_t i = 1; i < w.size(); ++i) {
      const std::string& t = w[i];
      if (starts_with(t, "db:")) {
        if (one_of(t, {"db:migrate:status", "db:version", "db:create", "db:prepare",
                       "db:schema:dump", "db:structure:dump", "db:abort_if_pending_migrations"}))
          continue;
        write("rails " + t);
      } else if (t == "runner" && i + 1 < w.size() && orm_write_code(w[i + 1])) {
        write("rails runner with ORM writes");
      }
    }
  } else if (h == "manage.py" || h == "django-admin") {
    if (a == "migrate" && (b == "zero" || word(w, 3) == "zero")) wipe("manage.py migrate zero");
    if (a == "dumpdata")
      set_op(s, "data_export",
             "manage.py dumpdata copies table data out of the database: " + shown);
    if (one_of(a, {"migrate", "loaddata", "createsuperuser", "changepassword", "dbshell",
                   "sqlflush", "flush", "reset_db"}) ||
        (a == "shell" && orm_write_code(s.argv_joined)))
      write("manage.py " + a);
  } else if (h == "alembic" || (h == "flask" && a == "db")) {
    const std::string& sub = h == "flask" ? b : a;
    const std::string& target = h == "flask" ? word(w, 3) : b;
    if (sub == "downgrade" && (target == "base" || h == "flask")) {
      if (target == "base") wipe(h + " downgrade base");
    }
    if (one_of(sub, {"upgrade", "downgrade", "stamp"})) write(h + " " + sub);
  } else if (h == "flyway" ||
             ((h == "gradle" || h == "mvn") && contains_any(s.argv_joined, {"flyway"}))) {
    for (size_t i = 1; i < w.size(); ++i) {
      std::string t = lower(w[i]);
      if (one_of(t, {"clean", "flywayclean", "flyway:clean"})) wipe("flyway clean");
      if (one_of(t, {"migrate", "repair", "undo", "baseline", "flywaymigrate", "flyway:migrate",
                     "flywayrepair", "flywayundo", "flywaybaseline"}))
        write("flyway " + w[i]);
    }
  } else if (h == "liquibase") {
    for (size_t i = 1; i < w.size(); ++i) {
      std::string t = lower(w[i]);
      if (one_of(t, {"dropall", "drop-all"})) wipe("liquibase dropAll");
      if (starts_with(t, "rollback") && !ends_with(t, "-sql") && !ends_with(t, "sql"))
        write("liquibase " + w[i]);
      if (one_of(t, {"update", "update-count", "updatecount", "update-to-tag", "updatetotag",
                     "changelog-sync", "changelogsync", "release-locks", "execute-sql"}))
        write("liquibase " + w[i]);
    }
  } else if (h == "goose") {
    for (size_t i = 1; i < w.size(); ++i) {
      const std::string& t = w[i];
      if (t == "reset" || (t == "down-to" && word(w, i + 1) == "0")) wipe("goose " + t);
      if (one_of(t, {"up", "up-by-one", "up-to", "down", "down-to", "redo", "reset", "fix"}))
        write("goose " + t);
    }
  } else if (h == "migrate") {
    if (a == "drop" || (a == "down" && (all || b.empty()))) wipe("migrate " + a);
    if (one_of(a, {"up", "down", "force", "goto", "drop"})) write("migrate " + a);
  } else if (h == "sqlx" || h == "diesel" || h == "dbmate") {
    if ((a == "database" && one_of(b, {"drop", "reset"})) || (h == "dbmate" && a == "drop") ||
        (a == "migration" && b == "revert" && all))
      wipe(h + " " + a + (b.empty() ? "" : " " + b));
    if (one_of(a, {"migrate", "migration", "database", "up", "rollback", "down"}) &&
        !one_of(b, {"info", "list", "pending", "generate", "add", "create", "setup"}))
      write(h + " " + a);
  } else if (h == "prisma") {
    if ((a == "migrate" && one_of(b, {"deploy", "resolve"})) ||
        (a == "db" && one_of(b, {"push", "execute", "seed"})))
      write("prisma " + a + " " + b);
  } else if (h == "knex") {
    if (a == "migrate:rollback" && all) wipe("knex migrate:rollback --all");
    if (starts_with(a, "migrate:") &&
        !one_of(a, {"migrate:make", "migrate:status", "migrate:list"}))
      write("knex " + a);
    if (a == "seed:run") write("knex seed:run");
  } else if (h == "sequelize") {
    if (one_of(a, {"db:drop", "db:migrate:undo:all", "db:seed:undo:all"})) wipe("sequelize " + a);
    if (starts_with(a, "db:") && !one_of(a, {"db:migrate:status", "db:create"}))
      write("sequelize " + a);
  } else if (h == "typeorm") {
    if (one_of(a, {"schema:drop"})) wipe("typeorm schema:drop");
    if (one_of(a, {"migration:run", "migration:revert", "schema:sync", "query"}))
      write("typeorm " + a);
  } else if (h == "drizzle-kit") {
    if (one_of(a, {"push", "drop"}) && (has_arg(s, "--force") || a == "drop"))
      wipe("drizzle-kit " + a + " --force");
    if (one_of(a, {"push", "migrate"})) write("drizzle-kit " + a);
  } else if (h == "mikro-orm") {
    if (one_of(a, {"schema:drop", "schema:fresh", "migration:fresh"})) wipe("mikro-orm " + a);
    if (starts_with(a, "migration:up") || starts_with(a, "migration:down") || a == "schema:update")
      write("mikro-orm " + a);
  } else if (h == "artisan") {
    if (one_of(a, {"migrate:fresh", "migrate:reset", "migrate:refresh", "db:wipe"}))
      wipe("artisan " + a);
    if (starts_with(a, "migrate") && a != "migrate:status") write("artisan " + a);
    if (one_of(a, {"db:seed", "key:generate", "queue:flush", "cache:clear"}) ||
        (a == "tinker" && orm_write_code(s.argv_joined)))
      write("artisan " + a);
  } else if (h == "console" || h == "symfony") {
    for (size_t i = 1; i < w.size(); ++i) {
      const std::string& t = w[i];
      if (one_of(t, {"doctrine:database:drop", "doctrine:schema:drop"}) ||
          (t == "doctrine:fixtures:load" && !has_arg(s, "--append")))
        wipe(t);
      if (one_of(t, {"doctrine:migrations:migrate", "doctrine:schema:update",
                     "doctrine:migrations:execute", "doctrine:query:sql", "doctrine:query:dql"}))
        write(t);
    }
  } else if (h == "mix") {
    if (one_of(a, {"ecto.drop", "ecto.reset"}) || (a == "ecto.rollback" && all)) wipe("mix " + a);
    if (starts_with(a, "ecto.") &&
        !one_of(a, {"ecto.gen.migration", "ecto.migrations", "ecto.create", "ecto.dump"}))
      write("mix " + a);
  } else if (h == "dotnet-ef") {
    if (a == "database" && b == "drop") wipe("dotnet ef database drop");
    if (a == "database" && b == "update" && word(w, 3) == "0") wipe("dotnet ef database update 0");
    if (a == "database" && one_of(b, {"update", "drop"})) write("dotnet ef database " + b);
  } else if (h == "dbt") {
    if (has_arg(s, "--full-refresh") && one_of(a, {"run", "build", "seed"}))
      wipe("dbt " + a + " --full-refresh");
    if (a == "run-operation" && contains_any(lower(b), {"drop", "truncate", "delete", "purge"}))
      wipe("dbt run-operation " + b);
    if (one_of(a, {"run", "build", "seed", "snapshot", "run-operation"})) write("dbt " + a);
  } else if (h == "pt-online-schema-change") {
    if (has_arg(s, "--execute")) {
      for (const auto& v : option_values(s.args, "--alter"))
        if (contains_any(lower(v), {"drop "})) del("pt-online-schema-change --alter DROP");
      write("pt-online-schema-change --execute");
    }
  } else if (one_of(h, {"npm", "yarn", "pnpm", "bun"}) && a == "run" && starts_with(b, "db:")) {
    // Package scripts named for what they do: `npm run db:truncate` says it empties tables.
    if (contains_any(b, {"drop", "reset", "truncate", "wipe", "nuke", "purge", "fresh"}))
      wipe("script " + b);
    else if (contains_any(b, {"migrate", "seed", "rollback", "push"}))
      write("script " + b);
  } else if (h.find("migrat") != std::string::npos && h != "migrate") {
    // A project's own migration program (node scripts/migrate.js up, go run ./cmd/migrate up).
    for (size_t i = 1; i < w.size(); ++i)
      if (one_of(w[i], {"up", "down", "reset", "drop", "rollback", "latest", "redo", "fresh"}))
        write(h + " " + w[i]);
  } else if (h == "heroku") {
    if (one_of(a, {"pg:reset"})) wipe("heroku pg:reset");
    if (one_of(a, {"pg:push", "pg:backups:restore", "pg:copy"})) overwrite("heroku " + a);
  } else if (h == "kafka-topics") {
    if (has_arg(s, "--delete")) del("kafka-topics --delete");
    if (has_arg(s, "--alter")) write("kafka-topics --alter");
  } else if (h == "kafka-consumer-groups") {
    if (has_arg(s, "--delete") || has_arg(s, "--delete-offsets"))
      del("kafka-consumer-groups --delete");
    if (has_arg(s, "--reset-offsets") && has_arg(s, "--execute"))
      overwrite("kafka-consumer-groups --reset-offsets --execute");
  } else if (h == "kafka-delete-records") {
    del("kafka-delete-records");
  } else if (h == "kafka-configs") {
    if (has_arg(s, "--alter")) write("kafka-configs --alter");
  } else if (h == "etcdctl") {
    if (one_of(a, {"del", "delete"})) {
      del("etcdctl del");
      if (has_arg(s, "--prefix") && (b.empty() || b == "/"))
        s.facts.set("global", "etcdctl del --prefix of every key");
    }
    if (one_of(a, {"put", "txn", "compact", "defrag", "snapshot"}) && b != "save")
      write("etcdctl " + a);
  } else if (h == "rabbitmqadmin") {
    if (one_of(a, {"delete", "purge", "close"})) del("rabbitmqadmin " + a);
    if (one_of(a, {"declare", "publish", "import"})) write("rabbitmqadmin " + a);
  } else if (h == "rabbitmqctl") {
    if (one_of(a, {"delete_vhost", "delete_queue", "purge_queue", "delete_user", "reset",
                   "force_reset", "forget_cluster_node"}))
      del("rabbitmqctl " + a);
  } else if (h == "bq") {
    if (a == "rm") {
      del("bq rm");
      if (has_arg(s, "-r") || has_arg(s, "--recursive") || has_arg(s, "-d") ||
          has_arg(s, "--dataset"))
        s.facts.set("global", "bq rm -r removes a whole dataset and its tables");
    }
    if ((a == "cp" && (has_arg(s, "-f") || has_arg(s, "--force"))) ||
        (one_of(a, {"load", "query", "cp"}) &&
         (has_arg(s, "--replace") || has_arg_prefix(s, "--replace="))))
      overwrite("bq " + a + " replacing a table");
    if (one_of(a, {"load", "insert", "mk", "update", "cp"})) write("bq " + a);
  } else if (h == "mongorestore") {
    if (has_arg(s, "--drop")) overwrite("mongorestore --drop");
    write("mongorestore");
  } else if (h == "pg_restore") {
    if (has_arg(s, "--clean") || has_arg(s, "-c")) overwrite("pg_restore --clean");
    if (!has_arg(s, "-l") && !has_arg(s, "--list") && !has_arg(s, "-f")) write("pg_restore");
  } else if (one_of(h, {"pg_dump", "pg_dumpall", "mysqldump", "mariadb-dump", "mongodump"})) {
    if (!has_arg(s, "--schema-only") && !has_arg(s, "-s") && !has_arg(s, "--no-data") &&
        !has_arg(s, "-d") && !has_arg(s, "--roles-only") && !has_arg(s, "--globals-only"))
      set_op(s, "data_export", h + " copies table data out of the database: " + shown);
  } else if (one_of(h, {"redis-cli", "valkey-cli", "keydb-cli"})) {
    for (size_t i = 1; i < w.size(); ++i) {
      std::string t = lower(w[i]);
      if (one_of(t, {"del", "unlink", "hdel", "srem", "zrem", "expire", "lrem"})) del("redis " + t);
      if (one_of(t, {"shutdown", "config", "debug", "replicaof", "slaveof", "set", "hset", "eval",
                     "script", "migrate", "restore", "rename"}))
        write("redis " + t);
      if (i == 1) break;  // the command is the first positional; the rest are its arguments
    }
    if (has_arg(s, "--eval")) write("redis-cli --eval");
  } else if (one_of(h, {"psql", "mysql", "mariadb", "sqlcmd", "cockroach", "clickhouse-client"})) {
    // SQL nobody can see here: a file run by -f/--file/source, or stdin from a file or a pipe.
    bool file = has_arg(s, "-f") || has_arg(s, "--file") || has_arg_prefix(s, "--file=") ||
                has_arg(s, "-i") || !s.stdin_from.empty() ||
                std::any_of(s.facts.targets.begin(), s.facts.targets.end(),
                            [](const Target& t) { return !t.write; });
    if (file && s.sql.empty()) write(h + " runs SQL from a file");
  }
}

// SQL text handed to clients the shell parser does not unwrap.
void extra_sql(Subject& s, const std::vector<std::string>& w) {
  if (w.empty()) return;
  const std::string& h = w[0];
  std::vector<std::string> texts;
  auto take = [&](std::initializer_list<std::string_view> opts) {
    for (auto o : opts)
      for (auto& v : option_values(s.args, o)) texts.push_back(std::move(v));
  };
  if (h == "cqlsh" || h == "beeline" || h == "spark-sql" || h == "hive") {
    take({"-e", "--execute"});
  } else if (h == "snowsql" || h == "snow-sql") {
    take({"-q", "--query"});
  } else if (h == "trino" || h == "presto") {
    take({"--execute"});
  } else if (h == "bq" && word(w, 1) == "query") {
    for (size_t i = 2; i < w.size(); ++i) texts.push_back(w[i]);
  } else {
    return;
  }
  for (const auto& t : texts) {
    for (auto& stmt : shell::detail::split_sql(t)) {
      analyze_sql(stmt, s.facts);
      s.sql.push_back(std::move(stmt));
    }
  }
}

// Index names of Elasticsearch-style paths: `logs-*`, `_all`, `*`.
bool broad_index(std::string_view seg) {
  return seg == "_all" || seg == "*" || seg.find('*') != std::string_view::npos;
}

void curl_request(Subject& s, const ScopeConfig& config);

}  // namespace

void data_command_facts(Subject& s, const ScopeConfig& config) {
  if (s.informational) return;
  if (one_of(s.name, {"curl", "http", "https", "xh", "wget"})) return curl_request(s, config);
  std::string_view base = s.name;
  if (auto slash = base.rfind('/');
      slash != std::string_view::npos && base != "bin/rails" && base != "bin/console")
    base = base.substr(slash + 1);
  if (!is_data_tool(base)) return;
  // Runners (npm, python, go, ...) mostly run builds and tests: look further only when an argument
  // names a data tool, a package script `db:*`, or a migration program.
  if (is_runner(base) && std::none_of(s.args.begin(), s.args.end(), [](const std::string& a) {
        return (!a.empty() && a[0] != '-' && is_data_tool(a)) || starts_with(a, "db:") ||
               a.find("migrat") != std::string::npos || a.find("manage.py") != std::string::npos ||
               a.find("artisan") != std::string::npos || a.find("console") != std::string::npos ||
               a.find("knex") != std::string::npos || a == "ef" || a == "sql";
      }))
    return;
  auto w = words_of(s);
  if (w.empty()) return;
  extra_sql(s, w);
  data_operation(s, w);
  // Runners and interpreters (npm, python, go, ...) only get an environment when they run a data
  // tool or a data operation was found: an exported NODE_ENV=production must not mark `npm test`.
  const bool runner = is_runner(w[0]);
  if (!runner || s.facts.has("data_wipe") || s.facts.has("data_write") ||
      s.facts.has("data_delete") || s.facts.has("data_overwrite") || s.facts.has("data_export"))
    judge_environment(s, config, w);
}

void data_http_facts(Subject& s, const ScopeConfig& config, std::string_view method,
                     std::string_view url, std::string_view body) {
  auto sc = url.find("://");
  std::string_view rest = sc == std::string_view::npos ? url : url.substr(sc + 3);
  auto slash = rest.find('/');
  std::string_view authority = rest.substr(0, slash);
  std::string_view path = slash == std::string_view::npos ? "" : rest.substr(slash);
  auto at = authority.rfind('@');
  if (at != std::string_view::npos) authority.remove_prefix(at + 1);
  std::string_view host = authority.substr(0, authority.find(':'));
  std::string_view port = authority.find(':') == std::string_view::npos
                              ? ""
                              : authority.substr(authority.find(':') + 1);
  const std::string lhost = lower(host);
  const std::string m = lower(method);
  auto q = path.find('?');
  std::string_view query = q == std::string_view::npos ? "" : path.substr(q + 1);
  if (q != std::string_view::npos) path = path.substr(0, q);
  const bool es = port == "9200" || port == "9243" ||
                  contains_any(lhost, {"elastic", "opensearch", "es-", "-es", "kibana"});
  const bool couch = port == "5984" || contains_any(lhost, {"couch"});
  const bool rabbit = port == "15672" || contains_any(lhost, {"rabbit"});
  const bool clickhouse = port == "8123" || contains_any(lhost, {"clickhouse", "ch-"});
  if (!es && !couch && !rabbit && !clickhouse) return;
  std::string what;
  bool broad = false;
  if (es) {
    std::string_view first = path.substr(path.empty() ? 0 : 1);
    first = first.substr(0, first.find('/'));
    if (m == "delete") {
      what = "Elasticsearch/OpenSearch DELETE " + std::string(path);
      broad = broad_index(first) || path == "/" || path.empty();
    } else if (m == "post" || m == "put") {
      if (contains_any(path, {"_delete_by_query", "/_close", "/_shrink", "/_forcemerge"}) ||
          (contains_any(path, {"_update_by_query"}) && !contains_any(body, {"\"query\""}))) {
        what = "Elasticsearch/OpenSearch " + std::string(path);
        broad = broad_index(first) || contains_any(body, {"match_all"}) || body.empty();
      }
      if (contains_any(query, {"method=DELETE", "method=delete"})) {
        what = "Kibana console proxy DELETE " + std::string(query);
        broad = contains_any(query, {"*", "_all"});
      }
    }
  } else if ((couch || rabbit) && m == "delete") {
    what = std::string(couch ? "CouchDB" : "RabbitMQ management") + " DELETE " + std::string(path);
  } else if (clickhouse && !body.empty()) {
    Facts f;
    for (const auto& stmt : shell::detail::split_sql(body)) {
      analyze_sql(stmt, f);
      s.sql.push_back(stmt);
    }
    for (auto name : {"sql_drop", "sql_truncate", "sql_unbounded"})
      if (f.has(name)) what = "ClickHouse HTTP " + f.flags[name].front();
    s.facts.merge(f);
  }
  if (what.empty()) return;
  s.facts.set("data_delete", what);
  if (broad) s.facts.set("global", what + " matches every index or document");
  if (matches_prod(host, config.prod_patterns)) {
    s.facts.set("prod", "data store host " + std::string(host));
    s.facts.flags.erase("throwaway_env");
  } else if (local_host(host)) {
    s.facts.set("throwaway_env", "local data store " + std::string(host));
  }
}

namespace {

// curl/httpie/wget: method, URL and body from the arguments, then judged as an HTTP request.
void curl_request(Subject& s, const ScopeConfig& config) {
  std::string method, url, body;
  const bool httpie = s.name != "curl" && s.name != "wget";
  for (auto o : {"-X", "--request", "--method"})
    for (const auto& v : option_values(s.args, o)) method = v;
  for (auto o :
       {"-d", "--data", "--data-binary", "--data-raw", "--data-urlencode", "--json", "--post-data"})
    for (const auto& v : option_values(s.args, o)) body += v;
  for (size_t i = 0; i < s.positionals.size(); ++i) {
    const std::string& p = s.positionals[i];
    if (httpie && i == 0 && one_of(p, {"DELETE", "POST", "PUT", "PATCH", "GET"})) {
      method = p;
      continue;
    }
    if (url.empty() && (p.find("://") != std::string::npos || p.find(':') != std::string::npos))
      url = p;
  }
  if (url.empty()) return;
  if (method.empty()) method = body.empty() ? "GET" : "POST";
  if (body == "@-" && !s.stdin_from.empty()) body.clear();
  data_http_facts(s, config, method, url, body);
}

}  // namespace

void data_mcp_facts(Subject& s, const ScopeConfig& config, const nlohmann::json& args) {
  std::string tool = lower(s.mcp_tool);
  for (auto& ch : tool)
    if (ch == '-') ch = '_';
  const std::string shown = s.mcp_server + "." + s.mcp_tool;
  if (one_of(tool, {"drop_database", "dropdatabase", "drop_db", "delete_database"})) {
    s.facts.set("data_wipe", shown + " drops a whole database");
    s.facts.set("global", shown + " drops a whole database");
  } else if (one_of(tool, {"drop_collection", "dropcollection", "drop_table", "drop_index",
                           "delete_collection", "delete_index", "delete_table", "delete_topic",
                           "drop_keyspace"})) {
    s.facts.set("data_delete", shown + " drops a collection/table");
  } else if (one_of(tool, {"delete_many", "deletemany", "update_many", "updatemany"})) {
    auto f = args.find("filter");
    bool empty =
        f == args.end() || (f->is_object() && f->empty()) ||
        (f->is_string() && (f->get<std::string>() == "{}" || f->get<std::string>().empty()));
    if (empty) {
      s.facts.set("data_delete", shown + " with an empty filter matches every document");
      s.facts.set("global", shown + " with an empty filter matches every document");
    }
  }
  if (!s.facts.has("data_wipe") && !s.facts.has("data_delete")) return;
  for (auto key : {"connectionString", "connection_string", "uri", "url", "host", "database"}) {
    auto it = args.find(key);
    if (it != args.end() && it->is_string() &&
        matches_prod(it->get<std::string>(), config.prod_patterns))
      s.facts.set("prod", std::string("MCP argument ") + key + " " + it->get<std::string>());
  }
}

std::span<const CommandNames> data_command_names() {
  static const CommandNames k_lists[] = {{cmd_data_tool, k_data_tools}, {cmd_runner, k_runners}};
  return k_lists;
}

}  // namespace blastwall::scope
