#include "tl/archive/inflate.hpp"

#include <zlib.h>
#include <zstd.h>

#include <algorithm>
#include <cstring>

#ifdef TL_HAVE_ISAL
#include <isa-l/igzip_lib.h>
#endif

namespace tl::archive {

namespace {

util::Unexpected<Failure> damaged(const char* what, std::uint64_t offset, const std::string& why) {
    return fail(ErrorKind::integrity, std::string("the ") + what +
                                          " stream is damaged near compressed byte " +
                                          std::to_string(offset) + ": " + why);
}

// Passes the bytes through (an uncompressed tar).
class Plain final : public Decoder {
public:
    Result<std::size_t> decode(char* out, std::size_t capacity) override {
        std::size_t n = std::min(capacity, m_in_size);
        std::memcpy(out, m_in, n);
        advance(n);
        return n;
    }
    Result<void> finish() override { return {}; }
    const char* engine() const override { return "none"; }
};

// What gzip decoders share: the walk from member to member, what may follow
// the last one, and the end check.
class GzipDecoder : public Decoder {
public:
    Result<std::size_t> decode(char* out, std::size_t capacity) final {
        std::size_t produced = 0;
        while (produced < capacity) {
            if (m_member_done) {
                if (m_in_size == 0) {
                    break;
                }
                TL_TRY_ASSIGN(next, next_member())
                if (!*next) {
                    break;
                }
                start_member();
                m_member_done = false;
            }
            Step step = inflate_some(out + produced, capacity - produced);
            advance(step.used);
            produced += step.made;
            if (!step.error.empty()) {
                return damaged("gzip", m_consumed, std::string(engine()) + ": " + step.error);
            }
            if (step.member_end) {
                m_member_done = true;
                continue;
            }
            if (step.used == 0 && step.made == 0) {
                break;
            }
        }
        return produced;
    }

    Result<void> finish() final {
        if (!m_member_done) {
            return damaged("gzip", m_consumed, "it ends before the end of its last member");
        }
        return {};
    }

protected:
    // What one call of the inflate library did.
    struct Step {
        std::size_t used = 0;
        std::size_t made = 0;
        bool member_end = false;  // the member's trailer was read and checked
        std::string error;        // empty unless the stream is damaged
    };
    // Inflates from the current input (without consuming it) into `out`.
    virtual Step inflate_some(char* out, std::size_t capacity) = 0;
    // Prepares for the next member's header.
    virtual void start_member() = 0;

private:
    // Called after a member ended with input left: zero bytes are padding
    // (gzip -d accepts them too) and must run to the end; anything else starts
    // the next member (true). A non-zero byte after padding is damage.
    Result<bool> next_member() {
        if (!m_padding && m_in[0] != 0) {
            return true;
        }
        m_padding = true;
        const unsigned char* end = m_in + m_in_size;
        const unsigned char* other =
            std::find_if(m_in, end, [](unsigned char c) { return c != 0; });
        if (other != end) {
            return damaged("gzip", m_consumed + static_cast<std::uint64_t>(other - m_in),
                           "data after the zero padding that ends it");
        }
        advance(m_in_size);
        return false;
    }

    bool m_member_done = false;
    bool m_padding = false;
};

// gzip through zlib.
class ZlibGzip final : public GzipDecoder {
public:
    // 16 + 15: a gzip wrapper and the largest window.
    ZlibGzip() { m_ok = inflateInit2(&m_z, 16 + 15) == Z_OK; }
    ~ZlibGzip() override { inflateEnd(&m_z); }
    const char* engine() const override { return "zlib"; }

private:
    Step inflate_some(char* out, std::size_t capacity) override {
        Step step;
        if (!m_ok) {
            step.error = "cannot initialise zlib";
            return step;
        }
        m_z.next_in = const_cast<unsigned char*>(m_in);
        m_z.avail_in = static_cast<uInt>(std::min<std::size_t>(m_in_size, 1u << 30));
        m_z.next_out = reinterpret_cast<unsigned char*>(out);
        m_z.avail_out = static_cast<uInt>(std::min<std::size_t>(capacity, 1u << 30));
        const uInt in_before = m_z.avail_in;
        const uInt out_before = m_z.avail_out;
        int rc = inflate(&m_z, Z_NO_FLUSH);
        step.used = in_before - m_z.avail_in;
        step.made = out_before - m_z.avail_out;
        step.member_end = rc == Z_STREAM_END;
        if (rc != Z_OK && rc != Z_BUF_ERROR && rc != Z_STREAM_END) {
            step.error = m_z.msg ? m_z.msg : "invalid data";
        }
        return step;
    }
    void start_member() override { inflateReset(&m_z); }

    z_stream m_z{};
    bool m_ok = false;
};

#ifdef TL_HAVE_ISAL
// gzip through ISA-L, which parses each member's header and checks its
// CRC-32 and size trailer itself.
class IsalGzip final : public GzipDecoder {
public:
    IsalGzip() { start_member(); }
    const char* engine() const override { return "ISA-L"; }

private:
    Step inflate_some(char* out, std::size_t capacity) override {
        m_st.next_in = const_cast<std::uint8_t*>(m_in);
        m_st.avail_in = static_cast<std::uint32_t>(std::min<std::size_t>(m_in_size, 1u << 30));
        m_st.next_out = reinterpret_cast<std::uint8_t*>(out);
        m_st.avail_out = static_cast<std::uint32_t>(std::min<std::size_t>(capacity, 1u << 30));
        const std::uint32_t in_before = m_st.avail_in;
        const std::uint32_t out_before = m_st.avail_out;
        int rc = isal_inflate(&m_st);
        Step step;
        step.used = in_before - m_st.avail_in;
        step.made = out_before - m_st.avail_out;
        if (rc < 0 || rc == ISAL_NEED_DICT) {
            step.error = describe(rc);
        }
        step.member_end = m_st.block_state == ISAL_BLOCK_FINISH;
        return step;
    }
    void start_member() override {
        isal_inflate_init(&m_st);
        m_st.crc_flag = ISAL_GZIP;
    }

    static const char* describe(int rc) {
        switch (rc) {
            case ISAL_INVALID_BLOCK:
                return "invalid deflate block";
            case ISAL_INVALID_SYMBOL:
                return "invalid deflate symbol";
            case ISAL_INVALID_LOOKBACK:
                return "invalid back-reference distance";
            case ISAL_INVALID_WRAPPER:
                return "invalid gzip header";
            case ISAL_UNSUPPORTED_METHOD:
                return "unsupported compression method";
            case ISAL_INCORRECT_CHECKSUM:
                return "CRC-32 or size check failed";
            case ISAL_NEED_DICT:
                return "the stream needs a preset dictionary";
            default:
                return "inflate error";
        }
    }

    inflate_state m_st{};
};
#endif

// zstd through libzstd, frame after frame.
class Zstd final : public Decoder {
public:
    Zstd() : m_ctx(ZSTD_createDCtx()) {}
    ~Zstd() override { ZSTD_freeDCtx(m_ctx); }

    Result<std::size_t> decode(char* out, std::size_t capacity) override {
        if (m_ctx == nullptr) {
            return fail(ErrorKind::internal, "cannot initialise zstd");
        }
        ZSTD_outBuffer o{out, capacity, 0};
        while (o.pos < o.size) {
            ZSTD_inBuffer i{m_in, m_in_size, 0};
            const std::size_t out_before = o.pos;
            std::size_t rc = ZSTD_decompressStream(m_ctx, &o, &i);
            advance(i.pos);
            if (ZSTD_isError(rc)) {
                return damaged("zstd", m_consumed, ZSTD_getErrorName(rc));
            }
            if (rc == 0) {
                m_frame_done = true;
            } else if (i.pos > 0 || o.pos > out_before) {
                m_frame_done = false;
            }
            if (i.pos == 0 && o.pos == out_before) {
                break;
            }
        }
        return o.pos;
    }

    Result<void> finish() override {
        if (!m_frame_done) {
            return damaged("zstd", m_consumed, "it ends before the end of its last frame");
        }
        return {};
    }
    const char* engine() const override { return "zstd"; }

private:
    ZSTD_DCtx* m_ctx;
    bool m_frame_done = false;
};

}  // namespace

bool have_isal() {
#ifdef TL_HAVE_ISAL
    return true;
#else
    return false;
#endif
}

std::unique_ptr<Decoder> Decoder::make(Codec codec, InflateEngine engine) {
    switch (codec) {
        case Codec::gzip:
#ifdef TL_HAVE_ISAL
            if (engine == InflateEngine::fastest) {
                return std::make_unique<IsalGzip>();
            }
#else
            (void)engine;
#endif
            return std::make_unique<ZlibGzip>();
        case Codec::zstd:
            return std::make_unique<Zstd>();
        case Codec::none:
            break;
    }
    return std::make_unique<Plain>();
}

}  // namespace tl::archive
