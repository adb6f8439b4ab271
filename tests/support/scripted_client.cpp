#include "support/scripted_client.hpp"

#include <algorithm>

#include "tl/util/strings.hpp"

namespace tl::test {

std::string header_of(const http::Request& request, const std::string& name) {
    for (const auto& [k, v] : request.headers) {
        if (util::to_lower(k) == util::to_lower(name)) {
            return v;
        }
    }
    return {};
}

Step serve_file(const http::Request& request, const std::string& content, const std::string& etag) {
    Step s;
    s.headers = {{"etag", etag}};
    const std::string range = header_of(request, "range");
    const std::string if_range = header_of(request, "if-range");
    if (range.empty() || (!if_range.empty() && if_range != etag)) {
        s.body = content;
        return s;
    }
    std::string_view spec = std::string_view(range).substr(6);  // "bytes="
    const std::size_t dash = spec.find('-');
    const std::uint64_t from = util::parse_u64(spec.substr(0, dash)).value_or(0);
    std::uint64_t to = content.size();
    if (dash + 1 < spec.size()) {
        to = std::min<std::uint64_t>(to, util::parse_u64(spec.substr(dash + 1)).value_or(0) + 1);
    }
    if (from >= content.size()) {
        s.status = 416;
        s.headers.emplace_back("content-range", "bytes */" + std::to_string(content.size()));
        return s;
    }
    s.status = 206;
    s.headers.emplace_back("content-range", "bytes " + std::to_string(from) + "-" +
                                                std::to_string(to - 1) + "/" +
                                                std::to_string(content.size()));
    s.body = content.substr(from, to - from);
    return s;
}

void ScriptedClient::then(Step step, std::string url_part) {
    std::lock_guard<std::mutex> lock(m_mutex);
    m_queue.emplace_back(std::move(url_part), std::move(step));
}

void ScriptedClient::serve(std::function<Step(const http::Request&)> server) {
    std::lock_guard<std::mutex> lock(m_mutex);
    m_server = std::move(server);
}

http::SendResult ScriptedClient::send(const http::Request& request, http::BodySink& sink) {
    Step step;
    {
        std::lock_guard<std::mutex> lock(m_mutex);
        m_requests.push_back(request);
        auto it = std::find_if(m_queue.begin(), m_queue.end(), [&](const auto& q) {
            return request.url.find(q.first) != std::string::npos;
        });
        if (it != m_queue.end()) {
            step = std::move(it->second);
            m_queue.erase(it);
        } else if (m_server) {
            step = m_server(request);
        } else {
            step.status = 404;
        }
    }
    http::TransportError e;
    if (step.error) {
        e.kind = *step.error;
        e.message = "scripted failure";
        return util::unexpected(e);
    }
    http::ResponseHead head;
    head.status = step.status;
    head.url = request.url;
    for (const auto& [k, v] : step.headers) {
        head.headers.add(k, v);
    }
    e.status = step.status;
    if (!sink.on_head(head)) {
        e.kind = http::TransportError::Kind::aborted;
        e.message = "the sink stopped";
        return util::unexpected(e);
    }
    std::size_t n = std::min(step.body.size(), step.cut_after.value_or(step.body.size()));
    if (request.method != http::Method::head && n > 0) {
        {
            std::lock_guard<std::mutex> lock(m_mutex);
            m_body_bytes += n;
        }
        if (!sink.on_data(step.body.data(), n)) {
            e.kind = http::TransportError::Kind::aborted;
            e.message = "the sink stopped";
            e.body_bytes = n;
            return util::unexpected(e);
        }
    }
    if (step.cut_after && *step.cut_after < step.body.size()) {
        e.kind = http::TransportError::Kind::partial;
        e.message = "connection reset";
        e.body_bytes = n;
        return util::unexpected(e);
    }
    return http::Response{step.status, head.headers, request.url, n};
}

std::vector<http::Request> ScriptedClient::requests() const {
    std::lock_guard<std::mutex> lock(m_mutex);
    return m_requests;
}

std::size_t ScriptedClient::count(const std::string& url_part) const {
    std::lock_guard<std::mutex> lock(m_mutex);
    return static_cast<std::size_t>(std::count_if(
        m_requests.begin(), m_requests.end(),
        [&](const http::Request& r) { return r.url.find(url_part) != std::string::npos; }));
}

std::size_t ScriptedClient::body_bytes_sent() const {
    std::lock_guard<std::mutex> lock(m_mutex);
    return m_body_bytes;
}

}  // namespace tl::test
