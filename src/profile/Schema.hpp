#pragma once
// Internal: the database schema as an ordered list of migration steps, and the runner that applies them.
#include "duet/profile/Sqlite.hpp"

#include <cstdint>
#include <span>
#include <string_view>

namespace duet::profile::detail {

// Marks duet.db as ours (PRAGMA application_id): "Duet" in ASCII.
inline constexpr std::int64_t kApplicationId = 0x44756574;

// SQL that brings the schema from `version - 1` to `version`.
struct MigrationStep {
    int version;
    std::string_view sql;
};

// Duet's steps, versions 1..kProfileSchemaVersion in order.
std::span<const MigrationStep> schemaMigrations();

// Applies every step newer than the database's user_version, in order, in one IMMEDIATE transaction, and
// records each new version. On any failure nothing changes. Throws std::runtime_error if the database is
// newer than the last step or belongs to another application; std::logic_error if `steps` are not
// numbered 1, 2, 3...
void migrate(Connection& connection, std::span<const MigrationStep> steps);

} // namespace duet::profile::detail
