// libcurl is loaded with dlopen on first use rather than linked: it drags in
// some forty shared libraries (TLS, Kerberos, LDAP, IDN...) whose loading costs
// about 8 ms at every start, and a cache hit (the common case in builds) never
// touches the network. Only types and constants come from the header.
//
// The portable release build (TL_CURL_LINKED, cmake/TlPortable.cmake) is one
// static executable: libcurl is linked in, there is nothing to load, and the
// CA bundle is looked for in the places Linux distributions keep it, since no
// distribution's libcurl is there to know its own.
#define CURL_DISABLE_TYPECHECK 1
#include <curl/curl.h>
#include <dlfcn.h>

#include <unistd.h>

#include <array>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <deque>
#include <mutex>
#include <vector>

#include "tl/http/client.hpp"
#include "tl/http/url.hpp"
#include "tl/util/error.hpp"
#include "tl/util/escape.hpp"
#include "tl/util/redact.hpp"
#include "tl/util/strings.hpp"

namespace tl::http {

void Headers::add(std::string_view name, std::string_view value) {
    m_items.emplace_back(util::to_lower(name), std::string(value));
}

std::optional<std::string> Headers::get(std::string_view name) const {
    std::string n = util::to_lower(name);
    for (const auto& [k, v] : m_items) {
        if (k == n) {
            return v;
        }
    }
    return std::nullopt;
}

const char* method_name(Method m) {
    switch (m) {
        case Method::get:
            return "GET";
        case Method::head:
            return "HEAD";
        case Method::post:
            return "POST";
        case Method::patch:
            return "PATCH";
        case Method::put:
            return "PUT";
        case Method::del:
            return "DELETE";
    }
    return "GET";
}

bool StringSink::on_data(const char* data, std::size_t size) {
    if (body.size() + size > m_limit) {
        overflowed = true;
        return false;
    }
    body.append(data, size);
    return true;
}

namespace {

// The libcurl functions this file calls, resolved once.
struct CurlApi {
    CURLcode (*global_init)(long);
    CURL* (*easy_init)();
    void (*easy_cleanup)(CURL*);
    void (*easy_reset)(CURL*);
    CURLcode (*easy_setopt)(CURL*, CURLoption, ...);
    CURLcode (*easy_perform)(CURL*);
    CURLcode (*easy_getinfo)(CURL*, CURLINFO, ...);
    const char* (*easy_strerror)(CURLcode);
    curl_slist* (*slist_append)(curl_slist*, const char*);
    void (*slist_free_all)(curl_slist*);
};

template <typename F>
void resolve(void* lib, const char* name, F& fn, std::string& missing) {
    void* sym = ::dlsym(lib, name);
    if (sym == nullptr) {
        missing += std::string(missing.empty() ? "" : ", ") + name;
    }
    fn = reinterpret_cast<F>(sym);
}

#ifdef TL_CURL_LINKED
// libcurl is part of the executable.
const CurlApi& curl_api() {
    static CurlApi api = [] {
        CurlApi a{};
        a.global_init = curl_global_init;
        a.easy_init = curl_easy_init;
        a.easy_cleanup = curl_easy_cleanup;
        a.easy_reset = curl_easy_reset;
        a.easy_setopt = curl_easy_setopt;
        a.easy_perform = curl_easy_perform;
        a.easy_getinfo = curl_easy_getinfo;
        a.easy_strerror = curl_easy_strerror;
        a.slist_append = curl_slist_append;
        a.slist_free_all = curl_slist_free_all;
        a.global_init(CURL_GLOBAL_DEFAULT);
        return a;
    }();
    return api;
}
#else
// Loads libcurl once per process; throws tl::Error when it is not installed.
const CurlApi& curl_api() {
    static CurlApi api = [] {
        CurlApi a{};
        void* lib = nullptr;
        // The running OS's names only, the usual one first: the error names
        // the file this OS looks for (libcurl.so.4, not a .dylib on Linux).
#if defined(__APPLE__)
        const char* const names[] = {"libcurl.4.dylib", "libcurl.dylib"};
        const char* const install_hint = "it ships with macOS; or brew install curl";
#else
        const char* const names[] = {"libcurl.so.4", "libcurl.so"};
        const char* const install_hint =
            "apt-get install libcurl4, dnf install libcurl, or your system's libcurl package";
#endif
        std::string first_error;
        for (const char* name : names) {
            lib = ::dlopen(name, RTLD_NOW | RTLD_LOCAL);
            if (lib != nullptr) {
                break;
            }
            const char* why = ::dlerror();
            if (first_error.empty()) {
                first_error = why != nullptr ? why : std::string(name) + ": not found";
            }
        }
        if (lib == nullptr) {
            throw Error(ErrorKind::usage, std::string("cannot load libcurl (") + names[0] + "): " +
                                              first_error + " (install it: " + install_hint + ")");
        }
        std::string missing;
        resolve(lib, "curl_global_init", a.global_init, missing);
        resolve(lib, "curl_easy_init", a.easy_init, missing);
        resolve(lib, "curl_easy_cleanup", a.easy_cleanup, missing);
        resolve(lib, "curl_easy_reset", a.easy_reset, missing);
        resolve(lib, "curl_easy_setopt", a.easy_setopt, missing);
        resolve(lib, "curl_easy_perform", a.easy_perform, missing);
        resolve(lib, "curl_easy_getinfo", a.easy_getinfo, missing);
        resolve(lib, "curl_easy_strerror", a.easy_strerror, missing);
        resolve(lib, "curl_slist_append", a.slist_append, missing);
        resolve(lib, "curl_slist_free_all", a.slist_free_all, missing);
        if (!missing.empty()) {
            throw Error(ErrorKind::usage, "the installed libcurl lacks " + missing +
                                              " (install libcurl 7.62 or newer)");
        }
        a.global_init(CURL_GLOBAL_DEFAULT);
        return a;
    }();
    return api;
}
#endif

std::string env_first(std::initializer_list<const char*> names) {
    for (const char* n : names) {
        const char* v = std::getenv(n);
        if (v != nullptr && *v != '\0') {
            return v;
        }
    }
    return {};
}

#ifdef TL_CURL_LINKED
// The first CA bundle that exists, in the places distributions keep one
// (the list Go's crypto/x509 searches), or "" when there is none.
std::string find_ca_bundle() {
    static constexpr std::array<const char*, 6> candidates = {
        "/etc/ssl/certs/ca-certificates.crt",                 // Debian, Ubuntu, Gentoo, Arch
        "/etc/pki/tls/certs/ca-bundle.crt",                   // Fedora, RHEL 6, Amazon Linux
        "/etc/ssl/ca-bundle.pem",                             // openSUSE, SLES
        "/etc/pki/tls/cacert.pem",                            // OpenELEC
        "/etc/pki/ca-trust/extracted/pem/tls-ca-bundle.pem",  // RHEL 7 and later, CentOS
        "/etc/ssl/cert.pem",                                  // Alpine, macOS, BSDs
    };
    for (const char* path : candidates) {
        if (::access(path, R_OK) == 0) {
            return path;
        }
    }
    return {};
}
#endif

// State shared with libcurl's callbacks during one transfer.
struct Transfer {
    BodySink* sink = nullptr;
    ResponseHead head;
    bool head_delivered = false;
    bool aborted = false;
    std::uint64_t body_bytes = 0;
    std::FILE* upload = nullptr;

    // Stall detection: libcurl's own low-speed check averages over several
    // seconds, so a burst followed by silence goes unnoticed for too long. Keep
    // samples of the bytes moved and give up when the last `stall_time` moved
    // fewer than `stall_bytes_per_second * stall_time` bytes.
    std::chrono::steady_clock::duration stall_time{};
    std::uint64_t stall_bytes_per_second = 0;
    std::deque<std::pair<std::chrono::steady_clock::time_point, std::uint64_t>> samples;
    bool stalled = false;

    // Delivers the head of the final response once.
    bool deliver_head() {
        if (head_delivered) {
            return !aborted;
        }
        head_delivered = true;
        if (!sink->on_head(head)) {
            aborted = true;
        }
        return !aborted;
    }
};

std::size_t on_header(char* buffer, std::size_t size, std::size_t nitems, void* userdata) {
    auto* t = static_cast<Transfer*>(userdata);
    std::size_t n = size * nitems;
    std::string_view line(buffer, n);
    std::string_view trimmed = util::trim(line);
    if (util::starts_with(line, "HTTP/")) {
        // A new response starts (after 100 Continue, or a proxy's CONNECT reply).
        t->head.headers.clear();
        std::size_t sp = line.find(' ');
        if (sp != std::string_view::npos) {
            t->head.status = std::atoi(std::string(line.substr(sp + 1, 3)).c_str());
        }
        return n;
    }
    if (trimmed.empty()) {
        return n;
    }
    std::size_t colon = trimmed.find(':');
    if (colon != std::string_view::npos) {
        t->head.headers.add(util::trim(trimmed.substr(0, colon)),
                            util::trim(trimmed.substr(colon + 1)));
    }
    return n;
}

std::size_t on_write(char* ptr, std::size_t size, std::size_t nmemb, void* userdata) {
    auto* t = static_cast<Transfer*>(userdata);
    std::size_t n = size * nmemb;
    if (!t->deliver_head()) {
        return 0;
    }
    if (!t->sink->on_data(ptr, n)) {
        t->aborted = true;
        return 0;
    }
    t->body_bytes += n;
    return n;
}

int on_progress(void* userdata, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal,
                curl_off_t ulnow) {
    (void)dltotal;
    (void)ultotal;
    auto* t = static_cast<Transfer*>(userdata);
    if (t->stall_time.count() == 0) {
        return 0;
    }
    auto now = std::chrono::steady_clock::now();
    std::uint64_t moved = static_cast<std::uint64_t>(dlnow + ulnow);
    t->samples.emplace_back(now, moved);
    // Keep one sample at least `stall_time` old as the window's start.
    while (t->samples.size() > 2 && now - t->samples[1].first >= t->stall_time) {
        t->samples.pop_front();
    }
    const auto& [start_time, start_bytes] = t->samples.front();
    if (now - start_time < t->stall_time) {
        return 0;
    }
    double seconds = std::chrono::duration<double>(now - start_time).count();
    if (static_cast<double>(moved - start_bytes) <
        static_cast<double>(t->stall_bytes_per_second) * seconds) {
        t->stalled = true;
        return 1;  // abort the transfer
    }
    return 0;
}

std::size_t on_read(char* buffer, std::size_t size, std::size_t nitems, void* userdata) {
    auto* t = static_cast<Transfer*>(userdata);
    return std::fread(buffer, 1, size * nitems, t->upload);
}

TransportError::Kind classify(CURLcode code, std::string_view message) {
    switch (code) {
        case CURLE_COULDNT_RESOLVE_HOST:
            return TransportError::Kind::resolve;
        case CURLE_COULDNT_CONNECT:
            return TransportError::Kind::connect;
        case CURLE_COULDNT_RESOLVE_PROXY:
            return TransportError::Kind::proxy;
        case CURLE_OPERATION_TIMEDOUT:
            return message.find("too slow") != std::string_view::npos
                       ? TransportError::Kind::stalled
                       : TransportError::Kind::timeout;
        case CURLE_PARTIAL_FILE:
        case CURLE_RECV_ERROR:
        case CURLE_GOT_NOTHING:
        case CURLE_SEND_ERROR:
            return TransportError::Kind::partial;
        case CURLE_SSL_CONNECT_ERROR:
        case CURLE_PEER_FAILED_VERIFICATION:
        case CURLE_SSL_CERTPROBLEM:
        case CURLE_SSL_CIPHER:
        case CURLE_SSL_CACERT_BADFILE:
        case CURLE_SSL_ISSUER_ERROR:
            return TransportError::Kind::tls;
        case CURLE_WRITE_ERROR:
        case CURLE_ABORTED_BY_CALLBACK:
            return TransportError::Kind::aborted;
        default:
            return TransportError::Kind::other;
    }
}

// Easy handles, one per transfer in progress: a handle serves one transfer at
// a time, so concurrent sends (the ranges of a parallel download) each take
// their own. A returned handle keeps its connections open for the next send
// (last in, first out, so a sequential caller always gets the warm one).
class HandlePool {
public:
    explicit HandlePool(const CurlApi& api) : m_api(api) {}
    ~HandlePool() {
        for (CURL* c : m_idle) {
            m_api.easy_cleanup(c);
        }
    }
    HandlePool(const HandlePool&) = delete;
    HandlePool& operator=(const HandlePool&) = delete;

    CURL* take() {
        {
            std::lock_guard lock(m_mutex);
            if (!m_idle.empty()) {
                CURL* c = m_idle.back();
                m_idle.pop_back();
                return c;
            }
        }
        return m_api.easy_init();
    }

    void give(CURL* c) {
        if (c == nullptr) {
            return;
        }
        {
            std::lock_guard lock(m_mutex);
            if (m_idle.size() < k_max_idle) {
                m_idle.push_back(c);
                return;
            }
        }
        m_api.easy_cleanup(c);
    }

private:
    static constexpr std::size_t k_max_idle = 16;
    const CurlApi& m_api;
    std::mutex m_mutex;
    std::vector<CURL*> m_idle;
};

// Gives a handle back to its pool when a send ends, however it ends.
class TakenHandle {
public:
    explicit TakenHandle(HandlePool& pool) : m_pool(pool), m_curl(pool.take()) {}
    ~TakenHandle() { m_pool.give(m_curl); }
    TakenHandle(const TakenHandle&) = delete;
    TakenHandle& operator=(const TakenHandle&) = delete;
    CURL* get() const { return m_curl; }

private:
    HandlePool& m_pool;
    CURL* m_curl;
};

// Safe to share between threads: each send takes its own easy handle.
class CurlClient : public Client {
public:
    explicit CurlClient(ClientOptions options)
        : m_api(curl_api()), m_options(std::move(options)), m_handles(m_api) {
        m_handles.give(m_api.easy_init());
        if (m_options.ca_file.empty()) {
            // curl's own order: CURL_CA_BUNDLE first, then SSL_CERT_FILE.
            m_options.ca_file = env_first({"CURL_CA_BUNDLE", "SSL_CERT_FILE"});
        }
        if (m_options.https_proxy.empty()) {
            m_options.https_proxy = env_first({"HTTPS_PROXY", "https_proxy"});
        }
        if (m_options.http_proxy.empty()) {
            // libcurl ignores upper-case HTTP_PROXY on purpose (CGI); a command-line
            // tool has no such concern, and users set either.
            m_options.http_proxy = env_first({"http_proxy", "HTTP_PROXY"});
        }
        if (m_options.no_proxy.empty()) {
            m_options.no_proxy = env_first({"NO_PROXY", "no_proxy"});
        }
#ifdef TL_CURL_LINKED
        // No distribution's libcurl to know where its CA bundle is.
        if (m_options.ca_file.empty()) {
            m_options.ca_file = find_ca_bundle();
        }
        if (m_options.ca_file.empty()) {
            m_ca_path = env_first({"SSL_CERT_DIR"});
            if (m_ca_path.empty() && ::access("/etc/ssl/certs", R_OK | X_OK) == 0) {
                m_ca_path = "/etc/ssl/certs";
            }
        }
#endif
    }

    SendResult send(const Request& request, BodySink& sink) override {
        // A header is one line: a control character in a name or value (a
        // token with a stray newline, a hostile ETag sent back in If-Range)
        // would inject headers. Refused here whatever the caller checked;
        // the value is never named, it may be a secret.
        for (const auto& [k, v] : request.headers) {
            if (util::has_control_chars(k) || util::has_control_chars(v, /*allow_tab=*/true)) {
                TransportError e;
                e.kind = TransportError::Kind::other;
                e.message = "the " + util::quoted(k) +
                            " header holds a control character; the request was not sent";
                return util::unexpected(std::move(e));
            }
        }
        TakenHandle handle(m_handles);
        CURL* c = handle.get();
        if (c == nullptr) {
            TransportError e;
            e.message = "libcurl could not start a transfer (out of memory?)";
            return util::unexpected(std::move(e));
        }
        // curl_easy_reset keeps the connection cache, so keep-alive still works.
        m_api.easy_reset(c);
        Transfer t;
        t.sink = &sink;
        t.head.url = request.url;
        char errbuf[CURL_ERROR_SIZE] = {0};
        m_api.easy_setopt(c, CURLOPT_URL, request.url.c_str());
        m_api.easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
        m_api.easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
        m_api.easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
        m_api.easy_setopt(c, CURLOPT_USERAGENT, m_options.user_agent.c_str());
        m_api.easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
        m_api.easy_setopt(c, CURLOPT_HEADERDATA, &t);
        m_api.easy_setopt(c, CURLOPT_WRITEFUNCTION, on_write);
        m_api.easy_setopt(c, CURLOPT_WRITEDATA, &t);
        m_api.easy_setopt(c, CURLOPT_BUFFERSIZE, 256L * 1024L);
        m_api.easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS,
                          static_cast<long>(request.timeouts.connect.count()));
        m_api.easy_setopt(c, CURLOPT_TIMEOUT_MS, static_cast<long>(request.timeouts.total.count()));
        if (request.timeouts.low_speed_time.count() > 0) {
            t.stall_time = request.timeouts.low_speed_time;
            t.stall_bytes_per_second = request.timeouts.low_speed_bytes;
            m_api.easy_setopt(c, CURLOPT_XFERINFOFUNCTION, on_progress);
            m_api.easy_setopt(c, CURLOPT_XFERINFODATA, &t);
            m_api.easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
        }
        if (!m_options.ca_file.empty()) {
            m_api.easy_setopt(c, CURLOPT_CAINFO, m_options.ca_file.c_str());
        }
        if (!m_ca_path.empty()) {
            m_api.easy_setopt(c, CURLOPT_CAPATH, m_ca_path.c_str());
        }
        auto url = parse_url(request.url);
        std::string proxy =
            url && url->scheme == "https" ? m_options.https_proxy : m_options.http_proxy;
        m_api.easy_setopt(c, CURLOPT_PROXY, proxy.c_str());  // "" disables env lookup
        if (!m_options.no_proxy.empty()) {
            m_api.easy_setopt(c, CURLOPT_NOPROXY, m_options.no_proxy.c_str());
        }

        curl_slist* headers = nullptr;
        for (const auto& [k, v] : request.headers) {
            headers = m_api.slist_append(headers, (k + ": " + v).c_str());
        }
        // libcurl adds "Expect: 100-continue" to large uploads; GitHub's upload
        // endpoint does not need the extra round trip.
        headers = m_api.slist_append(headers, "Expect:");
        m_api.easy_setopt(c, CURLOPT_HTTPHEADER, headers);

        switch (request.method) {
            case Method::get:
                break;
            case Method::head:
                m_api.easy_setopt(c, CURLOPT_NOBODY, 1L);
                break;
            default:
                m_api.easy_setopt(c, CURLOPT_CUSTOMREQUEST, method_name(request.method));
        }
        if (!request.body_file.empty()) {
            t.upload = std::fopen(request.body_file.c_str(), "rb");
            if (t.upload == nullptr) {
                m_api.slist_free_all(headers);
                TransportError e;
                e.message = "cannot open '" + request.body_file.string() + "' for upload";
                return util::unexpected(e);
            }
            std::fseek(t.upload, 0, SEEK_END);
            long size = std::ftell(t.upload);
            std::fseek(t.upload, 0, SEEK_SET);
            m_api.easy_setopt(c, CURLOPT_UPLOAD, 1L);
            m_api.easy_setopt(c, CURLOPT_READFUNCTION, on_read);
            m_api.easy_setopt(c, CURLOPT_READDATA, &t);
            m_api.easy_setopt(c, CURLOPT_INFILESIZE_LARGE, static_cast<curl_off_t>(size));
            m_api.easy_setopt(c, CURLOPT_CUSTOMREQUEST, method_name(request.method));
        } else if (request.method == Method::post || request.method == Method::patch ||
                   request.method == Method::put || !request.body.empty()) {
            m_api.easy_setopt(c, CURLOPT_POSTFIELDS, request.body.data());
            m_api.easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE,
                              static_cast<curl_off_t>(request.body.size()));
        }

        CURLcode rc = m_api.easy_perform(c);
        m_api.slist_free_all(headers);
        if (t.upload != nullptr) {
            std::fclose(t.upload);
        }
        if (rc == CURLE_OK) {
            long status = 0;
            m_api.easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
            t.head.status = static_cast<int>(status);
            if (!t.deliver_head()) {
                TransportError e;
                e.kind = TransportError::Kind::aborted;
                e.message = "transfer stopped by the receiver";
                e.status = t.head.status;
                return util::unexpected(e);
            }
            Response r;
            r.status = t.head.status;
            r.headers = std::move(t.head.headers);
            r.url = request.url;
            r.body_bytes = t.body_bytes;
            return r;
        }
        TransportError e;
        std::string reason = errbuf[0] != '\0' ? errbuf : m_api.easy_strerror(rc);
        e.kind = t.aborted ? TransportError::Kind::aborted : classify(rc, reason);
        if (!proxy.empty() && m_options.no_proxy.empty() && !t.head_delivered &&
            (rc == CURLE_COULDNT_CONNECT || e.kind == TransportError::Kind::proxy)) {
            // The proxy failed, not the target: name the proxy.
            e.kind = TransportError::Kind::proxy;
            reason = "cannot use proxy " + util::quoted(util::redact_url(proxy)) + ": " + reason;
        }
        if (auto* small = dynamic_cast<StringSink*>(&sink); small != nullptr && small->overflowed) {
            // Not "failure writing output": say which limit stopped it.
            reason = "the answer is larger than the size limit for this document (" +
                     util::human_bytes(small->body.size()) + " kept before it was cut off)";
        }
        if (t.stalled) {
            e.kind = TransportError::Kind::stalled;
            reason = "transfer stalled: less than " + std::to_string(t.stall_bytes_per_second) +
                     " bytes/s for " +
                     std::to_string(
                         std::chrono::duration_cast<std::chrono::seconds>(t.stall_time).count()) +
                     " s";
        }
#ifdef TL_CURL_LINKED
        if (e.kind == TransportError::Kind::tls && m_options.ca_file.empty() && m_ca_path.empty()) {
            reason += " (no CA bundle found: install ca-certificates or set SSL_CERT_FILE)";
        }
#endif
        e.message = util::scrub(reason);
        e.status = t.head_delivered ? t.head.status : 0;
        e.body_bytes = t.body_bytes;
        return util::unexpected(e);
    }

private:
    const CurlApi& m_api;
    ClientOptions m_options;
    std::string m_ca_path;  // a hashed certificate directory, when no bundle file is found
    HandlePool m_handles;
};

}  // namespace

std::unique_ptr<Client> make_curl_client(const ClientOptions& options) {
    return std::make_unique<CurlClient>(options);
}

}  // namespace tl::http
