#include "GuiMain.hpp"

#include "GuiDriverWarmup.hpp"
#include "GuiFonts.hpp"
#include "GuiFrameLoop.hpp"
#include "GuiHooks.hpp"
#include "GuiSettings.hpp"
#include "GuiWindow.hpp"
#include "duet/net/Engine.hpp"

#include <glad/gl.h>
#define GLFW_INCLUDE_NONE
#include "backends/imgui_impl_glfw.h"
#include "backends/imgui_impl_opengl3.h"
#include "imgui.h"

#include <GLFW/glfw3.h>
#include <array>
#include <chrono>
#include <cstdio>
#include <exception>
#include <future>
#include <optional>

namespace duet::app {
namespace {

constexpr std::size_t kMaxRememberedPeers = 200;     // the peer list stays short enough to scan
constexpr std::size_t kMaxRememberedPictures = 2000; // thumbnails of earlier runs, newest first

// Owns the ImGui context and backends for the lifetime of the window.
class ImGuiSession {
public:
    ImGuiSession(GLFWwindow* window, const std::string& iniPath, ImFontAtlas* fonts)
    {
        IMGUI_CHECKVERSION();
        ImGui::CreateContext(fonts); // not owned: PreparedFonts outlives the session
        ImGuiIO& io = ImGui::GetIO();
        io.IniFilename = iniPath.c_str(); // in the profile; never the working directory
        // A blinking cursor would need a redraw twice a second; idle must stay idle.
        io.ConfigInputTextCursorBlink = false;
        // Keyboard navigation stays off on purpose: with it, Enter typed into a chat could activate
        // the default button of a verification prompt that just appeared.
        ImGui_ImplGlfw_InitForOpenGL(window, true);
        ImGui_ImplOpenGL3_Init("#version 330 core");
    }
    ~ImGuiSession()
    {
        ImGui_ImplOpenGL3_Shutdown();
        ImGui_ImplGlfw_Shutdown();
        ImGui::DestroyContext();
    }
    ImGuiSession(const ImGuiSession&) = delete;
    ImGuiSession& operator=(const ImGuiSession&) = delete;
};

// What the window shows first, read from the profile while the window opens.
struct ProfileAtStart {
    std::unique_ptr<GuiSettings> settings;
    std::string displayName;
    std::vector<profile::KnownPeer> rememberedPeers;
    std::vector<profile::KnownPeer> recentPeers;
    ui::Theme theme{};
    ui::RememberedPictures pictures;
    ui::SettingsValues values;
    std::optional<std::array<int, 4>> geometry;
};

ProfileAtStart readProfile(const Options& options)
{
    ProfileAtStart read;
    read.settings = std::make_unique<GuiSettings>(options.profileDir);
    GuiSettings& settings = *read.settings;
    read.displayName = settings.initialDisplayName(options.name);
    read.rememberedPeers = settings.rememberedPeers(kMaxRememberedPeers);
    read.recentPeers = settings.recentPeers(state::AppState::kMaxRecentPeers);
    read.theme = settings.theme();
    read.pictures = settings.rememberedPictures(kMaxRememberedPictures);
    read.values = settings.values(read.displayName, options.downloadDir.string(), options.port);
    read.geometry = settings.windowGeometry();
    return read;
}

// The names the peers list and title show before anything else is loaded (Greek or Cyrillic ones need
// glyphs beyond the start-up atlas's Latin).
std::string textOnFirstScreen(const ProfileAtStart& read)
{
    std::string text = read.displayName;
    for (const auto* peers : {&read.rememberedPeers, &read.recentPeers})
        for (const profile::KnownPeer& peer : *peers)
            text += peer.displayName;
    return text;
}

} // namespace

int runGui(const Options& options)
{
    const auto launched = std::chrono::steady_clock::now();
    std::optional<GlDriverWarmup> warmup(std::in_place);
    GuiWindow::closeOnSignals();
    GuiHooks hooks = GuiHooks::fromEnvironment();
    // Fonts bake and the profile is read on workers while the window and its GL context open (most of
    // the launch time is the GL driver loading); the title gets the saved name once it is known.
    std::promise<std::string> namesOnFirstScreen;
    std::future<PreparedFonts> preparing = std::async(
        std::launch::async, prepareFonts, GuiWindow::expectedContentScale(), namesOnFirstScreen.get_future());
    std::future<ProfileAtStart> reading =
        std::async(std::launch::async, [&options, names = std::move(namesOnFirstScreen)]() mutable {
            // A throw leaves the promise broken, which the font worker takes as "no names".
            ProfileAtStart read = readProfile(options);
            names.set_value(textOnFirstScreen(read));
            return read;
        });

    std::unique_ptr<GuiWindow> window;
    try {
        window = GuiWindow::create("Duet");
    } catch (const std::exception& e) {
        std::fprintf(stderr, "duet: %s\n", e.what());
        return 1;
    }
    hooks.note("window ms=" + std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(
                                                 std::chrono::steady_clock::now() - launched)
                                                 .count()));
    warmup.reset();
    ProfileAtStart profileAtStart = reading.get();
    GuiSettings& settings = *profileAtStart.settings;
    const std::string& displayName = profileAtStart.displayName;
    window->setTitle(windowTitle(displayName));
    PreparedFonts fonts = preparing.get();
    hooks.note("fonts-ready ms=" + std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(
                                                      std::chrono::steady_clock::now() - launched)
                                                      .count()));
    ImGuiSession imgui(window->handle(), settings.imguiIniPath(), fonts.atlas.get());
    for (const std::string& note : fonts.files.notes) {
        std::fprintf(stderr, "duet: %s\n", note.c_str());
        hooks.note("font " + note);
    }

    state::AppState state;
    state.setDisplayName(displayName);
    // Known peers are listed before anything connects, so their history opens right away. Oldest first,
    // like connections: the most recently seen one ends up last, where the UI selects by default.
    const std::vector<profile::KnownPeer>& remembered = profileAtStart.rememberedPeers;
    for (auto known = remembered.rbegin(); known != remembered.rend(); ++known)
        state.addRememberedPeer(known->fingerprint, known->displayName, known->lastAddress);
    // Recent unverified peers too, listed so they can be joined again; they carry no trust.
    const std::vector<profile::KnownPeer>& recent = profileAtStart.recentPeers;
    for (auto seen = recent.rbegin(); seen != recent.rend(); ++seen)
        state.addRecentPeer(seen->fingerprint, seen->displayName, seen->lastAddress, seen->lastSeenMs);
    if (!settings.error().empty())
        state.apply(event::Error{PeerId{}, settings.error()}, SystemClock().wallMillis());
    hooks.note("pictures at start " + std::to_string(profileAtStart.pictures.pictures.size()));
    ui::ViewState view;
    view.theme = profileAtStart.theme;
    view.rememberedPictures = std::move(profileAtStart.pictures);
    view.transfers.browser.wake = &GuiWindow::wakeFromAnyThread;
    view.transfers.settings = std::move(profileAtStart.values);
    view.transfers.settings.stunFromCommandLine = !options.stunServers.empty();
    if (const auto& geometry = profileAtStart.geometry) {
        glfwSetWindowSize(window->handle(), (*geometry)[2], (*geometry)[3]);
        glfwSetWindowPos(window->handle(), (*geometry)[0], (*geometry)[1]);
    }

    net::EngineConfig config;
    // The port saved in Settings ("used the next time Duet starts"), unless --port says otherwise.
    if (options.portGiven) view.transfers.settings.port = options.port;
    config.port = view.transfers.settings.port;
    config.displayName = displayName;
    config.profileDir = options.profileDir;
    config.downloadDir = view.transfers.settings.downloadDir; // saved in Settings, else --downloads/XDG
    config.acceptIncoming = false;                            // the user opts in with the Host toggle
    config.autoConfirm = options.yes;
    config.discovery = options.discovery;
    config.autoReconnect = options.reconnect;
    config.discoveryPort = options.discoveryPort;
    config.discoveryLoopback = options.discoveryLoopback;
    config.stunServers = options.stunServers;
    config.portMapping = options.portMapping;
    try {
        // Destroyed before the window: its wake callback must never outlive GLFW.
        net::Engine engine(std::move(config), &GuiWindow::wakeFromAnyThread);
        if (view.transfers.settings.autoAcceptVerified) engine.post(command::SetAutoAccept{true});
        GuiFrameLoop loop(*window, engine, hooks, settings, fonts, state, view);
        loop.run(launched);
        std::array<int, 4> geometry{};
        glfwGetWindowPos(window->handle(), &geometry[0], &geometry[1]);
        glfwGetWindowSize(window->handle(), &geometry[2], &geometry[3]);
        settings.saveWindowGeometry(geometry);
    } catch (const std::exception& e) {
        std::fprintf(stderr, "duet: %s\n", e.what());
        return 1;
    }
    return 0;
}

} // namespace duet::app
