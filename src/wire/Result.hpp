#pragma once
// Decoders return Result<T>: either a value or the reason the input was refused. Never throws.
#include <cstdint>
#include <string_view>
#include <utility>
#include <variant>

namespace duet::wire {

enum class DecodeError : std::uint8_t {
    Truncated,     // input ends before a field or before the declared length
    Oversized,     // declared length or field above its cap
    BadMagic,      // not a Duet frame at all
    WrongVersion,  // a Duet frame of a protocol version we do not speak
    UnknownType,   // a type byte this version does not define
    Malformed,     // a field holds a value outside its domain
    TrailingBytes, // bytes left after the last field
    InvalidUtf8,   // a text field is not well-formed UTF-8
};

std::string_view describe(DecodeError e);

template <typename T>
class Result {
public:
    Result(T value) : m_v(std::move(value)) {}
    Result(DecodeError error) : m_v(error) {}
    bool ok() const { return m_v.index() == 0; }
    explicit operator bool() const { return ok(); }
    T& value() { return std::get<0>(m_v); }
    const T& value() const { return std::get<0>(m_v); }
    T* operator->() { return &value(); }
    const T* operator->() const { return &value(); }
    T& operator*() { return value(); }
    DecodeError error() const { return std::get<1>(m_v); }

private:
    std::variant<T, DecodeError> m_v;
};

} // namespace duet::wire
