#include "tl/util/fs.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <random>

#include "tl/util/safe_fs.hpp"

namespace tl::util {

namespace {

std::string errno_text(int err) {
    return std::strerror(err);
}

std::string random_suffix() {
    static std::atomic<unsigned> counter{0};
    std::random_device rd;
    unsigned v = rd() ^ (counter.fetch_add(1) * 2654435761u);
    char buf[16];
    std::snprintf(buf, sizeof buf, "%08x", v);
    return buf;
}

}  // namespace

void UniqueFd::reset(int fd) {
    if (m_fd >= 0) {
        ::close(m_fd);
    }
    m_fd = fd;
}

fs::path unique_sibling(const fs::path& dir, std::string_view prefix) {
    return dir / (std::string(prefix) + "-" + std::to_string(::getpid()) + "-" + random_suffix());
}

AtomicFile::AtomicFile(fs::path target, fs::path temp, UniqueFd fd)
    : m_target(std::move(target)), m_temp(std::move(temp)), m_fd(std::move(fd)) {}

AtomicFile::AtomicFile(AtomicFile&& o) noexcept
    : m_target(std::move(o.m_target)),
      m_temp(std::move(o.m_temp)),
      m_fd(std::move(o.m_fd)),
      m_committed(o.m_committed) {
    o.m_committed = true;  // the moved-from object must not unlink our temporary
}

Result<AtomicFile> AtomicFile::create(const fs::path& target) {
    fs::path dir = target.parent_path().empty() ? fs::path(".") : target.parent_path();
    fs::path temp = unique_sibling(dir, "." + target.filename().string() + ".tmp");
    int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (fd < 0) {
        return fail(ErrorKind::filesystem,
                    "cannot create '" + temp.string() + "': " + errno_text(errno));
    }
    return AtomicFile(target, temp, UniqueFd(fd));
}

AtomicFile::~AtomicFile() {
    if (!m_committed && !m_temp.empty()) {
        m_fd.reset();
        ::unlink(m_temp.c_str());
    }
}

Result<void> AtomicFile::write(std::string_view data) {
    return write_all(m_fd.get(), data.data(), data.size(), m_target);
}

Result<void> AtomicFile::commit(Durability durability) {
    if (durability == Durability::fsync && ::fsync(m_fd.get()) != 0) {
        return fail(ErrorKind::filesystem,
                    "cannot flush '" + m_target.string() + "': " + errno_text(errno));
    }
    m_fd.reset();
    if (::rename(m_temp.c_str(), m_target.c_str()) != 0) {
        return fail(ErrorKind::filesystem, "cannot rename '" + m_temp.string() + "' to '" +
                                               m_target.string() + "': " + errno_text(errno));
    }
    m_committed = true;
    return {};
}

Result<void> write_all(int fd, const void* data, std::size_t size, const fs::path& what) {
    const char* p = static_cast<const char*>(data);
    while (size > 0) {
        ssize_t n = ::write(fd, p, size);
        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            return fail(ErrorKind::filesystem,
                        "cannot write '" + what.string() + "': " + errno_text(errno));
        }
        p += n;
        size -= static_cast<std::size_t>(n);
    }
    return {};
}

Result<void> write_file_atomic(const fs::path& path, std::string_view content,
                               AtomicFile::Durability durability) {
    TL_TRY_ASSIGN(file, AtomicFile::create(path))
    if (auto w = file->write(content); !w) {
        return w;
    }
    return file->commit(durability);
}

Result<std::string> read_file(const fs::path& path, std::uint64_t max_size) {
    UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    if (!fd) {
        int err = errno;
        return fail(err == ENOENT ? ErrorKind::not_found : ErrorKind::filesystem,
                    "cannot read '" + path.string() + "': " + errno_text(err));
    }
    std::string out;
    char buf[65536];
    for (;;) {
        ssize_t n = ::read(fd.get(), buf, sizeof buf);
        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            return fail(ErrorKind::filesystem,
                        "cannot read '" + path.string() + "': " + errno_text(errno));
        }
        if (n == 0) {
            break;
        }
        if (out.size() + static_cast<std::size_t>(n) > max_size) {
            return fail(ErrorKind::filesystem, "'" + path.string() + "' is larger than " +
                                                   std::to_string(max_size) + " bytes");
        }
        out.append(buf, static_cast<std::size_t>(n));
    }
    return out;
}

Result<void> create_directories(const fs::path& path) {
    std::error_code ec;
    fs::create_directories(path, ec);
    if (ec) {
        return fail(ErrorKind::filesystem,
                    "cannot create directory '" + path.string() + "': " + ec.message());
    }
    return {};
}

bool rename_exchange(const fs::path& a, const fs::path& b) {
#if defined(__linux__)
#ifndef RENAME_EXCHANGE
#define RENAME_EXCHANGE (1 << 1)
#endif
    return ::renameat2(AT_FDCWD, a.c_str(), AT_FDCWD, b.c_str(), RENAME_EXCHANGE) == 0;
#elif defined(__APPLE__)
    return ::renamex_np(a.c_str(), b.c_str(), RENAME_SWAP) == 0;
#else
    (void)a;
    (void)b;
    return false;
#endif
}

Result<void> replace_symlink(const fs::path& link, const std::string& target) {
    fs::path temp = unique_sibling(link.parent_path(), "." + link.filename().string() + ".tmp");
    if (::symlink(target.c_str(), temp.c_str()) != 0) {
        return fail(ErrorKind::filesystem,
                    "cannot create symlink '" + temp.string() + "': " + errno_text(errno));
    }
    if (::rename(temp.c_str(), link.c_str()) != 0) {
        int err = errno;
        ::unlink(temp.c_str());
        return fail(ErrorKind::filesystem,
                    "cannot replace '" + link.string() + "': " + errno_text(err));
    }
    return {};
}

void remove_tree(const fs::path& path) {
    std::error_code ec;
    fs::remove_all(path, ec);  // remove_all does not follow symlinks
}

FileLock::~FileLock() {
    release();
}

void FileLock::release() {
    m_fd.reset();
}

Result<std::string> move_aside_unexpected(const fs::path& path, bool want_directory) {
    struct stat st {};
    if (::lstat(path.c_str(), &st) != 0) {
        return std::string();
    }
    bool link = S_ISLNK(st.st_mode);
    if (!link && (!want_directory || S_ISDIR(st.st_mode))) {
        return std::string();
    }
    fs::path aside = unique_sibling(path.parent_path(), ".unexpected-" + path.filename().string());
    if (::rename(path.c_str(), aside.c_str()) != 0) {
        return fail(ErrorKind::filesystem, "cannot move the unexpected " +
                                               std::string(link ? "symbolic link" : "file") + " '" +
                                               path.string() + "' aside: " + errno_text(errno));
    }
    return "'" + path.string() + "' was " +
           (link ? "a symbolic link" : std::string("not a directory")) +
           " (not made by temporal-libs); it was moved to '" + aside.string() +
           "' and not followed";
}

Result<void> ensure_plain_directory(const fs::path& dir, std::vector<std::string>& moved) {
    TL_TRY_ASSIGN(m, move_aside_unexpected(dir, /*want_directory=*/true))
    if (!m->empty()) {
        moved.push_back(*m);
    }
    if (::mkdir(dir.c_str(), 0777) != 0 && errno != EEXIST) {
        return fail(ErrorKind::filesystem,
                    "cannot create directory '" + dir.string() + "': " + errno_text(errno));
    }
    // Made by someone else between the check and mkdir: check once more.
    struct stat st {};
    if (::lstat(dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) {
        return fail(ErrorKind::filesystem,
                    "'" + dir.string() + "' is not a plain directory; refusing to use it");
    }
    return {};
}

namespace {

// Opens (creating) a lock file without following a link planted in its place:
// a link is moved aside and the file made anew.
int open_lock_file(const fs::path& path) {
    for (int attempt = 0; attempt < 2; ++attempt) {
        int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0666);
        if (fd >= 0 || errno != ELOOP) {
            return fd;
        }
        if (!move_aside_unexpected(path, false)) {
            return -1;
        }
    }
    errno = ELOOP;
    return -1;
}

}  // namespace

Result<std::optional<FileLock>> FileLock::try_acquire(const fs::path& path) {
    UniqueFd fd(open_lock_file(path));
    if (!fd) {
        return fail(ErrorKind::filesystem,
                    "cannot open lock file '" + path.string() + "': " + errno_text(errno));
    }
    if (::flock(fd.get(), LOCK_EX | LOCK_NB) != 0) {
        if (errno == EWOULDBLOCK) {
            return std::optional<FileLock>{};
        }
        return fail(ErrorKind::filesystem,
                    "cannot lock '" + path.string() + "': " + errno_text(errno));
    }
    return std::optional<FileLock>(FileLock(std::move(fd)));
}

Result<FileLock> FileLock::acquire(const fs::path& path) {
    UniqueFd fd(open_lock_file(path));
    if (!fd) {
        return fail(ErrorKind::filesystem,
                    "cannot open lock file '" + path.string() + "': " + errno_text(errno));
    }
    while (::flock(fd.get(), LOCK_EX) != 0) {
        if (errno != EINTR) {
            return fail(ErrorKind::filesystem,
                        "cannot lock '" + path.string() + "': " + errno_text(errno));
        }
    }
    return FileLock(std::move(fd));
}

bool is_locked(const fs::path& path) {
    UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    if (!fd) {
        return false;
    }
    if (::flock(fd.get(), LOCK_SH | LOCK_NB) != 0) {
        return errno == EWOULDBLOCK;
    }
    ::flock(fd.get(), LOCK_UN);
    return false;
}

TempDir::TempDir(std::string_view prefix) {
    std::string tmpl = (fs::temp_directory_path() / (std::string(prefix) + "-XXXXXX")).string();
    if (::mkdtemp(tmpl.data()) == nullptr) {
        throw Error(ErrorKind::filesystem,
                    "cannot create a temporary directory: " + errno_text(errno));
    }
    m_path = tmpl;
}

TempDir::~TempDir() {
    if (!m_keep) {
        remove_tree(m_path);
    }
}

}  // namespace tl::util
