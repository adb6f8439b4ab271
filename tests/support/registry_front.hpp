#pragma once

// A small in-memory OCI registry on 127.0.0.1 for what the real one cannot
// show: the bearer-token challenge flow with a token service on another port,
// blob downloads redirected to a storage host (another origin), and tag lists
// paginated with Link headers. Every request is recorded with its
// Authorization header, so tests can check where credentials went.

#include <map>
#include <memory>
#include <string>
#include <vector>

namespace tl::testing {

// Which of the fake's servers saw a request.
enum class FrontServer { registry, token, storage };

struct FrontRequest {
    FrontServer server = FrontServer::registry;
    std::string method;
    std::string path;  // with the query
    std::string authorization;
};

struct FrontOptions {
    // Registry requests need "Bearer <token>" from the token service.
    bool bearer = false;
    // When set, the token service wants these basic-auth credentials ("user:password").
    std::string token_basic;
    // Blob GETs answer 307 to the storage server on "localhost" (another origin).
    bool redirect_blobs = false;
    // Tags per page of the tag list (Link rel="next" to the following page).
    int tags_per_page = 0;
    // When non-zero, a token is refused (as expired) after this many requests
    // (see RegistryFront::set_token_uses).
    int token_uses = 0;
};

// Base64 of "user:password", as in a Basic Authorization header or a Docker config.
std::string base64_credentials(const std::string& user_colon_password);

class RegistryFront {
public:
    explicit RegistryFront(FrontOptions options);
    ~RegistryFront();
    RegistryFront(const RegistryFront&) = delete;
    RegistryFront& operator=(const RegistryFront&) = delete;

    // "127.0.0.1:PORT" of the registry.
    std::string host() const;
    // "127.0.0.1:PORT" of the token service.
    std::string token_host() const;
    // "oci://127.0.0.1:PORT/<repository>".
    std::string url(const std::string& repository) const;
    // Adds a tag directly (pointing at a manifest stored under that tag).
    void add_manifest(const std::string& repository, const std::string& tag,
                      const std::string& media_type, const std::string& body);
    std::vector<FrontRequest> requests() const;
    // From now on a token is refused (as expired) after `uses` requests; 0: never.
    void set_token_uses(int uses);
    // The bearer tokens the token service handed out.
    std::vector<std::string> tokens() const;

    struct Impl;

private:
    std::unique_ptr<Impl> m_impl;
};

}  // namespace tl::testing
