// duet-xdnd-drop: drops files and folders on an X11 window the way a desktop file manager does, as an
// XDND drag source (protocol version 5, or the target's lower version): it owns XdndSelection, sends
// XdndEnter with text/uri-list, one XdndPosition over the window, waits for XdndStatus, sends XdndDrop,
// serves the selection as file:// URIs and waits for XdndFinished.
//
//   duet-xdnd-drop --window WID [--timeout SECONDS] PATH...
//
// Exit status: 0 the target took the drop and reported success, 1 refusal, protocol failure or timeout
// (with one line on stderr saying which), 2 usage. XdndProxy and INCR transfers are not implemented:
// GLFW windows need neither, and the tool refuses a URI list too long for one property.
#include <X11/Xatom.h>
#include <X11/Xlib.h>
#include <algorithm>
#include <array>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <optional>
#include <poll.h>
#include <string>
#include <vector>

namespace {

constexpr long kOurVersion = 5;
constexpr int kMaxEvents = 10'000; // events read per wait; a flood of unrelated events cannot spin us

using Clock = std::chrono::steady_clock;

struct Atoms {
    Atom aware, enter, position, status, leave, drop, finished, selection, actionCopy, uriList, targets,
        stamp;
};

Atoms internAtoms(Display* display)
{
    auto get = [display](const char* name) { return XInternAtom(display, name, False); };
    return {get("XdndAware"),      get("XdndEnter"),     get("XdndPosition"), get("XdndStatus"),
            get("XdndLeave"),      get("XdndDrop"),      get("XdndFinished"), get("XdndSelection"),
            get("XdndActionCopy"), get("text/uri-list"), get("TARGETS"),      get("_DUET_XDND_STAMP")};
}

int g_xError = 0; // Xlib reports errors through a global handler; the tool is single-threaded

int onXError(Display*, XErrorEvent* error)
{
    g_xError = error->error_code;
    return 0;
}

[[noreturn]] void fail(const std::string& message)
{
    std::fprintf(stderr, "duet-xdnd-drop: %s\n", message.c_str());
    std::exit(1);
}

// RFC 3986: everything but unreserved characters and the path separator is escaped, so spaces, '%',
// '#', '?' and non-ASCII bytes survive a receiver that decodes %XX (GLFW does).
std::string fileUri(const std::string& path)
{
    static const char* hex = "0123456789ABCDEF";
    std::string uri = "file://";
    for (const unsigned char c : path) {
        const bool plain = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                           c == '-' || c == '.' || c == '_' || c == '~' || c == '/';
        if (plain) {
            uri += static_cast<char>(c);
        } else {
            uri += '%';
            uri += hex[c >> 4];
            uri += hex[c & 0x0f];
        }
    }
    return uri;
}

// Waits for the next event until `deadline`; false on timeout, also while events keep arriving.
bool nextEvent(Display* display, XEvent& event, Clock::time_point deadline)
{
    for (int polls = 0; polls < kMaxEvents; ++polls) {
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
        if (left.count() <= 0) return false;
        if (XPending(display) > 0) {
            XNextEvent(display, &event);
            return true;
        }
        pollfd fd{ConnectionNumber(display), POLLIN, 0};
        poll(&fd, 1, static_cast<int>(std::min<long long>(left.count(), 100)));
    }
    return false;
}

void sendClientMessage(Display* display, Window target, Atom type, const std::array<long, 5>& data)
{
    XEvent event{};
    event.xclient.type = ClientMessage;
    event.xclient.window = target;
    event.xclient.message_type = type;
    event.xclient.format = 32;
    for (std::size_t i = 0; i < data.size(); ++i)
        event.xclient.data.l[i] = data[i];
    XSendEvent(display, target, False, NoEventMask, &event);
    XSync(display, False);
    if (g_xError != 0) fail("sending a client message failed (X error " + std::to_string(g_xError) + ")");
}

long targetVersion(Display* display, Window target, const Atoms& atoms)
{
    Atom type = None;
    int format = 0;
    unsigned long count = 0, after = 0;
    unsigned char* data = nullptr;
    const int status = XGetWindowProperty(display, target, atoms.aware, 0, 1, False, XA_ATOM, &type, &format,
                                          &count, &after, &data);
    XSync(display, False);
    long version = 0;
    if (status == Success && g_xError == 0 && type == XA_ATOM && format == 32 && count == 1)
        version = static_cast<long>(*reinterpret_cast<unsigned long*>(data));
    if (data) XFree(data);
    if (g_xError != 0) fail("window not found (X error " + std::to_string(g_xError) + ")");
    if (version == 0) fail("the window does not accept drops (no XdndAware property)");
    return version;
}

// A server timestamp for the selection and the drop: the time of a zero-length property change.
Time serverTime(Display* display, Window source, const Atoms& atoms, Clock::time_point deadline)
{
    XChangeProperty(display, source, atoms.stamp, XA_STRING, 8, PropModeAppend, nullptr, 0);
    XEvent event{};
    for (int events = 0; events < kMaxEvents && nextEvent(display, event, deadline); ++events)
        if (event.type == PropertyNotify && event.xproperty.window == source) return event.xproperty.time;
    fail("timed out waiting for a server timestamp");
}

// Answers one SelectionRequest for XdndSelection; returns true when it served the URI list.
bool answerRequest(Display* display, const XSelectionRequestEvent& request, const Atoms& atoms,
                   const std::string& uris)
{
    XEvent reply{};
    reply.xselection.type = SelectionNotify;
    reply.xselection.requestor = request.requestor;
    reply.xselection.selection = request.selection;
    reply.xselection.target = request.target;
    reply.xselection.time = request.time;
    // Obsolete clients pass None as the property; ICCCM says to use the target's name then.
    const Atom property = request.property == None ? request.target : request.property;
    reply.xselection.property = None;
    bool served = false;
    if (request.selection == atoms.selection && request.target == atoms.uriList) {
        XChangeProperty(display, request.requestor, property, atoms.uriList, 8, PropModeReplace,
                        reinterpret_cast<const unsigned char*>(uris.data()), static_cast<int>(uris.size()));
        reply.xselection.property = property;
        served = true;
    } else if (request.selection == atoms.selection && request.target == atoms.targets) {
        const Atom offered[] = {atoms.targets, atoms.uriList};
        XChangeProperty(display, request.requestor, property, XA_ATOM, 32, PropModeReplace,
                        reinterpret_cast<const unsigned char*>(offered), 2);
        reply.xselection.property = property;
    }
    XSendEvent(display, request.requestor, False, NoEventMask, &reply);
    XSync(display, False);
    return served;
}

struct Options {
    Window target = 0;
    double timeoutSeconds = 10;
    std::vector<std::string> paths;
};

std::optional<Options> parse(int argc, char** argv)
{
    Options options;
    for (int i = 1; i < argc; ++i) {
        const std::string arg = argv[i];
        if ((arg == "--window" || arg == "--timeout") && i + 1 < argc) {
            const char* value = argv[++i];
            char* end = nullptr;
            if (arg == "--window")
                options.target = static_cast<Window>(std::strtoul(value, &end, 0));
            else
                options.timeoutSeconds = std::strtod(value, &end);
            if (end == value || *end != '\0') return std::nullopt;
        } else if (arg.starts_with("--")) {
            return std::nullopt;
        } else {
            options.paths.push_back(std::filesystem::absolute(arg).lexically_normal().string());
        }
    }
    if (options.target == 0 || options.paths.empty() || !(options.timeoutSeconds > 0)) return std::nullopt;
    return options;
}

} // namespace

int main(int argc, char** argv)
{
    const std::optional<Options> options = parse(argc, argv);
    if (!options) {
        std::fprintf(stderr, "usage: duet-xdnd-drop --window WID [--timeout SECONDS] PATH...\n");
        return 2;
    }
    const auto timeout =
        std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(options->timeoutSeconds));
    std::string uris;
    for (const std::string& path : options->paths)
        uris += fileUri(path) + "\r\n";

    Display* display = XOpenDisplay(nullptr);
    if (!display) fail("cannot open the X display (DISPLAY unset or unreachable)");
    XSetErrorHandler(onXError);
    // One property holds at most the largest request minus its header; larger lists would need INCR.
    const long maxBytes = std::max(XExtendedMaxRequestSize(display), XMaxRequestSize(display)) * 4 - 64;
    if (static_cast<long>(uris.size()) > maxBytes) fail("too many paths for one selection property");

    const Atoms atoms = internAtoms(display);
    const Window target = options->target;
    const long version = std::min(kOurVersion, targetVersion(display, target, atoms));
    if (version < 3)
        fail("the window speaks XDND version " + std::to_string(version) + ", at least 3 needed");

    const Window root = DefaultRootWindow(display);
    const Window source = XCreateSimpleWindow(display, root, 0, 0, 1, 1, 0, 0, 0);
    XSelectInput(display, source, PropertyChangeMask);
    const Time time = serverTime(display, source, atoms, Clock::now() + timeout);
    XSetSelectionOwner(display, atoms.selection, source, time);
    if (XGetSelectionOwner(display, atoms.selection) != source) fail("could not own XdndSelection");

    // The pointer position the drop claims: the middle of the window, in root coordinates.
    XWindowAttributes attributes{};
    XGetWindowAttributes(display, target, &attributes);
    int x = 0, y = 0;
    Window child = 0;
    XTranslateCoordinates(display, target, root, attributes.width / 2, attributes.height / 2, &x, &y, &child);

    sendClientMessage(display, target, atoms.enter,
                      {static_cast<long>(source), version << 24, static_cast<long>(atoms.uriList), 0, 0});
    sendClientMessage(display, target, atoms.position,
                      {static_cast<long>(source), 0, (static_cast<long>(x) << 16) | (y & 0xffff),
                       static_cast<long>(time), static_cast<long>(atoms.actionCopy)});

    XEvent event{};
    const Clock::time_point statusDeadline = Clock::now() + timeout;
    bool accepted = false;
    for (int events = 0;; ++events) {
        if (events == kMaxEvents) fail("too many unrelated events while waiting for XdndStatus");
        if (!nextEvent(display, event, statusDeadline)) fail("timed out waiting for XdndStatus");
        if (event.type == ClientMessage && event.xclient.message_type == atoms.status &&
            static_cast<Window>(event.xclient.data.l[0]) == target) {
            accepted = (event.xclient.data.l[1] & 1) != 0;
            break;
        }
    }
    if (!accepted) {
        sendClientMessage(display, target, atoms.leave, {static_cast<long>(source), 0, 0, 0, 0});
        fail("the window refused the drop (XdndStatus without the accept bit)");
    }

    sendClientMessage(display, target, atoms.drop,
                      {static_cast<long>(source), 0, static_cast<long>(time), 0, 0});
    const Clock::time_point finishDeadline = Clock::now() + timeout;
    int served = 0;
    for (int events = 0;; ++events) {
        if (events == kMaxEvents) fail("too many unrelated events while waiting for XdndFinished");
        if (!nextEvent(display, event, finishDeadline))
            fail(served ? "timed out waiting for XdndFinished"
                        : "timed out waiting for the request of the data");
        if (event.type == SelectionRequest && answerRequest(display, event.xselectionrequest, atoms, uris))
            ++served;
        if (event.type == ClientMessage && event.xclient.message_type == atoms.finished &&
            static_cast<Window>(event.xclient.data.l[0]) == target)
            break;
    }
    // The spec's success flag is bit 0 of l[1], but GLFW 3.3 puts the number of bytes it read there (an
    // even count clears bit 0), so any non-zero value counts as success.
    if (event.xclient.data.l[1] == 0) fail("the window reported that the drop failed (XdndFinished)");
    if (served == 0) fail("XdndFinished arrived but the window never asked for text/uri-list");
    std::printf("dropped %zu path(s) on window 0x%lx (XDND version %ld, %zu bytes of text/uri-list)\n",
                options->paths.size(), static_cast<unsigned long>(target), version, uris.size());
    XDestroyWindow(display, source);
    XCloseDisplay(display);
    return 0;
}
