#pragma once

// A scripted http::Client for unit tests of everything above the transport
// (the retry loop, resume rules, source fallback, the GitHub source's signed
// URLs) without processes or sockets, the way ninja's VirtualFileSystem stands
// in for the disk. Each send() plays the next queued step, else asks the
// server function; every request is recorded.

#include <cstddef>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "tl/http/client.hpp"

namespace tl::test {

// What one exchange answers.
struct Step {
    int status = 200;
    std::vector<std::pair<std::string, std::string>> headers;
    std::string body;
    // Sends only this many body bytes, then fails as a dropped connection.
    std::optional<std::size_t> cut_after;
    // Fails before any head (connect refused, timeout, …) when set.
    std::optional<http::TransportError::Kind> error;

    static Step fail(http::TransportError::Kind kind) {
        Step s;
        s.error = kind;
        return s;
    }
    static Step redirect(const std::string& location) {
        Step s;
        s.status = 302;
        s.headers = {{"location", location}};
        return s;
    }
};

// A file served the way a storage host serves it: 200, or 206 for a Range
// (bytes=A- or bytes=A-B) whose If-Range matches `etag`, 416 past the end.
Step serve_file(const http::Request& request, const std::string& content, const std::string& etag);

// The value of a request header (any case), empty when absent.
std::string header_of(const http::Request& request, const std::string& name);

class ScriptedClient : public http::Client {
public:
    // Queues a step: played by the next send() whose URL contains `url_part`
    // (every URL when empty), in order.
    void then(Step step, std::string url_part = {});
    // Answers sends no queued step matches.
    void serve(std::function<Step(const http::Request&)> server);

    http::SendResult send(const http::Request& request, http::BodySink& sink) override;

    std::vector<http::Request> requests() const;
    // Requests whose URL contains `url_part`.
    std::size_t count(const std::string& url_part) const;
    std::size_t body_bytes_sent() const;

private:
    mutable std::mutex m_mutex;
    std::vector<std::pair<std::string, Step>> m_queue;
    std::function<Step(const http::Request&)> m_server;
    std::vector<http::Request> m_requests;
    std::size_t m_body_bytes = 0;
};

}  // namespace tl::test
