# GUI frame-time benchmark (not CI, not a test): the real duet::ui panels over GLFW + OpenGL 3.3 with a
# filled AppState. Needs a display; run it under Xvfb as tests/bench/README.md shows.
if(NOT DUET_BUILD_GUI OR NOT TARGET duet::ui)
    return()
endif()
add_executable(gui_frame_bench ${CMAKE_CURRENT_LIST_DIR}/gui_frame_bench.cpp
                               ${PROJECT_SOURCE_DIR}/src/app/GuiFonts.cpp)
target_include_directories(gui_frame_bench PRIVATE ${PROJECT_SOURCE_DIR}/src/app)
target_link_libraries(gui_frame_bench PRIVATE duet::ui duet::state duet::glfw duet::glad duet::imgui
                                              duet::fontconfig duet_warnings)
