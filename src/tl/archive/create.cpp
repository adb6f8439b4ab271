#include "tl/archive/create.hpp"

#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <memory>

#include "tl/util/fs.hpp"
#include "tl/util/sha256.hpp"
#include "tl/util/strings.hpp"

namespace tl::archive {

namespace {

// Where libarchive's output goes: the temporary file, hashed on the way.
struct Sink {
    util::AtomicFile* file = nullptr;
    util::Sha256 hash;
    std::uint64_t size = 0;
    std::string error;
};

la_ssize_t write_callback(struct archive*, void* client_data, const void* buffer,
                          std::size_t length) {
    auto* sink = static_cast<Sink*>(client_data);
    auto r = sink->file->write(std::string_view(static_cast<const char*>(buffer), length));
    if (!r) {
        sink->error = r.error().message;
        return -1;
    }
    sink->hash.update(buffer, length);
    sink->size += length;
    return static_cast<la_ssize_t>(length);
}

struct ArchiveDeleter {
    void operator()(struct archive* a) const { archive_write_free(a); }
};
struct EntryDeleter {
    void operator()(archive_entry* e) const { archive_entry_free(e); }
};

std::string archive_error(struct archive* a) {
    const char* msg = archive_error_string(a);
    return msg != nullptr ? msg : "unknown libarchive error";
}

}  // namespace

Result<std::int64_t> source_date_epoch() {
    const char* v = std::getenv("SOURCE_DATE_EPOCH");
    if (v == nullptr || *v == '\0') {
        return std::int64_t{0};
    }
    auto n = util::parse_u64(util::trim(v));
    if (!n || *n > (std::uint64_t{1} << 33)) {
        return fail(ErrorKind::usage, "SOURCE_DATE_EPOCH must be a whole number of seconds, not " +
                                          util::quoted(v) +
                                          " (e.g. the commit time: git log -1 --format=%ct)");
    }
    return static_cast<std::int64_t>(*n);
}

Result<Created> create_archive(const std::filesystem::path& out, const std::vector<Entry>& entries,
                               const CreateOptions& options) {
    TL_TRY_ASSIGN(file, util::AtomicFile::create(out))
    Sink sink;
    sink.file = &*file;
    std::unique_ptr<struct archive, ArchiveDeleter> a(archive_write_new());
    const std::string what = util::quoted(out.string());
    auto la_fail = [&](const std::string& step) {
        std::string why = sink.error.empty() ? archive_error(a.get()) : sink.error;
        return fail(sink.error.empty() ? ErrorKind::internal : ErrorKind::filesystem,
                    "cannot write " + what + ": " + step + ": " + why);
    };
    // ustar where it can hold the entry, a pax header only where it cannot:
    // what GNU and BSD tar both read, with nothing host-specific in it.
    if (archive_write_set_format_pax_restricted(a.get()) != ARCHIVE_OK) {
        return la_fail("tar format");
    }
    if (options.compression == Compression::gzip) {
        // No timestamp in the gzip header (and libarchive writes no file name),
        // so two runs differ in nothing.
        if (archive_write_add_filter_gzip(a.get()) != ARCHIVE_OK ||
            archive_write_set_filter_option(a.get(), "gzip", "timestamp", nullptr) != ARCHIVE_OK ||
            archive_write_set_filter_option(a.get(), "gzip", "compression-level", "6") !=
                ARCHIVE_OK) {
            return la_fail("gzip");
        }
    } else {
        // Single-threaded: zstd's multi-threaded frames differ from these.
        if (archive_write_add_filter_zstd(a.get()) != ARCHIVE_OK ||
            archive_write_set_filter_option(a.get(), "zstd", "compression-level", "10") !=
                ARCHIVE_OK) {
            return la_fail("zstd");
        }
    }
    // No zero padding after the compressed stream: gzip ignores it, but zstd
    // and other readers call it garbage.
    if (archive_write_set_bytes_in_last_block(a.get(), 1) != ARCHIVE_OK) {
        return la_fail("block size");
    }
    if (archive_write_open(a.get(), &sink, nullptr, write_callback, nullptr) != ARCHIVE_OK) {
        return la_fail("open");
    }

    Created created;
    std::vector<char> buffer(1 << 20);
    for (const Entry& e : entries) {
        std::unique_ptr<archive_entry, EntryDeleter> entry(archive_entry_new());
        archive_entry_set_pathname(entry.get(), e.name.c_str());
        archive_entry_set_mtime(entry.get(), static_cast<time_t>(options.mtime), 0);
        archive_entry_set_uid(entry.get(), 0);
        archive_entry_set_gid(entry.get(), 0);
        if (e.type == Entry::Type::directory) {
            archive_entry_set_filetype(entry.get(), AE_IFDIR);
            archive_entry_set_perm(entry.get(), 0755);
            archive_entry_set_size(entry.get(), 0);
            if (archive_write_header(a.get(), entry.get()) != ARCHIVE_OK) {
                return la_fail("entry " + util::quoted(e.name));
            }
            continue;
        }
        archive_entry_set_filetype(entry.get(), AE_IFREG);
        archive_entry_set_perm(entry.get(), 0644);
        util::Sha256 hash;
        if (e.source.empty()) {
            archive_entry_set_size(entry.get(), static_cast<la_int64_t>(e.content.size()));
            if (archive_write_header(a.get(), entry.get()) != ARCHIVE_OK ||
                (!e.content.empty() &&
                 archive_write_data(a.get(), e.content.data(), e.content.size()) < 0)) {
                return la_fail("entry " + util::quoted(e.name));
            }
            hash.update(e.content);
            created.entry_sha256.emplace_back(e.name, hash.hex_digest());
            continue;
        }
        util::UniqueFd fd(::open(e.source.c_str(), O_RDONLY | O_CLOEXEC));
        struct stat st {};
        if (!fd || ::fstat(fd.get(), &st) != 0 || !S_ISREG(st.st_mode)) {
            return fail(ErrorKind::filesystem,
                        "cannot read " + util::quoted(e.source.string()) + ": " +
                            (fd ? "not a regular file" : std::strerror(errno)));
        }
        const auto size = static_cast<std::uint64_t>(st.st_size);
        archive_entry_set_size(entry.get(), static_cast<la_int64_t>(size));
        if (archive_write_header(a.get(), entry.get()) != ARCHIVE_OK) {
            return la_fail("entry " + util::quoted(e.name));
        }
        std::uint64_t done = 0;
        for (;;) {
            ssize_t n = ::read(fd.get(), buffer.data(), buffer.size());
            if (n < 0 && errno == EINTR) {
                continue;
            }
            if (n < 0) {
                return fail(
                    ErrorKind::filesystem,
                    "cannot read " + util::quoted(e.source.string()) + ": " + std::strerror(errno));
            }
            if (n == 0) {
                break;
            }
            done += static_cast<std::uint64_t>(n);
            if (done > size) {
                break;
            }
            hash.update(buffer.data(), static_cast<std::size_t>(n));
            if (archive_write_data(a.get(), buffer.data(), static_cast<std::size_t>(n)) < 0) {
                return la_fail("entry " + util::quoted(e.name));
            }
        }
        if (done != size) {
            return fail(ErrorKind::integrity,
                        util::quoted(e.source.string()) +
                            " changed size while it was being packed; wait for whatever writes "
                            "it to finish and pack again");
        }
        created.entry_sha256.emplace_back(e.name, hash.hex_digest());
    }
    if (archive_write_close(a.get()) != ARCHIVE_OK) {
        return la_fail("close");
    }
    TL_TRY(file->commit());
    created.size = sink.size;
    created.sha256 = sink.hash.hex_digest();
    return created;
}

}  // namespace tl::archive
