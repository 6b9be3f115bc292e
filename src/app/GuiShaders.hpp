#pragma once
// GLSL sources from shaders/, embedded at build time (see gui.cmake). Null-terminated, static lifetime.
namespace duet::app::shaders {

extern const char* const kPreviewVertex;   // shaders/preview.vert
extern const char* const kPreviewFragment; // shaders/preview.frag

} // namespace duet::app::shaders
