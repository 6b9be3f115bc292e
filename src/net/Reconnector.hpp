#pragma once
// Automatic reconnection to known (pinned) peers, without user action:
// - at start, every pinned peer with a last address is dialled once, right away;
// - when a connection to a pinned peer is lost (no polite Close from either side: a crash, a timeout, a
//   dead link) or a dial attempt fails, the peer's last address is dialled again after a backoff
//   (ReconnectBackoff: 1 s doubling to 60 s, jittered), until a verified connection exists again.
// A polite close (the user disconnected, the peer quit or refused) stops retrying: the side that
// comes back dials at its own start. Simultaneous dials are settled by ChatService's duplicate rule.
// Thread: the net thread only. Errors: profile failures are swallowed (no retry scheduled).
#include "duet/core/Clock.hpp"
#include "duet/core/Ids.hpp"
#include "duet/net/ReconnectBackoff.hpp"
#include "duet/profile/ProfileStore.hpp"

#include <functional>
#include <map>
#include <optional>
#include <string>

namespace duet::net {

class Reconnector {
public:
    static constexpr std::size_t kMaxPeers = 32; // at start, the most recently seen pinned peers

    // Starts a connection attempt; returns its id, or zero when it could not even start.
    using Dial = std::function<PeerId(const std::string& host, std::uint16_t port)>;
    using IsOnline = std::function<bool(const std::string& fingerprint)>;

    Reconnector(profile::ProfileStore& profile, Dial dial, IsOnline online, std::function<double()> random);

    // Schedules the first attempt to every pinned peer at `now`.
    void start(MonoTime now);
    // A connection ended. `fingerprint` is empty when the handshake never finished; `lost` is false when
    // either side closed it on purpose; `wasVerified`: it carried chat, so backoff starts again from 1 s.
    void onConnectionGone(PeerId peer, const std::string& fingerprint, bool lost, bool wasVerified,
                          MonoTime now);
    void runTimers(MonoTime now);
    std::optional<MonoTime> nextWake() const;

private:
    struct Target {
        std::string host;
        std::uint16_t port = 0;
        ReconnectBackoff backoff;
        std::optional<MonoTime> due;
        PeerId attempt; // the dial in progress, zero when none
    };

    bool refreshAddress(const std::string& fingerprint, Target& target);
    void retryLater(Target& target, MonoTime now);

    profile::ProfileStore& m_profile;
    Dial m_dial;
    IsOnline m_online;
    std::function<double()> m_random;
    std::map<std::string, Target> m_targets; // by fingerprint
};

// Splits "ip:port" (or "[v6]:port"); nothing when there is no valid port.
std::optional<std::pair<std::string, std::uint16_t>> splitHostPort(const std::string& address);

} // namespace duet::net
