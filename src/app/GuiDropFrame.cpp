// The frame loop's desktop glue (declared in GuiFrameLoop.hpp): what happens between frames that is
// neither drawing nor engine traffic.
#include "GuiFrameLoop.hpp"
#include "duet/state/EventText.hpp"
#include "duet/ui/TransfersPanel.hpp"
#include "duet/ui/WindowAttention.hpp"

#include <glad/gl.h>
#define GLFW_INCLUDE_NONE
#include <GLFW/glfw3.h>

namespace duet::app {

void GuiFrameLoop::desktopGlue(std::int64_t nowMs)
{
    // Files dropped on the window go to the conversation the user is looking at.
    if (std::vector<std::string> dropped = GuiDrop::takeDropped(); !dropped.empty()) {
        const state::Peer* peer = m_state.findPeer(m_view.selectedPeer);
        // The event log shows each path as GLFW decoded it from the desktop's URI list.
        for (const std::string& path : dropped)
            m_hooks.note("drop path=" + state::quoteForLog(path));
        ui::Commands commands;
        if (peer && peer->phase == state::PeerPhase::Online)
            commands.push_back(command::SendFiles{peer->id, std::move(dropped)});
        else
            m_state.apply(event::Error{PeerId{}, "connect to a peer before dropping files to send"}, nowMs);
        handleCommands(commands, nowMs);
        m_pending = true;
    }

    for (const std::string& folder : m_view.transfers.openFolderRequests)
        openFolderInBackground(folder);
    m_view.transfers.openFolderRequests.clear();

    if (m_view.transfers.settingsToSave) {
        m_settings.saveValues(*m_view.transfers.settingsToSave);
        m_view.transfers.settingsToSave.reset();
        if (!m_settings.error().empty()) m_state.apply(event::Error{PeerId{}, m_settings.error()}, nowMs);
    }

    // Links clicked in the conversation; a failure shows in the error banner and the log.
    for (const std::string& url : m_view.history.openLinkRequests) {
        m_hooks.note("open link " + url);
        if (std::string error = openLinkInBackground(url); !error.empty())
            m_state.apply(event::Error{PeerId{}, std::move(error)}, nowMs);
    }
    m_view.history.openLinkRequests.clear();
    for (std::string& failure : takeLinkFailures()) {
        m_state.apply(event::Error{PeerId{}, std::move(failure)}, nowMs);
        m_pending = true;
    }

    const std::size_t unseen = ui::unseenCount(m_state);
    const std::string title = ui::titleWithUnread(windowTitle(m_state.displayName()), unseen);
    if (title != m_shownTitle) {
        m_window.setTitle(title);
        m_shownTitle = title;
    }
    if (ui::shouldRequestAttention(unseen, m_unseenNotified, m_window.focused(),
                                   m_view.transfers.settings.notifications))
        glfwRequestWindowAttention(m_window.handle());
    m_unseenNotified = unseen;
}

} // namespace duet::app
