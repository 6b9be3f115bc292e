#pragma once
// The app icon (assets/duet-256.png), embedded into the binary at build time so no asset path is needed
// at run time. Thread: main thread.
#include <cstddef>
#include <span>

struct GLFWwindow;

namespace duet::app {

// The PNG bytes of assets/duet-256.png (defined in the generated GuiIconData.cpp).
std::span<const unsigned char> iconPng();

// Decodes the PNG and sets it as the window icon; does nothing if decoding fails.
void setWindowIcon(GLFWwindow* window);

} // namespace duet::app
