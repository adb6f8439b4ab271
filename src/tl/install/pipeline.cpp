#include "tl/install/pipeline.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "tl/util/fs.hpp"
#include "tl/util/sha256.hpp"
#include "tl/util/strings.hpp"

namespace tl::install {

namespace fs = std::filesystem;

namespace {

// Reads each library as the extraction writes it.
class LibraryWatcher final : public archive::EntryWatcher {
public:
    bool wants(const std::string& path) override {
        if (!release::is_library_file(path)) {
            return false;
        }
        m_current.emplace(path);
        return true;
    }
    void bytes(const void* data, std::size_t size) override {
        m_current->feed(std::string_view(static_cast<const char*>(data), size));
    }
    void done() override {
        libraries.push_back(m_current->finish());
        m_current.reset();
    }

    std::vector<objfile::LibraryInfo> libraries;

private:
    std::optional<objfile::LibraryStream> m_current;
};

}  // namespace

std::unique_ptr<BlockQueue::Block> BlockQueue::take_free_block(std::unique_lock<std::mutex>& lock) {
    m_changed.wait(lock,
                   [&] { return m_cancelled || !m_free.empty() || m_allocated < k_max_blocks; });
    if (m_cancelled) {
        return nullptr;
    }
    if (!m_free.empty()) {
        auto block = std::move(m_free.back());
        m_free.pop_back();
        return block;
    }
    auto block = std::make_unique<Block>();
    block->reserve(k_block_size);
    ++m_allocated;
    m_peak = std::max(m_peak, m_allocated);
    return block;
}

void BlockQueue::write(const char* data, std::size_t size) {
    std::unique_lock lock(m_mutex);
    while (size > 0 && !m_cancelled) {
        if (!m_current) {
            m_current = take_free_block(lock);
            if (!m_current) {
                return;
            }
        }
        std::size_t n = std::min(size, k_block_size - m_current->size());
        m_current->insert(m_current->end(), data, data + n);
        data += n;
        size -= n;
        if (m_current->size() == k_block_size) {
            m_filled.push_back(std::move(m_current));
            m_changed.notify_all();
        }
    }
}

void BlockQueue::close() {
    std::lock_guard lock(m_mutex);
    if (m_current && !m_current->empty()) {
        m_filled.push_back(std::move(m_current));
    }
    m_closed = true;
    m_changed.notify_all();
}

std::unique_ptr<BlockQueue::Block> BlockQueue::pop() {
    std::unique_lock lock(m_mutex);
    m_changed.wait(lock, [&] { return m_cancelled || m_closed || !m_filled.empty(); });
    if (m_cancelled || m_filled.empty()) {
        return nullptr;
    }
    auto block = std::move(m_filled.front());
    m_filled.pop_front();
    return block;
}

void BlockQueue::recycle(std::unique_ptr<Block> block) {
    block->clear();
    std::lock_guard lock(m_mutex);
    m_free.push_back(std::move(block));
    m_changed.notify_all();
}

void BlockQueue::cancel() {
    std::lock_guard lock(m_mutex);
    m_cancelled = true;
    m_filled.clear();
    m_changed.notify_all();
}

std::size_t BlockQueue::peak_blocks() const {
    std::lock_guard lock(m_mutex);
    return m_peak;
}

Unpacker::Unpacker(archive::Codec codec, fs::path staging, archive::Limits limits,
                   archive::InflateEngine engine)
    : m_codec(codec), m_staging(std::move(staging)), m_limits(limits), m_engine(engine) {
    start();
}

Unpacker::~Unpacker() {
    stop();
}

void Unpacker::start() {
    m_queue = std::make_unique<BlockQueue>();
    m_result = UnpackOutcome{};
    m_worker = std::thread([this] { run(); });
}

void Unpacker::stop() {
    if (m_worker.joinable()) {
        m_queue->cancel();
        m_worker.join();
    }
}

void Unpacker::bytes(const char* data, std::size_t size) {
    m_queue->write(data, size);
}

void Unpacker::restart() {
    stop();
    m_peak_before = std::max(m_peak_before, m_queue->peak_blocks());
    empty_directory(m_staging);
    start();
}

void Unpacker::cancel() {
    stop();
}

UnpackOutcome Unpacker::finish() {
    m_queue->close();
    if (m_worker.joinable()) {
        m_worker.join();
    }
    m_result.peak_blocks = std::max(m_peak_before, m_queue->peak_blocks());
    return std::move(m_result);
}

void Unpacker::run() {
    auto decoder = archive::Decoder::make(m_codec, m_engine);
    m_result.engine = decoder->engine();
    std::vector<char> out(1u << 20);
    std::unique_ptr<BlockQueue::Block> block;
    std::optional<Failure> decode_error;
    bool at_end = false;
    // The next piece of the raw tar stream: its size, 0 at the end, -1 when
    // the compressed stream is damaged.
    archive::ReadChunk next = [&](const void** data) -> ssize_t {
        for (;;) {
            auto n = decoder->decode(out.data(), out.size());
            if (!n) {
                decode_error = n.error();
                return -1;
            }
            if (*n > 0) {
                *data = out.data();
                return static_cast<ssize_t>(*n);
            }
            if (decoder->has_input()) {
                decode_error = Failure{ErrorKind::integrity,
                                       std::string("the ") + decoder->engine() +
                                           " decoder stopped making progress; the archive is "
                                           "damaged"};
                return -1;
            }
            if (block) {
                m_queue->recycle(std::move(block));
            }
            if (at_end) {
                return 0;
            }
            block = m_queue->pop();
            if (!block) {
                at_end = true;
                if (auto f = decoder->finish(); !f) {
                    decode_error = f.error();
                    return -1;
                }
                return 0;
            }
            decoder->set_input(block->data(), block->size());
        }
    };
    LibraryWatcher libraries;
    auto files = archive::extract_stream(next, m_staging, m_limits, archive::StreamInput::raw_tar,
                                         &libraries);
    if (files && !decode_error) {
        // The tar ends before the compressed stream does (padding, the gzip
        // trailer): decode the rest too, so its checksums are verified.
        const void* data = nullptr;
        while (next(&data) > 0) {
        }
    }
    if (decode_error) {
        m_result.failed = UnpackStage::decode;
        m_result.files = util::unexpected(*decode_error);
    } else if (!files) {
        m_result.failed = UnpackStage::extract;
        m_result.files = util::unexpected(files.error());
    } else {
        m_result.files = std::move(*files);
        m_result.libraries = std::move(libraries.libraries);
    }
    if (m_result.failed != UnpackStage::none) {
        // The producer keeps going (the digest is still wanted) without waiting for us.
        m_queue->cancel();
    }
}

namespace {

Result<Extracted> extracted(UnpackOutcome outcome) {
    if (!outcome.files) {
        return util::unexpected(outcome.files.error());
    }
    return Extracted{std::move(*outcome.files), std::move(outcome.libraries)};
}

}  // namespace

Result<Extracted> settle(UnpackOutcome outcome, archive::Codec codec, const fs::path& kept,
                         const fs::path& staging, const archive::Limits& limits,
                         util::Console& console) {
    if (outcome.failed != UnpackStage::decode || codec != archive::Codec::gzip ||
        outcome.engine == "zlib") {
        return extracted(std::move(outcome));
    }
    console.debug("the " + outcome.engine + " decoder refused " +
                  util::quoted(kept.filename().string()) + " (" + outcome.files.error().message +
                  "); inflating it again with zlib");
    empty_directory(staging);
    Unpacker unpacker(codec, staging, limits, archive::InflateEngine::zlib);
    TL_TRY(feed_file(kept, unpacker));
    return extracted(unpacker.finish());
}

archive::Codec codec_of(release::ArchiveFormat format) {
    return format == release::ArchiveFormat::tar_zst ? archive::Codec::zstd : archive::Codec::gzip;
}

Result<std::string> feed_file(const fs::path& path, ByteTap& tap) {
    util::UniqueFd fd(::open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC));
    if (!fd) {
        return fail(ErrorKind::filesystem,
                    "cannot open '" + path.string() + "': " + std::strerror(errno));
    }
    (void)::posix_fadvise(fd.get(), 0, 0, POSIX_FADV_SEQUENTIAL);
    util::Sha256 hash;
    std::vector<char> buf(1u << 20);
    for (;;) {
        ssize_t n = ::read(fd.get(), buf.data(), buf.size());
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n < 0) {
            return fail(ErrorKind::filesystem,
                        "cannot read '" + path.string() + "': " + std::strerror(errno));
        }
        if (n == 0) {
            break;
        }
        hash.update(buf.data(), static_cast<std::size_t>(n));
        tap.bytes(buf.data(), static_cast<std::size_t>(n));
    }
    return hash.hex_digest();
}

void empty_directory(const fs::path& dir) {
    std::error_code ec;
    for (const auto& child : fs::directory_iterator(dir, ec)) {
        util::remove_tree(child.path());
    }
}

}  // namespace tl::install
