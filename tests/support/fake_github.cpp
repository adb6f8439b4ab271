#include "support/fake_github.hpp"

#include <fcntl.h>
#include <httplib.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <cstdio>
#include <ctime>
#include <deque>
#include <mutex>
#include <nlohmann/json.hpp>
#include <random>
#include <set>
#include <stdexcept>
#include <string_view>
#include <thread>

#include "tl/util/fs.hpp"
#include "tl/util/sha256.hpp"
#include "tl/util/strings.hpp"

namespace tl::testing {

namespace {

using Json = nlohmann::ordered_json;
using SystemClock = std::chrono::system_clock;
using SteadyClock = std::chrono::steady_clock;

// Bodies go out in slices of this size so that drops, stalls and pacing can cut
// in anywhere and a 100 MB archive never sits in memory.
constexpr std::size_t k_chunk_size = 64 * 1024;
// Threads per server; httplib's default (8) is low for clients that download
// several assets in parallel while keeping idle connections alive.
constexpr std::size_t k_threads_per_server = 16;
// GitHub's authenticated limit. Unauthenticated requests get the same figure
// because a real limit of 60 would make long demo and benchmark runs report
// "remaining: 0" and send a well-behaved client to sleep for an hour.
constexpr std::uint64_t k_rate_limit = 5000;
constexpr std::chrono::seconds k_rate_window{3600};
// X-Amz-Expires in redirect URLs when no lifetime is set (GitHub signs for 300 s).
constexpr std::chrono::seconds k_default_signed_expiry{300};
constexpr std::uint64_t k_first_release_id = 100001;
// Asset ids live in another range than release ids so that a client mixing the
// two gets a 404 instead of a lucky hit.
constexpr std::uint64_t k_first_asset_id = 9000001;
constexpr std::string_view k_storage_prefix = "/github-production-release-asset-2e65be/";
constexpr std::string_view k_docs_url = "https://docs.github.com/rest";
constexpr std::string_view k_json_type = "application/json; charset=utf-8";
// The charset parameter keeps httplib from gzip-compressing error bodies, so the
// recorded body sizes are the bytes a test expects.
constexpr std::string_view k_xml_type = "application/xml; charset=utf-8";

const char* server_name(FakeServer server) {
    switch (server) {
        case FakeServer::api:
            return "api";
        case FakeServer::storage:
            return "storage";
        case FakeServer::uploads:
            return "uploads";
    }
    return "?";
}

const char* reason_phrase(int status) {
    switch (status) {
        case 400:
            return "Bad Request";
        case 401:
            return "Unauthorized";
        case 403:
            return "Forbidden";
        case 404:
            return "Not Found";
        case 408:
            return "Request Timeout";
        case 409:
            return "Conflict";
        case 410:
            return "Gone";
        case 422:
            return "Unprocessable Entity";
        case 429:
            return "Too Many Requests";
        case 500:
            return "Internal Server Error";
        case 502:
            return "Bad Gateway";
        case 503:
            return "Service Unavailable";
        case 504:
            return "Gateway Timeout";
        default:
            return "Error";
    }
}

std::tm utc(SystemClock::time_point t) {
    std::time_t secs = SystemClock::to_time_t(t);
    std::tm tm{};
    ::gmtime_r(&secs, &tm);
    return tm;
}

std::string iso8601(SystemClock::time_point t) {
    std::tm tm = utc(t);
    char buf[64];
    std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02dZ", tm.tm_year + 1900,
                  tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
    return buf;
}

// IMF-fixdate by hand: strftime's %a and %b follow the locale.
std::string http_date(SystemClock::time_point t) {
    static const char* const days[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
    static const char* const months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                         "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    std::tm tm = utc(t);
    char buf[64];
    std::snprintf(buf, sizeof buf, "%s, %02d %s %04d %02d:%02d:%02d GMT", days[tm.tm_wday],
                  tm.tm_mday, months[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min,
                  tm.tm_sec);
    return buf;
}

std::string amz_date(SystemClock::time_point t) {
    std::tm tm = utc(t);
    char buf[64];
    std::snprintf(buf, sizeof buf, "%04d%02d%02dT%02d%02d%02dZ", tm.tm_year + 1900, tm.tm_mon + 1,
                  tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
    return buf;
}

std::int64_t epoch_seconds(SystemClock::time_point t) {
    return std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
}

std::string random_hex(std::size_t digits) {
    static std::mutex mutex;
    static std::mt19937_64 engine{std::random_device{}()};
    static const char* const hex = "0123456789abcdef";
    std::lock_guard<std::mutex> lock(mutex);
    std::string out;
    out.reserve(digits);
    for (std::size_t i = 0; i < digits; ++i) {
        out.push_back(hex[engine() & 0xf]);
    }
    return out;
}

// Percent-encodes everything but RFC 3986 unreserved characters (for query
// values and single path segments).
std::string url_encode(std::string_view s) {
    static const char* const hex = "0123456789ABCDEF";
    std::string out;
    for (char c : s) {
        auto u = static_cast<unsigned char>(c);
        if ((u >= 'A' && u <= 'Z') || (u >= 'a' && u <= 'z') || (u >= '0' && u <= '9') ||
            c == '-' || c == '_' || c == '.' || c == '~') {
            out.push_back(c);
        } else {
            out.push_back('%');
            out.push_back(hex[u >> 4]);
            out.push_back(hex[u & 0xf]);
        }
    }
    return out;
}

bool iequals(std::string_view a, std::string_view b) {
    return util::to_lower(a) == util::to_lower(b);
}

bool icontains(std::string_view haystack, std::string_view needle) {
    return util::to_lower(haystack).find(util::to_lower(needle)) != std::string::npos;
}

// Path segments without the empty one before the leading slash.
std::vector<std::string> segments(const std::string& path) {
    auto parts = util::split(path, '/');
    if (!parts.empty() && parts.front().empty()) {
        parts.erase(parts.begin());
    }
    return parts;
}

std::string join_segments(const std::vector<std::string>& parts, std::size_t first,
                          std::size_t last) {
    std::string out;
    for (std::size_t i = first; i < last; ++i) {
        if (i > first) {
            out += '/';
        }
        out += parts[i];
    }
    return out;
}

std::optional<std::uint64_t> parse_id(const std::string& s) {
    return util::parse_u64(s);
}

void set_json(httplib::Response& res, int status, const Json& body) {
    res.status = status;
    res.set_content(body.dump(), std::string(k_json_type));
}

void json_message(httplib::Response& res, int status, const std::string& message) {
    set_json(res, status, Json{{"message", message}, {"documentation_url", k_docs_url}});
}

void not_found(httplib::Response& res) {
    json_message(res, 404, "Not Found");
}

void validation_failed(httplib::Response& res, const std::string& resource, const std::string& code,
                       const std::string& field) {
    set_json(res, 422,
             Json{{"message", "Validation Failed"},
                  {"errors",
                   Json::array({Json{{"resource", resource}, {"code", code}, {"field", field}}})},
                  {"documentation_url", k_docs_url}});
}

// An S3-style error document, which is what the storage host answers with.
void xml_error(httplib::Response& res, int status, const std::string& code,
               const std::string& message, const std::string& extra = {}) {
    res.status = status;
    res.set_content("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>" + code +
                        "</Code><Message>" + message + "</Message>" + extra + "<RequestId>" +
                        random_hex(16) + "</RequestId></Error>",
                    std::string(k_xml_type));
}

// The byte range a "Range" header asks for, resolved against the body size.
struct ByteRange {
    enum class Kind { none, satisfiable, unsatisfiable } kind = Kind::none;
    std::uint64_t first = 0;
    std::uint64_t last = 0;
};

// Only a single range is honoured; several ranges get the whole body, as S3 does.
// Anything unparsable is ignored (RFC 9110 lets a server ignore Range).
ByteRange parse_range(std::string_view header, std::uint64_t total) {
    ByteRange out;
    header = util::trim(header);
    if (header.size() < 6 || !iequals(header.substr(0, 6), "bytes=")) {
        return out;
    }
    std::string_view spec = util::trim(header.substr(6));
    if (spec.find(',') != std::string_view::npos) {
        return out;
    }
    auto dash = spec.find('-');
    if (dash == std::string_view::npos) {
        return out;
    }
    std::string_view first_text = util::trim(spec.substr(0, dash));
    std::string_view last_text = util::trim(spec.substr(dash + 1));
    if (first_text.empty()) {
        auto suffix = util::parse_u64(last_text);
        if (!suffix) {
            return out;
        }
        if (*suffix == 0 || total == 0) {
            out.kind = ByteRange::Kind::unsatisfiable;
            return out;
        }
        out.kind = ByteRange::Kind::satisfiable;
        out.first = total - std::min(*suffix, total);
        out.last = total - 1;
        return out;
    }
    auto first = util::parse_u64(first_text);
    if (!first) {
        return out;
    }
    std::uint64_t last = total == 0 ? 0 : total - 1;
    if (!last_text.empty()) {
        auto parsed = util::parse_u64(last_text);
        if (!parsed || *parsed < *first) {
            return out;
        }
        last = std::min(last, *parsed);
    }
    if (*first >= total) {
        out.kind = ByteRange::Kind::unsatisfiable;
        return out;
    }
    out.kind = ByteRange::Kind::satisfiable;
    out.first = *first;
    out.last = last;
    return out;
}

struct AssetState {
    FakeAsset meta;  // without content: the bytes live in `data` or `meta.file`
    std::shared_ptr<const std::string> data;
    std::uint64_t size = 0;
    std::string sha256;
    std::string etag;
    SystemClock::time_point created_at;
    SystemClock::time_point updated_at;
    std::uint64_t download_count = 0;

    bool from_file() const { return !meta.file.empty(); }
};

struct ReleaseState {
    FakeRelease meta;  // without assets: they live in `assets`
    std::vector<AssetState> assets;
    std::string target_commitish = "main";
    std::string body;
    SystemClock::time_point created_at;
    std::optional<SystemClock::time_point> published_at;
};

// Hashes the content (outside any lock: files may be large) and fills in
// everything but ids and times.
AssetState make_asset_state(FakeAsset asset) {
    AssetState state;
    if (!asset.file.empty()) {
        std::error_code ec;
        auto size = std::filesystem::file_size(asset.file, ec);
        if (ec) {
            throw std::invalid_argument("fake github: cannot read asset file '" +
                                        asset.file.string() + "': " + ec.message());
        }
        auto hex = util::sha256_file(asset.file);
        if (!hex) {
            throw std::invalid_argument("fake github: " + hex.error().message);
        }
        state.size = size;
        state.sha256 = *hex;
        asset.content.clear();
    } else {
        state.size = asset.content.size();
        state.sha256 = util::sha256_hex(asset.content);
        state.data = std::make_shared<const std::string>(std::move(asset.content));
        asset.content.clear();
    }
    // A strong validator derived from the bytes, shaped like S3's MD5 ETag.
    state.etag = "\"" + state.sha256.substr(0, 32) + "\"";
    state.meta = std::move(asset);
    return state;
}

// What a storage response streams: a slice of one asset, plus the faults that
// apply to this download.
struct BodySource {
    std::shared_ptr<const std::string> data;
    util::UniqueFd fd;
    std::uint64_t start = 0;
    std::optional<std::uint64_t> drop_at;
    std::optional<std::uint64_t> stall_at;
    std::chrono::milliseconds stall{0};
    bool stalled = false;
    std::shared_ptr<RecordedRequest> record;
    std::vector<char> buffer;
    // The next free slot of this download alone (Pacing::per_download).
    std::chrono::steady_clock::time_point pace_next{};
};

// The record of the request this thread is serving: httplib runs a request's
// pre-routing handler, handler, post-routing handler and logger on one thread.
thread_local std::shared_ptr<RecordedRequest> t_record;

// One httplib server on its own thread.
struct Listener {
    std::unique_ptr<httplib::Server> server;
    std::thread thread;
    std::shared_ptr<std::atomic<bool>> finished = std::make_shared<std::atomic<bool>>(false);
    int port = 0;
};

}  // namespace

struct FakeGitHub::Impl {
    std::string repo;
    std::string owner;
    std::string repo_name;
    std::string api_url;
    std::string storage_url;
    std::string uploads_url;
    Listener api;
    Listener storage;
    Listener storage6;  // ::1 on the storage port, so "localhost" works either way
    Listener uploads;

    mutable std::mutex mutex;
    std::condition_variable wake;  // stalls and pacing wait on it; the destructor wakes them
    bool stopping = false;

    std::vector<ReleaseState> releases;  // oldest first
    std::uint64_t next_release_id = k_first_release_id;
    std::uint64_t next_asset_id = k_first_asset_id;
    SystemClock::time_point last_stamp;

    struct Signature {
        std::uint64_t asset_id = 0;
        SteadyClock::time_point issued;
    };
    std::map<std::string, Signature> signatures;

    std::vector<std::shared_ptr<RecordedRequest>> records;
    std::atomic<std::uint64_t> storage_bytes{0};

    // Faults: queues, so that consecutive calls add up in order.
    std::map<FakeServer, std::deque<int>> failures;
    struct RateLimitFault {
        int status = 403;
        std::chrono::seconds seconds{0};
    };
    std::deque<RateLimitFault> primary_limits;
    std::deque<RateLimitFault> secondary_limits;
    std::deque<std::uint64_t> drops;
    std::deque<std::pair<std::uint64_t, std::chrono::milliseconds>> stalls;
    bool ignore_range = false;
    int answers_416 = 0;
    std::uint64_t storage_rate = 0;
    std::uint64_t drop_each_range = 0;
    std::set<std::uint64_t> dropped_range_ends;
    int ignore_range_after = -1;
    int change_validators_after = -1;
    int storage_gets = 0;
    int ranged = 0;
    std::uint64_t first_range_rate = 0;
    int streaming = 0;
    int peak_streaming = 0;
    SteadyClock::time_point pace_next;
    Pacing pacing = Pacing::shared_link;
    std::chrono::milliseconds redirect_lifetime{0};
    int default_per_page = 30;
    std::string token;

    std::uint64_t rate_used = 0;
    SystemClock::time_point rate_reset;

    // --- setup ---

    void start_all();
    void stop_all();
    void configure(httplib::Server& server, FakeServer which);
    void shutdown_lingering_connections() const;

    // --- state helpers (mutex held) ---

    enum class Stamp { history, now };
    SystemClock::time_point next_stamp(Stamp kind);
    ReleaseState* find_release_by_tag(const std::string& tag);
    ReleaseState* find_release_by_id(std::uint64_t id);
    std::pair<ReleaseState*, AssetState*> find_asset_by_id(std::uint64_t id);
    std::string repo_path() const { return "/repos/" + owner + "/" + repo_name; }
    Json release_json(const ReleaseState& release) const;
    Json asset_json(const ReleaseState& release, const AssetState& asset) const;
    std::string browser_download_url(const ReleaseState& release, const AssetState& asset) const;

    // --- requests ---

    void begin_record(FakeServer which, const httplib::Request& req);
    void finish_record(FakeServer which, const httplib::Request& req, const httplib::Response& res);
    void handle(FakeServer which, const httplib::Request& req, httplib::Response& res);
    void handle_api(const httplib::Request& req, httplib::Response& res);
    void route_api(const httplib::Request& req, httplib::Response& res, bool authenticated);
    void handle_storage(const httplib::Request& req, httplib::Response& res);
    void handle_uploads(const httplib::Request& req, httplib::Response& res);
    void add_rate_headers(httplib::Response& res);
    void add_api_headers(const httplib::Request& req, httplib::Response& res);
    enum class Auth { none, valid, invalid };
    Auth auth_of(const httplib::Request& req) const;
    void paginate(const httplib::Request& req, httplib::Response& res, std::size_t total,
                  const std::string& path, std::size_t& begin, std::size_t& end) const;
    void list_releases(const httplib::Request& req, httplib::Response& res, bool authenticated);
    void create_release(const httplib::Request& req, httplib::Response& res);
    void update_release(const httplib::Request& req, httplib::Response& res, std::uint64_t id);
    void serve_asset_api(const httplib::Request& req, httplib::Response& res, std::uint64_t id,
                         bool authenticated);
    bool pace(std::size_t bytes, BodySource& source);
    bool sleep_for(std::chrono::milliseconds duration);
    bool provide(BodySource& source, std::size_t offset, std::size_t length,
                 httplib::DataSink& sink);
};

// ---------------------------------------------------------------------------
// Setup and teardown

void FakeGitHub::Impl::configure(httplib::Server& server, FakeServer which) {
    server.new_task_queue = [] { return new httplib::ThreadPool(k_threads_per_server); };
    // Without it, a response's headers and body leave in two writes and Nagle plus
    // delayed ACKs add 40 ms to every small keep-alive response.
    server.set_tcp_nodelay(true);
    server.set_pre_routing_handler(
        [this, which](const httplib::Request& req, httplib::Response& res) {
            begin_record(which, req);
            // httplib would cut bodies down to the requested range by itself (and turn
            // the status into 206); ranges, If-Range and their faults are decided here,
            // so it must not see any. The Request is a mutable local of httplib's
            // request loop, only handed out as const.
            const_cast<httplib::Request&>(req).ranges.clear();
            // Requests with a body go through httplib's routing so that it reads the
            // body first. The others are answered here: httplib would otherwise try to
            // read a body of a DELETE without Content-Length until the socket times out.
            bool chunked = icontains(req.get_header_value("Transfer-Encoding"), "chunked");
            auto length = util::parse_u64(req.get_header_value("Content-Length"));
            if (chunked || (length && *length > 0)) {
                return httplib::Server::HandlerResponse::Unhandled;
            }
            handle(which, req, res);
            return httplib::Server::HandlerResponse::Handled;
        });
    auto with_body = [this, which](const httplib::Request& req, httplib::Response& res) {
        handle(which, req, res);
    };
    server.Get(".*", with_body);
    server.Post(".*", with_body);
    server.Put(".*", with_body);
    server.Patch(".*", with_body);
    server.Delete(".*", with_body);
    server.Options(".*", with_body);
    server.set_exception_handler(
        [](const httplib::Request&, httplib::Response& res, std::exception_ptr ep) {
            std::string what = "unknown exception";
            try {
                std::rethrow_exception(ep);
            } catch (const std::exception& e) {
                what = e.what();
            } catch (...) {
            }
            json_message(res, 500, "fake github: " + what);
        });
    server.set_post_routing_handler(
        [this, which](const httplib::Request& req, httplib::Response& res) {
            finish_record(which, req, res);
        });
    server.set_logger([](const httplib::Request&, const httplib::Response&) { t_record.reset(); });
}

void FakeGitHub::Impl::start_all() {
    // httplib writes with send() flags of 0, so a client that hangs up mid-body
    // would kill the whole test process with SIGPIPE. Only the default action is
    // replaced; a handler someone installed stays.
    struct sigaction current {};
    if (::sigaction(SIGPIPE, nullptr, &current) == 0 && current.sa_handler == SIG_DFL) {
        ::signal(SIGPIPE, SIG_IGN);
    }
    auto start = [this](Listener& l, FakeServer which, const std::string& host, int port) {
        l.server = std::make_unique<httplib::Server>();
        configure(*l.server, which);
        if (port == 0) {
            l.port = l.server->bind_to_any_port(host);
            if (l.port <= 0) {
                return false;
            }
        } else {
            if (!l.server->bind_to_port(host, port)) {
                return false;
            }
            l.port = port;
        }
        httplib::Server* server = l.server.get();
        auto finished = l.finished;
        l.thread = std::thread([server, finished] {
            server->listen_after_bind();
            *finished = true;
        });
        // stop() does nothing until the listen loop runs: wait for it, so that a
        // destructor right after construction cannot miss it.
        while (!server->is_running() && !*finished) {
            std::this_thread::sleep_for(std::chrono::milliseconds(1));
        }
        return true;
    };
    if (!start(api, FakeServer::api, "127.0.0.1", 0) ||
        !start(storage, FakeServer::storage, "127.0.0.1", 0) ||
        !start(uploads, FakeServer::uploads, "127.0.0.1", 0)) {
        stop_all();
        throw std::runtime_error("fake github: cannot listen on 127.0.0.1");
    }
    // Best effort: on hosts without IPv6 (or with the port taken there) clients
    // that resolve localhost to ::1 first fall back to 127.0.0.1.
    if (!start(storage6, FakeServer::storage, "::1", storage.port)) {
        storage6.server.reset();
    }
    api_url = "http://127.0.0.1:" + std::to_string(api.port);
    storage_url = "http://localhost:" + std::to_string(storage.port);
    uploads_url = "http://127.0.0.1:" + std::to_string(uploads.port);
}

// Shuts down (without closing: the owning worker closes) every accepted socket
// whose local port is one of ours. httplib only notices a stop between requests
// and keeps idle keep-alive connections for 5 s, which would make every test
// that leaves a client connection open wait that long.
void FakeGitHub::Impl::shutdown_lingering_connections() const {
    std::vector<int> ports;
    for (const Listener* l : {&api, &storage, &uploads}) {
        if (l->port > 0) {
            ports.push_back(l->port);
        }
    }
    std::error_code ec;
    for (const auto& entry : std::filesystem::directory_iterator("/dev/fd", ec)) {
        auto fd = util::parse_u64(entry.path().filename().string());
        if (!fd || *fd > 1u << 30) {
            continue;
        }
        int sock = static_cast<int>(*fd);
        sockaddr_storage local{};
        sockaddr_storage peer{};
        socklen_t local_len = sizeof local;
        socklen_t peer_len = sizeof peer;
        if (::getsockname(sock, reinterpret_cast<sockaddr*>(&local), &local_len) != 0 ||
            ::getpeername(sock, reinterpret_cast<sockaddr*>(&peer), &peer_len) != 0) {
            continue;
        }
        int port = 0;
        if (local.ss_family == AF_INET) {
            port = ntohs(reinterpret_cast<const sockaddr_in*>(&local)->sin_port);
        } else if (local.ss_family == AF_INET6) {
            port = ntohs(reinterpret_cast<const sockaddr_in6*>(&local)->sin6_port);
        } else {
            continue;
        }
        if (std::find(ports.begin(), ports.end(), port) != ports.end()) {
            ::shutdown(sock, SHUT_RDWR);
        }
    }
}

void FakeGitHub::Impl::stop_all() {
    {
        std::lock_guard<std::mutex> lock(mutex);
        stopping = true;
    }
    wake.notify_all();
    std::vector<Listener*> all{&api, &storage, &storage6, &uploads};
    for (Listener* l : all) {
        if (l->server && l->thread.joinable()) {
            l->server->stop();
        }
    }
    // Give workers a moment to finish on their own before cutting connections.
    auto started = SteadyClock::now();
    for (;;) {
        bool done = std::all_of(all.begin(), all.end(),
                                [](Listener* l) { return !l->thread.joinable() || *l->finished; });
        if (done) {
            break;
        }
        if (SteadyClock::now() - started > std::chrono::milliseconds(100)) {
            shutdown_lingering_connections();
            std::this_thread::sleep_for(std::chrono::milliseconds(20));
        } else {
            std::this_thread::sleep_for(std::chrono::milliseconds(2));
        }
    }
    for (Listener* l : all) {
        if (l->thread.joinable()) {
            l->thread.join();
        }
    }
}

// ---------------------------------------------------------------------------
// State

// Creation and modification times strictly increase, so that listing order and
// created_at agree and a replaced asset always gets a new Last-Modified (an
// If-Range date from before the change must not match). Releases given to
// add_release are history: they get seconds counted up from a day ago, so that a
// test adding a hundred of them does not date them in the future.
SystemClock::time_point FakeGitHub::Impl::next_stamp(Stamp kind) {
    auto now = std::chrono::time_point_cast<std::chrono::seconds>(SystemClock::now());
    if (last_stamp == SystemClock::time_point{}) {
        last_stamp = now - std::chrono::hours(24);
    }
    SystemClock::time_point stamp = last_stamp + std::chrono::seconds(1);
    if (kind == Stamp::now) {
        stamp = std::max<SystemClock::time_point>(stamp, now);
    }
    last_stamp = stamp;
    return stamp;
}

ReleaseState* FakeGitHub::Impl::find_release_by_tag(const std::string& tag) {
    for (auto& r : releases) {
        if (r.meta.tag == tag) {
            return &r;
        }
    }
    return nullptr;
}

ReleaseState* FakeGitHub::Impl::find_release_by_id(std::uint64_t id) {
    for (auto& r : releases) {
        if (r.meta.id == id) {
            return &r;
        }
    }
    return nullptr;
}

std::pair<ReleaseState*, AssetState*> FakeGitHub::Impl::find_asset_by_id(std::uint64_t id) {
    for (auto& r : releases) {
        for (auto& a : r.assets) {
            if (a.meta.id == id) {
                return {&r, &a};
            }
        }
    }
    return {nullptr, nullptr};
}

std::string FakeGitHub::Impl::browser_download_url(const ReleaseState& release,
                                                   const AssetState& asset) const {
    return storage_url + "/" + owner + "/" + repo_name + "/releases/download/" +
           url_encode(release.meta.tag) + "/" + url_encode(asset.meta.name);
}

Json FakeGitHub::Impl::asset_json(const ReleaseState& release, const AssetState& asset) const {
    Json digest = nullptr;
    if (!asset.meta.digest_override.empty()) {
        digest = asset.meta.digest_override;
    } else if (asset.meta.report_digest) {
        digest = "sha256:" + asset.sha256;
    }
    return Json{
        {"url", api_url + repo_path() + "/releases/assets/" + std::to_string(asset.meta.id)},
        {"id", asset.meta.id},
        {"node_id", "RA_fake" + std::to_string(asset.meta.id)},
        {"name", asset.meta.name},
        {"label", asset.meta.label},
        {"uploader", Json{{"login", "github-actions[bot]"}, {"id", 41898282}, {"type", "Bot"}}},
        {"content_type", asset.meta.content_type},
        {"state", asset.meta.state},
        {"size", asset.size},
        {"digest", digest},
        {"download_count", asset.download_count},
        {"created_at", iso8601(asset.created_at)},
        {"updated_at", iso8601(asset.updated_at)},
        {"browser_download_url", browser_download_url(release, asset)},
    };
}

Json FakeGitHub::Impl::release_json(const ReleaseState& release) const {
    const std::string id = std::to_string(release.meta.id);
    const std::string url = api_url + repo_path() + "/releases/" + id;
    Json assets = Json::array();
    for (const auto& a : release.assets) {
        assets.push_back(asset_json(release, a));
    }
    // Drafts have no public page yet; GitHub shows them under an "untagged" name.
    std::string html_tag =
        release.meta.draft ? "untagged-" + util::sha256_hex(id).substr(0, 20) : release.meta.tag;
    return Json{
        {"url", url},
        {"assets_url", url + "/assets"},
        {"upload_url", uploads_url + repo_path() + "/releases/" + id + "/assets{?name,label}"},
        {"html_url", "https://github.com/" + owner + "/" + repo_name + "/releases/tag/" + html_tag},
        {"id", release.meta.id},
        {"author", Json{{"login", "github-actions[bot]"}, {"id", 41898282}, {"type", "Bot"}}},
        {"node_id", "RE_fake" + id},
        {"tag_name", release.meta.tag},
        {"target_commitish", release.target_commitish},
        {"name", release.meta.name.empty() ? release.meta.tag : release.meta.name},
        {"draft", release.meta.draft},
        {"prerelease", release.meta.prerelease},
        {"created_at", iso8601(release.created_at)},
        {"published_at",
         release.published_at ? Json(iso8601(*release.published_at)) : Json(nullptr)},
        {"assets", assets},
        {"tarball_url", api_url + repo_path() + "/tarball/" + url_encode(release.meta.tag)},
        {"zipball_url", api_url + repo_path() + "/zipball/" + url_encode(release.meta.tag)},
        {"body", release.body},
    };
}

// ---------------------------------------------------------------------------
// Recording

void FakeGitHub::Impl::begin_record(FakeServer which, const httplib::Request& req) {
    auto record = std::make_shared<RecordedRequest>();
    record->server = server_name(which);
    record->method = req.method;
    record->target = req.target;
    record->remote_port = req.remote_port;
    for (const auto& [key, value] : req.headers) {
        // httplib adds the socket addresses as pseudo headers; the client did not send them.
        if (key == "REMOTE_ADDR" || key == "REMOTE_PORT" || key == "LOCAL_ADDR" ||
            key == "LOCAL_PORT") {
            continue;
        }
        record->headers.emplace(util::to_lower(key), value);
    }
    {
        std::lock_guard<std::mutex> lock(mutex);
        records.push_back(record);
    }
    t_record = std::move(record);
}

// Runs after the response is complete but before it is written, so the figures
// are in place by the time the client has the response (a test may read them
// right after its request returns).
void FakeGitHub::Impl::finish_record(FakeServer which, const httplib::Request& req,
                                     const httplib::Response& res) {
    if (!t_record) {
        // httplib answered before routing (a malformed request or Range header).
        begin_record(which, req);
    }
    std::lock_guard<std::mutex> lock(mutex);
    t_record->status = res.status;
    if (!res.content_provider_ && req.method != "HEAD") {
        t_record->body_bytes_sent = res.body.size();
        if (which == FakeServer::storage) {
            storage_bytes += res.body.size();
        }
    }
}

// ---------------------------------------------------------------------------
// Dispatch

void FakeGitHub::Impl::handle(FakeServer which, const httplib::Request& req,
                              httplib::Response& res) {
    std::optional<int> failure;
    {
        std::lock_guard<std::mutex> lock(mutex);
        auto& queue = failures[which];
        if (!queue.empty()) {
            failure = queue.front();
            queue.pop_front();
        }
    }
    if (failure) {
        json_message(res, *failure, reason_phrase(*failure));
        if (which == FakeServer::api) {
            std::lock_guard<std::mutex> lock(mutex);
            add_api_headers(req, res);
            add_rate_headers(res);
        }
        return;
    }
    switch (which) {
        case FakeServer::api:
            handle_api(req, res);
            break;
        case FakeServer::storage:
            handle_storage(req, res);
            break;
        case FakeServer::uploads:
            handle_uploads(req, res);
            break;
    }
}

FakeGitHub::Impl::Auth FakeGitHub::Impl::auth_of(const httplib::Request& req) const {
    std::string header(util::trim(req.get_header_value("Authorization")));
    if (header.empty()) {
        return Auth::none;
    }
    if (token.empty()) {
        return Auth::valid;
    }
    auto space = header.find(' ');
    if (space == std::string::npos) {
        return Auth::invalid;
    }
    std::string scheme = util::to_lower(header.substr(0, space));
    std::string value(util::trim(std::string_view(header).substr(space + 1)));
    if ((scheme == "bearer" || scheme == "token") && value == token) {
        return Auth::valid;
    }
    return Auth::invalid;
}

// Mutex held. Counts the request against the current window.
void FakeGitHub::Impl::add_rate_headers(httplib::Response& res) {
    auto now = SystemClock::now();
    if (now >= rate_reset) {
        rate_used = 0;
        rate_reset = std::chrono::time_point_cast<std::chrono::seconds>(now + k_rate_window);
    }
    ++rate_used;
    // A fresh window instead of running dry: see k_rate_limit.
    if (rate_used >= k_rate_limit) {
        rate_used = 1;
        rate_reset = std::chrono::time_point_cast<std::chrono::seconds>(now + k_rate_window);
    }
    res.set_header("x-ratelimit-limit", std::to_string(k_rate_limit));
    res.set_header("x-ratelimit-remaining", std::to_string(k_rate_limit - rate_used));
    res.set_header("x-ratelimit-reset", std::to_string(epoch_seconds(rate_reset)));
    res.set_header("x-ratelimit-used", std::to_string(rate_used));
    res.set_header("x-ratelimit-resource", "core");
}

void FakeGitHub::Impl::add_api_headers(const httplib::Request& req, httplib::Response& res) {
    res.set_header("x-github-request-id", random_hex(8) + ":" + random_hex(8));
    res.set_header("x-github-media-type", "github.v3; format=json");
    if (req.has_header("X-GitHub-Api-Version")) {
        res.set_header("x-github-api-version-selected",
                       req.get_header_value("X-GitHub-Api-Version"));
    }
}

void FakeGitHub::Impl::handle_api(const httplib::Request& req, httplib::Response& res) {
    std::lock_guard<std::mutex> lock(mutex);
    add_api_headers(req, res);
    if (!primary_limits.empty()) {
        auto fault = primary_limits.front();
        primary_limits.pop_front();
        auto reset = SystemClock::now() + fault.seconds;
        res.set_header("x-ratelimit-limit", std::to_string(k_rate_limit));
        res.set_header("x-ratelimit-remaining", "0");
        res.set_header("x-ratelimit-reset", std::to_string(epoch_seconds(reset)));
        res.set_header("x-ratelimit-used", std::to_string(k_rate_limit));
        res.set_header("x-ratelimit-resource", "core");
        set_json(res, fault.status,
                 Json{{"message",
                       "API rate limit exceeded for 127.0.0.1. (But here's the good news: "
                       "Authenticated requests get a higher rate limit. Check out the "
                       "documentation for more details.)"},
                      {"documentation_url",
                       "https://docs.github.com/rest/overview/"
                       "resources-in-the-rest-api#rate-limiting"}});
        return;
    }
    add_rate_headers(res);
    if (!secondary_limits.empty()) {
        auto fault = secondary_limits.front();
        secondary_limits.pop_front();
        res.set_header("retry-after", std::to_string(fault.seconds.count()));
        set_json(res, fault.status,
                 Json{{"message",
                       "You have exceeded a secondary rate limit. Please wait a few minutes "
                       "before you try again. If you reach out to GitHub Support for help, "
                       "please include the request ID " +
                           res.get_header_value("x-github-request-id") + "."},
                      {"documentation_url",
                       "https://docs.github.com/rest/overview/"
                       "rate-limits-for-the-rest-api#about-secondary-rate-limits"}});
        return;
    }
    Auth auth = auth_of(req);
    if (!token.empty() && auth != Auth::valid) {
        json_message(res, 401, "Bad credentials");
        return;
    }
    route_api(req, res, auth == Auth::valid);
    // Conditional requests, as GitHub offers them (a 304 costs the client nothing).
    if (res.status == 200 && (req.method == "GET" || req.method == "HEAD") && !res.body.empty()) {
        std::string etag = "W/\"" + util::sha256_hex(res.body) + "\"";
        res.set_header("ETag", etag);
        std::string if_none_match = req.get_header_value("If-None-Match");
        // Weak comparison: the quoted part matches with or without the W/.
        if (if_none_match.find(etag.substr(2)) != std::string::npos) {
            res.status = 304;
            res.body.clear();
            rate_used = rate_used > 0 ? rate_used - 1 : 0;
            res.headers.erase("x-ratelimit-remaining");
            res.headers.erase("x-ratelimit-used");
            res.set_header("x-ratelimit-remaining", std::to_string(k_rate_limit - rate_used));
            res.set_header("x-ratelimit-used", std::to_string(rate_used));
        }
    }
}

// Mutex held.
void FakeGitHub::Impl::route_api(const httplib::Request& req, httplib::Response& res,
                                 bool authenticated) {
    auto parts = segments(req.path);
    if (parts.size() < 4 || parts[0] != "repos" || !iequals(parts[1], owner) ||
        !iequals(parts[2], repo_name) || parts[3] != "releases") {
        not_found(res);
        return;
    }
    const std::string& method = req.method;
    bool get = method == "GET" || method == "HEAD";
    bool write = method == "POST" || method == "PATCH" || method == "DELETE" || method == "PUT";
    if (write && !authenticated) {
        json_message(res, 401, "Requires authentication");
        return;
    }
    const std::size_t n = parts.size();
    if (n == 4) {
        if (get) {
            list_releases(req, res, authenticated);
        } else if (method == "POST") {
            create_release(req, res);
        } else {
            not_found(res);
        }
        return;
    }
    if (n == 5 && parts[4] == "latest" && get) {
        const ReleaseState* latest = nullptr;
        for (const auto& r : releases) {
            if (!r.meta.draft && !r.meta.prerelease) {
                latest = &r;
            }
        }
        if (latest == nullptr) {
            not_found(res);
        } else {
            set_json(res, 200, release_json(*latest));
        }
        return;
    }
    if (n >= 6 && parts[4] == "tags" && get) {
        // Drafts have no tag yet as far as the API is concerned, even for their owner.
        const ReleaseState* r = find_release_by_tag(join_segments(parts, 5, n));
        if (r == nullptr || r->meta.draft) {
            not_found(res);
        } else {
            set_json(res, 200, release_json(*r));
        }
        return;
    }
    if (n == 5) {
        auto id = parse_id(parts[4]);
        ReleaseState* r = id ? find_release_by_id(*id) : nullptr;
        if (r == nullptr || (r->meta.draft && !authenticated)) {
            not_found(res);
        } else if (get) {
            set_json(res, 200, release_json(*r));
        } else if (method == "PATCH") {
            update_release(req, res, *id);
        } else if (method == "DELETE") {
            releases.erase(releases.begin() + (r - releases.data()));
            res.status = 204;
        } else {
            not_found(res);
        }
        return;
    }
    if (n == 6 && parts[5] == "assets" && get) {
        auto id = parse_id(parts[4]);
        ReleaseState* r = id ? find_release_by_id(*id) : nullptr;
        if (r == nullptr || (r->meta.draft && !authenticated)) {
            not_found(res);
            return;
        }
        std::size_t begin = 0;
        std::size_t end = 0;
        paginate(req, res, r->assets.size(), req.path, begin, end);
        Json list = Json::array();
        for (std::size_t i = begin; i < end; ++i) {
            list.push_back(asset_json(*r, r->assets[i]));
        }
        set_json(res, 200, list);
        return;
    }
    if (n == 6 && parts[4] == "assets") {
        auto id = parse_id(parts[5]);
        if (!id) {
            not_found(res);
        } else if (get) {
            serve_asset_api(req, res, *id, authenticated);
        } else if (method == "DELETE") {
            auto [r, a] = find_asset_by_id(*id);
            if (r == nullptr || (r->meta.draft && !authenticated)) {
                not_found(res);
            } else {
                r->assets.erase(r->assets.begin() + (a - r->assets.data()));
                res.status = 204;
            }
        } else {
            not_found(res);
        }
        return;
    }
    not_found(res);
}

// Mutex held. Sets [begin, end) of the requested page and the Link header;
// nonsense page or per_page values fall back to the defaults.
void FakeGitHub::Impl::paginate(const httplib::Request& req, httplib::Response& res,
                                std::size_t total, const std::string& path, std::size_t& begin,
                                std::size_t& end) const {
    std::uint64_t per_page = static_cast<std::uint64_t>(std::max(default_per_page, 1));
    if (req.has_param("per_page")) {
        auto parsed = util::parse_u64(req.get_param_value("per_page"));
        if (parsed && *parsed > 0) {
            per_page = *parsed;
        }
    }
    per_page = std::min<std::uint64_t>(per_page, 100);
    std::uint64_t page = 1;
    if (req.has_param("page")) {
        auto parsed = util::parse_u64(req.get_param_value("page"));
        if (parsed && *parsed > 0) {
            page = *parsed;
        }
    }
    std::uint64_t last = std::max<std::uint64_t>(1, (total + per_page - 1) / per_page);
    begin = static_cast<std::size_t>(std::min<std::uint64_t>(total, (page - 1) * per_page));
    end = static_cast<std::size_t>(std::min<std::uint64_t>(total, begin + per_page));
    if (last > 1 || page > 1) {
        std::string base = api_url + path + "?per_page=" + std::to_string(per_page) + "&page=";
        std::vector<std::string> links;
        auto link = [&](std::uint64_t p, const char* rel) {
            links.push_back("<" + base + std::to_string(p) + ">; rel=\"" + rel + "\"");
        };
        // GitHub's order: prev, next, last, first.
        if (page > 1) {
            link(page - 1, "prev");
        }
        if (page < last) {
            link(page + 1, "next");
            link(last, "last");
        }
        if (page > 1) {
            link(1, "first");
        }
        res.set_header("Link", util::join(links, ", "));
    }
}

void FakeGitHub::Impl::list_releases(const httplib::Request& req, httplib::Response& res,
                                     bool authenticated) {
    std::vector<const ReleaseState*> visible;
    for (auto it = releases.rbegin(); it != releases.rend(); ++it) {
        if (!it->meta.draft || authenticated) {
            visible.push_back(&*it);
        }
    }
    std::size_t begin = 0;
    std::size_t end = 0;
    paginate(req, res, visible.size(), req.path, begin, end);
    Json list = Json::array();
    for (std::size_t i = begin; i < end; ++i) {
        list.push_back(release_json(*visible[i]));
    }
    set_json(res, 200, list);
}

void FakeGitHub::Impl::create_release(const httplib::Request& req, httplib::Response& res) {
    Json body = Json::parse(req.body, nullptr, false);
    if (body.is_discarded() || !body.is_object()) {
        json_message(res, 400, "Problems parsing JSON");
        return;
    }
    auto text = [&](const char* key) {
        auto it = body.find(key);
        return it != body.end() && it->is_string() ? it->get<std::string>() : std::string();
    };
    auto flag = [&](const char* key) {
        auto it = body.find(key);
        return it != body.end() && it->is_boolean() && it->get<bool>();
    };
    std::string tag = text("tag_name");
    if (tag.empty()) {
        validation_failed(res, "Release", "missing_field", "tag_name");
        return;
    }
    if (find_release_by_tag(tag) != nullptr) {
        validation_failed(res, "Release", "already_exists", "tag_name");
        return;
    }
    ReleaseState state;
    state.meta.tag = tag;
    state.meta.name = text("name");
    state.meta.draft = flag("draft");
    state.meta.prerelease = flag("prerelease");
    state.meta.id = next_release_id++;
    if (!text("target_commitish").empty()) {
        state.target_commitish = text("target_commitish");
    }
    state.body = text("body");
    state.created_at = next_stamp(Stamp::now);
    if (!state.meta.draft) {
        state.published_at = state.created_at;
    }
    releases.push_back(std::move(state));
    Json json = release_json(releases.back());
    res.set_header("Location", json["url"].get<std::string>());
    set_json(res, 201, json);
}

void FakeGitHub::Impl::update_release(const httplib::Request& req, httplib::Response& res,
                                      std::uint64_t id) {
    Json body = req.body.empty() ? Json::object() : Json::parse(req.body, nullptr, false);
    if (body.is_discarded() || !body.is_object()) {
        json_message(res, 400, "Problems parsing JSON");
        return;
    }
    ReleaseState* r = find_release_by_id(id);
    if (auto it = body.find("tag_name"); it != body.end() && it->is_string()) {
        auto tag = it->get<std::string>();
        const ReleaseState* other = find_release_by_tag(tag);
        if (other != nullptr && other != r) {
            validation_failed(res, "Release", "already_exists", "tag_name");
            return;
        }
        r->meta.tag = tag;
    }
    if (auto it = body.find("name"); it != body.end() && it->is_string()) {
        r->meta.name = it->get<std::string>();
    }
    if (auto it = body.find("body"); it != body.end() && it->is_string()) {
        r->body = it->get<std::string>();
    }
    if (auto it = body.find("target_commitish"); it != body.end() && it->is_string()) {
        r->target_commitish = it->get<std::string>();
    }
    if (auto it = body.find("prerelease"); it != body.end() && it->is_boolean()) {
        r->meta.prerelease = it->get<bool>();
    }
    if (auto it = body.find("draft"); it != body.end() && it->is_boolean()) {
        r->meta.draft = it->get<bool>();
        if (!r->meta.draft && !r->published_at) {
            r->published_at = next_stamp(Stamp::now);
        }
    }
    set_json(res, 200, release_json(*r));
}

// Mutex held.
void FakeGitHub::Impl::serve_asset_api(const httplib::Request& req, httplib::Response& res,
                                       std::uint64_t id, bool authenticated) {
    auto [r, a] = find_asset_by_id(id);
    if (r == nullptr || (r->meta.draft && !authenticated)) {
        not_found(res);
        return;
    }
    if (!icontains(req.get_header_value("Accept"), "application/octet-stream")) {
        set_json(res, 200, asset_json(*r, *a));
        return;
    }
    std::string signature = random_hex(64);
    signatures[signature] = Signature{id, SteadyClock::now()};
    auto expires = redirect_lifetime.count() > 0
                       ? std::chrono::ceil<std::chrono::seconds>(redirect_lifetime)
                       : k_default_signed_expiry;
    auto now = SystemClock::now();
    std::string url =
        storage_url + std::string(k_storage_prefix) + std::to_string(id) +
        "?X-Amz-Algorithm=AWS4-HMAC-SHA256" + "&X-Amz-Credential=fakegithub%2F" +
        amz_date(now).substr(0, 8) + "%2Fus-east-1%2Fs3%2Faws4_request" +
        "&X-Amz-Date=" + amz_date(now) + "&X-Amz-Expires=" + std::to_string(expires.count()) +
        "&X-Amz-Signature=" + signature + "&X-Amz-SignedHeaders=host" +
        "&response-content-disposition=" + url_encode("attachment; filename=" + a->meta.name) +
        "&response-content-type=" + url_encode(a->meta.content_type);
    res.set_redirect(url, 302);
}

// ---------------------------------------------------------------------------
// Storage

bool FakeGitHub::Impl::sleep_for(std::chrono::milliseconds duration) {
    std::unique_lock<std::mutex> lock(mutex);
    wake.wait_for(lock, duration, [this] { return stopping; });
    return !stopping;
}

// Reserves a time slot for `bytes` under the storage rate (shared by all
// downloads, like a slow link, or per download, like a per-connection limit)
// and waits for it; false when shutting down.
bool FakeGitHub::Impl::pace(std::size_t bytes, BodySource& source) {
    std::unique_lock<std::mutex> lock(mutex);
    const bool first_range = first_range_rate > 0 && source.start == 0;
    const std::uint64_t rate = first_range ? first_range_rate : storage_rate;
    if (rate == 0) {
        return !stopping;
    }
    auto now = SteadyClock::now();
    SteadyClock::time_point& next =
        first_range || pacing == Pacing::per_download ? source.pace_next : pace_next;
    auto start = std::max(now, next);
    next = start + std::chrono::nanoseconds(static_cast<std::int64_t>(
                       static_cast<double>(bytes) * 1e9 / static_cast<double>(rate)));
    wake.wait_until(lock, start, [this] { return stopping; });
    return !stopping;
}

bool FakeGitHub::Impl::provide(BodySource& source, std::size_t offset, std::size_t length,
                               httplib::DataSink& sink) {
    std::size_t chunk = k_chunk_size;
    {
        std::lock_guard<std::mutex> lock(mutex);
        const std::uint64_t rate =
            first_range_rate > 0 && source.start == 0 ? first_range_rate : storage_rate;
        if (rate > 0) {
            // Small slices keep a paced download smooth instead of bursty.
            chunk = static_cast<std::size_t>(std::clamp<std::uint64_t>(rate / 20, 1, k_chunk_size));
        }
    }
    std::size_t n = std::min(chunk, length);
    if (source.drop_at) {
        if (offset >= *source.drop_at) {
            // Returning false makes httplib close the connection mid-body.
            return false;
        }
        n = static_cast<std::size_t>(std::min<std::uint64_t>(n, *source.drop_at - offset));
    }
    if (source.stall_at && !source.stalled) {
        if (offset >= *source.stall_at) {
            source.stalled = true;
            if (!sleep_for(source.stall)) {
                return false;
            }
        } else {
            n = static_cast<std::size_t>(std::min<std::uint64_t>(n, *source.stall_at - offset));
        }
    }
    if (!pace(n, source)) {
        return false;
    }
    const char* bytes = nullptr;
    std::uint64_t position = source.start + offset;
    if (source.data) {
        bytes = source.data->data() + position;
    } else {
        source.buffer.resize(n);
        std::size_t got = 0;
        while (got < n) {
            ssize_t r = ::pread(source.fd.get(), source.buffer.data() + got, n - got,
                                static_cast<off_t>(position + got));
            if (r <= 0) {
                return false;  // the file shrank or vanished: cut the download
            }
            got += static_cast<std::size_t>(r);
        }
        bytes = source.buffer.data();
    }
    // Counted before writing so that a client that already has the bytes never
    // reads a smaller figure.
    auto count = [&](bool add) {
        std::lock_guard<std::mutex> lock(mutex);
        if (source.record) {
            source.record->body_bytes_sent =
                add ? source.record->body_bytes_sent + n : source.record->body_bytes_sent - n;
        }
        storage_bytes = add ? storage_bytes + n : storage_bytes - n;
    };
    count(true);
    if (!sink.write(bytes, n)) {
        count(false);
        return false;
    }
    return true;
}

void FakeGitHub::Impl::handle_storage(const httplib::Request& req, httplib::Response& res) {
    if (req.method != "GET" && req.method != "HEAD") {
        xml_error(res, 405, "MethodNotAllowed",
                  "The specified method is not allowed against this resource.");
        return;
    }
    std::unique_lock<std::mutex> lock(mutex);
    ReleaseState* release = nullptr;
    AssetState* asset = nullptr;
    if (util::starts_with(req.path, k_storage_prefix)) {
        auto id = parse_id(req.path.substr(k_storage_prefix.size()));
        std::string signature = req.get_param_value("X-Amz-Signature");
        if (signature.empty()) {
            xml_error(res, 403, "AccessDenied",
                      "Query-string authentication requires the Signature, Expires and "
                      "AWSAccessKeyId parameters");
            return;
        }
        auto it = signatures.find(signature);
        if (!id || it == signatures.end() || it->second.asset_id != *id) {
            xml_error(res, 403, "SignatureDoesNotMatch",
                      "The request signature we calculated does not match the signature you "
                      "provided.");
            return;
        }
        if (redirect_lifetime.count() > 0 &&
            SteadyClock::now() - it->second.issued > redirect_lifetime) {
            xml_error(res, 403, "AccessDenied", "Request has expired",
                      "<X-Amz-Expires>" + req.get_param_value("X-Amz-Expires") +
                          "</X-Amz-Expires><ServerTime>" + iso8601(SystemClock::now()) +
                          "</ServerTime>");
            return;
        }
        std::tie(release, asset) = find_asset_by_id(*id);
    } else {
        // The browser_download_url form: /{owner}/{repo}/releases/download/{tag}/{name}.
        auto parts = segments(req.path);
        if (parts.size() >= 6 && iequals(parts[0], owner) && iequals(parts[1], repo_name) &&
            parts[2] == "releases" && parts[3] == "download") {
            release = find_release_by_tag(join_segments(parts, 4, parts.size() - 1));
            if (release != nullptr) {
                for (auto& a : release->assets) {
                    if (a.meta.name == parts.back()) {
                        asset = &a;
                    }
                }
            }
        }
    }
    // An asset whose upload never finished ("starter") has no bytes to serve.
    if (asset == nullptr || asset->meta.state != "uploaded") {
        xml_error(res, 404, "NoSuchKey", "The specified key does not exist.");
        return;
    }

    if (req.method == "GET") {
        if (change_validators_after >= 0 && storage_gets == change_validators_after) {
            for (auto& r : releases) {
                for (auto& a : r.assets) {
                    a.etag = "\"" + random_hex(32) + "\"";
                    a.updated_at = next_stamp(Stamp::now);
                }
            }
        }
        ++storage_gets;
    }
    const std::uint64_t total = asset->size;
    const std::string last_modified = http_date(asset->updated_at);
    res.set_header("ETag", asset->etag);
    res.set_header("Last-Modified", last_modified);
    res.set_header("Accept-Ranges", "bytes");
    res.set_header("Content-Disposition", "attachment; filename=" + asset->meta.name);
    res.set_header("x-amz-request-id", random_hex(16));

    ByteRange range;
    bool ignoring = ignore_range;
    if (req.has_header("Range") && req.method == "GET") {
        ++ranged;
        ignoring = ignoring || (ignore_range_after >= 0 && ranged > ignore_range_after);
    }
    if (req.has_header("Range") && !ignoring) {
        if (answers_416 > 0) {
            --answers_416;
            range.kind = ByteRange::Kind::unsatisfiable;
        } else {
            // If-Range: only an exact match of the current strong ETag or
            // Last-Modified keeps the range; anything else gets the whole body.
            std::string if_range(util::trim(req.get_header_value("If-Range")));
            if (if_range.empty() || if_range == asset->etag || if_range == last_modified) {
                range = parse_range(req.get_header_value("Range"), total);
            }
        }
    }
    if (range.kind == ByteRange::Kind::unsatisfiable) {
        res.set_header("Content-Range", "bytes */" + std::to_string(total));
        xml_error(res, 416, "InvalidRange", "The requested range is not satisfiable",
                  "<RangeRequested>" + req.get_header_value("Range") +
                      "</RangeRequested><ActualObjectSize>" + std::to_string(total) +
                      "</ActualObjectSize>");
        return;
    }
    std::uint64_t first = 0;
    std::uint64_t length = total;
    res.status = 200;
    if (range.kind == ByteRange::Kind::satisfiable) {
        first = range.first;
        length = range.last - range.first + 1;
        res.status = 206;
        res.set_header("Content-Range", "bytes " + std::to_string(range.first) + "-" +
                                            std::to_string(range.last) + "/" +
                                            std::to_string(total));
    }
    if (length == 0) {
        // httplib sends no Content-Length for an empty provider; say it ourselves.
        res.set_header("Content-Type", asset->meta.content_type);
        res.set_header("Content-Length", "0");
        return;
    }

    auto source = std::make_shared<BodySource>();
    source->start = first;
    source->record = t_record;
    if (asset->from_file()) {
        source->fd = util::UniqueFd(::open(asset->meta.file.c_str(), O_RDONLY | O_CLOEXEC));
        if (!source->fd) {
            lock.unlock();
            json_message(res, 500, "fake github: cannot open " + asset->meta.file.string());
            return;
        }
    } else {
        source->data = asset->data;
    }
    if (req.method == "GET") {
        ++asset->download_count;
        // A fault belongs to the next download long enough to reach it, so a small
        // checksum file fetched first does not use it up.
        if (!drops.empty() && drops.front() < length) {
            source->drop_at = drops.front();
            drops.pop_front();
        }
        if (drop_each_range > 0 && drop_each_range < length &&
            range.kind == ByteRange::Kind::satisfiable &&
            dropped_range_ends.insert(range.last).second) {
            source->drop_at = drop_each_range;
        }
        if (!stalls.empty() && stalls.front().first < length) {
            source->stall_at = stalls.front().first;
            source->stall = stalls.front().second;
            stalls.pop_front();
        }
    }
    const std::string content_type = asset->meta.content_type;
    lock.unlock();
    if (req.method == "GET") {
        std::lock_guard<std::mutex> count_lock(mutex);
        peak_streaming = std::max(peak_streaming, ++streaming);
    }
    const bool counted = req.method == "GET";
    res.set_content_provider(
        static_cast<std::size_t>(length), content_type,
        [this, source](std::size_t offset, std::size_t remaining, httplib::DataSink& sink) {
            return provide(*source, offset, remaining, sink);
        },
        [this, counted](bool) {
            if (counted) {
                std::lock_guard<std::mutex> count_lock(mutex);
                --streaming;
            }
        });
}

// ---------------------------------------------------------------------------
// Uploads

void FakeGitHub::Impl::handle_uploads(const httplib::Request& req, httplib::Response& res) {
    std::unique_lock<std::mutex> lock(mutex);
    auto parts = segments(req.path);
    bool matches = parts.size() == 6 && parts[0] == "repos" && iequals(parts[1], owner) &&
                   iequals(parts[2], repo_name) && parts[3] == "releases" && parts[5] == "assets";
    auto id = matches ? parse_id(parts[4]) : std::nullopt;
    if (!id || req.method != "POST") {
        not_found(res);
        return;
    }
    Auth auth = auth_of(req);
    if (auth == Auth::none) {
        json_message(res, 401, "Requires authentication");
        return;
    }
    if (auth == Auth::invalid) {
        json_message(res, 401, "Bad credentials");
        return;
    }
    // GitHub refuses chunked (length-less) uploads.
    if (!req.has_header("Content-Length")) {
        json_message(res, 400, "Bad Content-Length: ");
        return;
    }
    ReleaseState* release = find_release_by_id(*id);
    if (release == nullptr) {
        not_found(res);
        return;
    }
    std::string asset_name = req.get_param_value("name");
    if (asset_name.empty()) {
        validation_failed(res, "ReleaseAsset", "missing_field", "name");
        return;
    }
    for (const auto& a : release->assets) {
        if (a.meta.name == asset_name) {
            validation_failed(res, "ReleaseAsset", "already_exists", "name");
            return;
        }
    }
    FakeAsset asset;
    asset.name = asset_name;
    asset.label = req.get_param_value("label");
    asset.content = req.body;
    if (req.has_header("Content-Type")) {
        asset.content_type = req.get_header_value("Content-Type");
    }
    AssetState state = make_asset_state(std::move(asset));
    state.meta.id = next_asset_id++;
    state.created_at = next_stamp(Stamp::now);
    state.updated_at = state.created_at;
    release->assets.push_back(std::move(state));
    set_json(res, 201, asset_json(*release, release->assets.back()));
}

// ---------------------------------------------------------------------------
// Public interface

FakeGitHub::FakeGitHub(std::string repo) : m_impl(std::make_unique<Impl>()) {
    auto slash = repo.find('/');
    if (slash == std::string::npos || slash == 0 || slash + 1 == repo.size() ||
        repo.find('/', slash + 1) != std::string::npos) {
        throw std::invalid_argument("fake github: repo must be 'owner/name', not '" + repo + "'");
    }
    m_impl->owner = repo.substr(0, slash);
    m_impl->repo_name = repo.substr(slash + 1);
    m_impl->repo = std::move(repo);
    m_impl->start_all();
}

FakeGitHub::~FakeGitHub() {
    m_impl->stop_all();
}

std::string FakeGitHub::api_url() const {
    return m_impl->api_url;
}
std::string FakeGitHub::storage_url() const {
    return m_impl->storage_url;
}
std::string FakeGitHub::uploads_url() const {
    return m_impl->uploads_url;
}
const std::string& FakeGitHub::repo() const {
    return m_impl->repo;
}

std::uint64_t FakeGitHub::add_release(FakeRelease release) {
    std::vector<AssetState> assets;
    for (auto& a : release.assets) {
        assets.push_back(make_asset_state(std::move(a)));
    }
    release.assets.clear();
    std::lock_guard<std::mutex> lock(m_impl->mutex);
    if (m_impl->find_release_by_tag(release.tag) != nullptr) {
        throw std::invalid_argument("fake github: release '" + release.tag + "' already exists");
    }
    ReleaseState state;
    state.meta = std::move(release);
    state.meta.id = m_impl->next_release_id++;
    state.created_at = m_impl->next_stamp(Impl::Stamp::history);
    if (!state.meta.draft) {
        state.published_at = state.created_at;
    }
    for (auto& a : assets) {
        a.meta.id = m_impl->next_asset_id++;
        a.created_at = state.created_at;
        a.updated_at = state.created_at;
        state.assets.push_back(std::move(a));
    }
    m_impl->releases.push_back(std::move(state));
    return m_impl->releases.back().meta.id;
}

void FakeGitHub::put_asset(const std::string& tag, FakeAsset asset) {
    AssetState state = make_asset_state(std::move(asset));
    std::lock_guard<std::mutex> lock(m_impl->mutex);
    ReleaseState* release = m_impl->find_release_by_tag(tag);
    if (release == nullptr) {
        throw std::out_of_range("fake github: no release '" + tag + "'");
    }
    state.updated_at = m_impl->next_stamp(Impl::Stamp::now);
    for (auto& existing : release->assets) {
        if (existing.meta.name == state.meta.name) {
            // The id stays, so URLs a client already holds now serve the new bytes
            // (with a new ETag): what a resume across a re-upload must cope with.
            state.meta.id = existing.meta.id;
            state.created_at = existing.created_at;
            state.download_count = existing.download_count;
            existing = std::move(state);
            return;
        }
    }
    state.meta.id = m_impl->next_asset_id++;
    state.created_at = state.updated_at;
    release->assets.push_back(std::move(state));
}

bool FakeGitHub::remove_asset(const std::string& tag, const std::string& name) {
    std::lock_guard<std::mutex> lock(m_impl->mutex);
    ReleaseState* release = m_impl->find_release_by_tag(tag);
    if (release == nullptr) {
        return false;
    }
    auto& assets = release->assets;
    auto it = std::find_if(assets.begin(), assets.end(),
                           [&](const AssetState& a) { return a.meta.name == name; });
    if (it == assets.end()) {
        return false;
    }
    assets.erase(it);
    return true;
}

std::optional<FakeRelease> FakeGitHub::release(const std::string& tag) const {
    std::lock_guard<std::mutex> lock(m_impl->mutex);
    for (const auto& r : m_impl->releases) {
        if (r.meta.tag != tag) {
            continue;
        }
        FakeRelease copy = r.meta;
        for (const auto& a : r.assets) {
            FakeAsset asset = a.meta;
            if (a.data) {
                asset.content = *a.data;
            }
            copy.assets.push_back(std::move(asset));
        }
        return copy;
    }
    return std::nullopt;
}

std::vector<RecordedRequest> FakeGitHub::requests() const {
    std::lock_guard<std::mutex> lock(m_impl->mutex);
    std::vector<RecordedRequest> out;
    out.reserve(m_impl->records.size());
    for (const auto& r : m_impl->records) {
        out.push_back(*r);
    }
    return out;
}

std::vector<RecordedRequest> FakeGitHub::requests(FakeServer server) const {
    std::vector<RecordedRequest> out;
    for (auto& r : requests()) {
        if (r.server == server_name(server)) {
            out.push_back(std::move(r));
        }
    }
    return out;
}

void FakeGitHub::clear_requests() {
    std::lock_guard<std::mutex> lock(m_impl->mutex);
    m_impl->records.clear();
}

std::uint64_t FakeGitHub::storage_bytes_sent() const {
    return m_impl->storage_bytes;
}

void FakeGitHub::fail_next(FakeServer server, int count, int status) {
    std::lock_guard<std::mutex> lock(m_impl->mutex);
    for (int i = 0; i < count; ++i) {
        m_impl->failures[server].push_back(status);
    }
}

void FakeGitHub::rate_limit_next(int count, int status, std::chrono::seconds reset_in) {
    std::lock_guard<std::mutex> lock(m_impl->mutex);
    for (int i = 0; i < count; ++i) {
        m_impl->primary_limits.push_back({status, reset_in});
    }
}

void FakeGitHub::secondary_rate_limit_next(int count, int status,
                                           std::chrono::seconds retry_after) {
    std::lock_guard<std::mutex> lock(m_impl->mutex);
    for (int i = 0; i < count; ++i) {
        m_impl->secondary_limits.push_back({status, retry_after});
    }
}

void FakeGitHub::drop_next_download_at(std::uint64_t offset) {
    std::lock_guard<std::mutex> lock(m_impl->mutex);
    m_impl->drops.push_back(offset);
}

void FakeGitHub::stall_next_download_at(std::uint64_t offset, std::chrono::milliseconds stall) {
    std::lock_guard<std::mutex> lock(m_impl->mutex);
    m_impl->stalls.emplace_back(offset, stall);
}

void FakeGitHub::set_ignore_range(bool ignore) {
    std::lock_guard<std::mutex> lock(m_impl->mutex);
    m_impl->ignore_range = ignore;
}

void FakeGitHub::drop_each_range_at(std::uint64_t offset) {
    std::lock_guard<std::mutex> lock(m_impl->mutex);
    m_impl->drop_each_range = offset;
    m_impl->dropped_range_ends.clear();
}

void FakeGitHub::ignore_range_after(int count) {
    std::lock_guard<std::mutex> lock(m_impl->mutex);
    m_impl->ignore_range_after = count;
    m_impl->ranged = 0;
}

void FakeGitHub::change_validators_after(int count) {
    std::lock_guard<std::mutex> lock(m_impl->mutex);
    m_impl->change_validators_after = count;
    m_impl->storage_gets = 0;
}

void FakeGitHub::set_first_range_rate(std::uint64_t bytes_per_second) {
    std::lock_guard<std::mutex> lock(m_impl->mutex);
    m_impl->first_range_rate = bytes_per_second;
}

int FakeGitHub::ranged_requests() const {
    std::lock_guard<std::mutex> lock(m_impl->mutex);
    return m_impl->ranged;
}

int FakeGitHub::peak_concurrent_downloads() const {
    std::lock_guard<std::mutex> lock(m_impl->mutex);
    return m_impl->peak_streaming;
}

void FakeGitHub::answer_416_next(int count) {
    std::lock_guard<std::mutex> lock(m_impl->mutex);
    m_impl->answers_416 += count;
}

void FakeGitHub::set_storage_rate(std::uint64_t bytes_per_second, Pacing pacing) {
    std::lock_guard<std::mutex> lock(m_impl->mutex);
    m_impl->storage_rate = bytes_per_second;
    m_impl->pacing = pacing;
    m_impl->pace_next = SteadyClock::now();
}

void FakeGitHub::set_redirect_lifetime(std::chrono::milliseconds lifetime) {
    std::lock_guard<std::mutex> lock(m_impl->mutex);
    m_impl->redirect_lifetime = lifetime;
}

void FakeGitHub::set_default_per_page(int per_page) {
    std::lock_guard<std::mutex> lock(m_impl->mutex);
    m_impl->default_per_page = per_page;
}

void FakeGitHub::require_token(std::string token) {
    std::lock_guard<std::mutex> lock(m_impl->mutex);
    m_impl->token = std::move(token);
}

}  // namespace tl::testing
