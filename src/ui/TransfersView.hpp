#pragma once
// UI-local state of the transfer-related panels: the file browser, offer prompts, the settings window
// and requests the front end carries out for the UI (open a folder, apply settings).
// Thread: UI thread only. Part of ViewState.
#include "duet/core/EngineApi.hpp"
#include "duet/ui/FileBrowser.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

namespace duet::ui {

// Everything the settings window edits; the front end loads it from the profile and saves it back.
struct SettingsValues {
    std::string displayName;
    std::string downloadDir;
    std::uint16_t port = kDefaultPort;
    bool lightTheme = false;
    bool autoAcceptVerified = false;
    bool notifications = true;
    // Discovery's own settings: the engine persists them and reports them (DiscoveryState).
    bool visibleOnLan = true;
    std::vector<std::string> discoveryInterfaces; // empty: every interface
    // Chat privacy: the engine persists them and reports them (ChatOptions).
    bool readReceipts = true;
    bool typingIndicator = true;
    // Internet connections: "host[:port]" list as saved (StunServers.hpp); empty: the engine's defaults.
    std::string stunServers;
    bool stunFromCommandLine = false; // --stun was given: it wins over the saved list this run
    bool operator==(const SettingsValues&) const = default;
};

struct TransfersView {
    FileBrowserState browser;
    // Incoming offers whose file list is open for choosing, and the files the user unticked there.
    std::unordered_map<TransferId, std::vector<std::uint64_t>> unticked;
    TransferId choosing;
    TransferId details; // the row whose per-file progress is shown
    std::size_t rowsSeen = 0;

    // Folders the user asked to see; the front end opens them (xdg-open) and clears the list.
    std::vector<std::string> openFolderRequests;

    // Settings window.
    bool settingsOpen = false;
    bool settingsRequested = false;
    SettingsValues settings;                      // what is saved
    SettingsValues draft;                         // what the window shows
    std::optional<SettingsValues> settingsToSave; // the user pressed Save; the front end applies it
    bool choosingDownloadDir = false;
};

} // namespace duet::ui
