#include "tl/oci/registry.hpp"

#include <nlohmann/json.hpp>

#include "tl/github/release.hpp"
#include "tl/http/url.hpp"
#include "tl/util/json.hpp"
#include "tl/util/sha256.hpp"
#include "tl/util/strings.hpp"

namespace tl::oci {

using nlohmann::json;

namespace {

constexpr std::size_t k_manifest_limit = 4u << 20;
constexpr int k_max_tag_pages = 1000;

// Forwards a response to `inner` unless it is a 401 (answered by
// authenticating and sending again); keeps the start of any error body.
class AuthSink : public http::BodySink {
public:
    explicit AuthSink(http::BodySink& inner) : m_inner(inner) {}
    bool on_head(const http::ResponseHead& head) override {
        m_status = head.status;
        hint.clear();
        if (m_status == 401) {
            return true;
        }
        return m_inner.on_head(head);
    }
    bool on_data(const char* data, std::size_t size) override {
        if (m_status >= 300 && hint.size() < 2048) {
            hint.append(data, std::min<std::size_t>(size, 2048 - hint.size()));
        }
        if (m_status == 401) {
            return true;
        }
        return m_inner.on_data(data, size);
    }
    std::string hint;

private:
    http::BodySink& m_inner;
    int m_status = 0;
};

// Discards a body.
class NullSink : public http::BodySink {
public:
    bool on_head(const http::ResponseHead&) override { return true; }
    bool on_data(const char*, std::size_t) override { return true; }
};

// The registry's own words from an error body ({"errors":[{"code","message"}]}).
std::string registry_errors(const std::string& body) {
    json j = util::parse_json_or_discarded(body);
    if (!j.is_object() || !j.contains("errors") || !j["errors"].is_array()) {
        return {};
    }
    std::vector<std::string> parts;
    for (const auto& e : j["errors"]) {
        if (e.is_object()) {
            std::string code = e.value("code", "");
            std::string message = e.value("message", "");
            parts.push_back(code.empty() ? message : code + ": " + message);
        }
    }
    return util::join(parts, "; ");
}

}  // namespace

http::SendResult SerialClient::send(const http::Request& request, http::BodySink& sink) {
    std::lock_guard lock(m_mutex);
    return m_inner.send(request, sink);
}

Registry::Registry(http::Client& client, Reference ref, const http::NetSettings& options,
                   util::Console& console)
    : m_client(client),
      m_ref(std::move(ref)),
      m_endpoint(m_client, options, console),
      m_auth(m_client, m_ref, options, console) {}

std::string Registry::url(const std::string& path) const {
    return m_ref.base_url + "/v2/" + m_ref.repository + path;
}

http::RedirectPolicy Registry::redirects(Access access) {
    http::RedirectPolicy p = m_endpoint.redirects();
    p.credential = m_auth.credential(access);
    return p;
}

Result<http::Response> Registry::send(const Exchange& ex, http::BodySink& sink, Access access) {
    for (int round = 0;; ++round) {
        AuthSink guard(sink);
        http::Exchange rs;
        rs.what = ex.what;
        rs.request = [&] { return ex.request; };
        rs.sink = &guard;
        rs.accept = [&](const http::Response& r) { return r.status == 401 || ex.accept(r.status); };
        rs.advice = [&](int status, const http::RetryDecision&) {
            std::string words = registry_errors(guard.hint);
            if (status == 403) {
                return (words.empty() ? std::string() : words + "; ") + "the credentials for \"" +
                       m_ref.host + "\" lack " + (access == Access::push ? "push" : "pull") +
                       " permission on " + util::quoted(m_ref.display());
            }
            return words;
        };
        auto r = m_endpoint.send(rs, redirects(access));
        if (!r || r->status != 401) {
            return r;
        }
        // A second 401 after fresh credentials: they were refused.
        if (round > 0) {
            return m_auth.refused();
        }
        auto challenge = r->headers.get("www-authenticate");
        if (!challenge) {
            return fail(ErrorKind::network, ex.what +
                                                " failed: HTTP 401 without a "
                                                "WWW-Authenticate challenge");
        }
        TL_TRY_ASSIGN(a, m_auth.answer(*challenge, access))
    }
}

Result<void> Registry::ping() {
    NullSink discard;
    Exchange ex;
    ex.what = "registry check " + util::quoted(m_ref.base_url + "/v2/");
    ex.request.url = m_ref.base_url + "/v2/";
    ex.request.timeouts = m_endpoint.settings().timeouts;
    ex.accept = [](int s) { return s < 500 && s != 408 && s != 429; };
    TL_TRY_ASSIGN(r, send(ex, discard, Access::pull))
    if (r->status != 200) {
        return fail(ErrorKind::usage, util::quoted(m_ref.display()) + " is not an OCI registry: " +
                                          util::quoted(m_ref.base_url + "/v2/") + " answers HTTP " +
                                          std::to_string(r->status) +
                                          " (check the host and port in the oci:// URL)");
    }
    return {};
}

Result<std::optional<FetchedManifest>> Registry::get_manifest(const std::string& reference,
                                                              Access access) {
    http::StringSink sink(k_manifest_limit);
    Exchange ex;
    ex.what = "manifest request " + util::quoted(m_ref.display() + ":" + reference);
    ex.request.url = url("/manifests/" + reference);
    ex.request.headers = {
        {"Accept", std::string(k_index_media_type) + ", " + std::string(k_manifest_media_type)}};
    ex.request.timeouts = m_endpoint.settings().document_timeouts();
    ex.accept = [](int s) { return s == 200 || s == 404; };
    TL_TRY_ASSIGN(r, send(ex, sink, access))
    if (r->status == 404) {
        return std::optional<FetchedManifest>{};
    }
    if (sink.overflowed) {
        return fail(ErrorKind::integrity, ex.what + ": the manifest is larger than " +
                                              util::human_bytes(k_manifest_limit));
    }
    FetchedManifest m;
    m.body = std::move(sink.body);
    m.digest = "sha256:" + util::sha256_hex(m.body);
    std::string type = r->headers.get("content-type").value_or("");
    m.media_type = std::string(util::trim(type.substr(0, type.find(';'))));
    if (util::starts_with(reference, "sha256:") && m.digest != reference) {
        return fail(ErrorKind::integrity, ex.what +
                                              ": the registry sent a manifest whose digest "
                                              "is " +
                                              m.digest + ", not the one asked for");
    }
    if (m.media_type.empty() || m.media_type == "application/json") {
        json j = util::parse_json_or_discarded(m.body);
        if (j.is_object()) {
            m.media_type = j.value("mediaType", "");
        }
    }
    return std::optional<FetchedManifest>(std::move(m));
}

Result<std::optional<std::vector<Manifest>>> Registry::release_manifests(const std::string& tag,
                                                                         Access access) {
    TL_TRY_ASSIGN(top, get_manifest(tag, access))
    if (!*top) {
        return std::optional<std::vector<Manifest>>{};
    }
    std::vector<std::string> bodies;
    if ((*top)->media_type != k_index_media_type) {
        bodies.push_back(std::move((*top)->body));
    } else {
        TL_TRY_ASSIGN(index, parse_index((*top)->body))
        const bool pull = access == Access::pull;
        const std::string where = m_ref.display() + ":" + tag + " lists manifest ";
        for (const auto& d : index->manifests) {
            if (pull && d.media_type != k_manifest_media_type) {
                continue;
            }
            TL_TRY_ASSIGN(m, get_manifest(d.digest, access))
            if (pull && !*m) {
                return fail(ErrorKind::integrity,
                            where + d.digest + ", which the registry does not have");
            }
            if (pull && (*m)->body.size() != d.size) {
                return fail(ErrorKind::integrity,
                            where + d.digest + " with " + std::to_string(d.size) +
                                " bytes, but it has " + std::to_string((*m)->body.size()));
            }
            if (*m) {
                bodies.push_back(std::move((*m)->body));
            }
        }
    }
    std::vector<Manifest> out;
    for (const auto& body : bodies) {
        TL_TRY_ASSIGN(m, parse_manifest(body))
        out.push_back(std::move(*m));
    }
    return std::optional(std::move(out));
}

Result<void> Registry::put_manifest(const std::string& reference, const std::string& media_type,
                                    const std::string& body) {
    NullSink discard;
    Exchange ex;
    ex.what = "manifest upload " + util::quoted(m_ref.display() + ":" + reference);
    ex.request.method = http::Method::put;
    ex.request.url = url("/manifests/" + reference);
    ex.request.headers = {{"Content-Type", media_type}};
    ex.request.body = body;
    ex.request.timeouts = m_endpoint.settings().timeouts;
    ex.accept = [](int s) { return s == 200 || s == 201 || s == 202 || s == 204; };
    TL_TRY_ASSIGN(r, send(ex, discard, Access::push))
    // A registry that stores other bytes than those sent would break every
    // digest that refers to this manifest.
    std::string want = "sha256:" + util::sha256_hex(body);
    if (auto got = r->headers.get("docker-content-digest"); got && *got != want) {
        return fail(ErrorKind::integrity, ex.what + ": the registry stored it as " + *got +
                                              ", not as the pushed " + want);
    }
    return {};
}

Result<std::vector<std::string>> Registry::tags() {
    std::vector<std::string> out;
    std::string next = url("/tags/list?n=1000");
    for (int page = 0; page < k_max_tag_pages && !next.empty(); ++page) {
        http::StringSink sink(k_manifest_limit);
        Exchange ex;
        ex.what = "tag list request " + util::quoted(m_ref.display());
        ex.request.url = next;
        ex.request.timeouts = m_endpoint.settings().document_timeouts();
        ex.accept = [](int s) { return s == 200 || s == 404; };
        TL_TRY_ASSIGN(r, send(ex, sink, Access::pull))
        if (r->status == 404) {
            return out;
        }
        json j = util::parse_json_or_discarded(sink.body);
        if (!j.is_object()) {
            return fail(ErrorKind::network, ex.what + ": the answer is not JSON");
        }
        if (j.contains("tags") && j["tags"].is_array()) {
            for (const auto& t : j["tags"]) {
                if (t.is_string()) {
                    out.push_back(t.get<std::string>());
                }
            }
        }
        next.clear();
        if (auto link = r->headers.get("link")) {
            auto rels = github::parse_link_header(*link);
            if (auto it = rels.find("next"); it != rels.end()) {
                next = http::resolve_location(ex.request.url, it->second);
            }
        }
    }
    return out;
}

Result<bool> Registry::has_blob(const std::string& digest) {
    NullSink discard;
    Exchange ex;
    ex.what = "blob check " + util::quoted(m_ref.display() + "@" + digest);
    ex.request.method = http::Method::head;
    ex.request.url = url("/blobs/" + digest);
    ex.request.timeouts = m_endpoint.settings().timeouts;
    ex.accept = [](int s) { return s == 200 || s == 404; };
    TL_TRY_ASSIGN(r, send(ex, discard, Access::push))
    return r->status == 200;
}

Result<bool> Registry::push_blob(const std::string& digest,
                                 const std::function<void(http::Request&)>& set_body) {
    TL_TRY_ASSIGN(have, has_blob(digest))
    if (*have) {
        return false;
    }
    NullSink discard;
    Exchange start;
    start.what = "blob upload " + util::quoted(m_ref.display() + "@" + digest);
    start.request.method = http::Method::post;
    start.request.url = url("/blobs/uploads/");
    start.request.timeouts = m_endpoint.settings().timeouts;
    start.accept = [](int s) { return s == 202; };
    TL_TRY_ASSIGN(r, send(start, discard, Access::push))
    auto location = r->headers.get("location");
    if (!location) {
        return fail(ErrorKind::network,
                    start.what + " failed: the registry started an upload without a Location");
    }
    // The monolithic upload: one PUT of the whole blob to the session's URL.
    std::string put_url =
        with_query(http::resolve_location(start.request.url, *location), {{"digest", digest}});
    Exchange put;
    put.what = start.what;
    put.request.method = http::Method::put;
    put.request.url = put_url;
    put.request.headers = {{"Content-Type", "application/octet-stream"}};
    put.request.timeouts = m_endpoint.settings().timeouts;
    set_body(put.request);
    put.accept = [](int s) { return s == 201 || s == 204; };
    TL_TRY_ASSIGN(done, send(put, discard, Access::push))
    ++m_uploads;
    return true;
}

Result<bool> Registry::upload_blob(const std::string& digest, const std::filesystem::path& file) {
    return push_blob(digest, [&](http::Request& r) { r.body_file = file; });
}

Result<bool> Registry::upload_small_blob(const std::string& digest, const std::string& content) {
    return push_blob(digest, [&](http::Request& r) { r.body = content; });
}

Result<std::string> Registry::get_small_blob(const std::string& digest, std::size_t limit) {
    http::StringSink sink(limit);
    Exchange ex;
    ex.what = "blob request " + util::quoted(m_ref.display() + "@" + digest);
    ex.request.url = url("/blobs/" + digest);
    ex.request.timeouts = m_endpoint.settings().document_timeouts();
    ex.accept = [](int s) { return s == 200; };
    TL_TRY_ASSIGN(r, send(ex, sink, Access::pull))
    if (sink.overflowed) {
        return fail(ErrorKind::integrity,
                    ex.what + ": larger than " + util::human_bytes(limit) + ", refused");
    }
    if ("sha256:" + util::sha256_hex(sink.body) != digest) {
        return fail(ErrorKind::integrity, ex.what +
                                              ": the bytes the registry sent do not hash "
                                              "to their digest");
    }
    return std::move(sink.body);
}

http::SendResult Registry::get_blob(const std::string& digest, http::BodySink& sink,
                                    const source::Headers& extra) {
    // One attempt, as Source::fetch promises: the downloader owns the retry
    // loop for streamed downloads (it resumes with Range between attempts).
    // Only the authentication handshake is done here.
    http::Request req;
    req.url = url("/blobs/" + digest);
    req.headers = extra;
    req.timeouts = m_endpoint.settings().timeouts;
    for (int round = 0;; ++round) {
        AuthSink guard(sink);
        http::SendResult r =
            http::send_following_redirects(m_client, req, guard, redirects(Access::pull));
        if (!r || r->status != 401) {
            return r;
        }
        Result<void> a = round == 0 ? m_auth.answer(r->headers.get("www-authenticate").value_or(""),
                                                    Access::pull)
                                    : Result<void>(m_auth.refused());
        if (!a) {
            // Refused or missing credentials are not worth another attempt.
            http::TransportError e;
            e.kind = http::TransportError::Kind::aborted;
            e.status = 401;
            e.message = a.error().message;
            return util::unexpected(e);
        }
    }
}

}  // namespace tl::oci