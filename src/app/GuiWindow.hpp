#pragma once
// The GLFW window with an OpenGL 3.3 core context, the app icon and activity tracking, so the frame loop
// can sleep in glfwWaitEventsTimeout and draw only when something happened.
// Thread: the main thread, except wakeFromAnyThread(). Errors: create() throws std::runtime_error.
#include <memory>
#include <string>

struct GLFWwindow;

namespace duet::app {

class GuiWindow {
public:
    static std::unique_ptr<GuiWindow> create(const std::string& title);
    ~GuiWindow(); // destroys the window and terminates GLFW
    GuiWindow(const GuiWindow&) = delete;
    GuiWindow& operator=(const GuiWindow&) = delete;

    GLFWwindow* handle() const { return m_window; }
    void setTitle(const std::string& title);
    // The app icon: decoding it and sending 256 KiB to the X server took ~5 ms, so it comes after the
    // first frame rather than before.
    void setIcon();
    // True after a window close, or after SIGTERM/SIGINT once closeOnSignals() is installed.
    bool shouldClose() const;
    // SIGTERM (a session logout, `kill`) and SIGINT end the app like a window close: the window's size
    // and position are saved and the engine closes its connections politely.
    static void closeOnSignals();
    bool iconified() const;
    bool focused() const;
    // The monitor's scale for this window (1 = 100 %); DUET_GUI_SCALE overrides it (tests, odd setups).
    float contentScale() const;
    // The scale to prepare fonts for before the window exists: DUET_GUI_SCALE, else 1 (a guess; a window
    // that turns out different rebuilds them).
    static float expectedContentScale();
    // True once after any input, resize, expose or scale change since the previous call.
    bool takeActivity();
    // Sleeps until an event arrives or `seconds` pass (<= 0: only processes pending events).
    void waitEvents(double seconds);

    // Wakes a waiting frame loop. Safe from any thread while the window exists.
    static void wakeFromAnyThread();

private:
    explicit GuiWindow(GLFWwindow* window) : m_window(window) {}
    void installActivityCallbacks();

    GLFWwindow* m_window = nullptr;
    bool m_activity = true;
};

// "Duet — <name>": unique per instance when names differ, so tests can find each window.
std::string windowTitle(const std::string& displayName);

} // namespace duet::app
