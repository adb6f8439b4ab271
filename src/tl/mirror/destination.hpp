#pragma once

// Where `temporal-libs mirror` copies a release to: a directory mirror (served
// by any web server or object store) or an OCI repository. The mirror command
// downloads and verifies every asset first, then hands each verified file to
// put(); put() may be called from several threads at once.

#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "tl/util/error.hpp"

namespace tl::mirror {

// One verified release asset on local disk.
struct MirroredAsset {
    std::string name;  // "temporal-static-libs-linux-x64-v1.0.2.tar.gz"
    std::uint64_t size = 0;
    std::string sha256;  // lower-case hex, already checked against the release's claims
    std::filesystem::path file;
};

class Destination {
public:
    virtual ~Destination() = default;
    // "dir:/srv/tl", "oci://127.0.0.1:5000/team/temporal-libs": for messages, no secrets.
    virtual std::string name() const = 0;
    // Assets of `tag` the destination already holds, name -> SHA-256, so that a
    // second run copies nothing new.
    virtual Result<std::map<std::string, std::string>> existing(const std::string& tag) = 0;
    // Stores one asset of `tag`. Thread-safe.
    virtual Result<void> put(const std::string& tag, const MirroredAsset& asset) = 0;
    // Called once after every asset of `tag` is stored (all of them, including
    // those that were already there): writes indexes or manifests.
    virtual Result<void> finish(const std::string& tag,
                                const std::vector<MirroredAsset>& assets) = 0;
};

// A directory mirror rooted at `root`: <root>/<tag>/<asset>, <root>/<tag>/index.json,
// <root>/index.json (see source/mirror_source.cpp for the layout).
std::unique_ptr<Destination> make_directory_destination(const std::filesystem::path& root);

}  // namespace tl::mirror
