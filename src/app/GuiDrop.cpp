#include "GuiDrop.hpp"

#include <glad/gl.h>
#define GLFW_INCLUDE_NONE
#include <GLFW/glfw3.h>
#include <spawn.h>
#include <sys/wait.h>
#include <thread>

extern char** environ;

namespace duet::app {
namespace {

constexpr std::size_t kMaxDroppedPaths = 10'000; // a drop of a whole disk's worth is cut here

std::vector<std::string>& droppedPaths()
{
    static std::vector<std::string> paths;
    return paths;
}

void onDrop(GLFWwindow*, int count, const char** paths)
{
    std::vector<std::string>& list = droppedPaths();
    for (int i = 0; i < count && list.size() < kMaxDroppedPaths; ++i)
        if (paths[i] && paths[i][0] == '/') list.emplace_back(paths[i]);
}

} // namespace

GuiDrop::GuiDrop(GLFWwindow* window)
{
    glfwSetDropCallback(window, onDrop);
}

std::vector<std::string> GuiDrop::takeDropped()
{
    std::vector<std::string> paths;
    paths.swap(droppedPaths());
    return paths;
}

bool GuiDrop::hasDropped()
{
    return !droppedPaths().empty();
}

void openFolderInBackground(const std::string& folder)
{
    std::thread([folder] {
        pid_t child = 0;
        std::string program = "xdg-open";
        std::string argument = folder;
        char* argv[] = {program.data(), argument.data(), nullptr};
        if (posix_spawnp(&child, "xdg-open", nullptr, nullptr, argv, environ) != 0) return;
        int status = 0;
        waitpid(child, &status, 0); // reaps it; nobody waits for this thread
    }).detach();
}

} // namespace duet::app
