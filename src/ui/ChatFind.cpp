#include "duet/ui/ChatFind.hpp"

#include "duet/ui/Theme.hpp"
#include "duet/ui/ViewState.hpp"
#include "duet/ui/Widgets.hpp"
#include "imgui.h"
#include "imgui_stdlib.h"

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstdlib>
#include <ctime>

namespace duet::ui {
namespace {

constexpr int kKeyF = 'F';

char lowerAscii(char c)
{
    return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
}

bool containsIgnoringAsciiCase(std::string_view text, std::string_view query)
{
    const auto it = std::search(text.begin(), text.end(), query.begin(), query.end(),
                                [](char a, char b) { return lowerAscii(a) == lowerAscii(b); });
    return it != text.end();
}

// Time one frame may spend searching every message; what is left continues in the next frame.
constexpr auto kScanBudget = std::chrono::microseconds(3000);
constexpr std::size_t kScanStride = 512; // messages between two looks at the clock

// Continues a search; true when it is complete.
bool continueScan(const state::Peer& peer, ChatFindView& find)
{
    const auto started = std::chrono::steady_clock::now();
    const auto check = [&](std::size_t index) {
        if (containsIgnoringAsciiCase(peer.messages[index].text, find.query)) find.scanFound.push_back(index);
    };
    const auto timeLeft = [&] { return std::chrono::steady_clock::now() - started < kScanBudget; };
    while (find.candidateNext < find.candidates.size()) {
        const std::size_t stop = std::min(find.candidates.size(), find.candidateNext + kScanStride);
        for (; find.candidateNext < stop; ++find.candidateNext)
            check(find.candidates[find.candidateNext]);
        if (!timeLeft()) return false;
    }
    while (find.scanNext > 0) {
        const std::size_t stop = find.scanNext > kScanStride ? find.scanNext - kScanStride : 0;
        for (; find.scanNext > stop; --find.scanNext)
            check(find.scanNext - 1);
        if (find.scanNext > 0 && !timeLeft()) return false;
    }
    find.scanning = false;
    find.candidates.clear();
    find.candidateNext = 0;
    find.matches.assign(find.scanFound.rbegin(), find.scanFound.rend());
    find.scanFound.clear();
    return true;
}

void startScan(ChatFindView& find, std::vector<std::size_t> candidatesNewestFirst, std::size_t scanBelow)
{
    find.scanning = true;
    find.matches.clear();
    find.scanFound.clear();
    find.candidates = std::move(candidatesNewestFirst);
    find.candidateNext = 0;
    find.scanNext = scanBelow;
}

// Brings `matches` up to date with the query and messages; false while a search is still under way.
bool refreshMatches(const state::Peer& peer, ChatFindView& find)
{
    const bool sameQuery = find.matchedQuery == find.query && find.peer == peer.id;
    const bool sameMessages = find.peer == peer.id && find.revision == peer.messagesRevision &&
                              find.messageCount == peer.messages.size();
    std::vector<std::pair<std::string, std::vector<std::size_t>>>& cache = find.prefixMatches;
    if (sameQuery && sameMessages) {
        if (find.scanning && !continueScan(peer, find)) return false;
    } else if (find.scanning && sameMessages && !find.matchedQuery.empty() &&
               std::string_view(find.query).starts_with(find.matchedQuery)) {
        // Typed on during a search: what it found so far is checked again, then what it had not reached.
        std::vector<std::size_t> again = std::move(find.scanFound);
        again.insert(again.end(), find.candidates.begin() + static_cast<std::ptrdiff_t>(find.candidateNext),
                     find.candidates.end());
        startScan(find, std::move(again), find.scanNext);
        find.matchedQuery = find.query;
        if (!continueScan(peer, find)) return false;
    } else {
        if (!sameMessages) cache.clear();
        while (!cache.empty() && !std::string_view(find.query).starts_with(cache.back().first))
            cache.pop_back();
        find.scanning = false;
        find.peer = peer.id;
        find.revision = peer.messagesRevision;
        find.messageCount = peer.messages.size();
        find.matchedQuery = find.query;
        if (find.query.empty()) {
            find.matches.clear();
        } else if (!cache.empty() && cache.back().first == find.query) {
            find.matches = cache.back().second;
        } else {
            // A message containing the query contains every prefix of it: only a cached prefix's matches
            // need a look, else every message.
            if (!cache.empty())
                startScan(find, {cache.back().second.rbegin(), cache.back().second.rend()}, 0);
            else
                startScan(find, {}, peer.messages.size());
            if (!continueScan(peer, find)) return false;
        }
    }
    if (!find.query.empty() && (cache.empty() || cache.back().first != find.query))
        cache.emplace_back(find.query, find.matches);
    // A new query starts at the newest match; new messages keep the position.
    if (!sameQuery || find.current >= find.matches.size() || find.jumpWhenDone)
        find.current = find.matches.empty() ? 0 : find.matches.size() - 1;
    return true;
}

// A file name for the export: "Duet chat with NAME YYYY-MM-DD HHMMSS.txt", name reduced to safe bytes.
std::string exportFileName(const state::Peer& peer, std::int64_t nowMs)
{
    std::string name;
    for (const char c : peer.name)
        name += (std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '-' || c == '_') ? c : '_';
    if (name.empty()) name = "peer";
    const std::time_t seconds = static_cast<std::time_t>(nowMs / 1000);
    std::tm parts{};
    char stamp[32] = "now";
    if (::localtime_r(&seconds, &parts) != nullptr)
        std::strftime(stamp, sizeof stamp, "%Y-%m-%d %H%M%S", &parts);
    return "Duet chat with " + name + " " + stamp + ".txt";
}

} // namespace

std::vector<std::size_t> findMessages(const std::vector<state::ChatMessage>& messages, std::string_view query)
{
    std::vector<std::size_t> found;
    if (query.empty()) return found;
    for (std::size_t i = 0; i < messages.size(); ++i)
        if (containsIgnoringAsciiCase(messages[i].text, query)) found.push_back(i);
    return found;
}

void drawChatFind(const state::Peer& peer, ViewState& view)
{
    ChatFindView& find = view.find;
    const ImGuiIO& io = ImGui::GetIO();
    // ImGui 1.86 names only a few keys; key indexes are the backend's, and GLFW's code for F is 'F'.
    if (io.KeyCtrl && ImGui::IsKeyPressed(kKeyF, false) &&
        ImGui::IsWindowFocused(ImGuiFocusedFlags_RootAndChildWindows)) {
        find.open = true;
        find.focusInput = true;
    }
    if (!find.open) return;

    bool jump = false;
    const float em = ImGui::GetFontSize();
    ImGui::AlignTextToFramePadding();
    ImGui::TextUnformatted("Find");
    ImGui::SameLine();
    if (find.focusInput) {
        ImGui::SetKeyboardFocusHere();
        find.focusInput = false;
    }
    ImGui::SetNextItemWidth(em * 14);
    const std::string before = find.query;
    const bool entered = ImGui::InputText("##find", &find.query, ImGuiInputTextFlags_EnterReturnsTrue);
    locate(view, "chat.find");
    const bool inputActive = ImGui::IsItemActive() || entered;
    if (find.query != before) find.jumpWhenDone = true;
    if (refreshMatches(peer, find) && find.jumpWhenDone) {
        find.jumpWhenDone = false;
        jump = !find.matches.empty();
    }
    const bool previous = entered && io.KeyShift;
    ImGui::SameLine();
    const bool up = ImGui::ArrowButton("##find-prev", ImGuiDir_Up);
    ImGui::SameLine();
    const bool down = ImGui::ArrowButton("##find-next", ImGuiDir_Down);
    if (!find.matches.empty()) {
        const std::size_t count = find.matches.size();
        if (up || previous) {
            find.current = (find.current + count - 1) % count;
            jump = true;
        } else if (down || entered) {
            find.current = (find.current + 1) % count;
            jump = true;
        }
        if (entered) find.focusInput = true; // keep typing / pressing Enter
    }
    ImGui::SameLine();
    if (find.query.empty())
        textColored(palette(view.theme).muted, "type to search this conversation");
    else if (find.scanning)
        textColored(palette(view.theme).muted, "searching...");
    else if (find.matches.empty())
        textColored(palette(view.theme).warning, "no match");
    else
        ImGui::Text("%zu of %zu", find.current + 1, find.matches.size());
    ImGui::SameLine();
    if (button(view, "chat.find.close", "Close") ||
        (inputActive && ImGui::IsKeyPressed(ImGui::GetKeyIndex(ImGuiKey_Escape), false))) {
        find.open = false;
        find.scanning = false;
        find.matchedQuery.clear(); // searched again when the bar opens
        view.history.selectedMessage = ChatHistoryView::kNone;
    }
    if (jump && find.current < find.matches.size()) view.history.jumpTo = find.matches[find.current];
}

void drawHistoryMenu(const state::Peer& peer, ViewState& view, std::int64_t nowMs, Commands& out)
{
    if (button(view, "chat.history.menu", "History")) ImGui::OpenPopup("history-menu");
    if (ImGui::BeginPopup("history-menu")) {
        if (ImGui::MenuItem("Find...", "Ctrl+F")) {
            view.find.open = true;
            view.find.focusInput = true;
        }
        const bool known = !peer.fingerprint.empty();
        const std::string folder = view.transfers.settings.downloadDir;
        if (ImGui::MenuItem("Export as text", nullptr, false, known && !folder.empty()))
            out.push_back(command::ExportHistory{peer.id, peer.fingerprint,
                                                 folder + "/" + exportFileName(peer, nowMs)});
        if (ImGui::IsItemHovered() && !folder.empty())
            ImGui::SetTooltip("Saves the whole conversation into %s", folder.c_str());
        if (ImGui::MenuItem("Clear history...", nullptr, false, known)) view.find.confirmClear = true;
        ImGui::EndPopup();
    }
    if (view.find.confirmClear) {
        ImGui::OpenPopup("Clear history?");
        view.find.confirmClear = false;
    }
    const ImGuiViewport* viewport = ImGui::GetMainViewport();
    ImGui::SetNextWindowPos(viewport->GetCenter(), ImGuiCond_Appearing, ImVec2(0.5f, 0.5f));
    if (ImGui::BeginPopupModal("Clear history?", nullptr,
                               ImGuiWindowFlags_AlwaysAutoResize | ImGuiWindowFlags_NoSavedSettings)) {
        locateWindow(view, "chat.clear.window");
        ImGui::TextUnformatted("Delete every stored message of this conversation from this computer?");
        textColored(palette(view.theme).muted,
                    "Messages still waiting to be delivered stay queued. The other side keeps its copy.");
        if (button(view, "chat.clear.confirm", "Clear history")) {
            out.push_back(command::ClearHistory{peer.id, peer.fingerprint});
            ImGui::CloseCurrentPopup();
        }
        ImGui::SameLine();
        if (button(view, "chat.clear.cancel", "Cancel")) ImGui::CloseCurrentPopup();
        ImGui::EndPopup();
    }
}

} // namespace duet::ui
