#pragma once

// The one-pass install pipeline: archive bytes arrive on the caller's thread
// (the network callback, or a kept archive read from disk), which hashes them
// and appends them to the partial file (see downloader.hpp) and hands them
// over here through a bounded queue of fixed blocks; one worker thread
// decompresses them (archive/inflate.hpp: ISA-L or zlib for gzip, libzstd for
// zstd) and feeds the raw tar stream to the safe extraction into a staging
// directory (archive/extract.hpp). A full queue blocks the producer, so memory
// stays flat whatever the archive size. The staging directory is the caller's:
// it installs it only once the archive's digest is verified.

#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "tl/archive/extract.hpp"
#include "tl/archive/inflate.hpp"
#include "tl/install/downloader.hpp"
#include "tl/objfile/library.hpp"
#include "tl/release/contract.hpp"
#include "tl/util/console.hpp"
#include "tl/util/error.hpp"

namespace tl::install {

// Bytes per queued block.
inline constexpr std::size_t k_block_size = 512u << 10;
// Blocks in flight at most (queued, being filled and being decoded): 4 MiB.
inline constexpr std::size_t k_max_blocks = 8;

// Which stage an unpacking failed in.
enum class UnpackStage { none, decode, extract };

// What a pass extracted: its files, and what each library among them holds,
// learnt from its bytes as they were written (objfile::LibraryStream), so no
// file is read back.
struct Extracted {
    std::vector<archive::ExtractedFile> files;
    std::vector<objfile::LibraryInfo>
        libraries;  // LibraryInfo::path: the file's path in the archive
};

// The outcome of one pass: the extracted files, or the failure and its stage.
struct UnpackOutcome {
    Result<std::vector<archive::ExtractedFile>> files = std::vector<archive::ExtractedFile>();
    std::vector<objfile::LibraryInfo> libraries;
    UnpackStage failed = UnpackStage::none;
    // The engine that decoded the stream ("ISA-L", "zlib", "zstd", "none").
    std::string engine;
    // The most blocks ever allocated at once (at most k_max_blocks).
    std::size_t peak_blocks = 0;
};

// A bounded queue of byte blocks between one producer and one consumer.
class BlockQueue {
public:
    using Block = std::vector<char>;

    // Copies bytes into blocks, queueing each full one; blocks while all
    // k_max_blocks are in use. Does nothing once the consumer gave up.
    void write(const char* data, std::size_t size);
    // Queues the partly filled block and marks the end of the stream.
    void close();
    // The next block, or null at the end (or once the queue was cancelled).
    std::unique_ptr<Block> pop();
    // Returns a consumed block for reuse.
    void recycle(std::unique_ptr<Block> block);
    // The consumer stops: queued and future bytes are dropped, the producer never blocks again.
    void cancel();
    // The most blocks allocated at once.
    std::size_t peak_blocks() const;

private:
    std::unique_ptr<Block> take_free_block(std::unique_lock<std::mutex>& lock);

    mutable std::mutex m_mutex;
    std::condition_variable m_changed;
    std::deque<std::unique_ptr<Block>> m_filled;
    std::vector<std::unique_ptr<Block>> m_free;
    std::unique_ptr<Block> m_current;
    std::size_t m_allocated = 0;
    std::size_t m_peak = 0;
    bool m_closed = false;
    bool m_cancelled = false;
};

// Extracts an archive from bytes written to it, on a worker thread.
class Unpacker final : public ByteTap {
public:
    // Extracts into `staging` (an existing, empty directory).
    Unpacker(archive::Codec codec, std::filesystem::path staging, archive::Limits limits,
             archive::InflateEngine engine = archive::InflateEngine::fastest);
    ~Unpacker() override;
    Unpacker(const Unpacker&) = delete;
    Unpacker& operator=(const Unpacker&) = delete;

    // Queues the next bytes of the archive (blocks while the queue is full).
    void bytes(const char* data, std::size_t size) override;
    // Stops the current pass, empties the staging directory and starts anew.
    void restart() override;
    // Marks the end of the archive and waits for the extraction to finish.
    UnpackOutcome finish();
    // Stops the extraction without waiting for more bytes (the download
    // failed); the staging directory is no longer written to afterwards.
    void cancel();

private:
    void start();
    void stop();
    void run();

    archive::Codec m_codec;
    std::filesystem::path m_staging;
    archive::Limits m_limits;
    archive::InflateEngine m_engine;
    std::unique_ptr<BlockQueue> m_queue;
    std::thread m_worker;
    UnpackOutcome m_result;
    // The most blocks in flight over the passes before the current one.
    std::size_t m_peak_before = 0;
};

// What a pass that went through extracted, or its failure. A gzip stream the
// fast decoder (ISA-L) refused is decoded once more from `kept` with zlib,
// which is as strict (CRC-32 and size of every member), before giving up.
Result<Extracted> settle(UnpackOutcome outcome, archive::Codec codec,
                         const std::filesystem::path& kept, const std::filesystem::path& staging,
                         const archive::Limits& limits, util::Console& console);

// The codec of a release archive format.
archive::Codec codec_of(release::ArchiveFormat format);

// Feeds a whole file to `tap`, hashing it on the way; returns its SHA-256.
Result<std::string> feed_file(const std::filesystem::path& path, ByteTap& tap);

// Removes everything inside `dir`, keeping the directory.
void empty_directory(const std::filesystem::path& dir);

}  // namespace tl::install
