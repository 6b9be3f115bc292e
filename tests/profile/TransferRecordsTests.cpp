// The transfer_resume table (schema v3): rows per offer, the one-transaction import of the v2 setting,
// and that records survive closing and reopening the store.
#include "TestSupport.hpp"
#include "duet/profile/ProfileStore.hpp"
#include "duet/profile/Schema.hpp"

#include <doctest/doctest.h>
#include <map>

namespace fs = std::filesystem;
using namespace duet::profile;
using duet::profile::test::RawDb;
using duet::profile::test::TempDir;

namespace {

constexpr const char* kPeer = "peer-fingerprint";

// A database exactly as a v2 build left it, holding a v2 whole-peer resume setting.
void writeVersion2Profile(const fs::path& dir, const std::string& settingValue)
{
    fs::create_directories(dir);
    fs::permissions(dir, fs::perms::owner_all, fs::perm_options::replace);
    detail::Connection connection(dir / "duet.db");
    detail::migrate(connection, detail::schemaMigrations().first(2));
    RawDb raw(dir / "duet.db");
    raw.exec("INSERT INTO settings (key, value) VALUES ('transfers.resume." + std::string(kPeer) + "', '" +
             settingValue + "')");
    raw.exec("INSERT INTO settings (key, value) VALUES ('transfers.auto_accept_verified', '1')");
}

} // namespace

TEST_CASE("a version 2 profile migrates to the current version and keeps its settings")
{
    TempDir temp;
    const fs::path dir = temp.path() / "p";
    writeVersion2Profile(dir, "{\"format\":1}");
    {
        RawDb raw(dir / "duet.db");
        REQUIRE(raw.text("PRAGMA user_version") == "2");
    }
    auto store = ProfileStore::open(dir);
    RawDb raw(dir / "duet.db");
    CHECK(raw.text("PRAGMA user_version") == std::to_string(kProfileSchemaVersion));
    CHECK(raw.text("SELECT count(*) FROM sqlite_master WHERE name = 'transfer_resume'") == "1");
    CHECK(raw.text("SELECT count(*) FROM sqlite_master WHERE name = 'transfer_resume_file'") == "1");
    CHECK(store->setting(std::string("transfers.resume.") + kPeer) == "{\"format\":1}");
    const auto legacy = store->settingsWithPrefix("transfers.resume.");
    REQUIRE(legacy.size() == 1);
    CHECK(legacy[0].first == std::string("transfers.resume.") + kPeer);
    CHECK(store->transferRecords(kPeer).empty());
}

TEST_CASE("settingsWithPrefix matches the prefix literally")
{
    TempDir temp;
    auto store = ProfileStore::open(temp.path() / "p");
    store->setSetting("a_b.1", "x");
    store->setSetting("aXb.2", "y"); // LIKE would match '_' against X
    store->setSetting("a_b", "z");   // shorter than the prefix
    store->setSetting("A_b.3", "w"); // case differs
    const auto found = store->settingsWithPrefix("a_b.");
    REQUIRE(found.size() == 1);
    CHECK(found[0].second == "x");
}

TEST_CASE("eraseSettings deletes exactly the listed keys, missing ones included, and survives reopening")
{
    TempDir temp;
    {
        auto store = ProfileStore::open(temp.path() / "p");
        store->setSetting("gui.picture.1", "a");
        store->setSetting("gui.picture.2", "b");
        store->setSetting("gui.picture.3", "c");
        store->eraseSettings({"gui.picture.1", "gui.picture.3", "never.stored"});
        store->eraseSettings({});
    }
    auto reopened = ProfileStore::open(temp.path() / "p");
    const auto left = reopened->settingsWithPrefix("gui.picture.");
    REQUIRE(left.size() == 1);
    CHECK(left[0].first == "gui.picture.2");
    CHECK(left[0].second == "b");
}

TEST_CASE("transfer records: put replaces, delete removes, and both are per row")
{
    TempDir temp;
    auto store = ProfileStore::open(temp.path() / "p");
    const std::uint64_t bigId = 0xfedcba9876543210ull; // above INT64_MAX: stored reinterpreted
    store->putTransferRecord(kPeer, {0, bigId, "out-1"});
    store->putTransferRecord(kPeer, {1, bigId, "in-1"}); // same id, other direction: another row
    store->putTransferRecord(kPeer, {0, 7, "out-7"});
    store->putTransferRecord("other", {0, 7, "theirs"});
    store->putTransferRecord(kPeer, {0, bigId, "out-1b"});

    auto rows = store->transferRecords(kPeer);
    REQUIRE(rows.size() == 3);
    std::map<std::pair<int, std::uint64_t>, std::string> byKey;
    for (const StoredTransferRecord& row : rows)
        byKey[{row.direction, row.offerId}] = row.record;
    CHECK(byKey[{0, bigId}] == "out-1b");
    CHECK(byKey[{1, bigId}] == "in-1");
    CHECK(byKey[{0, 7}] == "out-7");

    CHECK(store->deleteTransferRecord(kPeer, 0, bigId));
    CHECK_FALSE(store->deleteTransferRecord(kPeer, 0, bigId));
    CHECK(store->transferRecords(kPeer).size() == 2);
    CHECK(store->transferRecords("other").size() == 1);
    CHECK_THROWS_AS(store->putTransferRecord(kPeer, {2, 1, "x"}), std::invalid_argument);
}

TEST_CASE("transfer records survive closing and reopening the profile")
{
    TempDir temp;
    const fs::path dir = temp.path() / "p";
    {
        auto store = ProfileStore::open(dir);
        store->putTransferRecord(kPeer, {1, 42, "kept"});
        store->putTransferRecord(kPeer, {1, 43, "deleted"});
        store->deleteTransferRecord(kPeer, 1, 43);
    }
    auto store = ProfileStore::open(dir);
    const auto rows = store->transferRecords(kPeer);
    REQUIRE(rows.size() == 1);
    CHECK(rows[0].offerId == 42);
    CHECK(rows[0].record == "kept");
}

TEST_CASE("importing the v2 setting writes the rows and deletes the setting together")
{
    TempDir temp;
    const fs::path dir = temp.path() / "p";
    writeVersion2Profile(dir, "legacy");
    const std::string key = std::string("transfers.resume.") + kPeer;
    {
        auto store = ProfileStore::open(dir);
        // A bad row fails the whole import: the setting stays and no row was kept.
        CHECK_THROWS(store->importTransferRecords(kPeer, {{0, 1, "a"}, {5, 2, "bad"}}, key));
        CHECK(store->setting(key) == "legacy");
        CHECK(store->transferRecords(kPeer).empty());

        store->importTransferRecords(kPeer, {{0, 1, "a"}, {1, 2, "b"}}, key);
    }
    auto store = ProfileStore::open(dir);
    CHECK_FALSE(store->setting(key).has_value());
    CHECK(store->setting("transfers.auto_accept_verified") == "1");
    CHECK(store->transferRecords(kPeer).size() == 2);
    CHECK(store->settingsWithPrefix("transfers.resume.").empty());
}
