#pragma once
// The file-transfer part of the headless interface: the `send`, `accept`, `reject OFFERID`, `pause`,
// `resume`, `cancel` and `transfers` lines, the JSON of transfer events, and the bookkeeping that lets
// short forms name "the newest offer". Pure except TransferTracker, which only holds state.
// Thread: the headless main thread.
#include "duet/core/EngineApi.hpp"

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace duet::app::headless {

struct TransferLine {
    std::string verb;              // send, accept, reject, pause, resume, cancel, transfers
    std::vector<std::string> args; // send: paths; transfers: [clear]; others: [OFFERID] [FILEID...]/[REASON]
};

// Whether this line is a transfer line. `reject` is one only when its first word is an offer id
// (16 hex digits); otherwise it stays the peer-rejecting command.
bool isTransferLine(std::string_view command, std::string_view argument);
// Parses a transfer line; on a syntax error returns nullopt and sets `error`.
std::optional<TransferLine> parseTransferLine(std::string_view command, std::string_view argument,
                                              std::string& error);
// 16 hex digits, like message ids.
std::string transferIdText(std::uint64_t id);
std::optional<std::uint64_t> parseTransferId(std::string_view text);
// The JSON line of a transfer event, or nullopt for other events.
std::optional<std::string> transferEventJson(const Event& event);

// Remembers offers (their peer and latest state) from the events, and turns lines into commands.
class TransferTracker {
public:
    void onEvent(const Event& event);
    // Commands to post, or an error. `activePeer` is the peer `send` goes to. `transfers` fills `print`;
    // `transfers clear` forgets finished offers here and in the engine.
    std::vector<Command> execute(const TransferLine& line, std::optional<PeerId> activePeer,
                                 std::string& error, std::vector<std::string>& print);
    // An incoming offer still waiting for our decision (newest first), for `accept`/`reject` short forms.
    std::optional<std::uint64_t> newestUndecided() const;

private:
    struct Offer {
        PeerId peer;
        bool incoming = false;
        bool decided = false;
        bool finished = false;
        std::optional<Event> lastEvent; // the latest progress or finish event, reprinted by `transfers`
        std::uint64_t order = 0;
    };
    static constexpr std::size_t kKeptFinished = 256;
    void forgetOldestFinished();
    std::map<std::uint64_t, Offer> m_offers;
    std::uint64_t m_counter = 0;
};

} // namespace duet::app::headless
