#include "duet/ui/ChatInput.hpp"

#include "duet/ui/Widgets.hpp"
#include "imgui_stdlib.h"

namespace duet::ui {
namespace {

struct InputContext {
    bool sendRequested = false;
    bool sent = false;
    std::string* sentText = nullptr;
};

bool enterPressedThisFrame()
{
    return ImGui::IsKeyPressed(ImGui::GetKeyIndex(ImGuiKey_Enter)) ||
           ImGui::IsKeyPressed(ImGui::GetKeyIndex(ImGuiKey_KeyPadEnter));
}

int inputCallback(ImGuiInputTextCallbackData* data)
{
    auto& context = *static_cast<InputContext*>(data->UserData);
    if (data->EventFlag == ImGuiInputTextFlags_CallbackCharFilter) {
        if (data->EventChar == '\n' && enterPressedThisFrame() && !ImGui::GetIO().KeyShift) {
            context.sendRequested = true;
            return 1; // discard the line break
        }
        return 0;
    }
    if (data->EventFlag != ImGuiInputTextFlags_CallbackAlways) return 0;
    if (static_cast<std::size_t>(data->BufTextLen) > kMaxChatInputBytes) {
        // Cut a paste that is too long at a character boundary, so what is shown is what will be sent.
        const std::size_t keep =
            truncateUtf8(std::string_view(data->Buf, kMaxChatInputBytes + 1), kMaxChatInputBytes).size();
        data->DeleteChars(static_cast<int>(keep), data->BufTextLen - static_cast<int>(keep));
    }
    if (context.sendRequested) {
        context.sendRequested = false;
        const std::string_view text =
            trimWhitespace(std::string_view(data->Buf, static_cast<std::size_t>(data->BufTextLen)));
        if (!text.empty()) {
            *context.sentText = std::string(text);
            context.sent = true;
            data->DeleteChars(0, data->BufTextLen);
        }
    }
    return 0;
}

} // namespace

bool chatInput(const char* id, std::string& draft, std::string& sent, ImVec2 size)
{
    InputContext context;
    context.sentText = &sent;
    ImGui::InputTextMultiline(id, &draft, size,
                              ImGuiInputTextFlags_CallbackCharFilter | ImGuiInputTextFlags_CallbackAlways,
                              inputCallback, &context);
    if (context.sent) draft.clear();
    return context.sent;
}

} // namespace duet::ui
