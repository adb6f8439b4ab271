// A directory mirror (layout in source/mirror_layout.hpp). Every file appears
// by rename, so a web server serving the directory while a mirror run is
// killed never hands out half a file; both indexes are rewritten under one
// lock so concurrent runs for different platforms or tags merge.

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "tl/mirror/destination.hpp"
#include "tl/source/mirror_layout.hpp"
#include "tl/util/fs.hpp"
#include "tl/util/strings.hpp"

namespace tl::mirror {

namespace {

namespace fs = std::filesystem;

// Where concurrent runs take turns rewriting the indexes.
constexpr std::string_view k_lock_name = ".temporal-libs-mirror.lock";

class DirectoryDestination : public Destination {
public:
    explicit DirectoryDestination(fs::path root) : m_root(std::move(root)) {}

    std::string name() const override { return "dir:" + m_root.string(); }

    Result<std::map<std::string, std::string>> existing(const std::string& tag) override {
        std::map<std::string, std::string> have;
        TL_TRY_ASSIGN(index, read_release_index(tag))
        for (const auto& a : index->assets) {
            // Listed and present with the listed size: a file someone removed or
            // truncated by hand is copied again.
            std::error_code ec;
            auto size = fs::file_size(m_root / tag / a.name, ec);
            if (!ec && size == a.size) {
                have[a.name] = a.sha256;
            }
        }
        return have;
    }

    Result<void> put(const std::string& tag, const MirroredAsset& asset) override {
        if (!source::is_safe_mirror_name(tag) || !source::is_safe_mirror_name(asset.name)) {
            return fail(ErrorKind::usage, "refusing to write " +
                                              util::quoted(tag + "/" + asset.name) +
                                              " into a mirror: not a plain file name");
        }
        fs::path dir = m_root / tag;
        TL_TRY(util::create_directories(dir));
        util::UniqueFd in(::open(asset.file.c_str(), O_RDONLY | O_CLOEXEC));
        if (!in) {
            return fail(ErrorKind::filesystem, "cannot read " + util::quoted(asset.file.string()) +
                                                   ": " + std::strerror(errno));
        }
        TL_TRY_ASSIGN(out, util::AtomicFile::create(dir / asset.name))
        std::vector<char> buf(1u << 20);
        for (;;) {
            ssize_t n = ::read(in.get(), buf.data(), buf.size());
            if (n < 0 && errno == EINTR) {
                continue;
            }
            if (n < 0) {
                return fail(ErrorKind::filesystem, "cannot read " +
                                                       util::quoted(asset.file.string()) + ": " +
                                                       std::strerror(errno));
            }
            if (n == 0) {
                break;
            }
            if (auto w = out->write(std::string_view(buf.data(), static_cast<std::size_t>(n)));
                !w) {
                return util::unexpected(w.error());
            }
        }
        return out->commit();
    }

    Result<void> finish(const std::string& tag, const std::vector<MirroredAsset>& assets) override {
        TL_TRY(util::create_directories(m_root / tag));
        TL_TRY_ASSIGN(lock, util::FileLock::acquire(m_root / std::string(k_lock_name)))
        // Merge with what earlier runs (other platforms) listed, as long as
        // their files are still there.
        TL_TRY_ASSIGN(index, read_release_index(tag))
        std::map<std::string, source::IndexedAsset> merged;
        for (const auto& a : index->assets) {
            std::error_code ec;
            if (fs::file_size(m_root / tag / a.name, ec) == a.size && !ec) {
                merged[a.name] = a;
            }
        }
        for (const auto& a : assets) {
            merged[a.name] = source::IndexedAsset{a.name, a.size, a.sha256};
        }
        source::ReleaseIndex out;
        out.tag = tag;
        for (auto& [name, a] : merged) {
            out.assets.push_back(std::move(a));
        }
        if (auto w =
                util::write_file_atomic(m_root / tag / std::string(source::k_mirror_index_name),
                                        source::write_release_index(std::move(out)));
            !w) {
            return util::unexpected(w.error());
        }
        // The tags index last: a reader that finds the tag finds its index.
        fs::path top = m_root / std::string(source::k_mirror_index_name);
        std::vector<std::string> tags;
        auto text = util::read_file(top);
        if (text) {
            TL_TRY_ASSIGN(parsed, source::parse_tag_index(*text, top.string()))
            tags = std::move(*parsed);
        } else if (text.error().kind != ErrorKind::not_found) {
            return util::unexpected(text.error());
        }
        tags.push_back(tag);
        return util::write_file_atomic(top, source::write_tag_index(std::move(tags)));
    }

private:
    // The release index of `tag`; empty when there is none yet.
    Result<source::ReleaseIndex> read_release_index(const std::string& tag) {
        fs::path path = m_root / tag / std::string(source::k_mirror_index_name);
        auto text = util::read_file(path);
        if (!text) {
            if (text.error().kind == ErrorKind::not_found) {
                return source::ReleaseIndex{tag, {}};
            }
            return util::unexpected(text.error());
        }
        return source::parse_release_index(*text, tag, path.string());
    }

    fs::path m_root;
};

}  // namespace

std::unique_ptr<Destination> make_directory_destination(const std::filesystem::path& root) {
    return std::make_unique<DirectoryDestination>(root);
}

}  // namespace tl::mirror
