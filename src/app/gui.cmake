# The windowed front end (included by src/app/CMakeLists.txt when DUET_BUILD_GUI is on): GLFW window,
# OpenGL 3.3 core through glad, Dear ImGui panels from duet::ui, fonts found with fontconfig.

# Embed the window icon: the PNG becomes a byte array at configure time (re-run when the PNG changes).
cmake_path(SET duet_icon_png NORMALIZE ${CMAKE_CURRENT_LIST_DIR}/../../assets/duet-256.png)
set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${duet_icon_png})
file(READ ${duet_icon_png} duet_icon_hex HEX)
string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," DUET_ICON_BYTES "${duet_icon_hex}")
configure_file(${CMAKE_CURRENT_LIST_DIR}/GuiIconData.cpp.in ${CMAKE_CURRENT_BINARY_DIR}/GuiIconData.cpp @ONLY)

# Embed our GLSL: each shaders/<stem>.<stage> becomes a raw string literal in GuiShaders.cpp (re-run when a
# shader changes), so the binary never reads shader files at run time.
foreach(stage vert frag)
    cmake_path(SET duet_shader NORMALIZE ${CMAKE_CURRENT_LIST_DIR}/../../shaders/preview.${stage})
    set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${duet_shader})
    string(TOUPPER ${stage} duet_stage)
    file(READ ${duet_shader} DUET_SHADER_PREVIEW_${duet_stage})
endforeach()
configure_file(${CMAKE_CURRENT_LIST_DIR}/GuiShaders.cpp.in ${CMAKE_CURRENT_BINARY_DIR}/GuiShaders.cpp @ONLY)

target_sources(duet PRIVATE
    ${CMAKE_CURRENT_LIST_DIR}/GuiMain.cpp
    ${CMAKE_CURRENT_LIST_DIR}/GuiFrameLoop.cpp
    ${CMAKE_CURRENT_LIST_DIR}/GuiWindow.cpp
    ${CMAKE_CURRENT_LIST_DIR}/GuiDriverWarmup.cpp
    ${CMAKE_CURRENT_LIST_DIR}/GuiIcon.cpp
    ${CMAKE_CURRENT_LIST_DIR}/GuiFonts.cpp
    ${CMAKE_CURRENT_LIST_DIR}/GuiGlyphs.cpp
    ${CMAKE_CURRENT_LIST_DIR}/GuiHooks.cpp
    ${CMAKE_CURRENT_LIST_DIR}/GuiSettings.cpp
    ${CMAKE_CURRENT_LIST_DIR}/GuiSettingsValues.cpp
    ${CMAKE_CURRENT_LIST_DIR}/GuiDrop.cpp
    ${CMAKE_CURRENT_LIST_DIR}/GuiDropFrame.cpp
    ${CMAKE_CURRENT_LIST_DIR}/GuiImages.cpp
    ${CMAKE_CURRENT_LIST_DIR}/GuiPreviewShader.cpp
    ${CMAKE_CURRENT_BINARY_DIR}/GuiShaders.cpp
    ${CMAKE_CURRENT_BINARY_DIR}/GuiIconData.cpp)
target_include_directories(duet PRIVATE ${CMAKE_CURRENT_LIST_DIR})
# Where Mesa keeps its DRI drivers on this system (GuiDriverWarmup; LIBGL_DRIVERS_PATH overrides it).
if(CMAKE_LIBRARY_ARCHITECTURE)
    set(duet_dri_dir /usr/lib/${CMAKE_LIBRARY_ARCHITECTURE}/dri)
else()
    set(duet_dri_dir /usr/lib/dri)
endif()
set_source_files_properties(${CMAKE_CURRENT_LIST_DIR}/GuiDriverWarmup.cpp PROPERTIES
                            COMPILE_DEFINITIONS DUET_DRI_DRIVER_DIR="${duet_dri_dir}")
target_link_libraries(duet PRIVATE
    duet::ui duet::state duet::net duet::profile duet::discovery duet::core
    duet::glfw duet::glad duet::imgui duet::fontconfig duet::stb)

# Desktop integration (the binary is installed by src/app/CMakeLists.txt): the .desktop entry and the
# icon where desktops look for them.
include(GNUInstallDirs)
install(FILES ${CMAKE_CURRENT_LIST_DIR}/../../assets/duet.desktop DESTINATION ${CMAKE_INSTALL_DATADIR}/applications)
install(FILES ${CMAKE_CURRENT_LIST_DIR}/../../assets/duet-256.png
        DESTINATION ${CMAKE_INSTALL_DATADIR}/icons/hicolor/256x256/apps RENAME duet.png)
install(FILES ${CMAKE_CURRENT_LIST_DIR}/../../assets/duet.svg
        DESTINATION ${CMAKE_INSTALL_DATADIR}/icons/hicolor/scalable/apps)
