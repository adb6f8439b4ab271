#pragma once

// Streaming decompression of release archives into the raw tar stream: gzip
// through Intel ISA-L (isal_inflate, several times faster than zlib) or zlib,
// multi-member gzip included, with each member's CRC-32 and size checked; zstd
// through libzstd's streaming decoder. Built without ISA-L (TL_HAVE_ISAL unset)
// every gzip stream goes through zlib.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "tl/util/error.hpp"

namespace tl::archive {

// How the tar stream is compressed.
enum class Codec { none, gzip, zstd };

// Which library inflates gzip: the fastest available (ISA-L when built with
// it), or zlib (the fallback for streams ISA-L rejects, and the simple path).
enum class InflateEngine { fastest, zlib };

// True when this build inflates gzip with ISA-L.
bool have_isal();

// Decodes one compressed stream fed in pieces; not thread-safe.
class Decoder {
public:
    // A decoder for `codec`; `engine` only matters for gzip.
    static std::unique_ptr<Decoder> make(Codec codec,
                                         InflateEngine engine = InflateEngine::fastest);

    virtual ~Decoder() = default;

    // Hands over the next piece of input; it must stay valid until has_input() is false.
    void set_input(const void* data, std::size_t size) {
        m_in = static_cast<const unsigned char*>(data);
        m_in_size = size;
    }

    // True while part of the last input has not been consumed.
    bool has_input() const { return m_in_size > 0; }

    // Writes up to `capacity` decoded bytes to `out` and returns how many; 0
    // means the decoder needs more input (or the stream is complete). A damaged
    // stream is an integrity failure naming the compressed offset.
    virtual Result<std::size_t> decode(char* out, std::size_t capacity) = 0;

    // Called after the last input was decoded: fails unless the stream ended
    // at a complete gzip member or zstd frame.
    virtual Result<void> finish() = 0;

    // "ISA-L", "zlib", "zstd" or "none", for messages.
    virtual const char* engine() const = 0;

    // Compressed bytes consumed so far.
    std::uint64_t consumed() const { return m_consumed; }

protected:
    // Marks `n` bytes of the current input as consumed.
    void advance(std::size_t n) {
        m_in += n;
        m_in_size -= n;
        m_consumed += n;
    }

    const unsigned char* m_in = nullptr;
    std::size_t m_in_size = 0;
    std::uint64_t m_consumed = 0;
};

}  // namespace tl::archive
