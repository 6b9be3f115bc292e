# Compile time: the standard headers nearly every file includes are precompiled once per build and reused
# by every library and test (GCC only; clang rejects a precompiled header when the compile options of the
# reusing target differ in the slightest, and the clang build is the sanitizer one, compiled at -O1).
if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
    file(WRITE ${CMAKE_BINARY_DIR}/duet_pch.cpp "// The precompiled standard headers' own translation unit.\n")
    add_library(duet_pch OBJECT ${CMAKE_BINARY_DIR}/duet_pch.cpp)
    target_link_libraries(duet_pch PRIVATE duet_warnings)
    target_precompile_headers(duet_pch PRIVATE
        <algorithm> <array> <atomic> <chrono> <cstdint> <cstring> <deque> <filesystem> <functional> <map>
        <memory> <mutex> <optional> <span> <string> <string_view> <thread> <unordered_map> <variant>
        <vector>)
endif()

# duet_use_precompiled_headers(<target>): the shared precompiled standard headers, where there are some.
function(duet_use_precompiled_headers target)
    if(TARGET duet_pch)
        target_precompile_headers(${target} REUSE_FROM duet_pch)
    endif()
endfunction()

# duet_library(NAME <lib> SOURCES ... [PUBLIC_DEPS ...] [PRIVATE_DEPS ...])
#
# Every folder under src/ is one static library. Its headers are reachable as "duet/<lib>/X.hpp" only by
# targets that link it: the include root is a per-library directory in the build tree holding a single
# link to the folder. So a layer that includes a header it may not use fails to compile, and one that
# calls into a library it does not link fails to link.
function(duet_library)
    cmake_parse_arguments(ARG "" "NAME" "SOURCES;PUBLIC_DEPS;PRIVATE_DEPS" ${ARGN})
    set(target duet_${ARG_NAME})
    set(include_root ${CMAKE_BINARY_DIR}/include-roots/${ARG_NAME})
    file(MAKE_DIRECTORY ${include_root}/duet)
    if(NOT EXISTS ${include_root}/duet/${ARG_NAME})
        file(CREATE_LINK ${CMAKE_CURRENT_SOURCE_DIR} ${include_root}/duet/${ARG_NAME} SYMBOLIC)
    endif()
    add_library(${target} STATIC ${ARG_SOURCES})
    add_library(duet::${ARG_NAME} ALIAS ${target})
    target_include_directories(${target} PUBLIC ${include_root})
    target_link_libraries(${target} PUBLIC ${ARG_PUBLIC_DEPS} PRIVATE duet_warnings ${ARG_PRIVATE_DEPS})
    duet_use_precompiled_headers(${target})
endfunction()
