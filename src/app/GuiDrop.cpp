#include "GuiDrop.hpp"

#include "GuiWindow.hpp"
#include "duet/ui/Links.hpp"

#include <glad/gl.h>
#define GLFW_INCLUDE_NONE
#include <GLFW/glfw3.h>
#include <cstring>
#include <mutex>
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

// Runs `xdg-open ARGUMENT` (argv, no shell); returns posix_spawnp's error number. The child keeps only
// stdin, stdout and stderr: a browser or file manager it starts would otherwise hold ENet's UDP socket
// (not close-on-exec) and keep the port taken after Duet quits.
int spawnXdgOpen(const std::string& argument, pid_t& child)
{
    std::string program = "xdg-open";
    std::string copy = argument;
    char* argv[] = {program.data(), copy.data(), nullptr};
    posix_spawn_file_actions_t actions;
    if (const int error = posix_spawn_file_actions_init(&actions); error != 0) return error;
    int error = posix_spawn_file_actions_addclosefrom_np(&actions, 3);
    if (error == 0) error = posix_spawnp(&child, "xdg-open", &actions, nullptr, argv, environ);
    posix_spawn_file_actions_destroy(&actions);
    return error;
}

std::mutex& linkFailuresMutex()
{
    static std::mutex mutex;
    return mutex;
}

std::vector<std::string>& linkFailures()
{
    static std::vector<std::string> failures;
    return failures;
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
        if (spawnXdgOpen(folder, child) != 0) return;
        int status = 0;
        waitpid(child, &status, 0); // reaps it; nobody waits for this thread
    }).detach();
}

std::string openLinkInBackground(const std::string& url)
{
    if (!ui::isOpenableUrl(url)) return "this link was not opened: only plain http and https addresses are";
    pid_t child = 0;
    if (const int error = spawnXdgOpen(url, child); error != 0)
        return "cannot open the link: starting xdg-open failed (" + std::string(std::strerror(error)) + ")";
    // The browser may take seconds to start; the exit status comes back through takeLinkFailures().
    std::thread([child] {
        int status = 0;
        if (waitpid(child, &status, 0) != child) return;
        if (WIFEXITED(status) && WEXITSTATUS(status) == 0) return;
        const int code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
        std::string reason = code == 3   ? "no browser or tool to open it was found"
                             : code == 4 ? "the browser reported a failure"
                                         : "xdg-open failed";
        if (code >= 0) reason += " (xdg-open exit status " + std::to_string(code) + ")";
        {
            const std::lock_guard lock(linkFailuresMutex());
            linkFailures().push_back("cannot open the link: " + reason);
        }
        GuiWindow::wakeFromAnyThread();
    }).detach();
    return {};
}

std::vector<std::string> takeLinkFailures()
{
    std::vector<std::string> failures;
    const std::lock_guard lock(linkFailuresMutex());
    failures.swap(linkFailures());
    return failures;
}

bool hasLinkFailures()
{
    const std::lock_guard lock(linkFailuresMutex());
    return !linkFailures().empty();
}

} // namespace duet::app
