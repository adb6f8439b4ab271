#include "tl/github/checks.hpp"
#include "tl/source/source.hpp"
#include "tl/util/redact.hpp"
#include "tl/util/strings.hpp"

namespace tl::source {

const char* const k_source_forms =
    "github, github:OWNER/NAME, https://HOST/PATH/ (a static mirror), http://127.0.0.1:PORT/ "
    "(plain HTTP: loopback, or any host with --allow-http), file:///DIR or /DIR (a mirror "
    "directory), oci://HOST/REPO";

Result<std::unique_ptr<Source>> make_source(const std::string& spec, http::Client& client,
                                            const github::ApiConfig& github,
                                            const SourceOptions& options, util::Console& console) {
    std::string s(util::trim(spec));
    if (s == "github") {
        return make_github_source(client, github, console);
    }
    if (util::starts_with(s, "github:")) {
        github::ApiConfig c = github;
        c.repo = s.substr(7);
        std::size_t slash = c.repo.find('/');
        if (slash == std::string::npos || slash == 0 || slash + 1 == c.repo.size() ||
            c.repo.find('/', slash + 1) != std::string::npos) {
            return fail(ErrorKind::usage,
                        "source " + util::quoted(s) + " must look like github:OWNER/NAME");
        }
        if (auto ok = github::check_repo_name(c.repo); !ok) {
            return fail(ErrorKind::usage, "source " + util::quoted(s) + ": " + ok.error().message);
        }
        return make_github_source(client, std::move(c), console);
    }
    if (util::starts_with(s, "https://") || util::starts_with(s, "http://")) {
        if (auto refused = http::check_url_allowed(s, options.plain_http)) {
            return fail(ErrorKind::usage,
                        "source " + util::quoted(util::redact_url(s)) + ": " + *refused);
        }
        return make_mirror_source(client, s, options, console);
    }
    if (util::starts_with(s, "file://") || util::starts_with(s, "/")) {
        std::string dir = util::starts_with(s, "file://") ? s.substr(7) : s;
        if (!util::starts_with(dir, "/")) {
            return fail(ErrorKind::usage, "source " + util::quoted(s) +
                                              " must name an absolute directory (file:///DIR)");
        }
        return make_mirror_source(client, "file://" + dir, options, console);
    }
    if (util::starts_with(s, "oci://")) {
        // A malformed reference throws tl::Error (usage) from the registry client.
        try {
            return make_oci_source(client, s, options, console);
        } catch (const Error& e) {
            return fail(e.kind(), e.what());
        }
    }
    return fail(ErrorKind::usage, "unknown source " + util::quoted(util::redact_url(s)) +
                                      "; use one of: " + k_source_forms);
}

}  // namespace tl::source
