// Schema migrations of the audit database (private to the audit room; tests use it to build old
// versions). migration(v) upgrades a database at user_version v-1 to v.
#pragma once

#include <string_view>

namespace blastwall::audit {

// 1-based; returns empty for versions this build does not know.
[[nodiscard]] std::string_view migration_sql(int version);

}  // namespace blastwall::audit
