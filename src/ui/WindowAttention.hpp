#pragma once
// What the window tells the desktop about news the user has not seen: the unread count in the title and
// when to ask for attention. Pure; the front end applies the results to its window.
#include "duet/state/AppState.hpp"

#include <cstddef>
#include <string>

namespace duet::ui {

// Unread chat messages over all peers plus offers waiting for an answer.
std::size_t unseenCount(const state::AppState& state);

// `baseTitle` with "(N) " in front while N messages or offers are unseen.
std::string titleWithUnread(const std::string& baseTitle, std::size_t unseen);

// True when the window should ask for attention: something arrived since the count `alreadyNotified`
// was last seen, the user looks elsewhere (the window is not focused) and notifications are on.
bool shouldRequestAttention(std::size_t unseen, std::size_t alreadyNotified, bool focused,
                            bool notifications);

} // namespace duet::ui
