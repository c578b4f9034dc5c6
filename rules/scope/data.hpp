// Data-store facts (private to rules/scope): the environment a database command runs against and
// what it does to the data, judged by consequence rather than by verb lists in rules.
//
//   environment     "production: why" | "test: why" | "development: why" | "local: why"; set only
//                   when the subject names its environment (framework env variables, --env/-e,
//                   --settings, dbt --target, connection URLs/DSNs/hosts, database names, :memory:,
//                   /tmp database files, local compose services)
//   prod            (shared with the rest of scope) the environment is production
//   throwaway_env   the environment is test/development/local, so data-reset rules do not apply;
//                   never set together with prod (prod wins, and removes it)
//   data_wipe       drops or resets a whole database/schema/keyspace (migration tools' clean,
//   reset,
//                   drop, fresh, downgrade to base, revert --all; heroku pg:reset)
//   data_delete     deletes a store's objects (topics, indices, queues, vhosts, keys, datasets)
//   data_overwrite  replaces data in place (pg_restore --clean, mongorestore --drop, bq cp -f)
//   data_write      changes a database (migrate, rollback, seed, ORM writes, unseen SQL files);
//                   rules only care about it in production
//   data_export     copies table data out of a database (pg_dump/mysqldump/mongodump without a
//                   schema-only flag); rules only care about it in production
#pragma once

#include <string_view>

#include "rules/scope/scope.hpp"

namespace blastwall::scope {

// Shell subjects (curl/httpie requests to data stores included): environment,
// wipe/delete/overwrite/write/export facts, and SQL carried by clients the shell parser does not
// unwrap (cqlsh, snowsql, snow sql, bq query, trino, beeline).
void data_command_facts(Subject& s, const ScopeConfig& config);
// HTTP requests to data stores (Elasticsearch/OpenSearch, CouchDB, RabbitMQ management,
// ClickHouse HTTP): `body` is the request data when known.
void data_http_facts(Subject& s, const ScopeConfig& config, std::string_view method,
                     std::string_view url, std::string_view body);
// MCP database tools named by what they do (drop-database, drop-collection, delete-many {}).
void data_mcp_facts(Subject& s, const ScopeConfig& config, const nlohmann::json& args);

}  // namespace blastwall::scope
