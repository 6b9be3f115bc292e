#include "GuiWindow.hpp"

#include "GuiIcon.hpp"

#include <glad/gl.h>
#define GLFW_INCLUDE_NONE
#include <GLFW/glfw3.h>
#include <atomic>
#include <csignal>
#include <cstdlib>
#include <optional>
#include <stdexcept>
#include <string>

namespace duet::app {
namespace {

std::string g_lastGlfwError;
// Set from a signal handler (a lock-free store is async-signal-safe); the frame loop sees it on its next
// wake-up, at most kIdleWaitSeconds later, and ends like a window close.
std::atomic<bool> g_closeSignalled{false};
static_assert(std::atomic<bool>::is_always_lock_free);

void onGlfwError(int code, const char* description)
{
    g_lastGlfwError = "GLFW error " + std::to_string(code) + ": " + (description ? description : "unknown");
}

GuiWindow& self(GLFWwindow* window)
{
    return *static_cast<GuiWindow*>(glfwGetWindowUserPointer(window));
}

} // namespace

std::string windowTitle(const std::string& displayName)
{
    return "Duet \xE2\x80\x94 " + displayName;
}

std::unique_ptr<GuiWindow> GuiWindow::create(const std::string& title)
{
    glfwSetErrorCallback(onGlfwError);
    if (!glfwInit())
        throw std::runtime_error("cannot open a window (" + g_lastGlfwError +
                                 "). Is DISPLAY set? Use --headless without a display.");
    glfwWindowHint(GLFW_CONTEXT_VERSION_MAJOR, 3);
    glfwWindowHint(GLFW_CONTEXT_VERSION_MINOR, 3);
    glfwWindowHint(GLFW_OPENGL_PROFILE, GLFW_OPENGL_CORE_PROFILE);
    glfwWindowHint(GLFW_OPENGL_FORWARD_COMPAT, GLFW_TRUE);
    glfwWindowHint(GLFW_SCALE_TO_MONITOR, GLFW_TRUE);
    glfwWindowHintString(GLFW_X11_CLASS_NAME, "duet");
    glfwWindowHintString(GLFW_X11_INSTANCE_NAME, "duet");
    // EGL first: with Mesa it opens the context ~40 % faster than GLX and its first swap is immediate.
    // A system without a working EGL keeps the native API (GLX).
    glfwWindowHint(GLFW_CONTEXT_CREATION_API, GLFW_EGL_CONTEXT_API);
    GLFWwindow* window = glfwCreateWindow(960, 640, title.c_str(), nullptr, nullptr);
    if (!window) {
        glfwWindowHint(GLFW_CONTEXT_CREATION_API, GLFW_NATIVE_CONTEXT_API);
        window = glfwCreateWindow(960, 640, title.c_str(), nullptr, nullptr);
    }
    if (!window) {
        const std::string reason = g_lastGlfwError;
        glfwTerminate();
        throw std::runtime_error("cannot create an OpenGL 3.3 window (" + reason + ")");
    }
    glfwMakeContextCurrent(window);
    if (gladLoadGL(glfwGetProcAddress) == 0) {
        glfwDestroyWindow(window);
        glfwTerminate();
        throw std::runtime_error("cannot load OpenGL 3.3 functions");
    }
    glfwSwapInterval(1);
    glfwSetWindowSizeLimits(window, 480, 360, GLFW_DONT_CARE, GLFW_DONT_CARE);

    std::unique_ptr<GuiWindow> result(new GuiWindow(window));
    glfwSetWindowUserPointer(window, result.get());
    result->installActivityCallbacks();
    return result;
}

GuiWindow::~GuiWindow()
{
    glfwDestroyWindow(m_window);
    glfwTerminate();
}

void GuiWindow::installActivityCallbacks()
{
    // Installed before ImGui's backend, which chains to these for the callbacks it also uses.
    const auto mark = [](GLFWwindow* window) { self(window).m_activity = true; };
    glfwSetKeyCallback(m_window, [](GLFWwindow* w, int, int, int, int) { self(w).m_activity = true; });
    glfwSetCharCallback(m_window, [](GLFWwindow* w, unsigned int) { self(w).m_activity = true; });
    glfwSetMouseButtonCallback(m_window, [](GLFWwindow* w, int, int, int) { self(w).m_activity = true; });
    glfwSetCursorPosCallback(m_window, [](GLFWwindow* w, double, double) { self(w).m_activity = true; });
    glfwSetScrollCallback(m_window, [](GLFWwindow* w, double, double) { self(w).m_activity = true; });
    glfwSetCursorEnterCallback(m_window, [](GLFWwindow* w, int) { self(w).m_activity = true; });
    glfwSetWindowFocusCallback(m_window, [](GLFWwindow* w, int) { self(w).m_activity = true; });
    glfwSetWindowIconifyCallback(m_window, [](GLFWwindow* w, int) { self(w).m_activity = true; });
    glfwSetFramebufferSizeCallback(m_window, [](GLFWwindow* w, int, int) { self(w).m_activity = true; });
    glfwSetWindowContentScaleCallback(m_window,
                                      [](GLFWwindow* w, float, float) { self(w).m_activity = true; });
    glfwSetWindowRefreshCallback(m_window, mark);
}

void GuiWindow::setIcon()
{
    setWindowIcon(m_window);
}

void GuiWindow::setTitle(const std::string& title)
{
    glfwSetWindowTitle(m_window, title.c_str());
}

bool GuiWindow::shouldClose() const
{
    return glfwWindowShouldClose(m_window) || g_closeSignalled.load();
}

void GuiWindow::closeOnSignals()
{
    struct sigaction action {};
    action.sa_handler = [](int) { g_closeSignalled.store(true); };
    sigemptyset(&action.sa_mask);
    action.sa_flags = SA_RESTART;
    ::sigaction(SIGINT, &action, nullptr);
    ::sigaction(SIGTERM, &action, nullptr);
}

bool GuiWindow::iconified() const
{
    return glfwGetWindowAttrib(m_window, GLFW_ICONIFIED) != 0;
}

bool GuiWindow::focused() const
{
    return glfwGetWindowAttrib(m_window, GLFW_FOCUSED) != 0;
}

namespace {

std::optional<float> forcedScale()
{
    if (const char* forced = std::getenv("DUET_GUI_SCALE")) {
        const float value = std::strtof(forced, nullptr);
        if (value >= 0.5f && value <= 4.f) return value;
    }
    return std::nullopt;
}

} // namespace

float GuiWindow::expectedContentScale()
{
    return forcedScale().value_or(1.f);
}

float GuiWindow::contentScale() const
{
    if (const auto forced = forcedScale()) return *forced;
    float x = 1.f, y = 1.f;
    glfwGetWindowContentScale(m_window, &x, &y);
    return x > 0.f ? x : 1.f;
}

bool GuiWindow::takeActivity()
{
    const bool had = m_activity;
    m_activity = false;
    return had;
}

void GuiWindow::waitEvents(double seconds)
{
    if (seconds > 0)
        glfwWaitEventsTimeout(seconds);
    else
        glfwPollEvents();
}

void GuiWindow::wakeFromAnyThread()
{
    glfwPostEmptyEvent();
}

} // namespace duet::app
