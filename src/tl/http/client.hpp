#pragma once

// The HTTP interface everything above it talks to, and the one libcurl-backed
// implementation. Requests stream their response body into a BodySink, so a
// download never holds more than one buffer in memory. Redirects are NOT
// followed here: send_following_redirects() (redirect.hpp) does that, so it can
// decide which headers, and which credentials, go to each host.

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "tl/util/expected.hpp"

namespace tl::http {

// Response headers, names kept lower-case; several values per name allowed.
class Headers {
public:
    void add(std::string_view name, std::string_view value);
    // The first value of a header (any case), empty if absent.
    std::optional<std::string> get(std::string_view name) const;
    const std::vector<std::pair<std::string, std::string>>& all() const { return m_items; }
    void clear() { m_items.clear(); }

private:
    std::vector<std::pair<std::string, std::string>> m_items;
};

enum class Method { get, head, post, patch, put, del };

// "GET", "POST", ...
const char* method_name(Method m);

// Limits on how long a transfer may take. Zero means no limit.
struct Timeouts {
    std::chrono::milliseconds connect{std::chrono::seconds(15)};
    std::chrono::milliseconds total{0};
    // A transfer slower than low_speed_bytes per second for low_speed_time is dropped.
    std::uint32_t low_speed_bytes = 1024;
    std::chrono::seconds low_speed_time{30};
};

struct Request {
    Method method = Method::get;
    std::string url;
    // Request headers as "Name: value" lines' parts.
    std::vector<std::pair<std::string, std::string>> headers;
    // A small request body (JSON); ignored when body_file is set.
    std::string body;
    // Streams the request body from this file (uploads).
    std::filesystem::path body_file;
    Timeouts timeouts;
};

// What the server answered before its body.
struct ResponseHead {
    int status = 0;
    Headers headers;
    std::string url;  // the URL this response came from
};

// Receives a response: the head once, then the body in chunks. Returning false
// from either aborts the transfer (the send then fails with Kind::aborted).
class BodySink {
public:
    virtual ~BodySink() = default;
    virtual bool on_head(const ResponseHead& head) = 0;
    virtual bool on_data(const char* data, std::size_t size) = 0;
};

// Collects a small body in memory, refusing more than `limit` bytes.
class StringSink : public BodySink {
public:
    explicit StringSink(std::size_t limit = 16u << 20) : m_limit(limit) {}
    bool on_head(const ResponseHead&) override {
        body.clear();
        return true;
    }
    bool on_data(const char* data, std::size_t size) override;
    std::string body;
    bool overflowed = false;

private:
    std::size_t m_limit;
};

// Why a transfer did not complete with a response.
struct TransportError {
    enum class Kind {
        resolve,   // host name did not resolve
        connect,   // connection refused or unreachable
        timeout,   // connect or total timeout
        stalled,   // below the low-speed limit for too long
        tls,       // certificate or handshake failure
        proxy,     // the proxy refused or failed
        partial,   // the connection closed before the whole body arrived
        aborted,   // the sink asked to stop
        insecure,  // plain HTTP to a non-loopback host, or a redirect loop/downgrade
        other,
    };
    Kind kind = Kind::other;
    std::string message;           // libcurl's reason, already redacted
    int status = 0;                // HTTP status if a head had arrived
    std::uint64_t body_bytes = 0;  // body bytes received before the failure
};

// A completed exchange: status and headers of the final response.
struct Response {
    int status = 0;
    Headers headers;
    std::string url;
    std::uint64_t body_bytes = 0;
};

using SendResult = util::Expected<Response, TransportError>;

// One HTTP exchange, no redirects followed.
class Client {
public:
    virtual ~Client() = default;
    virtual SendResult send(const Request& request, BodySink& sink) = 0;
};

// How the libcurl client connects.
struct ClientOptions {
    std::string user_agent;
    // A CA bundle file; empty uses SSL_CERT_FILE / CURL_CA_BUNDLE, then libcurl's default.
    std::string ca_file;
    // Proxies; empty values fall back to the environment (either case).
    std::string https_proxy;
    std::string http_proxy;
    std::string no_proxy;
};

// The libcurl implementation: safe to share between threads (a small pool of
// easy handles, one per send in progress, each keeping its connections).
std::unique_ptr<Client> make_curl_client(const ClientOptions& options);

}  // namespace tl::http
