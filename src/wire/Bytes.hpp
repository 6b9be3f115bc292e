#pragma once
// Little-endian byte writer and bounds-checked reader used by every encoder and decoder.
// Pure: no allocation beyond the writer's vector, no I/O. The reader never reads past its span; every
// read reports failure instead, and the caller turns that into a DecodeError.
#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace duet::wire {

using Bytes = std::vector<std::uint8_t>;
using ByteSpan = std::span<const std::uint8_t>;

class ByteWriter {
public:
    void u8(std::uint8_t v) { m_out.push_back(v); }
    void u16(std::uint16_t v) { putLittleEndian(v, 2); }
    void u32(std::uint32_t v) { putLittleEndian(v, 4); }
    void u64(std::uint64_t v) { putLittleEndian(v, 8); }
    void i64(std::int64_t v) { u64(static_cast<std::uint64_t>(v)); }
    void raw(ByteSpan bytes) { m_out.insert(m_out.end(), bytes.begin(), bytes.end()); }
    template <std::size_t N>
    void fixed(const std::array<std::uint8_t, N>& bytes)
    {
        raw(bytes);
    }
    // Length-prefixed (u16) UTF-8 string; the caller guarantees it fits the field's cap.
    void shortString(std::string_view s)
    {
        u16(static_cast<std::uint16_t>(s.size()));
        m_out.insert(m_out.end(), s.begin(), s.end());
    }
    // Length-prefixed (u32) string or blob.
    void longString(std::string_view s)
    {
        u32(static_cast<std::uint32_t>(s.size()));
        m_out.insert(m_out.end(), s.begin(), s.end());
    }
    void blob(ByteSpan bytes)
    {
        u32(static_cast<std::uint32_t>(bytes.size()));
        raw(bytes);
    }
    void reserve(std::size_t bytes) { m_out.reserve(bytes); }
    Bytes take() { return std::move(m_out); }
    std::size_t size() const { return m_out.size(); }

private:
    void putLittleEndian(std::uint64_t v, int width)
    {
        for (int i = 0; i < width; ++i)
            m_out.push_back(static_cast<std::uint8_t>(v >> (8 * i)));
    }
    Bytes m_out;
};

class ByteReader {
public:
    explicit ByteReader(ByteSpan in) : m_in(in) {}

    bool u8(std::uint8_t& v) { return getLittleEndian(v, 1); }
    bool u16(std::uint16_t& v) { return getLittleEndian(v, 2); }
    bool u32(std::uint32_t& v) { return getLittleEndian(v, 4); }
    bool u64(std::uint64_t& v) { return getLittleEndian(v, 8); }
    bool i64(std::int64_t& v)
    {
        std::uint64_t u = 0;
        if (!u64(u)) return false;
        v = static_cast<std::int64_t>(u);
        return true;
    }
    template <std::size_t N>
    bool fixed(std::array<std::uint8_t, N>& out)
    {
        if (remaining() < N) return false;
        std::memcpy(out.data(), m_in.data() + m_pos, N);
        m_pos += N;
        return true;
    }
    // Reads a u16-prefixed string of at most maxLen bytes. Over-long fails before any copy.
    bool shortString(std::string& out, std::size_t maxLen)
    {
        std::uint16_t len = 0;
        return u16(len) && len <= maxLen && bytesAsString(len, out);
    }
    bool longString(std::string& out, std::size_t maxLen)
    {
        std::uint32_t len = 0;
        return u32(len) && len <= maxLen && bytesAsString(len, out);
    }
    bool blob(Bytes& out, std::size_t maxLen)
    {
        std::uint32_t len = 0;
        if (!u32(len) || len > maxLen || remaining() < len) return false;
        out.assign(m_in.begin() + m_pos, m_in.begin() + m_pos + len);
        m_pos += len;
        return true;
    }
    // The rest of the input, without copying.
    ByteSpan rest()
    {
        ByteSpan r = m_in.subspan(m_pos);
        m_pos = m_in.size();
        return r;
    }
    std::size_t remaining() const { return m_in.size() - m_pos; }
    bool atEnd() const { return m_pos == m_in.size(); }

private:
    template <typename T>
    bool getLittleEndian(T& v, std::size_t width)
    {
        if (remaining() < width) return false;
        std::uint64_t acc = 0;
        for (std::size_t i = 0; i < width; ++i)
            acc |= std::uint64_t{m_in[m_pos + i]} << (8 * i);
        v = static_cast<T>(acc);
        m_pos += width;
        return true;
    }
    bool bytesAsString(std::size_t len, std::string& out)
    {
        if (remaining() < len) return false;
        out.assign(reinterpret_cast<const char*>(m_in.data() + m_pos), len);
        m_pos += len;
        return true;
    }
    ByteSpan m_in;
    std::size_t m_pos = 0;
};

// True when s is well-formed UTF-8 (no overlongs, no surrogates, nothing above U+10FFFF).
bool isValidUtf8(std::string_view s);

} // namespace duet::wire
