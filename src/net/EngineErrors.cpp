#include "duet/net/EngineErrors.hpp"

namespace duet::net {
namespace {

constexpr std::string_view kCannotListen = "cannot listen: ";
constexpr std::string_view kProfileUnusable = "profile unusable: ";
constexpr std::string_view kInternal = "internal error: ";

std::string_view prefixOf(StartupFailure failure)
{
    switch (failure) {
    case StartupFailure::CannotListen:
        return kCannotListen;
    case StartupFailure::ProfileUnusable:
        return kProfileUnusable;
    case StartupFailure::Internal:
        return kInternal;
    }
    return kInternal;
}

} // namespace

std::string startupErrorReason(StartupFailure failure, std::string_view detail)
{
    return std::string(prefixOf(failure)) + std::string(detail);
}

std::optional<StartupFailure> classifyStartupError(std::string_view reason)
{
    for (StartupFailure failure :
         {StartupFailure::CannotListen, StartupFailure::ProfileUnusable, StartupFailure::Internal}) {
        if (reason.starts_with(prefixOf(failure))) return failure;
    }
    return std::nullopt;
}

} // namespace duet::net
