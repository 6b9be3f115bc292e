#pragma once
// The LAN part of the peers panel: the Visible toggle, and the live list of peers heard by discovery with
// a trust badge ("unverified", "known key (unproven)", "verified" once a handshake from that address
// proved the key). Double-clicking a row, or its Connect button, appends a Connect to the beacon's source
// address. Thread: UI thread, inside an ImGui frame.
#include "duet/state/AppState.hpp"
#include "duet/ui/ViewState.hpp"

#include <string_view>

namespace duet::ui {

enum class LanBadge : std::uint8_t { Unverified, KnownKeyUnproven, Connecting, Verified };

// Pure: the badge a LAN row shows, from what a handshake has proven so far.
LanBadge lanBadgeFor(const state::AppState& state, const state::LanPeer& peer);
std::string_view lanBadgeLabel(LanBadge badge);

void drawVisibleToggle(const state::AppState& state, ViewState& view, Commands& out);
// Draws nothing when discovery is off; otherwise the list followed by a separator.
void drawLanPeers(const state::AppState& state, ViewState& view, Commands& out);

} // namespace duet::ui
