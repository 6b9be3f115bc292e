#include "GuiIcon.hpp"

#define GLFW_INCLUDE_NONE
#include <GLFW/glfw3.h>
#include <stb_image.h>

namespace duet::app {

void setWindowIcon(GLFWwindow* window)
{
    const std::span<const unsigned char> png = iconPng();
    int width = 0, height = 0, channels = 0;
    stbi_uc* pixels =
        stbi_load_from_memory(png.data(), static_cast<int>(png.size()), &width, &height, &channels, 4);
    if (!pixels) return;
    GLFWimage image{width, height, pixels};
    glfwSetWindowIcon(window, 1, &image);
    stbi_image_free(pixels);
}

} // namespace duet::app
