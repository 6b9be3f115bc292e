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

namespace {

transfer::ResumeChange wholeChange(transfer::Direction direction, std::uint64_t offerId, std::size_t files)
{
    transfer::ResumeChange change;
    change.header = makeRecord(direction, offerId, 0);
    change.header.files.clear();
    for (std::size_t i = 0; i < files; ++i) {
        transfer::ResumeFile file = makeRecord(direction, offerId, 10'000 + i).files[0];
        change.files.emplace_back(i, file);
    }
    return change;
}

} // namespace

TEST_CASE("saving resume changes writes one row per changed file and reads back the whole record")
{
    TempDir temp;
    const std::size_t kFiles = 1000;
    const std::vector<std::pair<transfer::Direction, std::uint64_t>> live{
        {transfer::Direction::Outgoing, 31}};
    const std::map<std::uint64_t, std::string> paths{{10'000, "/home/me/first.bin"},
                                                     {10'999, "/home/me/last.bin"}};
    {
        auto profile = profile::ProfileStore::open(temp.path());
        net::ResumeRecordStore store(*profile);
        CHECK(store.saveChanges(kPeer, {wholeChange(transfer::Direction::Outgoing, 31, kFiles)}, live,
                                paths) == 1 + kFiles);
        CHECK(profile->transferFiles(kPeer).size() == kFiles);

        // Two files change: two file rows and the offer's own row, whatever the offer's size.
        transfer::ResumeChange two;
        two.header = makeRecord(transfer::Direction::Outgoing, 31, 0);
        two.header.files.clear();
        two.header.pausedLocally = true;
        transfer::ResumeFile done = makeRecord(transfer::Direction::Outgoing, 31, 10'007).files[0];
        done.state = transfer::FileState::Verified;
        two.files.emplace_back(7, done);
        transfer::ResumeFile failed = makeRecord(transfer::Direction::Outgoing, 31, 10'500).files[0];
        failed.state = transfer::FileState::Failed;
        failed.outcome = wire::FileOutcome::SourceChanged;
        failed.detail = "changed";
        two.files.emplace_back(500, failed);
        CHECK(store.saveChanges(kPeer, {two}, live, paths) == 3);
        CHECK(store.saveChanges(kPeer, {}, live, paths) == 0);
    }
    auto profile = profile::ProfileStore::open(temp.path());
    net::ResumeRecordStore store(*profile);
    std::vector<std::string> problems;
    const net::ResumeState state = store.load(kPeer, problems);
    CHECK(problems.empty());
    REQUIRE(state.records.size() == 1);
    const transfer::ResumeRecord& record = state.records[0];
    CHECK(record.pausedLocally);
    REQUIRE(record.files.size() == kFiles);
    for (std::size_t i = 0; i < kFiles; ++i)
        CHECK(record.files[i].entry.fileId == 10'000 + i);
    CHECK(record.files[7].state == transfer::FileState::Verified);
    CHECK(record.files[500].state == transfer::FileState::Failed);
    CHECK(record.files[500].detail == "changed");
    CHECK(record.files[8].state == transfer::FileState::Pending);
    CHECK(state.localPaths == paths);

    // The offer is gone: its row and every file row go in one save.
    CHECK(store.saveChanges(kPeer, {}, {}, {}) == 1);
    CHECK(profile->transferRecords(kPeer).empty());
    CHECK(profile->transferFiles(kPeer).empty());
}

TEST_CASE("a split resume record with a missing file row is damaged and skipped")
{
    TempDir temp;
    auto profile = profile::ProfileStore::open(temp.path());
    {
        net::ResumeRecordStore store(*profile);
        store.saveChanges(kPeer, {wholeChange(transfer::Direction::Incoming, 41, 3)},
                          {{transfer::Direction::Incoming, 41}}, {});
        store.saveChanges(kPeer, {wholeChange(transfer::Direction::Incoming, 42, 3)},
                          {{transfer::Direction::Incoming, 41}, {transfer::Direction::Incoming, 42}}, {});
    }
    // Position 1 of offer 42 vanishes (a damaged database): the rows left would shift the files.
    std::vector<profile::StoredTransferFile> kept;
    for (const profile::StoredTransferFile& row : profile->transferFiles(kPeer))
        if (!(row.offerId == 42 && row.position == 1)) kept.push_back(row);
    profile->writeTransferChanges(kPeer, {}, {}, {{1, 42}});
    const std::string header = net::encodeResumeHeader(makeRecord(transfer::Direction::Incoming, 42, 0));
    std::vector<profile::StoredTransferFile> of42;
    for (const profile::StoredTransferFile& row : kept)
        if (row.offerId == 42) of42.push_back(row);
    profile->writeTransferChanges(kPeer, {{1, 42, header}}, of42, {});

    net::ResumeRecordStore store(*profile);
    std::vector<std::string> problems;
    const net::ResumeState state = store.load(kPeer, problems);
    CHECK(problems.size() == 1);
    REQUIRE(state.records.size() == 1);
    CHECK(state.records[0].offerId == 41);
    CHECK(state.records[0].files.size() == 3);
}

TEST_CASE("a whole record written over a split one replaces its file rows")
{
    TempDir temp;
    auto profile = profile::ProfileStore::open(temp.path());
    net::ResumeRecordStore store(*profile);
    store.saveChanges(kPeer, {wholeChange(transfer::Direction::Incoming, 51, 4)},
                      {{transfer::Direction::Incoming, 51}}, {});
    CHECK(profile->transferFiles(kPeer).size() == 4);
    CHECK(store.save(kPeer, {makeRecord(transfer::Direction::Incoming, 51, 9)}, {}) == 1);
    CHECK(profile->transferFiles(kPeer).empty());
    std::vector<std::string> problems;
    const net::ResumeState state = store.load(kPeer, problems);
    REQUIRE(state.records.size() == 1);
    REQUIRE(state.records[0].files.size() == 1);
    CHECK(state.records[0].files[0].entry.fileId == 9);
}
