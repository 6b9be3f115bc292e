// The headless `transfers` lines: `transfers clear` forgets finished offers here and asks the engine to
// do the same, and a long session keeps only the newest finished offers.
#include "HeadlessTransfers.hpp"

#include <doctest/doctest.h>

using namespace duet;
using namespace duet::app::headless;

namespace {

TransferLine line(std::string_view command, std::string_view argument)
{
    std::string error;
    std::optional<TransferLine> parsed = parseTransferLine(command, argument, error);
    REQUIRE_MESSAGE(parsed, error);
    return *parsed;
}

void finish(TransferTracker& tracker, std::uint64_t offer)
{
    tracker.onEvent(event::OfferSent{PeerId{1}, TransferId{offer}, {}, 0});
    tracker.onEvent(event::OfferFinished{PeerId{1}, TransferId{offer}, TransferState::Done, ""});
}

std::size_t listed(TransferTracker& tracker)
{
    std::string error;
    std::vector<std::string> print;
    tracker.execute(line("transfers", ""), PeerId{1}, error, print);
    return print.size();
}

} // namespace

TEST_CASE("transfers clear forgets finished offers and posts ForgetTransfers")
{
    std::string error;
    CHECK_FALSE(parseTransferLine("transfers", "everything", error));
    CHECK_FALSE(error.empty());

    TransferTracker tracker;
    finish(tracker, 1);
    finish(tracker, 2);
    tracker.onEvent(event::OfferReceived{PeerId{1}, TransferId{3}, {}, 10, false});
    tracker.onEvent(event::TransferProgress{PeerId{1}, TransferId{3}, false, TransferState::Offered});
    CHECK(listed(tracker) == 3);

    std::vector<std::string> print;
    error.clear();
    const std::vector<Command> commands =
        tracker.execute(line("transfers", "clear"), PeerId{1}, error, print);
    CHECK(error.empty());
    REQUIRE(commands.size() == 1);
    const auto* forget = std::get_if<command::ForgetTransfers>(&commands[0]);
    REQUIRE(forget);
    CHECK_FALSE(forget->peer);
    CHECK_FALSE(forget->offer);
    REQUIRE(print.size() == 1);
    CHECK(print[0] == R"({"count":2,"event":"transfers_cleared"})");
    CHECK(listed(tracker) == 1); // the undecided offer stays
    CHECK(tracker.newestUndecided() == 3u);
}

TEST_CASE("a long headless session keeps only the newest finished offers")
{
    TransferTracker tracker;
    for (std::uint64_t offer = 1; offer <= 1000; ++offer)
        finish(tracker, offer);
    CHECK(listed(tracker) == 256);
}
