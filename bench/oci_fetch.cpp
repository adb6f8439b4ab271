// oci-fetch: installs one release entry from an OCI repository into a cache
// with the tool's own installer (the same resolve, download, verify, extract
// and checks as `temporal-libs download`), for bench/registry_bench.sh until
// the command line takes --source oci://….
//   oci-fetch oci://127.0.0.1:5000/team/temporal-libs TAG PLATFORM CACHE_DIR

#include <cstdio>
#include <iostream>

#include "tl/cache/cache.hpp"
#include "tl/http/client.hpp"
#include "tl/install/installer.hpp"
#include "tl/platform/platform.hpp"
#include "tl/release/contract.hpp"
#include "tl/source/source.hpp"

int main(int argc, char** argv) {
    if (argc != 5) {
        std::cerr << "usage: oci-fetch oci://host/repo TAG PLATFORM CACHE_DIR\n";
        return 2;
    }
    try {
        tl::util::Console console(stderr);
        console.set_verbosity(tl::util::Verbosity::quiet);
        auto client = tl::http::make_curl_client({});
        auto source = tl::source::make_oci_source(*client, argv[1], {}, console);
        auto platform = tl::platform::parse_platform(argv[3]);
        if (!platform) {
            std::cerr << "oci-fetch: unknown platform " << argv[3] << "\n";
            return 2;
        }
        tl::cache::Cache cache(argv[4]);
        tl::install::Installer installer(
            cache, [&] { return source.get(); }, console);
        tl::install::InstallOptions options;
        options.version = argv[2];
        options.platform = *platform;
        options.libraries = tl::release::default_libraries();
        auto r = installer.install(options);
        if (!r) {
            std::cerr << "oci-fetch: " << r.error().message << "\n";
            return tl::exit_code(r.error().kind);
        }
        std::cout << r->dir.string() << "\n";
        return 0;
    } catch (const tl::Error& e) {
        std::cerr << "oci-fetch: " << e.what() << "\n";
        return tl::exit_code(e.kind());
    }
}
