// A static mirror (layout in mirror_layout.hpp) over HTTP(S) or straight from
// a local directory. The same installer verification applies: the index's
// sha256 is reported as the asset's digest, so it has to agree with the
// release's checksum sidecar and with the downloaded bytes.

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <limits>
#include <mutex>

#include "tl/config/credentials.hpp"
#include "tl/http/url.hpp"
#include "tl/release/contract.hpp"
#include "tl/source/latest.hpp"
#include "tl/source/mirror_layout.hpp"
#include "tl/source/source.hpp"
#include "tl/source/tag_filter.hpp"
#include "tl/util/fs.hpp"
#include "tl/util/redact.hpp"
#include "tl/util/strings.hpp"

namespace tl::source {

namespace {

namespace fs = std::filesystem;

// "host" or "host:port" exactly as written in the URL: the credentials file's key.
std::string authority_of(const std::string& url) {
    std::size_t start = url.find("://");
    start = start == std::string::npos ? 0 : start + 3;
    std::size_t end = url.find_first_of("/?#", start);
    std::string auth =
        url.substr(start, end == std::string::npos ? std::string::npos : end - start);
    if (std::size_t at = auth.rfind('@'); at != std::string::npos) {
        auth = auth.substr(at + 1);
    }
    return util::to_lower(auth);
}

class MirrorSource : public Source {
public:
    MirrorSource(http::Client& client, std::string root, const http::NetSettings& settings,
                 util::Console& console)
        : m_root(std::move(root)), m_endpoint(client, settings, console), m_console(console) {
        if (util::starts_with(m_root, "file://")) {
            m_dir = fs::path(m_root.substr(7));
        } else if (!util::starts_with(m_root, "http://") &&
                   !util::starts_with(m_root, "https://")) {
            m_dir = fs::path(m_root);
        }
        if (!is_file() && !util::ends_with(m_root, "/")) {
            m_root += "/";
        }
    }

    std::string name() const override {
        return "mirror:" + (is_file() ? "file://" + m_dir.string() : util::redact_url(m_root));
    }

    Result<std::optional<ReleaseInfo>> release(const std::string& tag) override {
        if (!is_safe_mirror_name(tag)) {
            return fail(ErrorKind::usage, "tag " + util::quoted(tag) + " is not a plain name");
        }
        const std::string where = location(tag + "/" + std::string(k_mirror_index_name));
        TL_TRY_ASSIGN(text, read_index(where))
        if (!*text) {
            return std::optional<ReleaseInfo>{};
        }
        TL_TRY_ASSIGN(index, parse_release_index(**text, tag, display(where)))
        ReleaseInfo info;
        info.tag = tag;
        for (const auto& a : index->assets) {
            AssetInfo ai;
            ai.name = a.name;
            ai.size = a.size;
            ai.reported_digest = a.sha256;
            ai.locator = location(tag + "/" + a.name);
            ai.display_url = display(ai.locator);
            info.assets.push_back(std::move(ai));
        }
        return std::optional<ReleaseInfo>(std::move(info));
    }

    Result<std::optional<ReleaseInfo>> latest(const std::string& prefix) override {
        TL_TRY_ASSIGN(all, tags(prefix, std::numeric_limits<std::size_t>::max()))
        // The rule every source shares (latest.hpp); pre-releases are known
        // here only by their version ("v1.1.0-rc.1").
        auto picked = pick_latest(*all, prefix);
        if (!picked) {
            return std::optional<ReleaseInfo>{};
        }
        const std::string* newest = &*picked;
        auto r = release(*newest);
        if (r && !*r) {
            return fail(ErrorKind::integrity,
                        "mirror " + util::quoted(name()) + " lists " + util::quoted(*newest) +
                            " in its tags index but has no index for it (a mirror run was "
                            "interrupted? run 'temporal-libs mirror' again)");
        }
        return r;
    }

    Result<std::vector<std::string>> tags(const std::string& prefix, std::size_t limit) override {
        const std::string where = location(std::string(k_mirror_index_name));
        TL_TRY_ASSIGN(text, read_index(where))
        std::vector<std::string> out;
        if (!*text) {
            return out;
        }
        TL_TRY_ASSIGN(all, parse_tag_index(**text, display(where)))
        // Sorted again, so a hand-edited index cannot make an older release "latest".
        std::sort(all->begin(), all->end(), [](const std::string& a, const std::string& b) {
            return release::compare_tags(a, b) > 0;
        });
        for (const auto& t : *all) {
            if (util::starts_with(t, prefix) && out.size() < limit &&
                keep_library_tag(t, name(), m_console)) {
                out.push_back(t);
            }
        }
        return out;
    }

    Result<std::string> fetch_small(const AssetInfo& asset, std::size_t limit) override {
        TL_TRY_ASSIGN(
            r, is_file() ? read_local(asset.locator, limit) : get_small(asset.locator, limit))
        if (!*r) {
            return fail(ErrorKind::not_found,
                        "mirror " + util::quoted(name()) + " lists " + util::quoted(asset.name) +
                            " but does not serve it (" + util::quoted(asset.display_url) + ")");
        }
        return std::move(**r);
    }

    http::SendResult fetch(const AssetInfo& asset, const Resume& from,
                           http::BodySink& sink) override {
        if (is_file()) {
            return fetch_local(asset, from, sink);
        }
        http::Request req;
        req.url = asset.locator;
        req.headers = range_headers(from);
        req.timeouts = m_endpoint.settings().timeouts;
        return credentialed().send_once(req, sink);
    }

private:
    bool is_file() const { return !m_dir.empty(); }

    std::string location(const std::string& relative) const {
        return is_file() ? (m_dir / relative).string() : m_root + relative;
    }

    std::string display(const std::string& loc) const {
        return is_file() ? "file://" + loc : util::redact_url(loc);
    }

    // The endpoint with this host's credentials, looked up on first need.
    const http::Endpoint& credentialed() {
        std::lock_guard<std::mutex> lock(m_mutex);
        if (m_credentials_checked) {
            return m_endpoint;
        }
        m_credentials_checked = true;
        auto creds = config::credentials_for_host(authority_of(m_root));
        auto u = http::parse_url(m_root);
        if (!creds) {
            m_credential_error = creds.error().message;
        } else if (*creds && u) {
            const config::HostCredentials& c = **creds;
            std::string header;
            if (!c.token.empty()) {
                header = "Bearer " + c.token;
            } else if (!c.username.empty()) {
                header = config::basic_authorization(c);
            }
            if (!header.empty()) {
                m_endpoint.bind_credential(m_root, header);
                m_console.debug("credentials for " + util::quoted(authority_of(m_root)) + " from " +
                                c.from);
            }
        }
        return m_endpoint;
    }

    // An index: its text, an empty optional when absent (404 or no file).
    Result<std::optional<std::string>> read_index(const std::string& where) {
        return is_file() ? read_local(where, 16u << 20) : get_small(where, 16u << 20);
    }

    Result<std::optional<std::string>> read_local(const std::string& path, std::size_t limit) {
        auto text = util::read_file(path, limit);
        if (!text) {
            if (text.error().kind == ErrorKind::not_found) {
                std::error_code ec;
                if (!fs::is_directory(m_dir, ec)) {
                    return fail(ErrorKind::not_found,
                                "mirror directory " + util::quoted(m_dir.string()) +
                                    " does not exist (check the source path)");
                }
                return std::optional<std::string>{};
            }
            return util::unexpected(text.error());
        }
        return std::optional<std::string>(std::move(*text));
    }

    Result<std::optional<std::string>> get_small(const std::string& url, std::size_t limit) {
        const auto& endpoint = credentialed();
        if (!m_credential_error.empty()) {
            return fail(ErrorKind::usage, m_credential_error);
        }
        http::StringSink sink(limit);
        http::Exchange send = endpoint.document_get(
            "mirror request " + util::quoted(util::redact_url(url)), url, sink);
        send.accept = [](const http::Response& r) { return r.status == 200 || r.status == 404; };
        send.advice = [this](int status, const http::RetryDecision&) -> std::string {
            if (status == 401 || status == 403) {
                return "the mirror wants credentials: add a [\"" + authority_of(m_root) +
                       "\"] table to the credentials file (see docs/mirrors.md)";
            }
            return {};
        };
        auto r = endpoint.send(send);
        if (!r) {
            if (sink.overflowed) {
                return fail(ErrorKind::integrity, util::quoted(util::redact_url(url)) +
                                                      " is larger than " +
                                                      util::human_bytes(limit));
            }
            return util::unexpected(r.error());
        }
        if (r->status == 404) {
            return std::optional<std::string>{};
        }
        return std::optional<std::string>(std::move(sink.body));
    }

    // Streams a local file like an HTTP server would: 200, or 206 for a Range
    // whose If-Range matches (the validator is size and modification time).
    http::SendResult fetch_local(const AssetInfo& asset, const Resume& ask, http::BodySink& sink) {
        http::ResponseHead head;
        head.url = display(asset.locator);
        std::uint64_t sent = 0;
        // What an HTTP client would report for the same trouble.
        auto failed = [&](http::TransportError::Kind kind, const std::string& message) {
            http::TransportError e;
            e.kind = kind;
            e.message = message;
            e.status = head.status;
            e.body_bytes = sent;
            return util::unexpected(e);
        };
        const std::string stopped = "the receiver stopped reading " + util::quoted(asset.name);
        util::UniqueFd fd(::open(asset.locator.c_str(), O_RDONLY | O_CLOEXEC));
        struct stat st {};
        if (!fd || ::fstat(fd.get(), &st) != 0) {
            if (errno != ENOENT) {
                return failed(
                    http::TransportError::Kind::other,
                    "cannot read " + util::quoted(asset.locator) + ": " + std::strerror(errno));
            }
            head.status = 404;
            if (!sink.on_head(head)) {
                return failed(http::TransportError::Kind::aborted, stopped);
            }
            return http::Response{404, head.headers, head.url, 0};
        }
        const auto size = static_cast<std::uint64_t>(st.st_size);
        const std::string etag = "\"" + std::to_string(size) + "-" +
                                 std::to_string(st.st_mtim.tv_sec) + "." +
                                 std::to_string(st.st_mtim.tv_nsec) + "\"";
        std::uint64_t from = 0;
        std::uint64_t to = size;
        head.status = 200;
        const bool ranged = ask.offset != 0 || ask.end != 0;
        if (ranged && (ask.validator.empty() || ask.validator == etag)) {
            if (ask.offset >= size) {
                head.status = 416;
                head.headers.add("content-range", "bytes */" + std::to_string(size));
                if (!sink.on_head(head)) {
                    return failed(http::TransportError::Kind::aborted, stopped);
                }
                return http::Response{416, head.headers, head.url, 0};
            }
            from = ask.offset;
            to = ask.end != 0 ? std::min(ask.end, size) : size;
            head.status = 206;
            head.headers.add("content-range", "bytes " + std::to_string(from) + "-" +
                                                  std::to_string(to - 1) + "/" +
                                                  std::to_string(size));
        }
        head.headers.add("etag", etag);
        head.headers.add("content-length", std::to_string(to - from));
        if (!sink.on_head(head)) {
            return failed(http::TransportError::Kind::aborted, stopped);
        }
        std::vector<char> buf(1u << 20);
        for (std::uint64_t off = from; off < to;) {
            const auto want =
                static_cast<std::size_t>(std::min<std::uint64_t>(buf.size(), to - off));
            ssize_t n = ::pread(fd.get(), buf.data(), want, static_cast<off_t>(off));
            if (n < 0 && errno == EINTR) {
                continue;
            }
            if (n <= 0) {
                return failed(http::TransportError::Kind::partial,
                              "short read of " + util::quoted(asset.locator));
            }
            if (!sink.on_data(buf.data(), static_cast<std::size_t>(n))) {
                return failed(http::TransportError::Kind::aborted, stopped);
            }
            off += static_cast<std::uint64_t>(n);
            sent += static_cast<std::uint64_t>(n);
        }
        return http::Response{head.status, head.headers, head.url, sent};
    }

    std::string m_root;
    fs::path m_dir;  // set for a local directory mirror
    http::Endpoint m_endpoint;
    util::Console& m_console;
    std::mutex m_mutex;
    bool m_credentials_checked = false;
    std::string m_credential_error;
};

}  // namespace

std::unique_ptr<Source> make_mirror_source(http::Client& client, const std::string& root,
                                           const http::NetSettings& options,
                                           util::Console& console) {
    return std::make_unique<MirrorSource>(client, root, options, console);
}

}  // namespace tl::source
