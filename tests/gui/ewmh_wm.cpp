// duet-ewmh-wm: a stand-in EWMH window manager for tests on a bare Xvfb. Without a window manager GLFW
// (x11) finds no _NET_SUPPORTING_WM_CHECK at glfwInit, and glfwRequestWindowAttention does nothing; with
// this tool running first, the app asks for attention the way it does on a desktop and the test sees it.
//
//   duet-ewmh-wm [--timeout SECONDS]
//
// It creates a check window, names it on the root window and on itself (_NET_SUPPORTING_WM_CHECK),
// advertises _NET_SUPPORTED (_NET_WM_STATE, _NET_WM_STATE_DEMANDS_ATTENTION, _NET_ACTIVE_WINDOW), then
// prints on stdout, one flushed line each:
//   ready check=0xID
//   state window=0xID action=add|remove|toggle atoms=NAME[,NAME]   (a _NET_WM_STATE request)
//   active window=0xID                                           (a _NET_ACTIVE_WINDOW request)
// Like a real window manager it applies each state request to the window's _NET_WM_STATE property, and an
// activation focuses and raises the window, sets _NET_ACTIVE_WINDOW on the root window and clears the
// window's DEMANDS_ATTENTION. It selects only SubstructureNotify on the root window, not
// SubstructureRedirect: requests sent to the root window reach it either way, and without redirection
// windows map, move and resize by themselves as they do on a bare Xvfb (no MapRequest to answer).
// It ends when stdin closes, on SIGTERM or SIGINT, or after --timeout (default 600 s), and removes its
// root window properties first. Exit status: 0 after such an end, 1 no display, 2 usage.
#include <X11/Xatom.h>
#include <X11/Xlib.h>
#include <algorithm>
#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <poll.h>
#include <string>
#include <unistd.h>
#include <vector>

namespace {

using Clock = std::chrono::steady_clock;

constexpr long kRemove = 0, kAdd = 1, kToggle = 2; // _NET_WM_STATE actions (EWMH)

std::atomic<bool> g_stop{false};
static_assert(std::atomic<bool>::is_always_lock_free);

// A window can vanish between its request and our answer; Xlib's default handler would exit.
int ignoreXError(Display*, XErrorEvent*)
{
    return 0;
}

struct Atoms {
    Atom check, supported, state, attention, active, name, utf8;
};

Atoms internAtoms(Display* display)
{
    auto get = [display](const char* name) { return XInternAtom(display, name, False); };
    return {get("_NET_SUPPORTING_WM_CHECK"),
            get("_NET_SUPPORTED"),
            get("_NET_WM_STATE"),
            get("_NET_WM_STATE_DEMANDS_ATTENTION"),
            get("_NET_ACTIVE_WINDOW"),
            get("_NET_WM_NAME"),
            get("UTF8_STRING")};
}

std::string atomName(Display* display, Atom atom)
{
    char* name = XGetAtomName(display, atom);
    std::string out = name ? name : "?";
    if (name) XFree(name);
    return out;
}

void setWindowProperty(Display* display, Window on, Atom property, Window value)
{
    XChangeProperty(display, on, property, XA_WINDOW, 32, PropModeReplace,
                    reinterpret_cast<const unsigned char*>(&value), 1);
}

std::vector<Atom> readState(Display* display, Window window, const Atoms& atoms)
{
    Atom type = None;
    int format = 0;
    unsigned long count = 0, after = 0;
    unsigned char* data = nullptr;
    std::vector<Atom> state;
    if (XGetWindowProperty(display, window, atoms.state, 0, 1024, False, XA_ATOM, &type, &format, &count,
                           &after, &data) == Success &&
        type == XA_ATOM && format == 32) {
        const auto* list = reinterpret_cast<const Atom*>(data);
        state.assign(list, list + count);
    }
    if (data) XFree(data);
    return state;
}

void applyState(Display* display, Window window, const Atoms& atoms, long action,
                const std::vector<Atom>& changed)
{
    std::vector<Atom> state = readState(display, window, atoms);
    for (const Atom atom : changed) {
        const auto found = std::find(state.begin(), state.end(), atom);
        const bool present = found != state.end();
        if (present && (action == kRemove || action == kToggle))
            state.erase(found);
        else if (!present && (action == kAdd || action == kToggle))
            state.push_back(atom);
    }
    XChangeProperty(display, window, atoms.state, XA_ATOM, 32, PropModeReplace,
                    reinterpret_cast<const unsigned char*>(state.data()), static_cast<int>(state.size()));
}

void onStateRequest(Display* display, const XClientMessageEvent& message, const Atoms& atoms)
{
    const long action = message.data.l[0];
    std::vector<Atom> changed;
    std::string names;
    for (int i = 1; i <= 2; ++i) {
        const auto atom = static_cast<Atom>(message.data.l[i]);
        if (atom == None) continue;
        changed.push_back(atom);
        names += (names.empty() ? "" : ",") + atomName(display, atom);
    }
    const char* verb = action == kRemove   ? "remove"
                       : action == kAdd    ? "add"
                       : action == kToggle ? "toggle"
                                           : "?";
    std::printf("state window=0x%lx action=%s atoms=%s\n", static_cast<unsigned long>(message.window), verb,
                names.c_str());
    std::fflush(stdout);
    if (action >= kRemove && action <= kToggle) applyState(display, message.window, atoms, action, changed);
}

void onActivateRequest(Display* display, Window root, const XClientMessageEvent& message, const Atoms& atoms)
{
    const Window window = message.window;
    std::printf("active window=0x%lx\n", static_cast<unsigned long>(window));
    std::fflush(stdout);
    XRaiseWindow(display, window);
    XSetInputFocus(display, window, RevertToParent, CurrentTime);
    setWindowProperty(display, root, atoms.active, window);
    // Window managers drop the hint once the user has turned to the window.
    applyState(display, window, atoms, kRemove, {atoms.attention});
}

bool parse(int argc, char** argv, double& timeoutSeconds)
{
    for (int i = 1; i < argc; ++i) {
        const std::string arg = argv[i];
        if (arg != "--timeout" || i + 1 >= argc) return false;
        char* end = nullptr;
        timeoutSeconds = std::strtod(argv[++i], &end);
        if (end == argv[i] || *end != '\0' || !(timeoutSeconds > 0)) return false;
    }
    return true;
}

} // namespace

int main(int argc, char** argv)
{
    double timeoutSeconds = 600;
    if (!parse(argc, argv, timeoutSeconds)) {
        std::fprintf(stderr, "usage: duet-ewmh-wm [--timeout SECONDS]\n");
        return 2;
    }
    Display* display = XOpenDisplay(nullptr);
    if (!display) {
        std::fprintf(stderr, "duet-ewmh-wm: cannot open the X display (DISPLAY unset or unreachable)\n");
        return 1;
    }
    XSetErrorHandler(ignoreXError);
    struct sigaction action {};
    action.sa_handler = [](int) { g_stop.store(true); };
    sigemptyset(&action.sa_mask);
    ::sigaction(SIGTERM, &action, nullptr);
    ::sigaction(SIGINT, &action, nullptr);

    const Atoms atoms = internAtoms(display);
    const Window root = DefaultRootWindow(display);
    const Window check = XCreateSimpleWindow(display, root, -1, -1, 1, 1, 0, 0, 0);
    setWindowProperty(display, check, atoms.check, check);
    const std::string name = "duet-ewmh-wm";
    XChangeProperty(display, check, atoms.name, atoms.utf8, 8, PropModeReplace,
                    reinterpret_cast<const unsigned char*>(name.data()), static_cast<int>(name.size()));
    setWindowProperty(display, root, atoms.check, check);
    const Atom supported[] = {atoms.supported, atoms.check, atoms.state, atoms.attention, atoms.active};
    XChangeProperty(display, root, atoms.supported, XA_ATOM, 32, PropModeReplace,
                    reinterpret_cast<const unsigned char*>(supported), std::size(supported));
    XSelectInput(display, root, SubstructureNotifyMask);
    XSync(display, False);
    std::printf("ready check=0x%lx\n", static_cast<unsigned long>(check));
    std::fflush(stdout);

    const auto deadline = Clock::now() + std::chrono::duration_cast<Clock::duration>(
                                             std::chrono::duration<double>(timeoutSeconds));
    bool inputOpen = true;
    while (!g_stop.load() && inputOpen && Clock::now() < deadline) {
        while (XPending(display) > 0) {
            XEvent event{};
            XNextEvent(display, &event);
            if (event.type != ClientMessage || event.xclient.format != 32) continue;
            if (event.xclient.message_type == atoms.state)
                onStateRequest(display, event.xclient, atoms);
            else if (event.xclient.message_type == atoms.active)
                onActivateRequest(display, root, event.xclient, atoms);
        }
        XFlush(display);
        pollfd fds[2] = {{ConnectionNumber(display), POLLIN, 0}, {STDIN_FILENO, POLLIN, 0}};
        if (poll(fds, 2, 100) > 0 && (fds[1].revents & (POLLIN | POLLHUP)) != 0) {
            char buffer[256];
            inputOpen = ::read(STDIN_FILENO, buffer, sizeof buffer) > 0;
        }
    }
    // The next test on this display should find no window manager that is gone.
    XDeleteProperty(display, root, atoms.check);
    XDeleteProperty(display, root, atoms.supported);
    XDeleteProperty(display, root, atoms.active);
    XDestroyWindow(display, check);
    XCloseDisplay(display);
    return 0;
}
