#include "HeadlessUi.hpp"

#include "duet/ui/Theme.hpp"

#include <chrono>
#include <cstdint>
#include <doctest/doctest.h>

namespace duet::ui::test {

HeadlessUi::HeadlessUi(float width, float height)
{
    m_context = ImGui::CreateContext();
    ImGuiIO& io = ImGui::GetIO();
    io.IniFilename = nullptr;
    io.LogFilename = nullptr;
    io.DisplaySize = ImVec2(width, height);
    io.DeltaTime = 1.f / 60.f;
    for (int key = 0; key < ImGuiKey_COUNT; ++key)
        io.KeyMap[key] = key; // our "native" key codes are ImGui's own
    unsigned char* pixels = nullptr;
    int atlasWidth = 0, atlasHeight = 0;
    io.Fonts->GetTexDataAsRGBA32(&pixels, &atlasWidth, &atlasHeight);
    io.Fonts->SetTexID(reinterpret_cast<ImTextureID>(static_cast<std::intptr_t>(1)));
    view.locator = &locator;
    view.messageIds.seed(42);
    // Keep these tests quiet about text cursor blinking and key repeat.
    io.ConfigInputTextCursorBlink = false;
}

HeadlessUi::~HeadlessUi()
{
    ImGui::DestroyContext(m_context);
}

Commands HeadlessUi::frame()
{
    if (view.styleDirty) {
        applyTheme(view.theme, 1.f);
        view.styleDirty = false;
    }
    locator.beginFrame();
    ImGui::NewFrame();
    Commands out = drawApp(state, view, nowMs);
    ImGui::Render();
    for (const Command& command : out)
        state.applyLocal(command, nowMs);
    // The conversation's background requests (its stored history, typing notices) are applied but not
    // returned: tests assert on the commands a user action produces.
    std::erase_if(out, [](const Command& command) {
        return std::holds_alternative<command::LoadHistory>(command) ||
               std::holds_alternative<command::SetTyping>(command);
    });
    return out;
}

Commands HeadlessUi::run(int frames)
{
    Commands all;
    for (int i = 0; i < frames; ++i)
        for (Command& command : frame())
            all.push_back(std::move(command));
    return all;
}

double HeadlessUi::millisecondsPerFrame(int frames)
{
    const auto start = std::chrono::steady_clock::now();
    for (int i = 0; i < frames; ++i)
        frame();
    return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count() /
           frames;
}

Commands HeadlessUi::click(std::string_view key)
{
    // Two frames: a window that appears is measured in its first frame and placed in the second.
    Commands all = run(2);
    const auto rect = locator.find(key);
    REQUIRE_MESSAGE(rect.has_value(), "widget not drawn: " << std::string(key));
    for (Command& command : clickAt(rect->centerX(), rect->centerY()))
        all.push_back(std::move(command));
    return all;
}

Commands HeadlessUi::clickAt(float x, float y, int button)
{
    ImGuiIO& io = ImGui::GetIO();
    io.MousePos = ImVec2(x, y);
    Commands all = run(1);
    io.MouseDown[button] = true;
    for (Command& command : run(1))
        all.push_back(std::move(command));
    io.MouseDown[button] = false;
    for (Command& command : run(1))
        all.push_back(std::move(command));
    return all;
}

Commands HeadlessUi::type(std::string_view text)
{
    ImGui::GetIO().AddInputCharactersUTF8(std::string(text).c_str());
    return run(1);
}

Commands HeadlessUi::pressCtrl(ImGuiKey key)
{
    ImGui::GetIO().KeyCtrl = true;
    Commands all = press(key);
    ImGui::GetIO().KeyCtrl = false;
    return all;
}

Commands HeadlessUi::drag(ImVec2 from, ImVec2 to)
{
    ImGuiIO& io = ImGui::GetIO();
    io.MousePos = from;
    Commands all = run(1);
    io.MouseDown[0] = true;
    const auto step = [&](ImVec2 at) {
        for (Command& command : run(1))
            all.push_back(std::move(command));
        io.MousePos = at;
    };
    step(ImVec2((from.x + to.x) * 0.5f, (from.y + to.y) * 0.5f));
    step(to);
    step(to);
    io.MouseDown[0] = false;
    step(to);
    return all;
}

std::string HeadlessUi::clipboard()
{
    const char* text = ImGui::GetClipboardText();
    return text ? text : "";
}

Commands HeadlessUi::press(ImGuiKey key, bool shift)
{
    ImGuiIO& io = ImGui::GetIO();
    io.KeyShift = shift;
    io.KeysDown[key] = true;
    Commands all = run(1);
    io.KeysDown[key] = false;
    for (Command& command : run(1))
        all.push_back(std::move(command));
    io.KeyShift = false;
    return all;
}

} // namespace duet::ui::test
