#pragma once

// Filesystem helpers that keep readers safe: files appear by rename only,
// directories are swapped atomically, locks are released by the kernel when
// their holder dies.

#include <sys/types.h>

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

#include "tl/util/error.hpp"

namespace tl::util {

namespace fs = std::filesystem;

// Owns a file descriptor; closes it on destruction.
class UniqueFd {
public:
    UniqueFd() = default;
    explicit UniqueFd(int fd) : m_fd(fd) {}
    ~UniqueFd() { reset(); }
    UniqueFd(UniqueFd&& o) noexcept : m_fd(o.release()) {}
    UniqueFd& operator=(UniqueFd&& o) noexcept {
        if (this != &o) {
            reset(o.release());
        }
        return *this;
    }
    UniqueFd(const UniqueFd&) = delete;
    UniqueFd& operator=(const UniqueFd&) = delete;

    int get() const { return m_fd; }
    explicit operator bool() const { return m_fd >= 0; }
    int release() {
        int fd = m_fd;
        m_fd = -1;
        return fd;
    }
    void reset(int fd = -1);

private:
    int m_fd = -1;
};

// A file written to a temporary beside its target; commit() renames it over the
// target, and the destructor removes whatever was not committed.
class AtomicFile {
public:
    // Opens a temporary in the target's directory; a filesystem failure if it cannot.
    static Result<AtomicFile> create(const fs::path& target);
    AtomicFile(AtomicFile&&) noexcept;
    AtomicFile& operator=(AtomicFile&&) = delete;
    ~AtomicFile();

    // Appends bytes; a filesystem failure (disk full, I/O error) names the target.
    Result<void> write(std::string_view data);
    // Whether commit() waits for the data to reach the disk before renaming.
    enum class Durability { fsync, no_fsync };
    // Flushes (unless told not to) and renames over the target.
    Result<void> commit(Durability durability = Durability::fsync);
    int fd() const { return m_fd.get(); }
    const fs::path& temp_path() const { return m_temp; }

private:
    AtomicFile(fs::path target, fs::path temp, UniqueFd fd);
    fs::path m_target;
    fs::path m_temp;
    UniqueFd m_fd;
    bool m_committed = false;
};

// Writes a whole file atomically (temporary + rename); `durability` as for
// AtomicFile::commit (statistics need not survive a power cut, records must).
Result<void> write_file_atomic(const fs::path& path, std::string_view content,
                               AtomicFile::Durability durability = AtomicFile::Durability::fsync);

// Reads a whole file; not_found when it does not exist, filesystem for other errors,
// and a filesystem failure when it is larger than `max_size`.
Result<std::string> read_file(const fs::path& path, std::uint64_t max_size = 64u << 20);

// Creates a directory and its parents; a filesystem failure names the directory.
Result<void> create_directories(const fs::path& path);

// Writes all of `data` to `fd`, retrying short writes and EINTR.
Result<void> write_all(int fd, const void* data, std::size_t size, const fs::path& what);

// Exchanges two existing paths atomically (renameat2 RENAME_EXCHANGE on Linux,
// renamex_np RENAME_SWAP on macOS); returns false where the system cannot.
bool rename_exchange(const fs::path& a, const fs::path& b);

// Points the symlink `link` at `target` (a relative name), replacing any previous
// link by rename so readers never see it missing.
Result<void> replace_symlink(const fs::path& link, const std::string& target);

// Removes a tree without following symlinks; errors are ignored (best effort).
void remove_tree(const fs::path& path);

// A unique, not yet existing name beside `base` with the given prefix, e.g.
// "<dir>/.staging-linux-x64-12345-ab12cd".
fs::path unique_sibling(const fs::path& dir, std::string_view prefix);

// An exclusive advisory lock on a file (flock): the kernel drops it when the
// holder exits or is killed, so a dead process never leaves a stale lock.
class FileLock {
public:
    FileLock() = default;
    FileLock(FileLock&&) noexcept = default;
    FileLock& operator=(FileLock&&) noexcept = default;
    ~FileLock();

    // Takes the lock without waiting; an empty optional when another process holds it.
    static Result<std::optional<FileLock>> try_acquire(const fs::path& path);
    // Takes the lock, waiting as long as needed.
    static Result<FileLock> acquire(const fs::path& path);
    bool held() const { return static_cast<bool>(m_fd); }
    void release();

private:
    explicit FileLock(UniqueFd fd) : m_fd(std::move(fd)) {}
    UniqueFd m_fd;
};

// True when some process holds the lock on `path` right now.
bool is_locked(const fs::path& path);

// A temporary directory removed on destruction unless keep() was called.
class TempDir {
public:
    explicit TempDir(std::string_view prefix = "temporal-libs");
    ~TempDir();
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
    const fs::path& path() const { return m_path; }
    void keep() { m_keep = true; }

private:
    fs::path m_path;
    bool m_keep = false;
};

}  // namespace tl::util
