// Frame times of the real UI (duet::ui drawing a filled AppState through the GLFW + OpenGL 3.3 backend)
// with a long conversation and many transfer rows. A benchmark, not a test: it prints a table and never
// fails on a figure. Run it under Xvfb (tests/bench/README.md, "GUI frame times").
//
// Scenarios, each a fixed number of frames with the swap interval at 0 so nothing waits for vsync:
//   idle       the conversation at its newest message, no input;
//   scroll     the mouse wheel over the history every frame, up then down;
//   transfers  the same conversation plus the transfer rows, progress events on 20 rows every frame and
//              the wheel over the transfer list;
//   find       the Ctrl+F bar typing and erasing a word one key per frame (a new search each frame) and
//              jumping between matches.
// Before them, the first frame of the conversation (it already holds every message) and the frames after
// it while the rest of the history is measured in the background ("measuring"); after them, the window
// made narrower (every height is re-measured), the conversation opened again from another peer's, and
// the whole conversation copied (Ctrl+A, Ctrl+C: frames from the key to the clipboard, "copy").
// A frame is timed from the backends' NewFrame to glFinish after the swap ("frame"); "ui" is the part
// spent building the ImGui frame (NewFrame to Render), which is what list clipping saves.
#include "GuiFonts.hpp"
#include "duet/state/AppState.hpp"
#include "duet/ui/ItemLocator.hpp"
#include "duet/ui/Theme.hpp"
#include "duet/ui/Ui.hpp"
#include "duet/ui/ViewState.hpp"

#include <glad/gl.h>
#define GLFW_INCLUDE_NONE
#include "backends/imgui_impl_glfw.h"
#include "backends/imgui_impl_opengl3.h"
#include "imgui.h"

#include <GLFW/glfw3.h>
#include <algorithm>
#include <array>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <string>
#include <vector>

namespace {

using duet::PeerId;
using duet::TransferId;
using Clock = std::chrono::steady_clock;
namespace event = duet::event;
namespace command = duet::command;

struct Options {
    std::size_t messages = 100'000;
    std::size_t transfers = 1'000;
    int frames = 300; // per scenario
    int width = 960;  // the app's default window
    int height = 640;
};

struct Sample {
    double frameMs = 0;
    double uiMs = 0;
};

constexpr PeerId kPeer{7};
constexpr std::int64_t kStartMs = 1'760'000'000'000; // an autumn 2025 afternoon
constexpr std::int64_t kNowMs = kStartMs + 120LL * 24 * 3600 * 1000;

// Words for message text: long enough that some messages wrap over two or three lines.
constexpr std::array<const char*, 16> kWords{"amber",  "lantern", "river",   "quiet",  "station", "morning",
                                             "copper", "signal",  "harbour", "window", "paper",   "orbit",
                                             "meadow", "cable",   "thunder", "pixel"};

std::string messageText(std::size_t index)
{
    // A cheap deterministic mix: short replies, sentences, and now and then a multi-line paragraph.
    std::uint64_t seed = index * 2654435761u + 12345;
    const auto next = [&seed] {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        return seed;
    };
    const std::size_t shape = next() % 10;
    const std::size_t words = shape < 5 ? 1 + next() % 5 : shape < 9 ? 8 + next() % 20 : 40 + next() % 30;
    std::string text;
    for (std::size_t w = 0; w < words; ++w) {
        if (w > 0) text += (shape == 9 && w % 12 == 0) ? '\n' : ' ';
        text += kWords[next() % kWords.size()];
    }
    return text + " #" + std::to_string(index);
}

void fillConversation(duet::state::AppState& state, std::size_t count)
{
    state.apply(event::Listening{40000, "bench-own-fingerprint"}, kStartMs);
    state.apply(event::PeerConnecting{kPeer, "127.0.0.1:40001", true}, kStartMs);
    state.apply(event::PeerConnected{kPeer, "Robin", "127.0.0.1:40001", "bench-peer-fingerprint", "",
                                     duet::Trust::Verified},
                kStartMs);
    state.apply(event::PeerVerified{kPeer}, kStartMs);
    for (std::size_t i = 0; i < count; ++i) {
        // About 100 seconds apart: a day separator every ~860 messages, sender lines after quiet gaps.
        const std::int64_t at = kStartMs + static_cast<std::int64_t>(i) * 100'000;
        const std::uint64_t id = i + 1;
        if (i % 3 == 0) {
            state.applyLocal(command::SendChat{kPeer, id, messageText(i)}, at);
            state.apply(event::ChatSent{kPeer, id, at}, at);
        } else {
            state.apply(event::ChatReceived{kPeer, id, "Robin", messageText(i), at, "bench-peer-fingerprint"},
                        at);
        }
    }
}

// A second, short conversation to switch away to and back from.
constexpr PeerId kOtherPeer{8};
void fillOtherPeer(duet::state::AppState& state)
{
    state.apply(event::PeerConnecting{kOtherPeer, "127.0.0.1:40002", true}, kStartMs);
    state.apply(event::PeerConnected{kOtherPeer, "Sam", "127.0.0.1:40002", "bench-other-fingerprint", "",
                                     duet::Trust::Verified},
                kStartMs);
    state.apply(event::PeerVerified{kOtherPeer}, kStartMs);
    state.apply(event::ChatReceived{kOtherPeer, 1, "Sam", "hello", kNowMs, "bench-other-fingerprint"},
                kNowMs);
}

void fillTransfers(duet::state::AppState& state, std::size_t count)
{
    for (std::size_t i = 0; i < count; ++i) {
        const TransferId offer{1000 + i};
        std::vector<duet::TransferEntry> entries;
        for (std::uint64_t f = 1; f <= 3; ++f)
            entries.push_back(
                {f, "folder " + std::to_string(i) + "/file-" + std::to_string(f) + ".bin", 1'000'000 * f});
        const bool outgoing = i % 2 == 0;
        if (outgoing)
            state.apply(event::OfferSent{kPeer, offer, entries, 6'000'000}, kNowMs);
        else
            state.apply(event::OfferReceived{kPeer, offer, entries, 6'000'000, true}, kNowMs);
        // Most are history (done or failed); the newest 20 are moving.
        if (i + 20 < count) {
            state.apply(
                event::OfferFinished{kPeer, offer,
                                     i % 7 == 0 ? duet::TransferState::Failed : duet::TransferState::Done,
                                     i % 7 == 0 ? "disk full" : ""},
                kNowMs);
        } else {
            state.apply(event::TransferProgress{kPeer, offer, outgoing, duet::TransferState::Active, 1, 0, 0,
                                                6'000'000, 0, -1},
                        kNowMs);
        }
    }
}

class Bench {
public:
    Bench(GLFWwindow* window, duet::state::AppState& state, duet::ui::ViewState& view)
        : m_window(window), m_state(state), m_view(view)
    {
        m_view.locator = &m_locator;
    }

    // One frame; `input` runs after the backends' NewFrame, before ImGui::NewFrame, to inject input.
    template <typename Input>
    Sample frame(Input&& input)
    {
        const Clock::time_point started = Clock::now();
        m_locator.beginFrame();
        ImGui_ImplOpenGL3_NewFrame();
        ImGui_ImplGlfw_NewFrame();
        input(ImGui::GetIO());
        ImGui::NewFrame();
        duet::ui::Commands commands = duet::ui::drawApp(m_state, m_view, kNowMs);
        ImGui::Render();
        const Clock::time_point built = Clock::now();
        for (const duet::Command& command : commands)
            m_state.applyLocal(command, kNowMs);
        int width = 0, height = 0;
        glfwGetFramebufferSize(m_window, &width, &height);
        glViewport(0, 0, width, height);
        glClearColor(0.1f, 0.1f, 0.1f, 1.f);
        glClear(GL_COLOR_BUFFER_BIT);
        ImGui_ImplOpenGL3_RenderDrawData(ImGui::GetDrawData());
        glfwSwapBuffers(m_window);
        glFinish(); // llvmpipe renders on its own threads: count the pixels, not only the submission
        glfwPollEvents();
        const Clock::time_point done = Clock::now();
        return {std::chrono::duration<double, std::milli>(done - started).count(),
                std::chrono::duration<double, std::milli>(built - started).count()};
    }
    Sample frame()
    {
        return frame([](ImGuiIO&) {});
    }
    std::optional<duet::ui::ScreenRect> find(const char* key) const { return m_locator.find(key); }
    // Frames until the history has measured every message (at most `limit`); the frame that made the
    // change is not among them.
    std::vector<Sample> whileMeasuring(int limit)
    {
        std::vector<Sample> samples;
        while (m_view.history.measuring && static_cast<int>(samples.size()) < limit)
            samples.push_back(frame());
        return samples;
    }

private:
    GLFWwindow* m_window;
    duet::state::AppState& m_state;
    duet::ui::ViewState& m_view;
    duet::ui::ItemLocator m_locator;
};

double percentile(std::vector<double> values, double fraction)
{
    if (values.empty()) return 0;
    std::sort(values.begin(), values.end());
    const auto index = static_cast<std::size_t>(fraction * static_cast<double>(values.size() - 1) + 0.5);
    return values[std::min(index, values.size() - 1)];
}

void report(const char* name, const std::vector<Sample>& samples)
{
    std::vector<double> frame, ui;
    for (const Sample& sample : samples) {
        frame.push_back(sample.frameMs);
        ui.push_back(sample.uiMs);
    }
    std::printf("| %-10s | %6zu | %8.2f | %8.2f | %8.2f | %8.2f | %8.2f | %8.2f |\n", name, samples.size(),
                percentile(frame, 0.5), percentile(frame, 0.99), percentile(frame, 1.0), percentile(ui, 0.5),
                percentile(ui, 0.99), percentile(ui, 1.0));
    std::fflush(stdout);
}

// Points the mouse at the middle of a recorded widget (or the window centre) for wheel input.
ImVec2 centreOf(const Bench& bench, const char* key, const Options& options)
{
    if (const auto rect = bench.find(key)) return {rect->centerX(), rect->centerY()};
    return {static_cast<float>(options.width) * 0.65f, static_cast<float>(options.height) * 0.4f};
}

bool parse(int argc, char** argv, Options& options)
{
    for (int i = 1; i + 1 < argc; i += 2) {
        const std::string flag = argv[i];
        const long value = std::strtol(argv[i + 1], nullptr, 10);
        if (value < 0) return false;
        if (flag == "--messages")
            options.messages = static_cast<std::size_t>(value);
        else if (flag == "--transfers")
            options.transfers = static_cast<std::size_t>(value);
        else if (flag == "--frames")
            options.frames = static_cast<int>(std::clamp(value, 10L, 100'000L));
        else
            return false;
    }
    return argc % 2 == 1;
}

int run(GLFWwindow* window, const Options& options)
{
    duet::state::AppState state;
    duet::ui::ViewState view;
    duet::app::FontFiles files = duet::app::locateFonts();
    view.fonts = duet::app::buildFonts(*ImGui::GetIO().Fonts, files, 1.f); // uploaded by the first NewFrame
    duet::ui::applyTheme(view.theme, 1.f);
    view.styleDirty = false;

    Bench bench(window, state, view);
    // The backends' first frame (shaders, the font texture) apart from the conversation's.
    for (int i = 0; i < 3; ++i)
        bench.frame();
    const Clock::time_point fillStarted = Clock::now();
    fillConversation(state, options.messages);
    const double fillMs = std::chrono::duration<double, std::milli>(Clock::now() - fillStarted).count();
    view.selectedPeer = kPeer;
    // The first frame lays out what is on screen; the rest of the history is measured a few milliseconds
    // a frame after it.
    const Sample first = bench.frame();
    const std::vector<Sample> measuring = bench.whileMeasuring(100'000);
    for (int i = 0; i < 5; ++i)
        bench.frame();
    std::printf("GUI frame bench: %zu messages, %zu transfer rows, %dx%d, %d frames per scenario\n",
                options.messages, options.transfers, options.width, options.height, options.frames);
    std::printf("AppState fill %.0f ms; first frame of the conversation %.1f ms (ui %.1f ms), then %zu "
                "frames measuring the rest\n\n",
                fillMs, first.frameMs, first.uiMs, measuring.size());
    std::printf("| scenario   | frames | frame p50 | frame p99 | frame max | ui p50 | ui p99 | ui max |\n");
    std::printf(
        "|------------|--------|----------|----------|----------|----------|----------|----------|\n");
    report("measuring", measuring);

    std::vector<Sample> samples;
    for (int i = 0; i < options.frames; ++i)
        samples.push_back(bench.frame());
    report("idle", samples);

    samples.clear();
    const ImVec2 history = centreOf(bench, "chat.history", options);
    for (int i = 0; i < options.frames; ++i)
        samples.push_back(bench.frame([&](ImGuiIO& io) {
            io.MousePos = history;
            io.MouseWheel = i < options.frames / 2 ? 3.f : -3.f; // three notches up, then down
        }));
    report("scroll", samples);

    fillTransfers(state, options.transfers);
    for (int i = 0; i < 5; ++i)
        bench.frame();
    samples.clear();
    const ImVec2 list = centreOf(bench, "transfers.panel", options);
    for (int i = 0; i < options.frames; ++i) {
        for (std::size_t r = 0; r < 20 && r < options.transfers; ++r) {
            const std::size_t row = options.transfers - 1 - r;
            const auto done = static_cast<std::uint64_t>(i + 1) * 10'000;
            state.apply(event::TransferProgress{kPeer, TransferId{1000 + row}, row % 2 == 0,
                                                duet::TransferState::Active, 1, done, done, 6'000'000,
                                                2'500'000, 2},
                        kNowMs);
        }
        samples.push_back(bench.frame([&](ImGuiIO& io) {
            io.MousePos = list;
            io.MouseWheel = (i / 40) % 2 == 0 ? -2.f : 2.f;
        }));
    }
    report("transfers", samples);

    samples.clear();
    view.find.open = true;
    view.find.focusInput = true;
    bench.frame();
    const std::string word = "harbour";
    std::size_t mostMatches = 0;
    for (int i = 0; i < options.frames; ++i) {
        // Type the word one key per frame, press Enter twice (jump to the next match), erase it again.
        const int step = i % static_cast<int>(word.size() * 2 + 2);
        samples.push_back(bench.frame([&](ImGuiIO& io) {
            io.KeysDown[GLFW_KEY_ENTER] = false;
            io.KeysDown[GLFW_KEY_BACKSPACE] = false;
            if (step < static_cast<int>(word.size()))
                io.AddInputCharacter(static_cast<unsigned>(word[static_cast<std::size_t>(step)]));
            else if (step < static_cast<int>(word.size()) + 2)
                io.KeysDown[GLFW_KEY_ENTER] = step % 2 == 0;
            else
                io.KeysDown[GLFW_KEY_BACKSPACE] = step % 2 == 0;
        }));
        mostMatches = std::max(mostMatches, view.find.matches.size());
    }
    report("find", samples);
    std::printf("\nfind: up to %zu matches per query (\"h\" ... \"%s\")\n", mostMatches, word.c_str());

    // Narrower: every message wraps again. The frame of the new width and the ones measuring after it.
    view.find.open = false;
    bench.frame();
    glfwSetWindowSize(window, options.width * 3 / 4, options.height);
    std::vector<Sample> resize;
    for (int i = 0; i < 100 && resize.empty(); ++i) {
        // The new size reaches the window through X; wait for the frame that uses it.
        int width = 0, height = 0;
        glfwGetWindowSize(window, &width, &height);
        const Sample sample = bench.frame();
        if (width == options.width * 3 / 4) resize.push_back(sample);
    }
    const std::vector<Sample> remeasuring = bench.whileMeasuring(100'000);

    // Another conversation, then this one again: it opens as on the first frame.
    fillOtherPeer(state);
    view.selectedPeer = kOtherPeer;
    for (int i = 0; i < 3; ++i)
        bench.frame();
    view.selectedPeer = kPeer;
    const Sample reopen = bench.frame();
    const std::vector<Sample> reopenMeasuring = bench.whileMeasuring(100'000);

    // Ctrl+A, Ctrl+C: the whole conversation's text is built a few milliseconds a frame, then handed to
    // the clipboard (X11, through GLFW) in a frame of its own.
    const ImVec2 historyCentre = centreOf(bench, "chat.history", options);
    bench.frame([&](ImGuiIO& io) {
        io.MousePos = historyCentre;
        io.MouseDown[0] = true;
    });
    bench.frame([&](ImGuiIO& io) { io.MouseDown[0] = false; });
    const auto chord = [&](int key, bool down) {
        return bench.frame([&](ImGuiIO& io) {
            io.KeyCtrl = down;
            io.KeysDown[key] = down;
        });
    };
    chord(GLFW_KEY_A, true);
    chord(GLFW_KEY_A, false);
    std::vector<Sample> copying{chord(GLFW_KEY_C, true)};
    for (int i = 0; i < 1000 && view.history.copy.active; ++i)
        copying.push_back(chord(GLFW_KEY_C, false));
    const char* copied = ImGui::GetClipboardText();
    const std::size_t copiedBytes = copied ? std::strlen(copied) : 0;

    std::printf("\nwidth %d -> %d: frame %.1f ms (ui %.1f ms), then %zu frames measuring; reopened from "
                "another conversation: frame %.1f ms (ui %.1f ms), then %zu frames measuring\n\n",
                options.width, options.width * 3 / 4, resize.empty() ? 0.0 : resize[0].frameMs,
                resize.empty() ? 0.0 : resize[0].uiMs, remeasuring.size(), reopen.frameMs, reopen.uiMs,
                reopenMeasuring.size());
    std::printf("| scenario   | frames | frame p50 | frame p99 | frame max | ui p50 | ui p99 | ui max |\n");
    std::printf(
        "|------------|--------|----------|----------|----------|----------|----------|----------|\n");
    report("resize", resize);
    report("remeasure", remeasuring);
    report("reopen", {reopen});
    report("reopen-bg", reopenMeasuring);
    report("copy", copying);
    std::printf("\ncopy: Ctrl+A, Ctrl+C of the conversation, %zu frames to the clipboard (%zu bytes)\n",
                copying.size(), copiedBytes);
    return 0;
}

} // namespace

int main(int argc, char** argv)
{
    Options options;
    if (!parse(argc, argv, options)) {
        std::fprintf(stderr, "usage: gui_frame_bench [--messages N] [--transfers N] [--frames N]\n");
        return 2;
    }
    if (glfwInit() == GLFW_FALSE) {
        std::fprintf(stderr, "gui_frame_bench: no display (run it under Xvfb)\n");
        return 1;
    }
    glfwWindowHint(GLFW_CONTEXT_VERSION_MAJOR, 3);
    glfwWindowHint(GLFW_CONTEXT_VERSION_MINOR, 3);
    glfwWindowHint(GLFW_OPENGL_PROFILE, GLFW_OPENGL_CORE_PROFILE);
    glfwWindowHint(GLFW_OPENGL_FORWARD_COMPAT, GLFW_TRUE);
    GLFWwindow* window = glfwCreateWindow(options.width, options.height, "gui_frame_bench", nullptr, nullptr);
    if (!window) {
        std::fprintf(stderr, "gui_frame_bench: no OpenGL 3.3 window\n");
        glfwTerminate();
        return 1;
    }
    glfwMakeContextCurrent(window);
    glfwSwapInterval(0);
    int result = 1;
    if (gladLoadGL(glfwGetProcAddress) != 0) {
        ImGui::CreateContext();
        ImGui::GetIO().IniFilename = nullptr;
        ImGui::GetIO().ConfigInputTextCursorBlink = false;
        ImGui_ImplGlfw_InitForOpenGL(window, false); // input is injected, never read from X
        ImGui_ImplOpenGL3_Init("#version 330 core");
        std::printf("GL renderer: %s\n", reinterpret_cast<const char*>(glGetString(GL_RENDERER)));
        result = run(window, options);
        ImGui_ImplOpenGL3_Shutdown();
        ImGui_ImplGlfw_Shutdown();
        ImGui::DestroyContext();
    }
    glfwDestroyWindow(window);
    glfwTerminate();
    return result;
}
