#include "audit/schema.hpp"

#include <array>

#include "audit/audit_log.hpp"

namespace blastwall::audit {
namespace {

// Forward-only. Never edit a shipped migration: add the next one and bump k_schema_version.
constexpr std::array<std::string_view, 2> k_migrations{{
    // v1: the event table (every action, approval, outcome and checkpoint, one hash chain) + meta.
    R"sql(
CREATE TABLE events(
  id        INTEGER PRIMARY KEY,
  type      TEXT    NOT NULL,
  ref_id    INTEGER NOT NULL DEFAULT 0,
  ts_us     INTEGER NOT NULL,
  agent     TEXT    NOT NULL DEFAULT '',
  surface   TEXT    NOT NULL DEFAULT '',
  session   TEXT    NOT NULL DEFAULT '',
  cwd       TEXT    NOT NULL DEFAULT '',
  project   TEXT    NOT NULL DEFAULT '',
  tool      TEXT    NOT NULL DEFAULT '',
  kind      TEXT    NOT NULL DEFAULT '',
  action    TEXT    NOT NULL DEFAULT '',
  facts     TEXT    NOT NULL DEFAULT '',
  decision  TEXT    NOT NULL DEFAULT '',
  source    TEXT    NOT NULL DEFAULT '',
  rules     TEXT    NOT NULL DEFAULT '[]',
  eval_us   INTEGER NOT NULL DEFAULT 0,
  detail    TEXT    NOT NULL DEFAULT '{}',
  origin    TEXT    NOT NULL DEFAULT '',
  prev_hash TEXT    NOT NULL,
  hash      TEXT    NOT NULL
);
CREATE INDEX events_ts ON events(ts_us);
CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
)sql",
    // v2: lookups used by spool import (origin), `log show` (ref_id), `log --session`; a view.
    R"sql(
CREATE UNIQUE INDEX events_origin ON events(origin) WHERE origin <> '';
CREATE INDEX events_ref ON events(ref_id) WHERE ref_id <> 0;
CREATE INDEX events_session ON events(session);
CREATE VIEW actions AS SELECT * FROM events WHERE type = 'action';
)sql",
}};
static_assert(k_migrations.size() == k_schema_version);

}  // namespace

std::string_view migration_sql(int version) {
  if (version < 1 || version > static_cast<int>(k_migrations.size())) return {};
  return k_migrations[static_cast<size_t>(version - 1)];
}

}  // namespace blastwall::audit
