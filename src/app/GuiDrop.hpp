#pragma once
// Desktop glue around the frame loop that is not drawing: files dropped on the window and "show in
// folder" (xdg-open in the background, never waiting for it). The title and attention logic is
// ui/WindowAttention.hpp.
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

} // namespace duet::app
