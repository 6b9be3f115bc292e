#pragma once
// Desktop glue around the frame loop that is not drawing: files dropped on the window, the unread count
// in the title with a request for attention when something new arrives while the window is unfocused,
// and "show in folder" (xdg-open in the background, never waiting for it).
// Thread: main thread (the GLFW drop callback runs inside glfwWaitEvents on it).
#include "duet/state/AppState.hpp"

#include <cstddef>
#include <string>
#include <vector>

struct GLFWwindow;

namespace duet::app {

class GuiDrop {
public:
    // Installs the drop callback; the window's user pointer must stay the GuiWindow's, so the dropped
    // paths are kept in a static list owned by this class (one window per process).
    explicit GuiDrop(GLFWwindow* window);
    // Paths dropped since the last call.
    static std::vector<std::string> takeDropped();
    static bool hasDropped();
};

// Builds "Duet — name" with "(N) " in front while N messages or offers are unseen.
std::string titleWithUnread(const std::string& baseTitle, std::size_t unseen);
// Unread chat messages over all peers plus offers waiting for an answer.
std::size_t unseenCount(const state::AppState& state);

// Opens `folder` in the desktop's file manager without blocking (a detached thread waits for xdg-open).
void openFolderInBackground(const std::string& folder);

} // namespace duet::app
