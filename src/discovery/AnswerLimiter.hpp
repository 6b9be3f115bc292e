#pragma once
// When may a Query be answered? An answer is our ordinary Announce sent early to the whole LAN, never to the
// asker, and at most one goes out per minimum spacing however many queries arrive: queries inside the window
// are folded into one answer at its end. Any announce (periodic or answer) satisfies the queries before it.
// Pure and single-threaded.
#include "duet/core/Clock.hpp"

#include <optional>

namespace duet::discovery {

class AnswerLimiter {
public:
    explicit AnswerLimiter(Millis minSpacing) : m_minSpacing(minSpacing) {}

    void onQuery() { m_pending = true; }
    // Call after every announce we send, whatever caused it.
    void onAnnounced(MonoTime now);
    // Forget pending queries (we became invisible).
    void clear() { m_pending = false; }

    bool pending() const { return m_pending; }
    // When the pending answer may go; nullopt when none is pending.
    std::optional<MonoTime> deadline() const;
    // True when an answer is pending and allowed at `now`; the caller must then send it and call onAnnounced.
    bool answerDue(MonoTime now) const;

private:
    Millis m_minSpacing;
    bool m_pending = false;
    std::optional<MonoTime> m_lastAnnounce;
};

} // namespace duet::discovery
