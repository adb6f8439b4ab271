#include "tl/cli/remotes.hpp"

#include <filesystem>
#include <string_view>

#include "tl/github/checks.hpp"
#include "tl/http/redirect.hpp"
#include "tl/oci/oci_destination.hpp"
#include "tl/oci/oci_source.hpp"
#include "tl/util/redact.hpp"
#include "tl/util/strings.hpp"

namespace tl::cli {

const char* const k_source_forms =
    "github, github:OWNER/NAME, https://HOST/PATH/ (a static mirror), http://127.0.0.1:PORT/ "
    "(plain HTTP: loopback, or any host with --allow-http), file:///DIR or /DIR (a mirror "
    "directory), oci://HOST/REPO";

namespace {

// What a factory is given besides the spec.
struct Args {
    http::Client& client;
    const github::ApiConfig* github;  // sources only
    const http::NetSettings& options;
    util::Console& console;
};

// One accepted form: specs that start with `prefix` (or are exactly it, when
// `whole`) are made by `make`.
template <typename T>
struct Scheme {
    std::string_view prefix;
    bool whole;
    std::unique_ptr<T> (*make)(const std::string& spec, const Args& args);
};

// What the first scheme of `table` that takes `spec` makes; null when none does.
template <typename T, std::size_t N>
std::unique_ptr<T> make_remote(const Scheme<T> (&table)[N], const std::string& spec,
                               const Args& args) {
    for (const auto& s : table) {
        if (s.whole ? spec == s.prefix : util::starts_with(spec, s.prefix)) {
            return s.make(spec, args);
        }
    }
    return nullptr;
}

std::unique_ptr<source::Source> github_source(const std::string& s, const Args& a) {
    if (s == "github") {
        return source::make_github_source(a.client, *a.github, a.console);
    }
    github::ApiConfig c = *a.github;
    c.repo = s.substr(7);
    std::size_t slash = c.repo.find('/');
    if (slash == std::string::npos || slash == 0 || slash + 1 == c.repo.size() ||
        c.repo.find('/', slash + 1) != std::string::npos) {
        throw Error(ErrorKind::usage,
                    "source " + util::quoted(s) + " must look like github:OWNER/NAME");
    }
    if (auto ok = github::check_repo_name(c.repo); !ok) {
        throw Error(ErrorKind::usage, "source " + util::quoted(s) + ": " + ok.error().message);
    }
    return source::make_github_source(a.client, std::move(c), a.console);
}

std::unique_ptr<source::Source> web_mirror_source(const std::string& s, const Args& a) {
    if (auto refused = http::check_url_allowed(s, a.options.plain_http)) {
        throw Error(ErrorKind::usage,
                    "source " + util::quoted(util::redact_url(s)) + ": " + *refused);
    }
    return source::make_mirror_source(a.client, s, a.options, a.console);
}

std::unique_ptr<source::Source> disk_mirror_source(const std::string& s, const Args& a) {
    std::string dir = util::starts_with(s, "file://") ? s.substr(7) : s;
    if (!util::starts_with(dir, "/")) {
        throw Error(ErrorKind::usage,
                    "source " + util::quoted(s) + " must name an absolute directory (file:///DIR)");
    }
    return source::make_mirror_source(a.client, "file://" + dir, a.options, a.console);
}

std::unique_ptr<source::Source> oci_source(const std::string& s, const Args& a) {
    return oci::make_oci_source(a.client, s, a.options, a.console);
}

const Scheme<source::Source> k_source_schemes[] = {
    {"github", true, github_source},        {"github:", false, github_source},
    {"https://", false, web_mirror_source}, {"http://", false, web_mirror_source},
    {"file://", false, disk_mirror_source}, {"/", false, disk_mirror_source},
    {"oci://", false, oci_source},
};

std::unique_ptr<mirror::Destination> directory_destination(const std::string& s, const Args&) {
    std::string dir = util::starts_with(s, "file://") ? s.substr(7) : s;
    if (dir.empty()) {
        throw Error(ErrorKind::usage, "--to needs a directory, e.g. --to /srv/temporal-libs");
    }
    std::error_code ec;
    return mirror::make_directory_destination(std::filesystem::absolute(dir, ec));
}

std::unique_ptr<mirror::Destination> oci_destination(const std::string& s, const Args& a) {
    return oci::make_oci_destination(a.client, s, a.options, a.console);
}

const Scheme<mirror::Destination> k_destination_schemes[] = {
    {"file://", false, directory_destination},
    {"oci://", false, oci_destination},
};

}  // namespace

std::unique_ptr<source::Source> make_source(const std::string& spec, http::Client& client,
                                            const github::ApiConfig& github,
                                            const http::NetSettings& options,
                                            util::Console& console) {
    std::string s(util::trim(spec));
    if (auto made = make_remote(k_source_schemes, s, {client, &github, options, console})) {
        return made;
    }
    throw Error(ErrorKind::usage, "unknown source " + util::quoted(util::redact_url(s)) +
                                      "; use one of: " + k_source_forms);
}

std::unique_ptr<mirror::Destination> make_destination(const std::string& spec, http::Client& client,
                                                      const http::NetSettings& options,
                                                      util::Console& console) {
    std::string s(util::trim(spec));
    Args args{client, nullptr, options, console};
    if (auto made = make_remote(k_destination_schemes, s, args)) {
        return made;
    }
    if (s.find("://") != std::string::npos) {
        throw Error(ErrorKind::usage,
                    "cannot mirror to " + util::quoted(util::redact_url(s)) +
                        ": --to takes a directory (/srv/tl, file:///srv/tl) or an OCI "
                        "repository (oci://HOST/REPO)");
    }
    return directory_destination(s, args);
}

}  // namespace tl::cli
