// History commands beyond paging: search, clear and export of one conversation.
#include "duet/net/ChatExport.hpp"
#include "duet/net/ChatService.hpp"

#include <algorithm>

namespace duet::net {
namespace {

event::HistoryEntry toEntry(const profile::StoredMessage& message)
{
    return event::HistoryEntry{
        message.rowId, message.messageId, message.direction == profile::MessageDirection::Outgoing,
        message.text,  message.sentAtMs,  toEventState(message.state)};
}

} // namespace

void ChatService::searchHistory(const command::SearchHistory& command)
{
    flush();
    const std::optional<std::string> fingerprint =
        conversationOf(command.peer, command.fingerprint, "search");
    if (!fingerprint) return;
    if (command.query.empty()) return m_emit(event::Error{command.peer, "search: the text to find is empty"});
    const std::size_t limit = std::clamp<std::uint32_t>(command.limit, 1, kMaxHistoryPage);
    event::HistorySearchResults results;
    results.fingerprint = *fingerprint;
    results.query = command.query;
    try {
        // One row more than asked tells whether the limit cut the list.
        std::vector<profile::StoredMessage> rows =
            m_profile.searchHistory(*fingerprint, command.query, limit + 1);
        results.more = rows.size() > limit;
        if (results.more) rows.resize(limit);
        for (const profile::StoredMessage& row : rows)
            results.messages.push_back(toEntry(row));
    } catch (const std::exception& e) {
        return m_emit(event::Error{command.peer, std::string("search: ") + e.what()});
    }
    m_emit(std::move(results));
}

void ChatService::clearHistory(const command::ClearHistory& command)
{
    flush();
    const std::optional<std::string> fingerprint =
        conversationOf(command.peer, command.fingerprint, "clear history");
    if (!fingerprint) return;
    try {
        m_emit(event::HistoryCleared{*fingerprint, m_profile.clearHistory(*fingerprint)});
    } catch (const std::exception& e) {
        m_emit(event::Error{command.peer, std::string("clear history: ") + e.what()});
    }
}

void ChatService::exportHistory(const command::ExportHistory& command)
{
    flush();
    const std::optional<std::string> fingerprint =
        conversationOf(command.peer, command.fingerprint, "export history");
    if (!fingerprint) return;
    std::string name = "Peer";
    try {
        if (const std::optional<profile::KnownPeer> known = m_profile.peerByFingerprint(*fingerprint))
            if (!known->displayName.empty()) name = withoutControlCharacters(known->displayName);
    } catch (const std::exception&) {
        // The export still works with the generic label.
    }
    std::string error;
    const std::optional<std::uint64_t> count =
        exportConversation(m_profile, *fingerprint, name, command.path, error);
    if (!count) return m_emit(event::Error{command.peer, "export history: " + error});
    m_emit(event::HistoryExported{*fingerprint, command.path, *count});
}

} // namespace duet::net
