#pragma once

// Bounds-checked reads of integers and strings from untrusted bytes. Every
// parser in objfile reads through ByteReader, so a lying offset or count in a
// file can only produce "absent", never a read outside the buffer.

#include <cstdint>
#include <limits>
#include <optional>
#include <string_view>

namespace tl::objfile {

// Byte order of the integers in a file.
enum class Endian { little, big };

// A read-only view of bytes whose every access is checked against its size.
class ByteReader {
public:
    ByteReader() = default;
    ByteReader(std::string_view data, Endian endian) : m_data(data), m_endian(endian) {}

    // The number of bytes that can be read.
    std::uint64_t size() const { return m_data.size(); }

    // True when [offset, offset + length) lies inside the buffer (no overflow).
    bool contains(std::uint64_t offset, std::uint64_t length) const {
        return offset <= m_data.size() && length <= m_data.size() - offset;
    }

    // The bytes [offset, offset + length); empty when they are not all inside.
    std::optional<std::string_view> bytes(std::uint64_t offset, std::uint64_t length) const {
        if (!contains(offset, length)) {
            return std::nullopt;
        }
        return m_data.substr(static_cast<std::size_t>(offset), static_cast<std::size_t>(length));
    }

    // Unsigned integers in the reader's byte order; empty past the end.
    std::optional<std::uint8_t> u8(std::uint64_t offset) const {
        return read<std::uint8_t>(offset);
    }
    std::optional<std::uint16_t> u16(std::uint64_t offset) const {
        return read<std::uint16_t>(offset);
    }
    std::optional<std::uint32_t> u32(std::uint64_t offset) const {
        return read<std::uint32_t>(offset);
    }
    std::optional<std::uint64_t> u64(std::uint64_t offset) const {
        return read<std::uint64_t>(offset);
    }

    // A NUL-terminated string starting at `offset` inside the window [0, limit);
    // empty when it starts outside or has no terminator within the window.
    std::optional<std::string_view> c_string(std::uint64_t offset, std::uint64_t limit) const {
        if (limit > m_data.size()) {
            limit = m_data.size();
        }
        if (offset >= limit) {
            return std::nullopt;
        }
        std::string_view window = m_data.substr(static_cast<std::size_t>(offset),
                                                static_cast<std::size_t>(limit - offset));
        std::size_t end = window.find('\0');
        if (end == std::string_view::npos) {
            return std::nullopt;
        }
        return window.substr(0, end);
    }

private:
    template <typename T>
    std::optional<T> read(std::uint64_t offset) const {
        if (!contains(offset, sizeof(T))) {
            return std::nullopt;
        }
        // Assembled byte by byte: the data may be unaligned and of either order.
        T value = 0;
        const auto* p = reinterpret_cast<const unsigned char*>(m_data.data() + offset);
        for (std::size_t i = 0; i < sizeof(T); ++i) {
            std::size_t shift = m_endian == Endian::little ? i : sizeof(T) - 1 - i;
            value = static_cast<T>(value | (static_cast<T>(p[i]) << (8 * shift)));
        }
        return value;
    }

    std::string_view m_data;
    Endian m_endian = Endian::little;
};

// a * b + c without overflow; empty when the result does not fit in 64 bits.
inline std::optional<std::uint64_t> checked_mul_add(std::uint64_t a, std::uint64_t b,
                                                    std::uint64_t c) {
    constexpr std::uint64_t max = std::numeric_limits<std::uint64_t>::max();
    if (a != 0 && b > max / a) {
        return std::nullopt;
    }
    std::uint64_t product = a * b;
    if (c > max - product) {
        return std::nullopt;
    }
    return product + c;
}

}  // namespace tl::objfile
