#pragma once
// Desktop glue around the frame loop that is not drawing: files dropped on the window, "show in folder"
// and links clicked in chat (xdg-open in the background, never waiting for it). The title and attention
// logic is ui/WindowAttention.hpp.
// Thread: main thread (the GLFW drop callback runs inside glfwWaitEvents on it).
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

// Opens `folder` in the desktop's file manager without blocking (a detached thread waits for xdg-open).
void openFolderInBackground(const std::string& folder);

// Opens a link in the user's browser with `xdg-open URL` without blocking, only when ui::isOpenableUrl
// accepts it. Returns an empty string when xdg-open started, else a sentence for the user. An xdg-open
// that fails later is reported by takeLinkFailures() (the window is woken for it).
std::string openLinkInBackground(const std::string& url);
std::vector<std::string> takeLinkFailures();
bool hasLinkFailures();

} // namespace duet::app
