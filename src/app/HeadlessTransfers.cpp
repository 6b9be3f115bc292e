#include "HeadlessTransfers.hpp"

#include <charconv>
#include <cstdio>
#include <filesystem>
#include <nlohmann/json.hpp>

namespace duet::app::headless {
namespace {

using nlohmann::json;

// Words separated by spaces; "double quotes" keep spaces inside one word.
std::optional<std::vector<std::string>> splitWords(std::string_view text, std::string& error)
{
    std::vector<std::string> words;
    std::string current;
    bool quoted = false;
    bool inWord = false;
    for (char c : text) {
        if (c == '"') {
            quoted = !quoted;
            inWord = true;
        } else if (c == ' ' && !quoted) {
            if (inWord) words.push_back(std::move(current));
            current.clear();
            inWord = false;
        } else {
            current += c;
            inWord = true;
        }
    }
    if (quoted) {
        error = "unbalanced double quote";
        return std::nullopt;
    }
    if (inWord) words.push_back(std::move(current));
    return words;
}

std::string_view firstWord(std::string_view text)
{
    return text.substr(0, text.find(' '));
}

const char* stateText(TransferState state)
{
    switch (state) {
    case TransferState::Offered:
        return "offered";
    case TransferState::Queued:
        return "queued";
    case TransferState::Active:
        return "active";
    case TransferState::Paused:
        return "paused";
    case TransferState::Waiting:
        return "waiting";
    case TransferState::Verifying:
        return "verifying";
    case TransferState::Done:
        return "done";
    case TransferState::Failed:
        return "failed";
    case TransferState::Cancelled:
        return "cancelled";
    case TransferState::Rejected:
        return "rejected";
    }
    return "unknown";
}

json entriesJson(const std::vector<TransferEntry>& entries)
{
    json out = json::array();
    for (const TransferEntry& e : entries)
        out.push_back(json{
            {"file", transferIdText(e.fileId)}, {"path", e.path}, {"size", e.size}, {"dir", e.directory}});
    return out;
}

} // namespace

std::string transferIdText(std::uint64_t id)
{
    char text[17];
    std::snprintf(text, sizeof text, "%016llx", static_cast<unsigned long long>(id));
    return text;
}

std::optional<std::uint64_t> parseTransferId(std::string_view text)
{
    if (text.size() != 16) return std::nullopt;
    std::uint64_t value = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value, 16);
    if (ec != std::errc() || end != text.data() + text.size() || value == 0) return std::nullopt;
    return value;
}

bool isTransferLine(std::string_view command, std::string_view argument)
{
    if (command == "send" || command == "accept" || command == "pause" || command == "resume" ||
        command == "cancel" || command == "transfers")
        return true;
    return command == "reject" && parseTransferId(firstWord(argument)).has_value();
}

std::optional<TransferLine> parseTransferLine(std::string_view command, std::string_view argument,
                                              std::string& error)
{
    TransferLine line;
    line.verb = std::string(command);
    if (command == "reject") {
        // reject OFFERID [REASON...]: the reason is the rest of the line, as typed.
        const std::size_t space = argument.find(' ');
        line.args.emplace_back(argument.substr(0, space));
        if (space != std::string_view::npos) line.args.emplace_back(argument.substr(space + 1));
        return line;
    }
    std::optional<std::vector<std::string>> words = splitWords(argument, error);
    if (!words) {
        error = line.verb + ": " + error;
        return std::nullopt;
    }
    line.args = std::move(*words);
    if (command == "send") {
        if (line.args.empty()) {
            error = "send needs PATH...";
            return std::nullopt;
        }
        for (std::string& path : line.args)
            path = std::filesystem::absolute(path).lexically_normal().string();
        return line;
    }
    if (command == "transfers") {
        if (!line.args.empty() && !(line.args.size() == 1 && line.args[0] == "clear")) {
            error = "transfers takes no arguments, or clear";
            return std::nullopt;
        }
        return line;
    }
    for (const std::string& id : line.args) {
        if (!parseTransferId(id)) {
            error = line.verb + ": not an offer or file id (16 hex digits): " + id.substr(0, 40);
            return std::nullopt;
        }
    }
    if (command != "accept" && line.args.empty()) {
        error = line.verb + " needs OFFERID [FILEID]";
        return std::nullopt;
    }
    if (command != "accept" && line.args.size() > 2) {
        error = line.verb + " takes OFFERID [FILEID]";
        return std::nullopt;
    }
    return line;
}

std::optional<std::string> transferEventJson(const Event& event)
{
    std::optional<json> line = std::visit(
        [](const auto& e) -> std::optional<json> {
            using T = std::decay_t<decltype(e)>;
            if constexpr (std::is_same_v<T, event::OfferReceived>) {
                return json{{"event", "offer"},
                            {"peer", e.peer.value},
                            {"offer", transferIdText(e.offer.value)},
                            {"entries", entriesJson(e.entries)},
                            {"total", e.totalBytes},
                            {"auto_accepted", e.autoAccepted}};
            } else if constexpr (std::is_same_v<T, event::OfferSent>) {
                return json{{"event", "offer_sent"},
                            {"peer", e.peer.value},
                            {"offer", transferIdText(e.offer.value)},
                            {"entries", entriesJson(e.entries)},
                            {"total", e.totalBytes}};
            } else if constexpr (std::is_same_v<T, event::TransferProgress>) {
                json j{{"event", "progress"},
                       {"peer", e.peer.value},
                       {"offer", transferIdText(e.offer.value)},
                       {"outgoing", e.outgoing},
                       {"state", stateText(e.state)},
                       {"bytes", e.bytesDone},
                       {"total", e.totalBytes},
                       {"speed", e.bytesPerSec},
                       {"eta", e.etaSeconds}};
                if (e.fileId != 0) {
                    j["file"] = transferIdText(e.fileId);
                    j["file_bytes"] = e.fileBytes;
                }
                return j;
            } else if constexpr (std::is_same_v<T, event::TransferFileDone>) {
                return json{{"event", "transfer_done"},
                            {"peer", e.peer.value},
                            {"offer", transferIdText(e.offer.value)},
                            {"file", transferIdText(e.fileId)},
                            {"path", e.localPath},
                            {"hash", e.hash}};
            } else if constexpr (std::is_same_v<T, event::TransferFileFailed>) {
                return json{{"event", "transfer_failed"},
                            {"peer", e.peer.value},
                            {"offer", transferIdText(e.offer.value)},
                            {"file", transferIdText(e.fileId)},
                            {"reason", e.reason},
                            {"outcome", e.outcome}};
            } else if constexpr (std::is_same_v<T, event::OfferFinished>) {
                return json{{"event", "offer_finished"},
                            {"peer", e.peer.value},
                            {"offer", transferIdText(e.offer.value)},
                            {"state", stateText(e.state)},
                            {"reason", e.reason}};
            } else {
                return std::nullopt;
            }
        },
        event);
    if (!line) return std::nullopt;
    return line->dump(-1, ' ', false, json::error_handler_t::replace);
}

void TransferTracker::onEvent(const Event& event)
{
    auto remember = [this](TransferId id, PeerId peer, bool incoming) -> Offer& {
        Offer& offer = m_offers[id.value];
        if (offer.order == 0) offer.order = ++m_counter;
        if (peer) offer.peer = peer;
        offer.incoming = incoming;
        return offer;
    };
    if (const auto* e = std::get_if<event::OfferReceived>(&event)) {
        Offer& offer = remember(e->offer, e->peer, true);
        offer.decided = e->autoAccepted;
    } else if (const auto* e = std::get_if<event::OfferSent>(&event)) {
        remember(e->offer, e->peer, false);
    } else if (const auto* e = std::get_if<event::TransferProgress>(&event)) {
        Offer& offer = remember(e->offer, e->peer, !e->outgoing);
        if (e->state != TransferState::Offered) offer.decided = true;
        offer.lastEvent = event;
    } else if (const auto* e = std::get_if<event::OfferFinished>(&event)) {
        Offer& offer = m_offers[e->offer.value];
        offer.decided = offer.finished = true;
        offer.lastEvent = event;
        forgetOldestFinished();
    }
}

void TransferTracker::forgetOldestFinished()
{
    // A long session must not grow without end; `transfers` shows the newest finished offers only.
    std::size_t finished = 0;
    for (const auto& [id, offer] : m_offers)
        finished += offer.finished ? 1 : 0;
    for (std::size_t excess = finished > kKeptFinished ? finished - kKeptFinished : 0; excess > 0; --excess) {
        auto oldest = m_offers.end();
        for (auto it = m_offers.begin(); it != m_offers.end(); ++it)
            if (it->second.finished && (oldest == m_offers.end() || it->second.order < oldest->second.order))
                oldest = it;
        m_offers.erase(oldest);
    }
}

std::optional<std::uint64_t> TransferTracker::newestUndecided() const
{
    std::optional<std::uint64_t> best;
    std::uint64_t bestOrder = 0;
    for (const auto& [id, offer] : m_offers) {
        if (offer.incoming && !offer.decided && !offer.finished && offer.order > bestOrder) {
            best = id;
            bestOrder = offer.order;
        }
    }
    return best;
}

std::vector<Command> TransferTracker::execute(const TransferLine& line, std::optional<PeerId> activePeer,
                                              std::string& error, std::vector<std::string>& print)
{
    if (line.verb == "send") {
        if (!activePeer) {
            error = "send: no verified peer yet (connect, then confirm)";
            return {};
        }
        return {command::SendFiles{*activePeer, line.args}};
    }
    if (line.verb == "transfers" && !line.args.empty()) {
        std::size_t cleared = std::erase_if(m_offers, [](const auto& item) { return item.second.finished; });
        print.push_back(json{{"event", "transfers_cleared"}, {"count", cleared}}.dump());
        return {command::ForgetTransfers{PeerId{}, TransferId{}}};
    }
    if (line.verb == "transfers") {
        for (const auto& [id, offer] : m_offers)
            if (offer.lastEvent)
                if (auto text = transferEventJson(*offer.lastEvent)) print.push_back(*text);
        return {};
    }
    std::optional<std::uint64_t> offerId;
    if (!line.args.empty()) offerId = parseTransferId(line.args[0]);
    if (!offerId && line.verb == "accept") offerId = newestUndecided();
    if (!offerId) {
        error = line.verb + ": no offer is waiting for a decision";
        return {};
    }
    const auto found = m_offers.find(*offerId);
    if (found == m_offers.end()) {
        error = line.verb + ": unknown offer " + transferIdText(*offerId);
        return {};
    }
    const PeerId peer = found->second.peer;
    if (line.verb == "accept") {
        command::AcceptOffer accept{peer, TransferId{*offerId}, {}};
        for (std::size_t i = 1; i < line.args.size(); ++i)
            accept.fileIds.push_back(*parseTransferId(line.args[i]));
        return {accept};
    }
    if (line.verb == "reject")
        return {command::RejectOffer{peer, TransferId{*offerId}, line.args.size() > 1 ? line.args[1] : ""}};
    const std::uint64_t fileId = line.args.size() > 1 ? *parseTransferId(line.args[1]) : 0;
    TransferAction action = TransferAction::Pause;
    if (line.verb == "resume") action = TransferAction::Resume;
    if (line.verb == "cancel") action = TransferAction::Cancel;
    return {command::ControlTransfer{peer, TransferId{*offerId}, fileId, action}};
}

} // namespace duet::app::headless
