#pragma once
// The built-in file browser: breadcrumb path, places, a sortable and filterable listing (read on a
// worker thread, drawn with a clipper), multi-select of files and folders across folders, and keyboard
// navigation (Up/Down, Enter opens, Backspace goes up, Space selects, Ctrl+A selects all shown).
// It either sends the selection to a peer (SendFiles) or picks one folder (the download folder).
// Thread: UI thread, inside an ImGui frame; the listing itself runs on FileBrowserState's lister.
#include "duet/core/EngineApi.hpp"
#include "duet/ui/FileBrowserLister.hpp"

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace duet::ui {

struct ViewState;
using Commands = std::vector<Command>;

enum class BrowserPurpose : std::uint8_t { SendFiles, ChooseFolder };
enum class BrowserSort : std::uint8_t { Name, Size, Modified };

struct FileBrowserState {
    bool open = false;
    bool openRequested = false; // the popup opens on the next frame
    BrowserPurpose purpose = BrowserPurpose::SendFiles;
    PeerId peer; // who gets the files
    std::string path;
    std::string pathInput;
    Listing listing;
    bool loading = false;
    std::vector<std::uint32_t> visible; // listing.entries indices after filter, hidden toggle and sort
    bool visibleDirty = true;
    std::string filter;
    bool showHidden = false;
    BrowserSort sort = BrowserSort::Name;
    bool ascending = true;
    std::vector<std::string> selected; // full paths, in the order they were picked
    int cursor = -1;                   // index into `visible`
    bool scrollToCursor = false;
    std::vector<std::string> recent;         // folders files were sent from, newest first
    std::optional<std::string> chosenFolder; // ChooseFolder: the answer, taken by whoever asked
    std::function<void()> wake;              // runs on the lister thread when a listing is ready
    std::unique_ptr<DirectoryLister> lister;

    bool resultWaiting() const { return lister && lister->hasResult(); }
};

// Opens the browser at `startPath` (the home folder when empty).
void openFileBrowser(FileBrowserState& browser, BrowserPurpose purpose, PeerId peer, std::string startPath);
// Lists `path` (asynchronously) and makes it the current folder.
void navigateTo(FileBrowserState& browser, std::string path);
// Picks up a finished listing and rebuilds the visible rows when needed (called by drawFileBrowser).
void refreshListing(FileBrowserState& browser);
bool isSelected(const FileBrowserState& browser, const std::string& fullPath);
void toggleSelected(FileBrowserState& browser, const std::string& fullPath);

// Draws the modal while it is open; a confirmed selection becomes SendFiles in `out` (or chosenFolder).
void drawFileBrowser(FileBrowserState& browser, const ViewState& view, Commands& out);

// "a/b/c" -> {"/", "/a", "/a/b", "/a/b/c"}: the folders a breadcrumb shows.
std::vector<std::string> breadcrumbFolders(const std::string& path);
std::string joinPath(const std::string& folder, const std::string& name);
std::string parentPath(const std::string& path);
// "1.5 MB", "812 B": short human sizes (powers of 1,000 like file managers on Linux).
std::string formatSize(std::uint64_t bytes);

} // namespace duet::ui
