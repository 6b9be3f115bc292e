// The browser's logic without drawing: paths, listing pick-up, filter and sort, selection.
#include "duet/ui/FileBrowser.hpp"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <strings.h>

namespace duet::ui {
namespace {

std::string homeFolder()
{
    const char* home = std::getenv("HOME");
    return home && home[0] == '/' ? std::string(home) : std::string("/");
}

bool containsIgnoringCase(const std::string& haystack, const std::string& needle)
{
    if (needle.empty()) return true;
    const auto lower = [](unsigned char c) { return c < 0x80 ? static_cast<char>(std::tolower(c)) : c; };
    return std::search(haystack.begin(), haystack.end(), needle.begin(), needle.end(), [&](char a, char b) {
               return lower(static_cast<unsigned char>(a)) == lower(static_cast<unsigned char>(b));
           }) != haystack.end();
}

void sortVisible(FileBrowserState& browser)
{
    const std::vector<DirEntry>& entries = browser.listing.entries;
    const BrowserSort sort = browser.sort;
    const bool ascending = browser.ascending;
    std::stable_sort(browser.visible.begin(), browser.visible.end(), [&](std::uint32_t a, std::uint32_t b) {
        const DirEntry& x = entries[a];
        const DirEntry& y = entries[b];
        // Folders first, whatever the order: that is where people look for them.
        if (x.directory != y.directory) return x.directory;
        int order = 0;
        if (sort == BrowserSort::Size && x.size != y.size) order = x.size < y.size ? -1 : 1;
        if (sort == BrowserSort::Modified && x.modifiedSec != y.modifiedSec)
            order = x.modifiedSec < y.modifiedSec ? -1 : 1;
        if (order == 0) order = strcasecmp(x.name.c_str(), y.name.c_str());
        if (order == 0) order = x.name.compare(y.name);
        return ascending ? order < 0 : order > 0;
    });
}

} // namespace

std::string joinPath(const std::string& folder, const std::string& name)
{
    if (folder.empty() || folder.back() == '/') return folder + name;
    return folder + "/" + name;
}

std::string parentPath(const std::string& path)
{
    if (path.size() <= 1) return "/";
    std::string trimmed = path;
    while (trimmed.size() > 1 && trimmed.back() == '/')
        trimmed.pop_back();
    const std::size_t slash = trimmed.rfind('/');
    if (slash == std::string::npos || slash == 0) return "/";
    return trimmed.substr(0, slash);
}

std::vector<std::string> breadcrumbFolders(const std::string& path)
{
    std::vector<std::string> folders{"/"};
    std::string current;
    std::size_t start = 0;
    while (start < path.size()) {
        std::size_t end = path.find('/', start);
        if (end == std::string::npos) end = path.size();
        if (end > start) {
            current += "/" + path.substr(start, end - start);
            folders.push_back(current);
        }
        start = end + 1;
    }
    return folders;
}

std::string formatSize(std::uint64_t bytes)
{
    static const char* const units[] = {"B", "kB", "MB", "GB", "TB", "PB"};
    if (bytes < 1000) return std::to_string(bytes) + " B";
    double value = static_cast<double>(bytes);
    int unit = 0;
    while (value >= 1000.0 && unit < 5) {
        value /= 1000.0;
        ++unit;
    }
    char text[32];
    std::snprintf(text, sizeof text, value < 10 ? "%.1f %s" : "%.0f %s", value, units[unit]);
    return text;
}

void openFileBrowser(FileBrowserState& browser, BrowserPurpose purpose, PeerId peer, std::string startPath)
{
    browser.purpose = purpose;
    browser.peer = peer;
    browser.openRequested = true;
    browser.chosenFolder.reset();
    browser.selected.clear();
    if (startPath.empty()) startPath = browser.path.empty() ? homeFolder() : browser.path;
    navigateTo(browser, std::move(startPath));
}

void navigateTo(FileBrowserState& browser, std::string path)
{
    if (path.empty() || path[0] != '/') path = homeFolder();
    while (path.size() > 1 && path.back() == '/')
        path.pop_back();
    if (!browser.lister) browser.lister = std::make_unique<DirectoryLister>(browser.wake);
    browser.path = path;
    browser.pathInput = path;
    browser.loading = true;
    browser.listing = Listing{path, {}, {}, false};
    browser.visible.clear();
    browser.cursor = -1;
    browser.lister->request(std::move(path));
}

void refreshListing(FileBrowserState& browser)
{
    if (browser.lister && browser.lister->hasResult()) {
        if (std::optional<Listing> listing = browser.lister->take();
            listing && listing->path == browser.path) {
            browser.listing = std::move(*listing);
            browser.loading = false;
            browser.visibleDirty = true;
        }
    }
    if (!browser.visibleDirty) return;
    browser.visibleDirty = false;
    browser.visible.clear();
    const std::vector<DirEntry>& entries = browser.listing.entries;
    browser.visible.reserve(entries.size());
    for (std::uint32_t i = 0; i < entries.size(); ++i) {
        if (entries[i].hidden && !browser.showHidden) continue;
        if (!containsIgnoringCase(entries[i].name, browser.filter)) continue;
        browser.visible.push_back(i);
    }
    sortVisible(browser);
    if (browser.cursor >= static_cast<int>(browser.visible.size()))
        browser.cursor = static_cast<int>(browser.visible.size()) - 1;
}

bool isSelected(const FileBrowserState& browser, const std::string& fullPath)
{
    return std::find(browser.selected.begin(), browser.selected.end(), fullPath) != browser.selected.end();
}

void toggleSelected(FileBrowserState& browser, const std::string& fullPath)
{
    const auto it = std::find(browser.selected.begin(), browser.selected.end(), fullPath);
    if (it == browser.selected.end())
        browser.selected.push_back(fullPath);
    else
        browser.selected.erase(it);
}

} // namespace duet::ui
