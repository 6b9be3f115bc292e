# The headless front end and the command line, as a library so tests can link the parser and the JSON
# printer. Included by CMakeLists.txt beside this file, after the `duet` target exists.
add_library(duet_headless STATIC
    ${CMAKE_CURRENT_LIST_DIR}/CommandLine.cpp
    ${CMAKE_CURRENT_LIST_DIR}/Headless.cpp
    ${CMAKE_CURRENT_LIST_DIR}/HeadlessChat.cpp
    ${CMAKE_CURRENT_LIST_DIR}/HeadlessNat.cpp
    ${CMAKE_CURRENT_LIST_DIR}/HeadlessParse.cpp
    ${CMAKE_CURRENT_LIST_DIR}/HeadlessTransfers.cpp
    ${CMAKE_CURRENT_LIST_DIR}/OneShot.cpp
    ${CMAKE_CURRENT_LIST_DIR}/OneShotRuntime.cpp
    ${CMAKE_CURRENT_LIST_DIR}/OneShotSend.cpp
    ${CMAKE_CURRENT_LIST_DIR}/OneShotReceive.cpp)
target_include_directories(duet_headless PUBLIC ${CMAKE_CURRENT_LIST_DIR})
target_compile_definitions(duet_headless PRIVATE DUET_VERSION="${PROJECT_VERSION}")
target_link_libraries(duet_headless
    PUBLIC duet::core duet::net
    PRIVATE duet_warnings duet::wire duet::profile duet::json duet::cli11 duet::nat)
target_link_libraries(duet PRIVATE duet_headless)
