#pragma once

// Publishing a directory of release assets (what `pack` wrote for each
// platform) as the GitHub release temporal-libs-<version>:
//   1. check the directory: every archive has its .sha256 and agrees with it;
//   2. find the release (drafts included) or create it as a draft;
//   3. decide per asset: upload, skip (same digest already there), re-upload
//      (a half-uploaded asset, state not "uploaded"), replace (different
//      content, only with Replace::yes; otherwise nothing is changed at all);
//   4. upload, read the release back and verify every asset's state, size and
//      digest;
//   5. publish the draft (unless Draft::keep).
// Running it again is a no-op: everything is skipped and nothing is written.

#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "tl/github/release.hpp"
#include "tl/github/writer.hpp"
#include "tl/util/console.hpp"
#include "tl/util/error.hpp"

namespace tl::publish {

namespace fs = std::filesystem;

// Whether an asset whose content differs from the local file may be overwritten.
enum class Replace { no, yes };
// Whether the release is published at the end or left a draft.
enum class Draft { publish, keep };
// Whether anything is written to GitHub.
enum class DryRun { no, yes };

// A file to publish.
struct LocalAsset {
    std::string name;
    fs::path path;
    std::uint64_t size = 0;
    std::string sha256;
};

// Reads the assets in `dir` (regular files, not hidden, sorted). Fails with
// not_found when there is no archive of `tag`, usage for a file of another
// version or a name GitHub would change, integrity for an archive without a
// .sha256 file or one that disagrees with it.
Result<std::vector<LocalAsset>> collect_assets(const fs::path& dir, const std::string& tag);

// What happens to one asset.
struct AssetAction {
    enum class Kind { upload, skip, reupload, replace };
    Kind kind = Kind::upload;
    LocalAsset local;
    std::optional<github::Asset> remote;  // the asset the release has now, if any
    std::string why;                      // for the log: "same sha256 already uploaded"
};

// "upload", "skip", "reupload", "replace".
const char* action_name(AssetAction::Kind kind);

// Decides what to do with each asset given the release as it is (empty: it
// does not exist yet). `remote_sha256` hashes an existing asset GitHub reports
// no digest for. Differences without Replace::yes are one integrity failure
// listing every differing asset.
Result<std::vector<AssetAction>> plan_assets(
    const std::vector<LocalAsset>& local, const std::optional<github::Release>& release,
    Replace replace, const std::function<Result<std::string>(const github::Asset&)>& remote_sha256);

struct PublishOptions {
    fs::path dir = "dist";
    std::string tag;
    Replace replace = Replace::no;
    Draft draft = Draft::publish;
    DryRun dry_run = DryRun::no;
    std::string title;             // empty: the tag
    std::string notes;             // the release body
    std::string target_commitish;  // empty: the default branch
};

// What publishing did (or, for a dry run, would do).
struct PublishReport {
    std::string tag;
    std::uint64_t release_id = 0;  // 0 for a dry run that would create it
    bool created = false;
    bool published_now = false;  // a draft was published by this run
    bool draft = false;          // the release is (or stays) a draft
    std::vector<AssetAction> actions;
    std::size_t count(AssetAction::Kind kind) const;
};

// Runs the steps above.
Result<PublishReport> publish_release(github::Writer& writer, const PublishOptions& options,
                                      util::Console& console);

}  // namespace tl::publish
