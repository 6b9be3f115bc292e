// Resume records in their profile table: the one-time move out of the v2 JSON setting, per-record
// writes, and records that survive reopening the profile.
#include "EngineHarness.hpp"
#include "duet/net/ResumeRecordStore.hpp"
#include "duet/net/TransferRecords.hpp"

#include <doctest/doctest.h>
#include <map>
#include <set>

using namespace duet;
using duet::test::TempDir;

namespace {

constexpr const char* kPeer = "aa11bb22";

transfer::ResumeRecord makeRecord(transfer::Direction direction, std::uint64_t offerId, std::uint64_t fileId)
{
    transfer::ResumeRecord record;
    record.direction = direction;
    record.offerId = offerId;
    record.state = transfer::OfferState::Active;
    transfer::ResumeFile file;
    file.entry = {fileId, wire::EntryKind::File, 1000, 5, "dir/file-" + std::to_string(fileId) + ".bin"};
    file.state = transfer::FileState::Pending;
    record.files.push_back(file);
    return record;
}

} // namespace

TEST_CASE("resume records move out of the v2 JSON setting into rows once")
{
    TempDir temp;
    const std::vector<transfer::ResumeRecord> records{makeRecord(transfer::Direction::Outgoing, 11, 111),
                                                      makeRecord(transfer::Direction::Incoming, 12, 121)};
    const std::map<std::uint64_t, std::string> paths{{111, "/home/me/dir/file-111.bin"}};
    {
        auto profile = profile::ProfileStore::open(temp.path());
        profile->setSetting(net::resumeSettingKey(kPeer), net::encodeResumeState(records, paths));
        profile->setSetting(net::resumeSettingKey("damaged"), "{not json");
        net::ResumeRecordStore store(*profile);
        std::vector<std::string> problems;
        store.importLegacySettings(problems);
        CHECK(problems.size() == 1); // the damaged one, dropped
        CHECK(profile->settingsWithPrefix("transfers.resume.").empty());
        CHECK(profile->transferRecords(kPeer).size() == 2);
        store.importLegacySettings(problems); // nothing left to move
        CHECK(problems.size() == 1);
    }
    auto profile = profile::ProfileStore::open(temp.path());
    net::ResumeRecordStore store(*profile);
    std::vector<std::string> problems;
    const net::ResumeState state = store.load(kPeer, problems);
    CHECK(problems.empty());
    REQUIRE(state.records.size() == 2);
    std::set<std::uint64_t> offers;
    for (const transfer::ResumeRecord& r : state.records) {
        offers.insert(r.offerId);
        REQUIRE(r.files.size() == 1);
        CHECK(r.files[0].entry.path.starts_with("dir/file-"));
    }
    CHECK(offers == std::set<std::uint64_t>{11, 12});
    CHECK(state.localPaths == paths);
}

TEST_CASE("saving resume records writes only the records that changed")
{
    TempDir temp;
    auto profile = profile::ProfileStore::open(temp.path());
    net::ResumeRecordStore store(*profile);
    std::vector<std::string> problems;
    CHECK(store.load(kPeer, problems).records.empty());

    std::vector<transfer::ResumeRecord> records;
    for (std::uint64_t i = 1; i <= 50; ++i)
        records.push_back(makeRecord(transfer::Direction::Incoming, 1000 + i, 2000 + i));
    CHECK(store.save(kPeer, records, {}) == 50);
    CHECK(store.save(kPeer, records, {}) == 0); // nothing changed: nothing written

    records[7].pausedLocally = true;
    CHECK(store.save(kPeer, records, {}) == 1);

    records.erase(records.begin() + 3); // a forgotten offer: its row goes
    CHECK(store.save(kPeer, records, {}) == 1);
    CHECK(profile->transferRecords(kPeer).size() == 49);

    // A store that never loaded this peer still deletes rows that are no longer wanted.
    net::ResumeRecordStore fresh(*profile);
    records.resize(10);
    CHECK(fresh.save(kPeer, records, {}) == 39);
    CHECK(profile->transferRecords(kPeer).size() == 10);
}

TEST_CASE("resume records survive reopening, and a damaged row is skipped")
{
    TempDir temp;
    {
        auto profile = profile::ProfileStore::open(temp.path());
        net::ResumeRecordStore store(*profile);
        store.save(kPeer,
                   {makeRecord(transfer::Direction::Outgoing, 5, 55),
                    makeRecord(transfer::Direction::Incoming, 6, 66)},
                   {{55, "/src/a"}, {77, "/not/in/any/record"}});
        profile->putTransferRecord(kPeer, {1, 7, "{\"format\":1}"});
        // A row whose key disagrees with the record inside it.
        profile->putTransferRecord(
            kPeer, {1, 8, net::encodeResumeRecord(makeRecord(transfer::Direction::Incoming, 9, 99), {})});
    }
    auto profile = profile::ProfileStore::open(temp.path());
    net::ResumeRecordStore store(*profile);
    std::vector<std::string> problems;
    const net::ResumeState state = store.load(kPeer, problems);
    CHECK(problems.size() == 2);
    REQUIRE(state.records.size() == 2);
    // Only the paths of each record's own files are stored with it.
    CHECK(state.localPaths == std::map<std::uint64_t, std::string>{{55, "/src/a"}});
}
