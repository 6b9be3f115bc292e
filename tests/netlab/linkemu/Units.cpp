#include "Units.hpp"

#include <cctype>
#include <charconv>
#include <cmath>
#include <string>

namespace duet::netlab {
namespace {

struct NumberAndSuffix {
    double value = 0;
    std::string suffix; // lower-cased
};

std::optional<NumberAndSuffix> splitNumber(std::string_view text)
{
    std::size_t end = 0;
    while (end < text.size() && (std::isdigit(static_cast<unsigned char>(text[end])) || text[end] == '.'))
        ++end;
    if (end == 0) return std::nullopt;
    NumberAndSuffix out;
    // from_chars for double is available in GCC 12; it rejects "1.2.3" by stopping early.
    auto [ptr, ec] = std::from_chars(text.data(), text.data() + end, out.value);
    if (ec != std::errc{} || ptr != text.data() + end || !std::isfinite(out.value) || out.value < 0)
        return std::nullopt;
    for (char c : text.substr(end))
        out.suffix.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
    return out;
}

template <typename T>
std::optional<T> scaled(double value, double factor)
{
    const double result = std::round(value * factor);
    if (result > 9.0e18) return std::nullopt;
    return static_cast<T>(result);
}

} // namespace

std::optional<std::uint64_t> parseRate(std::string_view text)
{
    auto parts = splitNumber(text);
    if (!parts) return std::nullopt;
    std::string unit = parts->suffix;
    for (std::string_view tail : {"bit/s", "bps", "bit"}) {
        if (unit.size() >= tail.size() && unit.ends_with(tail)) {
            unit.resize(unit.size() - tail.size());
            break;
        }
    }
    double factor = 0;
    if (unit.empty())
        factor = 1;
    else if (unit == "k")
        factor = 1e3;
    else if (unit == "m")
        factor = 1e6;
    else if (unit == "g")
        factor = 1e9;
    else
        return std::nullopt;
    return scaled<std::uint64_t>(parts->value, factor);
}

std::optional<std::int64_t> parseDuration(std::string_view text)
{
    auto parts = splitNumber(text);
    if (!parts) return std::nullopt;
    double factor = 0;
    if (parts->suffix == "ns")
        factor = 1;
    else if (parts->suffix == "us")
        factor = 1e3;
    else if (parts->suffix == "ms")
        factor = 1e6;
    else if (parts->suffix == "s")
        factor = 1e9;
    else
        return std::nullopt;
    return scaled<std::int64_t>(parts->value, factor);
}

std::optional<std::uint64_t> parseBytes(std::string_view text)
{
    auto parts = splitNumber(text);
    if (!parts) return std::nullopt;
    std::string unit = parts->suffix;
    if (unit.ends_with("ib"))
        unit.resize(unit.size() - 2);
    else if (unit == "b")
        unit.clear();
    double factor = 0;
    if (unit.empty())
        factor = 1;
    else if (unit == "k")
        factor = 1024.0;
    else if (unit == "m")
        factor = 1024.0 * 1024.0;
    else
        return std::nullopt;
    return scaled<std::uint64_t>(parts->value, factor);
}

std::optional<double> parseProbability(std::string_view text)
{
    auto parts = splitNumber(text);
    if (!parts) return std::nullopt;
    double value = parts->value;
    if (parts->suffix == "%")
        value /= 100.0;
    else if (!parts->suffix.empty())
        return std::nullopt;
    if (value > 1.0) return std::nullopt;
    return value;
}

} // namespace duet::netlab
