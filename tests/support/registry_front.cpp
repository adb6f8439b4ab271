#include "support/registry_front.hpp"

#include <signal.h>

#include <algorithm>
#include <mutex>
#include <set>
#include <stdexcept>
#include <thread>

#include <httplib.h>

#include "tl/util/base64.hpp"
#include "tl/util/sha256.hpp"

namespace tl::testing {

namespace {

struct Listener {
    std::unique_ptr<httplib::Server> server;
    std::thread thread;
    int port = 0;
};

struct StoredManifest {
    std::string media_type;
    std::string body;
};

}  // namespace

std::string base64_credentials(const std::string& in) {
    return util::base64_encode(in);
}

struct RegistryFront::Impl {
    FrontOptions options;
    Listener registry, token, storage;
    mutable std::mutex mutex;
    std::vector<FrontRequest> requests;
    std::map<std::string, std::string> blobs;  // digest -> bytes
    // repository -> reference (tag or digest) -> manifest
    std::map<std::string, std::map<std::string, StoredManifest>> manifests;
    std::map<std::string, std::string> token_scopes;  // token -> scope
    std::map<std::string, int> token_used;            // token -> requests made with it
    int next_id = 0;

    void record(FrontServer which, const httplib::Request& req) {
        std::lock_guard lock(mutex);
        std::string path = req.path;
        if (!req.params.empty()) {
            std::string q;
            for (const auto& [k, v] : req.params) {
                q += (q.empty() ? "?" : "&") + k + "=" + v;
            }
            path += q;
        }
        requests.push_back({which, req.method, path, req.get_header_value("Authorization")});
    }

    // Whether the request may go on; answers 401 with a challenge otherwise.
    bool authorized(const httplib::Request& req, httplib::Response& res, const std::string& name) {
        if (!options.bearer) {
            return true;
        }
        bool write = req.method == "POST" || req.method == "PUT" || req.method == "DELETE";
        std::string want = "repository:" + name + (write ? ":pull,push" : ":pull");
        std::string auth = req.get_header_value("Authorization");
        {
            std::lock_guard lock(mutex);
            if (auth.rfind("Bearer ", 0) == 0) {
                auto it = token_scopes.find(auth.substr(7));
                bool expired = it != token_scopes.end() && options.token_uses > 0 &&
                               ++token_used[it->first] > options.token_uses;
                // Any valid token may ping /v2/, as on real registries.
                if (it != token_scopes.end() && !expired && name.empty()) {
                    return true;
                }
                if (it != token_scopes.end() && !expired &&
                    (it->second == want || it->second == "repository:" + name + ":pull,push")) {
                    return true;
                }
            }
        }
        res.status = 401;
        res.set_header("WWW-Authenticate",
                       "Bearer realm=\"http://127.0.0.1:" + std::to_string(token.port) +
                           "/token\",service=\"front\",scope=\"" + want + "\"");
        res.set_content(
            R"({"errors":[{"code":"UNAUTHORIZED","message":"authentication required"}]})",
            "application/json");
        return false;
    }

    void routes() {
        auto& r = *registry.server;
        r.Get("/v2/", [this](const httplib::Request& req, httplib::Response& res) {
            record(FrontServer::registry, req);
            if (authorized(req, res, "")) {
                res.set_content("{}", "application/json");
            }
        });
        r.Get(R"(/v2/(.+)/manifests/([^/]+))", [this](const httplib::Request& req,
                                                      httplib::Response& res) {
            record(FrontServer::registry, req);
            std::string name = req.matches[1];
            if (!authorized(req, res, name)) {
                return;
            }
            std::lock_guard lock(mutex);
            auto& repo = manifests[name];
            auto it = repo.find(req.matches[2]);
            if (it == repo.end()) {
                res.status = 404;
                res.set_content(R"({"errors":[{"code":"MANIFEST_UNKNOWN"}]})", "application/json");
                return;
            }
            res.set_header("Docker-Content-Digest", "sha256:" + util::sha256_hex(it->second.body));
            res.set_content(it->second.body, it->second.media_type.c_str());
        });
        r.Put(R"(/v2/(.+)/manifests/([^/]+))",
              [this](const httplib::Request& req, httplib::Response& res) {
                  record(FrontServer::registry, req);
                  std::string name = req.matches[1];
                  if (!authorized(req, res, name)) {
                      return;
                  }
                  std::string digest = "sha256:" + util::sha256_hex(req.body);
                  StoredManifest m{req.get_header_value("Content-Type"), req.body};
                  std::lock_guard lock(mutex);
                  manifests[name][req.matches[2]] = m;
                  manifests[name][digest] = m;
                  res.status = 201;
                  res.set_header("Docker-Content-Digest", digest);
              });
        r.Post(R"(/v2/(.+)/blobs/uploads/)",
               [this](const httplib::Request& req, httplib::Response& res) {
                   record(FrontServer::registry, req);
                   std::string name = req.matches[1];
                   if (!authorized(req, res, name)) {
                       return;
                   }
                   std::lock_guard lock(mutex);
                   res.status = 202;
                   res.set_header("Location", "/v2/" + name + "/blobs/uploads/u" +
                                                  std::to_string(++next_id) + "?state=x");
               });
        r.Put(R"(/v2/(.+)/blobs/uploads/([^/]+))", [this](const httplib::Request& req,
                                                          httplib::Response& res) {
            record(FrontServer::registry, req);
            std::string name = req.matches[1];
            if (!authorized(req, res, name)) {
                return;
            }
            std::string digest = req.get_param_value("digest");
            if (digest != "sha256:" + util::sha256_hex(req.body)) {
                res.status = 400;
                res.set_content(R"({"errors":[{"code":"DIGEST_INVALID"}]})", "application/json");
                return;
            }
            std::lock_guard lock(mutex);
            blobs[digest] = req.body;
            res.status = 201;
            res.set_header("Docker-Content-Digest", digest);
        });
        r.Get(R"(/v2/(.+)/blobs/(sha256:[0-9a-f]{64}))", [this](const httplib::Request& req,
                                                                httplib::Response& res) {
            record(FrontServer::registry, req);
            std::string name = req.matches[1];
            if (!authorized(req, res, name)) {
                return;
            }
            std::string digest = req.matches[2];
            std::lock_guard lock(mutex);
            auto it = blobs.find(digest);
            if (it == blobs.end()) {
                res.status = 404;
                return;
            }
            if (options.redirect_blobs) {
                res.status = 307;
                res.set_header("Location", "http://localhost:" + std::to_string(storage.port) +
                                               "/blobs/" + digest + "?sig=s3cr3t-signature");
                return;
            }
            res.set_content(it->second, "application/octet-stream");
        });
        r.Get(R"(/v2/(.+)/tags/list)", [this](const httplib::Request& req, httplib::Response& res) {
            record(FrontServer::registry, req);
            std::string name = req.matches[1];
            if (!authorized(req, res, name)) {
                return;
            }
            std::lock_guard lock(mutex);
            if (!manifests.count(name)) {
                res.status = 404;
                res.set_content(R"({"errors":[{"code":"NAME_UNKNOWN"}]})", "application/json");
                return;
            }
            std::vector<std::string> tags;
            for (const auto& [ref, m] : manifests[name]) {
                if (ref.rfind("sha256:", 0) != 0) {
                    tags.push_back(ref);
                }
            }
            std::sort(tags.begin(), tags.end());
            std::size_t n = options.tags_per_page > 0
                                ? static_cast<std::size_t>(options.tags_per_page)
                                : tags.size();
            std::string last = req.get_param_value("last");
            auto from =
                last.empty() ? tags.begin() : std::upper_bound(tags.begin(), tags.end(), last);
            std::string body = "{\"name\":\"" + name + "\",\"tags\":[";
            std::size_t count = 0;
            for (auto it = from; it != tags.end() && count < n; ++it, ++count) {
                body += (count ? ",\"" : "\"") + *it + "\"";
            }
            body += "]}";
            if (from + static_cast<std::ptrdiff_t>(count) != tags.end()) {
                res.set_header("Link", "</v2/" + name + "/tags/list?last=" +
                                           *(from + static_cast<std::ptrdiff_t>(count) - 1) +
                                           "&n=" + std::to_string(n) + ">; rel=\"next\"");
            }
            res.set_content(body, "application/json");
        });

        token.server->Get("/token", [this](const httplib::Request& req, httplib::Response& res) {
            record(FrontServer::token, req);
            if (!options.token_basic.empty() &&
                req.get_header_value("Authorization") !=
                    "Basic " + base64_credentials(options.token_basic)) {
                res.status = 401;
                res.set_content(R"({"details":"bad credentials"})", "application/json");
                return;
            }
            std::lock_guard lock(mutex);
            std::string tok = "front-token-" + std::to_string(++next_id);
            token_scopes[tok] = req.get_param_value("scope");
            res.set_content("{\"token\":\"" + tok + "\",\"expires_in\":300}", "application/json");
        });
        storage.server->Get(R"(/blobs/(sha256:[0-9a-f]{64}))",
                            [this](const httplib::Request& req, httplib::Response& res) {
                                record(FrontServer::storage, req);
                                std::lock_guard lock(mutex);
                                auto it = blobs.find(req.matches[1]);
                                if (it == blobs.end()) {
                                    res.status = 404;
                                    return;
                                }
                                res.set_content(it->second, "application/octet-stream");
                            });
    }

    void start(Listener& l) {
        l.port = l.server->bind_to_any_port("127.0.0.1");
        if (l.port <= 0) {
            throw std::runtime_error("registry front: cannot listen on 127.0.0.1");
        }
        httplib::Server* s = l.server.get();
        l.thread = std::thread([s] { s->listen_after_bind(); });
        while (!s->is_running()) {
            std::this_thread::sleep_for(std::chrono::milliseconds(1));
        }
    }
};

RegistryFront::RegistryFront(FrontOptions options) : m_impl(std::make_unique<Impl>()) {
    ::signal(SIGPIPE, SIG_IGN);
    m_impl->options = std::move(options);
    for (Listener* l : {&m_impl->registry, &m_impl->token, &m_impl->storage}) {
        l->server = std::make_unique<httplib::Server>();
    }
    m_impl->routes();
    for (Listener* l : {&m_impl->registry, &m_impl->token, &m_impl->storage}) {
        m_impl->start(*l);
    }
}

RegistryFront::~RegistryFront() {
    for (Listener* l : {&m_impl->registry, &m_impl->token, &m_impl->storage}) {
        l->server->stop();
        if (l->thread.joinable()) {
            l->thread.join();
        }
    }
}

std::string RegistryFront::host() const {
    return "127.0.0.1:" + std::to_string(m_impl->registry.port);
}

std::string RegistryFront::token_host() const {
    return "127.0.0.1:" + std::to_string(m_impl->token.port);
}

std::string RegistryFront::url(const std::string& repository) const {
    return "oci://" + host() + "/" + repository;
}

void RegistryFront::add_manifest(const std::string& repository, const std::string& tag,
                                 const std::string& media_type, const std::string& body) {
    std::lock_guard lock(m_impl->mutex);
    m_impl->manifests[repository][tag] = {media_type, body};
    m_impl->manifests[repository]["sha256:" + util::sha256_hex(body)] = {media_type, body};
}

void RegistryFront::set_token_uses(int uses) {
    std::lock_guard lock(m_impl->mutex);
    m_impl->options.token_uses = uses;
}

std::vector<FrontRequest> RegistryFront::requests() const {
    std::lock_guard lock(m_impl->mutex);
    return m_impl->requests;
}

std::vector<std::string> RegistryFront::tokens() const {
    std::lock_guard lock(m_impl->mutex);
    std::vector<std::string> out;
    for (const auto& [t, s] : m_impl->token_scopes) {
        out.push_back(t);
    }
    return out;
}

}  // namespace tl::testing
