#pragma once
// UI-local state: what the user is typing and looking at, never what the engine knows (that is AppState).
// Thread: UI thread only. Owned by the front end and passed to drawApp() every frame.
#include "duet/core/EngineApi.hpp"
#include "duet/ui/ChatFind.hpp"
#include "duet/ui/ChatHistory.hpp"
#include "duet/ui/ChatImages.hpp"
#include "duet/ui/ItemLocator.hpp"
#include "duet/ui/RememberedPictures.hpp"
#include "duet/ui/TransfersView.hpp"

#include <cstdint>
#include <random>
#include <string>
#include <unordered_map>
#include <vector>

struct ImFont;

namespace duet::ui {

using Commands = std::vector<Command>;

enum class Theme : std::uint8_t { Dark, Light };

// Fonts the front end loaded; any may be null (tests), in which case the default font is used.
struct UiFonts {
    ImFont* body = nullptr;
    ImFont* large = nullptr; // verification code, headings
    ImFont* mono = nullptr;  // fingerprints
};

// The "Connect over the internet" window (InternetPanel.hpp).
struct InternetView {
    bool open = false;
    bool copied = false;
    bool hostingTurnedOn = false; // opening the window switched hosting on
    std::string theirCode;
};

struct ViewState {
    // Settings, persisted by the front end.
    Theme theme = Theme::Dark;
    bool styleDirty = true; // theme changed: the front end re-applies the style between frames

    UiFonts fonts;
    ItemLocator* locator = nullptr; // tests only

    // First screen.
    std::string nameInput;
    bool nameInputLoaded = false; // nameInput was filled from AppState once
    std::string joinInput;
    std::string joinError;

    // Conversations.
    PeerId selectedPeer;
    std::size_t peersSeen = 0; // AppState::peers().size() last frame, to follow a newly arrived peer
    std::unordered_map<PeerId, std::string> drafts; // unsent chat input per peer
    ChatHistoryView history;
    ChatFindView find;                     // Ctrl+F bar and the history menu's confirmation
    ChatImagesView images;                 // thumbnails of pictures exchanged, the preview window
    RememberedPictures rememberedPictures; // pictures of this and earlier runs (the front end fills it)
    // Fingerprints of recent unverified peers the user chose to Forget in this frame: the front end removes
    // them from the profile and from AppState, then clears the list.
    std::vector<std::string> forgetPeers;

    TransfersView transfers; // file browser, offers, settings window
    InternetView internet;

    std::uint64_t errorsSeen = 0; // the error banner hides errors up to this count
    bool logOpen = true;

    // Source of chat message ids (random, non-zero; the engine deduplicates by id).
    std::mt19937_64 messageIds{std::random_device{}()};
};

} // namespace duet::ui
