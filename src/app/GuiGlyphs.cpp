#include "GuiGlyphs.hpp"

#include "GuiFonts.hpp"

#include <functional>

namespace duet::app {

bool GuiGlyphs::add(std::string_view text)
{
    bool added = false;
    const auto* s = reinterpret_cast<const unsigned char*>(text.data());
    const auto* end = s + text.size();
    while (s < end) {
        unsigned codepoint = *s;
        int length = 1;
        // Only 2- and 3-byte sequences can be ImWchar (16-bit); anything else is skipped.
        if (codepoint >= 0xE0 && codepoint < 0xF0 && end - s >= 3) {
            codepoint = ((codepoint & 0x0F) << 12) | ((s[1] & 0x3F) << 6) | (s[2] & 0x3F);
            length = 3;
        } else if (codepoint >= 0xC0 && codepoint < 0xE0 && end - s >= 2) {
            codepoint = ((codepoint & 0x1F) << 6) | (s[1] & 0x3F);
            length = 2;
        } else if (codepoint >= 0xF0) {
            codepoint = 0; // outside the BMP: the fallback glyph
            length = end - s >= 4 ? 4 : static_cast<int>(end - s);
        }
        s += length;
        if (codepoint < 0x80 || codepoint > 0xFFFF) continue;
        if (inBaseRanges(codepoint)) {
            // A handful is enough to know the start-up atlas will not do.
            if (m_watchFirstFrame && m_beyondFirstFrame.size() < 64 && !inFirstFrameRanges(codepoint))
                m_beyondFirstFrame.push_back(static_cast<ImWchar>(codepoint));
            continue;
        }
        // The first CJK character brings in the common Chinese and Japanese sets at once: baking glyph
        // by glyph would rebuild the atlas on every new character typed or received.
        const bool cjk = (codepoint >= 0x3000 && codepoint <= 0x30FF) ||
                         (codepoint >= 0x3400 && codepoint <= 0x9FFF) ||
                         (codepoint >= 0xFF00 && codepoint <= 0xFFEF);
        if (cjk) {
            added = added || !m_cjkSets;
            m_cjkSets = true;
            continue; // a rare character outside the common sets draws as the fallback glyph
        }
        if (m_codepoints.size() >= kMaxExtraGlyphs) continue;
        if (m_codepoints.insert(static_cast<ImWchar>(codepoint)).second) added = true;
    }
    m_rangesStale = m_rangesStale || added;
    return added;
}

bool GuiGlyphs::scan(const state::AppState& state, const ui::ViewState& view)
{
    bool added = false;
    if (state.revision() != m_stateRevision) {
        m_stateRevision = state.revision();
        for (const state::Peer& peer : state.peers()) {
            added = add(peer.name) || added;
            Scanned& scanned = m_peers[peer.id];
            const std::uint64_t firstId = peer.messages.empty() ? 0 : peer.messages.front().id;
            if (firstId != scanned.firstId || peer.messages.size() < scanned.messages) scanned.messages = 0;
            for (std::size_t i = scanned.messages; i < peer.messages.size(); ++i)
                added = add(peer.messages[i].text) || added;
            scanned.messages = peer.messages.size();
            scanned.firstId = firstId;
        }
        for (const state::LanPeer& lan : state.lanPeers())
            added = add(lan.name) || added;
        const auto& rows = state.transfers().rows();
        for (std::size_t i = m_transferRows; i < rows.size(); ++i)
            for (const state::TransferFile& file : rows[i].files)
                added = add(file.path) || added;
        m_transferRows = rows.size();
    }
    // Names of pictures from earlier runs (their transfer rows are gone).
    if (view.rememberedPictures.revision != m_picturesRevision) {
        m_picturesRevision = view.rememberedPictures.revision;
        for (const ui::RememberedPicture& picture : view.rememberedPictures.pictures)
            added = add(picture.image.name) || added;
    }
    // Drafts are what the user is typing (an input method may produce CJK): cheap to hash every frame.
    std::size_t hash = 0;
    for (const auto& [peer, draft] : view.drafts)
        hash ^= std::hash<std::string>{}(draft) + 0x9e3779b97f4a7c15ull + (hash << 6) + (hash >> 2);
    if (hash != m_draftsHash) {
        m_draftsHash = hash;
        for (const auto& [peer, draft] : view.drafts)
            added = add(draft) || added;
    }
    return added;
}

const ImWchar* GuiGlyphs::ranges()
{
    if (m_codepoints.empty() && !m_cjkSets) return nullptr;
    if (m_rangesStale) {
        ImFontGlyphRangesBuilder builder;
        if (m_cjkSets) {
            ImFontAtlas& atlas = *ImGui::GetIO().Fonts;
            builder.AddRanges(atlas.GetGlyphRangesChineseSimplifiedCommon());
            builder.AddRanges(atlas.GetGlyphRangesJapanese());
        }
        for (const ImWchar codepoint : m_codepoints)
            builder.AddChar(codepoint);
        m_ranges.clear();
        builder.BuildRanges(&m_ranges);
        m_rangesStale = false;
    }
    return m_ranges.Data;
}

} // namespace duet::app
