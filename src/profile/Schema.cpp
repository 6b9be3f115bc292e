#include "duet/profile/Schema.hpp"

#include "duet/profile/ProfileStore.hpp"

#include <stdexcept>
#include <string>

namespace duet::profile::detail {

namespace {

// Released steps are never edited: a database that ran one must stay identical to a fresh one that runs
// it. Changes are new steps appended at the end (transfer resume state, receipts, ... come later).
//
// Notes on v1:
// - TEXT PRIMARY KEY columns are declared NOT NULL because sqlite otherwise accepts NULL keys.
// - messages.message_id holds the unsigned 64-bit wire id reinterpreted as a signed 64-bit integer.
// - messages.peer_fingerprint has no foreign key to known_peers: history outlives forgetting a peer, and
//   a message may be stored before the peer row is written.
// - The numbers in CHECKs and the partial index follow MessageDirection and MessageState.
constexpr std::string_view kVersion1 = R"sql(
CREATE TABLE settings (
    key TEXT PRIMARY KEY NOT NULL,
    value TEXT NOT NULL
);
CREATE TABLE known_peers (
    fingerprint TEXT PRIMARY KEY NOT NULL,
    public_key BLOB NOT NULL CHECK (typeof(public_key) = 'blob' AND length(public_key) = 32),
    display_name TEXT,
    last_address TEXT,
    first_seen_ms INTEGER,
    last_seen_ms INTEGER,
    verified INTEGER NOT NULL DEFAULT 0 CHECK (verified IN (0, 1))
);
CREATE TABLE messages (
    id INTEGER PRIMARY KEY,
    peer_fingerprint TEXT NOT NULL,
    message_id INTEGER NOT NULL,
    direction INTEGER NOT NULL CHECK (direction IN (0, 1)),
    text TEXT NOT NULL,
    sent_at_ms INTEGER NOT NULL,
    state INTEGER NOT NULL CHECK (state BETWEEN 0 AND 4),
    UNIQUE (peer_fingerprint, direction, message_id)
);
CREATE INDEX messages_by_peer ON messages (peer_fingerprint, id);
-- The outbox: outgoing messages not yet delivered. Stays small however long the history grows.
CREATE INDEX messages_outbox ON messages (peer_fingerprint, id) WHERE direction = 0 AND state < 2;
)sql";

// v2: ids of incoming messages whose text the user cleared. A re-send after a lost acknowledgement must
// still be recognised as received once, so clearing a conversation keeps its ids (and nothing else).
constexpr std::string_view kVersion2 = R"sql(
CREATE TABLE cleared_incoming (
    peer_fingerprint TEXT NOT NULL,
    message_id INTEGER NOT NULL,
    PRIMARY KEY (peer_fingerprint, message_id)
) WITHOUT ROWID;
)sql";

// v3: resume records of file transfers, one row per offer, so a change rewrites that offer only. `record`
// is opaque here (the engine's JSON); offer_id holds the unsigned 64-bit id reinterpreted as signed.
// Version 2 kept them all in one JSON setting per peer; the engine moves those into rows once.
constexpr std::string_view kVersion3 = R"sql(
CREATE TABLE transfer_resume (
    peer_fingerprint TEXT NOT NULL,
    direction INTEGER NOT NULL CHECK (direction IN (0, 1)),
    offer_id INTEGER NOT NULL,
    record TEXT NOT NULL,
    PRIMARY KEY (peer_fingerprint, direction, offer_id)
) WITHOUT ROWID;
)sql";

// v4: the files of a resume record, one row each by their position in the offer, so a file that changes
// rewrites its own row only (an offer of 10,000 small files used to rewrite them all every second).
// An offer written this way keeps only its own fields in transfer_resume; `record` is opaque here too.
constexpr std::string_view kVersion4 = R"sql(
CREATE TABLE transfer_resume_file (
    peer_fingerprint TEXT NOT NULL,
    direction INTEGER NOT NULL CHECK (direction IN (0, 1)),
    offer_id INTEGER NOT NULL,
    position INTEGER NOT NULL CHECK (position >= 0),
    record TEXT NOT NULL,
    PRIMARY KEY (peer_fingerprint, direction, offer_id, position)
) WITHOUT ROWID;
)sql";

constexpr MigrationStep kSteps[] = {
    {1, kVersion1},
    {2, kVersion2},
    {3, kVersion3},
    {4, kVersion4},
};
static_assert(std::size(kSteps) == static_cast<std::size_t>(kProfileSchemaVersion),
              "every schema version needs exactly one migration step");

} // namespace

std::span<const MigrationStep> schemaMigrations()
{
    return kSteps;
}

void migrate(Connection& connection, std::span<const MigrationStep> steps)
{
    for (std::size_t i = 0; i < steps.size(); ++i) {
        if (steps[i].version != static_cast<int>(i) + 1)
            throw std::logic_error("migration steps must be numbered 1, 2, 3...");
    }
    const std::int64_t latest = static_cast<std::int64_t>(steps.size());

    Transaction transaction(connection);
    const std::int64_t applicationId = connection.queryInt("PRAGMA application_id");
    if (applicationId != 0 && applicationId != kApplicationId)
        throw std::runtime_error("the database belongs to another application (application_id " +
                                 std::to_string(applicationId) + ")");
    const std::int64_t version = connection.queryInt("PRAGMA user_version");
    if (version > latest)
        throw std::runtime_error("the database has schema version " + std::to_string(version) +
                                 ", newer than the newest this build of Duet knows (" +
                                 std::to_string(latest) + "); run a newer Duet or use another profile");
    if (version < 0)
        throw std::runtime_error("the database has an invalid schema version " + std::to_string(version));
    if (version == latest && applicationId == kApplicationId)
        return; // nothing to do; the destructor rolls back

    for (const MigrationStep& step : steps) {
        if (step.version <= version) continue;
        connection.exec(std::string(step.sql));
        // PRAGMA takes no bound parameters; the value is our own integer.
        connection.exec("PRAGMA user_version = " + std::to_string(step.version));
    }
    connection.exec("PRAGMA application_id = " + std::to_string(kApplicationId));
    transaction.commit();
}

} // namespace duet::profile::detail
