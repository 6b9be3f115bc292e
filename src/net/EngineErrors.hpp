#pragma once
// How the engine reports that it could not start: exactly one event::Error (peer 0) before any
// event::Listening, after which the net thread stops. Front ends map it to an exit code or a dialog.
// Thread: pure functions, any thread.
#include <optional>
#include <string>
#include <string_view>

namespace duet::net {

enum class StartupFailure {
    CannotListen,    // the UDP port is taken or not permitted
    ProfileUnusable, // the profile directory, database or identity key cannot be used
    Internal,        // anything else (libsodium, sockets)
};

// The reason text the engine puts in the event::Error, e.g. "cannot listen: UDP port 5000: Address in use".
std::string startupErrorReason(StartupFailure failure, std::string_view detail);
// Which failure a startup error's reason names; std::nullopt for any other text.
std::optional<StartupFailure> classifyStartupError(std::string_view reason);

} // namespace duet::net
