#include "tl/publish/publisher.hpp"

#include <algorithm>

#include "tl/release/contract.hpp"
#include "tl/trust/signed_sums.hpp"
#include "tl/util/fs.hpp"
#include "tl/util/sha256.hpp"
#include "tl/util/strings.hpp"

namespace tl::publish {

namespace {

// GitHub renames assets with other characters (spaces become dots, ...), and a
// renamed asset is one consumers cannot find.
bool safe_asset_name(std::string_view name) {
    return !name.empty() &&
           name.find_first_not_of(
               "abcdefghijklmnopqrstuvwxyz"
               "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._+-") == std::string_view::npos;
}

std::string short_digest(const std::string& hex) {
    return hex.substr(0, 12);
}

}  // namespace

const char* action_name(AssetAction::Kind kind) {
    switch (kind) {
        case AssetAction::Kind::upload:
            return "upload";
        case AssetAction::Kind::skip:
            return "skip";
        case AssetAction::Kind::reupload:
            return "reupload";
        case AssetAction::Kind::replace:
            return "replace";
    }
    return "upload";
}

std::size_t PublishReport::count(AssetAction::Kind kind) const {
    return static_cast<std::size_t>(std::count_if(
        actions.begin(), actions.end(), [&](const AssetAction& a) { return a.kind == kind; }));
}

namespace {

// SHA256SUMS (from `temporal-libs sign`) is uploaded like any asset; it must
// list exactly the other assets with their current digests, and a signature
// needs the file it signs.
Result<void> check_signed_sums(const fs::path& dir, const std::vector<LocalAsset>& assets) {
    auto named = [&](const char* name) {
        return std::find_if(assets.begin(), assets.end(),
                            [&](const LocalAsset& a) { return a.name == name; });
    };
    auto sums = named(trust::k_sums_name);
    if (sums == assets.end()) {
        if (named(trust::k_sums_signature_name) != assets.end()) {
            return fail(ErrorKind::usage, util::quoted(trust::k_sums_signature_name) + " in " +
                                              util::quoted(dir.string()) + " without " +
                                              util::quoted(trust::k_sums_name) +
                                              "; run 'temporal-libs sign' again");
        }
        return {};
    }
    TL_TRY_ASSIGN(expected, trust::sums_for_directory(dir))
    TL_TRY_ASSIGN(actual, util::read_file(sums->path, 1u << 20))
    if (*actual != *expected) {
        return fail(ErrorKind::integrity,
                    util::quoted(trust::k_sums_name) + " in " + util::quoted(dir.string()) +
                        " does not list the assets there with their current digests (an asset "
                        "was added or packed again after signing); run 'temporal-libs sign' "
                        "again");
    }
    return {};
}

}  // namespace

Result<std::vector<LocalAsset>> collect_assets(const fs::path& dir, const std::string& tag) {
    std::error_code ec;
    if (!fs::is_directory(dir, ec)) {
        return fail(ErrorKind::not_found, "asset directory " + util::quoted(dir.string()) +
                                              " does not exist (run 'temporal-libs pack --out " +
                                              dir.string() + "' for each platform first)");
    }
    std::vector<LocalAsset> assets;
    for (const auto& e : fs::directory_iterator(dir, ec)) {
        std::string name = e.path().filename().string();
        if (util::starts_with(name, ".") || !e.is_regular_file(ec)) {
            continue;
        }
        if (!safe_asset_name(name)) {
            return fail(ErrorKind::usage,
                        "asset name " + util::quoted(name) +
                            " has characters GitHub would change; rename it (letters, digits, "
                            "'.', '_', '+', '-')");
        }
        LocalAsset a;
        a.name = name;
        a.path = e.path();
        a.size = e.file_size(ec);
        assets.push_back(std::move(a));
    }
    std::sort(assets.begin(), assets.end(),
              [](const LocalAsset& a, const LocalAsset& b) { return a.name < b.name; });

    const std::string prefix = "temporal-static-libs-";
    std::size_t archives = 0;
    for (auto& a : assets) {
        TL_TRY_ASSIGN(digest, util::sha256_file(a.path))
        a.sha256 = *digest;
    }
    TL_TRY(check_signed_sums(dir, assets));
    for (const auto& a : assets) {
        auto parsed = release::parse_archive_name(a.name, tag);
        if (!parsed) {
            // A checksum of one of this tag's archives, or another version's file.
            bool ours = false;
            for (const auto& other : assets) {
                auto p = release::parse_archive_name(other.name, tag);
                auto plat = p ? platform::parse_platform(p->platform) : std::nullopt;
                if (p && plat) {
                    auto names = release::checksum_names(*plat, tag, p->format);
                    ours |= std::find(names.begin(), names.end(), a.name) != names.end();
                }
            }
            if (!ours && util::starts_with(a.name, prefix)) {
                return fail(ErrorKind::usage, util::quoted(a.name) + " in " +
                                                  util::quoted(dir.string()) +
                                                  " is not an asset of " + util::quoted(tag) +
                                                  " (left from another version? move it away)");
            }
            continue;
        }
        auto plat = platform::parse_platform(parsed->platform);
        if (!plat) {
            return fail(ErrorKind::usage, util::quoted(a.name) + " names an unknown platform " +
                                              util::quoted(parsed->platform));
        }
        ++archives;
        const LocalAsset* checksum = nullptr;
        std::string checksum_name;
        for (const auto& n : release::checksum_names(*plat, tag, parsed->format)) {
            for (const auto& other : assets) {
                if (other.name == n && checksum == nullptr) {
                    checksum = &other;
                    checksum_name = n;
                }
            }
        }
        if (checksum == nullptr) {
            return fail(ErrorKind::integrity,
                        "no " + util::quoted(a.name + ".sha256") + " beside " +
                            util::quoted(a.name) +
                            ": consumers verify every archive (pack writes it)");
        }
        auto text = util::read_file(checksum->path, std::uint64_t{64} * 1024);
        if (!text) {
            return util::unexpected(text.error());
        }
        auto want = release::parse_checksum_file(*text, a.name);
        if (!want) {
            return fail(ErrorKind::integrity,
                        util::quoted(checksum_name) + ": " + want.error().message);
        }
        if (*want != a.sha256) {
            return fail(ErrorKind::integrity,
                        util::quoted(a.name) + " does not match " + util::quoted(checksum_name) +
                            " (file " + a.sha256 + ", checksum " + *want +
                            "): pack it again rather than publish a broken pair");
        }
    }
    // A release of other files (the tool's own binaries) is verified through
    // the SHA256SUMS checked above instead of per-archive .sha256 files.
    const bool signed_sums = std::any_of(assets.begin(), assets.end(), [](const LocalAsset& a) {
        return a.name == trust::k_sums_name;
    });
    if (archives == 0 && !signed_sums) {
        return fail(ErrorKind::not_found,
                    "no archive of " + util::quoted(tag) + " in " + util::quoted(dir.string()) +
                        " (expected names like " +
                        util::quoted("temporal-static-libs-linux-x64-" +
                                     release::version_label(tag) + ".tar.gz") +
                        "; run 'temporal-libs pack --version " + release::version_label(tag) +
                        "'), and no SHA256SUMS from 'temporal-libs sign'");
    }
    return assets;
}

Result<std::vector<AssetAction>> plan_assets(
    const std::vector<LocalAsset>& local, const std::optional<github::Release>& release,
    Replace replace,
    const std::function<Result<std::string>(const github::Asset&)>& remote_sha256) {
    std::vector<AssetAction> plan;
    std::vector<std::string> conflicts;
    for (const auto& a : local) {
        AssetAction act;
        act.local = a;
        const github::Asset* remote = release ? release->find_asset(a.name) : nullptr;
        if (remote == nullptr) {
            act.kind = AssetAction::Kind::upload;
            act.why = "new";
            plan.push_back(std::move(act));
            continue;
        }
        act.remote = *remote;
        if (remote->state != "uploaded") {
            act.kind = AssetAction::Kind::reupload;
            act.why = "half uploaded (state " + util::quoted(remote->state) + ")";
            plan.push_back(std::move(act));
            continue;
        }
        std::string theirs = remote->digest;
        if (theirs.empty() && remote->size == a.size) {
            TL_TRY_ASSIGN(hashed, remote_sha256(*remote))
            theirs = *hashed;
        }
        if (remote->size == a.size && theirs == a.sha256) {
            act.kind = AssetAction::Kind::skip;
            act.why = "already uploaded with the same sha256";
            plan.push_back(std::move(act));
            continue;
        }
        std::string difference = theirs.empty() ? "size " + std::to_string(remote->size) +
                                                      " there, " + std::to_string(a.size) + " here"
                                                : "sha256 " + short_digest(theirs) + "... there, " +
                                                      short_digest(a.sha256) + "... here";
        if (replace == Replace::no) {
            conflicts.push_back(util::quoted(a.name) + " (" + difference + ")");
            continue;
        }
        act.kind = AssetAction::Kind::replace;
        act.why = "different content (" + difference + ")";
        plan.push_back(std::move(act));
    }
    if (!conflicts.empty()) {
        return fail(ErrorKind::integrity,
                    "release " + util::quoted(release->tag) + " already has " +
                        util::join(conflicts, ", ") +
                        " with other content; nothing was changed (publish a new version, or "
                        "pass --replace to overwrite the published assets)");
    }
    return plan;
}

Result<PublishReport> publish_release(github::Writer& writer, const PublishOptions& o,
                                      util::Console& console) {
    TL_TRY_ASSIGN(local, collect_assets(o.dir, o.tag))
    const std::string& repo = writer.config().repo;
    TL_TRY_ASSIGN(found, writer.find_release(o.tag))
    std::optional<github::Release> release = std::move(*found);
    auto plan = plan_assets(*local, release, o.replace,
                            [&](const github::Asset& a) { return writer.asset_sha256(a); });
    if (!plan) {
        return util::unexpected(plan.error());
    }

    PublishReport report;
    report.tag = o.tag;
    report.actions = *plan;
    const bool nothing_to_upload = report.count(AssetAction::Kind::skip) == plan->size();
    const std::string prefix = o.dry_run == DryRun::yes ? "would " : "";

    if (!release) {
        console.info(prefix + "create draft release " + util::quoted(o.tag) + " in " +
                     util::quoted(repo));
        if (o.dry_run == DryRun::no) {
            github::NewRelease nr;
            nr.tag = o.tag;
            nr.name = o.title;
            nr.body = o.notes;
            nr.target_commitish = o.target_commitish;
            nr.draft = true;
            TL_TRY_ASSIGN(created, writer.create_release(nr))
            release = std::move(*created);
            report.release_id = release->id;
        }
        report.created = true;
        report.draft = true;
    } else {
        report.release_id = release->id;
        report.draft = release->draft;
        console.info("release " + util::quoted(o.tag) + " exists" +
                     (release->draft ? " as a draft" : "") + " with " +
                     std::to_string(release->assets.size()) + " assets");
    }

    for (const auto& act : report.actions) {
        std::string line = util::quoted(act.local.name) + " (" + util::human_bytes(act.local.size) +
                           "): " + act.why;
        if (act.kind == AssetAction::Kind::skip) {
            console.info("skip " + line);
            continue;
        }
        console.info(prefix + action_name(act.kind) + " " + line);
        if (o.dry_run == DryRun::yes) {
            continue;
        }
        if (act.remote) {
            TL_TRY(writer.delete_asset(*act.remote));
        }
        TL_TRY_ASSIGN(
            up, writer.upload_asset(*release, act.local.path, act.local.name, act.local.sha256))
    }
    if (o.dry_run == DryRun::yes) {
        // A new release or a draft ends published unless asked to stay a draft.
        if (report.draft) {
            report.draft = o.draft == Draft::keep;
            console.info((report.draft ? "would leave " : "would publish ") + util::quoted(o.tag) +
                         (report.draft ? " a draft" : ""));
        }
        return report;
    }

    // What GitHub holds now must be what we have, byte for byte.
    if (!nothing_to_upload || release->draft) {
        TL_TRY_ASSIGN(now, writer.get_release(release->id))
        for (const auto& a : *local) {
            const github::Asset* remote = now->find_asset(a.name);
            std::string problem;
            if (remote == nullptr) {
                problem = "is missing";
            } else if (remote->state != "uploaded") {
                problem = "is in state " + util::quoted(remote->state);
            } else if (remote->size != a.size) {
                problem =
                    "has " + std::to_string(remote->size) + " bytes, not " + std::to_string(a.size);
            } else {
                std::string theirs = remote->digest;
                if (theirs.empty()) {
                    TL_TRY_ASSIGN(hashed, writer.asset_sha256(*remote))
                    theirs = *hashed;
                }
                if (theirs != a.sha256) {
                    problem = "has sha256 " + theirs + ", not " + a.sha256;
                }
            }
            if (!problem.empty()) {
                return fail(ErrorKind::integrity,
                            "after uploading, " + util::quoted(a.name) + " on release " +
                                util::quoted(o.tag) + " " + problem +
                                (now->draft ? "; the release stays a draft" : "") +
                                " (run publish again; add --replace if it keeps failing)");
            }
        }
        console.info("verified " + std::to_string(local->size()) + " assets on " +
                     util::quoted(o.tag) + " (state, size and sha256)");
        release = std::move(*now);
    }

    if (release->draft && o.draft == Draft::publish) {
        TL_TRY_ASSIGN(published, writer.publish_release(release->id))
        report.published_now = true;
        report.draft = false;
        console.info("published " + util::quoted(o.tag));
    } else {
        report.draft = release->draft;
    }
    return report;
}

}  // namespace tl::publish
