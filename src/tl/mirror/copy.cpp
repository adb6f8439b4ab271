#include "tl/mirror/copy.hpp"

#include <algorithm>
#include <chrono>
#include <map>
#include <mutex>

#include "tl/install/downloader.hpp"
#include "tl/install/installer.hpp"
#include "tl/release/contract.hpp"
#include "tl/util/fs.hpp"
#include "tl/util/parallel.hpp"
#include "tl/util/sha256.hpp"
#include "tl/util/strings.hpp"
#include "tl/verify/digests.hpp"

namespace tl::mirror {

namespace {

namespace fs = std::filesystem;

// One unit of work: a platform's assets, or the release-wide ones.
struct Job {
    std::string label;  // "linux-x64" or "release"
    std::optional<platform::Platform> platform;
};

// Downloads and verifies the assets of one job into `work`, then stores them.
class JobRunner {
public:
    JobRunner(const Job& job, const std::string& tag,
              const std::map<std::string, std::string>& existing, Destination& destination,
              const fs::path& work, const http::RetryPolicy& retry, unsigned connections,
              util::Console& console)
        : m_job(job),
          m_tag(tag),
          m_existing(existing),
          m_destination(destination),
          m_work(work),
          m_retry(retry),
          m_connections(connections),
          m_console(console) {}

    // Runs the job; `listed` receives every asset now in the destination.
    PlatformOutcome run(source::Source& source, std::vector<MirroredAsset>& listed) {
        PlatformOutcome out;
        out.platform = m_job.label;
        auto found = source.release(m_tag);
        out.source = source.name();
        if (!found || !*found) {
            out.error = found ? Failure{ErrorKind::not_found, "release " + util::quoted(m_tag) +
                                                                  " not found in " + source.name()}
                              : found.error();
            return out;
        }
        std::vector<MirroredAsset> ready;    // verified, to store
        std::vector<MirroredAsset> already;  // in the destination with the same digest
        auto step = m_job.platform ? platform_assets(source, **found, ready, already)
                                   : release_wide_assets(source, **found, ready, already);
        if (!step) {
            out.error = step.error();
            return out;
        }
        // Only now, with everything of this platform verified, does anything get stored.
        for (const auto& a : ready) {
            if (auto p = m_destination.put(m_tag, a); !p) {
                out.error = p.error();
                return out;
            }
            m_console.info(m_job.label + ": stored " + util::quoted(a.name) + " (" +
                           util::human_bytes(a.size) + ")");
            out.bytes += a.size;
        }
        out.copied = ready.size();
        out.skipped = already.size();
        listed.insert(listed.end(), ready.begin(), ready.end());
        listed.insert(listed.end(), already.begin(), already.end());
        return out;
    }

private:
    bool have(const std::string& name, const std::string& sha256) const {
        auto it = m_existing.find(name);
        return it != m_existing.end() && it->second == sha256;
    }

    // A small asset (checksum file, signature) through fetch_small; its digest
    // must match what the source reports for it, if anything.
    Result<void> small_asset(source::Source& source, const source::AssetInfo& asset,
                             std::vector<MirroredAsset>& ready,
                             std::vector<MirroredAsset>& already) {
        TL_TRY_ASSIGN(text, source.fetch_small(asset, 1u << 20))
        std::string sha = util::sha256_hex(*text);
        if (!asset.reported_digest.empty() && asset.reported_digest != sha) {
            return fail(ErrorKind::integrity,
                        verify::mismatch_message(
                            asset.name, sha,
                            {{"the digest " + source.name() + " reports", asset.reported_digest}}));
        }
        MirroredAsset m{asset.name, text->size(), sha, m_work / asset.name};
        if (have(asset.name, sha)) {
            already.push_back(m);
            return {};
        }
        if (auto w = util::write_file_atomic(m.file, *text, util::AtomicFile::Durability::no_fsync);
            !w) {
            return util::unexpected(w.error());
        }
        ready.push_back(m);
        return {};
    }

    Result<void> platform_assets(source::Source& source, const source::ReleaseInfo& release,
                                 std::vector<MirroredAsset>& ready,
                                 std::vector<MirroredAsset>& already) {
        const platform::Platform& p = *m_job.platform;
        std::vector<std::string> sidecars;
        bool any_archive = false;
        for (auto format : {release::ArchiveFormat::tar_zst, release::ArchiveFormat::tar_gz}) {
            const source::AssetInfo* archive =
                release.find(release::archive_name(p, m_tag, format));
            if (archive == nullptr) {
                continue;
            }
            any_archive = true;
            for (const auto& s : release::checksum_names(p, m_tag, format)) {
                if (release.find(s) != nullptr &&
                    std::find(sidecars.begin(), sidecars.end(), s) == sidecars.end()) {
                    sidecars.push_back(s);
                }
            }
            // The same verification as download: every claim agrees, the bytes match.
            TL_TRY_ASSIGN(claims, install::release_claims(source, release, *archive, p, format))
            TL_TRY_ASSIGN(want, verify::agreed_digest(*claims, archive->name))
            MirroredAsset m{archive->name, archive->size, *want, m_work / archive->name};
            if (have(archive->name, *want)) {
                m_console.info(m_job.label + ": " + util::quoted(archive->name) +
                               " is already in the mirror");
                already.push_back(m);
                continue;
            }
            TL_TRY_ASSIGN(got, install::download_to_partial(source, *archive, m.file, m_retry,
                                                            m_console, nullptr, m_connections))
            if (got->sha256 != *want) {
                return fail(ErrorKind::integrity,
                            verify::mismatch_message(archive->name, got->sha256, *claims) +
                                "; nothing of " + m_job.label + " was copied");
            }
            m.size = got->size;
            ready.push_back(m);
        }
        if (!any_archive) {
            return fail(
                ErrorKind::not_found,
                "release " + util::quoted(m_tag) + " has no archive for " + m_job.label +
                    " (expected " +
                    util::quoted(release::archive_name(p, m_tag, release::ArchiveFormat::tar_gz)) +
                    ")");
        }
        for (const auto& name : sidecars) {
            if (auto r = small_asset(source, *release.find(name), ready, already); !r) {
                return r;
            }
        }
        return {};
    }

    Result<void> release_wide_assets(source::Source& source, const source::ReleaseInfo& release,
                                     std::vector<MirroredAsset>& ready,
                                     std::vector<MirroredAsset>& already) {
        for (const char* name : k_release_wide_assets) {
            if (const source::AssetInfo* a = release.find(name)) {
                if (auto r = small_asset(source, *a, ready, already); !r) {
                    return r;
                }
            }
        }
        return {};
    }

    const Job& m_job;
    const std::string& m_tag;
    const std::map<std::string, std::string>& m_existing;
    Destination& m_destination;
    fs::path m_work;
    http::RetryPolicy m_retry;
    unsigned m_connections;
    util::Console& m_console;
};

}  // namespace

Result<CopyResult> copy_release(const SourceFactory& make_source, Destination& destination,
                                const CopyOptions& options, util::Console& console) {
    auto started = std::chrono::steady_clock::now();
    TL_TRY_ASSIGN(existing, destination.existing(options.tag))
    std::vector<Job> jobs;
    for (const auto& p : options.platforms) {
        jobs.push_back({p.name(), p});
    }
    jobs.push_back({std::string(k_release_wide_label), std::nullopt});

    util::TempDir work("temporal-libs-mirror");
    CopyResult result;
    result.tag = options.tag;
    result.outcomes.resize(jobs.size());
    std::vector<MirroredAsset> listed;
    std::mutex listed_mutex;
    util::run_parallel(jobs.size(), options.parallel, [&](std::size_t i) {
        fs::path dir = work.path() / jobs[i].label;
        PlatformOutcome& out = result.outcomes[i];
        out.platform = jobs[i].label;
        if (auto d = util::create_directories(dir); !d) {
            out.error = d.error();
            return;
        }
        auto src = make_source();
        if (!src) {
            out.error = src.error();
            return;
        }
        std::vector<MirroredAsset> mine;
        JobRunner runner(jobs[i], options.tag, *existing, destination, dir, options.retry,
                         options.connections, console);
        out = runner.run(*src->source, mine);
        if (out.error) {
            console.warn(jobs[i].label + ": " + out.error->message);
        }
        std::lock_guard<std::mutex> lock(listed_mutex);
        listed.insert(listed.end(), mine.begin(), mine.end());
    });
    if (!listed.empty()) {
        TL_TRY(destination.finish(options.tag, listed));
    }
    result.seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    return result;
}

}  // namespace tl::mirror
