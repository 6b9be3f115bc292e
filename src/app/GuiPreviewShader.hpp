#pragma once
// Our own GL pipeline for the picture preview (shaders/preview.*): draws a texture into a rectangle over
// a transparency checkerboard, from inside ImGui's render pass through an ImDrawList callback.
// Thread: UI thread with the GL context current. Construction compiles and links; when that fails,
// ok() is false, error() holds the GL info log and add() draws with ImGui's own pipeline instead.
#include "imgui.h"

#include <deque>
#include <glad/gl.h>
#include <string>

namespace duet::app {

class PreviewShader {
public:
    PreviewShader();
    ~PreviewShader();
    PreviewShader(const PreviewShader&) = delete;
    PreviewShader& operator=(const PreviewShader&) = delete;

    bool ok() const { return m_program != 0; }
    const std::string& error() const { return m_error; }

    // Forgets the previous frame's draws. Call before ImGui::NewFrame().
    void beginFrame() { m_draws.clear(); }
    // Queues `texture` drawn into [min, max] (ImGui display coordinates) on `list`.
    void add(ImDrawList& list, GLuint texture, ImVec2 min, ImVec2 max);

private:
    struct Draw {
        PreviewShader* shader = nullptr;
        GLuint texture = 0;
        ImVec2 min, max;
    };
    static void render(const ImDrawList* list, const ImDrawCmd* command);
    void render(const Draw& draw, const ImDrawCmd& command) const;

    GLuint m_program = 0;
    GLuint m_vertexArray = 0;
    GLint m_rectLocation = -1;
    GLint m_cellLocation = -1;
    GLint m_pictureLocation = -1;
    std::string m_error;
    std::deque<Draw> m_draws; // addresses stay valid until the frame is rendered
};

} // namespace duet::app
