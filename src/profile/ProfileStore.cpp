#include "duet/profile/ProfileStore.hpp"

#include "duet/profile/Paths.hpp"
#include "duet/profile/Schema.hpp"
#include "duet/profile/StoreImpl.hpp"

#include <chrono>
#include <stdexcept>
#include <string_view>
#include <thread>

namespace duet::profile {

namespace {

// Switching a new file to WAL needs an exclusive lock, and sqlite reports "database is locked" at once,
// without its busy handler, while another instance is creating the same profile: retry for the same
// bounded time the busy handler would wait.
std::string switchToWal(detail::Connection& connection)
{
    const auto deadline =
        std::chrono::steady_clock::now() + std::chrono::milliseconds(ProfileStore::kBusyTimeoutMs);
    while (true) {
        try {
            return connection.queryText("PRAGMA journal_mode = WAL");
        } catch (const std::runtime_error& error) {
            const bool locked = std::string_view(error.what()).find("locked") != std::string_view::npos;
            if (!locked || std::chrono::steady_clock::now() >= deadline) throw;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
}

void configure(detail::Connection& connection)
{
    // Before anything else, so the first lock wait (another instance migrating) is also bounded.
    connection.setBusyTimeout(ProfileStore::kBusyTimeoutMs);
    // WAL is what lets the UI's store read while the net thread writes. It is recorded in the file, but
    // setting it on every open costs nothing and upgrades databases created elsewhere.
    std::string mode = switchToWal(connection);
    if (mode != "wal")
        throw std::runtime_error("cannot switch to WAL mode (journal mode stays '" + mode +
                                 "'); a network file system cannot hold a profile");
    // NORMAL is safe from corruption in WAL mode and skips an fsync per commit; see ProfileStore.hpp.
    connection.exec("PRAGMA synchronous = NORMAL");
    connection.exec("PRAGMA foreign_keys = ON");
    // The schema is ours: nothing in it may call functions with side effects.
    connection.exec("PRAGMA trusted_schema = OFF");
}

} // namespace

std::unique_ptr<ProfileStore> ProfileStore::open(const std::filesystem::path& profileDir)
{
    std::string reason;
    if (!ensurePrivateDirectory(profileDir, &reason))
        throw std::runtime_error("cannot open profile '" + profileDir.string() + "': " + reason);

    const std::filesystem::path file = profileDir / kDatabaseFile;
    try {
        auto connection = std::make_unique<detail::Connection>(file);
        configure(*connection);
        detail::migrate(*connection, detail::schemaMigrations());
        auto impl = std::make_unique<Impl>(std::move(connection));
        return std::unique_ptr<ProfileStore>(new ProfileStore(profileDir, std::move(impl)));
    } catch (const std::runtime_error& error) {
        throw std::runtime_error("cannot open profile database '" + file.string() + "': " + error.what());
    }
}

ProfileStore::ProfileStore(std::filesystem::path directory, std::unique_ptr<Impl> impl)
    : m_directory(std::move(directory)), m_impl(std::move(impl))
{
}

ProfileStore::~ProfileStore() = default;

std::filesystem::path ProfileStore::identityKeyPath() const
{
    return m_directory / kIdentityKeyFile;
}

std::filesystem::path ProfileStore::imguiIniPath() const
{
    return m_directory / kImguiIniFile;
}

std::filesystem::path ProfileStore::databasePath() const
{
    return m_directory / kDatabaseFile;
}

std::optional<std::string> ProfileStore::setting(std::string_view key)
{
    detail::Statement& query = m_impl->selectSetting;
    auto use = query.use();
    query.bindText(1, key);
    if (!query.step()) return std::nullopt;
    return query.columnText(0);
}

void ProfileStore::setSetting(std::string_view key, std::string_view value)
{
    detail::Statement& upsert = m_impl->upsertSetting;
    auto use = upsert.use();
    upsert.bindText(1, key);
    upsert.bindText(2, value);
    upsert.run();
}

void ProfileStore::eraseSettings(const std::vector<std::string>& keys)
{
    if (keys.empty()) return;
    detail::Transaction transaction(*m_impl->connection);
    detail::Statement erase(*m_impl->connection, "DELETE FROM settings WHERE key = ?1");
    for (const std::string& key : keys) {
        auto use = erase.use();
        erase.bindText(1, key);
        erase.run();
    }
    transaction.commit();
}

} // namespace duet::profile
