// TransferList and command::ForgetTransfers: the UI drops the same finished rows the engine forgets.
#include "duet/state/Transfers.hpp"

#include <doctest/doctest.h>

using namespace duet;

namespace {

constexpr std::int64_t kNow = 1'800'000'000'000;

void addOffer(state::TransferList& list, PeerId peer, std::uint64_t id, TransferState finalState)
{
    list.apply(event::OfferSent{peer, TransferId{id}, {{1, "a.txt", 10, false}}, 10}, kNow);
    if (finalState != TransferState::Active)
        list.apply(event::OfferFinished{peer, TransferId{id}, finalState, ""}, kNow);
}

} // namespace

TEST_CASE("transfer list: ForgetTransfers by peer and by offer removes only finished rows of those")
{
    state::TransferList list;
    const PeerId alice{1}, bob{2};
    addOffer(list, alice, 10, TransferState::Done);
    addOffer(list, alice, 11, TransferState::Cancelled);
    addOffer(list, alice, 12, TransferState::Active);
    addOffer(list, bob, 20, TransferState::Rejected);
    addOffer(list, bob, 21, TransferState::Done);
    const std::uint64_t before = list.revision();

    CHECK(list.applyLocal(command::ForgetTransfers{bob, TransferId{21}}));
    CHECK(list.find(TransferId{21}) == nullptr);
    CHECK(list.find(TransferId{20}) != nullptr);
    CHECK(list.revision() > before);

    CHECK(list.applyLocal(command::ForgetTransfers{alice, TransferId{}}));
    REQUIRE(list.rows().size() == 2);
    CHECK(list.rows()[0].offer == TransferId{12}); // running: kept
    CHECK(list.rows()[1].offer == TransferId{20}); // bob's: kept
    // The index follows the rows that moved: later events still reach them.
    list.apply(event::TransferProgress{alice, TransferId{12}, true, TransferState::Active, 1, 5, 5, 10, 1, 5},
               kNow);
    CHECK(list.find(TransferId{12})->bytesDone == 5);

    CHECK_FALSE(list.applyLocal(command::ForgetTransfers{alice, TransferId{}})); // nothing finished left
    CHECK(list.applyLocal(command::ForgetTransfers{}));
    REQUIRE(list.rows().size() == 1);
    CHECK(list.find(TransferId{20}) == nullptr);
}
