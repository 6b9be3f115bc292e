#include "GuiPreviewShader.hpp"

#include "GuiShaders.hpp"

#include <cmath>
#include <cstdint>

namespace duet::app {
namespace {

constexpr float kCellPoints = 8.f; // checkerboard square, in ImGui units (scaled to framebuffer pixels)

GLuint compile(GLenum stage, const char* source, std::string& error)
{
    const GLuint shader = glCreateShader(stage);
    glShaderSource(shader, 1, &source, nullptr);
    glCompileShader(shader);
    GLint compiled = GL_FALSE;
    glGetShaderiv(shader, GL_COMPILE_STATUS, &compiled);
    if (compiled == GL_TRUE) return shader;
    char log[1024] = {};
    glGetShaderInfoLog(shader, sizeof log, nullptr, log);
    error = std::string(stage == GL_VERTEX_SHADER ? "preview.vert: " : "preview.frag: ") + log;
    glDeleteShader(shader);
    return 0;
}

} // namespace

PreviewShader::PreviewShader()
{
    const GLuint vertex = compile(GL_VERTEX_SHADER, shaders::kPreviewVertex, m_error);
    const GLuint fragment = vertex ? compile(GL_FRAGMENT_SHADER, shaders::kPreviewFragment, m_error) : 0;
    if (!vertex || !fragment) {
        if (vertex) glDeleteShader(vertex);
        return;
    }
    const GLuint program = glCreateProgram();
    glAttachShader(program, vertex);
    glAttachShader(program, fragment);
    glLinkProgram(program);
    glDeleteShader(vertex); // flagged; freed with the program
    glDeleteShader(fragment);
    GLint linked = GL_FALSE;
    glGetProgramiv(program, GL_LINK_STATUS, &linked);
    if (linked != GL_TRUE) {
        char log[1024] = {};
        glGetProgramInfoLog(program, sizeof log, nullptr, log);
        m_error = std::string("preview link: ") + log;
        glDeleteProgram(program);
        return;
    }
    m_program = program;
    m_rectLocation = glGetUniformLocation(program, "uRect");
    m_cellLocation = glGetUniformLocation(program, "uCellPixels");
    m_pictureLocation = glGetUniformLocation(program, "uPicture");
    // The core profile needs a bound vertex array even though the quad has no attributes.
    glGenVertexArrays(1, &m_vertexArray);
}

PreviewShader::~PreviewShader()
{
    if (m_vertexArray) glDeleteVertexArrays(1, &m_vertexArray);
    if (m_program) glDeleteProgram(m_program);
}

void PreviewShader::add(ImDrawList& list, GLuint texture, ImVec2 min, ImVec2 max)
{
    if (!ok()) {
        list.AddImage(reinterpret_cast<ImTextureID>(static_cast<std::uintptr_t>(texture)), min, max);
        return;
    }
    m_draws.push_back(Draw{this, texture, min, max});
    list.AddCallback(&PreviewShader::render, &m_draws.back());
    // Hands GL back to ImGui's backend for whatever is drawn after the picture.
    list.AddCallback(ImDrawCallback_ResetRenderState, nullptr);
}

void PreviewShader::render(const ImDrawList*, const ImDrawCmd* command)
{
    const auto* draw = static_cast<const Draw*>(command->UserCallbackData);
    draw->shader->render(*draw, *command);
}

void PreviewShader::render(const Draw& draw, const ImDrawCmd& command) const
{
    const ImDrawData* data = ImGui::GetDrawData();
    if (!data || data->DisplaySize.x <= 0 || data->DisplaySize.y <= 0) return;
    const ImVec2 origin = data->DisplayPos, size = data->DisplaySize, scale = data->FramebufferScale;
    const auto ndcX = [&](float x) { return (x - origin.x) / size.x * 2.f - 1.f; };
    const auto ndcY = [&](float y) { return 1.f - (y - origin.y) / size.y * 2.f; };

    // The backend clips each command with the scissor; a callback has to apply its own clip rectangle.
    const ImVec4 clip = command.ClipRect;
    const float framebufferHeight = size.y * scale.y;
    const auto clipLeft = static_cast<GLint>((clip.x - origin.x) * scale.x);
    const auto clipBottom = static_cast<GLint>(framebufferHeight - (clip.w - origin.y) * scale.y);
    const auto clipWidth = static_cast<GLsizei>((clip.z - clip.x) * scale.x);
    const auto clipHeight = static_cast<GLsizei>((clip.w - clip.y) * scale.y);
    if (clipWidth <= 0 || clipHeight <= 0) return;
    glEnable(GL_SCISSOR_TEST);
    glScissor(clipLeft, clipBottom, clipWidth, clipHeight);

    glUseProgram(m_program);
    glBindVertexArray(m_vertexArray);
    glActiveTexture(GL_TEXTURE0);
    glBindTexture(GL_TEXTURE_2D, draw.texture);
    glUniform1i(m_pictureLocation, 0);
    glUniform4f(m_rectLocation, ndcX(draw.min.x), ndcY(draw.min.y), ndcX(draw.max.x), ndcY(draw.max.y));
    glUniform1f(m_cellLocation, std::round(kCellPoints * scale.x));
    glDrawArrays(GL_TRIANGLE_STRIP, 0, 4);
}

} // namespace duet::app
