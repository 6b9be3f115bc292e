#pragma once
// Which characters outside the always-baked ranges (see GuiFonts) the UI needs: CJK, Hangul, Thai...
// The first CJK character adds the common Chinese and Japanese sets in one rebuild (~0.5 s once).
// Scans AppState text (names, messages, file names) incrementally and the chat drafts, and reports when a
// new character appeared so the font atlas is rebuilt with it. At most kMaxExtraGlyphs are kept; beyond
// that, new characters draw as the fallback glyph.
// Thread: main thread.
#include "duet/state/AppState.hpp"
#include "duet/ui/ViewState.hpp"
#include "imgui.h"

#include <cstdint>
#include <set>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

namespace duet::app {

class GuiGlyphs {
public:
    static constexpr std::size_t kMaxExtraGlyphs = 8000;

    // True when a character not seen before turned up since the last call.
    bool scan(const state::AppState& state, const ui::ViewState& view);
    // Adds the characters of `text`; true when one was new.
    bool add(std::string_view text);
    // Zero-terminated ImGui range pairs of every extra character seen (null when there is none).
    const ImWchar* ranges();
    std::size_t count() const { return m_codepoints.size(); }
    // Base-range characters outside the start-up atlas (Greek, Cyrillic...) seen since the last call,
    // while the start-up atlas is in use; after stopWatchingFirstFrame() none are collected.
    std::vector<ImWchar> takeBeyondFirstFrame() { return std::exchange(m_beyondFirstFrame, {}); }
    void stopWatchingFirstFrame()
    {
        m_watchFirstFrame = false;
        m_beyondFirstFrame.clear();
    }

private:
    std::set<ImWchar> m_codepoints;
    ImVector<ImWchar> m_ranges;
    bool m_cjkSets = false; // the common Chinese and Japanese sets are wanted
    bool m_rangesStale = false;
    bool m_watchFirstFrame = true;
    std::vector<ImWchar> m_beyondFirstFrame;
    std::uint64_t m_stateRevision = ~std::uint64_t{0};
    struct Scanned {
        std::size_t messages = 0;
        std::uint64_t firstId = 0; // an older page loaded in front changes this: scan it all again
    };
    std::unordered_map<PeerId, Scanned> m_peers;
    std::size_t m_transferRows = 0;
    std::uint64_t m_picturesRevision = 0;
    std::size_t m_draftsHash = 0;
};

} // namespace duet::app
