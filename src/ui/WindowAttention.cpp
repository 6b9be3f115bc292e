#include "duet/ui/WindowAttention.hpp"

namespace duet::ui {

std::size_t unseenCount(const state::AppState& state)
{
    std::size_t count = state.transfers().awaitingDecisionCount();
    for (const state::Peer& peer : state.peers())
        count += peer.unread;
    return count;
}

std::string titleWithUnread(const std::string& baseTitle, std::size_t unseen)
{
    if (unseen == 0) return baseTitle;
    return "(" + std::to_string(unseen) + ") " + baseTitle;
}

bool shouldRequestAttention(std::size_t unseen, std::size_t alreadyNotified, bool focused, bool notifications)
{
    // Once per new arrival, never for old news: reading lowers the count, and only a rise asks again.
    return unseen > alreadyNotified && !focused && notifications;
}

} // namespace duet::ui
