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
endfunction()
