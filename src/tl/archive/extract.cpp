#include "tl/archive/extract.hpp"

#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <memory>
#include <vector>

#include "tl/util/escape.hpp"
#include "tl/util/fs.hpp"
#include "tl/util/sha256.hpp"
#include "tl/util/strings.hpp"

namespace tl::archive {

namespace {

using util::UniqueFd;

struct ArchiveDeleter {
    void operator()(struct archive* a) const { archive_read_free(a); }
};
using ArchivePtr = std::unique_ptr<struct archive, ArchiveDeleter>;

ArchivePtr new_reader(StreamInput input = StreamInput::compressed_tar) {
    ArchivePtr a(archive_read_new());
    // Release archives are tar, compressed with gzip (the contract) or zstd.
    if (input == StreamInput::compressed_tar) {
        archive_read_support_filter_gzip(a.get());
        archive_read_support_filter_zstd(a.get());
    }
    archive_read_support_filter_none(a.get());
    archive_read_support_format_tar(a.get());
    return a;
}

const char* type_name(mode_t type) {
    switch (type) {
        case AE_IFLNK:
            return "a symbolic link";
        case AE_IFCHR:
            return "a character device";
        case AE_IFBLK:
            return "a block device";
        case AE_IFIFO:
            return "a FIFO";
        case AE_IFSOCK:
            return "a socket";
        default:
            return "an unsupported entry type";
    }
}

util::Unexpected<Failure> unsafe(const std::string& entry, const std::string& why) {
    return fail(ErrorKind::integrity, "unsafe archive entry " + util::quoted(entry) + ": " + why +
                                          "; the archive was rejected and nothing was installed");
}

// Opens (creating as needed) the directory for `components` under `root`,
// never following symlinks.
Result<UniqueFd> open_parent(int root, const std::vector<std::string>& components,
                             const std::string& entry) {
    UniqueFd dir(::dup(root));
    for (const auto& c : components) {
        // Modes leave the rest to the umask, so a cache shared by a group works.
        if (::mkdirat(dir.get(), c.c_str(), 0777) != 0 && errno != EEXIST) {
            return fail(
                ErrorKind::filesystem,
                "cannot create directory for " + util::quoted(entry) + ": " + std::strerror(errno));
        }
        int next = ::openat(dir.get(), c.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (next < 0) {
            return unsafe(entry, "a parent is not a plain directory");
        }
        dir.reset(next);
    }
    return dir;
}

Result<std::vector<ExtractedFile>> extract_from(struct archive* a,
                                                const std::filesystem::path& dest,
                                                const Limits& limits, EntryWatcher* watcher) {
    UniqueFd root(::open(dest.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
    if (!root) {
        return fail(ErrorKind::filesystem, "cannot open staging directory '" + dest.string() +
                                               "': " + std::strerror(errno));
    }
    std::vector<ExtractedFile> files;
    const std::vector<char> zeros(1 << 20, '\0');
    std::uint64_t entries = 0;
    std::uint64_t total = 0;
    for (;;) {
        struct archive_entry* entry = nullptr;
        int rc = archive_read_next_header(a, &entry);
        if (rc == ARCHIVE_EOF) {
            break;
        }
        if (rc != ARCHIVE_OK && rc != ARCHIVE_WARN) {
            const char* msg = archive_error_string(a);
            return fail(ErrorKind::integrity,
                        std::string("archive is damaged: ") + (msg ? msg : "unreadable header"));
        }
        if (++entries > limits.max_entries) {
            return fail(ErrorKind::integrity, "archive has more than " +
                                                  std::to_string(limits.max_entries) +
                                                  " entries; refusing it");
        }
        const char* raw = archive_entry_pathname(entry);
        std::string name = raw ? raw : "";
        TL_TRY_ASSIGN(path, normalize_entry_path(name, limits))
        mode_t type = archive_entry_filetype(entry);
        if (archive_entry_hardlink(entry) != nullptr) {
            return unsafe(
                name, std::string("hard link to ") + util::quoted(archive_entry_hardlink(entry)));
        }
        if (type == AE_IFLNK) {
            const char* target = archive_entry_symlink(entry);
            return unsafe(name,
                          std::string("symbolic link to ") + util::quoted(target ? target : ""));
        }
        if (type != AE_IFREG && type != AE_IFDIR) {
            return unsafe(name, std::string("it is ") + type_name(type));
        }
        if (path->empty()) {
            continue;  // "./": the archive root
        }
        std::vector<std::string> components = util::split(*path, '/');
        if (type == AE_IFDIR) {
            TL_TRY_ASSIGN(dir, open_parent(root.get(), components, name))
            continue;
        }
        if (archive_entry_sparse_count(entry) > 0) {
            // Holes cost nothing in the archive and everything on disk; release
            // archives never hold them.
            return unsafe(name, "it is a sparse file");
        }
        if (archive_entry_size_is_set(entry) &&
            static_cast<std::uint64_t>(archive_entry_size(entry)) > limits.max_entry_size) {
            return unsafe(name, "it is " + util::human_bytes(archive_entry_size(entry)) +
                                    ", over the limit of " +
                                    util::human_bytes(limits.max_entry_size));
        }
        std::string leaf = components.back();
        components.pop_back();
        TL_TRY_ASSIGN(dir, open_parent(root.get(), components, name))
        UniqueFd out(::openat(dir->get(), leaf.c_str(),
                              O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0666));
        if (!out) {
            if (errno == EEXIST) {
                return unsafe(name, "it appears twice in the archive");
            }
            return fail(ErrorKind::filesystem, "cannot create " + util::quoted(*path) + " in '" +
                                                   dest.string() + "': " + std::strerror(errno));
        }
        util::Sha256 hash;
        std::uint64_t size = 0;
        const bool watched = watcher != nullptr && watcher->wants(*path);
        // Checks the limits, hashes and writes the entry's next bytes.
        auto append = [&](const void* data, std::size_t n) -> Result<void> {
            size += n;
            total += n;
            if (size > limits.max_entry_size) {
                return unsafe(name, "it is larger than the limit of " +
                                        util::human_bytes(limits.max_entry_size));
            }
            if (total > limits.max_total_size) {
                return fail(ErrorKind::integrity,
                            "archive expands to more than " +
                                util::human_bytes(limits.max_total_size) +
                                ", the most it may write before its checksum is known "
                                "(max_extracted_mib, and max_expansion_ratio times its size); "
                                "refusing it, nothing was installed");
            }
            hash.update(data, n);
            if (watched) {
                watcher->bytes(data, n);
            }
            return util::write_all(out.get(), data, n, dest / *path);
        };
        // Zeros up to `offset`: the holes of a sparse entry read as zeros.
        auto fill_to = [&](std::uint64_t offset) -> Result<void> {
            while (size < offset) {
                auto n =
                    static_cast<std::size_t>(std::min<std::uint64_t>(zeros.size(), offset - size));
                if (auto w = append(zeros.data(), n); !w) {
                    return w;
                }
            }
            return {};
        };
        for (;;) {
            // The data blocks straight from libarchive's buffer: no copy.
            const void* block = nullptr;
            std::size_t n = 0;
            la_int64_t offset = 0;
            int got = archive_read_data_block(a, &block, &n, &offset);
            if (got == ARCHIVE_EOF) {
                break;
            }
            if ((got != ARCHIVE_OK && got != ARCHIVE_WARN) || offset < 0 ||
                static_cast<std::uint64_t>(offset) < size) {
                const char* msg = archive_error_string(a);
                return fail(ErrorKind::integrity, "archive is damaged at " + util::quoted(name) +
                                                      ": " + (msg ? msg : "read error"));
            }
            TL_TRY(fill_to(static_cast<std::uint64_t>(offset)));
            TL_TRY(append(block, n));
        }
        if (archive_entry_size_is_set(entry)) {
            TL_TRY(fill_to(static_cast<std::uint64_t>(archive_entry_size(entry))));
        }
        if (watched) {
            watcher->done();
        }
        struct stat st {};
        ::fstat(out.get(), &st);
        ExtractedFile f;
        f.path = *path;
        f.size = size;
        f.sha256 = hash.hex_digest();
        f.inode = static_cast<std::uint64_t>(st.st_ino);
        f.mtime_ns = static_cast<std::int64_t>(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec;
        files.push_back(std::move(f));
    }
    return files;
}

struct StreamState {
    const ReadChunk* read;
};

la_ssize_t stream_read(struct archive*, void* client, const void** buffer) {
    auto* s = static_cast<StreamState*>(client);
    return (*s->read)(buffer);
}

// Longest single name component (a file system's NAME_MAX): a longer one is a
// bad archive, not a disk error.
constexpr std::size_t k_max_name_length = 255;

// Names the cache keeps beside or inside an entry (cache/cache.hpp): an
// archive carrying one would never be a cache hit, or would pass for the
// cache's own bookkeeping.
bool is_reserved_name(std::string_view c) {
    return c == ".temporal-libs-entry.json" || util::starts_with(c, ".staging-") ||
           util::starts_with(c, ".old-") || util::starts_with(c, ".unexpected-");
}

}  // namespace

Result<std::string> normalize_entry_path(const std::string& name, const Limits& limits) {
    if (name.empty()) {
        return unsafe(name, "it has no name");
    }
    if (name.size() > limits.max_path_length) {
        return unsafe(name.substr(0, 64) + "...",
                      "its name is longer than " + std::to_string(limits.max_path_length));
    }
    if (name.front() == '/') {
        return unsafe(name, "absolute path");
    }
    // Names end up in records, JSON output and terminals: UTF-8 without
    // control characters only (quoted() shows the bytes escaped).
    if (!util::is_valid_utf8(name) || util::has_control_chars(name)) {
        return unsafe(name, "its name is not UTF-8 text without control characters");
    }
    std::vector<std::string> kept;
    for (const std::string& c : util::split(name, '/')) {
        if (c.empty() || c == ".") {
            continue;
        }
        if (c == "..") {
            return unsafe(name, "'..' escapes the destination");
        }
        if (is_reserved_name(c)) {
            return unsafe(name, "the cache uses " + util::quoted(c) +
                                    " for itself; a release archive may not carry it");
        }
        if (c.size() > k_max_name_length) {
            return unsafe(name.substr(0, 64) + "...",
                          "a name in it is longer than " + std::to_string(k_max_name_length));
        }
        kept.push_back(c);
    }
    if (static_cast<int>(kept.size()) > limits.max_depth) {
        return unsafe(name, "nested deeper than " + std::to_string(limits.max_depth));
    }
    return util::join(kept, "/");
}

Result<std::vector<ExtractedFile>> extract_file(const std::filesystem::path& archive,
                                                const std::filesystem::path& dest,
                                                const Limits& limits) {
    ArchivePtr a = new_reader();
    if (archive_read_open_filename(a.get(), archive.c_str(), 1 << 20) != ARCHIVE_OK) {
        const char* msg = archive_error_string(a.get());
        return fail(ErrorKind::integrity, "cannot read archive '" + archive.string() +
                                              "': " + (msg ? msg : "unknown format"));
    }
    return extract_from(a.get(), dest, limits, nullptr);
}

Result<std::vector<ExtractedFile>> extract_stream(const ReadChunk& read,
                                                  const std::filesystem::path& dest,
                                                  const Limits& limits, StreamInput input,
                                                  EntryWatcher* watcher) {
    ArchivePtr a = new_reader(input);
    StreamState state{&read};
    if (archive_read_open(a.get(), &state, nullptr, stream_read, nullptr) != ARCHIVE_OK) {
        const char* msg = archive_error_string(a.get());
        return fail(ErrorKind::integrity,
                    std::string("cannot read archive stream: ") + (msg ? msg : "unknown format"));
    }
    return extract_from(a.get(), dest, limits, watcher);
}

}  // namespace tl::archive
